package sim

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"patchbay/planner/plantest"
)

// runSource plans a Starlark design and runs its first scenario.
func runSource(t *testing.T, src string, opts Options) *Trace {
	t.Helper()
	p := plantest.Source(t, src)
	tr, err := run(p, p.Design.Scenarios[0], opts)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func flowNamed(t *testing.T, tr *Trace, name string) FlowSummary {
	t.Helper()
	for _, f := range tr.Flows {
		if f.Name == name {
			return f
		}
	}
	t.Fatalf("no flow %s", name)
	return FlowSummary{}
}

// delivered reports whether a flow got all it sent.
func delivered(f FlowSummary) bool { return f.DeliveredBytes == f.DemandBytes && len(f.LostBytes) == 0 }

// The routing rules of the managed services, each in a small design.
func TestServiceRoutingSemantics(t *testing.T) {
	cases := []struct {
		name, src string
		want      map[string]string // flow → "delivered" or the cause of its loss
	}{
		{"an isolated segment's blackhole binds its attachments", `
wan = core_network("global", asn_ranges = ["64600-64699"], edges = [edge("us-east-1")],
    segments = [segment("prod"), segment("dev", isolate_attachments = True)], actions = [share("prod", share_with = ["dev"])])
prod = vpc("prod", region = "us-east-1", cidr = "10.10.0.0/16", mtu = 8500)
dev = vpc("dev", region = "us-east-1", cidr = "10.50.0.0/16", mtu = 8500)
dev2 = vpc("dev2", region = "us-east-1", cidr = "10.51.0.0/16", mtu = 8500)
attach(prod, wan, segment = "prod")
attach(dev, wan, segment = "dev")
attach(dev2, wan, segment = "dev")
create_route(wan, segment = "dev", destinations = ["10.10.0.0/24"], blackhole = True)
scenario("s", duration = "5s", flows = [flow(dev, prod), flow(dev, dev2), flow(prod, dev)])
`, map[string]string{"dev->prod": "blackhole", "dev->dev2": "no-route", "prod->dev": "delivered"}},
		{"a VGW's allowed prefixes filter its VPC's CIDR", plantest.OneInterconnect + `
attach(dx, vgw, allowed_prefixes = ["10.10.0.0/24"])
scenario("s", duration = "5s", flows = [flow(g, v)])
`, map[string]string{"g->v": "no-route"}},
		{"a wider allowed prefix lets the VPC's CIDR through", plantest.OneInterconnect + `
attach(dx, vgw, allowed_prefixes = ["10.0.0.0/8"])
scenario("s", duration = "5s", flows = [flow(g, v)])
`, map[string]string{"g->v": "delivered"}},
		{"a TGW takes nothing back from Cloud WAN that it sent there", `
wan = core_network("global", asn_ranges = ["64600-64699"], edges = [edge("us-east-1")], segments = [segment("prod")])
hub = transit_gateway("hub", region = "us-east-1", asn = 64520, default_association = False, default_propagation = False)
x = vpc("x", region = "us-east-1", cidr = "10.1.0.0/16", mtu = 8500)
y = vpc("y", region = "us-east-1", cidr = "10.2.0.0/16", mtu = 8500)
xa = attach(x, hub)
ya = attach(y, hub)
pa = attach(hub, wan, segment = "prod")
tgw_route_table("a", transit_gateway = hub, associations = [xa, pa], propagations = [xa])
tgw_route_table("b", transit_gateway = hub, associations = [ya], propagations = [pa])
scenario("s", duration = "5s", flows = [flow(y, x)])
`, map[string]string{"y->x": "no-route"}},
		{"no transit between two connections of one DX gateway, even through Cloud WAN", `
wan = core_network("global", asn_ranges = ["64600-64699"], edges = [edge("us-east-1")], segments = [segment("prod")])
dxgw = dx_gateway("core", asn = 64512)
attach(dxgw, wan, segment = "prod")
p = vpc("p", region = "us-east-1", cidr = "10.10.0.0/16", mtu = 8500)
attach(p, wan, segment = "prod")
a = site("a", cidr = ["192.168.0.0/16"], asn = 65001, mtu = 8500)
b = site("b", cidr = ["172.20.0.0/16"], asn = 65002, mtu = 8500)
last_mile("lma", partner = "lumen", region = "us-east-1", bandwidth = "10Gbps", site = a, attach_to = dxgw)
last_mile("lmb", partner = "lumen", region = "us-east-1", bandwidth = "10Gbps", site = b, attach_to = dxgw)
scenario("s", duration = "5s", flows = [flow(a, b), flow(a, p)])
`, map[string]string{"a->b": "no-route", "a->p": "delivered"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tr := runSource(t, tc.src, Options{})
			for name, want := range tc.want {
				f := flowNamed(t, tr, name)
				switch {
				case want == "delivered" && !delivered(f):
					t.Errorf("%s: %+v, want delivered", name, f.LostBytes)
				case want != "delivered" && f.LostBytes[want] != f.DemandBytes:
					t.Errorf("%s: lost %+v, want all lost to %s", name, f.LostBytes, want)
				}
			}
		})
	}
}

// A flow losing traffic to three causes at once gives the same trace on
// every run: sums over its causes run in a fixed order.
func TestThreeLossCausesAreDeterministic(t *testing.T) {
	src := `
ta = transit_gateway("ta", region = "us-east-1", asn = 64520)
tb = transit_gateway("tb", region = "us-east-1", asn = 64521)
tc = transit_gateway("tc", region = "us-east-1", asn = 64522)
x = vpc("x", region = "us-east-1", cidr = "10.3.0.0/16", mtu = 8500)
attach(x, tc)
hq = site("hq", cidr = ["192.168.0.0/16"], asn = 65001, mtu = 8500)
dxgw = dx_gateway("core", asn = 64512)
ata = attach(dxgw, ta, allowed_prefixes = ["10.0.0.0/8"])
tgw_route_table("bh", transit_gateway = ta, associations = [ata], routes = [route("10.3.0.0/16", blackhole = True)])
attach(dxgw, tb, allowed_prefixes = ["10.0.0.0/8"])
attach(dxgw, tc, allowed_prefixes = ["10.0.0.0/8"])
last_mile("lm", partner = "lumen", region = "us-east-1", bandwidth = "700Mbps", site = hq, attach_to = dxgw)
scenario("s", duration = "7s", flows = [flow(hq, x, rate = "3.1Gbps")])
`
	var first []byte
	for range 20 {
		var b bytes.Buffer
		_ = runSource(t, src, Options{Seed: 1}).WriteJSON(&b)
		if first == nil {
			first = b.Bytes()
			if len(flowNamed(t, runSource(t, src, Options{Seed: 1}), "hq->x").LostBytes) < 3 {
				t.Fatal("the design no longer loses traffic to three causes")
			}
		} else if !bytes.Equal(first, b.Bytes()) {
			t.Fatal("two runs differ")
		}
	}
}

// At one instant a maintenance window ends before the next begins, events
// happen before probes, and the last partial metric window is kept.
func TestOrderAtOneInstantAndTheLastWindow(t *testing.T) {
	tr := runSource(t, plantest.OneInterconnect+`
attach(dx, vgw, allowed_prefixes = [v.cidr])
scenario("m", duration = "5500ms", flows = [flow(g, v, rate = "8Gbps")], probes = [probe(v, g, interval = "1s")], events = [
    at("0s", fail(device = vgw)),
    at("1s", maintenance(device = "us-east-1/fac-a/aws-r1", duration = "2s")),
    at("3s", maintenance(device = "us-east-1/fac-b/aws-r1", duration = "2s")),
])
`, Options{Metrics: true})
	p := tr.Probes[0]
	if p.LossSpans[0].Start != 0 || p.Lost != p.Sent {
		t.Fatalf("probes with the VGW failed at 0s: %+v", p)
	}
	for _, e := range tr.Events {
		if e.T == 3*time.Second && strings.HasPrefix(e.Message, "maintenance of device us-east-1/fac-b") {
			t.Fatalf("fac-b's window began before fac-a's ended: %q came first", e.Message)
		}
		if e.T == 3*time.Second {
			break
		}
	}
	last := tr.Metrics[len(tr.Metrics)-1]
	if last.T != 5500*time.Millisecond {
		t.Fatalf("last sample at %v, want the partial window ending at 5.5s", last.T)
	}
	sent := 0.0
	for _, s := range tr.Metrics {
		if s.Metric == "probe_sent" {
			sent += s.Value
		}
	}
	if int(sent) != p.Sent {
		t.Fatalf("windows count %v probes, the summary %d", sent, p.Sent)
	}
	if len(runSource(t, plantest.OneInterconnect+`scenario("s", duration = "5s")`, Options{}).Metrics) != 0 {
		t.Fatal("metrics kept though not asked for")
	}
}

// A core network names all its edges as one device.
func TestCoreNetworkAsADevice(t *testing.T) {
	tr := runSource(t, `
wan = core_network("global", asn_ranges = ["64600-64699"], edges = [edge("us-east-1"), edge("eu-west-2")], segments = [segment("prod")])
a = vpc("a", region = "us-east-1", cidr = "10.1.0.0/16", mtu = 8500)
b = vpc("b", region = "eu-west-2", cidr = "10.2.0.0/16", mtu = 8500)
attach(a, wan, segment = "prod")
attach(b, wan, segment = "prod")
scenario("s", duration = "10s", flows = [flow(a, b)], events = [at("2s", fail(device = wan)), at("4s", restore(device = wan))])
`, Options{})
	if f := tr.Flows[0]; f.Blackout != 2*time.Second {
		t.Fatalf("blackout %v, want 2s", f.Blackout)
	}
}
