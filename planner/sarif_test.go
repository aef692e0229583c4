package planner_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
	"github.com/xeipuuv/gojsonschema"

	"patchbay/lang/starlark"
	"patchbay/planner"
)

const findingsDesign = `hub = transit_gateway("hub", region = "us-east-1")
a = vpc("a", region = "us-east-1", cidr = "10.0.0.0/16")
b = vpc("b", region = "us-east-1", cidr = "10.0.128.0/17")
attach(a, hub)
attach(b, hub)
interconnect("x", provider = "gcp", aws_region = "us-east-1", peer_region = "us-west1", bandwidth = "3Gbps",
             attach_to = hub, peer = gcp_vpc("g", project = "p", region = "us-west1", cidr = "10.9.0.0/16"))
`

func sarifOf(t *testing.T, src string) []byte {
	t.Helper()
	d, err := starlark.LoadFS(context.Background(), fstest.MapFS{"d.star": {Data: []byte(src)}}, "", "d.star", starlark.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := planner.New(d)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := planner.WriteSARIF(&buf, p.Report().Files, p.Findings); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// sarifSchema is the official SARIF 2.1.0 JSON schema as go-sarif (a test
// dependency, pinned in go.sum) ships it in its source, read from the module
// cache so the schema is not copied into this repository.
func sarifSchema(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/owenrumney/go-sarif/v3").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	src, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "pkg", "report", "v210", "sarif", "schema.go"))
	if err != nil {
		t.Fatal(err)
	}
	start, end := bytes.IndexByte(src, '`'), bytes.LastIndexByte(src, '`')
	if start < 0 || end <= start || !bytes.Contains(src[start:end], []byte("sarif-schema-2.1.0.json")) {
		t.Fatal("go-sarif's schema.go no longer holds the 2.1.0 schema in one raw string")
	}
	return string(src[start+1 : end])
}

// TestSARIFValidates checks the log against the official SARIF 2.1.0 JSON
// schema, and decodes it into go-sarif's 2.1.0 model with unknown fields
// refused, so results, rules and locations are where consumers look.
func TestSARIFValidates(t *testing.T) {
	schema := gojsonschema.NewStringLoader(sarifSchema(t))
	for name, src := range map[string]string{"findings": findingsDesign, "clean": `vpc("a", region = "us-east-1", cidr = "10.0.0.0/16")`} {
		t.Run(name, func(t *testing.T) {
			out := sarifOf(t, src)
			dec := json.NewDecoder(bytes.NewReader(out))
			dec.DisallowUnknownFields()
			var rep sarif.Report
			if err := dec.Decode(&rep); err != nil {
				t.Fatalf("SARIF has a field the 2.1.0 model lacks: %v\n%s", err, out)
			}
			res, err := gojsonschema.Validate(schema, gojsonschema.NewBytesLoader(out))
			if err != nil {
				t.Fatal(err)
			}
			if !res.Valid() {
				t.Fatalf("SARIF does not validate against the 2.1.0 schema: %v\n%s", res.Errors(), out)
			}
			if name == "clean" {
				return
			}
			results := rep.Runs[0].Results
			if len(results) < 3 {
				t.Fatalf("want at least cidr-overlap, region-pair-unsupported and bandwidth-invalid, got %d results", len(results))
			}
			rules := rep.Runs[0].Tool.Driver.Rules
			for _, r := range results {
				if *rules[r.RuleIndex].ID != *r.RuleID {
					t.Errorf("result %s points at the wrong rule", *r.RuleID)
				}
				loc := r.Locations[0].PhysicalLocation
				if *loc.ArtifactLocation.URI != "d.star" || *loc.Region.StartLine < 1 {
					t.Errorf("result %s has location %v", *r.RuleID, loc)
				}
			}
		})
	}
}

func TestSARIFDeterministic(t *testing.T) {
	a, b := sarifOf(t, findingsDesign), sarifOf(t, findingsDesign)
	if !bytes.Equal(a, b) {
		t.Fatal("two runs differ")
	}
	if !strings.Contains(string(a), `"ruleId": "cidr-overlap"`) {
		t.Fatalf("no cidr-overlap result:\n%s", a)
	}
}

// TestSARIFSchemaRejects keeps the schema check honest: a log with a level
// SARIF does not define must fail it.
func TestSARIFSchemaRejects(t *testing.T) {
	out := sarifOf(t, findingsDesign)
	bad := bytes.Replace(out, []byte(`"level": "error"`), []byte(`"level": "fatal"`), 1)
	res, err := gojsonschema.Validate(gojsonschema.NewStringLoader(sarifSchema(t)), gojsonschema.NewBytesLoader(bad))
	if err != nil {
		t.Fatal(err)
	}
	if res.Valid() {
		t.Fatal("the schema accepted level \"fatal\"")
	}
}
