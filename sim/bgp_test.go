package sim

import (
	"bytes"
	"fmt"
	"io"
	"net/netip"
	"testing"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"

	"patchbay/lang"
	"patchbay/planner"
	"patchbay/planner/plantest"
	"patchbay/sim/wire"
)

func advertiseAt(t time.Duration, channel string, a lang.Advertise) lang.Event {
	e := at(t, lang.ActionAdvertise, lang.TargetChannel, channel)
	e.Advertise = &a
	return e
}

// outLoads is each last-mile connection's load from AWS to the site.
func outLoads(s *sim) []float64 {
	var out []float64
	for _, l := range s.n.Groups["hq"] {
		out = append(out, s.load[dirLink{l, 1}])
	}
	return out
}

// AWS picks its way to on-premises by local preference (communities) and
// then AS-path length, and shares equal paths.
func TestCommunitiesAndPrependingSteerTraffic(t *testing.T) {
	flows := []lang.Flow{flowOf("down", "vpc.web", "site.nyc-hq", 2*gbps, 1500)}
	cases := []struct {
		name   string
		events []lang.Event
		want   []float64
	}{
		{"equal paths share by ECMP", nil, []float64{gbps / 2, gbps / 2, gbps / 2, gbps / 2}},
		{"prepending makes location a passive",
			[]lang.Event{advertiseAt(0, "hq/conn1", lang.Advertise{Prepend: 2}), advertiseAt(0, "hq/conn2", lang.Advertise{Prepend: 2})},
			[]float64{0, 0, gbps, gbps}},
		{"7224:7300 makes one connection active",
			[]lang.Event{advertiseAt(0, "hq/conn3", lang.Advertise{Communities: []string{"7224:7300"}})},
			[]float64{0, 0, 2 * gbps, 0}},
		{"local preference beats a shorter AS path",
			[]lang.Event{advertiseAt(0, "hq/conn3", lang.Advertise{Prepend: 3, Communities: []string{"7224:7300"}})},
			[]float64{0, 0, 2 * gbps, 0}},
		{"a higher MED from the same neighbouring AS loses",
			[]lang.Event{advertiseAt(0, "hq/conn2", lang.Advertise{MED: 50})},
			[]float64{2 * gbps / 3, 0, 2 * gbps / 3, 2 * gbps / 3}},
		{"7224:7100 makes one connection passive",
			[]lang.Event{advertiseAt(0, "hq/conn4", lang.Advertise{Communities: []string{"7224:7100"}})},
			[]float64{2 * gbps / 3, 2 * gbps / 3, 2 * gbps / 3, 0}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := startSim(t, plantest.File(t, "../examples/last_mile.star"), scenario(time.Minute, flows, tc.events...))
			s.e.Run(time.Second)
			got := outLoads(s)
			for i := range tc.want {
				if !near(got[i], tc.want[i]) {
					t.Fatalf("loads %v, want %v", got, tc.want)
				}
			}
		})
	}
}

// AWS accepts at most 100 prefixes per last-mile session: the 101st
// brings the session down with NOTIFICATION Cease/1.
func TestTheHundredAndFirstPrefixBringsTheSessionDown(t *testing.T) {
	// The site advertises its two CIDRs; 98 more make 100, 99 more 101.
	sc := scenario(3*time.Minute, []lang.Flow{flowOf("down", "vpc.web", "site.nyc-hq", 4*gbps, 1500)},
		advertiseAt(60*time.Second, "hq/conn1", lang.Advertise{ExtraPrefixes: 98}),
		advertiseAt(120*time.Second, "hq/conn1", lang.Advertise{ExtraPrefixes: 99}))
	var pcap bytes.Buffer
	s, err := start(plantest.File(t, "../examples/last_mile.star"), sc, Options{Seed: 1, PcapInside: &pcap})
	if err != nil {
		t.Fatal(err)
	}
	s.e.Run(119 * time.Second)
	aws := s.sessions[0].ends[0]
	if aws.state != stEstablished || len(aws.ribIn) != 100 {
		t.Fatalf("with 100 prefixes: %s, %d received", aws.state, len(aws.ribIn))
	}
	s.e.Run(121 * time.Second)
	if aws.state == stEstablished || len(aws.ribIn) != 0 {
		t.Fatalf("with 101 prefixes: %s, %d received", aws.state, len(aws.ribIn))
	}
	wantLoadsN(t, outLoads(s), 0, 4*gbps/3, 4*gbps/3, 4*gbps/3)
	s.e.Run(sc.Duration)
	s.finish()
	down := controlAt(t, s.out, "BGP hq/conn1 at us-east-1/lumen-loc-a/aws-r1: Established → Idle (101 IPv4 prefixes from nyc-hq/router exceed the limit of 100: NOTIFICATION Cease/1")
	if down < 120*time.Second || down > 121*time.Second {
		t.Fatalf("session down at %v", down)
	}
	var notes []wire.Notification
	for _, m := range bgpMessages(t, pcap.Bytes()) {
		if m.Notification != nil {
			notes = append(notes, *m.Notification)
		}
	}
	if len(notes) == 0 || notes[0].Code != 6 || notes[0].Subcode != 1 || !bytes.Equal(notes[0].Data, []byte{0, 1, 1, 0, 0, 0, 100}) {
		t.Fatalf("NOTIFICATIONs on the wire: %+v", notes)
	}
}

func wantLoadsN(t *testing.T, got []float64, want ...float64) {
	t.Helper()
	wantLoads(t, "after", got, want...)
}

// captured is one BGP message read back from a capture, with where it went.
type captured struct {
	*wire.Message
	from, to netip.Addr
}

// bgpMessages reads a capture back with gopacket and decodes every BGP
// message with patchbay's own decoder (not the codec that wrote it),
// checking each TCP stream's sequence numbers run without a gap.
func bgpMessages(t *testing.T, pcap []byte) []captured {
	t.Helper()
	r, err := pcapgo.NewReader(bytes.NewReader(pcap))
	if err != nil {
		t.Fatal(err)
	}
	type stream struct {
		next uint32
		buf  []byte
	}
	streams := map[string]*stream{}
	var out []captured
	for {
		data, _, err := r.ReadPacketData()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		pkt := gopacket.NewPacket(data, layers.LayerTypeEthernet, gopacket.Default)
		ip, _ := pkt.Layer(layers.LayerTypeIPv4).(*layers.IPv4)
		tcp, _ := pkt.Layer(layers.LayerTypeTCP).(*layers.TCP)
		if ip == nil || tcp == nil {
			continue
		}
		key := fmt.Sprintf("%s:%d>%s:%d", ip.SrcIP, tcp.SrcPort, ip.DstIP, tcp.DstPort)
		st := streams[key]
		if tcp.SYN {
			streams[key] = &stream{next: tcp.Seq + 1}
			continue
		}
		if st == nil {
			t.Fatalf("%s: segment without a SYN", key)
		}
		if len(tcp.Payload) == 0 {
			continue
		}
		if tcp.Seq != st.next {
			t.Fatalf("%s: sequence %d, want %d", key, tcp.Seq, st.next)
		}
		st.next += uint32(len(tcp.Payload))
		st.buf = append(st.buf, tcp.Payload...)
		msgs, rest, err := wire.Split(st.buf)
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		st.buf = rest
		src, _ := netip.AddrFromSlice(ip.SrcIP)
		dst, _ := netip.AddrFromSlice(ip.DstIP)
		for _, b := range msgs {
			m, err := wire.Decode(b, true)
			if err != nil {
				t.Fatalf("%s: %v in % x", key, err, b)
			}
			out = append(out, captured{m, src, dst})
		}
	}
	return out
}

// Every BGP message of every example scenario decodes with an independent
// decoder and says what the plan says: the sessions' ASNs and hold time,
// IPv4 and (where the peer has it) IPv6 unicast, next hops on the link,
// prefixes without host bits; every BFD packet decodes with gopacket's.
func TestEveryControlPacketDecodesIndependently(t *testing.T) {
	for _, file := range plantest.Examples(t, "../examples") {
		p := plantest.File(t, file)
		for _, sc := range p.Design.Scenarios {
			var pcap bytes.Buffer
			if _, err := Run(p, sc, Options{Seed: 1, PcapInside: &pcap}); err != nil {
				t.Fatal(err)
			}
			checkBGP(t, file, p, bgpMessages(t, pcap.Bytes()))
			checkBFD(t, file, pcap.Bytes())
		}
	}
}

func checkBGP(t *testing.T, file string, p *planner.Plan, msgs []captured) {
	asn := map[netip.Addr]uint32{}
	v6 := map[netip.Addr]bool{}
	for _, s := range p.Sessions {
		asn[s.Local.Address], asn[s.Peer.Address] = s.Local.ASN, s.Peer.ASN
		for _, f := range s.AddressFamily {
			if f == "ipv6-unicast" {
				v6[s.Local.Address], v6[s.Peer.Address] = true, true
			}
		}
	}
	counts := map[int]int{}
	for _, m := range msgs {
		counts[m.Type]++
		switch {
		case m.Open != nil:
			o := m.Open
			want := []wire.Family{{AFI: 1, SAFI: 1}}
			if v6[m.from] {
				want = append(want, wire.Family{AFI: 2, SAFI: 1})
			}
			if o.Version != 4 || o.AS4 != asn[m.from] || o.HoldTime != 90 || o.ID != m.from || fmt.Sprint(o.Families) != fmt.Sprint(want) {
				t.Fatalf("%s: OPEN from %s: %+v", file, m.from, o)
			}
		case m.Update != nil:
			u := m.Update
			if len(u.NLRI) > 0 && (u.NextHop != m.from || u.Origin < 0 || len(u.ASPath) == 0 || u.ASPath[0] != asn[m.from]) {
				t.Fatalf("%s: UPDATE from %s: %+v", file, m.from, u)
			}
			if len(u.MPReach) > 0 && u.MPNextHop != netip.AddrFrom16(m.from.As16()) {
				t.Fatalf("%s: MP_REACH next hop %s from %s", file, u.MPNextHop, m.from)
			}
			if u.LocalPref != nil {
				t.Fatalf("%s: LOCAL_PREF sent over eBGP", file)
			}
		case m.Type == wire.TypeKeepalive && m.Length != 19:
			t.Fatalf("%s: KEEPALIVE of %d bytes", file, m.Length)
		}
	}
	if counts[wire.TypeOpen] == 0 || counts[wire.TypeUpdate] == 0 || counts[wire.TypeKeepalive] == 0 {
		t.Fatalf("%s: messages by type %v", file, counts)
	}
}

func checkBFD(t *testing.T, file string, pcap []byte) {
	r, err := pcapgo.NewReader(bytes.NewReader(pcap))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for {
		data, _, err := r.ReadPacketData()
		if err == io.EOF {
			break
		}
		pkt := gopacket.NewPacket(data, layers.LayerTypeEthernet, gopacket.Default)
		udp, _ := pkt.Layer(layers.LayerTypeUDP).(*layers.UDP)
		if udp == nil || udp.DstPort != bfdPort {
			continue
		}
		ip, _ := pkt.Layer(layers.LayerTypeIPv4).(*layers.IPv4)
		var bfd layers.BFD
		if err := bfd.DecodeFromBytes(udp.Payload, gopacket.NilDecodeFeedback); err != nil {
			t.Fatalf("%s: BFD: %v", file, err)
		}
		// Until Up, a session advertises a transmit interval of a second.
		tx := layers.BFDTimeInterval(300000)
		if bfd.State != layers.BFDStateUp {
			tx = 1000000
		}
		if bfd.Version != 1 || bfd.DetectMultiplier != 3 || bfd.MyDiscriminator == 0 || ip.TTL != 255 ||
			bfd.DesiredMinTxInterval != tx || bfd.RequiredMinRxInterval != 300000 {
			t.Fatalf("%s: BFD packet %+v TTL %d", file, bfd, ip.TTL)
		}
		n++
	}
	if n == 0 {
		t.Fatalf("%s: no BFD packets", file)
	}
}

// The lower hold time of the two OPENs wins at both ends, and keepalives
// follow it.
func TestLowerHoldTimeWins(t *testing.T) {
	sc := scenario(10*time.Second, nil)
	s, err := start(multicloud(t), sc, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	se := s.sessions[0]
	se.ends[1].holdCfg = 30 * time.Second // the far end asks for less than AWS's 90 s
	s.e.Run(sc.Duration)
	for _, sp := range se.ends {
		if !sp.established() || sp.hold != 30*time.Second {
			t.Fatalf("%s: %s, hold %v; want established with 30s", sp, sp.state, sp.hold)
		}
		if d := sp.keepaliveTimer.When() - s.e.Now(); d <= 0 || d > 10*time.Second {
			t.Fatalf("%s: next keepalive in %v, want within hold/3 = 10s", sp, d)
		}
	}
	if other := s.sessions[1].ends[0]; other.hold != 90*time.Second {
		t.Fatalf("another session negotiated %v, want 90s", other.hold)
	}
}
