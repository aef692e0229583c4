package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"patchbay/lang"
	"patchbay/planner/render"
	"patchbay/sim"
)

func renderCmd(ctx context.Context, g *globalFlags, stdout, stderr io.Writer) *cobra.Command {
	var out, direction, scenario string
	var o render.Options
	var at time.Duration
	var seed uint64
	cmd := &cobra.Command{
		Use:   "render FILE -o OUT",
		Short: "Draw a design: OUT ending .dot, .svg, .png (Graphviz) or .mmd (Mermaid flowchart)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return fmt.Errorf("-o OUT is required (OUT ends .dot, .svg, .png or .mmd)")
			}
			if direction != "LR" && direction != "TB" {
				return fmt.Errorf("--direction %q: want LR or TB", direction)
			}
			o.Direction = direction
			// A directory or a missing one is known now, before the work.
			if err := checkOutput("-o", out); err != nil {
				return err
			}
			if drawer(ctx, nil, out) == nil {
				return fmt.Errorf("-o %s: patchbay draws .dot, .svg, .png and .mmd", out)
			}
			p, err := planFile(ctx, g, args[0], stdout, stderr)
			if err != nil {
				return err
			}
			if cmd.Flags().Changed("at") {
				sc, err := pickScenario(p.Design, args[0], scenario)
				if err != nil {
					return err
				}
				st, err := sim.StateAt(p, sc, sim.Options{Seed: seed}, at)
				if err != nil {
					var ds lang.Diagnostics
					if errors.As(err, &ds) {
						_ = lang.WriteDiagnostics(stderr, ds, p.Design.Files)
						return exitError{exitFailure}
					}
					return err
				}
				o.Overlay = st
			}
			return writeOutput(ctx, stdout, "-o", out, drawer(ctx, render.Build(p, o), out))
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "file to write; its extension picks the format (- for DOT on standard output)")
	cmd.Flags().StringVar(&direction, "direction", "LR", "layout direction: LR or TB")
	cmd.Flags().BoolVar(&o.Collapse, "collapse", false, "draw each Interconnect and last mile as one edge, not its channels")
	cmd.Flags().IntVar(&o.GroupAbove, "group-above", 12, "fold the VPCs on one TGW into one node when there are more than this many")
	cmd.Flags().DurationVar(&at, "at", 0, "draw the state at this moment of a scenario: failed links red, BGP sessions that are not established dashed")
	cmd.Flags().StringVar(&scenario, "scenario", "", "the scenario --at runs (required when the design has several)")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "seed of the scenario --at runs")
	return cmd
}

// drawer is how a model is drawn to a file, chosen by the file's
// extension; nil for one patchbay does not draw. Standard output ("-")
// gets DOT, text a pipe into Graphviz's own tools can take.
func drawer(ctx context.Context, m *render.Model, file string) func(io.Writer) error {
	ext := filepath.Ext(file)
	if file == "-" {
		ext = ".dot"
	}
	switch ext {
	case ".dot":
		return func(w io.Writer) error { return m.WriteDOT(w) }
	case ".mmd":
		return func(w io.Writer) error { return m.WriteMermaid(w) }
	case ".svg":
		return func(w io.Writer) error { return m.WriteSVG(ctx, w) }
	case ".png":
		return func(w io.Writer) error { return m.WritePNG(ctx, w) }
	}
	return nil
}
