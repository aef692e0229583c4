package main

import (
	"context"
	"errors"
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
	"patchbay/sim/sweep"
)

func sweepCmd(ctx context.Context, g *globalFlags, stdout, stderr io.Writer) *cobra.Command {
	var name, shard, out, diagram, plotFile string
	o := sweep.Options{}
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
the same report an unsharded run gives. --shard auto reads i and N from the batch engine:
  PATCHBAY_SHARD_INDEX (1 to N) and PATCHBAY_SHARD_COUNT      a CI matrix, or anything else
  JOB_COMPLETION_INDEX (0 to N-1) and PATCHBAY_SHARD_COUNT    a Kubernetes Indexed Job (the
                                                              manifest passes its completions)
  SLURM_ARRAY_TASK_ID, _MIN, _COUNT (and _STEP)               a Slurm job array
  CI_NODE_INDEX (1 to N) and CI_NODE_TOTAL                    GitLab CI's parallel jobs
Where several are set they must agree.`,
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
				if shard == "auto" {
					i, n, err = shardFromEnv(os.Getenv)
				}
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
			s, err := sweep.Run(p, sc, o)
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
				return writeOutput(ctx, stdout, "-o", out, s.WriteJSON)
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
	cmd.Flags().Uint64Var(&o.MaxEvents, "max-events", sweep.DefaultMaxEvents, "with --simulate, the budget of the cases' events together: a sweep over it stops with an error")
	cmd.Flags().IntVar(&o.MaxFlows, "max-flows", sim.DefaultMaxFlows, "the most flows the sweep follows")
	cmd.Flags().BoolVar(&o.Managed, "managed", false, "fail the managed services' devices too (VGW, DX gateway, Transit Gateway, Cloud WAN edge): outages of a service AWS runs redundantly")
	cmd.Flags().StringVar(&shard, "shard", "", "run slice i of N (i from 1), e.g. 2/8, or auto: from the batch engine's environment; needs -o")
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
			// One shard at a time, decoded as it is read: what stays is the
			// merged cases, which the ranking needs, not every file.
			var m sweep.Merge
			for _, f := range args[1:] {
				if err := addShard(&m, p, f); err != nil {
					return err
				}
			}
			s, err := m.Finish(p)
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

func addShard(m *sweep.Merge, p *planner.Plan, file string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := m.Read(p, f); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	return nil
}

// shardFromEnv is --shard auto: the slice a batch engine's environment
// says this process is. Each engine numbers its tasks its own way; they
// are all brought to 0 ≤ i < N. An engine's variables half set, or two
// engines that disagree, are errors rather than a guess, since a wrong
// slice is only found at merge time, after the whole run.
func shardFromEnv(getenv func(string) string) (int, int, error) {
	type found struct {
		from string
		i, n int
	}
	var got []found
	num := func(name string) (int, bool, error) {
		v := strings.TrimSpace(getenv(name))
		if v == "" {
			return 0, false, nil
		}
		x, err := strconv.Atoi(v)
		if err != nil {
			return 0, true, fmt.Errorf("--shard auto: %s=%q is not a whole number", name, v)
		}
		return x, true, nil
	}
	// pair reads an index and a count; base is the first index's number.
	pair := func(engine, index, count string, base int) error {
		i, hasI, err := num(index)
		if err != nil {
			return err
		}
		n, hasN, err := num(count)
		if err != nil {
			return err
		}
		switch {
		case !hasI:
			return nil
		case !hasN:
			return fmt.Errorf("--shard auto: %s is set but %s is not: set it to the number of shards", index, count)
		case n < 1:
			return fmt.Errorf("--shard auto: %s=%d: want at least 1", count, n)
		case i-base < 0 || i-base >= n:
			return fmt.Errorf("--shard auto: %s=%d is outside %d to %d (%s=%d)", index, i, base, base+n-1, count, n)
		}
		got = append(got, found{fmt.Sprintf("%s (%s=%d, %s=%d)", engine, index, i, count, n), i - base, n})
		return nil
	}
	if err := pair("patchbay's own variables", "PATCHBAY_SHARD_INDEX", "PATCHBAY_SHARD_COUNT", 1); err != nil {
		return 0, 0, err
	}
	if err := pair("a Kubernetes Indexed Job", "JOB_COMPLETION_INDEX", "PATCHBAY_SHARD_COUNT", 0); err != nil {
		return 0, 0, err
	}
	if err := pair("GitLab CI", "CI_NODE_INDEX", "CI_NODE_TOTAL", 1); err != nil {
		return 0, 0, err
	}
	// A Slurm array's task IDs run from its MIN in steps of STEP
	// (--array=0-15:4 is 0, 4, 8, 12); a list like --array=1,3,7 has no
	// step that maps it onto 0…N-1, so it is refused.
	id, hasID, err := num("SLURM_ARRAY_TASK_ID")
	if err != nil {
		return 0, 0, err
	}
	if hasID {
		lo, hasLo, err1 := num("SLURM_ARRAY_TASK_MIN")
		n, hasN, err2 := num("SLURM_ARRAY_TASK_COUNT")
		step, hasStep, err3 := num("SLURM_ARRAY_TASK_STEP")
		hi, hasHi, err4 := num("SLURM_ARRAY_TASK_MAX")
		if err := errors.Join(err1, err2, err3, err4); err != nil {
			return 0, 0, err
		}
		if !hasLo || !hasN {
			return 0, 0, fmt.Errorf("--shard auto: SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_MIN or SLURM_ARRAY_TASK_COUNT is not (Slurm sets them for a job array)")
		}
		if !hasStep {
			step = 1
		}
		switch {
		case n < 1 || step < 1:
			return 0, 0, fmt.Errorf("--shard auto: SLURM_ARRAY_TASK_COUNT=%d, SLURM_ARRAY_TASK_STEP=%d: want at least 1", n, step)
		case hasHi && lo+(n-1)*step != hi:
			return 0, 0, fmt.Errorf("--shard auto: the Slurm array's %d tasks from %d to %d are not evenly spaced: use --array=0-%d", n, lo, hi, n-1)
		case id < lo || (id-lo)%step != 0 || (id-lo)/step >= n:
			return 0, 0, fmt.Errorf("--shard auto: SLURM_ARRAY_TASK_ID=%d is not one of the array's %d tasks from %d in steps of %d", id, n, lo, step)
		}
		got = append(got, found{fmt.Sprintf("Slurm (SLURM_ARRAY_TASK_ID=%d, _MIN=%d, _COUNT=%d)", id, lo, n), (id - lo) / step, n})
	}
	if len(got) == 0 {
		return 0, 0, fmt.Errorf("--shard auto: no shard in the environment: set PATCHBAY_SHARD_INDEX (1 to N) and PATCHBAY_SHARD_COUNT, " +
			"or run as a Kubernetes Indexed Job (JOB_COMPLETION_INDEX, with PATCHBAY_SHARD_COUNT), a Slurm array (SLURM_ARRAY_TASK_ID) or GitLab CI parallel jobs (CI_NODE_INDEX)")
	}
	for _, g := range got[1:] {
		if g.i != got[0].i || g.n != got[0].n {
			return 0, 0, fmt.Errorf("--shard auto: the environment names two shards: %d/%d from %s, %d/%d from %s", got[0].i+1, got[0].n, got[0].from, g.i+1, g.n, g.from)
		}
	}
	return got[0].i, got[0].n, nil
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

func reportSweep(ctx context.Context, g *globalFlags, p *planner.Plan, s *sweep.Sweep, out, diagram, plotFile string, stdout io.Writer) error {
	write := map[string]func(io.Writer) error{"text": s.WriteText, "json": s.WriteJSON, "markdown": s.WriteMarkdown}[g.format]
	if out != "" {
		if err := writeOutput(ctx, stdout, "-o", out, write); err != nil {
			return err
		}
	} else if err := write(stdout); err != nil {
		return err
	}
	if plotFile != "" {
		if err := writeOutput(ctx, stdout, "--plot", plotFile, s.WriteBlackoutSVG); err != nil {
			return err
		}
	}
	if diagram != "" && len(s.Ranking) > 0 {
		st, err := s.Overlay(p, s.Ranking[0])
		if err != nil {
			return err
		}
		worst := s.Cases[s.Ranking[0]].Failed
		var down []lang.Target
		for _, e := range worst {
			down = append(down, lang.Target{Kind: e.Kind, Name: e.Name})
		}
		caption := fmt.Sprintf("%s: sweep of scenario %s, worst case; %s", s.Design, s.Scenario, failedText(down))
		draw := drawer(ctx, render.Build(p, render.Options{Direction: "LR", GroupAbove: 12, Overlay: withFailed(st, down), Caption: caption}), diagram)
		if draw == nil {
			return fmt.Errorf("--diagram %s: patchbay draws .dot, .svg, .png and .mmd", diagram)
		}
		if err := writeOutput(ctx, stdout, "--diagram", diagram, draw); err != nil {
			return err
		}
	}
	if s.HasBroken() {
		return exitError{exitFindings}
	}
	return nil
}
