package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"patchbay/lang"
	"patchbay/lang/decl"
	"patchbay/lang/load"
	"patchbay/lang/starlark"
	"patchbay/planner"
	"patchbay/planner/cost"
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
	json     bool // Terraform's -json: --format json
	root     string
	maxSteps uint64
	maxMem   uint64
	maxRes   int
	quotas   []string
	vars     []string
	varFiles []string
}

func run(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var g globalFlags
	root := &cobra.Command{
		Use:           "patchbay",
		Short:         "Design private cloud network topologies in a sandbox",
		Long:          "patchbay plans AWS VPC, Transit Gateway, Cloud WAN, Direct Connect and AWS Interconnect designs written in Starlark or HCL: a dry run that needs no cloud account.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.Version = version()
	root.SetVersionTemplate("{{.Name}} {{.Version}}\n")
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.PersistentFlags().StringVar(&g.format, "format", "text", "output format (each command's help lists its own)")
	root.PersistentFlags().StringVar(&g.root, "root", "", "project root that load() may read (default: the design file's directory)")
	root.PersistentFlags().Uint64Var(&g.maxSteps, "max-steps", starlark.DefaultMaxSteps, "step budget for a design, Starlark or HCL")
	root.PersistentFlags().Uint64Var(&g.maxMem, "max-memory", starlark.DefaultMaxMemory>>20, "memory budget for a design, Starlark or HCL, in MiB")
	root.PersistentFlags().IntVar(&g.maxRes, "max-resources", decl.MaxResources, "the most resources a design may declare, Starlark or HCL")
	root.PersistentFlags().StringArrayVar(&g.vars, "var", nil, "set an HCL variable, NAME=VALUE (repeatable; -var works too)")
	root.PersistentFlags().StringArrayVar(&g.varFiles, "var-file", nil, "read HCL variables from a file of NAME = VALUE lines (repeatable; -var-file works too)")
	root.PersistentFlags().StringArrayVar(&g.quotas, "quota", nil, "override a service quota, KEY=N (repeatable; see 'patchbay explain quota-exceeded')")
	root.PersistentFlags().BoolVar(&g.json, "json", false, "the same as --format json (Terraform's -json)")
	root.AddCommand(planCmd(ctx, &g, stdout, stderr), validateCmd(ctx, &g, stdout, stderr), explainCmd(&g, stdout), docCmd(&g, stdout), fmtCmd(&g, stdout, stderr), costCmd(ctx, &g, stdout, stderr), renderCmd(ctx, &g, stdout, stderr), simCmd(ctx, &g, stdout, stderr), sweepCmd(ctx, &g, stdout, stderr), routesCmd(ctx, &g, stdout, stderr), traceCmd(ctx, &g, stdout, stderr))
	root.AddCommand(catalogCmd(ctx, &g, stdout, stderr), exportCmd(ctx, &g, stdout, stderr), importCmd(ctx, &g, stdout, stderr))
	// Each command's --format help names what that command writes; cost
	// defines its own.
	for _, c := range root.Commands() {
		if f, ok := commandFormats[c.Name()]; ok {
			c.PersistentFlags().StringVar(&g.format, "format", "text", "output format: "+f)
		}
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		if err := g.checkQuotas(); err != nil {
			return err
		}
		if g.json {
			if f := cmd.Flags().Lookup("format"); f != nil && f.Changed && g.format != "json" {
				return usageError{fmt.Errorf("--json and --format %s disagree: give one", g.format)}
			}
			g.format = "json"
		}
		return nil
	}
	completions(root)
	root.SetArgs(singleDashFlags(root, args))

	err := root.ExecuteContext(ctx)
	var ee exitError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ee):
		return ee.code
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		// Ctrl-C while a command waited (for a reader of a named pipe,
		// say): the same exit as an interrupted run.
		fmt.Fprintln(stderr, "patchbay: interrupted")
		return exitInterrupted
	}
	fmt.Fprintf(stderr, "patchbay: %v\n", err)
	return exitFailure
}

type usageError struct{ error }

// commandFormats is the --format help of each command, matching its
// checkFormat call.
var commandFormats = map[string]string{
	"plan":     "text or json",
	"validate": "text, json or sarif (for code scanning)",
	"explain":  "text",
	"doc":      "text or json",
	"sim":      "text or json (the trace)",
	"sweep":    "text, json or markdown",
	"routes":   "text or json",
	"trace":    "text or json",
	"catalog":  "text",
	"fmt":      "text (the list --check prints)",
	"render":   "none (-o's extension chooses DOT, SVG, PNG, Mermaid or graph JSON)",
}

func checkFormat(g *globalFlags, allowed ...string) error {
	for _, a := range allowed {
		if g.format == a {
			return nil
		}
	}
	return fmt.Errorf("--format %q: want one of %v", g.format, allowed)
}

// loadDesign reads a design, printing diagnostics on failure.
func loadDesign(ctx context.Context, g *globalFlags, file string, stdout, stderr io.Writer) (*lang.Design, error) {
	d, ds, src, err := readDesign(ctx, g, file, stderr)
	if err != nil {
		return nil, err
	}
	if ds != nil {
		_ = lang.WriteDiagnostics(stderr, ds, src)
		// CI reading JSON or SARIF gets the errors there too, not an empty stdout.
		switch g.format {
		case "json":
			_ = planner.WriteErrorsJSON(stdout, src, ds)
		case "sarif":
			_ = planner.WriteSARIF(stdout, slices.Sorted(maps.Keys(src)), ds)
		}
		return nil, exitError{exitFailure}
	}
	return d, nil
}

// readDesign reads a design: on a script's failure, its diagnostics and the
// text of the files it read; err is for what is not the script's (flags).
func readDesign(ctx context.Context, g *globalFlags, file string, stderr io.Writer) (*lang.Design, lang.Diagnostics, lang.Sources, error) {
	if g.maxSteps == 0 || g.maxMem == 0 || g.maxRes <= 0 {
		return nil, nil, nil, fmt.Errorf("--max-steps, --max-memory and --max-resources must be positive")
	}
	if isDir(file) {
		example := filepath.Join(file, "design.star")
		if files, err := designsIn(file); err == nil {
			example = files[0]
		}
		return nil, nil, nil, fmt.Errorf("%s is a directory: this command reads one design (.star or .hcl), e.g. %s; plan, validate and fmt take a directory",
			file, example)
	}
	d, err := load.File(ctx, file, load.Options{Root: g.root, MaxSteps: g.maxSteps, MaxMemory: g.maxMem << 20, Print: stderr, Vars: g.vars, VarFiles: g.varFiles, Env: os.Environ(), MaxResources: g.maxRes})
	if err == nil {
		return d, nil, nil, nil
	}
	if ctx.Err() != nil {
		// Ctrl-C while the script ran: the script is not at fault (its
		// diagnostic would be "script cancelled" at whatever line it had
		// reached), and the run ends as any interrupted one does.
		return nil, nil, nil, ctx.Err()
	}
	ds := lang.AsDiagnostics(err, "load")
	var src lang.Sources
	if d != nil {
		src = d.Files
	}
	if se := (*lang.SourceError)(nil); src == nil && errors.As(err, &se) {
		src = se.Files
	}
	return nil, ds, src, nil
}

// planFile loads and plans a design, printing script errors to stderr.
func planFile(ctx context.Context, g *globalFlags, file string, stdout, stderr io.Writer) (*planner.Plan, error) {
	d, err := loadDesign(ctx, g, file, stdout, stderr)
	if err != nil {
		return nil, err
	}
	p, err := planner.New(d, g.quotaOptions()...)
	if err != nil {
		_ = lang.WriteDiagnostics(stderr, lang.AsDiagnostics(err, "plan"), d.Files)
		return nil, exitError{exitFailure}
	}
	return p, nil
}

// checkQuotas checks the --quota settings, before any design is read.
func (g *globalFlags) checkQuotas() error {
	for _, q := range g.quotas {
		key, val, ok := strings.Cut(q, "=")
		n, err := strconv.ParseInt(val, 10, 64)
		if !ok || err != nil || n < 0 {
			return fmt.Errorf("--quota %q: want KEY=N with N a whole number", q)
		}
		if err := planner.CheckQuota(key, n); err != nil {
			return fmt.Errorf("--quota: %v", err)
		}
	}
	return nil
}

// quotaOptions are the --quota settings as planner options; checkQuotas
// has refused any that do not parse.
func (g *globalFlags) quotaOptions() []planner.Option {
	var opts []planner.Option
	for _, q := range g.quotas {
		key, val, _ := strings.Cut(q, "=")
		n, _ := strconv.ParseInt(val, 10, 64)
		opts = append(opts, planner.WithQuota(key, n))
	}
	return opts
}

// findingsExit is the exit status a set of findings earns.
func findingsExit(p *planner.Plan) error {
	if p.Findings.HasErrors() {
		return exitError{exitFindings}
	}
	return nil
}

func planCmd(ctx context.Context, g *globalFlags, stdout, stderr io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "plan FILE|DIR",
		Short: "Show the dry run: resources, derived structure, graph and findings",
		Long: "Show the dry run: resources, derived structure, graph and findings.\n\n" +
			"A directory stands for every design directly in it (its .star and .hcl files), each planned in turn under a \"==> FILE <==\" line, as text.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(g, "text", "json"); err != nil {
				return err
			}
			if isDir(args[0]) {
				if g.format != "text" {
					return fmt.Errorf("plan of a directory writes text; name one design for --format %s", g.format)
				}
				return eachDesign(args[0], stdout, stderr, func(f string) error { return cmd.RunE(cmd, []string{f}) })
			}
			p, err := planFile(ctx, g, args[0], stdout, stderr)
			if err != nil {
				return err
			}
			if g.format == "json" {
				err = p.WriteJSON(stdout)
			} else {
				err = p.WriteText(stdout)
			}
			if err != nil {
				return err
			}
			if g.format == "text" {
				if r, err := cost.Price(p, cost.Options{}); err == nil {
					fmt.Fprintf(stdout, "\nCost: %s — run patchbay cost for the breakdown\n", r.Summary())
				}
			}
			return findingsExit(p)
		},
	}
}

// writeJSON writes v indented, ending in a newline.
func writeJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

func validateCmd(ctx context.Context, g *globalFlags, stdout, stderr io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "validate FILE|DIR",
		Short: "Check a design for conflicts; exit 1 when any finding is an error",
		Long: "Check a design for conflicts; exit 1 when any finding is an error.\n\n" +
			"A directory stands for every design directly in it (its .star and .hcl files): as text each under a \"==> FILE <==\" line, " +
			"as JSON or SARIF one document with every design's findings; the exit status is the worst any design earns.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(g, "text", "json", "sarif"); err != nil {
				return err
			}
			if isDir(args[0]) {
				if g.format != "text" {
					return validateDir(ctx, g, args[0], stdout, stderr)
				}
				return eachDesign(args[0], stdout, stderr, func(f string) error { return cmd.RunE(cmd, []string{f}) })
			}
			p, err := planFile(ctx, g, args[0], stdout, stderr)
			if err != nil {
				return err
			}
			switch g.format {
			case "json":
				err = p.WriteFindingsJSON(stdout)
			case "sarif":
				err = planner.WriteSARIF(stdout, p.Report().Files, p.Findings)
			default:
				err = p.WriteFindingsText(stdout)
			}
			if err != nil {
				return err
			}
			return findingsExit(p)
		},
	}
}

func explainCmd(g *globalFlags, stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "explain [RULE]",
		Short: "What a finding means and how to fix it (no RULE: list the rules)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(g, "text"); err != nil {
				return err
			}
			var b strings.Builder
			if len(args) == 0 {
				tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
				for _, r := range planner.Rules() {
					fmt.Fprintf(tw, "%s\t%s\t%s\n", r.ID, r.Severity, r.Summary)
				}
				tw.Flush()
			} else {
				r, err := planner.RuleByID(args[0])
				if err != nil {
					return err
				}
				fmt.Fprintf(&b, "%s (%s)\n\n%s\n\n%s\n", r.ID, r.Severity, r.Summary, r.Explain)
				if len(r.Sources) > 0 {
					b.WriteString("\nSources:\n")
					for _, s := range r.Sources {
						fmt.Fprintf(&b, "  %s\n    %s (cited %s)\n", s.Title, s.URL, s.Cited)
					}
				}
			}
			_, err := io.WriteString(stdout, b.String())
			return err
		},
	}
}
