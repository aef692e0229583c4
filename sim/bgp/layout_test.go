package bgp

import (
	"testing"
	"unsafe"

	"patchbay/sim/internal/cacheline"
)

// TestSpeakerLayout holds Speaker to its comment: what every KEEPALIVE
// reads, the state, link, connection and hold time included, on the
// first line; the KEEPALIVE timer and the live connection, which one sent
// reads, on the second; the hold timer, which one received restarts, on
// the third.
func TestSpeakerLayout(t *testing.T) {
	var s Speaker
	cacheline.Check(t, "Speaker", unsafe.Sizeof(s),
		cacheline.At("env", unsafe.Offsetof(s.env), 8, 0),
		cacheline.At("Session", unsafe.Offsetof(s.Session), 8, 0),
		cacheline.At("Peer", unsafe.Offsetof(s.Peer), 8, 0),
		cacheline.At("link", unsafe.Offsetof(s.link), 8, 0),
		cacheline.At("Side", unsafe.Offsetof(s.Side), unsafe.Sizeof(s.Side), 0),
		cacheline.At("MAC", unsafe.Offsetof(s.MAC), unsafe.Sizeof(s.MAC), 0),
		cacheline.At("state", unsafe.Offsetof(s.state), unsafe.Sizeof(s.state), 0),
		cacheline.At("keepaliveTimer", unsafe.Offsetof(s.keepaliveTimer), unsafe.Sizeof(s.keepaliveTimer), 1),
		cacheline.At("live", unsafe.Offsetof(s.live), unsafe.Sizeof(s.live), 1),
		cacheline.At("conn", unsafe.Offsetof(s.conn), 8, 0),
		cacheline.At("hold", unsafe.Offsetof(s.hold), 8, 0),
		cacheline.At("holdTimer", unsafe.Offsetof(s.holdTimer), unsafe.Sizeof(s.holdTimer), 2))
}
