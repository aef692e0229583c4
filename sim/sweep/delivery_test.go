package sweep

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"patchbay/lang"
	"patchbay/planner/plantest"
	"patchbay/sim"
	"patchbay/sim/network"
)

// Twin VPCs with one CIDR (the planner reports the overlap; the run goes
// on, as `patchbay sim` does): the hub learns 10.2.0.0/16 only from the
// twin, so what a sends to b lands in c, whose hosts take it, and b never
// sees it. b's replies to a are delivered.
const twinVPCs = `
hub = transit_gateway("hub", region = "us-east-1", asn = 64520, default_association = False, default_propagation = False)
a = vpc("a", region = "us-east-1", cidr = "10.1.0.0/16", mtu = 8500)
b = vpc("b", region = "us-east-1", cidr = "10.2.0.0/16", mtu = 8500)
c = vpc("c", region = "us-east-1", cidr = "10.2.0.0/16", mtu = 8500)
aa = attach(a, hub)
ba = attach(b, hub)
ca = attach(c, hub)
tgw_route_table("rt", transit_gateway = hub, associations = [aa, ba, ca], propagations = [aa, ca])
scenario("s", duration = "5s", flows = [flow(a, b, rate = "1Gbps"), flow(b, a, rate = "1Gbps")],
         probes = [probe(a, b, interval = "1s")])
objective(a, b, max_blackout = "1s")
`

const wrongNetworkWhy = "delivered to the wrong network: vpc.c (holds 10.2.0.0/16) instead of vpc.b"

func TestDeliveryIsToTheNamedNetwork(t *testing.T) {
	p := plantest.Source(t, twinVPCs)
	if !slices.ContainsFunc(p.Findings, func(f lang.Diagnostic) bool { return f.Rule == "cidr-overlap" }) {
		t.Fatal("the planner no longer reports the twins' overlap")
	}
	tr, err := run(p, p.Design.Scenarios[0], sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if f := flowNamed(t, tr, "a->b"); f.DeliveredBytes != 0 || f.LostBytes[string(network.WrongNetwork)] != f.DemandBytes {
		t.Errorf("a->b delivered %d, lost %v: want all of it lost to %s", f.DeliveredBytes, f.LostBytes, network.WrongNetwork)
	}
	if f := flowNamed(t, tr, "b->a"); !delivered(f) {
		t.Errorf("b->a lost %v, want delivered", f.LostBytes)
	}
	if !slices.ContainsFunc(tr.Events[0].Flows, func(c sim.FlowChange) bool { return c.Flow == "a->b" && slices.Contains(c.Why, wrongNetworkWhy) }) {
		t.Errorf("the timeline does not say %q: %+v", wrongNetworkWhy, tr.Events[0].Flows)
	}
	if pr := tr.Probes[0]; pr.Lost != pr.Sent || len(pr.LossSpans) != 1 || pr.LossSpans[0].Reason != "wrong-network at vpc.c (outbound)" {
		t.Errorf("probe a->b: %+v, want every probe lost to the twin", pr)
	}
	var text bytes.Buffer
	if err := tr.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "why: "+wrongNetworkWhy) {
		t.Errorf("the timeline text lacks the cause:\n%s", text.String())
	}

	s := runSweep(t, p, Options{})
	for _, f := range s.Flows {
		if want := map[string]float64{"a->b": 0, "b->a": 1e9}[f.Name]; f.Delivered != want {
			t.Errorf("sweep: %s delivers %v with nothing failed, want %v", f.Name, f.Delivered, want)
		}
	}
	if o := s.Objectives[0]; !o.BrokenBefore || !o.Directions[0].BrokenBefore || o.Directions[1].BrokenBefore {
		t.Errorf("sweep: objective %+v, want a → b broken with nothing failed, b → a met", o)
	}
}

// The site's traffic falls back to a lab VPC holding the same prefix when
// the site's only router fails: after detection the hub's best route to
// 192.168.0.0/16 is the lab's, learned through Cloud WAN. The traffic is
// still carried — to the wrong network, so the flow is cut, and the
// objective broken.
const labTwin = `
hub = transit_gateway("hub", region = "us-east-1", asn = 64520)
wan = core_network("global", asn_ranges = ["64600-64699"], edges = [edge("us-east-1")], segments = [segment("prod")])
dxgw = dx_gateway("core", asn = 64512)
app = vpc("app", region = "us-east-1", cidr = "10.1.0.0/16", mtu = 8500)
lab = vpc("lab", region = "us-east-1", cidr = "192.168.0.0/16", mtu = 8500)
hq = site("hq", cidr = ["192.168.0.0/16"], asn = 65001, mtu = 8500)
attach(app, hub)
attach(dxgw, hub, allowed_prefixes = ["10.0.0.0/8"])
attach(hub, wan, segment = "prod")
attach(lab, wan, segment = "prod")
last_mile("hq", partner = "lumen", region = "us-east-1", bandwidth = "10Gbps", site = hq, attach_to = dxgw)
scenario("s", duration = "10s", flows = [flow(app, hq, rate = "1Gbps")], events = [at("2s", fail(device = "hq/router"))])
objective(app, hq, max_blackout = "1s")
`

func TestFailoverToATwinIsNotDelivery(t *testing.T) {
	p := plantest.Source(t, labTwin)
	tr, err := run(p, p.Design.Scenarios[0], sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f := flowNamed(t, tr, "app->hq")
	if n := len(f.Outages); n != 1 || f.Outages[0].Start != 2*time.Second || f.Outages[0].End != 10*time.Second ||
		!slices.Equal(f.Outages[0].Cause, []string{"link-down", "wrong-network"}) {
		t.Fatalf("outages %+v: want one from the failure to the end, link-down until detection, then wrong-network", f.Outages)
	}
	last := sim.FlowChange{}
	for _, e := range tr.Events {
		for _, c := range e.Flows {
			if c.Flow == "app->hq" {
				last = c
			}
		}
	}
	if want := "delivered to the wrong network: vpc.lab (holds 192.168.0.0/16) instead of site.hq"; last.Delivered != 0 || !slices.Contains(last.Why, want) {
		t.Fatalf("after convergence app->hq is %+v, want nothing delivered because %q", last, want)
	}

	s := runSweep(t, p, Options{})
	c, rank := caseOf(t, s, lang.TargetDevice, "hq/router")
	if rank != 0 || c.Flows[0].Blackout >= 0 || !slices.Equal(c.Flows[0].Causes, []string{"wrong-network"}) {
		t.Fatalf("sweep, hq/router failed (rank %d): %+v, want app->hq cut by wrong-network, ranked worst", rank+1, c.Flows[0])
	}
	if o := s.Objectives[0]; !slices.Equal(o.BrokenBy, []int{c.Index}) || o.BrokenBefore {
		t.Fatalf("sweep: objective %+v, want broken only by hq/router", o)
	}
}
