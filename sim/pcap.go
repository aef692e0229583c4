package sim

import (
	"io"
	"time"

	"patchbay/sim/bgp"
	"patchbay/sim/mka"
	"patchbay/sim/network"
)

// captureEpoch is the wall-clock time a capture's virtual time zero is
// stamped with: fixed, so the same run writes the same file.
var captureEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// capture writes every control-plane packet as an Ethernet frame (802.1Q
// tagged with the channel's VLAN) in pcap format with nanosecond
// timestamps of virtual time.
type capture struct {
	w      *pcapWriter
	err    error
	frames int
}

func newCapture(w io.Writer) (*capture, error) {
	pw, err := newPcapWriter(w)
	if err != nil {
		return nil, err
	}
	return &capture{w: pw}, nil
}

// send puts a control packet on the wire from sp when a capture records
// it: framed, protected by MACsec when the link is secured (and checked by
// the receiving end's SA and replay window, which drops what fails), and
// captured. l4 is the transport header and payload, its checksum not yet
// filled in. It reports whether the packet arrives.
func (s *Sim) send(sp *bgp.Speaker, ttl, proto uint8, l4 []byte) bool {
	sl := secOf(sp.Over())
	protect := sl != nil && sl.Secured()
	// One buffer for every frame: each is protected (a copy) or written
	// out before the next is built.
	s.frameBuf = appendFrame(s.frameBuf[:0], sp, ttl, proto, l4)
	frame := s.frameBuf
	clearFrame := frame
	if protect {
		wire, sent, accepted := sl.Protect(sp.Side, s.wireBuf[:0], frame)
		if !sent {
			return false
		}
		s.wireBuf = wire
		frame = wire
		if !accepted {
			s.writeFrame(s.cap, frame)
			return false
		}
	}
	s.writeFrame(s.cap, frame)
	s.writeFrame(s.capIn, clearFrame)
	return true
}

func (s *Sim) writeFrame(c *capture, data []byte) {
	if c == nil || c.err != nil {
		return
	}
	c.err = c.w.write(captureEpoch.Add(s.e.Now()), data)
	c.frames++
}

// captureEAPOL records an MKPDU from src: untagged, to the MKA group
// address.
func (s *Sim) captureEAPOL(src [6]byte, body []byte) {
	if s.cap == nil {
		return
	}
	frame := make([]byte, 0, 14+len(body))
	frame = append(frame, mka.GroupAddress[:]...)
	frame = append(frame, src[:]...)
	frame = append(frame, 0x88, 0x8e)
	s.writeFrame(s.cap, append(frame, body...))
}

// captureTCP sends a BGP segment; eBGP runs with TTL 1 (single hop), the
// Hop Limit over IPv6.
func (s *Sim) captureTCP(sp *bgp.Speaker, sport, dport uint16, seq, ack uint32, flags bgp.Flags, payload []byte) bool {
	if !s.capturing() {
		return s.deliver(sp)
	}
	// The MSS of a 1500-byte MTU: 1500 − 40 bytes of IPv4 and TCP
	// headers, or − 60 with IPv6's 40-byte header (RFC 9293 §3.7.1).
	mss := uint16(1460)
	if sp.Addr.Is6() {
		mss = 1440
	}
	s.l4Buf = tcpSegment(s.l4Buf[:0], sport, dport, seq, ack, flags, mss, payload)
	return s.send(sp, 1, protoTCP, s.l4Buf)
}

// captureUDP sends a BFD control packet: TTL or Hop Limit 255, as
// single-hop BFD over IPv4 and IPv6 alike requires (RFC 5881 §5).
func (s *Sim) captureUDP(sp *bgp.Speaker, sport, dport uint16, payload []byte) bool {
	if !s.capturing() {
		return s.deliver(sp)
	}
	s.l4Buf = udpDatagram(s.l4Buf[:0], sport, dport, payload)
	return s.send(sp, 255, protoUDP, s.l4Buf)
}

// capturing says whether packets need their bytes: only a capture reads
// them.
func (s *Sim) capturing() bool { return s.cap != nil || s.capIn != nil }

// deliver is send for a packet no capture records.
func (s *Sim) deliver(sp *bgp.Speaker) bool { return deliverOn(sp.Over(), sp.Side) }

// deliverOn is deliver of a packet from end side of l: on a link MACsec
// secures, the far end checks it as it would the protected frame
// (mka.Link.Deliver), and otherwise it simply arrives.
func deliverOn(l *network.Link, side int) bool {
	sl := secOf(l)
	if sl == nil || !sl.Secured() {
		return true
	}
	sent, accepted := sl.Deliver(side)
	return sent && accepted
}
