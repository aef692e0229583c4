package planner_test

import (
	"context"
	"testing"
	"testing/fstest"

	"patchbay/lang/starlark"
	"patchbay/planner"
)

// BenchmarkValidateOverlapStorm is the worst case of cidr-overlap: 3,000
// VPCs with one CIDR on one route table, 4.5 million overlapping pairs. It
// must stay fast and report one finding per VPC, not one per pair.
func BenchmarkValidateOverlapStorm(b *testing.B) {
	src := "hub = transit_gateway(\"hub\", region = \"us-east-1\")\nfor i in range(3000):\n    attach(vpc(\"v%d\" % i, region = \"us-east-1\", cidr = \"10.0.0.0/16\", mtu = 8500), hub)\n"
	d, err := starlark.LoadFS(context.Background(), fstest.MapFS{"p.star": {Data: []byte(src)}}, "", "p.star", starlark.Options{})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		p, err := planner.New(d)
		if err != nil {
			b.Fatal(err)
		}
		if len(p.Findings) != 2999 {
			b.Fatalf("want 2,999 findings, one per VPC after the first, got %d", len(p.Findings))
		}
	}
}
