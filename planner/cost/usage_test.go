package cost_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"patchbay/planner/cost"
	"patchbay/planner/plantest"
)

// usageDesign has one resource of every kind that takes usage, and some
// that take none.
const usageDesign = `hub = transit_gateway("hub", region = "us-east-1")
far = transit_gateway("far", region = "us-west-2", asn = 64530)
attach(hub, far)
attach(vpc("web", region = "us-east-1", cidr = "10.0.0.0/16", mtu = 8500), hub)
wan = core_network("wan", asn_ranges = ["65000-65099"], edges = [edge("us-east-1")], segments = [segment("prod")])
dxgw = dx_gateway("dx", asn = 64512)
attach(dxgw, wan, segment = "prod")
g = gcp_vpc("g", project = "p", region = "us-east4", cidr = "10.1.0.0/16", mtu = 8500)
interconnect("ic", provider = "gcp", aws_region = "us-east-1", peer_region = "us-east4", bandwidth = "1Gbps", attach_to = dxgw, peer = g)
`

func mustUsage(t *testing.T, file, src string) *cost.Usage {
	t.Helper()
	u, err := cost.ParseUsage(file, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestYAMLUsageMatchesJSON(t *testing.T) {
	y := mustUsage(t, "u.yml", `version: 0.1
resource_type_default_usage:
  transit_gateway:
    monthly_data_processed_gb: 1000
resource_usage:
  transit_gateway.big:
    monthly_data_processed_gb: 5_000 # underscores, as YAML allows
`)
	j := mustUsage(t, "u.json", `{"resource_type_default_usage": {"transit_gateway": {"monthly_data_processed_gb": 1000}},
 "resource_usage": {"transit_gateway.big": {"monthly_data_processed_gb": 5000}}}`)
	src := `small = transit_gateway("small", region = "us-east-1")
big = transit_gateway("big", region = "us-east-1")
`
	var a, b bytes.Buffer
	if err := price(t, src, cost.Options{Usage: y}).WriteJSON(&a); err != nil {
		t.Fatal(err)
	}
	if err := price(t, src, cost.Options{Usage: j}).WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	if a.String() != b.String() {
		t.Errorf("YAML and JSON usage price differently:\n%s\n%s", a.String(), b.String())
	}
	if !strings.Contains(a.String(), `"cost": 100`) || !strings.Contains(a.String(), `"cost": 20`) {
		t.Errorf("usage not applied:\n%s", a.String())
	}
	// An empty section is allowed, as a freshly synced file of a design
	// without usage has one.
	mustUsage(t, "u.yaml", "version: 0.1\nresource_usage:\n")
	mustUsage(t, "u.yaml", "version: \"0.1\"\nresource_usage: {}\n")
	// JSON may carry the version too.
	mustUsage(t, "u.json", `{"version": "0.1", "resource_usage": {}}`)
}

func TestYAMLUsageErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"version: 0.1\nresource_usage:\n  transit_gateway.hub:\n    monthly_gb: 1\n", `u.yml:4:5: resource_usage.transit_gateway.hub: unknown key "monthly_gb" (want monthly_data_processed_gb)`},
		{"version: 0.1\ncolour: red\n", `u.yml:2:1: unknown key "colour" (want version, resource_type_default_usage, resource_usage)`},
		{"version: 0.1\nresource_type_default_usage:\n  vpc:\n    x: 1\n", `u.yml:3:3: resource_type_default_usage: no usage for vpc (usage applies to attachment, core_network, interconnect, transit_gateway)`},
		{"version: 0.1\nresource_usage:\n  last_mile.hq:\n    monthly_data_transfer_out_gb: 1\n", `u.yml:3:3: resource_usage.last_mile.hq: no usage for last_mile`},
		{"version: 0.1\nresource_usage:\n  hub:\n    x: 1\n", `u.yml:3:3: resource_usage: "hub" is not an address like transit_gateway.hub`},
		{"version: 0.1\nresource_usage:\n  transit_gateway.hub:\n    monthly_data_processed_gb: -5\n", `u.yml:4:32: resource_usage.transit_gateway.hub: monthly_data_processed_gb is negative`},
		{"version: 0.1\nresource_usage:\n  transit_gateway.hub:\n    monthly_data_processed_gb: lots\n", `u.yml:4:32: resource_usage.transit_gateway.hub.monthly_data_processed_gb: want a number`},
		{"version: 0.1\nresource_usage:\n  transit_gateway.hub:\n    monthly_data_processed_gb: .inf\n", `u.yml:4:32: resource_usage.transit_gateway.hub.monthly_data_processed_gb: .inf is not an amount`},
		{"version: 0.1\nresource_usage:\n  transit_gateway.hub:\n    monthly_data_processed_gb: \"5\"\n", `want a number`},
		{"version: 0.1\nresource_usage:\n  transit_gateway.hub:\n    monthly_data_processed_gb: 1\n    monthly_data_processed_gb: 2\n", `u.yml:5:5: resource_usage.transit_gateway.hub: "monthly_data_processed_gb" again (first on line 4)`},
		{"resource_usage: {}\n", `u.yml:1:1: no version: want version: 0.1`},
		{"version: 0.2\n", `u.yml:1:10: version 0.2: want 0.1`},
		{"version: 0.1\nresource_usage:\n  transit_gateway.a: &x\n    monthly_data_processed_gb: 1\n  transit_gateway.b: *x\n", `u.yml:3:22: anchor &x: a usage file has no anchors`},
		{"version: 0.1\nresource_usage:\n  transit_gateway.a: !!map\n    monthly_data_processed_gb: 1\n", `u.yml:3:22: tag !!map: a usage file has no tags`},
		{"version: 0.1\n---\nversion: 0.1\n", `u.yml:2:1: a second YAML document`},
		{"version: 0.1\nresource_usage: [1, 2]\n", `u.yml:2:17: resource_usage: want a mapping`},
		{"version: 0.1\nresource_usage:\n  transit_gateway.hub:\n  monthly_data_processed_gb: 1\n  - x\n", `u.yml:2: did not find expected key`},
		{"", `u.yml: empty usage file`},
	} {
		_, err := cost.ParseUsage("u.yml", []byte(tc.src))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.src, err, tc.want)
		}
	}
	// The .yaml extension, in any case, reads YAML too; anything else JSON.
	if _, err := cost.ParseUsage("U.YAML", []byte("version: 0.1\ncolour: red\n")); err == nil || !strings.Contains(err.Error(), "U.YAML:2:1:") {
		t.Errorf(".YAML: %v", err)
	}
	if _, err := cost.ParseUsage("u.txt", []byte("version: 0.1\n")); err == nil || !strings.Contains(err.Error(), "invalid character") {
		t.Errorf("a .txt usage file should be read as JSON: %v", err)
	}
	if _, err := cost.ParseUsage("u.json", []byte(`{"version": "2"}`)); err == nil || !strings.Contains(err.Error(), `version "2"`) {
		t.Errorf("JSON version: %v", err)
	}
}

func TestSyncUsage(t *testing.T) {
	p := plantest.Source(t, usageDesign)
	data, res, err := cost.SyncUsage(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := `# Usage for patchbay cost --usage: amounts a month (730 hours), prorated by --hours.
# Written by patchbay cost --sync-usage, which keeps the amounts set here when it runs again.
version: 0.1

resource_usage:
  attachment.hub-far:
    monthly_inter_region_gb: 0 # data the peering's first Transit Gateway sends to the second, GB a month
    monthly_inter_region_gb_return: 0 # data the peering's second Transit Gateway sends back to the first, GB a month
  core_network.wan:
    monthly_data_processed_gb: 0 # data the core network processes, GB a month
  interconnect.ic:
    monthly_egress_gib: 0 # data Google sends to AWS over the Interconnect, GiB a month
  transit_gateway.far:
    monthly_data_processed_gb: 0 # data the Transit Gateway processes, GB a month
  transit_gateway.hub:
    monthly_data_processed_gb: 0 # data the Transit Gateway processes, GB a month
`
	if string(data) != want {
		t.Errorf("sync wrote:\n%s\nwant:\n%s", data, want)
	}
	if res.Resources != 5 || res.Keys != 6 || res.Kept != 0 || len(res.Dropped) != 0 {
		t.Errorf("result %+v", res)
	}
	// What it writes reads back, and pricing with it changes nothing.
	if _, err := cost.ParseUsage("u.yml", data); err != nil {
		t.Fatalf("the synced file does not parse: %v", err)
	}

	// Amounts already set are kept, a type default is kept and not
	// overridden by a 0, and a resource the design lost is dropped.
	old := mustUsage(t, "u.yml", `version: 0.1
resource_type_default_usage:
  transit_gateway:
    monthly_data_processed_gb: 100
resource_usage:
  transit_gateway.hub:
    monthly_data_processed_gb: 2500.5
  transit_gateway.gone:
    monthly_data_processed_gb: 1
`)
	data, res, err = cost.SyncUsage(p, old)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		"resource_type_default_usage:\n  transit_gateway:\n    monthly_data_processed_gb: 100 # data the Transit Gateway processes, GB a month\n",
		"  transit_gateway.hub:\n    monthly_data_processed_gb: 2500.5 #",
		"  transit_gateway.far:\n    # monthly_data_processed_gb: 0 # data the Transit Gateway processes, GB a month; the type default, 100, applies\n",
	} {
		if !strings.Contains(string(data), s) {
			t.Errorf("merged file lacks %q:\n%s", s, data)
		}
	}
	if strings.Contains(string(data), "gone") || len(res.Dropped) != 1 || res.Dropped[0] != "transit_gateway.gone" || res.Kept != 1 {
		t.Errorf("result %+v:\n%s", res, data)
	}
	u, err := cost.ParseUsage("u.yml", data)
	if err != nil {
		t.Fatal(err)
	}
	r, err := cost.Price(p, cost.Options{Usage: u})
	if err != nil {
		t.Fatal(err)
	}
	if l := line(t, r, "transit_gateway.far", "data processing"); l.Quantity != 100 {
		t.Errorf("the type default should still apply: %+v", l)
	}
	if l := line(t, r, "transit_gateway.hub", "data processing"); *l.Cost != 50.01 {
		t.Errorf("the kept amount should apply: %+v", l)
	}
	// The same input writes the same bytes.
	again, _, _ := cost.SyncUsage(p, old)
	if !bytes.Equal(data, again) {
		t.Error("sync is not deterministic")
	}

	// A design with nothing that takes usage still gets a valid file.
	data, _, err = cost.SyncUsage(plantest.Source(t, `vpc("v", region = "us-east-1", cidr = "10.0.0.0/16")`), nil)
	if err != nil || !strings.Contains(string(data), "resource_usage: {} #") {
		t.Fatalf("%v:\n%s", err, data)
	}
	if _, err := cost.ParseUsage("u.yml", data); err != nil {
		t.Errorf("the empty synced file does not parse: %v", err)
	}
}

func FuzzParseUsageYAML(f *testing.F) {
	f.Add([]byte("version: 0.1\nresource_usage:\n  transit_gateway.hub:\n    monthly_data_processed_gb: 10\n"))
	f.Add([]byte("version: 0.1\nresource_type_default_usage:\n  core_network:\n    monthly_data_processed_gb: 1e3\n"))
	f.Add([]byte("a: &a [*a, *a]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		u, err := cost.ParseUsage("u.yml", data)
		if err != nil {
			return
		}
		if _, err := cost.Price(plantest.Source(t, `transit_gateway("hub", region = "us-east-1")`), cost.Options{Usage: u}); err != nil && !strings.Contains(err.Error(), "does not declare") {
			t.Fatal(err)
		}
	})
}

func TestJSONUsageErrorPlaces(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"{\n  \"resource_usage\": {\"transit_gateway.hub\": {\"monthly_data_processed_gb\": \"many\"}}}", "u.json:2:"},
		{"{\n  \"resource_usage\": [}", "u.json:2:22: invalid character"},
		{`{"colour": 1}`, `u.json: json: unknown field "colour"`},
	} {
		_, err := cost.ParseUsage("u.json", []byte(tc.src))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.src, err, tc.want)
		}
	}
}

// TestUsageTableMatchesPricer keeps the usage table, which checks usage
// files and writes --sync-usage, in step with the keys the pricer reads:
// a key read but not in the table could never be set, and one in the table
// but never read would be accepted and silently ignored.
func TestUsageTableMatchesPricer(t *testing.T) {
	// Every key of the table, set alone on a design with a resource of
	// each kind, adds a line: the pricer reads it.
	p := plantest.Source(t, usageDesign)
	base, err := cost.Price(p, cost.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range cost.UsageKeys() {
		u, err := cost.ParseUsage("u.json", []byte(fmt.Sprintf(`{"resource_type_default_usage": {%q: {%q: 1000}}}`, k.Kind, k.Key)))
		if err != nil {
			t.Fatalf("%s %s: %v", k.Kind, k.Key, err)
		}
		r, err := cost.Price(p, cost.Options{Usage: u})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Lines) <= len(base.Lines) {
			t.Errorf("%s %s = 1000 adds no line: the pricer does not read it", k.Kind, k.Key)
		}
	}
}
