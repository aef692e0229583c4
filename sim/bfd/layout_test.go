package bfd

import (
	"testing"
	"unsafe"

	"patchbay/sim/internal/cacheline"
)

// TestSessionLayout holds a session to the lines its doc comment gives:
// the timer and what both ends' packets read on the first, the two ends
// and Pass on the next two (the second end's pointer to the session on the
// first end's line), the rest on the fourth.
func TestSessionLayout(t *testing.T) {
	var s session
	ends := unsafe.Offsetof(s.ends)
	end := unsafe.Sizeof(s.ends[0])
	if end != 56 {
		t.Errorf("an End is %d bytes, want 56", end)
	}
	cacheline.Check(t, "session", unsafe.Sizeof(s),
		cacheline.At("t", unsafe.Offsetof(s.t), unsafe.Sizeof(s.t), 0),
		cacheline.At("link", unsafe.Offsetof(s.link), 8, 0),
		cacheline.At("flights", unsafe.Offsetof(s.flights), 8, 0),
		cacheline.At("ends[0]", ends, end, 1),
		cacheline.At("ends[1].s", ends+end, 8, 1),
		cacheline.At("ends[1], the rest", ends+end+8, end-8, 2),
		cacheline.At("pass", unsafe.Offsetof(s.pass), 8, 2),
		cacheline.At("viaPass", unsafe.Offsetof(s.viaPass), 2, 2),
		cacheline.At("slowTx", unsafe.Offsetof(s.slowTx), 8, 3),
		cacheline.At("envs", unsafe.Offsetof(s.envs), 16, 3),
		cacheline.At("ports", unsafe.Offsetof(s.ports), 4, 3))
	if unsafe.Sizeof(s) != 5*cacheline.Size {
		t.Errorf("a session is %d bytes, want five lines: at four, every session's first line fell in the same quarter of the cache's sets", unsafe.Sizeof(s))
	}
}
