package planner_test

import (
	"net/netip"
	"slices"
	"testing"

	"patchbay/planner"
	"patchbay/planner/plantest"
)

// nextHops is table's route for prefix as the names of the links it
// leaves by, sorted.
func nextHops(t *testing.T, p *planner.Plan, table, prefix string) []string {
	t.Helper()
	topo := p.Topology()
	tbs := topo.TableNamed(table)
	if len(tbs) != 1 {
		t.Fatalf("%d tables named %s", len(tbs), table)
	}
	r := topo.Route(tbs[0], netip.MustParsePrefix(prefix))
	if r == nil {
		t.Fatalf("%s has no route for %s", table, prefix)
	}
	var out []string
	for _, h := range r.NextHops {
		out = append(out, h.Link.Name)
	}
	slices.Sort(out)
	return out
}

// links names the four links of a last mile's connections: the
// connections themselves (gateway ""), or their DX gateway associations
// into gateway.
func links(lastMile, region, gateway string) []string {
	var out []string
	for _, loc := range []string{"lumen-loc-a", "lumen-loc-b"} {
		for _, r := range []string{"aws-r1", "aws-r2"} {
			out = append(out, lastMile+"/"+region+"/"+loc+"/"+r+"/"+gateway)
		}
	}
	if gateway == "" {
		out = []string{lastMile + "/conn1", lastMile + "/conn2", lastMile + "/conn3", lastMile + "/conn4"}
	}
	slices.Sort(out)
	return out
}

// A gateway takes its way to on-premises from the Direct Connect
// locations of its own Region, however many others advertise the same
// path: Transit Gateway east (us-east-1) learns 192.168.0.0/16 from the
// four connections of e (us-east-1, AS path 65001) and the four of w
// (us-west-2, AS path 65001) through one DX gateway. Local preference is
// medium on all eight, e's are in east's Region and w's are not, so e's
// four go on, equal, and share (the same AS path); west takes w's four
// alike. The site's router learns each VPC from all eight connections of
// the one DX gateway (AS path 64512 on each, one neighbouring AS) and
// shares over all eight: where the traffic enters AWS is its choice.
func TestDXPrefersTheGatewaysRegion(t *testing.T) {
	p := plantest.File(t, "testdata/selection/two_regions.star")
	for _, tc := range []struct {
		table, prefix string
		want          []string
	}{
		{"transit_gateway.east", "192.168.0.0/16", links("e", "us-east-1", "transit_gateway.east")},
		{"transit_gateway.west", "192.168.0.0/16", links("w", "us-west-2", "transit_gateway.west")},
		{"hq/router", "10.1.0.0/16", slices.Concat(links("e", "", ""), links("w", "", ""))},
		{"hq/router", "10.2.0.0/16", slices.Concat(links("e", "", ""), links("w", "", ""))},
	} {
		if got := nextHops(t, p, tc.table, tc.prefix); !slices.Equal(got, tc.want) {
			t.Errorf("%s %s: via %v, want %v", tc.table, tc.prefix, got, tc.want)
		}
	}
}

// Routes equal to the end are multipath only where the router would
// share: at AWS with the very same AS path, at the site's router from one
// neighbouring AS. Otherwise the lowest BGP identifier (the sender's
// session address) decides.
func TestMultipathAndTheFinalTieBreak(t *testing.T) {
	t.Run("AWS shares across DX gateways when the AS paths are the same", func(t *testing.T) {
		// hub learns 192.168.0.0/16 through ga from a's four connections and
		// through gb from b's four, every one AS path 65001 in hub's Region:
		// each DX gateway passes its four on, and the eight are the same path
		// ("exactly the same" AS_PATH), so hub shares over all eight.
		p := plantest.File(t, "testdata/selection/two_gateways.star")
		want := slices.Concat(links("a", "us-east-1", "transit_gateway.hub"), links("b", "us-east-1", "transit_gateway.hub"))
		slices.Sort(want)
		if got := nextHops(t, p, "transit_gateway.hub", "192.168.0.0/16"); !slices.Equal(got, want) {
			t.Errorf("hub: via %v, want %v", got, want)
		}
	})
	t.Run("the site's router does not share across neighbouring ASes", func(t *testing.T) {
		// hq/router learns 10.1.0.0/16 over a's four connections with AS path
		// 64512 and over b's four with 64513: equal in length, two
		// neighbouring ASes. The lowest BGP identifier of the eight senders
		// is a/conn1's AWS address, 169.254.100.1 (a is declared first, so
		// its connections get the first /30s), so that route is chosen and
		// the other three of AS 64512 share with it; b's four do not.
		p := plantest.File(t, "testdata/selection/two_gateways.star")
		if got := p.LastMiles[0].Connections[0].AWS.Address; got != netip.MustParseAddr("169.254.100.1") {
			t.Fatalf("a/conn1's AWS address is %s", got)
		}
		if got, want := nextHops(t, p, "hq/router", "10.1.0.0/16"), links("a", "", ""); !slices.Equal(got, want) {
			t.Errorf("hq/router: via %v, want %v", got, want)
		}
	})
	t.Run("AWS does not share across different AS paths", func(t *testing.T) {
		// hub learns 192.168.0.0/16 over one's four connections, AS path
		// 65001, and over two's four, 65002, all through one DX gateway in
		// hub's Region: equal in local preference, Region and AS path length,
		// but AWS shares only the very same AS path. The lowest identifier
		// is one/conn1's customer address, 169.254.100.2: one's four share.
		p := plantest.File(t, "testdata/selection/two_sites.star")
		if got := p.LastMiles[0].Connections[0].Customer.Address; got != netip.MustParseAddr("169.254.100.2") {
			t.Fatalf("one/conn1's customer address is %s", got)
		}
		if got, want := nextHops(t, p, "transit_gateway.hub", "192.168.0.0/16"), links("one", "us-east-1", "transit_gateway.hub"); !slices.Equal(got, want) {
			t.Errorf("hub: via %v, want %v", got, want)
		}
	})
}

// Only a Direct Connect location's AWS router feeding a Region's gateway
// makes Direct Connect's choice; only AWS's devices need the same AS path
// to share.
func TestDXChoiceRoles(t *testing.T) {
	for _, to := range []planner.Role{planner.RoleTGW, planner.RoleVGW, planner.RoleCloudWAN} {
		if !planner.DXChoice(planner.RoleAWSEdge, to) {
			t.Errorf("an AWS edge router into a %s does not make the DX choice", to)
		}
		if planner.DXChoice(planner.RoleNetwork, to) || planner.DXChoice(planner.RoleCustomer, to) {
			t.Errorf("a network or customer router into a %s makes the DX choice", to)
		}
	}
	if planner.DXChoice(planner.RoleAWSEdge, planner.RoleCustomer) {
		t.Error("the customer's router makes the DX choice")
	}
	for _, r := range []planner.Role{planner.RoleCustomer, planner.RolePeerRouter, planner.RoleNetwork} {
		if mp := planner.MultipathOf(&planner.Device{Role: r}); mp != planner.MultipathNeighbourAS {
			t.Errorf("%s runs multipath %d, want across one neighbouring AS", r, mp)
		}
	}
	if mp := planner.MultipathOf(&planner.Device{Role: planner.RoleCustomer, SinglePath: true}); mp != planner.MultipathOff {
		t.Errorf("a site's router with multipath = False runs multipath %d, want off", mp)
	}
	for _, r := range []planner.Role{planner.RoleTGW, planner.RoleVGW, planner.RoleCloudWAN, planner.RoleAWSEdge} {
		if mp := planner.MultipathOf(&planner.Device{Role: r}); mp != planner.MultipathExact {
			t.Errorf("%s runs multipath %d, want the same AS path only", r, mp)
		}
	}
}

// Core network edges peer over BGP, each with its own ASN, so a route
// from another edge carries that edge's ASN in its AS path: edge
// us-east-1 learns app's 10.2.0.0/16 (us-west-2) with AS path 64601, the
// ASN us-west-2's edge takes from asn_ranges, where its own web's is
// empty. The route is still edge us-west-2's VPC route over the mesh.
func TestCloudWANRemoteRoutesCarryTheEdgesASN(t *testing.T) {
	p := plantest.File(t, "testdata/selection/cloudwan_regions.star")
	topo := p.Topology()
	east := topo.TableNamed("core_network.wan/us-east-1 [prod]")
	if len(east) != 1 {
		t.Fatalf("%d tables named core_network.wan/us-east-1 [prod]", len(east))
	}
	for _, c := range []struct {
		prefix string
		asPath int
		pref   int
	}{
		{"10.1.0.0/16", 0, planner.PrefVPC},
		{"10.2.0.0/16", 1, planner.PrefRemote},
		{"192.168.0.0/16", 1, planner.PrefDX},
	} {
		r := topo.Route(east[0], netip.MustParsePrefix(c.prefix))
		if r == nil {
			t.Fatalf("no route for %s", c.prefix)
		}
		if r.ASPath != c.asPath || r.Pref != c.pref {
			t.Errorf("%s: preference %d, AS path length %d; want %d, %d", c.prefix, r.Pref, r.ASPath, c.pref, c.asPath)
		}
	}
}

// A Transit Gateway and a Cloud WAN edge peered exchange routes over BGP,
// each in its own AS, so each puts its ASN in front of what it sends: the
// segment learns web's 10.1.0.0/16 with AS path 64520 (hub's), and hub
// learns app's 10.2.0.0/16 with 64600 (the edge's).
func TestCloudWANPeeringCarriesBothASNs(t *testing.T) {
	p := plantest.Source(t, `
wan = core_network("wan", asn_ranges = ["64600-64699"], edges = [edge("us-east-1")], segments = [segment("prod")])
hub = transit_gateway("hub", region = "us-east-1", asn = 64520)
web = vpc("web", region = "us-east-1", cidr = "10.1.0.0/16")
app = vpc("app", region = "us-east-1", cidr = "10.2.0.0/16")
attach(web, hub)
attach(app, wan, segment = "prod")
attach(hub, wan, segment = "prod")
`)
	topo := p.Topology()
	for _, c := range []struct{ table, prefix string }{
		{"core_network.wan/us-east-1 [prod]", "10.1.0.0/16"},
		{"transit_gateway.hub", "10.2.0.0/16"},
	} {
		tbs := topo.TableNamed(c.table)
		if len(tbs) != 1 {
			t.Fatalf("%d tables named %s", len(tbs), c.table)
		}
		r := topo.Route(tbs[0], netip.MustParsePrefix(c.prefix))
		if r == nil || r.Pref != planner.PrefPeering || r.ASPath != 1 {
			t.Errorf("%s %s: %+v, want a peering route with an AS path of one", c.table, c.prefix, r)
		}
	}
}
