package sim

import (
	"bytes"
	"io"
	"math"
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
	"patchbay/sim/macsec"
	"patchbay/sim/mka"
	"patchbay/sim/network"
	"patchbay/stdlib"
)

// withCipher is the multicloud example (a 10 Gbps Interconnect: four
// channels of 2.5 Gbps) with every channel on suite.
func withCipher(t *testing.T, suite macsec.CipherSuite) *planner.Plan {
	p := multicloud(t)
	for _, ch := range p.Interconnects[0].Channels {
		ch.MACsecCipher = suite.String()
	}
	return p
}

// controlEvents are the timeline's control messages containing text.
func controlEvents(tr *Trace, text string) []TraceEvent {
	var out []TraceEvent
	for _, e := range tr.Events {
		if e.Kind == "control" && strings.Contains(e.Message, text) {
			out = append(out, e)
		}
	}
	return out
}

// A 10 Gbps Interconnect with GCM-AES-256 (a design that validates: 10G
// ports take GCM-AES-256) carrying 64-byte packets both ways, as fast as
// the channels go, from 1 s.
//
// Each channel is 10 Gbps / 4 = 2.5 Gbps. A 64-byte IP packet takes
// 64 + 14 + 4 + 16 + 16 + 4 + 20 = 138 bytes of line time (DOMAIN §8), so
// each direction sends 2.5e9 / (138 × 8) = 2,264,492.75 packets a second,
// and a PN counted from (about) zero reaches 0xC0000000 = 3,221,225,472
// after 3,221,225,472 × 1104 / 2.5e9 = 1422.4931684352 s = I.
//
// Rekey 1 is then at 1 + I = 1423.4931684352 s. The far end installs the
// new SAK a one-way latency later (750 µs: half the catalog's 1.5 ms
// us-east-1 ↔ us-east4 round trip), restarting its PN; the key server a
// round trip later. So rekey k is at t(k) = 1 + k·I + (k−1)·0.00075 s:
// 1423.4932, 2845.9871, 4268.4810, 5690.9749, 7113.4688 s, and in two
// hours exactly floor(7199 / (I + 0.00075)) = floor(5.06) = 5 rekeys a
// channel, 20 in all. BFD and BGP frames take a PN each too, which can
// only bring a rekey earlier: at most 2 sessions × (one BFD packet per
// 225 ms, RFC 5880 §6.8.7's 300 ms less 25% jitter, + a keepalive per
// 30 s) = 8.96 PNs a second, 12,750 PNs or 5.6 ms an interval, so rekey k
// lies in [t(k) − k·6 ms, t(k)].
//
// Before the fix the key server drew a new SAK every ~0.75 ms from the
// first threshold on (23,329 rekeys in 25 minutes) and the BGP sessions
// flapped.
func TestRekeyOncePerThresholdCrossing(t *testing.T) {
	const interval = 1422.4931684352
	in := flowOf("in", "gcp_vpc.analytics", "vpc.payments", 20*gbps, 64)
	out := flowOf("out", "vpc.payments", "gcp_vpc.analytics", 20*gbps, 64)
	in.Start, out.Start = time.Second, time.Second
	sc := scenario(2*time.Hour, []lang.Flow{in, out})
	s := startSim(t, withCipher(t, macsec.GCMAES256), sc)
	s.e.Run(sc.Duration)
	s.finish()
	for _, sl := range s.mka.Links() {
		st := sl.Status()
		got := controlEvents(s.out, "MKA "+st.Name+": rekey")
		// No rekey in the warm-up either: the trace starts at 0, the count
		// does not.
		if len(got) != 5 || st.Rekeys != 5 {
			t.Fatalf("%s: %d rekeys in the trace, %d in all, want 5: %v", st.Name, len(got), st.Rekeys, got)
		}
		for i, e := range got {
			k := float64(i + 1)
			want := 1 + k*interval + (k-1)*0.00075
			if d := want - e.T.Seconds(); d < -1e-6 || d > k*0.006 {
				t.Fatalf("%s: rekey %d at %v, want %.7fs less at most %.0f ms", st.Name, i+1, e.T, want, k*6)
			}
		}
		// Both ends installed the last SAK (AN 5 mod 4 = 1) and count
		// from it: under the threshold again.
		for i, e := range st.Ends {
			if e.Tx == nil || e.Tx.AN != 1 || st.Ends[0].Tx == nil || !bytes.Equal(e.Tx.Key, st.Ends[0].Tx.Key) {
				t.Fatalf("%s: end %d transmits with %+v, want the fifth SAK (AN 1)", st.Name, i, e.Tx)
			}
		}
		if thr := float64(st.Suite.RekeyThreshold()); st.PN[0] >= thr || st.PN[1] >= thr {
			t.Fatalf("%s: PNs %v still past the threshold", st.Name, st.PN)
		}
		if st.Rejected != 0 {
			t.Fatalf("%s: %d protected frames rejected", st.Name, st.Rejected)
		}
	}
	if flaps := controlEvents(s.out, "Established →"); len(flaps) != 0 {
		t.Fatalf("BGP flapped: %v", flaps)
	}
	// Only the channels' capacity holds the flows back.
	for _, f := range s.out.Flows {
		for o := range f.LostBytes {
			if o != string(network.Congestion) {
				t.Fatalf("%s lost %v", f.Name, f.LostBytes)
			}
		}
	}
}

// capturedAt is each frame of a capture with its virtual time.
func capturedAt(t *testing.T, pcap []byte, each func(at time.Duration, pkt gopacket.Packet)) {
	t.Helper()
	r, err := pcapgo.NewReader(bytes.NewReader(pcap))
	if err != nil {
		t.Fatal(err)
	}
	for {
		data, ci, err := r.ReadPacketData()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		each(ci.Timestamp.Sub(captureEpoch), gopacket.NewPacket(data, layers.LayerTypeEthernet, gopacket.Default))
	}
}

// A CAK mismatch at 60 s on channel ch1 (must_encrypt), traffic both ways.
// Each end sees it its own way:
//
//   - The far end's CA restarts with the new key at 60 s, taking its SAs:
//     its port is down at once, its router drops BGP ("MACsec down") and
//     moves the "in" flow to the other channels, so "in" loses nothing.
//   - The AWS end still hears its peer: h, the last MKPDU it validated,
//     is the far end's last hello before 60 s plus the 750 µs latency.
//     It lists the far end live in every MKPDU it sends before h + 6 s
//     (hellos every 2 s, so the last one is in [h + 4 s, h + 6 s) — after
//     the mismatch), and takes its own port down at exactly h + 6 s.
//   - BFD notices first: the far end's last BFD packet b (≤ 60 s) reaches
//     the AWS end at b + 750 µs, which declares it down 3 × 300 ms later,
//     at b + 0.90075 s ≤ 60.90075 s, before h + 6 s > 60 s + 4 s; BGP at
//     the AWS end goes down at that instant ("BFD down").
//   - ch1 carries the "out" flow's share, 4 Gbps / 4 = 1 Gbps, into a
//     link that delivers nothing from 60 s until AWS's BGP moves it at
//     b + 0.90075 s: 1e9 / 8 × (b + 0.90075 − 60) bytes lost.
func TestMismatchEachEndSeesItsOwnWay(t *testing.T) {
	const T = 60 * time.Second
	sc := scenario(80*time.Second, []lang.Flow{flowOf("in", "gcp_vpc.analytics", "vpc.payments", 4*gbps, 1500),
		flowOf("out", "vpc.payments", "gcp_vpc.analytics", 4*gbps, 1500)},
		keyEvent(T, lang.ActionMismatchKey, "aws-gcp-use1/ch1", "", "cak"))
	var outer, inner bytes.Buffer
	s, err := Start(multicloud(t), sc, Options{Seed: 1, Pcap: &outer, PcapInside: &inner})
	if err != nil {
		t.Fatal(err)
	}
	l := mustLink(t, s.n, "aws-gcp-use1/ch1")
	sl := secOf(l)
	s.e.Run(T - 1)
	farMI := sl.Status().Ends[1].MI // the far end's participant before the mismatch
	s.e.Run(sc.Duration)
	s.finish()
	st := sl.Status()
	aws, far := st.Ends[0], st.Ends[1]
	const latency = 750 * time.Microsecond
	if l.Latency != latency {
		t.Fatalf("latency %v, the derivation assumes 750µs", l.Latency)
	}

	// The far end: at once.
	const farDev, awsDev = "us-east4/fac-a/gcp-r1", "us-east-1/fac-a/aws-r1"
	if at := controlAt(t, s.out, "MKA aws-gcp-use1/ch1 at "+farDev+": its CA restarted with the changed CAK; the link is down"); at != T {
		t.Fatalf("far end's CA restarted at %v, want %v", at, T)
	}
	if at := controlAt(t, s.out, "BGP aws-gcp-use1/ch1 at "+farDev+": Established → Idle (MACsec down)"); at != T {
		t.Fatalf("far end's BGP down at %v, want %v", at, T)
	}

	// The AWS end: h is the last far-end MKPDU with the old MI, plus the
	// latency; the AWS participant agrees.
	var lastFar, lastLive, firstNotLive time.Duration = -1, -1, -1
	capturedAt(t, outer.Bytes(), func(at time.Duration, pkt gopacket.Packet) {
		eth, _ := pkt.Layer(layers.LayerTypeEthernet).(*layers.Ethernet)
		if eth == nil || eth.EthernetType != layers.EthernetTypeEAPOL {
			return
		}
		m, err := macsec.ParseMKPDU(eth.Payload)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case bytes.Equal(eth.SrcMAC, far.MAC[:]) && m.MI == farMI:
			lastFar = at
		case bytes.Equal(eth.SrcMAC, aws.MAC[:]) && len(m.Live) == 1 && m.Live[0].MI == farMI:
			lastLive = at
		case bytes.Equal(eth.SrcMAC, aws.MAC[:]) && len(m.Live) == 0 && lastLive >= 0 && firstNotLive < 0:
			firstNotLive = at
		}
	})
	h := lastFar + latency
	if lastFar > T || lastFar <= T-mka.Hello || aws.Heard != h {
		t.Fatalf("last far-end MKPDU sent at %v, heard at %v; want within a hello before %v, heard %v later", lastFar, aws.Heard, T, latency)
	}
	if lastLive < h+4*time.Second || lastLive >= h+mka.Lifetime || lastLive <= T || firstNotLive != lastLive+mka.Hello {
		t.Fatalf("AWS listed the far end live until %v (next MKPDU %v); want the last hello before h + 6 s = %v", lastLive, firstNotLive, h+mka.Lifetime)
	}
	awsDown := controlAt(t, s.out, "MKA aws-gcp-use1/ch1 at "+awsDev+": no live peer for 6s; the link is down: must_encrypt fails closed")
	if awsDown != h+mka.Lifetime {
		t.Fatalf("AWS end down at %v, want h + 6 s = %v", awsDown, h+mka.Lifetime)
	}

	// BFD: the far end's last packet inside MACsec, 0.9 s and the latency.
	lastBFD := time.Duration(-1)
	capturedAt(t, inner.Bytes(), func(at time.Duration, pkt gopacket.Packet) {
		eth, _ := pkt.Layer(layers.LayerTypeEthernet).(*layers.Ethernet)
		udp, _ := pkt.Layer(layers.LayerTypeUDP).(*layers.UDP)
		if eth != nil && udp != nil && udp.DstPort == bfd.Port && bytes.Equal(eth.SrcMAC, far.MAC[:]) {
			lastBFD = at
		}
	})
	wantBFD := lastBFD + latency + 900*time.Millisecond
	if lastBFD > T || lastBFD <= T-300*time.Millisecond {
		t.Fatalf("far end's last BFD packet at %v, want within 300 ms before %v", lastBFD, T)
	}
	if at := controlAt(t, s.out, "BFD aws-gcp-use1/ch1 at "+awsDev+": Up → Down (control detection time expired"); at != wantBFD || at >= awsDown {
		t.Fatalf("AWS BFD down at %v, want %v (before MKA's %v)", at, wantBFD, awsDown)
	}
	if at := controlAt(t, s.out, "BGP aws-gcp-use1/ch1 at "+awsDev+": Established → Idle (BFD down)"); at != wantBFD {
		t.Fatalf("AWS BGP down at %v, want %v", at, wantBFD)
	}

	// The data plane went at 60 s.
	downAt := time.Duration(-1)
	for _, e := range s.out.Events {
		for _, l := range e.Links {
			if l.Link == "aws-gcp-use1/ch1" && !l.Up && downAt < 0 {
				downAt = e.T
			}
		}
	}
	if downAt != T {
		t.Fatalf("ch1 down at %v, want %v", downAt, T)
	}
	if lost := totalLostBytes(s.out.Flows[0]); lost != 0 {
		t.Fatalf("in lost %d bytes", lost)
	}
	want := int64(math.Round(1e9 / 8 * (wantBFD - T).Seconds()))
	if lost := totalLostBytes(s.out.Flows[1]); lost < want-1 || lost > want+1 {
		t.Fatalf("out lost %d bytes, want %d", lost, want)
	}
}

// Under should_encrypt the same mismatch (a CKN this time, on a last-mile
// connection) keeps traffic flowing: from the far end's restart at 30 s in
// the clear, flagged, with no BFD or BGP transition; the AWS end still
// gives up exactly 6 s after the last MKPDU it validated.
func TestMismatchUnderShouldEncryptEachEnd(t *testing.T) {
	const T = 30 * time.Second
	p := withLastMile(t, stdlib.ShouldEncrypt)
	sc := scenario(time.Minute, []lang.Flow{flowOf("down", "vpc.web", "site.nyc-hq", 2*gbps, 1500)},
		keyEvent(T, lang.ActionMismatchKey, "hq/conn1", "", "ckn"))
	s := startSim(t, p, sc)
	sl := secOf(mustLink(t, s.n, "hq/conn1"))
	s.e.Run(sc.Duration)
	s.finish()
	if at := controlAt(t, s.out, "MKA hq/conn1 at "+sl.Ends()[1].Dev.Name+": its CA restarted with the changed CKN; should_encrypt: traffic continues unencrypted"); at != T {
		t.Fatalf("far end restarted at %v, want %v", at, T)
	}
	h := sl.Status().Ends[0].Heard
	if at := controlAt(t, s.out, "MKA hq/conn1 at "+sl.Ends()[0].Dev.Name+": no live peer for 6s; should_encrypt"); at != h+mka.Lifetime || h > T {
		t.Fatalf("AWS end gave up at %v, want %v (6 s after %v)", at, h+mka.Lifetime, h)
	}
	if flaps := append(controlEvents(s.out, "Established →"), controlEvents(s.out, "Up → Down")...); len(flaps) != 0 {
		t.Fatalf("flapped: %v", flaps)
	}
	flagged := time.Duration(-1)
	for _, e := range s.out.Events {
		for _, f := range e.Flows {
			if strings.Join(f.Clear, ",") == "hq/conn1" && flagged < 0 {
				flagged = e.T
			}
		}
	}
	if flagged != T {
		t.Fatalf("the flow is flagged unencrypted from %v, want %v", flagged, T)
	}
	if lost := totalLostBytes(s.out.Flows[0]); lost != 0 {
		t.Fatalf("lost %d bytes", lost)
	}
}

// withLastMile is the last-mile example with every connection in mode.
func withLastMile(t *testing.T, mode stdlib.MACsecMode) *planner.Plan {
	p := plantest.File(t, "../examples/last_mile.star")
	for _, c := range p.LastMiles[0].Connections {
		c.MACsec = mode
	}
	return p
}

// One end's view of the CA goes down while the other's stays up (its port
// reset, as a lifetime running out on one side only would do): it forgets
// its SAK but keeps hearing the key server, which still transmits with
// the old SA. Its MKPDUs now carry no SAK Use; at the second in a row the
// key server draws a new SAK rather than wait forever. The far end's next
// hello f1 is within 2 s of the reset; the key server hears it at
// f1 + 750 µs and the one after at f1 + 2 s + 750 µs, draws the SAK then
// (the last was drawn in the warm-up, more than a lifetime ago); the far
// end installs it a latency later and reports it in SAK Use at once, and
// the key server moves its transmit SA to it one more latency later. Only
// then can each end validate the other's frames: secured again at
// f1 + 2 s + 3 × 750 µs = f1 + 2.00225 s.
func TestOneEndLostItsSAKTheOtherDidNot(t *testing.T) {
	const reset = 60 * time.Second
	sc := scenario(2*time.Minute, []lang.Flow{flowOf("in", "gcp_vpc.analytics", "vpc.payments", 4*gbps, 1500)})
	s := startSim(t, multicloud(t), sc)
	sl := secOf(mustLink(t, s.n, "aws-gcp-use1/ch1"))
	var f1 time.Duration
	s.e.At(reset, func() {
		s.advance()
		sl.ResetPort(1, "its port was reset")
		f1 = sl.Status().Ends[1].Hello
	})
	s.e.Run(sc.Duration)
	s.finish()
	if f1 <= reset || f1 > reset+mka.Hello {
		t.Fatalf("far end's next hello at %v, want within 2 s of %v", f1, reset)
	}
	secured := controlEvents(s.out, "MKA aws-gcp-use1/ch1: secured")
	if want := f1 + mka.Hello + 2250*time.Microsecond; len(secured) != 1 || secured[0].T != want {
		t.Fatalf("secured again at %v, want %v", secured, want)
	}
	if st := sl.Status(); !st.Secured || st.Ends[0].Tx.AN != 1 || st.Ends[1].Tx.AN != 1 || st.Rejected != 0 {
		t.Fatalf("ch1 at the end: secured %v, ANs %d %d, %d rejected", st.Secured, st.Ends[0].Tx.AN, st.Ends[1].Tx.AN, st.Rejected)
	}
	if up := controlEvents(s.out, "BGP aws-gcp-use1/ch1 at us-east4/fac-a/gcp-r1: OpenConfirm → Established"); len(up) == 0 {
		t.Fatalf("BGP never came back: %v", controlEvents(s.out, "aws-gcp-use1/ch1"))
	}
}

// set_bandwidth to 4 Tbps at 60 s (1 Tbps a channel) on a GCM-AES-256
// Interconnect carrying 64-byte packets from the peer, as fast as they go,
// from 1 s. A 32-bit PN cannot keep up, and the channel fails cleanly.
//
// Before: 2.5e9 / 1104 = 2,264,492.75 packets a second for 59 s, so the
// far end's PN is 133,605,072.46 at 60 s. After: 1e12 / 1104 =
// 905,797,101.45 a second, so 0xC0000000 comes (3,221,225,472 −
// 133,605,072.46) / 905,797,101.45 = 3.408732921 s later: rekey 1 at
// 63.408732921 s (BFD and BGP PNs bring it earlier: one session, at most
// 4.48 a second for the 124 s since the SA was installed in the warm-up,
// 556 PNs or 0.61 µs; 1.1 µs is allowed). The far end
// installs the new SAK 750 µs later and starts again at PN 1; its
// 4,294,967,295 PNs last 4.741643894 s, so it runs out at
// rekey 1 + 4.742393894 s ≈ 68.151 s. The key server may draw the next
// SAK only a lifetime after the last, at rekey 1 + 6 s ≈ 69.409 s, and the
// far end has it 750 µs later: until then must_encrypt keeps ch1 down.
// One finding per channel says so; nothing panics. With GCM-AES-XPN-256
// the same scenario neither rekeys nor runs out (0xC000000000000000 PNs
// last 1.5e10 s at this rate).
func TestPNExhaustedFailsTheChannelCleanly(t *testing.T) {
	f := flowOf("small", "gcp_vpc.analytics", "vpc.payments", 10000*gbps, 64)
	f.Start = time.Second
	ev := at(60*time.Second, lang.ActionSetBandwidth, lang.TargetInterconnect, "aws-gcp-use1")
	ev.Bandwidth = stdlib.Bandwidth(4e12)
	sc := scenario(75*time.Second, []lang.Flow{f}, ev)

	s := startSim(t, withCipher(t, macsec.GCMAES256), sc)
	s.e.Run(sc.Duration)
	s.finish()
	rekeys := controlEvents(s.out, "MKA aws-gcp-use1/ch1: rekey")
	if len(rekeys) < 2 {
		t.Fatalf("rekeys %v", rekeys)
	}
	r1 := rekeys[0].T
	if d := 63.408732921 - r1.Seconds(); d < -1e-9 || d > 1.1e-6 {
		t.Fatalf("rekey 1 at %v, want 63.408732921s less at most 1.1µs", r1)
	}
	out := controlEvents(s.out, "MKA aws-gcp-use1/ch1 at us-east4/fac-a/gcp-r1: the packet number of AN 1 reached 0xffffffff")
	if len(out) != 1 {
		t.Fatalf("exhaustion %v", out)
	}
	wantOut := r1 + 4742393893*time.Nanosecond
	if d := (out[0].T - wantOut).Abs(); d > time.Microsecond {
		t.Fatalf("PN ran out at %v, want %v", out[0].T, wantOut)
	}
	if r2 := rekeys[1].T; r2 != r1+mka.Lifetime {
		t.Fatalf("rekey 2 at %v, want a lifetime after rekey 1: %v", r2, r1+mka.Lifetime)
	}
	// Down from the exhaustion until the far end has the next SAK.
	var down, up time.Duration = -1, -1
	for _, e := range s.out.Events {
		for _, l := range e.Links {
			if l.Link == "aws-gcp-use1/ch1" && !l.Up && down < 0 {
				down = e.T
			}
			if l.Link == "aws-gcp-use1/ch1" && l.Up && down >= 0 && up < 0 {
				up = e.T
			}
		}
	}
	if down != out[0].T || up != r1+mka.Lifetime+750*time.Microsecond {
		t.Fatalf("ch1 down from %v to %v, want %v to %v", down, up, out[0].T, r1+mka.Lifetime+750*time.Microsecond)
	}
	var found *Finding
	for i, fd := range s.out.Findings {
		if fd.Rule == "macsec-pn-exhausted" && strings.HasPrefix(fd.Message, "aws-gcp-use1/ch1:") {
			if found != nil {
				t.Fatalf("two findings for ch1: %+v", s.out.Findings)
			}
			found = &s.out.Findings[i]
		}
	}
	if found == nil || found.Severity != "error" || found.T != out[0].T || len(s.out.Findings) != 4 ||
		!strings.Contains(found.Message, "ran out at 68.151s") || !strings.Contains(found.Message, "a SAK lasts 4.742s") ||
		!strings.Contains(found.Hint, `"GCM-AES-XPN-256"`) {
		t.Fatalf("finding %+v of %+v", found, s.out.Findings)
	}

	x := startSim(t, withCipher(t, macsec.GCMAESXPN256), sc)
	x.e.Run(sc.Duration)
	x.finish()
	if r := controlEvents(x.out, ": rekey"); len(r) != 0 || len(x.out.Findings) != 0 {
		t.Fatalf("XPN: rekeys %v, findings %+v", r, x.out.Findings)
	}
}

// Hellos are not jittered and the lifetime is three of them, so when two
// of the peer's MKPDUs are lost, the third arrives at the very instant the
// lifetime it restarts would end (last heard + 6 s). The lifetime, set
// when the last MKPDU was heard, ends first (the queue runs events of one
// instant in the order they were set): the port goes down, as IEEE
// 802.1X-2010 §9.4 has it once no MKPDU came within the lifetime. Here the
// channel (300 ms one way) fails for 3 s from 30 s; with seed 1 the far
// end's last MKPDU before the failure reached the AWS end at
// 28.403985836 s.
func TestMKAPeerHeardAtTheLifetimesEndIsTooLate(t *testing.T) {
	p := multicloud(t)
	for _, l := range p.Topology().Links {
		if strings.HasPrefix(l.Name, "aws-gcp-use1/") {
			l.Latency = 300 * time.Millisecond
		}
	}
	sc := scenario(50*time.Second, nil,
		at(30*time.Second, lang.ActionFail, lang.TargetChannel, "aws-gcp-use1/ch1"),
		at(33*time.Second, lang.ActionRestore, lang.TargetChannel, "aws-gcp-use1/ch1"))
	tr, err := run(p, sc, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	const farDev = "us-east4/fac-a/gcp-r1"
	if got, want := controlAt(t, tr, "MKA aws-gcp-use1/ch1 at "+farDev+": no live peer for 6s"), 34403985836*time.Nanosecond; got != want {
		t.Fatalf("the far end gave up on its peer at %v, want %v", got, want)
	}
}
