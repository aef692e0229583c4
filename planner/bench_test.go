package planner_test

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"

	"patchbay/lang/starlark"
	"patchbay/planner"
)

var benchRegions = []string{"us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-west-2", "eu-central-1", "ap-southeast-1", "ap-northeast-1", "sa-east-1"}

// generatedDesign writes a flat, generated design: tgws Transit Gateways
// and vpcs VPCs, each VPC attached to one TGW in its region, every VPC a
// distinct /24 of 10.0.0.0/8.
func generatedDesign(vpcs, tgws int) string {
	var b strings.Builder
	for t := range tgws {
		fmt.Fprintf(&b, "t%d = transit_gateway(\"tgw-%d\", region = %q, asn = %d)\n", t, t, benchRegions[t%len(benchRegions)], 64512+t)
	}
	for v := range vpcs {
		t := v % tgws
		fmt.Fprintf(&b, "v%d = vpc(\"vpc-%d\", region = %q, cidr = \"10.%d.%d.0/24\")\n", v, v, benchRegions[t%len(benchRegions)], v/256, v%256)
		fmt.Fprintf(&b, "attach(v%d, t%d)\n", v, t)
	}
	return b.String()
}

// BenchmarkPlanGenerated evaluates and plans 10,000 VPCs on 100 TGWs. The
// peak-RSS metric is the whole benchmark process's high-water mark.
func BenchmarkPlanGenerated(b *testing.B) {
	src := generatedDesign(10_000, 100)
	fsys := fstest.MapFS{"gen.star": {Data: []byte(src)}}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		d, err := starlark.LoadFS(context.Background(), fsys, "", "gen.star", starlark.Options{})
		if err != nil {
			b.Fatal(err)
		}
		p, err := planner.New(d)
		if err != nil {
			b.Fatal(err)
		}
		if p.Summary.Vertices != 10_100 || p.Summary.Edges != 10_000 {
			b.Fatalf("graph %+v", p.Summary)
		}
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		b.ReportMetric(float64(ru.Maxrss)/1024, "peak-RSS-MB")
	}
}

// BenchmarkStepBudget measures how long the default step budget takes to
// stop an endless loop that calls a builtin every iteration (the slow kind).
func BenchmarkStepBudget(b *testing.B) {
	fsys := fstest.MapFS{"loop.star": {Data: []byte("def f():\n    for i in range(1000000000):\n        cidrsubnet(\"10.0.0.0/8\", 8, i % 256)\nf()\n")}}
	for b.Loop() {
		_, err := starlark.LoadFS(context.Background(), fsys, "", "loop.star", starlark.Options{})
		if err == nil || !strings.Contains(err.Error(), "step budget") {
			b.Fatalf("want the step budget to stop the loop, got %v", err)
		}
	}
}
