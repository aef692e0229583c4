package bfd

import (
	"testing"
	"unsafe"

	"patchbay/sim/internal/cacheline"
)

// TestEndLayout holds End to the lines its doc comment gives: the first
// for a packet sent, the second for one sent or received.
func TestEndLayout(t *testing.T) {
	var b End
	cacheline.Check(t, "End", unsafe.Sizeof(b),
		cacheline.At("tx", unsafe.Offsetof(b.tx), unsafe.Sizeof(b.tx), 0),
		cacheline.At("diag", unsafe.Offsetof(b.diag), 1, 0),
		cacheline.At("mult", unsafe.Offsetof(b.mult), 1, 0),
		cacheline.At("side", unsafe.Offsetof(b.side), 1, 0),
		cacheline.At("myDisc", unsafe.Offsetof(b.myDisc), 4, 0),
		cacheline.At("link", unsafe.Offsetof(b.link), 8, 0),
		cacheline.At("pass", unsafe.Offsetof(b.pass), 8, 1),
		cacheline.At("peer", unsafe.Offsetof(b.peer), 8, 1),
		cacheline.At("flights", unsafe.Offsetof(b.flights), 8, 1),
		cacheline.At("minTx", unsafe.Offsetof(b.minTx), 4, 1),
		cacheline.At("minRx", unsafe.Offsetof(b.minRx), 4, 1),
		cacheline.At("remoteMinRx", unsafe.Offsetof(b.remoteMinRx), 4, 1),
		cacheline.At("yourDisc", unsafe.Offsetof(b.yourDisc), 4, 1),
		cacheline.At("remoteMinTx", unsafe.Offsetof(b.remoteMinTx), 4, 1),
		cacheline.At("detectAt", unsafe.Offsetof(b.detectAt), 8, 1),
		cacheline.At("txAt", unsafe.Offsetof(b.txAt), 8, 1),
		cacheline.At("state", unsafe.Offsetof(b.state), 1, 1),
		cacheline.At("polling", unsafe.Offsetof(b.polling), 1, 1),
		cacheline.At("remoteMult", unsafe.Offsetof(b.remoteMult), 1, 1),
		cacheline.At("detectFirst", unsafe.Offsetof(b.detectFirst), 1, 1))
}
