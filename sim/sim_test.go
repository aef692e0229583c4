package sim

import (
	"errors"
	"math"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"patchbay/lang"
	"patchbay/planner"
	"patchbay/planner/plantest"
	"patchbay/sim/network"
	"patchbay/stdlib"
)

const gbps = 1e9

func ref(s string) lang.Ref {
	k, n, _ := strings.Cut(s, ".")
	return lang.Ref{Kind: lang.Kind(k), Name: n}
}

func flowOf(name, from, to string, rate float64, size int) lang.Flow {
	return lang.Flow{Name: name, From: ref(from), To: ref(to), Rate: stdlib.Bandwidth(rate), PacketSize: size}
}

func probeOf(name, from, to string) lang.Probe {
	return lang.Probe{Name: name, From: ref(from), To: ref(to), Interval: time.Second, PacketSize: 64}
}

func at(t time.Duration, action lang.EventAction, kind lang.TargetKind, name string) lang.Event {
	return lang.Event{At: t, Action: action, Target: lang.Target{Kind: kind, Name: name}}
}

func scenario(d time.Duration, flows []lang.Flow, events ...lang.Event) *lang.Scenario {
	return &lang.Scenario{Meta: lang.Meta{Name: "test"}, Duration: d, Flows: flows, Events: events}
}

// startSim starts a run and takes it through the warm-up to time zero.
func startSim(t *testing.T, p *planner.Plan, sc *lang.Scenario) *Sim {
	t.Helper()
	s, err := Start(p, sc, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	s.e.Run(0)
	return s
}

// controlAt is when the first control event containing text happened.
func controlAt(t *testing.T, tr *Trace, text string) time.Duration {
	t.Helper()
	for _, e := range tr.Events {
		if e.Kind == "control" && strings.Contains(e.Message, text) {
			return e.T
		}
	}
	t.Fatalf("no control event %q", text)
	return 0
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-6*max(1, math.Abs(a), math.Abs(b)) }

// securedOverhead is what a packet takes on a MACsec link besides its own
// bytes: 14 (Ethernet) + 4 (802.1Q) + 16 (SecTAG with SCI) + 16 (ICV) + 4
// (FCS) + 20 (preamble and inter-frame gap) = 74 octets (DOMAIN §8).
const securedOverhead = 74

// goodput is what a MACsec link of capacity c carries of 1500-byte
// packets: each takes 1574 bytes of line time.
func goodput(c float64) float64 { return c * 1500 / (1500 + securedOverhead) }

// loads returns the load on each channel of an Interconnect in the
// direction from the peer cloud to AWS (B → A).
func loads(s *Sim, group string) []float64 {
	var out []float64
	for _, l := range s.n.Groups[group] {
		out = append(out, s.load[network.Dir{Link: l, Side: 1}])
	}
	return out
}

func wantLoads(t *testing.T, when string, got []float64, want ...float64) {
	t.Helper()
	for i := range want {
		if i >= len(got) || !near(got[i], want[i]) {
			t.Fatalf("%s: channel loads %v, want %v", when, got, want)
		}
	}
}

func multicloud(t *testing.T) *planner.Plan { return plantest.File(t, "../examples/multicloud.star") }

// A channel failure is invisible to the routers at its ends (the fault is
// in the cross-connect or a provider's transport), so its share of the
// traffic is lost until BFD notices: 3 × 300 ms after the last packet it
// received. Then the other three channels carry it all.
func TestFailChannelMovesFlowsToTheOtherThreeAtDetection(t *testing.T) {
	sc := scenario(2*time.Minute, []lang.Flow{flowOf("in", "gcp_vpc.analytics", "vpc.payments", 4*gbps, 1500)},
		at(60*time.Second, lang.ActionFail, lang.TargetChannel, "aws-gcp-use1/ch1"))
	s := startSim(t, multicloud(t), sc)
	s.e.Run(60*time.Second - 1)
	wantLoads(t, "before", loads(s, "aws-gcp-use1"), gbps, gbps, gbps, gbps)
	s.e.Run(60 * time.Second)
	wantLoads(t, "at 60s", loads(s, "aws-gcp-use1"), 0, gbps, gbps, gbps)
	if f := s.flows[0]; !near(f.Lost[network.LinkDown], gbps) {
		t.Fatalf("at 60s lost %v, want 1 Gbps routed into the dead channel", f.Lost)
	}
	s.e.Run(61 * time.Second)
	wantLoads(t, "at 61s", loads(s, "aws-gcp-use1"), 0, 4*gbps/3, 4*gbps/3, 4*gbps/3)
	s.e.Run(sc.Duration)
	s.finish()
	ch1, _ := s.n.Link("aws-gcp-use1/ch1")
	detected := controlAt(t, s.out, "BFD aws-gcp-use1/ch1 at us-east4/fac-a/gcp-r1: Up → Down (control detection time expired")
	lo, hi := 60*time.Second+600*time.Millisecond+ch1.Latency, 60*time.Second+900*time.Millisecond+ch1.Latency
	if detected <= lo || detected > hi {
		t.Fatalf("BFD detected at %v, want in (%v, %v]", detected, lo, hi)
	}
	if at := controlAt(t, s.out, "BGP aws-gcp-use1/ch1 at us-east4/fac-a/gcp-r1: Established → Idle (BFD down)"); at != detected {
		t.Fatalf("BGP down at %v, BFD at %v: BFD must tear BGP down at once", at, detected)
	}
	f := s.out.Flows[0]
	want := int64(math.Round(gbps * (detected - 60*time.Second).Seconds() / 8))
	if got := f.LostBytes["link-down"]; got < want-1 || got > want+1 || len(f.LostBytes) != 1 {
		t.Fatalf("lost %v, want %d bytes link-down (1 Gbps for %v)", f.LostBytes, want, detected-60*time.Second)
	}
}

// Without BFD only the BGP hold timer notices: the customer router keeps
// sending a quarter of its traffic into the dead connection for up to 90 s.
func TestWithoutBFDTheHoldTimerDetects(t *testing.T) {
	src, err := os.ReadFile("../examples/last_mile.star")
	if err != nil {
		t.Fatal(err)
	}
	// Without MACsec too: MKA would notice within its 6 s lifetime.
	design := regexp.MustCompile(`(?m)^\s*macsec(_mode|_cipher)? = .*\n`).ReplaceAllString(string(src), "")
	p := plantest.Source(t, strings.Replace(design, "attach_to = dxgw,", "attach_to = dxgw,\n    bfd = False,\n    macsec = False,", 1))
	for _, ps := range p.Sessions {
		if ps.BFD != nil {
			t.Fatal("last_mile(bfd = False) still runs BFD")
		}
	}
	sc := scenario(4*time.Minute, []lang.Flow{flowOf("up", "site.nyc-hq", "vpc.web", 4*gbps, 1500)},
		at(60*time.Second, lang.ActionFail, lang.TargetChannel, "hq/conn1"))
	tr, err := run(p, sc, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	expired := controlAt(t, tr, "BGP hq/conn1 at nyc-hq/router: Established → Idle (hold timer expired")
	// The last keepalive arrived in the 30 s before the failure (22.5–30 s
	// apart with jitter), so the 90 s hold timer runs out 120–150 s in.
	if expired <= 120*time.Second || expired > 150*time.Second+time.Millisecond {
		t.Fatalf("hold timer expired at %v, want in (120s, 150s]", expired)
	}
	f := tr.Flows[0]
	if len(f.Outages) != 1 || f.Outages[0].Start != 60*time.Second || f.Outages[0].End != expired || f.Outages[0].Cause[0] != "link-down" {
		t.Fatalf("outages %+v, want the blackhole from 60s to %v", f.Outages, expired)
	}
	want := int64(math.Round(gbps * (expired - 60*time.Second).Seconds() / 8))
	if got := f.LostBytes["link-down"]; got < want-1 || got > want+1 {
		t.Fatalf("lost %d bytes, want %d", got, want)
	}
}

// Losing one of two facilities halves an Interconnect's capacity; once
// BFD notices, a flow above the half loses exactly the excess.
func TestFailFacilityHalvesCapacity(t *testing.T) {
	sc := scenario(5*time.Minute, []lang.Flow{flowOf("in", "gcp_vpc.analytics", "vpc.payments", 8*gbps, 1500)},
		at(60*time.Second, lang.ActionFail, lang.TargetFacility, "us-east-1/fac-a"),
		at(180*time.Second, lang.ActionRestore, lang.TargetFacility, "us-east-1/fac-a"))
	s := startSim(t, multicloud(t), sc)
	if c := groupCapacity(s.n.Groups["aws-gcp-use1"]); c != 10*gbps {
		t.Fatalf("capacity %v, want 10 Gbps", c)
	}
	s.e.Run(61 * time.Second)
	if c := groupCapacity(s.n.Groups["aws-gcp-use1"]); c != 5*gbps {
		t.Fatalf("capacity with fac-a down %v, want 5 Gbps", c)
	}
	wantLoads(t, "fac-a down", loads(s, "aws-gcp-use1"), 0, 0, goodput(2.5*gbps), goodput(2.5*gbps))
	if f := s.flows[0]; !near(f.Delivered, goodput(5*gbps)) || !near(f.Lost[network.Congestion], 8*gbps-goodput(5*gbps)) {
		t.Fatalf("delivered %v lost %v, want what 5 Gbps carries with MACsec", f.Delivered, f.Lost)
	}
	// After the restore, BFD comes back at once and BGP as soon as the far
	// end's next SYN retransmission gets through.
	s.e.Run(sc.Duration - time.Second)
	wantLoads(t, "restored", loads(s, "aws-gcp-use1"), 2*gbps, 2*gbps, 2*gbps, 2*gbps)
	s.e.Run(sc.Duration)
	s.finish()
	f := s.out.Flows[0]
	if f.Blackout != 0 || f.LostBytes["congestion"] == 0 || f.LostBytes["link-down"] == 0 {
		t.Fatalf("flow %+v", f)
	}
}

// A LAG member failing takes its share of the channel's capacity at once
// (LACP sees it); the channel goes down only below its minimum links, and
// that BFD notices.
func TestFailLinkMemberThenChannelBelowMinimumLinks(t *testing.T) {
	sc := scenario(3*time.Minute, []lang.Flow{flowOf("in", "gcp_vpc.analytics", "vpc.payments", 8*gbps, 1500)},
		at(60*time.Second, lang.ActionFail, lang.TargetLink, "aws-gcp-use1/ch1/m1"),
		at(120*time.Second, lang.ActionFail, lang.TargetLink, "aws-gcp-use1/ch1/m2"))
	s := startSim(t, multicloud(t), sc)
	s.e.Run(60 * time.Second)
	ch1, _ := s.n.Link("aws-gcp-use1/ch1")
	if !ch1.Up() || ch1.Capacity() != 1.25*gbps {
		t.Fatalf("ch1 with one member: up %v capacity %v", ch1.Up(), ch1.Capacity())
	}
	// Traffic still splits four ways (ECMP knows nothing of capacity): ch1
	// carries 1.25 of its 2 Gbps share.
	wantLoads(t, "one member down", loads(s, "aws-gcp-use1"), goodput(1.25*gbps), 2*gbps, 2*gbps, 2*gbps)
	if f := s.flows[0]; !near(f.Delivered, 6*gbps+goodput(1.25*gbps)) || !near(f.Lost[network.Congestion], 2*gbps-goodput(1.25*gbps)) {
		t.Fatalf("delivered %v lost %v", f.Delivered, f.Lost)
	}
	s.e.Run(122 * time.Second)
	if ch1.Up() {
		t.Fatal("ch1 up with no members")
	}
	wantLoads(t, "channel down", loads(s, "aws-gcp-use1"), 0, goodput(2.5*gbps), goodput(2.5*gbps), goodput(2.5*gbps))
	if f := s.flows[0]; !near(f.Delivered, goodput(7.5*gbps)) {
		t.Fatalf("delivered %v, want what 7.5 Gbps carries", f.Delivered)
	}
}

// A failed router takes its channel with it; a failed gateway leaves the
// VPC without a route, and the timeline says where traffic stops.
func TestFailDevice(t *testing.T) {
	sc := scenario(3*time.Minute, []lang.Flow{flowOf("out", "vpc.payments", "gcp_vpc.analytics", 4*gbps, 1500)},
		at(30*time.Second, lang.ActionFail, lang.TargetDevice, "us-east-1/fac-a/aws-r1"),
		at(60*time.Second, lang.ActionFail, lang.TargetDevice, "vpn_gateway.payments-vgw"),
		at(90*time.Second, lang.ActionRestore, lang.TargetDevice, "vpn_gateway.payments-vgw"))
	s := startSim(t, multicloud(t), sc)
	s.e.Run(30 * time.Second)
	ch1, _ := s.n.Link("aws-gcp-use1/ch1")
	if ch1.Up() {
		t.Fatal("ch1 up with its AWS router down")
	}
	// Inside AWS the router's failure is seen at once: the VGW stops
	// sending it anything.
	var out []float64
	for _, l := range s.n.Groups["aws-gcp-use1"] {
		out = append(out, s.load[network.Dir{Link: l, Side: 0}])
	}
	wantLoads(t, "router down", out, 0, 4*gbps/3, 4*gbps/3, 4*gbps/3)
	s.e.Run(60 * time.Second)
	f := s.flows[0]
	if f.Delivered != 0 || !near(f.Lost[network.NoRoute], 4*gbps) {
		t.Fatalf("with the VGW down: delivered %v lost %v", f.Delivered, f.Lost)
	}
	if why := f.change(nil).Why; len(why) != 1 || !strings.Contains(why[0], "vpc.payments has no route to 10.20.0.1") {
		t.Fatalf("why: %q", why)
	}
	s.e.Run(sc.Duration)
	s.finish()
	if fs := s.out.Flows[0]; fs.Blackout != 30*time.Second {
		t.Fatalf("blackout %v, want 30s", fs.Blackout)
	}
}

// set_bandwidth changes an Interconnect's capacity without reprovisioning.
func TestSetBandwidth(t *testing.T) {
	ev := at(60*time.Second, lang.ActionSetBandwidth, lang.TargetInterconnect, "aws-gcp-use1")
	ev.Bandwidth = stdlib.Bandwidth(20 * gbps)
	sc := scenario(2*time.Minute, []lang.Flow{flowOf("in", "gcp_vpc.analytics", "vpc.payments", 12*gbps, 1500)}, ev)
	s := startSim(t, multicloud(t), sc)
	if f := s.flows[0]; !near(f.Delivered, goodput(10*gbps)) {
		t.Fatalf("at 10 Gbps: delivered %v", f.Delivered)
	}
	s.e.Run(60 * time.Second)
	if c := groupCapacity(s.n.Groups["aws-gcp-use1"]); c != 20*gbps {
		t.Fatalf("capacity %v, want 20 Gbps", c)
	}
	if f := s.flows[0]; !near(f.Delivered, 12*gbps) || len(network.SortedOutcomes(f.Lost)) != 0 {
		t.Fatalf("at 20 Gbps: delivered %v lost %v", f.Delivered, f.Lost)
	}
}

// The open specification forbids two devices of one Interconnect in
// scheduled maintenance at once; a scenario that does it is reported.
func TestMaintenanceOverlapIsReported(t *testing.T) {
	maint := func(t time.Duration, dev string, d time.Duration) lang.Event {
		e := at(t, lang.ActionMaintenance, lang.TargetDevice, dev)
		e.Duration = d
		return e
	}
	flows := []lang.Flow{flowOf("in", "gcp_vpc.analytics", "vpc.payments", 4*gbps, 1500)}
	ok := scenario(10*time.Minute, flows, maint(time.Minute, "us-east-1/fac-a/aws-r1", 2*time.Minute),
		maint(4*time.Minute, "us-east-1/fac-b/aws-r1", 2*time.Minute))
	s := startSim(t, multicloud(t), ok)
	s.e.Run(2 * time.Minute)
	wantLoads(t, "in maintenance", loads(s, "aws-gcp-use1"), 0, 4*gbps/3, 4*gbps/3, 4*gbps/3)
	s.e.Run(ok.Duration)
	s.finish()
	if len(s.out.Findings) != 0 {
		t.Fatalf("windows one after the other reported: %+v", s.out.Findings)
	}
	bad := scenario(10*time.Minute, flows, maint(time.Minute, "us-east-1/fac-a/aws-r1", 5*time.Minute),
		maint(4*time.Minute, "us-east4/fac-b/gcp-r1", 2*time.Minute))
	tr, err := run(multicloud(t), bad, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Findings) != 1 || tr.Findings[0].Rule != "maintenance-overlap" || tr.Findings[0].T != 4*time.Minute || !tr.HasErrors() {
		t.Fatalf("findings %+v", tr.Findings)
	}
	if !strings.Contains(tr.Findings[0].Message, "us-east-1/fac-a/aws-r1 and us-east4/fac-b/gcp-r1") {
		t.Fatalf("message %q", tr.Findings[0].Message)
	}
}

const jumboDesign = `
hub = transit_gateway("hub", region = "us-east-1", asn = 64520)
big = vpc("big", region = "us-east-1", cidr = "10.1.0.0/16", mtu = 9001)
other = vpc("other", region = "us-east-1", cidr = "10.2.0.0/16", mtu = 9001)
attach(big, hub)
attach(other, hub)
`

// A Transit Gateway carries 8500 bytes: 9001-byte packets are all dropped
// (a flow's packets keep their size), and the timeline says why, and that
// the gateway answers with ICMP, as it has since November 2024.
func TestJumboFramesThroughTGWAreDropped(t *testing.T) {
	p := plantest.Source(t, jumboDesign)
	sc := scenario(time.Minute, []lang.Flow{
		flowOf("jumbo", "vpc.big", "vpc.other", gbps, 9001),
		flowOf("fits", "vpc.big", "vpc.other", gbps, 8500),
	})
	tr, err := run(p, sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	j, f := tr.Flows[0], tr.Flows[1]
	if j.DeliveredBytes != 0 || j.LostBytes["mtu"] != j.DemandBytes || j.Blackout != time.Minute {
		t.Fatalf("jumbo flow: %+v", j)
	}
	if f.DeliveredBytes != f.DemandBytes {
		t.Fatalf("8500-byte flow: %+v", f)
	}
	why := strings.Join(tr.Events[0].Flows[0].Why, "\n")
	for _, want := range []string{"9001-byte packets exceed the 8500-byte MTU", "transit_gateway.hub drops them and sends ICMP \"fragmentation needed\""} {
		if !strings.Contains(why, want) {
			t.Errorf("why %q lacks %q", why, want)
		}
	}
}

// Probes time the sum of link latencies out and back, from the catalog.
func TestProbeRTTIsTheSumOfLinkLatencies(t *testing.T) {
	c := stdlib.Default()
	intra := time.Duration(c.Int("latency.intra_region_rtt_us")) * time.Microsecond
	facility := time.Duration(c.Int("latency.intra_facility_rtt_us")) * time.Microsecond
	lastMile := time.Duration(c.Int("latency.last_mile_rtt_us")) * time.Microsecond
	pair := func(a, b string) time.Duration {
		rtt, _, ok := c.RTT(a, b)
		if !ok {
			t.Fatalf("no RTT %s–%s", a, b)
		}
		return rtt
	}
	cases := []struct {
		file, from, to string
		// one way: the sum of one-way link latencies
		oneWay time.Duration
	}{
		// payments → VGW, edge router → VGW (through the DX gateway), channel, Google router → VPC.
		{"multicloud", "vpc.payments", "gcp_vpc.analytics", intra/2 + intra/2 + pair("us-east-1", "us-east4")/2 + intra/2},
		// site LAN, connection, edge router → TGW, TGW → VPC.
		{"last_mile", "site.nyc-hq", "vpc.web", facility/2 + lastMile/2 + intra/2 + intra/2},
		// VPC → us-east-1 edge, which the DX gateway's attachment joins to
		// the eu-west-2 edge router itself, channel, Google router → VPC.
		{"global_wan", "vpc.prod-use1", "gcp_vpc.lake", intra/2 + pair("us-east-1", "eu-west-2")/2 + pair("eu-west-2", "europe-west2")/2 + intra/2},
	}
	for _, tc := range cases {
		sc := &lang.Scenario{Meta: lang.Meta{Name: "rtt"}, Duration: 10 * time.Second, Probes: []lang.Probe{probeOf("p", tc.from, tc.to)}}
		tr, err := run(plantest.File(t, "../examples/"+tc.file+".star"), sc, Options{})
		if err != nil {
			t.Fatal(err)
		}
		p := tr.Probes[0]
		if p.Sent != 10 || p.Lost != 0 || p.RTTMin != 2*tc.oneWay || p.RTTMax != 2*tc.oneWay {
			t.Errorf("%s %s → %s: %+v, want rtt %v", tc.file, tc.from, tc.to, p, 2*tc.oneWay)
		}
	}
}

func TestUnknownTargetIsAnErrorWithTheEventsRange(t *testing.T) {
	ev := at(time.Second, lang.ActionFail, lang.TargetFacility, "us-east-1/fac-c")
	ev.Range = lang.Range{File: "x.star", Start: lang.Pos{Line: 7, Col: 3}}
	_, err := run(multicloud(t), scenario(time.Minute, nil, ev), Options{})
	var ds lang.Diagnostics
	if !errors.As(err, &ds) || len(ds) != 1 {
		t.Fatalf("error %v", err)
	}
	d := ds[0]
	if d.Rule != "scenario-target" || d.Range.Start.Line != 7 || !strings.Contains(d.Summary, `no facility "us-east-1/fac-c"`) || !strings.Contains(d.Hint, "us-east-1/fac-a") {
		t.Fatalf("diagnostic %+v", d)
	}
}

// A scenario of the design is resolved by the planner: the run refuses it
// with exactly the findings validate reports, and runs nothing.
func TestUnresolvedDesignScenarioReturnsThePlansFindings(t *testing.T) {
	p := plantest.Source(t, `
v = vpc("v", region = "us-east-1", cidr = "10.10.0.0/16", mtu = 8500)
g = gcp_vpc("g", project = "p", region = "us-east4", cidr = "10.20.0.0/16", mtu = 8500)
dx = dx_gateway("dx", asn = 64512)
vgw = vpn_gateway(v, asn = 64513)
attach(dx, vgw, allowed_prefixes = [v.cidr])
interconnect("ic", provider = "gcp", aws_region = "us-east-1", peer_region = "us-east4", bandwidth = "10Gbps", attach_to = dx, peer = g)
scenario("s", duration = "1m", flows = [flow(v, g)], events = [
    at("10s", fail(device = "us-east-1/fac-a/aws-r9")),
    at("20s", maintenance(device = "us-east-1/fac-b/aws-r1", duration = "5s")),
])
`)
	var want lang.Diagnostics
	for _, f := range p.Findings {
		if f.Rule == "scenario-target" {
			want = append(want, f)
		}
	}
	if len(want) != 1 || want[0].Range.Start.Line != 9 {
		t.Fatalf("plan findings %v", p.Findings)
	}
	_, err := run(p, p.Design.Scenarios[0], Options{})
	var ds lang.Diagnostics
	if !errors.As(err, &ds) || !reflect.DeepEqual(ds, want) {
		t.Fatalf("Run: %v, want the plan's %v", err, want)
	}
}

// mustLink is the network's link of that name.
func mustLink(t testing.TB, n *network.Network, name string) *network.Link {
	t.Helper()
	l, ok := n.Link(name)
	if !ok {
		t.Fatalf("no link %s", name)
	}
	return l
}

// run starts a scenario and runs it to its end.
func run(p *planner.Plan, sc *lang.Scenario, o Options) (*Trace, error) {
	s, err := Start(p, sc, o)
	if err != nil {
		return nil, err
	}
	return s.Finish()
}
