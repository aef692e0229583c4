package planner_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"patchbay/lang"
	"patchbay/lang/starlark"
	"patchbay/planner"
	"patchbay/stdlib"
)

// planQuota plans Starlark text with quota overrides and returns the
// quota-exceeded findings only (other rules may fire on these sketches).
func planQuota(t *testing.T, src string, opts ...planner.Option) lang.Diagnostics {
	t.Helper()
	d, err := starlark.LoadFS(context.Background(), fstest.MapFS{"main.star": {Data: []byte(src)}}, "", "main.star", starlark.Options{})
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	p, err := planner.New(d, opts...)
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	var out lang.Diagnostics
	for _, f := range p.Findings {
		if f.Rule == "quota-exceeded" {
			out = append(out, f)
		}
	}
	return out
}

func summaries(ds lang.Diagnostics) string {
	var b strings.Builder
	for _, d := range ds {
		fmt.Fprintf(&b, "\n  %d: %s", d.Range.Start.Line, d.Summary)
	}
	return b.String()
}

// thousands writes n as the Explain text does: 10,000.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// Every quota row says whether AWS raises it and cites a bare page URL as
// read on 2026-12-04; the rule's explanation lists each with its default,
// and "not adjustable" where the row says so.
func TestQuotaCatalogRows(t *testing.T) {
	r, err := planner.RuleByID("quota-exceeded")
	if err != nil {
		t.Fatal(err)
	}
	explain := strings.Join(strings.Fields(r.Explain), " ")
	pages := map[string]bool{
		"https://docs.aws.amazon.com/vpc/latest/tgw/transit-gateway-quotas.html":           true,
		"https://docs.aws.amazon.com/directconnect/latest/UserGuide/limits.html":           true,
		"https://docs.aws.amazon.com/network-manager/latest/cloudwan/cloudwan-quotas.html": true,
		"https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html":          true,
	}
	for page := range pages {
		if !strings.Contains(explain, page+", checked 2026-12") {
			t.Errorf("the explanation does not cite %s, checked 2026-12", page)
		}
	}
	qs := stdlib.Default().Quotas
	if len(qs) == 0 {
		t.Fatal("no quotas in the catalog")
	}
	for _, q := range qs {
		if q.Adjustable == nil {
			t.Errorf("%s: adjustable is not set", q.Key)
		}
		if !pages[q.Source] {
			t.Errorf("%s: source %q is not one of the quota pages", q.Key, q.Source)
		}
		if q.Date != "2026-12-04" || q.Status != "published" {
			t.Errorf("%s: date %q status %q, want 2026-12-04 published", q.Key, q.Date, q.Status)
		}
		if err := planner.CheckQuotaKey(q.Key); err != nil {
			t.Error(err)
		}
		m := regexp.MustCompile(regexp.QuoteMeta(q.Key) + ` \(` + regexp.QuoteMeta(thousands(q.Value)) + `\b([^)]*)\)`).FindStringSubmatch(explain)
		if m == nil {
			t.Errorf("the explanation does not list %s (%s…)", q.Key, thousands(q.Value))
			continue
		}
		if notAdj := strings.Contains(m[1], "not adjustable"); notAdj != !q.CanRaise() {
			t.Errorf("%s: the explanation says %q, the catalog adjustable=%v", q.Key, m[0], q.CanRaise())
		}
	}
}

// 4,999 VPCs and a Direct Connect gateway are 5,000 attachments, the core
// network's quota exactly
// (https://docs.aws.amazon.com/network-manager/latest/cloudwan/cloudwan-quotas.html);
// one more VPC goes over. The valid corpus has no such design because the
// route tests solve every VPC's table (testdata/invalid has the 5,001).
func TestQuotaCoreNetworkAttachmentsAtLimit(t *testing.T) {
	design := func(vpcs int) string {
		return fmt.Sprintf(`
wan = core_network("wan", asn_ranges = ["64600-64610"], edges = [edge("us-east-1")], segments = [segment("prod")])
for i in range(%d):
    attach(vpc("v%%d" %% i, region = "us-east-1", cidr = cidrsubnet("10.0.0.0/8", 16, i), mtu = 8500), wan, segment = "prod")
attach(dx_gateway("core", asn = 65000), wan, segment = "prod", allowed_prefixes = ["10.0.0.0/8"])
`, vpcs)
	}
	if got := planQuota(t, design(4999)); len(got) != 0 {
		t.Errorf("5,000 attachments, got:%s", summaries(got))
	}
	got := planQuota(t, design(5000))
	if len(got) != 1 || !strings.Contains(got[0].Summary, "core_network.wan: 5001 attachments") {
		t.Errorf("want one finding of 5001 attachments, got:%s", summaries(got))
	}
}

// An Interconnect attached directly to a core network is one of its
// attachments, as the cost model counts it.
func TestQuotaCoreNetworkCountsInterconnects(t *testing.T) {
	src := `
wan = core_network("wan", asn_ranges = ["64600-64610"], edges = [edge("us-east-1")], segments = [segment("prod")])
attach(vpc("app", region = "us-east-1", cidr = "10.1.0.0/16", mtu = 8500), wan, segment = "prod")
lake = gcp_vpc("lake", project = "acme", region = "us-east4", cidr = "10.20.0.0/16", mtu = 8500)
interconnect("use1-gcp", provider = "gcp", aws_region = "us-east-1", peer_region = "us-east4", bandwidth = "10Gbps", attach_to = wan, segment = "prod", peer = lake)
`
	got := planQuota(t, src, planner.WithQuota("core_network.attachments", 1))
	if len(got) != 1 || !strings.Contains(got[0].Summary, "core_network.wan: 2 attachments") || got[0].Range.Start.Line != 2 {
		t.Errorf("want one finding of 2 attachments on core_network.wan (line 2), got:%s", summaries(got))
	}
	if got := planQuota(t, src, planner.WithQuota("core_network.attachments", 2)); len(got) != 0 {
		t.Errorf("at the raised quota, got:%s", summaries(got))
	}
}

// A second attachment between the same Transit Gateway and core network,
// to another segment, is a route table attachment on the one peering
// between them ("You can use route table attachments on the peering
// connection to selectively exchange routes between a specific transit
// gateway route table and a Cloud WAN network segment",
// https://docs.aws.amazon.com/network-manager/latest/cloudwan/cloudwan-peerings.html,
// read 2026-12): no second peering, so the quota of one is not exceeded.
func TestQuotaPeeringsBetweenTGWAndCoreNetwork(t *testing.T) {
	src := `
wan = core_network("wan", asn_ranges = ["64600-64610"], edges = [edge("us-east-1")], segments = [segment("prod"), segment("dev")])
hub = transit_gateway("hub", region = "us-east-1", asn = 64520)
attach(hub, wan, segment = "prod")
attach(wan, hub, segment = "dev", name = "hub-dev")
`
	if got := planQuota(t, src); len(got) != 0 {
		t.Errorf("two route table attachments on one peering, got:%s", summaries(got))
	}
}

// Peerings of different pairs do not add up; three over one pair are
// reported once, at the first one past the quota.
func TestQuotaPeeringsBetweenPairs(t *testing.T) {
	src := `
a = transit_gateway("a", region = "us-east-1", asn = 64520)
b = transit_gateway("b", region = "us-east-2", asn = 64521)
c = transit_gateway("c", region = "us-west-2", asn = 64522)
attach(a, b)
attach(b, c)
attach(c, a)
attach(b, a)
attach(a, b, name = "a-b-again")
`
	got := planQuota(t, src)
	if len(got) != 1 || got[0].Range.Start.Line != 8 || !strings.Contains(got[0].Summary, "3 peering attachments between transit_gateway.a and transit_gateway.b") {
		t.Errorf("want one finding at line 8 for 3 peerings between a and b, got:%s", summaries(got))
	}
}

// The prefixes a Transit Gateway association advertises to on-premises
// count IPv4 and IPv6 together: 150 + 51 is over 200, 100 + 100 is not.
func TestQuotaPrefixesToOnpremCombined(t *testing.T) {
	design := func(v4, v6 int) string {
		return fmt.Sprintf(`
hub = transit_gateway("hub", region = "us-east-1", asn = 64520)
dxgw = dx_gateway("core", asn = 65000)
attach(dxgw, hub, allowed_prefixes = [cidrsubnet("10.0.0.0/8", 16, i) for i in range(%d)] + [cidrsubnet("2600:1f18::/40", 16, i) for i in range(%d)])
`, v4, v6)
	}
	got := planQuota(t, design(150, 51))
	if len(got) != 1 || !strings.Contains(got[0].Summary, "201 allowed prefixes") {
		t.Errorf("want one finding of 201 allowed prefixes, got:%s", summaries(got))
	}
	if got := planQuota(t, design(100, 100)); len(got) != 0 {
		t.Errorf("200 prefixes in all, got:%s", summaries(got))
	}
}
