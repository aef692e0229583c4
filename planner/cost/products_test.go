package cost_test

import (
	"strings"
	"testing"

	"patchbay/planner/cost"
	"patchbay/stdlib"
)

// TestGoogleSideIsPartnerCCI: Google's end of an AWS Interconnect is
// "Partner Cross-Cloud Interconnect for AWS", a transport of the
// connection's bandwidth that Google creates from AWS's activation key
// (https://cloud.google.com/network-connectivity/docs/interconnect/concepts/partner-cci-for-aws-overview),
// not a Cross-Cloud Interconnect port the customer orders plus a VLAN
// attachment. With no published price it is UNPRICED with the reason, never
// priced through those other products.
func TestGoogleSideIsPartnerCCI(t *testing.T) {
	src := `dxgw = dx_gateway("dxgw", asn = 64512)
g = gcp_vpc("g", project = "p", region = "us-east4", cidr = "10.1.0.0/16", mtu = 8500)
interconnect("ic", provider = "gcp", aws_region = "us-east-1", peer_region = "us-east4", bandwidth = "10Gbps", attach_to = dxgw, peer = g)
`
	r := price(t, src, cost.Options{})
	var gcp []cost.Line
	for _, l := range r.Lines {
		if l.Cloud == "gcp" {
			gcp = append(gcp, l)
		}
	}
	if len(gcp) != 1 {
		t.Fatalf("Google's side has %d lines, want the transport alone: %+v", len(gcp), gcp)
	}
	l := gcp[0]
	if l.Component != "Partner Cross-Cloud Interconnect transport 10Gbps" || !l.Unpriced() || l.Status != "unknown" ||
		!strings.Contains(l.Source, "Partner Cross-Cloud Interconnect for AWS") {
		t.Errorf("transport line: %+v", l)
	}
	// A published (or negotiated) rate added with --catalog prices it, per
	// bandwidth and Google region.
	rows, err := stdlib.ParsePrices("google.jsonl", []byte(`{"provider": "gcp", "service": "partner_cci_aws", "component": "transport", "region": "us-east4", "capacity": "10Gbps", "unit": "h", "price": 3.5, "date": "2026-12-01", "source": "our Google quote", "status": "published"}`+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	r = price(t, src, cost.Options{Prices: stdlib.DefaultPrices().With(rows)})
	if l := line(t, r, "gcp_vpc.g", "Partner Cross-Cloud Interconnect transport"); l.Cost == nil || *l.Cost != 2555 { // 730 h × $3.50
		t.Errorf("priced transport: %+v", l)
	}
}

// TestLastMileHasNoTransferCharge: "AWS Interconnect uses a single-fee
// pricing model ... Interconnect charges are computed on an hourly basis
// and there are no separate charges for the data transferred"
// (https://docs.aws.amazon.com/interconnect/latest/userguide/pricing-title.html,
// read 2026-12-04), last mile included: no Direct Connect transfer-out
// line. The partner's circuit, which the partner prices "independently of
// AWS", is a line of its own.
func TestLastMileHasNoTransferCharge(t *testing.T) {
	src := `dxgw = dx_gateway("dxgw", asn = 64512)
hq = site("hq", cidr = "192.168.0.0/16", asn = 65010)
last_mile("hq", partner = "lumen", region = "us-east-1", bandwidth = "10Gbps", site = hq, attach_to = dxgw)
`
	r := price(t, src, cost.Options{})
	var lm []string
	for _, l := range r.Lines {
		if l.Resource == "last_mile.hq" {
			lm = append(lm, l.Cloud+": "+l.Component)
			if strings.Contains(l.Component, "transfer") {
				t.Errorf("a transfer line for the last mile: %+v", l)
			}
		}
	}
	want := []string{"aws: last mile 10Gbps", "partner: lumen access circuit 10Gbps"}
	if strings.Join(lm, "; ") != strings.Join(want, "; ") {
		t.Errorf("last-mile lines %q, want %q", lm, want)
	}
	if l := line(t, r, "last_mile.hq", "last mile"); !l.Unpriced() || !strings.Contains(l.Source, "no last-mile rate") {
		t.Errorf("AWS's last-mile fee: %+v", l)
	}
}

// TestCloudWANAttachmentTypes: Cloud WAN bills attachments by type — the
// AWSCloudWAN offer file has a CloudWAN-Attachment-Hours price per
// "Attachment Type" and region (e.g. "$0.065 per hour for
// CloudWAN-Attachment-Hours:CloudWANVPC in US East (Ohio)") — so a VPC, a
// transit gateway route table and a DX gateway attachment are three lines,
// each found by its attachment_type, and a catalog row with that dimension
// matches.
func TestCloudWANAttachmentTypes(t *testing.T) {
	src := `wan = core_network("wan", asn_ranges = ["65000-65099"], edges = [edge("us-east-1"), edge("us-east-2")], segments = [segment("prod")])
a = vpc("a", region = "us-east-1", cidr = "10.1.0.0/16")
b = vpc("b", region = "us-east-2", cidr = "10.2.0.0/16")
attach(a, wan, segment = "prod")
attach(b, wan, segment = "prod")
tgw = transit_gateway("tgw", region = "us-east-1", asn = 64600)
attach(tgw, wan, segment = "prod")
dxgw = dx_gateway("dxgw", asn = 64512)
attach(dxgw, wan, segment = "prod")
`
	r := price(t, src, cost.Options{})
	for _, c := range []struct {
		component string
		cost      float64 // -1: unpriced
	}{
		{"VPC attachments in us-east-1", 47.45}, // 730 h × $0.065
		{"VPC attachments in us-east-2", 47.45},
		{"TGW route table attachments in us-east-1", -1},
		{"DX gateway attachments", -1},
	} {
		l := line(t, r, "core_network.wan", c.component)
		if l.Component != c.component {
			t.Errorf("line %q, want %q", l.Component, c.component)
		}
		switch {
		case c.cost < 0 && !l.Unpriced():
			t.Errorf("%s: priced %+v, want UNPRICED", c.component, l)
		case c.cost >= 0 && (l.Cost == nil || *l.Cost != c.cost):
			t.Errorf("%s: %+v, want $%.2f", c.component, l, c.cost)
		}
	}
	rows, err := stdlib.ParsePrices("wan.jsonl", []byte(`{"provider": "aws", "service": "cloud_wan", "component": "attachment", "region": "us-east-1", "attachment_type": "transit_gateway_route_table", "unit": "h", "price": 0.07, "date": "2026-12-01", "source": "imported offer", "status": "published"}`+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	r = price(t, src, cost.Options{Prices: stdlib.DefaultPrices().With(rows)})
	if l := line(t, r, "core_network.wan", "TGW route table attachments"); l.Cost == nil || *l.Cost != 51.1 {
		t.Errorf("a row with attachment_type should price the line: %+v", l)
	}
}

// TestInterRegionBothWays: data transfer between regions is charged to the
// region it leaves, so a peering's two directions are two lines, each at
// its source region's rate (the catalog's us-east-1>us-east-2 and
// us-east-2>us-east-1 rows, $0.01/GB each; elsewhere $0.02/GB).
func TestInterRegionBothWays(t *testing.T) {
	u, err := cost.ParseUsage("u.json", []byte(`{"resource_usage": {"attachment.east-ohio": {"monthly_inter_region_gb": 1000, "monthly_inter_region_gb_return": 3000},
 "attachment.east-west": {"monthly_inter_region_gb_return": 500}}}`))
	if err != nil {
		t.Fatal(err)
	}
	src := `east = transit_gateway("east", region = "us-east-1")
ohio = transit_gateway("ohio", region = "us-east-2", asn = 64520)
west = transit_gateway("west", region = "us-west-2", asn = 64530)
attach(east, ohio)
attach(east, west)
`
	r := price(t, src, cost.Options{Usage: u})
	for _, c := range []struct {
		res, component string
		cost           float64
	}{
		{"attachment.east-ohio", "transfer us-east-1 → us-east-2", 10}, // 1000 GB × $0.01
		{"attachment.east-ohio", "transfer us-east-2 → us-east-1", 30}, // 3000 GB × $0.01
		{"attachment.east-west", "transfer us-west-2 → us-east-1", 10}, // 500 GB × $0.02
	} {
		if l := line(t, r, c.res, c.component); l.Component != c.component || l.Cost == nil || *l.Cost != c.cost {
			t.Errorf("%s %s: %+v, want $%.2f", c.res, c.component, l, c.cost)
		}
	}
	for _, l := range r.Lines {
		if l.Resource == "attachment.east-west" && strings.Contains(l.Component, "us-east-1 →") {
			t.Errorf("a direction without usage is priced: %+v", l)
		}
	}
}
