//go:build unix

package main

import (
	"fmt"
	"io"
	"strings"
)

// Simulations whose size is the attack: each is refused, or stopped, with
// a message naming the budget it exceeds and the flag that raises it —
// never left to run for hours.

// simPair is the smallest design with something to simulate: a VPC and a
// Google Cloud VPC joined by an Interconnect (i numbers its resources).
func simPair(b *strings.Builder, i int) {
	fmt.Fprintf(b, "v%d = vpc(\"v%d\", region = \"us-east-1\", cidr = \"10.%d.%d.0/24\", mtu = 8500)\n", i, i, i/256, i%256)
	fmt.Fprintf(b, "g%d = gcp_vpc(\"g%d\", project = \"p\", region = \"us-east4\", cidr = \"100.%d.%d.0/24\", mtu = 8500)\n", i, i, 64+i/256, i%256)
	fmt.Fprintf(b, "dx%d = dx_gateway(\"dx%d\", asn = 64512)\nvgw%d = vpn_gateway(v%d, asn = 64513)\nattach(dx%d, vgw%d, allowed_prefixes = [v%d.cidr])\n", i, i, i, i, i, i, i)
	fmt.Fprintf(b, "interconnect(\"ic%d\", provider = \"gcp\", aws_region = \"us-east-1\", peer_region = \"us-east4\", bandwidth = \"10Gbps\", attach_to = dx%d, peer = g%d)\n", i, i, i)
}

// simDesign writes one pair and then the scenario text.
func simDesign(scenario string) func(io.Writer) error {
	return func(w io.Writer) error {
		var b strings.Builder
		simPair(&b, 0)
		b.WriteString(scenario)
		_, err := io.WriteString(w, b.String())
		return err
	}
}

func init() {
	addHostile(
		hostileCase{
			name: "sim/probes-30d-every-100ms",
			args: []string{"sim", "$DIR/month.star"},
			files: map[string]func(io.Writer) error{"month.star": simDesign(
				"scenario(\"month\", duration = \"30d\", probes = [probe(v0, g0, interval = \"100ms\")])\n")},
			exit: 2,
			// 30 days every 100 ms, counted before anything runs.
			want: `month\.star:\d+:1: error: scenario month would send 25,920,000 probes \(30d every 100ms\), over the budget of 10,000,000 events — raise it with --max-events`,
		},
		hostileCase{
			name: "sim/100k-flows",
			// The script's own step budget is raised: the flows are the attack.
			args: []string{"--max-steps", "100000000", "sim", "$DIR/flows.star"},
			files: map[string]func(io.Writer) error{"flows.star": simDesign(
				"scenario(\"crowd\", duration = \"1m\", flows = [flow(v0, g0, rate = \"1Mbps\", name = \"f%d\" % i) for i in range(100000)])\n")},
			exit: 2,
			want: `flows\.star:\d+:1: error: scenario crowd has 100,000 flows, over the budget of 10,000 — raise it with --max-flows`,
		},
		hostileCase{
			name: "sim/events-run-out",
			// Nothing is predictable beyond the probes here: BFD and BGP
			// timers fire for a day, and the budget stops them as they go.
			args: []string{"sim", "--max-events", "200000", "--metrics", "$DIR/m.csv", "$DIR/day.star"},
			files: map[string]func(io.Writer) error{"day.star": simDesign(
				"scenario(\"day\", duration = \"1d\", flows = [flow(v0, g0, rate = \"1Gbps\")])\n")},
			exit: 2,
			want: `day\.star:\d+:1: error: scenario day stopped at \S+ of 1d: it used its budget of 200,000 events — raise it with --max-events`,
		},
		hostileCase{
			name: "sweep/simulate-many-interconnects",
			// 100 Interconnects: over a thousand cases of a two-minute simulation,
			// refused after the first has measured what one costs.
			args: []string{"sweep", "--simulate", "-o", "$DIR/out.json", "$DIR/many.star"},
			files: map[string]func(io.Writer) error{"many.star": func(w io.Writer) error {
				var b strings.Builder
				var flows []string
				for i := range 100 {
					simPair(&b, i)
					flows = append(flows, fmt.Sprintf("flow(g%d, v%d, rate = \"1Gbps\")", i, i))
				}
				fmt.Fprintf(&b, "scenario(\"s\", duration = \"1m\", flows = [%s])\n", strings.Join(flows, ", "))
				_, err := io.WriteString(w, b.String())
				return err
			}},
			exit: 2,
			want: `sweep --simulate would run [\d,]+ cases of about [\d,]+ events each \([\d,]+\), over the budget of 100,000,000 events — raise it with --max-events`,
		},
	)
}
