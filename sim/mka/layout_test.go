package mka

import (
	"testing"
	"unsafe"

	"patchbay/sim/internal/cacheline"
)

// TestLinkLayout holds Link to the lines its comments give: what a
// protected packet reads on the first, and on the second the receive SAs
// for the far end's packets; what an MKPDU reads on those and the next
// two.
func TestLinkLayout(t *testing.T) {
	var l Link
	rx1 := unsafe.Offsetof(l.rx) + unsafe.Sizeof(l.rx[0])
	cacheline.Check(t, "Link", unsafe.Sizeof(l),
		cacheline.Field{Name: "secured", Offset: unsafe.Offsetof(l.secured), Size: 1},
		cacheline.Field{Name: "must", Offset: unsafe.Offsetof(l.must), Size: 1},
		cacheline.Field{Name: "xpn", Offset: unsafe.Offsetof(l.xpn), Size: 1},
		cacheline.Field{Name: "pn", Offset: unsafe.Offsetof(l.pn), Size: unsafe.Sizeof(l.pn)},
		cacheline.Field{Name: "tx", Offset: unsafe.Offsetof(l.tx), Size: unsafe.Sizeof(l.tx)},
		cacheline.Field{Name: "rx[0]", Offset: unsafe.Offsetof(l.rx), Size: unsafe.Sizeof(l.rx[0])},
		cacheline.Field{Name: "rx[1]", Offset: rx1, Size: unsafe.Sizeof(l.rx[1]), Line: 1},
		cacheline.Field{Name: "ends", Offset: unsafe.Offsetof(l.ends), Size: unsafe.Sizeof(l.ends), Line: 1},
		cacheline.Field{Name: "suite", Offset: unsafe.Offsetof(l.suite), Size: unsafe.Sizeof(l.suite), Line: 1},
		cacheline.Field{Name: "pps", Offset: unsafe.Offsetof(l.pps), Size: unsafe.Sizeof(l.pps), Line: 1},
		cacheline.Field{Name: "link", Offset: unsafe.Offsetof(l.link), Size: 8, Line: 2},
		cacheline.Field{Name: "rotating", Offset: unsafe.Offsetof(l.rotating), Size: 8, Line: 2},
		cacheline.Field{Name: "st.up", Offset: unsafe.Offsetof(l.st) + unsafe.Offsetof(l.st.up), Size: 2, Line: 2},
		cacheline.Field{Name: "st.exhausted", Offset: unsafe.Offsetof(l.st) + unsafe.Offsetof(l.st.exhausted), Size: 2, Line: 2},
		cacheline.Field{Name: "st.noSAKUse", Offset: unsafe.Offsetof(l.st) + unsafe.Offsetof(l.st.noSAKUse), Size: 8, Line: 2},
		cacheline.Field{Name: "env.e", Offset: unsafe.Offsetof(l.env) + unsafe.Offsetof(l.env.e), Size: 8, Line: 3},
		cacheline.Field{Name: "env.mkpdus", Offset: unsafe.Offsetof(l.env) + unsafe.Offsetof(l.env.mkpdus), Size: 8, Line: 3},
		cacheline.Field{Name: "env.Last", Offset: unsafe.Offsetof(l.env) + unsafe.Offsetof(l.env.Last), Size: 8, Line: 3},
		cacheline.Field{Name: "env.Capture", Offset: unsafe.Offsetof(l.env) + unsafe.Offsetof(l.env.Capture), Size: 8, Line: 3},
		cacheline.Field{Name: "env.flights", Offset: unsafe.Offsetof(l.env) + unsafe.Offsetof(l.env.flights), Size: 8, Line: 3})
}

// TestParticipantLayout holds participant to its comment: the first,
// third and fourth lines for an MKPDU sent, the second to fourth for one
// received.
func TestParticipantLayout(t *testing.T) {
	var p participant
	f := func(name string, off, size, line uintptr) cacheline.Field {
		return cacheline.Field{Name: name, Offset: off, Size: size, Line: line}
	}
	cacheline.Check(t, "participant", unsafe.Sizeof(p),
		f("hello", unsafe.Offsetof(p.hello), unsafe.Sizeof(p.hello), 0),
		f("end", unsafe.Offsetof(p.end), 8, 0),
		f("expire", unsafe.Offsetof(p.expire), unsafe.Sizeof(p.expire), 1),
		f("key", unsafe.Offsetof(p.key), 8, 2),
		f("mi", unsafe.Offsetof(p.mi), 12, 2),
		f("mn", unsafe.Offsetof(p.mn), 4, 2),
		f("priority", unsafe.Offsetof(p.priority), 1, 2),
		f("an", unsafe.Offsetof(p.an), 1, 2),
		f("sent", unsafe.Offsetof(p.sent), 1, 2),
		f("inUse", unsafe.Offsetof(p.inUse), 1, 2),
		f("kn", unsafe.Offsetof(p.kn), 4, 2),
		f("ick", unsafe.Offsetof(p.ick), 8, 2),
		f("sak", unsafe.Offsetof(p.sak), unsafe.Sizeof(p.sak), 2),
		f("peer", unsafe.Offsetof(p.peer), unsafe.Sizeof(p.peer), 3))
}
