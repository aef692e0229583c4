package sim

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"patchbay/lang"
	"patchbay/planner"
	"patchbay/planner/plantest"
)

// growthDesign has n Interconnects (four channels each), each between its
// own VPC and Google Cloud VPC behind its own DX gateway, and a scenario of
// ten minutes with a 1 Gbps flow over each and a channel of the first
// failing at five minutes.
func growthDesign(n int) string {
	var b strings.Builder
	var flows []string
	for i := range n {
		fmt.Fprintf(&b, "v%d = vpc(\"v%d\", region = \"us-east-1\", cidr = \"10.%d.%d.0/24\", mtu = 8500)\n", i, i, i/256, i%256)
		fmt.Fprintf(&b, "g%d = gcp_vpc(\"g%d\", project = \"p\", region = \"us-east4\", cidr = \"100.%d.%d.0/24\", mtu = 8500)\n", i, i, 64+i/256, i%256)
		fmt.Fprintf(&b, "dx%d = dx_gateway(\"dx%d\", asn = 64512)\nvgw%d = vpn_gateway(v%d, asn = 64513)\nattach(dx%d, vgw%d, allowed_prefixes = [v%d.cidr])\n", i, i, i, i, i, i, i)
		fmt.Fprintf(&b, "interconnect(\"ic%d\", provider = \"gcp\", aws_region = \"us-east-1\", peer_region = \"us-east4\", bandwidth = \"10Gbps\", attach_to = dx%d, peer = g%d)\n", i, i, i)
		flows = append(flows, fmt.Sprintf("flow(g%d, v%d, rate = \"1Gbps\")", i, i))
	}
	fmt.Fprintf(&b, "scenario(\"ten\", duration = \"10m\", flows = [%s], events = [at(\"5m\", fail(channel = \"ic0/ch1\"))])\n", strings.Join(flows, ", "))
	return b.String()
}

// BenchmarkSimGrowth runs the ten-minute scenario at 100 and 1,000
// channels and reports how much longer the larger takes: the goal is no
// faster growth than about n log n, at most 12 times.
func BenchmarkSimGrowth(b *testing.B) {
	sizes := []int{25, 250} // Interconnects: 100 and 1,000 channels
	scs := make([]*lang.Scenario, len(sizes))
	var elapsed [2]time.Duration
	var fired [2]uint64
	ps := make([]*planner.Plan, len(sizes))
	for i, n := range sizes {
		ps[i] = plantest.Source(b, growthDesign(n))
		scs[i] = ps[i].Design.Scenarios[0]
	}
	for b.Loop() {
		for i := range sizes {
			t0 := time.Now()
			s, err := start(ps[i], scs[i], Options{Seed: 1})
			if err != nil {
				b.Fatal(err)
			}
			s.e.Run(scs[i].Duration)
			s.finish()
			elapsed[i] += time.Since(t0)
			fired[i] += s.e.Fired()
		}
	}
	b.ReportMetric(float64(elapsed[0].Milliseconds())/float64(b.N), "100ch-ms")
	b.ReportMetric(float64(elapsed[1].Milliseconds())/float64(b.N), "1000ch-ms")
	b.ReportMetric(float64(elapsed[1])/float64(elapsed[0]), "x-growth")
	b.ReportMetric(float64(fired[1])/float64(fired[0]), "x-events")
}
