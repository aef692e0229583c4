package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"patchbay/lang"
	"patchbay/planner"
	"patchbay/planner/render"
	"patchbay/sim"
	"patchbay/stdlib"
)

func renderCmd(ctx context.Context, g *globalFlags, stdout, stderr io.Writer) *cobra.Command {
	var out, direction, scenario string
	var o render.Options
	var at time.Duration
	var seed uint64
	cmd := &cobra.Command{
		Use:   "render FILE -o OUT",
		Short: "Draw a design: OUT ending .dot, .svg, .png (Graphviz), .mmd (Mermaid flowchart) or .json (the graph as data)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return fmt.Errorf("-o OUT is required (OUT ends .dot, .svg, .png, .mmd or .json)")
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
				return fmt.Errorf("-o %s: patchbay draws .dot, .svg, .png, .mmd and .json", out)
			}
			p, err := planFile(ctx, g, args[0], stdout, stderr)
			if err != nil {
				return err
			}
			if ext := filepath.Ext(out); ext == ".png" || ext == ".svg" {
				render.Preload(ctx)
			}
			if cmd.Flags().Changed("at") {
				sc, err := pickScenario(p.Design, args[0], scenario)
				if err != nil {
					return err
				}
				st, err := stateAt(p, sc, seed, at)
				if err != nil {
					var ds lang.Diagnostics
					if errors.As(err, &ds) {
						_ = lang.WriteDiagnostics(stderr, ds, p.Design.Files)
						return exitError{exitFailure}
					}
					return err
				}
				var down []lang.Target
				o.Overlay, down = failedAt(st, sc, at)
				o.Caption = fmt.Sprintf("%s: scenario %s at %s; %s", filepath.Base(args[0]), sc.Name, stdlib.FormatDuration(at), failedText(down))
			}
			return writeOutput(ctx, stdout, "-o", out, drawer(ctx, render.Build(p, o), out))
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "file to write; its extension picks the format (- for DOT on standard output)")
	cmd.Flags().StringVar(&direction, "direction", "LR", "layout direction: LR or TB")
	cmd.Flags().BoolVar(&o.Collapse, "collapse", false, "draw each Interconnect and last mile as one edge, not its channels")
	cmd.Flags().IntVar(&o.GroupAbove, "group-above", 12, "fold the VPCs on one TGW into one node when there are more than this many")
	cmd.Flags().BoolVar(&o.Details, "details", false, "put each channel's VLAN, subnets, ASNs, MTU and MACsec in a table beside the graph, not on its edge")
	cmd.Flags().DurationVar(&at, "at", 0, "draw the state at this moment of a scenario, captioned: failed devices and facilities and links red, BGP sessions that are not established dashed")
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
		return func(w io.Writer) error {
			defer pngGC()()
			return m.WritePNG(ctx, w)
		}
	case ".json":
		return func(w io.Writer) error { return m.WriteJSON(w) }
	}
	return nil
}

// pngGCPercent is the collector's GOGC while a PNG is drawn. Drawing is
// a burst of large, short-lived allocations (the canvas, the encoder's
// buffers, Graphviz's output), and at the default 100 the collector ran
// often and stopped the WebAssembly code to do it: for the 1,000-node
// design of bench/png.sh, 800 took the time from 2.20× to 1.97–2.04×
// dot's. Since Graphviz's memory grows in place and its calls no longer
// allocate, drawing makes a quarter of the garbage, and the gain is
// smaller: 1.88–1.94× against 1.88–2.00× at 100, for 2.26× against
// 2.07× dot's peak memory, within the 4× the tool allows itself.
// One drawing runs at a time (render writes one file, sweep one diagram);
// drawings at once would need the setting counted, not saved.
const pngGCPercent = 800

// pngGC sets the collector for drawing a PNG and returns what restores
// it. A GOGC the user set is theirs and is kept.
func pngGC() func() {
	if _, set := os.LookupEnv("GOGC"); set {
		return func() {}
	}
	old := debug.SetGCPercent(pngGCPercent)
	return func() { debug.SetGCPercent(old) }
}

// failures adds to the simulator's state of links and sessions the devices
// and facilities that were failed, which the state does not carry, so a
// drawing marks them too.
type failures struct {
	render.Overlay
	devices, facilities map[string]bool
}

var _ render.DeviceOverlay = failures{}

func (f failures) DeviceUp(d string) (up, known bool) {
	if f.devices[d] {
		return false, true
	}
	return true, false
}

func (f failures) FacilityUp(fac string) (up, known bool) {
	if f.facilities[fac] {
		return false, true
	}
	return true, false
}

// withFailed is the overlay st with the devices and facilities of down
// marked failed.
func withFailed(st render.Overlay, down []lang.Target) failures {
	f := failures{Overlay: st, devices: map[string]bool{}, facilities: map[string]bool{}}
	for _, t := range down {
		switch t.Kind {
		case lang.TargetDevice:
			f.devices[t.Name] = true
		case lang.TargetFacility:
			f.facilities[t.Name] = true
		}
	}
	return f
}

// failedAt is the overlay of st at moment at of scenario sc, with what the
// scenario's events have failed by then (and not restored): fail until a
// restore, maintenance for its duration.
func failedAt(st render.Overlay, sc *lang.Scenario, at time.Duration) (failures, []lang.Target) {
	var down []lang.Target
	for _, e := range sc.Events {
		if e.At > at {
			continue
		}
		switch e.Action {
		case lang.ActionFail:
			if !slices.Contains(down, e.Target) {
				down = append(down, e.Target)
			}
		case lang.ActionRestore:
			down = slices.DeleteFunc(down, func(t lang.Target) bool { return t == e.Target })
		case lang.ActionMaintenance:
			if at < e.At+e.Duration && !slices.Contains(down, e.Target) {
				down = append(down, e.Target)
			}
		}
	}
	return withFailed(st, down), down
}

// failedText names what failed, for a caption.
func failedText(down []lang.Target) string {
	if len(down) == 0 {
		return "nothing failed"
	}
	var s []string
	for _, t := range down {
		s = append(s, string(t.Kind)+" "+t.Name)
	}
	return "failed: " + strings.Join(s, ", ")
}

// stateAt runs a scenario to at and returns the state of the network then.
func stateAt(p *planner.Plan, sc *lang.Scenario, seed uint64, at time.Duration) (*sim.State, error) {
	if at < 0 || at > sc.Duration {
		return nil, fmt.Errorf("--at %s is outside scenario %s, which runs %s", stdlib.FormatDuration(at), sc.Name, stdlib.FormatDuration(sc.Duration))
	}
	s, err := sim.Start(p, sc, sim.Options{Seed: seed, OwnThread: true})
	if err != nil {
		return nil, err
	}
	if err := s.RunUntil(at); err != nil {
		return nil, err
	}
	return s.State(), nil
}
