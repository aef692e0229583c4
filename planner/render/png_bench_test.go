package render_test

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"strings"
	"testing"

	"patchbay/planner/plantest"
	"patchbay/planner/render"
)

// BenchmarkPNG1000 lays out, rasterises and encodes the 1,000-node design
// of BenchmarkSVG1000 (990 VPCs on 10 TGWs, no grouping), the case of the
// issue that had a PNG take 10-15 times as long as dot -Tpng. It reports
// the image's megapixels and the file's size, since time and memory follow
// the pixel count; bench/png.sh compares it with dot itself.
func BenchmarkPNG1000(b *testing.B) {
	m := model1000(b)
	if len(m.Nodes) != 1000 {
		b.Fatalf("%d nodes, want 1000", len(m.Nodes))
	}
	var buf bytes.Buffer
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		buf.Reset()
		if err := m.WritePNG(context.Background(), &buf); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	cfg, err := png.DecodeConfig(bytes.NewReader(buf.Bytes()))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(cfg.Width*cfg.Height)/1e6, "Mpx")
	b.ReportMetric(float64(buf.Len())/1e6, "MB-png")
}

// model1000 is the 1,000-node design both drawing benchmarks draw: 990
// VPCs on ten Transit Gateways, every VPC a node (bench/png.sh writes the
// same design for dot).
func model1000(b *testing.B) *render.Model {
	var src strings.Builder
	for t := range 10 {
		fmt.Fprintf(&src, "t%d = transit_gateway(\"tgw-%d\", region = \"us-east-1\", asn = %d)\n", t, t, 64512+t)
	}
	for v := range 990 {
		fmt.Fprintf(&src, "attach(vpc(\"v%d\", region = \"us-east-1\", cidr = \"10.%d.%d.0/24\", mtu = 8500), t%d)\n", v, v/256, v%256, v%10)
	}
	return render.Build(plantest.Source(b, src.String()), render.Options{GroupAbove: 1000})
}
