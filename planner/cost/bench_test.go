package cost_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"patchbay/planner"
	"patchbay/planner/cost"
	"patchbay/planner/plantest"
)

// BenchmarkPriceGenerated prices the 10,000-VPC design (100 TGWs, one
// attachment each VPC) and reports pricing time as a fraction of planning.
func BenchmarkPriceGenerated(b *testing.B) {
	regions := []string{"us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-west-2", "eu-central-1", "ap-southeast-1", "ap-northeast-1", "sa-east-1"}
	var src strings.Builder
	for t := range 100 {
		fmt.Fprintf(&src, "t%d = transit_gateway(\"tgw-%d\", region = %q, asn = %d)\n", t, t, regions[t%len(regions)], 64512+t)
	}
	for v := range 10_000 {
		fmt.Fprintf(&src, "attach(vpc(\"vpc-%d\", region = %q, cidr = \"10.%d.%d.0/24\", mtu = 8500), t%d)\n", v, regions[v%100%len(regions)], v/256, v%256, v%100)
	}
	p := plantest.Source(b, src.String())
	start := time.Now()
	if _, err := planner.New(p.Design); err != nil {
		b.Fatal(err)
	}
	planning := time.Since(start)
	b.ResetTimer()
	for b.Loop() {
		r, err := cost.Price(p, cost.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if len(r.Lines) != 100 {
			b.Fatalf("%d lines, want one per TGW", len(r.Lines))
		}
	}
	b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(planning), "price/plan")
}
