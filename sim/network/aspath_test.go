package network

import "testing"

// TestASSetCountsAsOne: a path of one AS and a set of three is two ASes
// long (RFC 4271 §9.1.2.2 (a)), so it beats a sequence of three.
func TestASSetCountsAsOne(t *testing.T) {
	set := &Route{Attrs: &Attrs{ASPath: []uint32{65001}, Sets: [][]uint32{{65010, 65011, 65012}}}}
	seq := &Route{Attrs: &Attrs{ASPath: []uint32{65001, 65010, 65011}}}
	if n := set.asPathLen(); n != 2 {
		t.Fatalf("path length %d, want 2", n)
	}
	if compareRoutes(set, seq, false) >= 0 {
		t.Error("the path with the set does not win")
	}
}
