package sim

import (
	"fmt"
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
		if len(s.bgp.Sessions()) != 200 {
			b.Fatalf("%d sessions", len(s.bgp.Sessions()))
		}
		// Half the sessions are down after the facility fails; the other
		// half each hold Google's 250 prefixes and AWS's one.
		received := 0
		for _, se := range s.bgp.Sessions() {
			received += len(se.Ends[0].Received()) + len(se.Ends[1].Received())
		}
		if received != 100*(250+1) {
			b.Fatalf("%d routes received, want %d", received, 100*251)
		}
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}
