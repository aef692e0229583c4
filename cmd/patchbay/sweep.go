package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"patchbay/lang"
	"patchbay/planner"
	"patchbay/planner/render"
	"patchbay/sim"
)

func sweepCmd(ctx context.Context, g *globalFlags, stdout, stderr io.Writer) *cobra.Command {
	var name, shard, out, diagram, plotFile string
	o := sim.SweepOptions{}
	cmd := &cobra.Command{
		Use:   "sweep FILE",
		Short: "Fail every link, channel, facility and device in turn (N-1) and rank what each breaks",
		Long: `sweep fails each element of the design in turn — every LAG member, channel or connection,
facility and device (with --depth 2, every pair too) — and works out, for the flows of the
design's scenario (or 1 Gbps each way between the ends of every monitor): what is lost while
the routers have not noticed (until BFD, MKA or the BGP hold timer), how long a flow is cut,
and what is missing once routing has settled. It ranks the failures, checks the design's
objectives (exit 1 when a failure breaks one) and estimates each flow's availability.

--shard i/N -o FILE runs one of N slices of the cases; 'patchbay sweep merge' joins them into
the same report an unsharded run gives.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(g, "text", "json", "markdown"); err != nil {
				return err
			}
			if o.MaxEvents == 0 || o.MaxFlows <= 0 {
				return fmt.Errorf("--max-events and --max-flows must be positive")
			}
			if diagram != "" && drawer(ctx, nil, diagram) == nil {
				return fmt.Errorf("--diagram %s: patchbay draws .dot, .svg, .png and .mmd", diagram)
			}
			if shard != "" {
				i, n, err := parseShard(shard)
				if err != nil {
					return err
				}
				if out == "" {
					return fmt.Errorf("--shard needs -o FILE for the shard's JSON")
				}
				o.Shard, o.Shards = i, n
			}
			p, err := planFile(ctx, g, args[0], stdout, stderr)
			if ctx.Err() != nil {
				// Ctrl-C while the design loaded.
				return interrupted(stderr)
			}
			if err != nil {
				return err
			}
			var sc *lang.Scenario
			if len(p.Design.Scenarios) > 0 || name != "" {
				if sc, err = pickScenario(p.Design, args[0], name); err != nil {
					return err
				}
			}
			prog := newProgress(stderr, time.Second)
			o.Progress = func(done, total int) { prog.show("sweep: %d/%d failures", done, total) }
			o.Context = ctx
			s, err := sim.RunSweep(p, sc, o)
			prog.done()
			if ctx.Err() != nil {
				// Stopped, or finished as the interrupt came: either way
				// the user asked for nothing to be written.
				return interrupted(stderr)
			}
			if err != nil {
				return err
			}
			if shard != "" {
				return writeOutput(stdout, "-o", out, s.WriteJSON)
			}
			return reportSweep(ctx, g, p, s, out, diagram, plotFile, stdout)
		},
	}
	cmd.Flags().StringVar(&name, "scenario", "", "the scenario whose flows to follow (required when the design has several)")
	cmd.Flags().IntVar(&o.Depth, "depth", 1, "1: every single failure; 2: every pair as well")
	cmd.Flags().IntVar(&o.MaxCases, "max-pairs", 20000, "with --depth 2, at most this many pairs: a larger set is sampled with --seed (0: no bound)")
	cmd.Flags().Uint64Var(&o.Seed, "seed", 1, "seed of the pair sample")
	cmd.Flags().IntVar(&o.Workers, "workers", 0, "parallel workers (default: all cores)")
	cmd.Flags().BoolVar(&o.Simulate, "simulate", false, "run the event-driven simulation (BFD, BGP, MKA timers) for each case, failing at 10 s and watching 2 minutes: measured instead of the steady state and the slowest detection, and far slower")
	cmd.Flags().Uint64Var(&o.MaxEvents, "max-events", sim.DefaultMaxSweepEvents, "with --simulate, the budget of the cases' events together: a sweep over it stops with an error")
	cmd.Flags().IntVar(&o.MaxFlows, "max-flows", sim.DefaultMaxFlows, "the most flows the sweep follows")
	cmd.Flags().BoolVar(&o.Managed, "managed", false, "fail the managed services' devices too (VGW, DX gateway, Transit Gateway, Cloud WAN edge): outages of a service AWS runs redundantly")
	cmd.Flags().StringVar(&shard, "shard", "", "run slice i of N (i from 1), e.g. 2/8; needs -o")
	cmd.Flags().StringVarP(&out, "output", "o", "", "write the report (or a shard) to this file instead of stdout")
	cmd.Flags().StringVar(&diagram, "diagram", "", "draw the design with the worst failure marked: FILE ending .dot, .svg, .png or .mmd")
	cmd.Flags().StringVar(&plotFile, "plot", "", "write an SVG bar chart of blackout per failure")
	cmd.AddCommand(sweepMergeCmd(ctx, g, stdout, stderr))
	return cmd
}

func sweepMergeCmd(ctx context.Context, g *globalFlags, stdout, stderr io.Writer) *cobra.Command {
	var out, diagram, plotFile string
	cmd := &cobra.Command{
		Use:   "merge FILE SHARD.json...",
		Short: "Join the shards of a sweep into its report",
		Args:  cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(g, "text", "json", "markdown"); err != nil {
				return err
			}
			p, err := planFile(ctx, g, args[0], stdout, stderr)
			if err != nil {
				return err
			}
			var shards []*sim.Sweep
			for _, f := range args[1:] {
				b, err := os.ReadFile(f)
				if err != nil {
					return err
				}
				var s sim.Sweep
				dec := json.NewDecoder(bytes.NewReader(b))
				dec.DisallowUnknownFields()
				if err := dec.Decode(&s); err != nil || s.Schema != sim.SweepSchema {
					return fmt.Errorf("%s: not a %s shard: %v", f, sim.SweepSchema, err)
				}
				shards = append(shards, &s)
			}
			s, err := sim.MergeSweeps(p, shards)
			if err != nil {
				return err
			}
			return reportSweep(ctx, g, p, s, out, diagram, plotFile, stdout)
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "write the report to this file instead of stdout")
	cmd.Flags().StringVar(&diagram, "diagram", "", "draw the design with the worst failure marked")
	cmd.Flags().StringVar(&plotFile, "plot", "", "write an SVG bar chart of blackout per failure")
	return cmd
}

func parseShard(s string) (int, int, error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 1 || i > n {
		return 0, 0, fmt.Errorf("--shard %q: want i/N with 1 ≤ i ≤ N, e.g. 2/8", s)
	}
	return i - 1, n, nil
}

func reportSweep(ctx context.Context, g *globalFlags, p *planner.Plan, s *sim.Sweep, out, diagram, plotFile string, stdout io.Writer) error {
	write := map[string]func(io.Writer) error{"text": s.WriteText, "json": s.WriteJSON, "markdown": s.WriteMarkdown}[g.format]
	if out != "" {
		if err := writeOutput(stdout, "-o", out, write); err != nil {
			return err
		}
	} else if err := write(stdout); err != nil {
		return err
	}
	if plotFile != "" {
		if err := writeOutput(stdout, "--plot", plotFile, s.WriteBlackoutSVG); err != nil {
			return err
		}
	}
	if diagram != "" && len(s.Ranking) > 0 {
		st, err := s.Overlay(p, s.Ranking[0])
		if err != nil {
			return err
		}
		draw := drawer(ctx, render.Build(p, render.Options{Direction: "LR", GroupAbove: 12, Overlay: st}), diagram)
		if draw == nil {
			return fmt.Errorf("--diagram %s: patchbay draws .dot, .svg, .png and .mmd", diagram)
		}
		if err := writeOutput(stdout, "--diagram", diagram, draw); err != nil {
			return err
		}
	}
	if s.HasBroken() {
		return exitError{exitFindings}
	}
	return nil
}
