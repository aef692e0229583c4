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
		cacheline.At("Suite", unsafe.Offsetof(sa.Suite), unsafe.Sizeof(sa.Suite), 0),
		cacheline.At("Key", unsafe.Offsetof(sa.Key), unsafe.Sizeof(sa.Key), 0),
		cacheline.At("SCI", unsafe.Offsetof(sa.SCI), unsafe.Sizeof(sa.SCI), 0),
		cacheline.At("AN", unsafe.Offsetof(sa.AN), 1, 0),
		cacheline.At("SSCI", unsafe.Offsetof(sa.SSCI), 4, 0),
		cacheline.At("Salt", unsafe.Offsetof(sa.Salt), unsafe.Sizeof(sa.Salt), 0))
}
