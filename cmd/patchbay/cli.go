package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/spf13/cobra"

	"patchbay/lang"
	"patchbay/lang/load"
	"patchbay/lang/starlark"
	"patchbay/planner"
)

// Exit codes, as DESIGN.md fixes them.
const (
	exitOK       = 0
	exitFindings = 1 // the design has errors
	exitFailure  = 2 // the command could not run
)

// exitError carries an exit code through cobra.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

type globalFlags struct {
	format   string
	root     string
	maxSteps uint64
}

func run(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var g globalFlags
	root := &cobra.Command{
		Use:           "patchbay",
		Short:         "Design private cloud network topologies in a sandbox",
		Long:          "patchbay plans AWS VPC, Transit Gateway, Cloud WAN, Direct Connect and AWS Interconnect designs written in Starlark: a dry run that needs no cloud account.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetArgs(args)
	root.PersistentFlags().StringVar(&g.format, "format", "text", "output format: text or json")
	root.PersistentFlags().StringVar(&g.root, "root", "", "project root that load() may read (default: the design file's directory)")
	root.PersistentFlags().Uint64Var(&g.maxSteps, "max-steps", starlark.DefaultMaxSteps, "step budget for the script")
	root.AddCommand(planCmd(ctx, &g, stdout, stderr), docCmd(&g, stdout))
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })

	err := root.ExecuteContext(ctx)
	var ee exitError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ee):
		return ee.code
	}
	fmt.Fprintf(stderr, "patchbay: %v\n", err)
	return exitFailure
}

type usageError struct{ error }

func checkFormat(g *globalFlags, allowed ...string) error {
	for _, a := range allowed {
		if g.format == a {
			return nil
		}
	}
	return fmt.Errorf("--format %q: want one of %v", g.format, allowed)
}

// loadDesign reads a design, printing diagnostics on failure.
func loadDesign(ctx context.Context, g *globalFlags, file string, stderr io.Writer) (*lang.Design, error) {
	d, err := load.File(ctx, file, load.Options{Root: g.root, MaxSteps: g.maxSteps, Print: stderr})
	if err != nil {
		ds := lang.AsDiagnostics(err, "load")
		var src lang.Sources
		if d != nil {
			src = d.Files
		}
		if src == nil {
			src = sourcesOf(err)
		}
		_ = lang.WriteDiagnostics(stderr, ds, src)
		return nil, exitError{exitFailure}
	}
	return d, nil
}

// sourcesOf recovers the files a failed load read, for snippets.
func sourcesOf(err error) lang.Sources {
	var s interface{ Sources() lang.Sources }
	if errors.As(err, &s) {
		return s.Sources()
	}
	return nil
}

func planCmd(ctx context.Context, g *globalFlags, stdout, stderr io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "plan FILE",
		Short: "Show the dry run: resources, derived structure, graph and findings",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(g, "text", "json"); err != nil {
				return err
			}
			d, err := loadDesign(ctx, g, args[0], stderr)
			if err != nil {
				return err
			}
			p, err := planner.New(d)
			if err != nil {
				_ = lang.WriteDiagnostics(stderr, lang.AsDiagnostics(err, "plan"), d.Files)
				return exitError{exitFailure}
			}
			if g.format == "json" {
				err = p.WriteJSON(stdout)
			} else {
				err = p.WriteText(stdout)
			}
			if err != nil {
				return err
			}
			if p.Findings.HasErrors() {
				return exitError{exitFindings}
			}
			return nil
		},
	}
}
