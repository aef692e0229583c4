package bfd

import (
	"testing"
	"unsafe"

	"patchbay/sim/internal/cacheline"
)

// TestEndLayout holds End to the lines its doc comment gives: the first
// for a packet sent, the third for one received, the second for both.
func TestEndLayout(t *testing.T) {
	var b End
	f := func(name string, off, size, line uintptr) cacheline.Field {
		return cacheline.Field{Name: name, Offset: off, Size: size, Line: line}
	}
	cacheline.Check(t, "End", unsafe.Sizeof(b),
		f("tx", unsafe.Offsetof(b.tx), unsafe.Sizeof(b.tx), 0),
		f("diag", unsafe.Offsetof(b.diag), 1, 0),
		f("mult", unsafe.Offsetof(b.mult), 1, 0),
		f("port", unsafe.Offsetof(b.port), 2, 0),
		f("myDisc", unsafe.Offsetof(b.myDisc), 4, 0),
		f("link", unsafe.Offsetof(b.link), 8, 1),
		f("pass", unsafe.Offsetof(b.pass), 8, 1),
		f("peer", unsafe.Offsetof(b.peer), 8, 1),
		f("engine", unsafe.Offsetof(b.engine), 8, 1),
		f("flights", unsafe.Offsetof(b.flights), 8, 1),
		f("minTx", unsafe.Offsetof(b.minTx), 4, 1),
		f("minRx", unsafe.Offsetof(b.minRx), 4, 1),
		f("remoteMinRx", unsafe.Offsetof(b.remoteMinRx), 4, 1),
		f("yourDisc", unsafe.Offsetof(b.yourDisc), 4, 1),
		f("side", unsafe.Offsetof(b.side), 1, 1),
		f("state", unsafe.Offsetof(b.state), 1, 1),
		f("polling", unsafe.Offsetof(b.polling), 1, 1),
		f("remoteMult", unsafe.Offsetof(b.remoteMult), 1, 1),
		f("detect", unsafe.Offsetof(b.detect), unsafe.Sizeof(b.detect), 2),
		f("remoteMinTx", unsafe.Offsetof(b.remoteMinTx), 8, 2))
}
