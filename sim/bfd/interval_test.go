package bfd

import (
	"testing"
	"time"

	"patchbay/planner/plantest"
	"patchbay/sim/engine"
	"patchbay/sim/network"
)

// TestIntervalJitter holds the transmit interval to RFC 5880 §6.8.7: up to
// 25% less than the negotiated interval, and with a Detect Mult of 1 "no
// more than 90% ... and ... no less than 75%" of it.
func TestIntervalJitter(t *testing.T) {
	const iv = 300 * time.Millisecond
	for _, mult := range []uint8{1, 3} {
		e := engine.New(1)
		l := &network.Link{}
		ends := NewSession([2]Env{{Engine: e, Link: l}, {Engine: e, Link: l}}, Config{MinInterval: iv, Multiplier: mult, SlowTx: time.Second})
		b := ends[0]
		b.state, b.remoteMinRx = bfdUp, uint32(iv/time.Microsecond)
		lo, hi := iv, time.Duration(0)
		for range 10_000 {
			d := b.interval()
			lo, hi = min(lo, d), max(hi, d)
		}
		top := iv
		if mult == 1 {
			top = iv * 9 / 10
		}
		if lo < iv*3/4 || hi > top {
			t.Errorf("Detect Mult %d: intervals %v–%v, want within %v–%v", mult, lo, hi, iv*3/4, top)
		}
		// The whole range is used: the upper tenth of it at either multiplier.
		if hi < top-iv/40 || lo > iv*3/4+iv/40 {
			t.Errorf("Detect Mult %d: intervals %v–%v, want them to span %v–%v", mult, lo, hi, iv*3/4, top)
		}
	}
}

// TestNoPeriodicPacketsWhenPeerWantsNone: RFC 5880 §6.8.7, "A system MUST
// NOT periodically transmit BFD Control packets if bfd.RemoteMinRxInterval
// is zero". The period goes on, so packets resume at its next turn once
// the peer asks again.
func TestNoPeriodicPacketsWhenPeerWantsNone(t *testing.T) {
	e := engine.New(1)
	l := channel(t)
	sent := 0
	count := func(uint16, []byte) bool { sent++; return false }
	ends := NewSession([2]Env{{Engine: e, Link: l, Send: count}, {Engine: e, Link: l, Send: count}}, Config{MinInterval: 300 * time.Millisecond, Multiplier: 3, SlowTx: time.Second})
	b := ends[0]
	b.remoteMinRx = 0
	for range 5 {
		b.send()
	}
	if sent != 0 {
		t.Fatalf("%d packets sent to a peer whose Required Min RX Interval is 0, want none", sent)
	}
	if b.txAt == never || b.txAt <= e.Now() || !b.pending {
		t.Fatalf("the next turn of the period is at %v (pending %v), want one ahead of %v", b.txAt, b.pending, e.Now())
	}
	b.remoteMinRx = 300_000
	b.send()
	if sent != 1 {
		t.Fatalf("%d packets sent once the peer asks again, want 1", sent)
	}
}

// channel is an Interconnect channel of a network built from the smallest
// multicloud design: a link that is up, with nothing guarding it.
func channel(t *testing.T) *network.Link {
	t.Helper()
	n, err := network.New(plantest.Source(t, plantest.OneInterconnect))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range n.Links {
		if l.Kind == "channel" && l.Up() {
			return l
		}
	}
	t.Fatal("no channel that is up")
	return nil
}
