package sim

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"patchbay/lang"
	"patchbay/planner/plantest"
	"patchbay/sim/macsec"
	"patchbay/stdlib"
)

func keyEvent(t time.Duration, action lang.EventAction, channel, by, key string) lang.Event {
	e := at(t, action, lang.TargetChannel, channel)
	e.By, e.Key = by, key
	return e
}

func totalLostBytes(f FlowSummary) int64 {
	n := int64(0)
	for _, v := range f.LostBytes {
		n += v
	}
	return n
}

// Under must_encrypt a key mismatch takes the channel down at once: the far
// end's CA restarts with its new key, taking its SAs, so nothing crosses.
// Its router knows at once and BGP there moves the traffic to the other
// three channels, so nothing is lost; the AWS end gives up once MKA's
// live-peer lifetime runs out (mka_timing_test.go has the exact times).
func TestKeyMismatchUnderMustEncryptFailsClosed(t *testing.T) {
	sc := scenario(3*time.Minute, []lang.Flow{flowOf("in", "gcp_vpc.analytics", "vpc.payments", 4*gbps, 1500)},
		keyEvent(60*time.Second, lang.ActionMismatchKey, "aws-gcp-use1/ch1", "", "cak"))
	s := startSim(t, multicloud(t), sc)
	if !secOf(mustLink(t, s.n, "aws-gcp-use1/ch1")).Secured() {
		t.Fatal("ch1 not secured at the start")
	}
	s.e.Run(sc.Duration)
	s.finish()
	restart := controlAt(t, s.out, "MKA aws-gcp-use1/ch1 at us-east4/fac-a/gcp-r1: its CA restarted with the changed CAK; the link is down: must_encrypt fails closed")
	if restart != 60*time.Second {
		t.Fatalf("the far end's CA restarted at %v, want 60s", restart)
	}
	if bgp := controlAt(t, s.out, "BGP aws-gcp-use1/ch1 at us-east4/fac-a/gcp-r1: Established → Idle (MACsec down)"); bgp != restart {
		t.Fatalf("BGP down at %v, the far end's MKA at %v", bgp, restart)
	}
	// The AWS end gives up within a lifetime of the mismatch.
	down := controlAt(t, s.out, "MKA aws-gcp-use1/ch1 at us-east-1/fac-a/aws-r1: no live peer for 6s; the link is down: must_encrypt fails closed")
	if down <= 60*time.Second || down > 66*time.Second {
		t.Fatalf("MKA gave up at %v, want within the 6 s lifetime (60–66 s)", down)
	}
	wantLoads(t, "after", loads(s, "aws-gcp-use1"), 0, 4*gbps/3, 4*gbps/3, 4*gbps/3)
	if f := s.out.Flows[0]; totalLostBytes(f) != 0 {
		t.Fatalf("lost %v", f.LostBytes)
	}
}

// Under should_encrypt the same mismatch keeps traffic flowing, in the
// clear, and the timeline says so.
func TestKeyMismatchUnderShouldEncryptCarriesOnInTheClear(t *testing.T) {
	p := plantest.File(t, "../examples/last_mile.star")
	for _, c := range p.LastMiles[0].Connections {
		c.MACsec = stdlib.ShouldEncrypt
	}
	sc := scenario(2*time.Minute, []lang.Flow{flowOf("down", "vpc.web", "site.nyc-hq", 2*gbps, 1500)},
		keyEvent(30*time.Second, lang.ActionMismatchKey, "hq/conn1", "", "ckn"))
	s := startSim(t, p, sc)
	s.e.Run(sc.Duration)
	s.finish()
	if at := controlAt(t, s.out, "its CA restarted with the changed CKN; should_encrypt: traffic continues unencrypted"); at != 30*time.Second {
		t.Fatalf("the far end's CA restarted at %v, want 30s", at)
	}
	if at := controlAt(t, s.out, "no live peer for 6s; should_encrypt: traffic continues unencrypted"); at <= 30*time.Second || at > 36*time.Second {
		t.Fatalf("the AWS end gave up at %v, want within the 6 s lifetime (30–36 s)", at)
	}
	if f := s.out.Flows[0]; totalLostBytes(f) != 0 {
		t.Fatalf("lost %v", f.LostBytes)
	}
	flagged := false
	for _, e := range s.out.Events {
		for _, f := range e.Flows {
			if strings.Join(f.Clear, ",") == "hq/conn1" {
				flagged = true
			}
		}
	}
	if !flagged {
		t.Fatal("the timeline never flags the flow as unencrypted over hq/conn1")
	}
}

// A rotation by the book — the manager, one channel at a time, the
// previous key removed, two hours' bake before the next — loses nothing.
func TestRotationByTheBookLosesNothing(t *testing.T) {
	var events []lang.Event
	for i, ch := range []string{"ch1", "ch2", "ch3", "ch4"} {
		start := time.Duration(i)*(2*time.Hour+10*time.Minute) + 10*time.Minute
		events = append(events, keyEvent(start, lang.ActionRotateKey, "aws-gcp-use1/"+ch, "aws", ""),
			keyEvent(start+time.Hour, lang.ActionRemoveKey, "aws-gcp-use1/"+ch, "", "previous"))
	}
	sc := scenario(9*time.Hour, []lang.Flow{flowOf("in", "gcp_vpc.analytics", "vpc.payments", 4*gbps, 1500),
		flowOf("out", "vpc.payments", "gcp_vpc.analytics", 4*gbps, 1500)}, events...)
	tr, err := run(multicloud(t), sc, Options{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Findings) != 0 {
		t.Fatalf("findings %+v", tr.Findings)
	}
	for _, f := range tr.Flows {
		if totalLostBytes(f) != 0 {
			t.Fatalf("%s lost %v", f.Name, f.LostBytes)
		}
	}
	for _, ch := range []string{"ch1", "ch2", "ch3", "ch4"} {
		controlAt(t, tr, "MKA aws-gcp-use1/"+ch+": rotation to key 2 complete")
	}
}

// Rotations against the specification are refused and reported.
func TestRotationRulesAreEnforced(t *testing.T) {
	sc := scenario(4*time.Hour, nil,
		keyEvent(1*time.Minute, lang.ActionRotateKey, "aws-gcp-use1/ch1", "gcp", ""),             // not the manager
		keyEvent(2*time.Minute, lang.ActionRotateKey, "aws-gcp-use1/ch1", "aws", ""),             // fine
		keyEvent(3*time.Minute, lang.ActionRotateKey, "aws-gcp-use1/ch1", "aws", ""),             // a third key
		keyEvent(4*time.Minute, lang.ActionRotateKey, "aws-gcp-use1/ch2", "aws", ""),             // within the bake
		keyEvent(5*time.Minute, lang.ActionRemoveKey, "aws-gcp-use1/ch1", "", "active"),          // the active key
		keyEvent(6*time.Minute, lang.ActionRemoveKey, "aws-gcp-use1/ch1", "", "previous"),        // fine
		keyEvent(2*time.Hour+3*time.Minute, lang.ActionRotateKey, "aws-gcp-use1/ch2", "aws", ""), // after the bake: fine
	)
	tr, err := run(multicloud(t), sc, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"gcp tried to rotate the MACsec key of aws-gcp-use1/ch1, whose manager is aws",
		"aws-gcp-use1/ch1 already has two keys",
		"aws-gcp-use1/ch1 finished rotating at",
		"removing the active MACsec key of aws-gcp-use1/ch1",
	}
	if len(tr.Findings) != len(want) || !tr.HasErrors() {
		t.Fatalf("findings %+v", tr.Findings)
	}
	for i, w := range want {
		if !strings.Contains(tr.Findings[i].Message, w) {
			t.Errorf("finding %d: %q, want %q", i, tr.Findings[i].Message, w)
		}
	}
	controlAt(t, tr, "MKA aws-gcp-use1/ch2: rotation to key 2 complete")
}

// An Interconnect of N channels holds at most N+1 keys (the open
// specification's MacSecKey schema): after ch1's rotation it holds five
// on four channels, so ch2 may rotate only once ch1's previous key is
// removed, bake or no bake.
func TestInterconnectHoldsAtMostOneKeyMoreThanChannels(t *testing.T) {
	sc := scenario(3*time.Hour, nil,
		keyEvent(1*time.Minute, lang.ActionRotateKey, "aws-gcp-use1/ch1", "aws", ""),
		keyEvent(2*time.Hour+10*time.Minute, lang.ActionRotateKey, "aws-gcp-use1/ch2", "aws", ""), // a sixth key
		keyEvent(2*time.Hour+20*time.Minute, lang.ActionRemoveKey, "aws-gcp-use1/ch1", "", "previous"),
		keyEvent(2*time.Hour+30*time.Minute, lang.ActionRotateKey, "aws-gcp-use1/ch2", "aws", ""), // fine
	)
	tr, err := run(multicloud(t), sc, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	want := "aws-gcp-use1 would hold 6 MACsec keys on its 4 channels: at most one more than its channels (aws-gcp-use1/ch1 still holds two)"
	if len(tr.Findings) != 1 || !strings.Contains(tr.Findings[0].Message, want) {
		t.Fatalf("findings %+v, want one: %q", tr.Findings, want)
	}
	controlAt(t, tr, "MKA aws-gcp-use1/ch2: rotation to key 2 complete")
}

// A 32-bit packet number runs out: GCM-AES-256 rekeys whenever a channel's
// PN reaches 0xC0000000 at its packet rate; XPN-256 never does in a run.
func TestPacketNumbersForceRekeysWithoutXPN(t *testing.T) {
	const src = `
v = vpc("v", region = "us-east-1", cidr = "10.10.0.0/16", mtu = 8500)
g = gcp_vpc("g", project = "p", region = "us-east4", cidr = "10.20.0.0/16", mtu = 8500)
dx = dx_gateway("dx", asn = 64512)
vgw = vpn_gateway(v, asn = 64513)
attach(dx, vgw, allowed_prefixes = [v.cidr])
interconnect("ic", provider = "gcp", aws_region = "us-east-1", peer_region = "us-east4", bandwidth = "100Gbps", attach_to = dx, peer = g)
`
	// 40 Gbps of 64-byte packets split over four 25 Gbps channels: 10 Gbps
	// of IP, or 10e9/(8*64) = 19,531,250 packets a second, on each. On the
	// wire each packet is 138 octets (DOMAIN §8), 21.56 Gbps: it fits.
	flows := []lang.Flow{flowOf("small", "gcp_vpc.g", "vpc.v", 40*gbps, 64)}
	rekeys := func(suite macsec.CipherSuite) []time.Duration {
		p := plantest.Source(t, src)
		for _, ch := range p.Interconnects[0].Channels {
			ch.MACsecCipher = suite.String()
		}
		tr, err := run(p, scenario(10*time.Minute, flows), Options{Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		if f := tr.Flows[0]; totalLostBytes(f) != 0 {
			t.Fatalf("%s: lost %v", suite, f.LostBytes)
		}
		var out []time.Duration
		for _, e := range tr.Events {
			if e.Kind == "control" && strings.HasPrefix(e.Message, "MKA ic/ch1: rekey") {
				out = append(out, e.T)
			}
		}
		return out
	}
	got := rekeys(macsec.GCMAES256)
	// 0xC0000000 / 19,531,250 = 164.93 s between rekeys: three in ten
	// minutes.
	pps := 10 * gbps / (8 * 64.0)
	interval := time.Duration(float64(0xC0000000) / pps * 1e9)
	if n := int(10 * time.Minute / interval); n != 3 {
		t.Fatalf("%d rekeys expected by the arithmetic, the comment says 3", n)
	}
	if len(got) != int(10*time.Minute/interval) {
		t.Fatalf("GCM-AES-256 rekeyed at %v, want every %v", got, interval)
	}
	for i, at := range got {
		// Each new SAK starts counting when both ends have it, a round trip
		// of the channel after the last; BFD and BGP take a few PNs too.
		want := time.Duration(i+1) * interval
		if d := (at - want).Abs(); d > time.Duration(i+1)*5*time.Millisecond {
			t.Fatalf("rekey %d at %v, want %v", i+1, at, want)
		}
	}
	if got := rekeys(macsec.GCMAESXPN256); len(got) != 0 {
		t.Fatalf("XPN-256 rekeyed at %v", got)
	}
}

// A run without a capture leaves MKPDUs unsigned where the receiver would
// check them with the sender's own key (mka's receive): it must tell the
// same story as a run that signs and checks every one, through key
// mismatches (a changed CAK, which only the ICV reveals, and a changed
// CKN) and a rotation.
func TestMKAWithoutCaptureAsWithOne(t *testing.T) {
	sc := scenario(3*time.Minute, []lang.Flow{flowOf("in", "gcp_vpc.analytics", "vpc.payments", 4*gbps, 1500)},
		keyEvent(30*time.Second, lang.ActionRotateKey, "aws-gcp-use1/ch3", "aws", ""),
		keyEvent(60*time.Second, lang.ActionMismatchKey, "aws-gcp-use1/ch1", "", "cak"),
		keyEvent(90*time.Second, lang.ActionMismatchKey, "aws-gcp-use1/ch2", "", "ckn"))
	run := func(pcap io.Writer) []byte {
		s, err := Start(multicloud(t), sc, Options{Seed: 1, Pcap: pcap})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.e.Run(sc.Duration); err != nil {
			t.Fatal(err)
		}
		s.finish()
		b, err := json.Marshal(s.out)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	without, with := run(nil), run(io.Discard)
	if !bytes.Equal(without, with) {
		t.Fatalf("the trace differs with a capture:\n%s\nwithout:\n%s", with, without)
	}
	for _, want := range []string{"its CA restarted with the changed CAK", "its CA restarted with the changed CKN", "no live peer for 6s"} {
		if !bytes.Contains(without, []byte(want)) {
			t.Errorf("no %q in the trace", want)
		}
	}
}
