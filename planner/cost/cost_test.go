package cost_test

import (
	"bytes"
	"flag"
	"path/filepath"
	"strings"
	"testing"

	"patchbay/planner/cost"
	"patchbay/planner/plantest"
	"patchbay/stdlib"
)

var update = flag.Bool("update", false, "rewrite the golden cost reports")

func price(t testing.TB, src string, o cost.Options) *cost.Report {
	t.Helper()
	r, err := cost.Price(plantest.Source(t, src), o)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func line(t *testing.T, r *cost.Report, resource, component string) cost.Line {
	t.Helper()
	for _, l := range r.Lines {
		if l.Resource == resource && strings.HasPrefix(l.Component, component) {
			return l
		}
	}
	t.Fatalf("no line %s %s in %+v", resource, component, r.Lines)
	return cost.Line{}
}

func TestThreeTGWAttachments(t *testing.T) {
	r := price(t, `hub = transit_gateway("hub", region = "us-east-1")
for i in range(3):
    attach(vpc("v%d" % i, region = "us-east-1", cidr = "10.%d.0.0/16" % i, mtu = 8500), hub)
`, cost.Options{})
	l := line(t, r, "transit_gateway.hub", "attachments")
	if *l.Cost != 109.50 || *l.Hourly != 0.15 || l.Quantity != 3 { // 3 × $0.05 × 730
		t.Errorf("got %+v", l)
	}
	if r.Totals.Cost != 109.50 || r.Totals.Unpriced != 0 {
		t.Errorf("totals %+v", r.Totals)
	}
	// --hours prorates by the hour.
	r = price(t, `hub = transit_gateway("hub", region = "us-east-1")
attach(vpc("v", region = "us-east-1", cidr = "10.0.0.0/16", mtu = 8500), hub)
`, cost.Options{Hours: 24})
	if l := line(t, r, "transit_gateway.hub", "attachments"); *l.Cost != 1.20 { // 0.05 × 24
		t.Errorf("24 h: %+v", l)
	}
}

// TestOnePeeringForTwoSegments: a Transit Gateway attached to two
// segments of a core network, one route table attachment for each of its
// route tables, has one peering attachment on its side, with its two VPC
// attachments three; the core network bills the two route table
// attachments.
func TestOnePeeringForTwoSegments(t *testing.T) {
	r, err := cost.Price(plantest.File(t, "../../testdata/valid/attach_tgw_two_segments.star"), cost.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if l := line(t, r, "transit_gateway.east", "attachments"); l.Quantity != 3 || *l.Cost != 109.50 { // 3 × $0.05 × 730
		t.Errorf("the Transit Gateway's attachments: %+v, want 3", l)
	}
	if l := line(t, r, "core_network.wan", "TGW route table attachments"); l.Quantity != 2 {
		t.Errorf("the core network's route table attachments: %+v, want 2", l)
	}
}

const interconnects = `dxgw = dx_gateway("core")
g1 = gcp_vpc("g1", project = "p", region = "us-east4", cidr = "10.1.0.0/16", mtu = 8500)
g2 = gcp_vpc("g2", project = "p", region = "us-east4", cidr = "10.2.0.0/16", mtu = 8500)
g3 = gcp_vpc("g3", project = "p", region = "us-east4", cidr = "10.3.0.0/16", mtu = 8500)
interconnect("big", provider = "gcp", aws_region = "us-east-1", peer_region = "us-east4", bandwidth = "10Gbps", attach_to = dxgw, peer = g1)
interconnect("free", provider = "gcp", aws_region = "us-east-1", peer_region = "us-east4", bandwidth = "500Mbps", attach_to = dxgw, peer = g2)
interconnect("second", provider = "gcp", aws_region = "us-east-1", peer_region = "us-east4", bandwidth = "500Mbps", attach_to = dxgw, peer = g3)
`

func TestInterconnectPrices(t *testing.T) {
	r := price(t, interconnects, cost.Options{})
	if l := line(t, r, "interconnect.big", "connection"); *l.Cost != 9000.90 || l.Price != "aws/interconnect/connection/us-east-1/10Gbps/tier1" { // $12.33 × 730
		t.Errorf("10 Gbps tier 1: %+v", l)
	}
	if l := line(t, r, "interconnect.free", "connection"); l.Cost == nil || *l.Cost != 0 || !strings.Contains(l.Note, "free") {
		t.Errorf("the first 500 Mbps tier-1 connection should be free: %+v", l)
	}
	// The second one is charged: its price is not public, so it is UNPRICED,
	// never $0.
	if l := line(t, r, "interconnect.second", "connection"); !l.Unpriced() || strings.Contains(l.Note, "free") {
		t.Errorf("the second 500 Mbps connection must not be free: %+v", l)
	}
}

func TestTierFollowsServedRegions(t *testing.T) {
	base := `wan = core_network("wan", asn_ranges = ["65000-65099"], edges = [%s], segments = [segment("prod")])
g = gcp_vpc("g", project = "p", region = "us-east4", cidr = "10.1.0.0/16", mtu = 8500)
interconnect("ic", provider = "gcp", aws_region = "us-east-1", peer_region = "us-east4", bandwidth = "1Gbps", attach_to = wan, segment = "prod", peer = g)
`
	local := price(t, strings.Replace(base, "%s", `edge("us-east-1")`, 1), cost.Options{})
	far := price(t, strings.Replace(base, "%s", `edge("us-east-1"), edge("ap-southeast-2")`, 1), cost.Options{})
	l1, l5 := line(t, local, "interconnect.ic", "connection"), line(t, far, "interconnect.ic", "connection")
	if *l1.Cost != 1000.10 || !strings.HasPrefix(l1.Note, "tier 1") { // $1.37 × 730
		t.Errorf("local: %+v", l1)
	}
	if *l5.Cost != 7000.70 || !strings.HasPrefix(l5.Note, "tier 5") || l5.Status != "estimated" { // $9.59 × 730
		t.Errorf("an edge in ap-southeast-2 should re-rate to tier 5: %+v", l5)
	}
	c, err := far.Compare(local)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, d := range c.Resources {
		if d.Resource == "interconnect.ic" && d.Change == 6000.60 {
			found = true
		}
	}
	if !found {
		t.Errorf("compare does not show the Interconnect's change: %+v", c.Resources)
	}
	var buf bytes.Buffer
	if err := cost.WriteCompare(&buf, local, far, false); err != nil || !strings.Contains(buf.String(), "+$6000.60") {
		t.Errorf("compare text:\n%s", buf.String())
	}

	// Moving a TGW attach point to another region re-rates too.
	tgw := `hub = transit_gateway("hub", region = "%s")
dxgw = dx_gateway("core", asn = 64600)
attach(dxgw, hub, allowed_prefixes = ["10.0.0.0/16"])
g = gcp_vpc("g", project = "p", region = "us-east4", cidr = "10.1.0.0/16", mtu = 8500)
interconnect("ic", provider = "gcp", aws_region = "us-east-1", peer_region = "us-east4", bandwidth = "1Gbps", attach_to = dxgw, peer = g)
`
	tierOneThenFive(t, "moving the TGW", tgw, "us-east-1", "ap-southeast-2")

	// Behind a DX gateway attached to Cloud WAN, only the edges of the
	// segment it is attached to count: ap-southeast-2's edge serves
	// another segment.
	seg := `wan = core_network("wan", asn_ranges = ["65000-65099"], edges = [edge("us-east-1"), edge("ap-southeast-2")],
    segments = [segment("us", edge_regions = ["us-east-1"]), segment("apac", edge_regions = ["ap-southeast-2"])])
dxgw = dx_gateway("core", asn = 64600)
attach(dxgw, wan, segment = "%s")
g = gcp_vpc("g", project = "p", region = "us-east4", cidr = "10.1.0.0/16", mtu = 8500)
interconnect("ic", provider = "gcp", aws_region = "us-east-1", peer_region = "us-east4", bandwidth = "1Gbps", attach_to = dxgw, peer = g)
`
	tierOneThenFive(t, "a DX gateway on segment us, then apac", seg, "us", "apac")
}

// tierOneThenFive prices design with %s as near, then as far, and wants
// its 1 Gbps Interconnect at tier 1 ($1.37 × 730), then tier 5 ($9.59 × 730).
func tierOneThenFive(t *testing.T, what, design, near, far string) {
	t.Helper()
	a := line(t, price(t, strings.Replace(design, "%s", near, 1), cost.Options{}), "interconnect.ic", "connection")
	b := line(t, price(t, strings.Replace(design, "%s", far, 1), cost.Options{}), "interconnect.ic", "connection")
	if *a.Cost != 1000.10 || *b.Cost != 7000.70 {
		t.Errorf("%s: %+v → %+v", what, a, b)
	}
}

func TestTiers(t *testing.T) {
	for _, tc := range []struct {
		from, to string
		want     int
	}{
		{"us-east-1", "us-east-1", 1}, {"us-east-1", "us-west-2", 2}, {"us-east-1", "ca-central-1", 3},
		{"eu-west-2", "me-south-1", 3}, {"us-east-1", "eu-west-1", 4}, {"us-east-1", "ap-southeast-2", 5},
	} {
		if got := cost.Tier(tc.from, tc.to); got != tc.want {
			t.Errorf("Tier(%s, %s) = %d, want %d", tc.from, tc.to, got, tc.want)
		}
	}
}

func TestUsageAndCatalogOverride(t *testing.T) {
	u, err := cost.ParseUsage("u.json", []byte(`{"resource_type_default_usage": {"transit_gateway": {"monthly_data_processed_gb": 1000}},
 "resource_usage": {"transit_gateway.big": {"monthly_data_processed_gb": 5000}}}`))
	if err != nil {
		t.Fatal(err)
	}
	src := `small = transit_gateway("small", region = "us-east-1")
big = transit_gateway("big", region = "us-east-1")
`
	r := price(t, src, cost.Options{Usage: u})
	if l := line(t, r, "transit_gateway.small", "data processing"); *l.Cost != 20 { // 1000 GB × $0.02
		t.Errorf("default usage: %+v", l)
	}
	if l := line(t, r, "transit_gateway.big", "data processing"); *l.Cost != 100 {
		t.Errorf("per-resource usage: %+v", l)
	}
	rows, err := stdlib.ParsePrices("mine.jsonl", []byte(`{"provider": "aws", "service": "transit_gateway", "component": "data_processing", "region": "us-east-1", "unit": "GB", "price": 0.015, "date": "2026-11-01", "source": "our private pricing agreement", "status": "published"}`+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	r = price(t, src, cost.Options{Usage: u, Prices: stdlib.DefaultPrices().With(rows)})
	if l := line(t, r, "transit_gateway.big", "data processing"); *l.Cost != 75 || l.Source != "our private pricing agreement" {
		t.Errorf("override: %+v", l)
	}
	if _, err := cost.ParseUsage("u.json", []byte(`{"resource_usage": {"transit_gateway.big": {"monthly_gb": 1}}}`)); err == nil || !strings.Contains(err.Error(), `unknown key "monthly_gb"`) {
		t.Errorf("bad usage key: %v", err)
	}
}

func TestBadCatalogRows(t *testing.T) {
	for _, tc := range []struct{ row, want string }{
		{`{"provider":"aws","service":"s","component":"c","unit":"month","price":1,"date":"2026-01-01","source":"s","status":"published"}`, `bad.jsonl:2: unknown unit "month"`},
		{`{"provider":"aws","service":"s","component":"c","unit":"h","price":-1,"date":"2026-01-01","source":"s","status":"published"}`, `bad.jsonl:2: price -1 is not a price`},
		{`{"provider":"aws","service":"s","component":"c","unit":"h","price":1,"date":"2026-01-01","source":"","status":"published"}`, `bad.jsonl:2: missing source`},
		{`{"provider":"aws","service":"s","component":"c","unit":"h","price":null,"date":"2026-01-01","source":"s","status":"published"}`, `bad.jsonl:2: a null price must have status "unknown"`},
		{`{"provider":"aws","service":"s","component":"c","unit":"h","price":1,"date":"2026-01-01","source":"s","status":"published","colour":"red"}`, `bad.jsonl:2: json: unknown field "colour"`},
		{`{"provider":"aws",`, `bad.jsonl:2:`},
		{`{"provider":"awz","service":"s","component":"c","unit":"h","price":1,"date":"2026-01-01","source":"s","status":"published"}`, `bad.jsonl:2: unknown provider "awz"`},
		{`{"provider":"aws","service":"s","component":"c","unit":"h","price":1,"date":"yesterday","source":"s","status":"published"}`, `bad.jsonl:2: date "yesterday": want YYYY-MM-DD`},
		{`{"provider":"aws","service":"s","component":"c","region":"us-east-7","unit":"h","price":1,"date":"2026-01-01","source":"s","status":"published"}`, `bad.jsonl:2: unknown region "us-east-7"`},
		{`{"provider":"aws","service":"s","component":"c","tier":9,"unit":"h","price":1,"date":"2026-01-01","source":"s","status":"published"}`, `bad.jsonl:2: tier 9: want 1 to 5`},
	} {
		_, err := stdlib.ParsePrices("bad.jsonl", []byte("# a comment line\n"+tc.row+"\n"))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.row, err, tc.want)
		}
	}
	row := `{"provider":"aws","service":"s","component":"c","unit":"h","price":1,"date":"2026-01-01","source":"s","status":"published"}`
	if _, err := stdlib.ParsePrices("dup.jsonl", []byte(row+"\n"+row+"\n")); err == nil || !strings.Contains(err.Error(), "dup.jsonl:2: prices aws/s/c again (first on line 1)") {
		t.Errorf("duplicate rows: %v", err)
	}
}

// TestGoldenReports pins the text and JSON cost reports of every example;
// go test ./planner/cost -update rewrites them.
func TestGoldenReports(t *testing.T) {
	for _, f := range plantest.Examples(t, "../../examples") {
		name := strings.TrimSuffix(filepath.Base(f), ".star")
		t.Run(name, func(t *testing.T) {
			r, err := cost.Price(plantest.File(t, f), cost.Options{})
			if err != nil {
				t.Fatal(err)
			}
			var text, js bytes.Buffer
			if err := r.WriteText(&text, true); err != nil {
				t.Fatal(err)
			}
			if err := r.WriteJSON(&js); err != nil {
				t.Fatal(err)
			}
			plantest.Golden(t, filepath.Join("testdata", name+".txt"), text.Bytes(), *update)
			plantest.Golden(t, filepath.Join("testdata", name+".json"), js.Bytes(), *update)
		})
	}
}

func FuzzParseUsage(f *testing.F) {
	f.Add([]byte(`{"resource_usage": {"transit_gateway.hub": {"monthly_data_processed_gb": 10}}}`))
	f.Add([]byte(`{"resource_type_default_usage": {"last_mile": {"monthly_data_transfer_out_gb": 1}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		u, err := cost.ParseUsage("u.json", data)
		if err != nil {
			return
		}
		// Whatever parses prices without error against any design.
		if _, err := cost.Price(plantest.Source(t, `transit_gateway("hub", region = "us-east-1")`), cost.Options{Usage: u}); err != nil && !strings.Contains(err.Error(), "does not declare") {
			t.Fatal(err)
		}
	})
}

// TestCompareUnpricedIsNotASaving: when a re-rated Interconnect has no known
// price, the change is unknown, not minus the old price; and reports of
// different periods are not compared.
func TestCompareUnpricedIsNotASaving(t *testing.T) {
	base := `wan = core_network("wan", asn_ranges = ["65000-65099"], edges = [%s], segments = [segment("prod")])
g = gcp_vpc("g", project = "p", region = "us-east4", cidr = "10.1.0.0/16", mtu = 8500)
interconnect("ic", provider = "gcp", aws_region = "us-east-1", peer_region = "us-east4", bandwidth = "10Gbps", attach_to = wan, segment = "prod", peer = g)
`
	before := price(t, strings.Replace(base, "%s", `edge("us-east-1")`, 1), cost.Options{})
	after := price(t, strings.Replace(base, "%s", `edge("us-east-1"), edge("us-west-2")`, 1), cost.Options{})
	c, err := after.Compare(before)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range c.Resources {
		if d.Resource == "interconnect.ic" && (d.After != nil || d.Change != 0 || !strings.Contains(d.Note, "unknown")) {
			t.Errorf("an unpriced tier-2 price shows as %+v", d)
		}
	}
	if c.Complete {
		t.Error("the comparison should say it is incomplete")
	}
	if _, err := after.Compare(price(t, strings.Replace(base, "%s", `edge("us-east-1")`, 1), cost.Options{Hours: 24})); err == nil {
		t.Error("reports of different periods were compared")
	}
}

func TestRoundingHalfCents(t *testing.T) {
	u, err := cost.ParseUsage("u.json", []byte(`{"resource_usage": {"transit_gateway.hub": {"monthly_data_processed_gb": 7.25}}}`))
	if err != nil {
		t.Fatal(err)
	}
	r := price(t, `transit_gateway("hub", region = "us-east-1")`, cost.Options{Usage: u})
	if l := line(t, r, "transit_gateway.hub", "data processing"); *l.Cost != 0.15 { // 7.25 × $0.02 = $0.145
		t.Errorf("half a cent: %+v", *l.Cost)
	}
}
