package planner_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"patchbay/lang"
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
	if mb, ok := peakRSSMB(); ok {
		b.ReportMetric(mb, "peak-RSS-MB")
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

// validationDesign generates the validation benchmark's design: 9,000 VPCs
// on 100 Transit Gateways and 1,000 on a Cloud WAN core network with two
// shared segments, each VPC with two IPv4 blocks, one IPv6 block and a
// route table of seven routes — 100,000 prefixes in all — and no conflict,
// so every rule runs to the end.
// writeBenchWAN writes what both validation designs open with: the core
// network with an edge in every benchmark region, and the seven routes
// each VPC's table holds.
func writeBenchWAN(b *strings.Builder) {
	b.WriteString(`wan = core_network("wan", asn_ranges = ["65000-65099"], edges = [` + "\n")
	for _, r := range benchRegions {
		fmt.Fprintf(b, "    edge(%q),\n", r)
	}
	b.WriteString(`], segments = [segment("prod"), segment("shared")], actions = [share("prod", share_with = ["shared"])])` + "\n")
	b.WriteString(`routes = ["192.168.0.0/16", "100.64.0.0/10", "198.18.0.0/15", "172.32.0.0/11", "44.0.0.0/8", "45.0.0.0/8", "46.0.0.0/8"]` + "\n")
}

func validationDesign() string {
	var b strings.Builder
	writeBenchWAN(&b)
	b.WriteString(`def spoke(i, region, at, segment = None):
    v = vpc("vpc-%d" % i, region = region, mtu = 8500,
            cidr = ["10.%d.%d.0/24" % (i // 256, i % 256), cidrsubnet("100.64.0.0/10", 14, i)],
            ipv6_cidr = cidrsubnet("2600:1f00::/40", 16, i))
    if segment:
        attach(v, at, segment = segment)
    else:
        attach(v, at)
    route_table("main", vpc = v, routes = [route(d, target = at) for d in routes])
`)
	for t := range 100 {
		fmt.Fprintf(&b, "t%d = transit_gateway(\"tgw-%d\", region = %q, asn = %d)\n", t, t, benchRegions[t%len(benchRegions)], 64512+t)
	}
	b.WriteString("tgws = [")
	for t := range 100 {
		fmt.Fprintf(&b, "t%d, ", t)
	}
	b.WriteString("]\n")
	fmt.Fprintf(&b, "for i in range(9000):\n    spoke(i, tgws[i %% 100].region, tgws[i %% 100])\n")
	fmt.Fprintf(&b, "regions = [\"%s\"]\n", strings.Join(benchRegions, `", "`))
	fmt.Fprintf(&b, "for j in range(9000, 10000):\n    spoke(j, regions[j %% %d], wan, segment = \"prod\" if j %% 2 else \"shared\")\n", len(benchRegions))
	return b.String()
}

// BenchmarkValidateGenerated plans and validates the design above (the
// script is evaluated once, outside the timer).
func BenchmarkValidateGenerated(b *testing.B) {
	fsys := fstest.MapFS{"v.star": {Data: []byte(validationDesign())}}
	d, err := starlark.LoadFS(context.Background(), fsys, "", "v.star", starlark.Options{})
	if err != nil {
		b.Fatal(err)
	}
	prefixes := 0
	for _, v := range d.VPCs {
		prefixes += len(v.CIDRs) + len(v.IPv6)
	}
	for _, t := range d.RouteTables {
		prefixes += len(t.Routes)
	}
	if len(d.VPCs) != 10_000 || prefixes != 100_000 {
		b.Fatalf("design has %d VPCs and %d prefixes", len(d.VPCs), prefixes)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		p, err := planner.New(d)
		if err != nil {
			b.Fatal(err)
		}
		if len(p.Findings) != 0 {
			b.Fatalf("the benchmark design should be clean, got %d findings, first: %v", len(p.Findings), p.Findings[0])
		}
	}
	if mb, ok := peakRSSMB(); ok {
		b.ReportMetric(mb, "peak-RSS-MB")
	}
}

// BenchmarkRunawayDeclaring measures how long a loop that declares without
// end runs before the resource cap stops it.
func BenchmarkRunawayDeclaring(b *testing.B) {
	fsys := fstest.MapFS{"loop.star": {Data: []byte("def f():\n    for i in range(1000000000):\n        vpc(\"v%d\" % i, region = \"us-east-1\", cidr = \"10.0.0.0/16\")\nf()\n")}}
	for b.Loop() {
		_, err := starlark.LoadFS(context.Background(), fsys, "", "loop.star", starlark.Options{})
		if err == nil || !strings.Contains(err.Error(), "the most patchbay plans") {
			b.Fatalf("want the resource cap to stop the loop, got %v", err)
		}
	}
}

// BenchmarkDeriveTopology derives the routing model (devices, links, tables,
// relations) of the validation benchmark's design, which a plan derives on
// first use (validating this design, with no paths to check, does not), and
// with statics=true its static routes too, which are transcribed when
// something first needs a route.
func BenchmarkDeriveTopology(b *testing.B) {
	fsys := fstest.MapFS{"v.star": {Data: []byte(validationDesign())}}
	d, err := starlark.LoadFS(context.Background(), fsys, "", "v.star", starlark.Options{})
	if err != nil {
		b.Fatal(err)
	}
	p, err := planner.New(d)
	if err != nil {
		b.Fatal(err)
	}
	for _, statics := range []bool{false, true} {
		b.Run(fmt.Sprintf("statics=%v", statics), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				planner.DeriveTopology(p)
				if statics {
					if n := len(p.Topology().StaticRoutes()); n != 100_000 {
						b.Fatalf("%d static routes", n)
					}
				}
			}
		})
	}
}

// BenchmarkTrace traces between two VPCs on one Transit Gateway of the
// 10,000-VPC designs once they are planned: the first trace solves the
// prefixes it needs, so each iteration plans afresh outside the timer. In
// the generated design the VPCs learn from their gateway and the packet
// arrives; in the validation design their route tables send only other
// ranges to it, so the trace stops at the source.
func BenchmarkTrace(b *testing.B) {
	for _, tc := range []struct {
		name, src string
		delivered float64
	}{{"validation", validationDesign(), 0}, {"generated", generatedDesign(10_000, 100), 1}} {
		b.Run(tc.name, func(b *testing.B) {
			fsys := fstest.MapFS{"v.star": {Data: []byte(tc.src)}}
			d, err := starlark.LoadFS(context.Background(), fsys, "", "v.star", starlark.Options{})
			if err != nil {
				b.Fatal(err)
			}
			from, to := lang.Ref{Kind: lang.KindVPC, Name: "vpc-0"}, lang.Ref{Kind: lang.KindVPC, Name: "vpc-100"}
			for b.Loop() {
				b.StopTimer()
				p, err := planner.New(d)
				if err != nil {
					b.Fatal(err)
				}
				p.Topology() // derived on first use: not what is measured
				b.StartTimer()
				res, err := p.Topology().Trace(from, to, planner.TraceOptions{})
				if err != nil {
					b.Fatal(err)
				}
				if res.Delivered() != tc.delivered {
					b.Fatalf("trace %s → %s: %+v", from, to, res.Paths)
				}
			}
		})
	}
}
