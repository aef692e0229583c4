package sim

import (
	"bytes"
	"math/rand/v2"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"

	"patchbay/sim/bgp"
)

// gopacketFrame is the frame the simulator built with gopacket before it
// built its own: the reference its bytes must equal.
func gopacketFrame(t *testing.T, sp *bgp.Speaker, ttl uint8, l4 gopacket.SerializableLayer, payload []byte) []byte {
	t.Helper()
	eth := &layers.Ethernet{SrcMAC: net.HardwareAddr(sp.MAC[:]), DstMAC: net.HardwareAddr(sp.Peer.MAC[:]), EthernetType: layers.EthernetTypeDot1Q}
	vlan := &layers.Dot1Q{VLANIdentifier: uint16(sp.Session.VLAN), Priority: 6, Type: layers.EthernetTypeIPv4}
	src, dst := net.IP(sp.Addr.AsSlice()), net.IP(sp.Peer.Addr.AsSlice())
	var ip interface {
		gopacket.SerializableLayer
		gopacket.NetworkLayer
	}
	proto := layers.IPProtocolUDP
	if _, ok := l4.(*layers.TCP); ok {
		proto = layers.IPProtocolTCP
	}
	if sp.Addr.Is6() {
		vlan.Type = layers.EthernetTypeIPv6
		ip = &layers.IPv6{Version: 6, TrafficClass: 0xc0, HopLimit: ttl, NextHeader: proto, SrcIP: src, DstIP: dst}
	} else {
		ip = &layers.IPv4{Version: 4, IHL: 5, TOS: 0xc0, TTL: ttl, Protocol: proto, Flags: layers.IPv4DontFragment, SrcIP: src, DstIP: dst}
	}
	switch x := l4.(type) {
	case *layers.TCP:
		_ = x.SetNetworkLayerForChecksum(ip)
	case *layers.UDP:
		_ = x.SetNetworkLayerForChecksum(ip)
	}
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, eth, vlan, ip, l4, gopacket.Payload(payload)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func randomSpeakers(r *rand.Rand, v6 bool) *bgp.Speaker {
	addr := func() netip.Addr {
		if v6 {
			var a [16]byte
			for i := range a {
				a[i] = byte(r.Uint32())
			}
			a[0] = 0x20
			return netip.AddrFrom16(a)
		}
		return netip.AddrFrom4([4]byte{169, 254, byte(r.Uint32()), byte(r.Uint32())})
	}
	sess := &bgp.Session{VLAN: 1 + r.IntN(4094)}
	a := &bgp.Speaker{Session: sess, Addr: addr()}
	b := &bgp.Speaker{Session: sess, Addr: addr(), Side: 1}
	for i := range a.MAC {
		a.MAC[i], b.MAC[i] = byte(r.Uint32()), byte(r.Uint32())
	}
	a.Peer, b.Peer = b, a
	return a
}

// TestFramesMatchGopacket: the frames the simulator builds are, byte for
// byte, what gopacket serialises from the same fields — Ethernet, 802.1Q,
// IPv4 or IPv6, TCP (with and without the SYN's MSS option) or UDP, the
// checksums, and the padding of short frames — over many random packets.
// The one deliberate difference: a UDP checksum computing to zero is sent
// as 0xffff (RFC 768; required over IPv6, RFC 8200 §8.1), where gopacket
// sends zero.
func TestFramesMatchGopacket(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	flagSets := []bgp.Flags{bgp.SYN, bgp.SYN | bgp.ACK, bgp.ACK, bgp.ACK | bgp.PSH, bgp.FIN | bgp.ACK, bgp.RST, bgp.RST | bgp.ACK}
	zeroUDP := 0
	for i := range 4000 {
		sp := randomSpeakers(r, i%2 == 1)
		payload := make([]byte, []int{0, 1, 19, 24, 48, 100, 4096}[r.IntN(7)])
		for j := range payload {
			payload[j] = byte(r.Uint32())
		}
		sport, dport := uint16(r.Uint32()), uint16(r.Uint32())
		var got, want []byte
		if i%3 == 0 {
			got = appendFrame(nil, sp, 255, protoUDP, udpDatagram(nil, sport, dport, payload))
			want = gopacketFrame(t, sp, 255, &layers.UDP{SrcPort: layers.UDPPort(sport), DstPort: layers.UDPPort(dport)}, payload)
		} else {
			flags := flagSets[r.IntN(len(flagSets))]
			seq, ack := r.Uint32(), r.Uint32()
			mss := uint16(1460)
			if sp.Addr.Is6() {
				mss = 1440
			}
			got = appendFrame(nil, sp, 1, protoTCP, tcpSegment(nil, sport, dport, seq, ack, flags, mss, payload))
			tcp := &layers.TCP{SrcPort: layers.TCPPort(sport), DstPort: layers.TCPPort(dport), Seq: seq, Ack: ack, Window: 65535,
				SYN: flags&bgp.SYN != 0, ACK: flags&bgp.ACK != 0, FIN: flags&bgp.FIN != 0, PSH: flags&bgp.PSH != 0, RST: flags&bgp.RST != 0}
			if flags&bgp.SYN != 0 {
				tcp.Options = []layers.TCPOption{{OptionType: layers.TCPOptionKindMSS, OptionLength: 4, OptionData: []byte{byte(mss >> 8), byte(mss)}}}
			}
			want = gopacketFrame(t, sp, 1, tcp, payload)
		}
		if i%3 == 0 {
			// The UDP checksum sits 6 bytes into the datagram.
			at := ethHeaderLen + dot1qLen + ipv4HeaderLen + 6
			if sp.Addr.Is6() {
				at = ethHeaderLen + dot1qLen + ipv6HeaderLen + 6
			}
			if want[at] == 0 && want[at+1] == 0 {
				zeroUDP++
				want[at], want[at+1] = 0xff, 0xff
			}
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("packet %d differs:\n got %x\nwant %x", i, got, want)
		}
	}
	t.Logf("%d UDP checksums computed to zero", zeroUDP)
}

// TestPcapMatchesPcapgo: the capture file is byte for byte what gopacket's
// pcapgo writes with nanosecond timestamps.
func TestPcapMatchesPcapgo(t *testing.T) {
	var ours, theirs bytes.Buffer
	pw, err := newPcapWriter(&ours)
	if err != nil {
		t.Fatal(err)
	}
	gw := pcapgo.NewWriterNanos(&theirs)
	if err := gw.WriteFileHeader(65535, layers.LinkTypeEthernet); err != nil {
		t.Fatal(err)
	}
	for i, d := range []time.Duration{0, time.Nanosecond, 1500 * time.Millisecond, 40 * 24 * time.Hour} {
		data := bytes.Repeat([]byte{byte(i)}, 60+i)
		at := captureEpoch.Add(d)
		if err := pw.write(at, data); err != nil {
			t.Fatal(err)
		}
		if err := gw.WritePacket(gopacket.CaptureInfo{Timestamp: at, CaptureLength: len(data), Length: len(data)}, data); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(ours.Bytes(), theirs.Bytes()) {
		t.Errorf("pcap differs:\n ours %x\ntheirs %x", ours.Bytes(), theirs.Bytes())
	}
}

// TestUDPZeroChecksumIsAllOnes: a datagram whose checksum computes to zero
// carries 0xffff (RFC 768; RFC 8200 §8.1), over IPv4 and IPv6.
func TestUDPZeroChecksumIsAllOnes(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, v6 := range []bool{false, true} {
		sp := randomSpeakers(r, v6)
		seg := udpDatagram(nil, 3784, 49152, []byte{0, 0})
		// The last payload word that makes the one's-complement sum
		// 0xffff, and so the checksum zero.
		f := fold(sum(pseudoHeader(sp.Addr, sp.Peer.Addr, protoUDP, len(seg)), seg))
		w := 0xffff - f
		seg[8], seg[9] = byte(w>>8), byte(w)
		frame := appendFrame(nil, sp, 255, protoUDP, seg)
		at := ethHeaderLen + dot1qLen + ipv4HeaderLen + 6
		if v6 {
			at = ethHeaderLen + dot1qLen + ipv6HeaderLen + 6
		}
		if frame[at] != 0xff || frame[at+1] != 0xff {
			t.Errorf("v6=%v: checksum %x, want ffff", v6, frame[at:at+2])
		}
	}
}
