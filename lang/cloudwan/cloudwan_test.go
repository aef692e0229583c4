package cloudwan_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"patchbay/lang"
	"patchbay/lang/cloudwan"
	"patchbay/lang/load"
	"patchbay/planner"
	"patchbay/planner/plantest"
)

var update = flag.Bool("update", false, "rewrite the golden policies")

// designs are the core networks the tests export and read back.
var designs = []string{"../../examples/global_wan.star", "testdata/inspection.star", "../../testdata/valid/service_insertion_ok.star"}

// TestExportGolden: each design's policy document, byte for byte.
func TestExportGolden(t *testing.T) {
	for _, file := range designs {
		p := plantest.File(t, file)
		got := cloudwan.Export(p.Design, p.Design.CoreNetworks[0]).JSON()
		golden := filepath.Join("testdata", strings.TrimSuffix(filepath.Base(file), ".star")+".policy.json")
		plantest.Golden(t, golden, got, *update)
		// What is exported reads back without a complaint.
		if _, err := cloudwan.Import(golden, got, "x"); err != nil {
			t.Errorf("%s: %v", golden, err)
		}
	}
}

var (
	coreDecl  = regexp.MustCompile(`(?ms)^(\w+) = core_network\(\n.*?^\)\n`)
	routeDecl = regexp.MustCompile(`(?m)^create_route\(.*\)\n`)
)

// TestRoundTrip: a design whose core network is replaced by the import of
// its own exported policy plans to the same core network and the same
// routes in every table.
func TestRoundTrip(t *testing.T) {
	for _, file := range designs {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		before := plantest.Source(t, string(src))
		cn := before.Design.CoreNetworks[0]
		star, err := cloudwan.Import("policy.json", cloudwan.Export(before.Design, cn).JSON(), cn.Name)
		if err != nil {
			t.Fatal(err)
		}
		m := coreDecl.FindSubmatch(src)
		if m == nil {
			t.Fatalf("%s: no core_network declaration to replace", file)
		}
		rest := routeDecl.ReplaceAllString(coreDecl.ReplaceAllString(string(src), ""), "")
		variable := regexp.MustCompile(`(?m)^(\w+) = core_network\(`).FindStringSubmatch(string(star))[1]
		alias := ""
		if string(m[1]) != variable {
			alias = fmt.Sprintf("%s = %s\n", m[1], variable)
		}
		after := plantest.Source(t, string(star)+alias+rest)
		if a, b := routes(before), routes(after); a != b {
			t.Errorf("%s: the round trip changed the routes:\nbefore\n%s\nafter\n%s", file, a, b)
		}
		ca, cb := before.Design.CoreNetworks[0], after.Design.CoreNetworks[0]
		if fmt.Sprint(ca.ASNRanges, edges(ca), segments(ca), ca.NetworkFunctionGroups) != fmt.Sprint(cb.ASNRanges, edges(cb), segments(cb), cb.NetworkFunctionGroups) {
			t.Errorf("%s: the round trip changed the core network", file)
		}
	}
}

func edges(c *lang.CoreNetwork) string {
	var b strings.Builder
	for _, e := range c.Edges {
		fmt.Fprintf(&b, "%s/%d ", e.Region, e.ASN)
	}
	return b.String()
}

func segments(c *lang.CoreNetwork) string {
	var b strings.Builder
	for _, s := range c.Segments {
		fmt.Fprintf(&b, "%s %v %v %v; ", s.Name, s.EdgeRegions, s.IsolateAttachments, s.RequireAcceptance)
	}
	for _, a := range c.Actions {
		fmt.Fprintf(&b, "%s %s %v %v %v %s %v %v; ", a.Action, a.Segment, a.ShareWith, a.Via, a.WhenSentTo, a.Mode, a.Destinations, a.Blackhole)
	}
	return b.String()
}

// routes is every table's routes, by table name, as the decision process
// leaves them (next hops by device, not by ID, which the order of the
// declarations decides).
func routes(p *planner.Plan) string {
	topo := p.Topology()
	var b strings.Builder
	for _, tb := range topo.Tables {
		fmt.Fprintf(&b, "%s\n", tb)
		for _, r := range topo.Routes(tb) {
			var hops []string
			for _, h := range r.NextHops {
				hops = append(hops, h.Peer().Device.Name)
			}
			fmt.Fprintf(&b, "  %s pref=%d as=%d tag=%s hops=%v local=%v blackhole=%v\n", r.Prefix, r.Pref, r.ASPath, r.Tag, hops, r.Local, r.Blackhole)
		}
	}
	return b.String()
}

// TestSamplePolicies: policies in the shapes of AWS's published examples
// (written by hand from their descriptions; each names its page) import
// without a complaint. planner/render's tests plan and draw them.
func TestSamplePolicies(t *testing.T) {
	files, _ := filepath.Glob("testdata/aws-*.json")
	if len(files) == 0 {
		t.Fatal("no sample policies")
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cloudwan.Import(f, src, "sample"); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// TestSendViaEverySegment: "when-sent-to": {"segments": "*"}, every
// segment, as AWS's dual-hop inspection sample writes it, reads as ["*"]
// and is written back as "*", as share-with's is.
func TestSendViaEverySegment(t *testing.T) {
	src, err := os.ReadFile("testdata/sendvia-every-segment.json")
	if err != nil {
		t.Fatal(err)
	}
	cn, err := cloudwan.Decode("sendvia-every-segment.json", src)
	if err != nil {
		t.Fatal(err)
	}
	if len(cn.Actions) != 1 || !slices.Equal(cn.Actions[0].WhenSentTo, []string{"*"}) {
		t.Fatalf("actions %+v, want one send-via to every segment", cn.Actions)
	}
	out := string(cloudwan.Export(&lang.Design{}, cn).JSON())
	if !strings.Contains(out, `"when-sent-to": {
        "segments": "*"
      }`) {
		t.Errorf("exported as:\n%s", out)
	}
}

// TestImportErrors: what the reference refuses is an error at the
// document's line and column.
func TestImportErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{`{"version": "2021.12", "core-network-configuration": {"asn-ranges": ["64512-65534"], "edge-locations": [{"location": "us-east-1"}]}, "segments": [{"name": "prod"}], "segment-actions": [{"action": "share", "segment": "prod", "share-with": ["dve"]}]}`,
			`p.json:1:240: error: segment-actions element 0 share-with: no segment "dve" in the policy (it has prod)`},
		{"{\n  \"version\": \"2021.12\",\n  \"core-network-configuration\": {\"asn-ranges\": [\"100-200\"], \"edge-locations\": [{\"location\": \"us-east-1\"}]},\n  \"segments\": [{\"name\": \"prod\"}]\n}",
			`p.json:3:49: error: asn-ranges element 0: "100-200" is outside the private ranges Cloud WAN allows`},
		{`{"version": "2021.12", "core-network-configuration": {"asn-ranges": ["64512-65534"], "edge-locations": [{"location": "us-east-1", "asn": 70000}]}, "segments": [{"name": "prod"}]}`,
			`p.json:1:138: error: edge-locations element 0 asn 70000 is outside the asn-ranges`},
		{`{"version": "2021.12", "core-network-configuration": {"asn-ranges": ["64512-65534"], "edge-locations": [{"location": "us-east-1"}]}, "segments": [{"name": "my-net"}]}`,
			`segments element 0: segment name "my-net": want a letter, then letters and digits, at most 64`},
		{`{"version": "2021.12", "core-network-configuration": {"asn-ranges": ["64512-65534"], "edge-locations": [{"location": "us-east-1"}]}, "segments": [{"name": "a"}], "network-function-groups": [{"name": ""}]}`,
			`p.json:1:200: error: network-function-groups element 0: network function group name: empty, but it is required`},
		{`{"version": "2021.12", "core-network-configuration": {"asn-ranges": ["64512-65534"], "edge-locations": [{"location": "us-east-1"}]}, "segments": [{"name": "a"}], "attachment-policies": [{"rule-number": 10, "conditions": [{"type": "tag-key", "key": "x"}], "action": {"association-method": "constant", "segment": "a"}}]}`,
			`type: want one of any, account-id, attachment-type, region, resource-id, tag-exists, tag-value`},
		{`{"version": "2021.12", "core-network-configuration": {"asn-ranges": ["64512-65534"], "edge-locations": [{"location": "us-east-1"}]}, "segments": [{"name": "a"}, {"name": "b"}], "segment-actions": [{"action": "share", "segment": "a", "share-with": ["b"]}]}`,
			`p.json:1:198: error: segment-actions element 0: a share needs mode, "attachment-route"`},
		{`{"version": "2021.12", "core-network-configuration": {"asn-ranges": [], "edge-locations": [{"location": "us-east-1"}]}, "segments": [{"name": "a"}]}`,
			`p.json:1:69: error: asn-ranges is empty: the edges' ASNs come from it`},
		{`{"version": "2021.12", "core-network-configuration": {"vpn-ecmp-support": "yes", "asn-ranges": ["64512-65534"], "edge-locations": [{"location": "us-east-1"}]}, "segments": [{"name": "a"}]}`,
			`p.json:1:75: error: vpn-ecmp-support: want true or false`},
		{`{"version": "2021.12", "core-network-configuration": {"inside-cidr-blocks": ["10.0.0.0/28"], "asn-ranges": ["64512-65534"], "edge-locations": [{"location": "us-east-1"}]}, "segments": [{"name": "a"}]}`,
			`inside-cidr-blocks element 0: 10.0.0.0/28 is smaller than a /24, the least an IPv4 inside CIDR block may be`},
		{`{"version": "2021.12", "segments": []}`, `the policy has no core-network-configuration: it is required`},
		{`{"version": "2021.12", "version": "x"}`, `p.json:1:24: error: not JSON: "version" appears twice in one object`},
		{`{"version": "2021.12",}`, `p.json:1:23: error: not JSON: unexpected '}': want a member name in quotes`},
		{`{"version": "2021.12", "core-network-configuration": {"asn-ranges": ["64512-65534"], "edge-locations": [{"location": "us-east-1"}]}, "segments": [{"name": "a"}], "segment-policies": []}`,
			`"segment-policies" is not a member of the 2021.12 policy reference's the policy`},
	} {
		_, err := cloudwan.Import("p.json", []byte(tc.src), "x")
		var se *lang.SourceError
		if !errors.As(err, &se) {
			t.Errorf("%s: %v, want a SourceError", tc.src, err)
			continue
		}
		if got := se.Diagnostics.Error(); !strings.Contains(got, tc.want) {
			t.Errorf("%.60s…: %s\nwant %q", tc.src, got, tc.want)
		}
	}
}

// FuzzImport: the reader refuses or accepts, never panics, and what it
// accepts is Starlark patchbay formats.
func FuzzImport(f *testing.F) {
	for _, d := range []string{"testdata/global_wan.policy.json", "testdata/inspection.policy.json"} {
		if src, err := os.ReadFile(d); err == nil {
			f.Add(src)
		}
	}
	f.Add([]byte(`{"version": "2021.12"}`))
	f.Fuzz(func(t *testing.T, src []byte) {
		if _, err := cloudwan.Import("p.json", src, "x"); err != nil {
			var se *lang.SourceError
			if !errors.As(err, &se) {
				t.Fatalf("%v is not a SourceError", err)
			}
		}
	})
}

// TestInLanguage: a design that reads its core network from the policy
// document exported from it (core_network_from_policy in Starlark, a
// core_network block with policy in HCL) plans to the same routes as the
// design that declares it; a document the reference refuses stops the
// load at the document's line and column.
func TestInLanguage(t *testing.T) {
	want := routes(plantest.File(t, "../../examples/global_wan.star"))
	dir := t.TempDir()
	policy := filepath.Join(dir, "global.policy.json")
	ex := plantest.File(t, "../../examples/global_wan.star")
	if err := os.WriteFile(policy, cloudwan.Export(ex.Design, ex.Design.CoreNetworks[0]).JSON(), 0o644); err != nil {
		t.Fatal(err)
	}
	// The examples with their core network declared by its document.
	for _, f := range []struct{ file, decl, from, routes string }{
		{"global_wan.star", `(?ms)^wan = core_network\(\n.*?^\)\n`, "wan = core_network_from_policy(\"global\", policy = \"global.policy.json\")\n", `(?m)^create_route\(.*\)\n`},
		{"global_wan.hcl", `(?ms)^core_network "global" \{\n.*?^\}\n`, "core_network \"global\" {\n  policy = \"global.policy.json\"\n}\n", `(?ms)^create_route \{.*?^\}\n`},
	} {
		src, err := os.ReadFile(filepath.Join("../../examples", f.file))
		if err != nil {
			t.Fatal(err)
		}
		out := regexp.MustCompile(f.decl).ReplaceAllLiteralString(string(src), f.from)
		out = regexp.MustCompile(f.routes).ReplaceAllLiteralString(out, "")
		path := filepath.Join(dir, f.file)
		if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		p := plantest.File(t, path)
		if got := routes(p); got != want {
			t.Errorf("%s: the routes differ from the example's:\n%s", f.file, got)
		}
		if r := p.Design.CoreNetworks[0].Segments[0].Range; filepath.Base(r.File) != "global.policy.json" || r.Start.Line != 19 {
			t.Errorf("%s: segment prod at %s, want the policy document's line 19", f.file, r)
		}
	}
	_, err := load.File(context.Background(), "testdata/inlang/bad.star", load.Options{})
	var se *lang.SourceError
	if !errors.As(err, &se) || !strings.Contains(se.Error(), `testdata/inlang/bad.policy.json:5:105: error: segment-actions element 0 share-with: no segment "dev" in the policy (it has prod)`) {
		t.Errorf("a bad policy: %v", err)
	}
}
