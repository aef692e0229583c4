package sim

import (
	"testing"
	"unsafe"

	"patchbay/sim/internal/cacheline"
)

// TestFlowLayout holds flow to its comment: what integrating the traffic
// every second reads, the data plane's rate, state and delivery and the
// totals, on its second line.
func TestFlowLayout(t *testing.T) {
	var f flow
	cacheline.Check(t, "flow", unsafe.Sizeof(f),
		cacheline.At("Rate", unsafe.Offsetof(f.Rate), 8, 1),
		cacheline.At("Active", unsafe.Offsetof(f.Active), 1, 1),
		cacheline.At("Delivered", unsafe.Offsetof(f.Delivered), 8, 1),
		cacheline.At("Lost", unsafe.Offsetof(f.Lost), 8, 1),
		cacheline.At("deliveredBits", unsafe.Offsetof(f.deliveredBits), 8, 1),
		cacheline.At("blackout", unsafe.Offsetof(f.blackout), 8, 1),
		cacheline.At("degraded", unsafe.Offsetof(f.degraded), 8, 1))
}
