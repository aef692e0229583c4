package macsec

import (
	"testing"
	"unsafe"

	"patchbay/sim/internal/cacheline"
)

// TestSALayout holds SA to its doc comment: what every frame reads on
// the first line.
func TestSALayout(t *testing.T) {
	var sa SA
	cacheline.Check(t, "SA", unsafe.Sizeof(sa),
		cacheline.Field{Name: "Suite", Offset: unsafe.Offsetof(sa.Suite), Size: unsafe.Sizeof(sa.Suite)},
		cacheline.Field{Name: "Key", Offset: unsafe.Offsetof(sa.Key), Size: unsafe.Sizeof(sa.Key)},
		cacheline.Field{Name: "SCI", Offset: unsafe.Offsetof(sa.SCI), Size: unsafe.Sizeof(sa.SCI)},
		cacheline.Field{Name: "AN", Offset: unsafe.Offsetof(sa.AN), Size: 1},
		cacheline.Field{Name: "SSCI", Offset: unsafe.Offsetof(sa.SSCI), Size: 4},
		cacheline.Field{Name: "Salt", Offset: unsafe.Offsetof(sa.Salt), Size: unsafe.Sizeof(sa.Salt)})
}
