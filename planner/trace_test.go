package planner_test

import (
	"math"
	"net/netip"
	"strings"
	"testing"

	"patchbay/lang"
	"patchbay/planner"
	"patchbay/planner/plantest"
)

// A trace to an address a network cannot send from, in a family it has no
// address in, is no-address; an IPv4-mapped address is its IPv4 address;
// a zoned one is refused.
func TestTraceAddressFamilies(t *testing.T) {
	p := plantest.Source(t, `
hub = transit_gateway("hub", region = "us-east-1")
a = vpc("a", region = "us-east-1", cidr = "10.1.0.0/16", mtu = 8500)
b = vpc("b", region = "us-east-1", cidr = "10.2.0.0/16", ipv6_cidr = "2600:1f18:aa00::/56", mtu = 8500)
attach(a, hub)
attach(b, hub)
`)
	topo := p.Topology()
	a := lang.Ref{Kind: lang.KindVPC, Name: "a"}
	res, err := topo.TraceAddress(a, netip.MustParseAddr("2600:1f18:aa00::1"), planner.TraceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Paths) != 1 || res.Paths[0].Outcome != planner.OutcomeNoAddress || !strings.Contains(res.Paths[0].Detail, "no IPv6 address") {
		t.Errorf("IPv6 from an IPv4-only VPC: %+v", res.Paths)
	}
	res, err = topo.TraceAddress(a, netip.MustParseAddr("::ffff:10.2.0.5"), planner.TraceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Dst != netip.MustParseAddr("10.2.0.5") || res.Delivered() != 1 {
		t.Errorf("an IPv4-mapped address: to %s, delivered %v", res.Dst, res.Delivered())
	}
	if _, err := topo.TraceAddress(a, netip.MustParseAddr("fe80::1%eth0"), planner.TraceOptions{}); err == nil {
		t.Error("a zoned address was traced")
	}
}

// What a DX gateway's attachment to a core network advertises is its own
// segment's routes, within the design's allowed prefixes where it lists
// them: the attachment takes no allowed prefixes of its own
// (CreateDirectConnectGatewayAttachment has none), so the list filters, as
// an outbound routing policy would, and is not advertised itself as a
// Transit Gateway association's is.
func TestACoreNetworkAttachmentsAllowedPrefixesFilterItsSegment(t *testing.T) {
	p := plantest.Source(t, `
wan = core_network("w", asn_ranges = ["64600-64699"], edges = [edge("us-east-1")], segments = [segment("dev"), segment("prod")])
dxgw = dx_gateway("core", asn = 64512)
attach(dxgw, wan, segment = "prod", allowed_prefixes = ["10.0.0.0/8"])
attach(vpc("p1", region = "us-east-1", cidr = "10.1.0.0/16", mtu = 8500), wan, segment = "prod")
attach(vpc("p2", region = "us-east-1", cidr = "172.20.0.0/16", mtu = 8500), wan, segment = "prod")
attach(vpc("d1", region = "us-east-1", cidr = "10.2.0.0/16", mtu = 8500), wan, segment = "dev")
hq = site("hq", cidr = "192.168.0.0/16", asn = 65001)
last_mile("hq", partner = "lumen", region = "us-east-1", bandwidth = "10Gbps", site = hq, attach_to = dxgw)
`)
	topo := p.Topology()
	tables := topo.TableNamed("us-east-1/lumen-loc-a/aws-r1 [hq]")
	if len(tables) != 1 {
		t.Fatalf("edge tables %v", tables)
	}
	for _, c := range []struct {
		prefix string
		want   bool
	}{{"10.1.0.0/16", true}, {"10.0.0.0/8", false}, {"172.20.0.0/16", false}, {"10.2.0.0/16", false}} {
		r := topo.Route(tables[0], netip.MustParsePrefix(c.prefix))
		if got := r != nil; got != c.want || got && (r.Origin != "vpc.p1" || r.Via == nil || !strings.Contains(r.Via.Why, "within the allowed prefixes")) {
			t.Errorf("route to %s: %+v, want one: %v", c.prefix, r, c.want)
		}
	}
}

// A VPC's static route to its virtual private gateway sends at 1500, where
// the same table propagating the gateway's routes keeps Direct Connect's
// jumbo frames ("Jumbo frames apply only to propagated routes from Direct
// Connect", Direct Connect user guide): a trace of 8,000-byte packets
// stops at the static route, with it, and is delivered at 8,500 without.
func TestStaticRouteToAVirtualPrivateGatewaySendsAt1500(t *testing.T) {
	const design = `
app = vpc("app", region = "us-east-1", cidr = "10.1.0.0/16", mtu = 8500)
hq = site("hq", cidr = ["192.168.0.0/16"], asn = 65001, mtu = 9001)
dxgw = dx_gateway("core", asn = 64512)
vgw = vpn_gateway(app, asn = 64513)
attach(dxgw, vgw, allowed_prefixes = [app.cidr])
last_mile("hq", partner = "lumen", region = "us-east-1", bandwidth = "10Gbps", site = hq, attach_to = dxgw)
`
	app := lang.Ref{Kind: lang.KindVPC, Name: "app"}
	hq := lang.Ref{Kind: lang.KindSite, Name: "hq"}
	for _, c := range []struct {
		table   string
		mtu     int
		outcome string
	}{
		{`route_table("main", vpc = app, routes = [route("192.168.0.0/16", target = vgw)])`, 1500, planner.OutcomeTooBig},
		{`route_table("main", vpc = app, propagations = [vgw])`, 8500, planner.OutcomeDelivered},
	} {
		p := plantest.Source(t, design+c.table+"\n")
		res, err := p.Topology().Trace(app, hq, planner.TraceOptions{Size: 8000})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Paths) == 0 {
			t.Fatalf("%s: no path", c.table)
		}
		for _, path := range res.Paths {
			if path.Outcome != c.outcome || path.MTU != c.mtu {
				t.Errorf("%s: %s with path MTU %d (%s), want %s at %d", c.table, path.Outcome, path.MTU, path.Detail, c.outcome, c.mtu)
			}
		}
	}
}

// A cloud network's own route wins over a more specific one its gateways
// bring it: AWS's local route over what a VPC's tables propagate, or what
// a VPC without tables takes from its gateway ("the local route is most
// preferred even if the propagated routes are more specific", Site-to-Site
// VPN user guide), and Google's subnet routes over dynamic ones ("before
// custom routes", VPC routes overview). Here a site announces a /24 inside
// the AWS VPC's CIDR (and a /64 inside its IPv6 block), and the AWS VPC's
// CIDR lies inside the Google VPC's:
// an overlap the planner reports, but each cloud delivers its own prefix
// locally, as its documents say, where the longest prefix would send it
// away.
func TestANetworksOwnRouteWinsOverAMoreSpecificLearnedOne(t *testing.T) {
	app := lang.Ref{Kind: lang.KindVPC, Name: "app"}
	g := lang.Ref{Kind: lang.KindGCPVPC, Name: "g"}
	for _, tables := range []string{"", `route_table("main", vpc = app, propagations = [vgw])`} {
		p := plantest.Source(t, plantest.LearnsInsideItself+tables+"\n")
		topo := p.Topology()
		for _, c := range []struct {
			from lang.Ref
			to   string
		}{{app, "10.1.5.9"}, {app, "2600:1f18:aa00:5::9"}, {g, "10.1.0.9"}} {
			res, err := topo.TraceAddress(c.from, netip.MustParseAddr(c.to), planner.TraceOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Paths) != 1 || len(res.Paths[0].Hops) != 1 || res.Paths[0].Outcome != planner.OutcomeDelivered || res.Paths[0].Hops[0].Origin != "local" {
				t.Errorf("%q: %s to %s: %+v, want delivered by the local route", tables, c.from, c.to, res.Paths)
			}
		}
		// The longest prefix still decides among what the network learns:
		// the site's other prefix is reached over the last mile, and the
		// Google VPC's block, which holds the AWS VPC's, is kept for the
		// rest of it.
		for _, c := range []struct{ to, at string }{{"192.168.1.1", "site.hq"}, {"10.2.0.1", "gcp_vpc.g"}} {
			res, err := topo.TraceAddress(app, netip.MustParseAddr(c.to), planner.TraceOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if res.Delivered() != 1 || len(res.Paths[0].Hops) < 3 || res.Paths[0].Where != c.at {
				t.Errorf("%q: app to %s: %+v, want delivered at %s", tables, c.to, res.Paths, c.at)
			}
		}
	}
}

// Equal-cost paths that come back to a table they passed end there as a
// loop, each with its share, where following them round split them again
// at every pass, doubling the paths until the trace ran out of memory;
// and however many equal-cost stages a design puts in a row, a trace looks
// in at most planner.TraceVisits tables before following one next hop of
// each, so it ends, its shares summing to one.
func TestTraceEndsOnLoopsAndManyEqualCostStages(t *testing.T) {
	src := lang.Ref{Kind: lang.KindVPC, Name: "src"}
	topo := plantest.Source(t, plantest.ECMPStages(3, true)).Topology()
	res, err := topo.TraceAddress(src, netip.MustParseAddr("172.16.0.1"), planner.TraceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Paths) != 8 {
		t.Fatalf("%d paths, want 8 (two ways at each of three stages), each back at the first gateway", len(res.Paths))
	}
	for _, p := range res.Paths {
		if p.Outcome != planner.OutcomeLoop || p.Share != 0.125 || p.Detail != planner.LoopDetail("transit_gateway.t0 [t0/rt]") {
			t.Errorf("%s %g %q, want a loop of an eighth back at t0", p.Outcome, p.Share, p.Detail)
		}
	}
	// Twenty stages are a million equal-cost paths: the trace lists a
	// bounded number of them and delivers all the traffic.
	topo = plantest.Source(t, plantest.ECMPStages(20, false)).Topology()
	res, err = topo.TraceAddress(src, netip.MustParseAddr("172.16.0.1"), planner.TraceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, p := range res.Paths {
		sum += p.Share
	}
	if len(res.Paths) > planner.TraceVisits || res.Delivered() != 1 || math.Abs(sum-1) > 1e-9 {
		t.Errorf("%d paths, %g delivered, shares summing to %g; want at most %d, all delivered", len(res.Paths), res.Delivered(), sum, planner.TraceVisits)
	}
}

// A DX gateway's attachment to a core network joins every edge: each edge
// takes the connection's routes itself (a Direct Connect route, not one
// from another edge) and advertises only its own Region's routes, so the
// connection's router has each VPC from that VPC's edge.
func TestADXGatewayAttachmentJoinsEveryEdge(t *testing.T) {
	p := plantest.Source(t, `
wan = core_network("global", asn_ranges = ["64600-64699"], edges = [edge("us-east-1"), edge("eu-west-2")], segments = [segment("prod")])
attach(vpc("a", region = "us-east-1", cidr = "10.10.0.0/16", mtu = 8500), wan, segment = "prod")
attach(vpc("b", region = "eu-west-2", cidr = "10.11.0.0/16", mtu = 8500), wan, segment = "prod")
hq = site("hq", cidr = ["192.168.0.0/16"], asn = 65001, mtu = 8500)
dxgw = dx_gateway("core", asn = 64512)
attach(dxgw, wan, segment = "prod")
last_mile("hq", partner = "lumen", region = "us-east-1", bandwidth = "10Gbps", site = hq, attach_to = dxgw)
`)
	topo := p.Topology()
	one := func(name string) *planner.Table {
		tables := topo.TableNamed(name)
		if len(tables) != 1 {
			t.Fatalf("%s: %v", name, tables)
		}
		return tables[0]
	}
	for _, edge := range []string{"core_network.global/us-east-1 [prod]", "core_network.global/eu-west-2 [prod]"} {
		r := topo.Route(one(edge), netip.MustParsePrefix("192.168.0.0/16"))
		if r == nil || r.Tag != planner.TagAttachment || r.Via == nil || !strings.HasPrefix(r.Via.From.Device.Name, "us-east-1/lumen-loc-") {
			t.Errorf("%s: route to the site %+v, want one from the connection's router over the association", edge, r)
		}
	}
	router := one("us-east-1/lumen-loc-a/aws-r1 [hq]")
	for prefix, edge := range map[string]string{"10.10.0.0/16": "core_network.global/us-east-1", "10.11.0.0/16": "core_network.global/eu-west-2"} {
		r := topo.Route(router, netip.MustParsePrefix(prefix))
		if r == nil || r.Via == nil || r.Via.From.Device.Name != edge {
			t.Errorf("route to %s at the connection's router: %+v, want it from %s", prefix, r, edge)
		}
	}
	// Each edge's relation towards the router lets through what came
	// from that edge alone: not the other edge's VPC, learned over the
	// mesh (which loses on AS path anyway, so only the filter shows it).
	use1, euw2 := one("core_network.global/us-east-1 [prod]"), one("core_network.global/eu-west-2 [prod]")
	vpcA, vpcB := one("vpc.a"), one("vpc.b")
	checked := 0
	for _, rel := range topo.Relations {
		if rel.To != router || rel.From != use1 && rel.From != euw2 {
			continue
		}
		own, other := []int32{int32(vpcA.ID), int32(use1.ID)}, []int32{int32(vpcB.ID), int32(euw2.ID), int32(use1.ID)}
		if rel.From == euw2 {
			own, other = []int32{int32(vpcB.ID), int32(euw2.ID)}, []int32{int32(vpcA.ID), int32(use1.ID), int32(euw2.ID)}
		}
		if !rel.Export.Allows(planner.TagAttachment, netip.MustParsePrefix("10.10.0.0/16"), own, topo.EdgeGroups) ||
			rel.Export.Allows(planner.TagMesh, netip.MustParsePrefix("10.11.0.0/16"), other, topo.EdgeGroups) {
			t.Errorf("%s → %s: lets through its own Region's route %v, the other Region's %v; want only the first", rel.From, rel.To, rel.Export.Allows(planner.TagAttachment, netip.MustParsePrefix("10.10.0.0/16"), own, topo.EdgeGroups), rel.Export.Allows(planner.TagMesh, netip.MustParsePrefix("10.11.0.0/16"), other, topo.EdgeGroups))
		}
		checked++
	}
	if checked != 2 {
		t.Errorf("%d relations from the edges to the connection's router, want 2", checked)
	}
}
