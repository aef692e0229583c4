package mka

import (
	"testing"
	"unsafe"

	"patchbay/sim/internal/cacheline"
)

// TestLinkLayout holds Link to the lines its comments give: what a
// protected packet reads on the first, and on the second the receive SA
// for the far end's packets; what an MKPDU reads on those, the fourth
// (the ends themselves among it) and the seventh, with the MKA timer.
func TestLinkLayout(t *testing.T) {
	var l Link
	cacheline.Check(t, "Link", unsafe.Sizeof(l),
		cacheline.At("secured", unsafe.Offsetof(l.secured), 1, 0),
		cacheline.At("must", unsafe.Offsetof(l.must), 1, 0),
		cacheline.At("xpn", unsafe.Offsetof(l.xpn), 1, 0),
		cacheline.At("pn", unsafe.Offsetof(l.pn), unsafe.Sizeof(l.pn), 0),
		cacheline.At("tx", unsafe.Offsetof(l.tx), unsafe.Sizeof(l.tx), 0),
		cacheline.At("nin", unsafe.Offsetof(l.nin), unsafe.Sizeof(l.nin), 0),
		cacheline.At("in0[0]", unsafe.Offsetof(l.in0), unsafe.Sizeof(l.in0[0]), 0),
		cacheline.At("pps", unsafe.Offsetof(l.pps), unsafe.Sizeof(l.pps), 1),
		cacheline.At("in1[0]", unsafe.Offsetof(l.in1), unsafe.Sizeof(l.in1[0]), 1),
		cacheline.At("pair", unsafe.Offsetof(l.pair), unsafe.Sizeof(l.pair), 3),
		cacheline.At("link", unsafe.Offsetof(l.link), 8, 3),
		cacheline.At("env.shared", unsafe.Offsetof(l.env)+unsafe.Offsetof(l.env.shared), 8, 3),
		cacheline.At("st", unsafe.Offsetof(l.st), unsafe.Sizeof(l.st), 6),
		cacheline.At("t", unsafe.Offsetof(l.t), unsafe.Sizeof(l.t), 6),
		cacheline.At("dueP", unsafe.Offsetof(l.dueP), 8, 6))
	if unsafe.Sizeof(l) != 7*cacheline.Size {
		t.Errorf("a Link is %d bytes, want seven lines (see Link.t)", unsafe.Sizeof(l))
	}
}

// TestParticipantLayout holds participant to its comment: 96 bytes, so
// that a link's first two, made together, take three lines, which they
// do as the allocator starts such a pair on a line.
func TestParticipantLayout(t *testing.T) {
	var p [2]participant
	second := unsafe.Sizeof(p[0])
	cacheline.Check(t, "a pair of participants", unsafe.Sizeof(p),
		cacheline.At("[0].hello", unsafe.Offsetof(p[0].hello), 8, 0),
		cacheline.At("[0].mi", unsafe.Offsetof(p[0].mi), 12, 0),
		cacheline.At("[0].peer", unsafe.Offsetof(p[0].peer), unsafe.Sizeof(p[0].peer), 1),
		cacheline.At("[1].hello", second+unsafe.Offsetof(p[1].hello), 8, 1),
		cacheline.At("[1].peer", second+unsafe.Offsetof(p[1].peer), unsafe.Sizeof(p[1].peer), 2))
	if unsafe.Sizeof(p) != 3*cacheline.Size {
		t.Errorf("two participants are %d bytes, want three lines", unsafe.Sizeof(p))
	}
	for range 8 {
		pairSink = new([2]participant) // on the heap, as Link.start's
		if at := uintptr(unsafe.Pointer(pairSink)); at%cacheline.Size != 0 {
			t.Errorf("a pair of participants made at %#x, not on a line", at)
		}
	}
}

// pairSink makes TestParticipantLayout's pairs escape to the heap.
var pairSink *[2]participant

// TestCAKLayout holds cak to its comment: the name and the ICK, all an
// MKPDU reads of it, on the first line.
func TestCAKLayout(t *testing.T) {
	var k cak
	cacheline.Check(t, "cak", unsafe.Sizeof(k),
		cacheline.At("name", unsafe.Offsetof(k.name), unsafe.Sizeof(k.name), 0),
		cacheline.At("ick", unsafe.Offsetof(k.ick), unsafe.Sizeof(k.ick), 0))
}

// TestMKAEndSl: an end finds its link from where it lives in it
// (mkaEnd.sl), for both ends.
func TestMKAEndSl(t *testing.T) {
	var l Link
	for i := range l.pair {
		l.pair[i].side = uint8(i)
		if got := l.pair[i].sl(); got != &l {
			t.Errorf("end %d: sl() = %p, want the link, %p", i, got, &l)
		}
	}
	if unsafe.Sizeof(l.pair) != 48 {
		t.Errorf("a link's two ends are %d bytes, want 48 (they share a line with link and env.shared)", unsafe.Sizeof(l.pair))
	}
}
