package sim

import (
	"math"
	"strings"
	"testing"
	"time"

	"patchbay/lang"
	"patchbay/planner/plantest"
)

// An event is charged only the loss it caused. In the last-mile example
// the site's router fails at 180 s: both flows (4 Gbps up, 2 Gbps down)
// lose everything from that instant until forwarding settles, so the
// failure is charged demand × the time to stable, 4e9/8 × t and 2e9/8 × t
// bytes. At 240 s the router comes back: the flows had been dead for a
// minute, and the restore is charged none of it. Traffic already lost
// belongs to the event (or the design) that lost it.
func TestConvergenceChargesOnlyWhatTheEventCaused(t *testing.T) {
	p := plantest.File(t, "../examples/last_mile.star")
	tr, err := run(p, p.Design.Scenarios[0], Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	var fail, restore *Convergence
	for i, c := range tr.Convergence {
		switch {
		case strings.HasPrefix(c.Event, "fail device nyc-hq/router"):
			fail = &tr.Convergence[i]
		case strings.HasPrefix(c.Event, "restore device nyc-hq/router"):
			restore = &tr.Convergence[i]
		}
	}
	if fail == nil || restore == nil || fail.Stable == nil {
		t.Fatalf("convergence records %+v", tr.Convergence)
	}
	secs := time.Duration(*fail.Stable).Seconds()
	want := map[string]int64{"nyc-hq->web": int64(math.Round(4e9 * secs / 8)), "web->nyc-hq": int64(math.Round(2e9 * secs / 8))}
	if len(fail.Flows) != 2 {
		t.Fatalf("the failure is charged %+v, want both flows", fail.Flows)
	}
	for _, f := range fail.Flows {
		if d := f.Bytes - want[f.Flow]; d < -1 || d > 1 {
			t.Fatalf("the failure is charged %d bytes of %s, want %d (all of it for %v)", f.Bytes, f.Flow, want[f.Flow], *fail.Stable)
		}
	}
	if len(restore.Flows) != 0 {
		t.Fatalf("the restore is charged %+v, want nothing: the flows were dead before it", restore.Flows)
	}
}

// A flow congested before an event is charged only what it loses beyond
// that. 3 Gbps of 1500-byte packets go up a 2 Gbps last mile (four
// connections of 500 Mbps, two per location): each packet takes 1574
// bytes of line time with MACsec, so each connection delivers 500 Mbps ×
// 1500/1574 = 476.493 Mbps and 1.094 Gbps (36.47%) of the flow is lost to
// congestion from the start. At 10 s one location fails. Until BFD
// notices, the half hashed onto its two connections is lost; after, the
// two left deliver the same 952.986 Mbps between them. Either way the flow
// loses 952.986 Mbps more than before (what the failed connections
// delivered), and that is all the failure is charged until forwarding
// settles: 952.986e6/8 × t bytes, never the congestion already there.
func TestConvergenceDoesNotChargeEarlierCongestion(t *testing.T) {
	const src = `
v = vpc("v", region = "us-east-1", cidr = "10.10.0.0/16", mtu = 8500)
hq = site("hq", cidr = ["192.168.0.0/16"], asn = 65001, mtu = 8500)
dx = dx_gateway("dx", asn = 64512)
vgw = vpn_gateway(v, asn = 64513)
attach(dx, vgw, allowed_prefixes = [v.cidr])
last_mile("hq", partner = "lumen", region = "us-east-1", bandwidth = "2Gbps", site = hq, attach_to = dx)
`
	p := plantest.Source(t, src)
	if n := len(p.LastMiles[0].Connections); n != 4 {
		t.Fatalf("%d connections, the comment says 4", n)
	}
	loc := p.LastMiles[0].Locations[0]
	sc := scenario(30*time.Second, []lang.Flow{flowOf("up", "site.hq", "vpc.v", 3*gbps, 1500)},
		at(10*time.Second, lang.ActionFail, lang.TargetFacility, loc))
	tr, err := run(p, sc, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Convergence) != 1 || tr.Convergence[0].Stable == nil || len(tr.Convergence[0].Flows) != 1 {
		t.Fatalf("convergence %+v", tr.Convergence)
	}
	c := tr.Convergence[0]
	extra := 2 * 500e6 * 1500 / 1574
	want := int64(math.Round(extra * time.Duration(*c.Stable).Seconds() / 8))
	if got := c.Flows[0].Bytes; got < want-1 || got > want+1 {
		t.Fatalf("the failure is charged %d bytes, want %d (%.0f bps for %v)", got, want, extra, *c.Stable)
	}
}
