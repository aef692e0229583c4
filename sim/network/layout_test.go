package network

import (
	"testing"
	"unsafe"

	"patchbay/sim/internal/cacheline"
)

// TestLinkLayout holds Link to its comment: what every control packet
// reads on the first line.
func TestLinkLayout(t *testing.T) {
	var l Link
	cacheline.Check(t, "Link", unsafe.Sizeof(l),
		cacheline.At("Latency", unsafe.Offsetof(l.Latency), 8, 0),
		cacheline.At("gate", unsafe.Offsetof(l.gate), unsafe.Sizeof(l.gate), 0),
		cacheline.At("physAt", unsafe.Offsetof(l.physAt), 8, 0),
		cacheline.At("physWas", unsafe.Offsetof(l.physWas), 1, 0),
		cacheline.At("changes", unsafe.Offsetof(l.changes), 8, 0))
	// A slab under 32 KiB starts 8 bytes past a line (the allocator's
	// header), which what every packet reads must leave room for.
	end := max(unsafe.Offsetof(l.Latency)+8, unsafe.Offsetof(l.gate)+unsafe.Sizeof(l.gate),
		unsafe.Offsetof(l.physAt)+8, unsafe.Offsetof(l.physWas)+1, unsafe.Offsetof(l.changes)+8)
	if end > cacheline.Size-8 {
		t.Errorf("what every packet reads ends at byte %d: a link in a small slab, 8 bytes past a line, would spread it over two", end)
	}
	if unsafe.Sizeof(l) != 5*cacheline.Size {
		t.Errorf("a Link is %d bytes, want five lines: at four, every link's first line fell in the same quarter of the cache's sets", unsafe.Sizeof(l))
	}
}

// TestRouteSize holds a route, and one with room for its path, to the
// allocation classes they had before a route kept an MTU: a run makes
// many, and the next class up is a sixteenth more memory for each.
func TestRouteSize(t *testing.T) {
	if n := unsafe.Sizeof(Route{}); n > 184 {
		t.Errorf("a Route is %d bytes, want at most 184", n)
	}
	if n := unsafe.Sizeof(routeWithPath{}); n > 208 {
		t.Errorf("a routeWithPath is %d bytes, want at most 208 (the 208-byte allocation class)", n)
	}
}
