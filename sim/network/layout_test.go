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
		cacheline.Field{Name: "Latency", Offset: unsafe.Offsetof(l.Latency), Size: 8},
		cacheline.Field{Name: "gate", Offset: unsafe.Offsetof(l.gate), Size: unsafe.Sizeof(l.gate)},
		cacheline.Field{Name: "physAt", Offset: unsafe.Offsetof(l.physAt), Size: 8},
		cacheline.Field{Name: "physWas", Offset: unsafe.Offsetof(l.physWas), Size: 1},
		cacheline.Field{Name: "changes", Offset: unsafe.Offsetof(l.changes), Size: 8})
}
