package mka

import (
	"testing"
	"unsafe"

	"patchbay/sim/internal/cacheline"
)

// TestLinkLayout holds Link to the lines its comment gives: what a
// protected packet reads on the first, and on the second the receive SAs
// for the far end's packets.
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
		cacheline.Field{Name: "rx[1]", Offset: rx1, Size: unsafe.Sizeof(l.rx[1]), Line: 1})
}
