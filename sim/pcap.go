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

// frame builds the layers below the transport header for a packet from sp.
func (s *sim) frame(sp *speaker, ttl uint8, proto layers.IPProtocol) (*layers.Ethernet, *layers.Dot1Q, *layers.IPv4) {
	eth := &layers.Ethernet{SrcMAC: net.HardwareAddr(sp.mac[:]), DstMAC: net.HardwareAddr(sp.peer.mac[:]), EthernetType: layers.EthernetTypeDot1Q}
	vlan := &layers.Dot1Q{VLANIdentifier: uint16(sp.sess.vlan), Priority: 6, Type: layers.EthernetTypeIPv4}
	a, b := sp.addr.As4(), sp.peer.addr.As4()
	// Network control traffic: DSCP CS6.
	ip := &layers.IPv4{Version: 4, IHL: 5, TOS: 0xc0, TTL: ttl, Protocol: proto, Flags: layers.IPv4DontFragment,
		SrcIP: net.IP(a[:]), DstIP: net.IP(b[:])}
	return eth, vlan, ip
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
		sl.pn[sp.side] = math.Floor(sl.pn[sp.side]) + 1
		wire, err := macsec.Protect(me.tx, frame, uint64(sl.pn[sp.side]), true)
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

// captureTCP sends a BGP segment; eBGP runs with TTL 1 (single hop).
func (s *sim) captureTCP(sp *speaker, sport, dport uint16, seq, ack uint32, flags tcpFlags, payload []byte) bool {
	eth, vlan, ip := s.frame(sp, 1, layers.IPProtocolTCP)
	tcp := &layers.TCP{SrcPort: layers.TCPPort(sport), DstPort: layers.TCPPort(dport), Seq: seq, Ack: ack, Window: 65535,
		SYN: flags&flagSYN != 0, ACK: flags&flagACK != 0, FIN: flags&flagFIN != 0, PSH: flags&flagPSH != 0, RST: flags&flagRST != 0}
	if flags&flagSYN != 0 {
		tcp.Options = []layers.TCPOption{{OptionType: layers.TCPOptionKindMSS, OptionLength: 4, OptionData: []byte{0x05, 0xb4}}}
	}
	_ = tcp.SetNetworkLayerForChecksum(ip)
	return s.send(sp, eth, vlan, ip, tcp, gopacket.Payload(payload))
}

// captureUDP sends a BFD control packet: TTL 255, as single-hop BFD
// requires (RFC 5881 §5).
func (s *sim) captureUDP(sp *speaker, sport, dport uint16, payload []byte) bool {
	eth, vlan, ip := s.frame(sp, 255, layers.IPProtocolUDP)
	udp := &layers.UDP{SrcPort: layers.UDPPort(sport), DstPort: layers.UDPPort(dport)}
	_ = udp.SetNetworkLayerForChecksum(ip)
	return s.send(sp, eth, vlan, ip, udp, gopacket.Payload(payload))
}
