package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"patchbay/lang/project"
	"patchbay/planner"
	"patchbay/planner/cost"
	"patchbay/stdlib"
)

type costFlags struct {
	usage        string
	catalogs     []string
	hours        float64
	compare      string
	explain      bool
	syncUsage    string
	showSkipped  bool
	failAbove    string // as given; check parses it into limit
	failIncrease string // likewise into raise
	limit, raise *float64
}

// readInput reads a file named by a flag with the project's limits
// (regular files only, 16 MiB), naming the flag and file in errors.
func readInput(flag, path string) ([]byte, error) {
	data, err := project.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %v", flag, path, err)
	}
	return data, nil
}

// parseAmount reads a budget: dollars, with an optional $ and thousands
// separators, since people copy them from reports ("$1,234.56").
func parseAmount(flag, s string) (float64, error) {
	t := strings.ReplaceAll(strings.TrimPrefix(strings.TrimSpace(s), "$"), ",", "")
	x, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
		return 0, fmt.Errorf("%s %q: want an amount in dollars, such as 1000 or $1,234.56", flag, s)
	}
	return x, nil
}

// check refuses flag combinations that mean nothing, before any work.
func (f *costFlags) check(g *globalFlags) error {
	if f.explain && g.format != "text" {
		return fmt.Errorf("--explain is for the text report; JSON carries each line's price_id and source")
	}
	if f.failAbove != "" {
		x, err := parseAmount("--fail-above", f.failAbove)
		if err != nil {
			return err
		}
		f.limit = &x
	}
	if f.failIncrease != "" {
		if f.compare == "" {
			return fmt.Errorf("--fail-increase-above needs --compare: an increase is from a before")
		}
		x, err := parseAmount("--fail-increase-above", f.failIncrease)
		if err != nil {
			return err
		}
		f.raise = &x
	}
	if f.showSkipped && f.compare != "" {
		return fmt.Errorf("--show-skipped lists the resources of one design; drop --compare")
	}
	if f.syncUsage != "" {
		if _, own := ownDescriptor(f.syncUsage); f.syncUsage != "-" && !own && !cost.IsYAML(f.syncUsage) {
			return fmt.Errorf("--sync-usage %s: the usage file it writes is YAML; name a .yml or .yaml file", f.syncUsage)
		}
		if f.usage != "" && f.usage != f.syncUsage {
			return fmt.Errorf("--sync-usage reads the amounts already in its own file and prices with them; drop --usage %s", f.usage)
		}
		if err := checkOutput("--sync-usage", f.syncUsage); err != nil {
			return err
		}
	}
	return nil
}

// options reads the price catalog overrides and the usage file.
func (f *costFlags) options() (cost.Options, error) {
	o := cost.Options{Prices: stdlib.DefaultPrices(), Hours: f.hours}
	if f.hours < 0 || f.hours > 100*cost.HoursPerMonth {
		return o, fmt.Errorf("--hours %v: want a period up to 100 months (73,000 hours)", f.hours)
	}
	for _, c := range f.catalogs {
		data, err := readInput("--catalog", c)
		if err != nil {
			return o, err
		}
		rows, err := stdlib.ParsePrices(c, data)
		if err != nil {
			return o, err
		}
		o.Prices = o.Prices.With(rows)
	}
	if f.usage != "" && f.syncUsage == "" {
		data, err := readInput("--usage", f.usage)
		if err != nil {
			return o, err
		}
		u, err := cost.ParseUsage(f.usage, data)
		if err != nil {
			return o, err
		}
		o.Usage = u
	}
	return o, nil
}

// sync writes the --sync-usage file for p and returns the usage it holds,
// to price with, and a line saying what it wrote. The amounts already in
// the file are kept; a file that does not parse is an error rather than
// something to overwrite.
func (f *costFlags) sync(ctx context.Context, p *planner.Plan, stdout io.Writer) (*cost.Usage, string, error) {
	path := f.syncUsage
	var old *cost.Usage
	// Standard output redirected to a file is a regular file too, but what
	// it holds is not a usage file to merge.
	_, own := ownDescriptor(path)
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() && path != "-" && !own {
		data, err := readInput("--sync-usage", path)
		if err != nil {
			return nil, "", err
		}
		if old, err = cost.ParseUsage(path, data); err != nil {
			return nil, "", fmt.Errorf("%v (--sync-usage keeps the amounts in the file, so it must parse; fix it or remove it)", err)
		}
	}
	data, res, err := cost.SyncUsage(p, old)
	if err != nil {
		return nil, "", err
	}
	if err := writeOutputBytes(ctx, stdout, "--sync-usage", path, data); err != nil {
		return nil, "", err
	}
	msg := fmt.Sprintf("patchbay: --sync-usage %s: %s of %s", path, nounCount(res.Keys, "usage key"), nounCount(res.Resources, "resource"))
	if res.Kept > 0 {
		msg += fmt.Sprintf(", %s kept", nounCount(res.Kept, "amount"))
	}
	if len(res.Dropped) > 0 {
		msg += "; dropped " + strings.Join(res.Dropped, ", ") + ": not in the design"
	}
	// Price with what was written, read back as --usage would read it.
	u, err := cost.ParseUsageYAML(path, data)
	return u, msg + "\n", err
}

// nounCount is "1 thing" or "n things".
func nounCount(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

// syncToStdout says whether --sync-usage names standard output, where the
// usage file is then the whole output: a report after it would make it
// unreadable as YAML.
func syncToStdout(path string) bool {
	fd, own := ownDescriptor(path)
	return path == "-" || own && fd == 1
}

func costCmd(ctx context.Context, g *globalFlags, stdout, stderr io.Writer) *cobra.Command {
	var f costFlags
	cmd := &cobra.Command{
		Use:   "cost FILE",
		Short: "Price a design: per resource and component, both clouds, totals",
		Long: `Price a design: per resource and component, both clouds, totals.

A component without a known price is UNPRICED: it is left out of the total,
which then reads "at least". Exit status 1 when --fail-above or
--fail-increase-above is exceeded, or cannot be decided because of UNPRICED
components; 2 when the command cannot run.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(g, "text", "json", "markdown"); err != nil {
				return err
			}
			if err := f.check(g); err != nil {
				return err
			}
			o, err := f.options()
			if err != nil {
				return err
			}
			p, err := planFile(ctx, g, args[0], stdout, stderr)
			if err != nil {
				return err
			}
			if f.syncUsage != "" {
				u, msg, err := f.sync(ctx, p, stdout)
				if err != nil {
					return err
				}
				if syncToStdout(f.syncUsage) {
					return nil
				}
				fmt.Fprint(stderr, msg)
				o.Usage = u
			}
			r, err := cost.Price(p, o)
			if err != nil {
				return err
			}
			var failures []string
			if f.limit != nil {
				if v, why := r.CheckTotal(*f.limit); v != cost.Within {
					failures = append(failures, "--fail-above: "+why)
				}
			}
			if f.compare != "" {
				before, err := baseline(ctx, g, f.compare, o, stdout, stderr)
				if err != nil {
					return err
				}
				c, err := r.Compare(before)
				if err != nil {
					return err
				}
				if f.raise != nil {
					if v, why := c.CheckIncrease(*f.raise); v != cost.Within {
						failures = append(failures, "--fail-increase-above: "+why)
					}
				}
				if g.format == "json" {
					err = writeJSON(stdout, c)
				} else {
					err = cost.WriteCompare(stdout, before, r, g.format == "markdown")
				}
				if err != nil {
					return err
				}
				return budgetExit(stderr, failures)
			}
			if err := writeCostReport(stdout, g.format, r, p, f); err != nil {
				return err
			}
			return budgetExit(stderr, failures)
		},
	}
	cmd.Flags().StringVar(&g.format, "format", "text", "output format: text, json or markdown (a pull-request comment)")
	cmd.Flags().StringVar(&f.usage, "usage", "", "usage `FILE`, YAML (.yml, .yaml; Infracost's shape) or JSON: monthly amounts per resource type and per resource")
	cmd.Flags().StringArrayVar(&f.catalogs, "catalog", nil, "price catalog file (JSON lines) whose rows override or add to the built-in ones (repeatable)")
	cmd.Flags().Float64Var(&f.hours, "hours", 0, "price this many hours instead of a month of 730")
	cmd.Flags().StringVar(&f.compare, "compare", "", "another design, or a saved JSON cost report, to compare with (it is the before)")
	cmd.Flags().BoolVar(&f.explain, "explain", false, "show the catalog row behind every price")
	cmd.Flags().StringVar(&f.syncUsage, "sync-usage", "", "write a YAML usage `FILE` listing every usage key of the design, keeping the amounts already in it, and price with it (- for standard output, then no report)")
	cmd.Flags().BoolVar(&f.showSkipped, "show-skipped", false, "list the resources that cost nothing (free, or not charged) and why")
	cmd.Flags().StringVar(&f.failAbove, "fail-above", "", "exit 1 when the total for the period is above `AMOUNT` dollars, or cannot be told for UNPRICED components")
	cmd.Flags().StringVar(&f.failIncrease, "fail-increase-above", "", "with --compare: exit 1 when the total rises by more than `AMOUNT` dollars, or that cannot be told")
	return cmd
}

// writeCostReport writes one report in format, with the skipped resources
// when asked.
func writeCostReport(stdout io.Writer, format string, r *cost.Report, p *planner.Plan, f costFlags) error {
	var skipped []cost.Skip
	if f.showSkipped {
		skipped = cost.Skipped(p, r)
	}
	switch format {
	case "json":
		if f.showSkipped {
			return r.WriteJSONSkipped(stdout, skipped)
		}
		return r.WriteJSON(stdout)
	case "markdown":
		if err := r.WriteMarkdown(stdout); err != nil || !f.showSkipped {
			return err
		}
		return cost.WriteSkippedMarkdown(stdout, skipped)
	}
	if err := r.WriteText(stdout, f.explain); err != nil || !f.showSkipped {
		return err
	}
	return cost.WriteSkippedText(stdout, skipped)
}

// budgetExit reports the budgets exceeded, after the report, and exits 1:
// like findings, the report is the output and the status the verdict.
func budgetExit(stderr io.Writer, failures []string) error {
	if len(failures) == 0 {
		return nil
	}
	for _, m := range failures {
		fmt.Fprintf(stderr, "patchbay: %s\n", m)
	}
	return exitError{exitFindings}
}

// baseline is what --compare names: a saved JSON report or a design.
func baseline(ctx context.Context, g *globalFlags, other string, o cost.Options, stdout, stderr io.Writer) (*cost.Report, error) {
	if filepath.Ext(other) == ".json" {
		data, err := readInput("--compare", other)
		if err != nil {
			return nil, err
		}
		r, err := cost.ReadJSON(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", other, err)
		}
		return r, nil
	}
	p, err := planFile(ctx, g, other, stdout, stderr)
	if err != nil {
		return nil, err
	}
	return cost.Price(p, o)
}
