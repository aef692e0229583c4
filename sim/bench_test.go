package sim

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"patchbay/lang"
	"patchbay/planner/plantest"
	"patchbay/sim/network"
)

// BenchmarkTransitHubHour runs one simulated hour of the transit-hub
// example with a probe every second between each spoke and Google Cloud,
// three flows, and a channel failing and coming back every ten minutes.
// It reports simulated seconds per real second.
func BenchmarkTransitHubHour(b *testing.B) {
	p := plantest.File(b, "../examples/transit_hub.star")
	sc := &lang.Scenario{Meta: lang.Meta{Name: "hour"}, Duration: time.Hour}
	for _, spoke := range []string{"vpc.web", "vpc.api", "vpc.data", "vpc.shared-services"} {
		sc.Probes = append(sc.Probes, probeOf(spoke+" probe", spoke, "gcp_vpc.warehouse"))
		sc.Flows = append(sc.Flows, flowOf(spoke+" flow", spoke, "gcp_vpc.warehouse", 1e9, 1500))
	}
	for t := 5 * time.Minute; t < time.Hour; t += 10 * time.Minute {
		sc.Events = append(sc.Events, at(t, lang.ActionFail, lang.TargetChannel, "use1-gcp/ch2"),
			at(t+time.Minute, lang.ActionRestore, lang.TargetChannel, "use1-gcp/ch2"))
	}
	b.ResetTimer()
	var events uint64
	for b.Loop() {
		s, err := Start(p, sc, Options{Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		s.e.Run(sc.Duration)
		s.finish()
		events += s.e.Fired()
	}
	perRun := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(time.Hour.Seconds()/perRun, "sim-s/s")
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkConvergeTransitHub is one routing recomputation of the example.
func BenchmarkConvergeTransitHub(b *testing.B) {
	n, err := network.Build(plantest.File(b, "../examples/transit_hub.star"))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		n.Converge(true)
	}
}

// bgpDesign is 50 Interconnects, each from its own VPC (through a VGW and
// a DX gateway) to a Google Cloud VPC advertising 250 /24s: 200 BGP
// sessions carrying 50,000 prefixes from Google's side.
func bgpDesign() string {
	var b strings.Builder
	for i := range 50 {
		fmt.Fprintf(&b, "v%d = vpc(\"v%d\", region = \"us-east-1\", cidr = \"10.%d.0.0/16\", mtu = 8500)\n", i, i, i)
		var cidrs []string
		for j := range 250 {
			cidrs = append(cidrs, fmt.Sprintf("%q", fmt.Sprintf("100.%d.%d.0/24", 64+i, j)))
		}
		fmt.Fprintf(&b, "g%d = gcp_vpc(\"g%d\", project = \"p\", region = \"us-east4\", cidr = [%s], mtu = 8500)\n", i, i, strings.Join(cidrs, ", "))
		fmt.Fprintf(&b, "dx%d = dx_gateway(\"dx%d\", asn = 64512)\nvgw%d = vpn_gateway(v%d, asn = 64513)\nattach(dx%d, vgw%d, allowed_prefixes = [v%d.cidr])\n", i, i, i, i, i, i, i)
		fmt.Fprintf(&b, "interconnect(\"ic%d\", provider = \"gcp\", aws_region = \"us-east-1\", peer_region = \"us-east4\", bandwidth = \"10Gbps\", attach_to = dx%d, peer = g%d)\n", i, i, i)
	}
	return b.String()
}

// BenchmarkBGPConvergence brings up 200 sessions that exchange 50,000
// prefixes from nothing (the run's warm-up), then fails a facility that
// carries half of them and runs until every table has settled.
func BenchmarkBGPConvergence(b *testing.B) {
	p := plantest.Source(b, bgpDesign())
	sc := &lang.Scenario{Meta: lang.Meta{Name: "bgp"}, Duration: 10 * time.Second,
		Events: []lang.Event{at(time.Second, lang.ActionFail, lang.TargetFacility, "us-east-1/fac-a")}}
	var events uint64
	for b.Loop() {
		s, err := Start(p, sc, Options{Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		s.e.Run(sc.Duration)
		s.finish()
		events += s.e.Fired()
		if len(s.sessions) != 200 {
			b.Fatalf("%d sessions", len(s.sessions))
		}
		// Half the sessions are down after the facility fails; the other
		// half each hold Google's 250 prefixes and AWS's one.
		received := 0
		for _, se := range s.sessions {
			received += len(se.Ends[0].Received()) + len(se.Ends[1].Received())
		}
		if received != 100*(250+1) {
			b.Fatalf("%d routes received, want %d", received, 100*251)
		}
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}

// sweepDesign is n Interconnects, each from its own VPC through a VGW and
// a DX gateway to a Google Cloud VPC, with a 1 Gbps flow over each:
// 4n channels, 8n LAG members.
func sweepDesign(n int) string {
	return pairsDesign(n, "scenario(\"s\", duration = \"1m\", flows = [%s])\n")
}

// pairsDesign is sweepDesign's network with scenario, a format whose %s is
// the list of the flows.
func pairsDesign(n int, scenario string) string {
	var b strings.Builder
	var flows []string
	for i := range n {
		fmt.Fprintf(&b, "v%d = vpc(\"v%d\", region = \"us-east-1\", cidr = \"10.%d.%d.0/24\", mtu = 8500)\n", i, i, i/256, i%256)
		fmt.Fprintf(&b, "g%d = gcp_vpc(\"g%d\", project = \"p\", region = \"us-east4\", cidr = \"100.%d.%d.0/24\", mtu = 8500)\n", i, i, 64+i/256, i%256)
		fmt.Fprintf(&b, "dx%d = dx_gateway(\"dx%d\", asn = 64512)\nvgw%d = vpn_gateway(v%d, asn = 64513)\nattach(dx%d, vgw%d, allowed_prefixes = [v%d.cidr])\n", i, i, i, i, i, i, i)
		fmt.Fprintf(&b, "interconnect(\"ic%d\", provider = \"gcp\", aws_region = \"us-east-1\", peer_region = \"us-east4\", bandwidth = \"10Gbps\", attach_to = dx%d, peer = g%d)\n", i, i, i)
		flows = append(flows, fmt.Sprintf("flow(g%d, v%d, rate = \"1Gbps\")", i, i))
	}
	fmt.Fprintf(&b, scenario, strings.Join(flows, ", "))
	return b.String()
}

// BenchmarkSweep is the N-1 sweep of designs with 100, 1,000 and 5,000
// channels (each a LAG of two members, so twice as many member links),
// on all cores, with the JSON written: it reports the bytes of JSON per
// case, which stay flat as the design grows since a case lists only the
// flows it changes.
func BenchmarkSweep(b *testing.B) {
	for _, n := range []int{25, 250, 1250} {
		b.Run(fmt.Sprintf("channels=%d", 4*n), func(b *testing.B) {
			p := plantest.Source(b, sweepDesign(n))
			var cases, size int
			for b.Loop() {
				s, err := RunSweep(p, p.Design.Scenarios[0], SweepOptions{Depth: 1})
				if err != nil {
					b.Fatal(err)
				}
				var cw countingWriter
				if err := s.WriteJSON(&cw); err != nil {
					b.Fatal(err)
				}
				cases, size = s.Total, int(cw)
			}
			b.ReportMetric(float64(cases), "cases")
			b.ReportMetric(float64(size)/float64(cases), "json-bytes/case")
		})
	}
}

// BenchmarkSweepShard times shard 1 of 2 and the unsharded sweep in turn,
// the shard's JSON written as 'sweep --shard' writes it, and reports their
// ratio: the goal is at most half, plus 10%. The design is planned once,
// outside the timing, as both a shard and a whole run plan it the same.
// Two sweeps: the steady state of 1,000 channels, whose cases are so cheap
// (0.1 ms each) that building the network, which every shard repeats, is a
// third of the whole; and the simulated sweep of 24 channels, each case a
// full simulation, the kind of sweep that is worth sharding.
func BenchmarkSweepShard(b *testing.B) {
	for _, bc := range []struct {
		name string
		n    int
		o    SweepOptions
	}{
		{"steady-1000ch", 250, SweepOptions{Depth: 1}},
		{"simulated-24ch", 6, SweepOptions{Depth: 1, Simulate: true}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			p := plantest.Source(b, sweepDesign(bc.n))
			sc := p.Design.Scenarios[0]
			var whole, shard, build time.Duration
			for b.Loop() {
				t0 := time.Now()
				s, err := RunSweep(p, sc, bc.o)
				if err != nil {
					b.Fatal(err)
				}
				if err := s.WriteJSON(io.Discard); err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				o := bc.o
				o.Shard, o.Shards = 0, 2
				s, err = RunSweep(p, sc, o)
				if err != nil {
					b.Fatal(err)
				}
				if err := s.WriteJSON(io.Discard); err != nil {
					b.Fatal(err)
				}
				t2 := time.Now()
				if _, err := newSweeper(p, sweepFlows(p, sc)); err != nil {
					b.Fatal(err)
				}
				whole, shard, build = whole+t1.Sub(t0), shard+t2.Sub(t1), build+time.Since(t2)
			}
			b.ReportMetric(float64(shard)/float64(whole), "shard/whole")
			b.ReportMetric(float64(build)/float64(whole), "build/whole")
		})
	}
}

type countingWriter int

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}
