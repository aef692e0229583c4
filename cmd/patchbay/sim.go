package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"patchbay/lang"
	"patchbay/lang/format"
	"patchbay/sim"
)

func simCmd(ctx context.Context, g *globalFlags, stdout, stderr io.Writer) *cobra.Command {
	var name, metrics, plotFile, pcapFile, pcapInside, keylogFile string
	var seed uint64
	var all bool
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
			p, err := planFile(ctx, g, args[0], stdout, stderr)
			if err != nil {
				return err
			}
			if n := countErrors(p.Findings); n > 0 {
				fmt.Fprintf(stderr, "patchbay: warning: the design has %d error(s) ('patchbay validate %s' lists them); simulating it as written\n", n, args[0])
			}
			var pcap, inside, keys bytes.Buffer
			var keylog *sim.KeyLog
			run := func(sc *lang.Scenario) (*sim.Trace, error) {
				o := sim.Options{Seed: seed, Interval: interval, Metrics: metrics != "" || plotFile != ""}
				if pcapFile != "" {
					o.Pcap = &pcap
				}
				if pcapInside != "" {
					o.PcapInside = &inside
				}
				if keylogFile != "" {
					keylog = sim.NewKeyLog(&keys)
					o.KeyLog = keylog
				}
				tr, err := sim.Run(p, sc, o)
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
				if err := writeAtomic(metrics, tr.WriteMetricsCSV); err != nil {
					return err
				}
			}
			if plotFile != "" {
				if err := writeAtomic(plotFile, tr.WriteSVG); err != nil {
					return err
				}
			}
			if pcapFile != "" {
				if err := format.WriteFile(pcapFile, pcap.Bytes()); err != nil {
					return err
				}
			}
			if pcapInside != "" {
				if err := format.WriteFile(pcapInside, inside.Bytes()); err != nil {
					return err
				}
			}
			if keylogFile != "" {
				if err := keylog.Err(); err != nil {
					return fmt.Errorf("--keylog: %w", err)
				}
				if err := writeFileOrStream(keylogFile, keys.Bytes(), stdout); err != nil {
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
	cmd.Flags().StringVar(&metrics, "metrics", "", "write the metric series as CSV to this file")
	cmd.Flags().StringVar(&plotFile, "plot", "", "write an SVG plot of utilisation, loss and round trips to this file")
	cmd.Flags().StringVar(&pcapFile, "pcap", "", "write every control frame as it crosses the wire to this file: MKA, and BGP and BFD inside MACsec where links are secured (pcap, nanosecond timestamps of virtual time from 2026-01-01T00:00:00Z)")
	cmd.Flags().StringVar(&pcapInside, "pcap-inside", "", "write the BGP and BFD frames as the routers' MACsec interfaces see them, in the clear, to this file")
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

// writeAtomic renders into memory and replaces the file in one rename, so
// a failed run never leaves half a file.
func writeAtomic(path string, write func(io.Writer) error) error {
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		return err
	}
	return format.WriteFile(path, buf.Bytes())
}

// writeFileOrStream writes data to path atomically (format.WriteFile); "-"
// is standard output, and a path that is not a regular file (/dev/stdout, a
// named pipe a reader waits on) is written straight into, since a rename
// cannot replace it.
func writeFileOrStream(path string, data []byte, stdout io.Writer) error {
	if path == "-" {
		_, err := stdout.Write(data)
		return err
	}
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() && !st.IsDir() {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		_, werr := f.Write(data)
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		return werr
	}
	return format.WriteFile(path, data)
}
