package sim

import (
	"bytes"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"

	"patchbay/lang"
	"patchbay/planner"
	"patchbay/planner/plantest"
	"patchbay/sim/bfd"
	"patchbay/sim/bgp"
	"patchbay/sim/network"
	"patchbay/sim/wire"
)

func advertiseAt(t time.Duration, channel string, a lang.Advertise) lang.Event {
	e := at(t, lang.ActionAdvertise, lang.TargetChannel, channel)
	e.Advertise = &a
	return e
}

// outLoads is each last-mile connection's load from AWS to the site.
func outLoads(s *Sim) []float64 {
	var out []float64
	for _, l := range s.n.Groups["hq"] {
		out = append(out, s.load[network.Dir{Link: l, Side: 1}])
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
		{"of two tags the higher preference wins, high then low",
			[]lang.Event{advertiseAt(0, "hq/conn3", lang.Advertise{Communities: []string{"7224:7300", "7224:7100"}})},
			[]float64{0, 0, 2 * gbps, 0}},
		{"of two tags the higher preference wins, low then high",
			[]lang.Event{advertiseAt(0, "hq/conn3", lang.Advertise{Communities: []string{"7224:7100", "7224:7300"}})},
			[]float64{0, 0, 2 * gbps, 0}},
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
	s, err := Start(plantest.File(t, "../examples/last_mile.star"), sc, Options{Seed: 1, PcapInside: &pcap})
	if err != nil {
		t.Fatal(err)
	}
	s.e.Run(119 * time.Second)
	aws := s.bgp.Sessions()[0].Ends[0]
	if aws.State() != bgp.Established || len(aws.Received()) != 100 {
		t.Fatalf("with 100 prefixes: %s, %d received", aws.State(), len(aws.Received()))
	}
	s.e.Run(121 * time.Second)
	if aws.State() == bgp.Established || len(aws.Received()) != 0 {
		t.Fatalf("with 101 prefixes: %s, %d received", aws.State(), len(aws.Received()))
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
		tcp, _ := pkt.Layer(layers.LayerTypeTCP).(*layers.TCP)
		if pkt.NetworkLayer() == nil || tcp == nil {
			continue
		}
		srcE, dstE := pkt.NetworkLayer().NetworkFlow().Endpoints()
		src, _ := netip.AddrFromSlice(srcE.Raw())
		dst, _ := netip.AddrFromSlice(dstE.Raw())
		key := fmt.Sprintf("%s:%d>%s:%d", src, tcp.SrcPort, dst, tcp.DstPort)
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
// each session's one address family, next hops on the link (an IPv6
// session's global and link-local, never IPv4-mapped), prefixes without
// host bits; every BFD packet decodes with gopacket's.
func TestEveryControlPacketDecodesIndependently(t *testing.T) {
	for _, file := range plantest.Examples(t, "../examples") {
		p := plantest.File(t, file)
		for _, sc := range p.Design.Scenarios {
			var pcap bytes.Buffer
			if _, err := run(p, sc, Options{Seed: 1, PcapInside: &pcap}); err != nil {
				t.Fatal(err)
			}
			checkBGP(t, file, p, bgpMessages(t, pcap.Bytes()))
			checkBFD(t, file, pcap.Bytes())
		}
	}
}

func checkBGP(t *testing.T, file string, p *planner.Plan, msgs []captured) {
	type end struct {
		asn uint32
		id  netip.Addr // the router's BGP identifier, the same in all its sessions
		v6  bool
	}
	// A router's identifier is the lowest IPv4 address it peers from.
	ids := map[string]netip.Addr{}
	for _, s := range p.Sessions {
		for _, side := range []planner.Side{s.Local, s.Peer} {
			if id, ok := ids[side.Device]; side.Address.Is4() && (!ok || side.Address.Less(id)) {
				ids[side.Device] = side.Address
			}
		}
	}
	ends := map[netip.Addr]end{}
	v6Sessions := 0
	for _, s := range p.Sessions {
		v6 := slices.Equal(s.AddressFamily, []string{"ipv6-unicast"})
		if !v6 && !slices.Equal(s.AddressFamily, []string{"ipv4-unicast"}) {
			t.Fatalf("%s: session %s carries %v, want one family", file, s.Name, s.AddressFamily)
		}
		ends[s.Local.Address] = end{s.Local.ASN, ids[s.Local.Device], v6}
		ends[s.Peer.Address] = end{s.Peer.ASN, ids[s.Peer.Device], v6}
		if v6 {
			v6Sessions++
		}
	}
	counts := map[int]int{}
	v6Updates := 0
	for _, m := range msgs {
		counts[m.Type]++
		e, ok := ends[m.from]
		if !ok {
			t.Fatalf("%s: a message from %s, no session's address", file, m.from)
		}
		switch {
		case m.Open != nil:
			o := m.Open
			want := []wire.Family{{AFI: 1, SAFI: 1}}
			if e.v6 {
				want = []wire.Family{{AFI: 2, SAFI: 1}}
			}
			if o.Version != 4 || o.AS4 != e.asn || o.HoldTime != 90 || o.ID != e.id || fmt.Sprint(o.Families) != fmt.Sprint(want) {
				t.Fatalf("%s: OPEN from %s: %+v", file, m.from, o)
			}
		case m.Update != nil:
			u := m.Update
			if e.v6 && (len(u.NLRI) > 0 || len(u.Withdrawn) > 0 || u.NextHop.IsValid()) ||
				!e.v6 && (len(u.MPReach) > 0 || len(u.MPUnreach) > 0) {
				t.Fatalf("%s: UPDATE from %s carries the other family: %+v", file, m.from, u)
			}
			if reach := len(u.NLRI) + len(u.MPReach); reach > 0 && (u.Origin < 0 || len(u.ASPath) == 0 || u.ASPath[0] != e.asn) {
				t.Fatalf("%s: UPDATE from %s: %+v", file, m.from, u)
			}
			if len(u.NLRI) > 0 && u.NextHop != m.from {
				t.Fatalf("%s: NEXT_HOP %s from %s", file, u.NextHop, m.from)
			}
			// RFC 2545 §3: the global address on the link, and the
			// link-local one since the peer shares the link.
			if len(u.MPReach) > 0 {
				v6Updates++
				if u.MPNextHop != m.from || !u.MPLinkLocal.IsLinkLocalUnicast() {
					t.Fatalf("%s: MP_REACH next hop %s, link-local %s from %s", file, u.MPNextHop, u.MPLinkLocal, m.from)
				}
			}
			if u.LocalPref != nil {
				t.Fatalf("%s: LOCAL_PREF sent over eBGP", file)
			}
		case m.Type == wire.TypeKeepalive && m.Length != 19:
			t.Fatalf("%s: KEEPALIVE of %d bytes", file, m.Length)
		}
	}
	if counts[wire.TypeOpen] == 0 || counts[wire.TypeUpdate] == 0 || counts[wire.TypeKeepalive] == 0 || (v6Sessions > 0) != (v6Updates > 0) {
		t.Fatalf("%s: messages by type %v, %d IPv6 UPDATEs over %d IPv6 sessions", file, counts, v6Updates, v6Sessions)
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
		if udp == nil || udp.DstPort != bfd.Port {
			continue
		}
		// RFC 5881 §5: TTL 255 over IPv4, Hop Limit 255 over IPv6.
		var ttl uint8
		switch ip := pkt.NetworkLayer().(type) {
		case *layers.IPv4:
			ttl = ip.TTL
		case *layers.IPv6:
			ttl = ip.HopLimit
		}
		var bfd layers.BFD
		if err := bfd.DecodeFromBytes(udp.Payload, gopacket.NilDecodeFeedback); err != nil {
			t.Fatalf("%s: BFD: %v", file, err)
		}
		// Until Up, a session advertises a transmit interval of a second.
		tx := layers.BFDTimeInterval(300000)
		if bfd.State != layers.BFDStateUp {
			tx = 1000000
		}
		if bfd.Version != 1 || bfd.DetectMultiplier != 3 || bfd.MyDiscriminator == 0 || ttl != 255 ||
			bfd.DesiredMinTxInterval != tx || bfd.RequiredMinRxInterval != 300000 {
			t.Fatalf("%s: BFD packet %+v TTL %d", file, bfd, ttl)
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
	s, se := farHold(t, sc, 30*time.Second) // the far end asks for less than AWS's 90 s
	s.e.Run(sc.Duration)
	for _, sp := range se.Ends {
		if !sp.Up() || sp.NegotiatedHold() != 30*time.Second {
			t.Fatalf("%s: %s, hold %v; want established with 30s", sp, sp.State(), sp.NegotiatedHold())
		}
		if d := sp.NextKeepalive() - s.e.Now(); d <= 0 || d > 10*time.Second {
			t.Fatalf("%s: next keepalive in %v, want within hold/3 = 10s", sp, d)
		}
	}
	if other := s.bgp.Sessions()[1].Ends[0]; other.NegotiatedHold() != 90*time.Second {
		t.Fatalf("another session negotiated %v, want 90s", other.NegotiatedHold())
	}
}

// KEEPALIVEs "MUST NOT be sent more frequently than one per second" (RFC
// 4271 §4.4): with a 3 s hold time a third of it, jittered down by up to a
// quarter, would send them closer, so the gap stays at least a second.
func TestKeepalivesAtMostOneASecond(t *testing.T) {
	sc := scenario(20*time.Second, nil)
	s, se := farHold(t, sc, 3*time.Second)
	// Each KEEPALIVE sent schedules the next, so the distinct times the
	// next one is due, seen step by step, are the gaps between them.
	var due [2][]time.Duration
	for at := time.Duration(0); at <= sc.Duration; at += 10 * time.Millisecond {
		if err := s.e.Run(at); err != nil {
			t.Fatal(err)
		}
		for i, sp := range se.Ends {
			if next := sp.NextKeepalive(); next > 0 && (len(due[i]) == 0 || due[i][len(due[i])-1] != next) {
				due[i] = append(due[i], next)
			}
		}
	}
	for i, sp := range se.Ends {
		if sp.NegotiatedHold() != 3*time.Second {
			t.Fatalf("%s: hold %v, want 3s", sp, sp.NegotiatedHold())
		}
		if len(due[i]) < 10 {
			t.Fatalf("%s: %d keepalives in %v, want one about every second", sp, len(due[i]), sc.Duration)
		}
		for k := 1; k < len(due[i]); k++ {
			if gap := due[i][k] - due[i][k-1]; gap < time.Second {
				t.Fatalf("%s: keepalives %v apart, want at least a second", sp, gap)
			}
		}
	}
}

// farHold starts sc on the multicloud design with its first session's far
// end asking for hold time d.
func farHold(t *testing.T, sc *lang.Scenario, d time.Duration) (*Sim, *bgp.Session) {
	t.Helper()
	s, err := Start(multicloud(t), sc, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	se := s.bgp.Sessions()[0]
	se.Ends[1].SetHoldTime(d)
	return s, se
}

// dualStack is a last mile from a site with v4 IPv4 and v6 IPv6 prefixes
// to a DX gateway in front of a dual-stack VPC: a private VIF whose four
// connections each carry an IPv4 and an IPv6 session.
func dualStack(t *testing.T, v4, v6 int) *planner.Plan {
	return plantest.Source(t, fmt.Sprintf(`hq = site("hq", cidr = [cidrsubnet("172.16.0.0/12", 12, i) for i in range(%d)], ipv6_cidr = [cidrsubnet("2001:db8::/32", 16, i) for i in range(%d)], asn = 65001, mtu = 8500)
v = vpc("v", region = "us-east-1", cidr = "10.0.0.0/16", ipv6_cidr = "2600:1f18:aa00::/56", mtu = 8500)
d = dx_gateway("d")
attach(d, vpn_gateway(v))
last_mile("hq", partner = "lumen", region = "us-east-1", bandwidth = "10Gbps", site = hq, attach_to = d)
`, v4, v6))
}

// sessionNamed finds a run's session by its plan name.
func sessionNamed(t *testing.T, s *Sim, name string) *bgp.Session {
	t.Helper()
	for _, se := range s.bgp.Sessions() {
		if se.Name == name {
			return se
		}
	}
	t.Fatalf("no session %s", name)
	return nil
}

// Direct Connect's limit is 100 prefixes per session, and a dual-stack
// connection has a session per family: 100 IPv4 and 100 IPv6 prefixes
// from the site are each exactly at the limit, and all eight sessions
// stay up with 100 prefixes each at the AWS end.
func TestAHundredPrefixesOfEachFamilyStayUp(t *testing.T) {
	s := startSim(t, dualStack(t, 100, 100), scenario(time.Minute, nil))
	s.e.Run(time.Minute)
	if len(s.bgp.Sessions()) != 8 {
		t.Fatalf("%d sessions, want 8: an IPv4 and an IPv6 one per connection", len(s.bgp.Sessions()))
	}
	for i, se := range s.bgp.Sessions() {
		name, v6 := fmt.Sprintf("hq/conn%d", i/2+1), i%2 == 1
		if v6 {
			name += "/ipv6"
		}
		aws := se.Ends[0]
		if se.Name != name || !aws.Up() || !se.Ends[1].Up() || len(aws.Received()) != 100 {
			t.Fatalf("session %d: %s, %s/%s, %d prefixes at AWS; want %s established both ends with 100", i, se.Name, aws.State(), se.Ends[1].State(), len(aws.Received()), name)
		}
		for p := range aws.Received() {
			if p.Addr().Is6() != v6 {
				t.Fatalf("%s received %s", se.Name, p)
			}
		}
	}
}

// 101 IPv6 prefixes from the site are one over the IPv6 sessions' limit:
// AWS closes each with NOTIFICATION Cease/1 whose RFC 4486 data names
// AFI 2, SAFI 1 and the limit 100 (00 02 01 00 00 00 64), and keeps it
// idle for ConnectRetry; the IPv4 sessions of the same connections, with
// their one prefix, stay established throughout.
func TestTheHundredAndFirstIPv6PrefixCeasesOnlyTheIPv6Session(t *testing.T) {
	p := dualStack(t, 1, 101)
	var pcap bytes.Buffer
	sc := scenario(5*time.Minute, nil)
	s, err := Start(p, sc, Options{Seed: 1, PcapInside: &pcap})
	if err != nil {
		t.Fatal(err)
	}
	s.e.Run(0)
	for c := 1; c <= 4; c++ {
		v4, v6 := sessionNamed(t, s, fmt.Sprintf("hq/conn%d", c)), sessionNamed(t, s, fmt.Sprintf("hq/conn%d/ipv6", c))
		if a := v4.Ends[0]; !a.Up() || len(a.Received()) != 1 {
			t.Fatalf("%s: %s with %d prefixes, want established with 172.16.0.0/24", v4.Name, a.State(), len(a.Received()))
		}
		if a := v6.Ends[0]; a.Up() || !a.IdleHold() || len(a.Received()) != 0 {
			t.Fatalf("%s: %s (idle hold %v) with %d prefixes, want idle without any", v6.Name, a.State(), a.IdleHold(), len(a.Received()))
		}
	}
	// AWS's table holds the site's IPv4 prefix and none of its IPv6 ones.
	aws := sessionNamed(t, s, "hq/conn1").Ends[0].VRF
	if aws.Best.Get(netip.MustParsePrefix("172.16.0.0/24")) == nil || aws.Best.Get(netip.MustParsePrefix("2001:db8::/48")) != nil {
		t.Fatalf("AWS table: IPv4 %v, IPv6 %v", aws.Best.Get(netip.MustParsePrefix("172.16.0.0/24")), aws.Best.Get(netip.MustParsePrefix("2001:db8::/48")))
	}
	s.e.Run(sc.Duration)
	s.finish()
	// After the idle hold the session comes back and is ceased again, now
	// inside the timeline; no IPv4 session ever leaves Established.
	controlAt(t, s.out, "BGP hq/conn1/ipv6 at us-east-1/lumen-loc-a/aws-r1: Established → Idle (101 IPv6 prefixes from hq/router exceed the limit of 100: NOTIFICATION Cease/1")
	for _, e := range s.out.Events {
		for c := 1; c <= 4; c++ {
			if strings.Contains(e.Message, fmt.Sprintf("BGP hq/conn%d at", c)) || strings.Contains(e.Message, fmt.Sprintf("BFD hq/conn%d at", c)) {
				t.Fatalf("an IPv4 session changed: %s", e.Message)
			}
		}
	}
	v6Addr := map[netip.Addr]bool{}
	for _, ps := range p.Sessions {
		if strings.HasSuffix(ps.Name, "/ipv6") {
			v6Addr[ps.Local.Address] = true
		}
	}
	msgs := bgpMessages(t, pcap.Bytes())
	checkBGP(t, "dual stack", p, msgs)
	ceased := map[netip.Addr]bool{}
	for _, m := range msgs {
		if n := m.Notification; n != nil {
			if !v6Addr[m.from] || n.Code != 6 || n.Subcode != 1 || !bytes.Equal(n.Data, []byte{0, 2, 1, 0, 0, 0, 100}) {
				t.Fatalf("NOTIFICATION from %s: %+v", m.from, n)
			}
			ceased[m.from] = true
		}
	}
	if len(ceased) != 4 {
		t.Fatalf("Cease/1 from %v, want the AWS end of each of the four IPv6 sessions", ceased)
	}
}

// A dual-stack connection's sessions fail together when the connection
// does, each noticed by its own BFD (one per neighbour address) at the
// AWS end within 3 × 300 ms of the last packet; when MACsec must_encrypt
// takes a router's port down (here the site's, whose CA restarts with the
// changed CAK), that router drops both at the same instant.
func TestBothSessionsOfALinkFailWithIt(t *testing.T) {
	for _, tc := range []struct {
		name, at, why string
		event         lang.Event
	}{
		{"link failure", "us-east-1/lumen-loc-a/aws-r1", "BFD down", at(10*time.Second, lang.ActionFail, lang.TargetChannel, "hq/conn1")},
		{"MACsec down", "hq/router", "MACsec down", keyEvent(10*time.Second, lang.ActionMismatchKey, "hq/conn1", "", "cak")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sc := scenario(time.Minute, nil, tc.event)
			s := startSim(t, dualStack(t, 1, 1), sc)
			s.e.Run(sc.Duration)
			s.finish()
			v4 := controlAt(t, s.out, "BGP hq/conn1 at "+tc.at+": Established → Idle ("+tc.why+")")
			v6 := controlAt(t, s.out, "BGP hq/conn1/ipv6 at "+tc.at+": Established → Idle ("+tc.why+")")
			lo, hi := 10*time.Second, 11*time.Second
			if tc.why == "MACsec down" {
				// MKA's live-peer lifetime bounds it: 6 s and a hello.
				hi = 18 * time.Second
			}
			if v4 < lo || v4 > hi || v6 < lo || v6 > hi || (tc.why == "MACsec down" && v4 != v6) {
				t.Fatalf("sessions down at %v (IPv4) and %v (IPv6), want within [%v, %v]", v4, v6, lo, hi)
			}
			if tc.why == "BFD down" {
				controlAt(t, s.out, "BFD hq/conn1/ipv6 at "+tc.at+": Up → Down")
			}
		})
	}
}

// advertise() names a connection, so its policy holds over both of its
// sessions: a prepend of 2 makes the AS path [65001 65001 65001] on the
// site's IPv4 and IPv6 prefixes alike at the AWS end.
func TestAdvertiseAppliesToBothFamilies(t *testing.T) {
	sc := scenario(10*time.Second, nil, advertiseAt(time.Second, "hq/conn1", lang.Advertise{Prepend: 2}))
	s := startSim(t, dualStack(t, 1, 1), sc)
	s.e.Run(2 * time.Second)
	for _, name := range []string{"hq/conn1", "hq/conn1/ipv6"} {
		aws := sessionNamed(t, s, name).Ends[0]
		if len(aws.Received()) != 1 {
			t.Fatalf("%s: %d prefixes", name, len(aws.Received()))
		}
		for p, e := range aws.Received() {
			if !slices.Equal(e.Attrs.ASPath, []uint32{65001, 65001, 65001}) {
				t.Fatalf("%s: %s with AS path %v", name, p, e.Attrs.ASPath)
			}
		}
	}
}
