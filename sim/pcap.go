package sim

import (
	"fmt"
	"io"
	"math"
	"net"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"

	"patchbay/sim/macsec"
)

// captureEpoch is the wall-clock time a capture's virtual time zero is
// stamped with: fixed, so the same run writes the same file.
var captureEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// capture writes every control-plane packet as an Ethernet frame (802.1Q
// tagged with the channel's VLAN) in pcap format with nanosecond
// timestamps of virtual time.
type capture struct {
	w      *pcapgo.Writer
	err    error
	frames int
}

func newCapture(w io.Writer) (*capture, error) {
	pw := pcapgo.NewWriterNanos(w)
	if err := pw.WriteFileHeader(65535, layers.LinkTypeEthernet); err != nil {
		return nil, err
	}
	return &capture{w: pw}, nil
}

// ipLayer is an IPv4 or IPv6 header: serialisable, and what a transport
// header's checksum covers.
type ipLayer interface {
	gopacket.SerializableLayer
	gopacket.NetworkLayer
}

// frame builds the layers below the transport header for a packet from sp,
// over IPv4 or IPv6 as its session runs. ttl is the TTL or Hop Limit.
func (s *sim) frame(sp *speaker, ttl uint8, proto layers.IPProtocol) (*layers.Ethernet, *layers.Dot1Q, ipLayer) {
	eth := &layers.Ethernet{SrcMAC: net.HardwareAddr(sp.mac[:]), DstMAC: net.HardwareAddr(sp.peer.mac[:]), EthernetType: layers.EthernetTypeDot1Q}
	vlan := &layers.Dot1Q{VLANIdentifier: uint16(sp.sess.vlan), Priority: 6, Type: layers.EthernetTypeIPv4}
	src, dst := net.IP(sp.addr.AsSlice()), net.IP(sp.peer.addr.AsSlice())
	if sp.addr.Is6() {
		vlan.Type = layers.EthernetTypeIPv6
		// Network control traffic: DSCP CS6, in IPv6's traffic class.
		return eth, vlan, &layers.IPv6{Version: 6, TrafficClass: 0xc0, HopLimit: ttl, NextHeader: proto, SrcIP: src, DstIP: dst}
	}
	// Network control traffic: DSCP CS6.
	return eth, vlan, &layers.IPv4{Version: 4, IHL: 5, TOS: 0xc0, TTL: ttl, Protocol: proto, Flags: layers.IPv4DontFragment,
		SrcIP: src, DstIP: dst}
}

// send puts a control packet on the wire from sp: serialised, protected
// by MACsec when the link is secured (and checked by the receiving end's
// SA and replay window, which drops what fails), and captured. It reports
// whether the packet arrives.
func (s *sim) send(sp *speaker, layersToWrite ...gopacket.SerializableLayer) bool {
	sl := sp.sess.link.sec
	protect := sl != nil && sl.secured
	if s.cap == nil && s.capIn == nil && !protect {
		return true
	}
	if s.frameBuf == nil {
		s.frameBuf = gopacket.NewSerializeBuffer()
	}
	// One buffer for every frame: each is protected (a copy) or written
	// out before the next is built.
	buf := s.frameBuf
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, layersToWrite...); err != nil {
		panic(fmt.Sprintf("sim: serialising a %s frame: %v", sp.sess.name, err)) // built from valid values
	}
	frame := buf.Bytes()
	clearFrame := frame
	if protect {
		me, peer := sl.ends[sp.side], sl.ends[1-sp.side]
		pn := math.Floor(sl.pn[sp.side]) + 1
		if pn > float64(sl.suite.MaxPN()) {
			// The SA has no PN left: the frame is never sent (see
			// secLink.exhaust), and the link waits for the next SAK.
			sl.exhaust(sp.side)
			return false
		}
		sl.pn[sp.side] = pn
		wire, err := macsec.Protect(me.tx, frame, uint64(pn), true)
		if err != nil {
			panic(fmt.Sprintf("sim: protecting a %s frame: %v", sp.sess.name, err))
		}
		frame = wire
		if !peer.accept(wire) {
			sl.rejected++
			s.writeFrame(s.cap, frame)
			return false
		}
	}
	s.writeFrame(s.cap, frame)
	s.writeFrame(s.capIn, clearFrame)
	return true
}

// accept validates a protected frame with a receive SA of this end.
func (e *mkaEnd) accept(wire []byte) bool {
	for _, sa := range e.rx {
		w := e.window[sa]
		if w == nil {
			continue
		}
		if _, _, err := macsec.Validate(sa, w, wire); err == nil {
			return true
		}
	}
	return false
}

func (s *sim) writeFrame(c *capture, data []byte) {
	if c == nil || c.err != nil {
		return
	}
	ci := gopacket.CaptureInfo{Timestamp: captureEpoch.Add(s.e.Now()), CaptureLength: len(data), Length: len(data)}
	c.err = c.w.WritePacket(ci, data)
	c.frames++
}

// captureEAPOL records an MKPDU: untagged, to the MKA group address.
func (s *sim) captureEAPOL(e *mkaEnd, body []byte) {
	if s.cap == nil {
		return
	}
	frame := make([]byte, 0, 14+len(body))
	frame = append(frame, eapolDst[:]...)
	frame = append(frame, e.mac[:]...)
	frame = append(frame, 0x88, 0x8e)
	s.writeFrame(s.cap, append(frame, body...))
}

// captureTCP sends a BGP segment; eBGP runs with TTL 1 (single hop), the
// Hop Limit over IPv6.
func (s *sim) captureTCP(sp *speaker, sport, dport uint16, seq, ack uint32, flags tcpFlags, payload []byte) bool {
	eth, vlan, ip := s.frame(sp, 1, layers.IPProtocolTCP)
	tcp := &layers.TCP{SrcPort: layers.TCPPort(sport), DstPort: layers.TCPPort(dport), Seq: seq, Ack: ack, Window: 65535,
		SYN: flags&flagSYN != 0, ACK: flags&flagACK != 0, FIN: flags&flagFIN != 0, PSH: flags&flagPSH != 0, RST: flags&flagRST != 0}
	if flags&flagSYN != 0 {
		// The MSS of a 1500-byte MTU: 1500 − 40 bytes of IPv4 and TCP
		// headers, or − 60 with IPv6's 40-byte header (RFC 9293 §3.7.1).
		mss := []byte{0x05, 0xb4}
		if sp.addr.Is6() {
			mss = []byte{0x05, 0xa0}
		}
		tcp.Options = []layers.TCPOption{{OptionType: layers.TCPOptionKindMSS, OptionLength: 4, OptionData: mss}}
	}
	_ = tcp.SetNetworkLayerForChecksum(ip)
	return s.send(sp, eth, vlan, ip, tcp, gopacket.Payload(payload))
}

// captureUDP sends a BFD control packet: TTL or Hop Limit 255, as
// single-hop BFD over IPv4 and IPv6 alike requires (RFC 5881 §5).
func (s *sim) captureUDP(sp *speaker, sport, dport uint16, payload []byte) bool {
	eth, vlan, ip := s.frame(sp, 255, layers.IPProtocolUDP)
	udp := &layers.UDP{SrcPort: layers.UDPPort(sport), DstPort: layers.UDPPort(dport)}
	_ = udp.SetNetworkLayerForChecksum(ip)
	return s.send(sp, eth, vlan, ip, udp, gopacket.Payload(payload))
}
