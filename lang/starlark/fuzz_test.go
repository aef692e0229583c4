package starlark

import (
	"context"
	"errors"
	"io"
	"testing"
	"testing/fstest"

	"patchbay/lang"
)

// FuzzLoad runs arbitrary scripts: the front-end must never panic, and
// every failure must be diagnostics that point into a file it read.
func FuzzLoad(f *testing.F) {
	f.Add([]byte(`vpc("a", region = "us-east-1", cidr = "10.0.0.0/16")`))
	f.Add([]byte(`load("lib.star", "x")`))
	f.Add([]byte("d = dx_gateway(\"d\")\ng = gcp_vpc(\"g\", project = \"p\", region = \"us-east4\", cidr = \"10.1.0.0/16\")\ninterconnect(\"i\", provider = \"gcp\", aws_region = \"us-east-1\", peer_region = \"us-east4\", bandwidth = \"10Gbps\", attach_to = d, peer = g)\n"))
	f.Add([]byte(`w = core_network("w", edges = [edge("us-east-1")], segments = [segment("s")], asn_ranges = ["1-2"])`))
	f.Add([]byte(`attach(vpc("a", region="us-east-1", cidr="10.0.0.0/16"), transit_gateway("t", region="us-east-1"), segment="x")`))
	f.Add([]byte(`x = cidrsubnets("10.0.0.0/8", 8, 4, 12)`))
	f.Add([]byte("a = vpc(\"a\", region = \"us-east-1\", cidr = \"10.0.0.0/16\")\ns = site(\"s\", cidr = \"192.168.0.0/16\", asn = 1)\n" +
		"scenario(\"x\", flows = [flow(a, s)], probes = [probe(s, a)], events = [at(\"1m\", fail(device = a)), at(\"2m\", set_bandwidth(\"1Gbps\", link = \"l\"))])\n"))
	f.Add([]byte(`scenario("x", events = [at("1m", advertise("s/conn1", prepend = 2, communities = ["7224:7300"], med = 5, extra_prefixes = 100))])`))
	f.Fuzz(func(t *testing.T, src []byte) {
		fsys := fstest.MapFS{
			"main.star": {Data: src},
			"lib.star":  {Data: []byte("x = 1\n")},
		}
		d, err := LoadFS(context.Background(), fsys, "", "main.star", Options{MaxSteps: 100_000, Print: io.Discard,
			// A small memory budget: an input that builds a 400 MB string
			// is refused at once instead of slowing every run.
			MaxMemory: 64 << 20})
		if err == nil {
			if d == nil {
				t.Fatal("nil design without error")
			}
			return
		}
		var se *lang.SourceError
		if !errors.As(err, &se) {
			t.Fatalf("error is %T, want *lang.SourceError: %v", err, err)
		}
		if len(se.Diagnostics) == 0 {
			t.Fatal("failure without diagnostics")
		}
		for _, dg := range se.Diagnostics {
			if dg.Summary == "" {
				t.Fatalf("diagnostic without summary: %+v", dg)
			}
			if dg.Range.File != "" && dg.Range.File != "main.star" && dg.Range.File != "lib.star" && dg.Range.File[0] != '@' {
				t.Fatalf("diagnostic points at %q, a file that was never read", dg.Range.File)
			}
		}
	})
}
