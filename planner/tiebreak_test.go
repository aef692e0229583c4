package planner

import (
	"net/netip"
	"testing"
)

// RFC 4271 §9.1.2.2: (f) the lowest BGP identifier, then (g) the lowest
// peer address, between two routes from one router (its identifier is one
// for all its sessions), then the path.
func TestTieBreakIdentifierThenPeerAddress(t *testing.T) {
	a := netip.MustParseAddr
	r := func(id, peer string, path ...int32) *Route { return &Route{id: a(id), peer: a(peer), Path: path} }
	for _, c := range []struct {
		name string
		x, y *Route
		want int
	}{
		{"lower identifier", r("169.254.100.1", "169.254.100.9"), r("169.254.100.5", "169.254.100.5"), -1},
		{"one router, lower peer address", r("169.254.100.1", "169.254.100.9"), r("169.254.100.1", "169.254.100.1"), 1},
		{"one session, the path", r("169.254.100.1", "169.254.100.1", 1, 2), r("169.254.100.1", "169.254.100.1", 1, 3), -1},
	} {
		if got := tieBreak(c.x, c.y); got != c.want {
			t.Errorf("%s: tieBreak %d, want %d", c.name, got, c.want)
		}
	}
}

// Step 3 at a Cloud WAN edge follows its route evaluation order
// (https://docs.aws.amazon.com/network-manager/latest/cloudwan/cloudwan-route-evaluation.html,
// read 2026-12): static routes, then VPC routes of its Region, whatever
// the AS paths; then dynamic routes by AS path length, and only when
// those are equal by kind: Direct Connect gateway, then "other sources,
// such as transit gateway peering and core network edges in other remote
// Regions". A Transit Gateway ranks every kind before the AS path.
func TestCloudWANRanksDynamicRoutesByASPathFirst(t *testing.T) {
	r := func(pref, asPath int) *Route { return &Route{Pref: pref, ASPath: asPath, Path: []int32{1, 2}} }
	for _, c := range []struct {
		name      string
		x, y      *Route
		edge, tgw int // compareRoutes(x, y) at a Cloud WAN edge and at a Transit Gateway
	}{
		{"a remote edge's shorter AS path beats Direct Connect", r(PrefRemote, 2), r(PrefDX, 3), -1, 1},
		{"Direct Connect beats a remote edge at equal AS paths", r(PrefDX, 2), r(PrefRemote, 2), -1, -1},
		{"a peering's shorter AS path beats Direct Connect", r(PrefPeering, 1), r(PrefDX, 2), -1, 1},
		{"Direct Connect beats a peering at equal AS paths", r(PrefDX, 1), r(PrefPeering, 1), -1, -1},
		{"a VPC of the Region beats a shorter dynamic path", r(PrefVPC, 1), r(PrefRemote, 0), -1, -1},
		{"a static route beats a shorter dynamic path", r(PrefStatic, 3), r(PrefDX, 1), -1, -1},
	} {
		if got := compareRoutes(c.x, c.y, true); got != c.edge {
			t.Errorf("%s: at a Cloud WAN edge %d, want %d", c.name, got, c.edge)
		}
		if got := compareRoutes(c.x, c.y, false); got != c.tgw {
			t.Errorf("%s: at a Transit Gateway %d, want %d", c.name, got, c.tgw)
		}
	}
}
