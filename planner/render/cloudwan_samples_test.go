package render_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"patchbay/lang/cloudwan"
	"patchbay/planner/plantest"
	"patchbay/planner/render"
)

// TestCloudWANSamplesRender: the core networks of the policies in the
// shapes of AWS's published examples (lang/cloudwan/testdata) plan and
// draw, each edge and segment of them in the drawing.
func TestCloudWANSamplesRender(t *testing.T) {
	files, _ := filepath.Glob("../../lang/cloudwan/testdata/aws-*.json")
	if len(files) == 0 {
		t.Fatal("no sample policies")
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		star, err := cloudwan.Import(f, src, "sample")
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		p := plantest.Source(t, string(star))
		var dot bytes.Buffer
		if err := render.Build(p, render.Options{}).WriteDOT(&dot); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		cn := p.Design.CoreNetworks[0]
		for _, want := range append([]string{cn.Edges[0].Region}, cn.SegmentNames()...) {
			if !bytes.Contains(dot.Bytes(), []byte(want)) {
				t.Errorf("%s: the drawing lacks %s", f, want)
			}
		}
	}
}
