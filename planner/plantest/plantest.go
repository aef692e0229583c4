// Package plantest loads and plans designs for the tests of the packages
// that consume plans, so each does not carry its own copy.
package plantest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"patchbay/lang/load"
	"patchbay/lang/starlark"
	"patchbay/planner"
)

// File loads and plans a design file of either language.
func File(t testing.TB, file string) *planner.Plan {
	t.Helper()
	d, err := load.File(context.Background(), file, load.Options{})
	if err != nil {
		t.Fatalf("load %s: %v", file, err)
	}
	p, err := planner.New(d)
	if err != nil {
		t.Fatalf("plan %s: %v", file, err)
	}
	return p
}

// Source loads and plans Starlark text as the file main.star.
func Source(t testing.TB, src string) *planner.Plan {
	t.Helper()
	d, err := starlark.LoadFS(context.Background(), fstest.MapFS{"main.star": {Data: []byte(src)}}, "", "main.star", starlark.Options{})
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	p, err := planner.New(d)
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	return p
}

// Examples lists the Starlark examples (each has an HCL twin that plans the
// same), failing the test when there are none.
func Examples(t testing.TB, dir string) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.star"))
	if len(files) == 0 {
		t.Fatalf("no examples in %s", dir)
	}
	return files
}

// Golden compares got with the golden file, or rewrites the file when
// update is set (the test's -update flag).
func Golden(t testing.TB, golden string, got []byte, update bool) {
	t.Helper()
	if update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run the test with -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n%s", golden, got)
	}
}

// Interconnects is a design of n Interconnects, each from its own VPC
// through a VGW and a DX gateway to a Google Cloud VPC (4n channels, 8n
// LAG members), with a 1 Gbps flow over each, and scenario, a format
// whose %s is the list of the flows: the designs the simulator's and the
// sweep's benchmarks grow.
func Interconnects(n int, scenario string) string {
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

// OneInterconnect is a VPC with a VGW on a DX gateway and a Google Cloud
// VPC, joined by a 10 Gbps Interconnect in us-east-1 and us-east4: the
// smallest multicloud design, which tests add attachments, scenarios and
// objectives to.
const OneInterconnect = `
v = vpc("v", region = "us-east-1", cidr = "10.10.0.0/16", mtu = 8500)
g = gcp_vpc("g", project = "p", region = "us-east4", cidr = "10.20.0.0/16", mtu = 8500)
dx = dx_gateway("dx", asn = 64512)
vgw = vpn_gateway(v, asn = 64513)
interconnect("ic", provider = "gcp", aws_region = "us-east-1", peer_region = "us-east4", bandwidth = "10Gbps", attach_to = dx, peer = g)
`

// LearnsInsideItself is a design whose cloud networks are offered routes
// inside their own prefixes: a site announces a /24 (and a /64) inside the
// AWS VPC's blocks over a last mile, and the AWS VPC's CIDR lies inside the
// Google VPC's, across an Interconnect. The planner reports the overlap;
// each cloud still delivers its own prefixes locally. Append a
// route_table of app to try explicit propagation.
const LearnsInsideItself = `
app = vpc("app", region = "us-east-1", cidr = "10.1.0.0/16", ipv6_cidr = "2600:1f18:aa00::/56", mtu = 8500)
g = gcp_vpc("g", project = "p", region = "us-east4", cidr = "10.0.0.0/14", mtu = 8500)
hq = site("hq", cidr = ["192.168.0.0/16", "10.1.5.0/24"], ipv6_cidr = ["2001:db8:100::/48", "2600:1f18:aa00:5::/64"], asn = 65001, mtu = 8500)
dxgw = dx_gateway("core", asn = 64512)
vgw = vpn_gateway(app, asn = 64513)
attach(dxgw, vgw, allowed_prefixes = [app.cidr])
last_mile("hq", partner = "lumen", region = "us-east-1", bandwidth = "10Gbps", site = hq, attach_to = dxgw)
interconnect("ic", provider = "gcp", aws_region = "us-east-1", peer_region = "us-east4", bandwidth = "10Gbps", attach_to = dxgw, peer = g)
`

// ECMPStages is a design of n stages of two equal-cost static routes in a
// row towards vpc.dst (172.16.0.0/16): stage i's Transit Gateway sends it
// to two VPCs, whose tables send it to the next stage's gateway. With
// loop, the last stage's VPCs send it back to the first gateway instead.
// AWS refuses it (route-invalid: two static routes for one destination in
// a table, and with loop attachments associated on a gateway they are not
// attached to): it is the hostile input that bounds on tracing are for,
// which plans and traces whatever its findings.
func ECMPStages(n int, loop bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "src = vpc(\"src\", region = \"us-east-1\", cidr = \"10.255.0.0/16\", mtu = 8500)\n")
	for i := range n + 1 {
		fmt.Fprintf(&b, "t%d = transit_gateway(\"t%d\", region = \"us-east-1\", asn = %d, default_association = False, default_propagation = False)\n", i, i, 64520+i)
	}
	fmt.Fprintf(&b, "s0 = attach(src, t0)\n")
	var tables strings.Builder
	for i := range n {
		next := i + 1
		if loop && i == n-1 {
			next = 0
		}
		for _, side := range []string{"b", "c"} {
			fmt.Fprintf(&b, "%s%d = vpc(\"%s%d\", region = \"us-east-1\", cidr = \"10.%d.%d.0/24\", mtu = 8500)\n", side, i, side, i, i, map[string]int{"b": 1, "c": 2}[side])
			fmt.Fprintf(&b, "%s%din = attach(%s%d, t%d)\n%s%dout = attach(%s%d, t%d)\n", side, i, side, i, i, side, i, side, i, next)
			fmt.Fprintf(&b, "route_table(\"main\", vpc = %s%d, routes = [route(\"172.16.0.0/16\", target = t%d)])\n", side, i, next)
		}
		assoc := fmt.Sprintf("b%dout, c%dout", i-1, i-1)
		switch {
		case i == 0 && loop:
			assoc = fmt.Sprintf("s0, b%dout, c%dout", n-1, n-1)
		case i == 0:
			assoc = "s0"
		}
		fmt.Fprintf(&tables, "tgw_route_table(\"rt\", transit_gateway = t%d, associations = [%s], routes = [route(\"172.16.0.0/16\", target = b%din), route(\"172.16.0.0/16\", target = c%din)])\n",
			i, assoc, i, i)
	}
	b.WriteString(tables.String())
	fmt.Fprintf(&b, "dst = vpc(\"dst\", region = \"us-east-1\", cidr = \"172.16.0.0/16\", mtu = 8500)\nd = attach(dst, t%d)\n", n)
	fmt.Fprintf(&b, "tgw_route_table(\"rt\", transit_gateway = t%d, associations = [b%dout, c%dout], propagations = [d])\n", n, n-1, n-1)
	return b.String()
}
