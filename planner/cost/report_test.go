package cost_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"patchbay/planner/cost"
	"patchbay/planner/plantest"
	"patchbay/stdlib"
)

func catalog(t *testing.T, rows ...string) *stdlib.PriceBook {
	t.Helper()
	parsed, err := stdlib.ParsePrices("mine.jsonl", []byte(strings.Join(rows, "\n")+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	return stdlib.DefaultPrices().With(parsed)
}

const hub = `hub = transit_gateway("hub", region = "us-east-1")
vs = [vpc("v%d" % i, region = "us-east-1", cidr = "10.%d.0.0/16" % i, mtu = 8500) for i in range(3)]
for v in vs:
    attach(v, hub)
`

// withMonitor adds a component the built-in catalog does not price.
const withMonitor = hub + `monitor("m", source = vs[0], destination = vs[1])
`

func text(t *testing.T, r *cost.Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := r.WriteText(&b, false); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func jsonDoc(t *testing.T, r *cost.Report) map[string]any {
	t.Helper()
	var b bytes.Buffer
	if err := r.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestTotalSaysAtLeast(t *testing.T) {
	whole := price(t, hub, cost.Options{})
	if s := text(t, whole); strings.Contains(s, "at least") || strings.Contains(s, "UNPRICED") {
		t.Errorf("a complete total is exact:\n%s", s)
	}
	if !whole.Complete() || len(whole.Missing()) != 0 {
		t.Errorf("complete %v, missing %v", whole.Complete(), whole.Missing())
	}
	m := jsonDoc(t, whole)
	if m["currency"] != "USD" || m["complete"] != true || len(m["unpriced"].([]any)) != 0 {
		t.Errorf("JSON of a complete report: currency %v complete %v unpriced %v", m["currency"], m["complete"], m["unpriced"])
	}

	r := price(t, withMonitor, cost.Options{})
	s := text(t, r)
	for _, want := range []string{
		"Total for a month (730 h): at least $109.50 (AWS at least $109.50); 1 component UNPRICED, not in the total\n",
		"Not in the total (UNPRICED):\n  monitor.m  synthetic monitor  the catalog has no price (stdlib/catalog/prices.jsonl:",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("text lacks %q:\n%s", want, s)
		}
	}
	if got := r.Summary(); !strings.HasPrefix(got, "a month (730 h): at least $109.50") {
		t.Errorf("plan's summary: %s", got)
	}
	m = jsonDoc(t, r)
	if m["complete"] != false {
		t.Errorf("complete: %v", m["complete"])
	}
	u := m["unpriced"].([]any)
	if len(u) != 1 || u[0].(map[string]any)["resource"] != "monitor.m" || u[0].(map[string]any)["reason"] == "" {
		t.Errorf("unpriced: %v", u)
	}
	// A cloud with nothing priced is unknown, not $0.
	g := price(t, `dxgw = dx_gateway("core")
g = gcp_vpc("g", project = "p", region = "us-east4", cidr = "10.1.0.0/16", mtu = 8500)
interconnect("ic", provider = "gcp", aws_region = "us-east-1", peer_region = "us-east4", bandwidth = "10Gbps", attach_to = dxgw, peer = g)
`, cost.Options{})
	if !g.Complete() && !strings.Contains(text(t, g), "Google Cloud unknown") {
		t.Errorf("Google's side has no price yet and should read unknown:\n%s", text(t, g))
	}
}

func TestReadJSONCurrency(t *testing.T) {
	var b bytes.Buffer
	r := price(t, withMonitor, cost.Options{})
	if err := r.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	back, err := cost.ReadJSON(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if back.Totals.Cost != r.Totals.Cost || len(back.Lines) != len(r.Lines) || back.Complete() {
		t.Errorf("round trip: %+v", back.Totals)
	}
	eur := strings.Replace(b.String(), `"currency": "USD"`, `"currency": "EUR"`, 1)
	if _, err := cost.ReadJSON([]byte(eur)); err == nil || !strings.Contains(err.Error(), `"EUR"`) {
		t.Errorf("a report in euros was read: %v", err)
	}
	old := strings.Replace(b.String(), `"currency": "USD",`, ``, 1)
	if _, err := cost.ReadJSON([]byte(old)); err != nil {
		t.Errorf("a report from before the currency field: %v", err)
	}
}

func TestMoneyInMarkdown(t *testing.T) {
	r := price(t, `wan = core_network("wan", asn_ranges = ["65000-65099"], edges = [edge("us-east-1")], segments = [segment("prod")])
g = gcp_vpc("g", project = "p", region = "us-east4", cidr = "10.1.0.0/16", mtu = 8500)
interconnect("ic", provider = "gcp", aws_region = "us-east-1", peer_region = "us-east4", bandwidth = "10Gbps", attach_to = wan, segment = "prod", peer = g)
`, cost.Options{Prices: catalog(t, `{"provider": "aws", "service": "cloudwatch", "component": "synthetic_monitor_included", "region": "*", "unit": "h", "price": 0, "date": "2026-11-01", "source": "ours | <b>not</b> </details> html", "status": "published"}`)})
	var b bytes.Buffer
	if err := r.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	s := b.String()
	for _, want := range []string{
		"| Resource | Cloud | Component | Quantity | Unit price | Hourly | Cost | Status | Note |\n",
		"| `interconnect.ic` | aws | connection 10Gbps | 1 | $12.33/h | $12.33 | **$9,000.90** | secondary | tier 1 |\n",
		"**Total for a month (730 h): at least $9,365.90**",
		"\n<details><summary>Sources</summary>\n\n| Price | Catalog | Source | Date | Status |\n",
		"| `aws/cloudwatch/synthetic_monitor_included/*` | mine.jsonl:1 | ours \\| &lt;b&gt;not&lt;/b&gt; &lt;/details&gt; html | 2026-11-01 | published |\n",
		"\n</details>\n",
		"Not in the total (UNPRICED):\n\n- `",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("markdown lacks %q:\n%s", want, s)
		}
	}
	if strings.Count(s, "</details>") != 1 {
		t.Errorf("a catalog's text closed the Sources section:\n%s", s)
	}
}

func TestCompareUnknownIsNotZero(t *testing.T) {
	base := `wan = core_network("wan", asn_ranges = ["65000-65099"], edges = [%s], segments = [segment("prod")])
g = gcp_vpc("g", project = "p", region = "us-east4", cidr = "10.1.0.0/16", mtu = 8500)
dxgw = dx_gateway("dx", asn = 64512)
attach(dxgw, wan, segment = "prod")
interconnect("ic", provider = "gcp", aws_region = "us-east-1", peer_region = "us-east4", bandwidth = "1Gbps", attach_to = dxgw, peer = g)
`
	near := price(t, strings.Replace(base, "%s", `edge("us-east-1")`, 1), cost.Options{})
	mid := price(t, strings.Replace(base, "%s", `edge("us-east-1"), edge("us-west-2")`, 1), cost.Options{})
	far := price(t, strings.Replace(base, "%s", `edge("us-east-1"), edge("ap-southeast-2")`, 1), cost.Options{})

	// The same unpriced components on both sides cancel out: the change is
	// known although neither total is complete.
	c, err := far.Compare(near)
	if err != nil {
		t.Fatal(err)
	}
	if c.Complete || c.Change == nil || *c.Change != 6365.60 {
		t.Errorf("near → far: complete %v change %v", c.Complete, c.Change)
	}
	// A tier-2 price that is not in the catalog makes the change unknown,
	// with a lower bound (the before side is priced).
	c, err = mid.Compare(near)
	if err != nil {
		t.Fatal(err)
	}
	if c.Change != nil || c.ChangeAtLeast == nil || *c.ChangeAtLeast != -635.10 {
		t.Errorf("near → mid: change %v at least %v", c.Change, c.ChangeAtLeast)
	}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"resource":"interconnect.ic","before":1000.1,"after":null,"after_unpriced":true,"change":null`) || !strings.Contains(string(b), `"change":null,"change_at_least":-635.1`) {
		t.Errorf("JSON:\n%s", b)
	}
	var text bytes.Buffer
	if err := cost.WriteCompare(&text, near, mid, false); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"interconnect.ic   $1000.10", "UNPRICED          unknown", "unknown (at least -$635.10)"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, text.String())
		}
	}
	if strings.Contains(text.String(), "$0.00") {
		t.Errorf("an unknown change shows as $0.00:\n%s", text.String())
	}
	// The other way round the before side is unknown: no bound at all.
	c, err = near.Compare(mid)
	if err != nil {
		t.Fatal(err)
	}
	if c.Change != nil || c.ChangeAtLeast != nil {
		t.Errorf("mid → near: change %v at least %v", c.Change, c.ChangeAtLeast)
	}
	// A resource that appears unpriced is unknown too, never +$0.
	plus := price(t, hub+`monitor("m", source = vs[0], destination = vs[1])`, cost.Options{})
	c, err = plus.Compare(price(t, hub, cost.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Resources) != 1 || c.Resources[0].Known || c.Change != nil || *c.ChangeAtLeast != 0 {
		t.Errorf("a new unpriced monitor: %+v change %v", c.Resources, c.Change)
	}
	var md bytes.Buffer
	if err := cost.WriteCompare(&md, near, far, true); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "### Cost change for a month (730 h): +$6,365.60\n") || !strings.Contains(md.String(), "| `interconnect.ic` | $1,000.10 | $7,000.70 | +$6,000.60 |") {
		t.Errorf("markdown:\n%s", md.String())
	}
}

func TestBudgets(t *testing.T) {
	whole := price(t, hub, cost.Options{}) // $109.50
	part := price(t, withMonitor, cost.Options{})
	for _, tc := range []struct {
		r     *cost.Report
		limit float64
		want  cost.Verdict
		why   string
	}{
		{whole, 200, cost.Within, ""},
		{whole, 109.50, cost.Within, ""},
		{whole, 100, cost.Above, "the total for a month (730 h) is $109.50, above $100.00"},
		{part, 100, cost.Above, "the priced part of the total for a month (730 h) is already $109.50, above $100.00, without 1 component UNPRICED"},
		{part, 200, cost.Undecided, "cannot tell whether the total for a month (730 h) is above $200.00: $109.50 is priced and 1 component is UNPRICED"},
	} {
		v, why := tc.r.CheckTotal(tc.limit)
		if v != tc.want || !strings.HasPrefix(why, tc.why) {
			t.Errorf("limit %v: %v %q, want %v %q", tc.limit, v, why, tc.want, tc.why)
		}
	}

	two := price(t, strings.Replace(hub, "range(3)", "range(5)", 1), cost.Options{}) // $182.50
	c, err := two.Compare(whole)
	if err != nil {
		t.Fatal(err)
	}
	if v, why := c.CheckIncrease(50); v != cost.Above || why != "the total for a month (730 h) rises by $73.00, more than $50.00" {
		t.Errorf("increase: %v %q", v, why)
	}
	if v, _ := c.CheckIncrease(73); v != cost.Within {
		t.Errorf("an increase equal to the limit is within it: %v", v)
	}
	// Known part alone above the limit.
	c, err = price(t, strings.Replace(withMonitor, "range(3)", "range(5)", 1), cost.Options{}).Compare(whole)
	if err != nil {
		t.Fatal(err)
	}
	if v, why := c.CheckIncrease(50); v != cost.Above || !strings.Contains(why, "rises by at least $73.00") {
		t.Errorf("increase with an unpriced monitor: %v %q", v, why)
	}
	if v, why := c.CheckIncrease(100); v != cost.Undecided || !strings.Contains(why, "cannot tell") {
		t.Errorf("undecidable increase: %v %q", v, why)
	}
}

func TestSkipped(t *testing.T) {
	p := plantest.Source(t, usageDesign+`lonely = transit_gateway("lonely", region = "us-east-1")
`)
	r, err := cost.Price(p, cost.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]cost.Skip{}
	for _, s := range cost.Skipped(p, r) {
		got[s.Resource] = s
	}
	for res, want := range map[string]string{
		"vpc.web":                "a VPC itself is free",
		"attachment.web-hub":     "billed as an attachment of transit_gateway.hub",
		"attachment.hub-far":     "inter-region transfer needs monthly_inter_region_gb",
		"attachment.dx-wan":      "billed as an attachment of core_network.wan",
		"dx_gateway.dx":          "$0 — gateway: AWS Direct Connect pricing: no charge",
		"transit_gateway.lonely": "no attachments",
	} {
		if s, ok := got[res]; !ok || !strings.Contains(s.Reason, want) {
			t.Errorf("%s: %+v, want %q", res, s, want)
		}
	}
	if !got["dx_gateway.dx"].Free || got["vpc.web"].Free {
		t.Errorf("free: %+v", got)
	}
	for _, priced := range []string{"transit_gateway.hub", "core_network.wan", "interconnect.ic"} {
		if _, ok := got[priced]; ok {
			t.Errorf("%s costs something but is listed as skipped", priced)
		}
	}
	var b bytes.Buffer
	if err := cost.WriteSkippedText(&b, cost.Skipped(p, r)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "Resources that cost nothing: 1 free, ") || !strings.Contains(b.String(), "  dx_gateway.dx  ") {
		t.Errorf("text:\n%s", b.String())
	}
	b.Reset()
	if err := r.WriteJSONSkipped(&b, cost.Skipped(p, r)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"skipped": [`) {
		t.Errorf("JSON lacks skipped:\n%s", b.String())
	}
}
