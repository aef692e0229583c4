package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"patchbay/lang"
	"patchbay/planner"
	"patchbay/sim"
	"patchbay/stdlib"
)

func traceCmd(ctx context.Context, g *globalFlags, stdout, stderr io.Writer) *cobra.Command {
	var size, port int
	var at, scenario string
	var seed uint64
	cmd := &cobra.Command{
		Use:   "trace FILE SRC DST",
		Short: "Follow a packet hop by hop from one network to another or to an address",
		Long: `trace follows a packet from network SRC to network DST (or to an IP address) through the
derived routing tables: each hop's table, the route it matched and why the table has it, the
link it leaves by, the device at the far end, the link's MTU and latency; then how each path
ends, the share of the traffic on each equal-cost path, the one-way latency and the path MTU.

SRC and DST are references (vpc.web, gcp_vpc.lake, site.hq) or bare names when only one
network has that name. --port follows the one path a flow with that port hashes to.
--at TIME --scenario NAME traces through the simulator's state at that moment of the
scenario: what has failed and what BFD and BGP have noticed by then.

Exit status 1 when any share of the traffic is lost.`,
		Args: cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(g, "text", "json"); err != nil {
				return err
			}
			if size <= 0 || size > 65535 {
				return fmt.Errorf("--size %d: an IP packet is 1 to 65535 bytes", size)
			}
			flags := cmd.Flags()
			if flags.Changed("port") && (port < 0 || port > 65535) {
				return fmt.Errorf("--port %d: want 0 to 65535", port)
			}
			if at == "" && (flags.Changed("scenario") || flags.Changed("seed")) {
				return fmt.Errorf("--scenario and --seed choose the moment --at traces in: give --at too")
			}
			var when time.Duration
			if at != "" {
				d, err := stdlib.ParseDuration(at)
				if err != nil {
					return fmt.Errorf("--at: %v", err)
				}
				when = d
			}
			p, err := planFile(ctx, g, args[0], stdout, stderr)
			if err != nil {
				return err
			}
			topo := p.Topology()
			if topo.Err != nil {
				return fmt.Errorf("%s: the routing model cannot be built: %v", args[0], topo.Err)
			}
			from, err := networkArg(topo, "SRC", args[1])
			if err != nil {
				return err
			}
			addr, isAddr := parseAddr(args[2])
			var to lang.Ref
			if !isAddr {
				if to, err = networkArg(topo, "DST", args[2]); err != nil {
					return err
				}
			}
			opts := planner.TraceOptions{Size: size}
			if flags.Changed("port") {
				// The canonical forms, so a bare name hashes as its reference.
				dst := to.String()
				if isAddr {
					dst = addr.String()
				}
				opts.Flow = planner.FlowHash(from.String(), dst, strconv.Itoa(port))
			}
			doc := pathDoc{Schema: "patchbay.path/v1"}
			if flags.Changed("port") {
				doc.Port = &port
			}
			switch {
			case at != "":
				if isAddr {
					return fmt.Errorf("--at traces from network to network: give DST as a network, not the address %s", addr)
				}
				sc, err := pickScenario(p.Design, args[0], scenario)
				if err != nil {
					return err
				}
				doc.Scenario, doc.At, doc.Seed = sc.Name, &when, &seed
				doc.TraceResult, err = traceAt(p, sc, seed, when, from, to, opts)
				if err != nil {
					return err
				}
			case isAddr:
				doc.TraceResult, err = topo.TraceAddress(from, addr, opts)
			default:
				doc.TraceResult, err = topo.Trace(from, to, opts)
			}
			if err != nil {
				return err
			}
			doc.Delivered, doc.Lost = deliveredShares(doc.TraceResult)
			if g.format == "json" {
				err = writeJSON(stdout, doc)
			} else {
				err = writePathText(stdout, &doc)
			}
			if err != nil {
				return err
			}
			if doc.Delivered < 1-shareEpsilon {
				return exitError{exitFindings}
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&size, "size", 64, "IP packet size in bytes, headers included")
	cmd.Flags().IntVar(&port, "port", 0, "follow the single path a flow with this port hashes to (default: every equal-cost path)")
	cmd.Flags().StringVar(&at, "at", "", "trace in the simulator's state at this time of --scenario (30s, 1m30s)")
	cmd.Flags().StringVar(&scenario, "scenario", "", "the scenario --at runs (required when the design has several)")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "seed of the simulator's random choices, with --at")
	return cmd
}

// shareEpsilon absorbs the rounding of shares split over equal-cost paths.
const shareEpsilon = 1e-9

// pathDoc is the patchbay.path/v1 document: the trace and what it was
// traced in.
type pathDoc struct {
	Schema string `json:"schema"`
	*planner.TraceResult
	Port      *int               `json:"port,omitempty"`
	Scenario  string             `json:"scenario,omitempty"`
	At        *time.Duration     `json:"at_ns,omitempty"`
	Seed      *uint64            `json:"seed,omitempty"`
	Delivered float64            `json:"delivered"`
	Lost      map[string]float64 `json:"lost"`
}

func deliveredShares(r *planner.TraceResult) (float64, map[string]float64) {
	lost := map[string]float64{}
	for _, p := range r.Paths {
		if p.Outcome != planner.OutcomeDelivered {
			lost[p.Outcome] += p.Share
		}
	}
	return r.Delivered(), lost
}

func parseAddr(s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(s)
	return a, err == nil
}

// networkArg resolves a network given as a reference or, when only one
// network has it, a bare name.
func networkArg(topo *planner.Topology, what, s string) (lang.Ref, error) {
	refs := slices.SortedFunc(maps.Keys(topo.Endpoints), func(a, b lang.Ref) int { return strings.Compare(a.String(), b.String()) })
	var named []lang.Ref
	for _, r := range refs {
		if r.String() == s {
			return r, nil
		}
		if r.Name == s {
			named = append(named, r)
		}
	}
	var all []string
	for _, r := range refs {
		all = append(all, r.String())
	}
	switch len(named) {
	case 1:
		return named[0], nil
	case 0:
		// A bare name is compared with the names, a reference with the
		// references.
		hint, near := "", lang.Nearest(s, all)
		if !strings.Contains(s, ".") {
			var names []string
			for _, r := range refs {
				names = append(names, r.Name)
			}
			if n := lang.Nearest(s, names); n != "" {
				near = n
			}
		}
		if near != "" {
			hint = fmt.Sprintf(" (did you mean %q?)", near)
		}
		list := all
		more := ""
		if len(list) > maxListed {
			list, more = list[:maxListed], fmt.Sprintf(" … and %d more", len(all)-maxListed)
		}
		return lang.Ref{}, fmt.Errorf("%s %q is not a network of the design%s; its networks are %s%s", what, s, hint, strings.Join(list, ", "), more)
	}
	var names []string
	for _, r := range named {
		names = append(names, r.String())
	}
	return lang.Ref{}, fmt.Errorf("%s %q names several networks: %s; give the reference", what, s, strings.Join(names, ", "))
}

// percent prints a share without the noise of a float sum: 25%, 33.3%.
func percent(f float64) string {
	s := strconv.FormatFloat(100*f, 'f', 1, 64)
	return strings.TrimSuffix(s, ".0") + "%"
}

func writePathText(w io.Writer, doc *pathDoc) error {
	r := doc.TraceResult
	var b strings.Builder
	fmt.Fprintf(&b, "trace %s → %s", r.From, r.To)
	if r.Src.IsValid() || r.Dst.IsValid() {
		fmt.Fprintf(&b, " (%s → %s)", addrOrNone(r.Src), addrOrNone(r.Dst))
	}
	fmt.Fprintf(&b, ", %d-byte packets", r.Size)
	if doc.Port != nil {
		fmt.Fprintf(&b, ", the flow of port %d", *doc.Port)
	}
	if doc.At != nil {
		fmt.Fprintf(&b, ", at %s of scenario %s (seed %d)\n", *doc.At, doc.Scenario, *doc.Seed)
	} else {
		b.WriteString(", every link up\n")
	}
	for i, p := range r.Paths {
		fmt.Fprintf(&b, "\npath %d of %d: %s of the traffic\n", i+1, len(r.Paths), percent(p.Share))
		for j, h := range p.Hops {
			fmt.Fprintf(&b, "  %2d  %s\n", j+1, h.Table)
			if h.Route != "" {
				fmt.Fprintf(&b, "        route %s (%s)", h.Route, h.Origin)
				if h.Why != "" {
					fmt.Fprintf(&b, ": %s", h.Why)
				}
				if !h.Source.IsZero() {
					fmt.Fprintf(&b, "  %s", h.Source)
				}
				b.WriteString("\n")
			}
			if h.Link != "" {
				fmt.Fprintf(&b, "        out %s → %s, mtu %d, %s\n", h.Link, h.NextHop, h.MTU, h.Latency)
			}
		}
		fmt.Fprintf(&b, "  %s", p.Outcome)
		if p.Outcome != planner.OutcomeDelivered && p.Where != "" {
			fmt.Fprintf(&b, " at %s", p.Where)
		}
		if p.Detail != "" {
			fmt.Fprintf(&b, ": %s", p.Detail)
		}
		fmt.Fprintf(&b, "\n  one way %s", p.Latency)
		if p.MTU > 0 {
			fmt.Fprintf(&b, ", path MTU %d", p.MTU)
		}
		b.WriteString("\n")
		if !p.Blame.IsZero() {
			fmt.Fprintf(&b, "  declared at %s\n", p.Blame)
		}
	}
	fmt.Fprintf(&b, "\ndelivered %s", percent(doc.Delivered))
	for _, o := range slices.Sorted(maps.Keys(doc.Lost)) {
		fmt.Fprintf(&b, ", %s %s", o, percent(doc.Lost[o]))
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func addrOrNone(a netip.Addr) string {
	if !a.IsValid() {
		return "no address"
	}
	return a.String()
}

// traceAt runs a scenario to at and traces a packet from one network to
// another through the forwarding state of that moment: what has failed,
// what BFD, MKA and BGP have noticed, what BGP has learned.
func traceAt(p *planner.Plan, sc *lang.Scenario, seed uint64, at time.Duration, from, to lang.Ref, o planner.TraceOptions) (*planner.TraceResult, error) {
	if at < 0 || at > sc.Duration {
		return nil, fmt.Errorf("--at %s is outside scenario %s, which runs for %s", at, sc.Name, sc.Duration)
	}
	s, err := sim.Start(p, sc, sim.Options{Seed: seed, OwnThread: true})
	if err != nil {
		return nil, err
	}
	if err := s.RunUntil(at); err != nil {
		return nil, err
	}
	return s.Network().Trace(from.String(), to.String(), o)
}
