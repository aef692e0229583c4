package sim

import (
	"encoding/binary"
	"io"
	"net/netip"
	"time"

	"patchbay/sim/bgp"
)

// The simulator builds its control-plane frames (BGP over TCP, BFD over
// UDP, both in 802.1Q-tagged Ethernet) and writes captures itself rather
// than through gopacket: its layers package builds tables of every
// protocol it knows in a package init, some 30 ms that every command paid
// at start-up (`validate` included), and its general serialiser took a
// third of a simulation's time on BFD packets alone. Each header is laid
// out as its standard says; sim/wireframe_test.go checks the bytes against
// gopacket's, and the tshark tests decode the captures.

// Header sizes and the smallest Ethernet frame without its FCS (IEEE
// 802.3 §4.2.3.3: 64 bytes with the 4-byte FCS); shorter frames are padded
// with zeros, as a sender's MAC does.
const (
	ethHeaderLen  = 14
	dot1qLen      = 4
	ipv4HeaderLen = 20
	ipv6HeaderLen = 40
	tcpHeaderLen  = 20
	udpHeaderLen  = 8
	minFrameLen   = 60

	etherTypeVLAN = 0x8100
	etherTypeIPv4 = 0x0800
	etherTypeIPv6 = 0x86dd
	protoTCP      = 6
	protoUDP      = 17
)

// appendFrame appends to b the frame carrying a packet of proto from sp to
// its peer: Ethernet and 802.1Q with the session's VLAN and priority 6
// (network control), IPv4 (DSCP CS6, Don't Fragment) or IPv6 (traffic
// class CS6) with TTL or Hop Limit ttl, then l4 — the transport header and
// payload, whose checksum field transport fills once the addresses are
// known.
func appendFrame(b []byte, sp *bgp.Speaker, ttl, proto uint8, l4 []byte) []byte {
	start := len(b)
	b = append(b, sp.Peer.MAC[:]...)
	b = append(b, sp.MAC[:]...)
	b = binary.BigEndian.AppendUint16(b, etherTypeVLAN)
	// 802.1Q TCI: PCP 6, DEI 0, the VLAN ID (IEEE 802.1Q §9.6).
	b = binary.BigEndian.AppendUint16(b, 6<<13|uint16(sp.Session.VLAN)&0x0fff)
	src, dst := sp.Addr, sp.Peer.Addr
	if src.Is6() {
		b = binary.BigEndian.AppendUint16(b, etherTypeIPv6)
		// RFC 8200 §3: version 6, traffic class 0xc0, flow label 0.
		b = append(b, 0x6c, 0x00, 0x00, 0x00)
		b = binary.BigEndian.AppendUint16(b, uint16(len(l4)))
		b = append(b, proto, ttl)
		s16, d16 := src.As16(), dst.As16()
		b = append(b, s16[:]...)
		b = append(b, d16[:]...)
	} else {
		b = binary.BigEndian.AppendUint16(b, etherTypeIPv4)
		ip := len(b)
		// RFC 791: version 4, IHL 5, TOS 0xc0, total length, ID 0,
		// Don't Fragment, TTL, protocol, checksum, addresses.
		b = append(b, 0x45, 0xc0)
		b = binary.BigEndian.AppendUint16(b, uint16(ipv4HeaderLen+len(l4)))
		b = append(b, 0, 0, 0x40, 0, ttl, proto, 0, 0)
		s4, d4 := src.As4(), dst.As4()
		b = append(b, s4[:]...)
		b = append(b, d4[:]...)
		binary.BigEndian.PutUint16(b[ip+10:], ^fold(sum(0, b[ip:ip+ipv4HeaderLen])))
	}
	l4At := len(b)
	b = append(b, l4...)
	seg := b[l4At:]
	csumAt := 16 // TCP's checksum field (RFC 9293 §3.1)
	if proto == protoUDP {
		csumAt = 6 // UDP's (RFC 768)
	}
	c := ^fold(sum(pseudoHeader(src, dst, proto, len(seg)), seg))
	if c == 0 && proto == protoUDP {
		// A computed UDP checksum of zero is sent as all ones: zero means
		// "none" over IPv4 (RFC 768) and is invalid over IPv6 (RFC 8200 §8.1).
		c = 0xffff
	}
	binary.BigEndian.PutUint16(seg[csumAt:], c)
	for len(b)-start < minFrameLen {
		b = append(b, 0)
	}
	return b
}

// pseudoHeader is the one's-complement sum of the pseudo-header a TCP or
// UDP checksum covers (RFC 9293 §3.1 for IPv4, RFC 8200 §8.1 for IPv6).
func pseudoHeader(src, dst netip.Addr, proto uint8, length int) uint32 {
	var s uint32
	if src.Is6() {
		a, b := src.As16(), dst.As16()
		s = sum(sum(0, a[:]), b[:])
		return s + uint32(length>>16) + uint32(length&0xffff) + uint32(proto)
	}
	a, b := src.As4(), dst.As4()
	s = sum(sum(0, a[:]), b[:])
	return s + uint32(proto) + uint32(length)
}

// sum adds data to s as big-endian 16-bit words, an odd last byte padded
// with zero (RFC 1071).
func sum(s uint32, data []byte) uint32 {
	for len(data) >= 2 {
		s += uint32(data[0])<<8 | uint32(data[1])
		data = data[2:]
	}
	if len(data) == 1 {
		s += uint32(data[0]) << 8
	}
	return s
}

// fold folds the carries of a one's-complement sum into 16 bits.
func fold(s uint32) uint16 {
	for s > 0xffff {
		s = s>>16 + s&0xffff
	}
	return uint16(s)
}

// tcpSegment appends a TCP header and payload to b with the checksum left
// zero: window 65535, no urgent data, and on a SYN the MSS option, mss
// bytes (RFC 9293 §3.1, §3.7.1).
func tcpSegment(b []byte, sport, dport uint16, seq, ack uint32, flags bgp.Flags, mss uint16, payload []byte) []byte {
	hdr := tcpHeaderLen
	if flags&bgp.SYN != 0 {
		hdr += 4
	}
	b = binary.BigEndian.AppendUint16(b, sport)
	b = binary.BigEndian.AppendUint16(b, dport)
	b = binary.BigEndian.AppendUint32(b, seq)
	b = binary.BigEndian.AppendUint32(b, ack)
	var f byte
	for _, x := range []struct {
		flag bgp.Flags
		bit  byte
	}{{bgp.FIN, 0x01}, {bgp.SYN, 0x02}, {bgp.RST, 0x04}, {bgp.PSH, 0x08}, {bgp.ACK, 0x10}} {
		if flags&x.flag != 0 {
			f |= x.bit
		}
	}
	b = append(b, byte(hdr/4)<<4, f, 0xff, 0xff, 0, 0, 0, 0)
	if flags&bgp.SYN != 0 {
		b = append(b, 2, 4, byte(mss>>8), byte(mss)) // kind 2, MSS
	}
	return append(b, payload...)
}

// udpDatagram appends a UDP header and payload to b, the checksum left
// zero (RFC 768).
func udpDatagram(b []byte, sport, dport uint16, payload []byte) []byte {
	b = binary.BigEndian.AppendUint16(b, sport)
	b = binary.BigEndian.AppendUint16(b, dport)
	b = binary.BigEndian.AppendUint16(b, uint16(udpHeaderLen+len(payload)))
	b = append(b, 0, 0)
	return append(b, payload...)
}

// pcapWriter writes the classic pcap format with nanosecond timestamps:
// a 24-byte file header (magic 0xa1b23c4d, version 2.4, zone and sigfigs
// 0, snap length, link type) and a 16-byte header per record, all little
// endian (https://www.tcpdump.org/manpages/pcap-savefile.5.txt, read
// 2026-12-04; link type 1 is Ethernet, https://www.tcpdump.org/linktypes.html).
type pcapWriter struct {
	w   io.Writer
	hdr [16]byte
}

const (
	pcapMagicNanos    = 0xa1b23c4d
	pcapSnapLen       = 65535
	pcapLinkEthernet  = 1
	pcapVersionMajor  = 2
	pcapVersionMinor  = 4
	pcapFileHeaderLen = 24
)

func newPcapWriter(w io.Writer) (*pcapWriter, error) {
	var h [pcapFileHeaderLen]byte
	binary.LittleEndian.PutUint32(h[0:], pcapMagicNanos)
	binary.LittleEndian.PutUint16(h[4:], pcapVersionMajor)
	binary.LittleEndian.PutUint16(h[6:], pcapVersionMinor)
	binary.LittleEndian.PutUint32(h[16:], pcapSnapLen)
	binary.LittleEndian.PutUint32(h[20:], pcapLinkEthernet)
	if _, err := w.Write(h[:]); err != nil {
		return nil, err
	}
	return &pcapWriter{w: w}, nil
}

// write adds one frame captured at t, whole.
func (p *pcapWriter) write(t time.Time, data []byte) error {
	binary.LittleEndian.PutUint32(p.hdr[0:], uint32(t.Unix()))
	binary.LittleEndian.PutUint32(p.hdr[4:], uint32(t.Nanosecond()))
	binary.LittleEndian.PutUint32(p.hdr[8:], uint32(len(data)))
	binary.LittleEndian.PutUint32(p.hdr[12:], uint32(len(data)))
	if _, err := p.w.Write(p.hdr[:]); err != nil {
		return err
	}
	_, err := p.w.Write(data)
	return err
}
