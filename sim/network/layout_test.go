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
	if unsafe.Sizeof(l) != 5*cacheline.Size {
		t.Errorf("a Link is %d bytes, want five lines: at four, every link's first line fell in the same quarter of the cache's sets", unsafe.Sizeof(l))
	}
}
