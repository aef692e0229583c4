package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"patchbay/lang"
	"patchbay/sim"
	"patchbay/sim/mka"
	"patchbay/stdlib"
)

func simCmd(ctx context.Context, g *globalFlags, stdout, stderr io.Writer) *cobra.Command {
	var name, metrics, plotFile, pcapFile, pcapInside, keylogFile string
	var seed, maxEvents uint64
	var maxFlows int
	var all, live bool
	var listen, peers []string
	var interval time.Duration
	cmd := &cobra.Command{
		Use:   "sim FILE",
		Short: "Run a scenario of a design in virtual time: failures, traffic, probes",
		Long: `sim instantiates the design (routers per facility, channels as LAGs, gateways with their
route tables, eBGP and BFD on every channel and connection), runs one of its scenarios in
virtual time and prints a timeline: what failed, what each flow lost and for how long, what
the probes measured. Managed services propagate routes at once; the
routers learn of a failure from BFD or the BGP hold timer, and the run starts from steady
state after a one-minute warm-up that is not recorded.

The same design, scenario and --seed give byte-identical output.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(g, "text", "json"); err != nil {
				return err
			}
			if interval <= 0 {
				return fmt.Errorf("--interval must be positive")
			}
			if maxEvents == 0 || maxFlows <= 0 {
				return fmt.Errorf("--max-events and --max-flows must be positive")
			}
			lives, err := liveSessions(live, listen, peers)
			if err != nil {
				return err
			}
			if live && all {
				return fmt.Errorf("--live runs one scenario in real time: choose it with --scenario, not --all")
			}
			p, err := planFile(ctx, g, args[0], stdout, stderr)
			if ctx.Err() != nil {
				// Ctrl-C while the design loaded.
				return interrupted(stderr)
			}
			if err != nil {
				return err
			}
			if n := countErrors(p.Findings); n > 0 {
				fmt.Fprintf(stderr, "patchbay: warning: the design has %d error(s) ('patchbay validate %s' lists them); simulating it as written\n", n, args[0])
			}
			var pcap, inside, keys bytes.Buffer
			var keylog *mka.KeyLog
			run := func(sc *lang.Scenario) (*sim.Trace, error) {
				o := sim.Options{Seed: seed, Interval: interval, Metrics: metrics != "" || plotFile != "",
					MaxEvents: maxEvents, MaxFlows: maxFlows, Context: ctx}
				// Only a run that takes a few seconds shows where it is.
				prog := newProgress(stderr, 2*time.Second)
				o.Progress = func(now, end time.Duration) {
					prog.show("sim: scenario %s at %s of %s", sc.Name, max(now, 0).Truncate(time.Second), stdlib.FormatDuration(end))
				}
				if pcapFile != "" {
					o.Pcap = &pcap
				}
				if pcapInside != "" {
					o.PcapInside = &inside
				}
				if keylogFile != "" {
					keylog = mka.NewKeyLog(&keys)
					o.KeyLog = keylog
				}
				var tr *sim.Trace
				o.Live = lives
				if live {
					// The run keeps to the wall clock; its timeline is the
					// progress.
					o.Progress = nil
				} else {
					// One run at a time, as fast as it goes.
					o.OwnThread = true
				}
				s, err := sim.Start(p, sc, o)
				switch {
				case err == nil && live:
					fmt.Fprintf(stderr, "patchbay: scenario %s runs in real time for %s; its timeline follows\n", sc.Name, stdlib.FormatDuration(sc.Duration))
					tr, err = s.RunLive(ctx, stderr)
				case err == nil:
					tr, err = s.Finish()
				}
				prog.done()
				if ctx.Err() != nil {
					// Stopped, or finished as the interrupt came: either
					// way nothing is written.
					return nil, interrupted(stderr)
				}
				var d lang.Diagnostic
				var ds lang.Diagnostics
				if err != nil && live && !errors.As(err, &d) && !errors.As(err, &ds) {
					// A session or socket of the live run, not the design.
					return nil, err
				}
				if err != nil {
					_ = lang.WriteDiagnostics(stderr, lang.AsDiagnostics(err, "scenario"), p.Design.Files)
					return nil, exitError{exitFailure}
				}
				return tr, nil
			}
			if all {
				if g.format != "text" || name != "" || metrics != "" || plotFile != "" || pcapFile != "" || pcapInside != "" || keylogFile != "" {
					return fmt.Errorf("--all prints every scenario's timeline as text; run one --scenario for JSON, --metrics, --plot or a capture")
				}
				var broke error
				for i, sc := range p.Design.Scenarios {
					tr, err := run(sc)
					if err != nil {
						return err
					}
					if i > 0 {
						fmt.Fprintln(stdout)
					}
					if err := tr.WriteText(stdout); err != nil {
						return err
					}
					if tr.HasErrors() {
						broke = exitError{exitFindings}
					}
				}
				return broke
			}
			sc, err := pickScenario(p.Design, args[0], name)
			if err != nil {
				return err
			}
			tr, err := run(sc)
			if err != nil {
				return err
			}
			if metrics != "" {
				if err := writeOutput(ctx, stdout, "--metrics", metrics, tr.WriteMetricsCSV); err != nil {
					return err
				}
			}
			if plotFile != "" {
				if err := writeOutput(ctx, stdout, "--plot", plotFile, tr.WriteSVG); err != nil {
					return err
				}
			}
			if pcapFile != "" {
				if err := writeOutputBytes(ctx, stdout, "--pcap", pcapFile, pcap.Bytes()); err != nil {
					return err
				}
			}
			if pcapInside != "" {
				if err := writeOutputBytes(ctx, stdout, "--pcap-inside", pcapInside, inside.Bytes()); err != nil {
					return err
				}
			}
			if keylogFile != "" {
				if err := keylog.Err(); err != nil {
					return fmt.Errorf("--keylog: %w", err)
				}
				if err := writeOutputMode(ctx, stdout, "--keylog", keylogFile, keys.Bytes(), 0o600); err != nil {
					return err
				}
			}
			if g.format == "json" {
				err = tr.WriteJSON(stdout)
			} else {
				err = tr.WriteText(stdout)
			}
			if err != nil {
				return err
			}
			if tr.HasErrors() {
				return exitError{exitFindings}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&name, "scenario", "", "the scenario to run (required when the design has several)")
	cmd.Flags().BoolVar(&all, "all", false, "run every scenario of the design, in order, and print their timelines")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "seed of the run's random choices (probe loss on congested links)")
	cmd.Flags().DurationVar(&interval, "interval", time.Second, "metric sampling period and probe aggregation window")
	cmd.Flags().Uint64Var(&maxEvents, "max-events", sim.DefaultMaxEvents, "the budget of the run's events (each rerouting of the traffic counts one more per flow): a run over it stops with an error")
	cmd.Flags().IntVar(&maxFlows, "max-flows", sim.DefaultMaxFlows, "the most flows a scenario may have")
	cmd.Flags().StringVar(&metrics, "metrics", "", "write the metric series as CSV to this file")
	cmd.Flags().StringVar(&plotFile, "plot", "", "write an SVG plot of utilisation, loss and round trips to this file")
	cmd.Flags().StringVar(&pcapFile, "pcap", "", "write every control frame as it crosses the wire to this file: MKA, and BGP and BFD inside MACsec where links are secured (pcap, nanosecond timestamps of virtual time from 2026-01-01T00:00:00Z)")
	cmd.Flags().StringVar(&pcapInside, "pcap-inside", "", "write the BGP and BFD frames as the routers' MACsec interfaces see them, in the clear, to this file")
	cmd.Flags().BoolVar(&live, "live", false, "run the scenario in real time, with the sessions named by --listen peering with real routers (BGP over TCP, BFD over UDP 3784); the timeline goes to standard error as it happens")
	cmd.Flags().StringArrayVar(&listen, "listen", nil, "with --live, SESSION=ADDR:PORT: the AWS end of that BGP session listens there for a real router (SESSION alone: 127.0.0.1, port 11179 and up); repeat for more sessions")
	cmd.Flags().StringArrayVar(&peers, "peer", nil, "with --live, SESSION=ADDR: the real router connects from ADDR (default: the far end's address in the plan); a connection from anywhere else is refused")
	cmd.Flags().StringVar(&keylogFile, "keylog", "", "write a line for every MACsec SA installed (time, SCI, AN, KN, key server MI, cipher suite, SAK; SSCI and salt with XPN) to this file, enough to decrypt the --pcap capture; - for standard output")
	return cmd
}

func pickScenario(d *lang.Design, file, name string) (*lang.Scenario, error) {
	var names []string
	for _, s := range d.Scenarios {
		if s.Name == name || (name == "" && len(d.Scenarios) == 1) {
			return s, nil
		}
		names = append(names, s.Name)
	}
	switch {
	case len(names) == 0:
		return nil, fmt.Errorf("%s declares no scenario: add one with scenario(...) ('patchbay doc scenario')", file)
	case name == "":
		return nil, fmt.Errorf("%s declares %d scenarios: choose one with --scenario (%s)", file, len(names), strings.Join(names, ", "))
	}
	hint := ""
	if n := lang.Nearest(name, names); n != "" {
		hint = fmt.Sprintf(" (did you mean %q?)", n)
	}
	return nil, fmt.Errorf("--scenario %q: %s has no such scenario%s; it has %s", name, file, hint, strings.Join(names, ", "))
}

func countErrors(ds lang.Diagnostics) int {
	n := 0
	for _, d := range ds {
		if d.Severity == lang.SevError {
			n++
		}
	}
	return n
}

// liveSessions reads --listen and --peer into the sessions a live run
// peers with real routers.
func liveSessions(live bool, listen, peers []string) (map[string]sim.Live, error) {
	if !live {
		if len(listen) > 0 || len(peers) > 0 {
			return nil, fmt.Errorf("--listen and --peer are for --live")
		}
		return nil, nil
	}
	if len(listen) == 0 {
		return nil, fmt.Errorf("--live needs a session to peer: --listen SESSION=ADDR:PORT")
	}
	out := map[string]sim.Live{}
	used := map[netip.AddrPort]bool{}
	defaulted := 0
	for _, l := range listen {
		name, addr, ok := strings.Cut(l, "=")
		ap := netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), uint16(11179+defaulted))
		if !ok {
			defaulted++
		}
		if ok {
			var err error
			if ap, err = netip.ParseAddrPort(addr); err != nil {
				return nil, fmt.Errorf("--listen %s: %s is not ADDR:PORT ([ADDR]:PORT for IPv6)", l, addr)
			}
		}
		if _, dup := out[name]; dup || name == "" {
			return nil, fmt.Errorf("--listen %s: give each session once, as SESSION=ADDR:PORT", l)
		}
		if ap.Port() == 0 || used[ap] {
			return nil, fmt.Errorf("--listen %s: each session listens on a port of its own, not 0", l)
		}
		used[ap] = true
		out[name] = sim.Live{Listen: ap}
	}
	for _, p := range peers {
		name, addr, ok := strings.Cut(p, "=")
		a, err := netip.ParseAddr(addr)
		if !ok || err != nil {
			return nil, fmt.Errorf("--peer %s: want SESSION=ADDR", p)
		}
		l, known := out[name]
		if !known {
			return nil, fmt.Errorf("--peer %s: session %s has no --listen", p, name)
		}
		if l.Peer.IsValid() {
			return nil, fmt.Errorf("--peer %s: session %s already has a --peer", p, name)
		}
		l.Peer = a
		out[name] = l
	}
	return out, nil
}
