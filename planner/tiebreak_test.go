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
