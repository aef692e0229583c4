package planner_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"patchbay/lang/starlark"
	"patchbay/planner"
)

// scaledValidationDesign is the validation benchmark's design at any size:
// nine VPCs in ten on Transit Gateways of 90 each, the rest on a Cloud
// WAN core network with two shared segments (at most 5,000, its
// attachment quota), each VPC with two IPv4 blocks, one IPv6 block and a
// route table of seven routes, and no conflict. validationDesign's address
// plan runs out at 16,384 VPCs; this one, with smaller blocks, at 131,072.
func scaledValidationDesign(vpcs int) string {
	wanVPCs := min(vpcs/10, 5000)
	tgwVPCs := vpcs - wanVPCs
	tgws := (tgwVPCs + 89) / 90
	var b strings.Builder
	writeBenchWAN(&b)
	b.WriteString(`def spoke(i, region, at, segment = None):
    v = vpc("vpc-%d" % i, region = region, mtu = 8500,
            cidr = ["10.%d.%d.%d/25" % (i // 512, (i // 2) % 256, (i % 2) * 128), cidrsubnet("100.64.0.0/10", 17, i)],
            ipv6_cidr = cidrsubnet("2600:1f00::/39", 17, i))
    if segment:
        attach(v, at, segment = segment)
    else:
        attach(v, at)
    route_table("main", vpc = v, routes = [route(d, target = at) for d in routes])
`)
	// Four-byte private ASNs: a thousand TGWs would not fit in 64512-65534
	// beside the core network's range.
	b.WriteString("regions = [\"" + strings.Join(benchRegions, `", "`) + "\"]\n")
	fmt.Fprintf(&b, "tgws = [transit_gateway(\"tgw-%%d\" %% t, region = regions[t %% %d], asn = 4200000000 + t) for t in range(%d)]\n", len(benchRegions), tgws)
	fmt.Fprintf(&b, "for i in range(%d):\n    spoke(i, tgws[i // 90].region, tgws[i // 90])\n", tgwVPCs)
	fmt.Fprintf(&b, "for j in range(%d, %d):\n    spoke(j, regions[j %% %d], wan, segment = \"prod\" if j %% 2 else \"shared\")\n", tgwVPCs, vpcs, len(benchRegions))
	return b.String()
}

// benchNamed reports whether -test.bench names the benchmark itself rather
// than matching it with a pattern like "." (the 100,000-VPC run takes
// seconds and gigabytes, too much for `make bench`).
func benchNamed(name string) bool {
	f := flag.Lookup("test.bench")
	return f != nil && strings.Contains(f.Value.String(), name)
}

// BenchmarkValidate100k loads, plans and validates 100,000 VPCs (300,000
// resources, a million prefixes), the large design: its goal is
// under 6 s and 2 GB. It runs only when -bench names it, and reports the
// wall time and the process's peak RSS and Go memory (runtime Sys).
func BenchmarkValidate100k(b *testing.B) {
	if !benchNamed("Validate100k") {
		b.Skip("run with -bench Validate100k")
	}
	const vpcs = 100_000
	fsys := fstest.MapFS{"v.star": {Data: []byte(scaledValidationDesign(vpcs))}}
	opts := starlark.Options{MaxSteps: 1_000_000_000, MaxMemory: 2 << 30, MaxResources: 4 * vpcs}
	var elapsed time.Duration
	for b.Loop() {
		t0 := time.Now()
		d, err := starlark.LoadFS(context.Background(), fsys, "", "v.star", opts)
		if err != nil {
			b.Fatal(err)
		}
		p, err := planner.New(d)
		if err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(t0)
		if len(d.VPCs) != vpcs || len(p.Findings) != 0 {
			b.Fatalf("%d VPCs and %d findings, first: %v", len(d.VPCs), len(p.Findings), p.Findings)
		}
	}
	b.ReportMetric(elapsed.Seconds()/float64(b.N), "validate-s")
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	b.ReportMetric(float64(m.Sys)/(1<<20), "go-sys-MB")
	if mb, ok := peakRSSMB(); ok {
		b.ReportMetric(mb, "peak-RSS-MB")
	}
}

// TestWriteBenchDesign writes the validation benchmark's design to the
// file PATCHBAY_BENCH_DESIGN names, for timing the CLI on it (`patchbay
// validate FILE`); PATCHBAY_BENCH_VPCS other than 10000 writes
// scaledValidationDesign of that size. Without the variable it skips.
func TestWriteBenchDesign(t *testing.T) {
	file := os.Getenv("PATCHBAY_BENCH_DESIGN")
	if file == "" {
		t.Skip("set PATCHBAY_BENCH_DESIGN to a file to write")
	}
	src := validationDesign()
	if s := os.Getenv("PATCHBAY_BENCH_VPCS"); s != "" && s != "10000" {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatal(err)
		}
		src = scaledValidationDesign(n)
	}
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
}
