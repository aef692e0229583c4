package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"patchbay/planner/cost"
	"patchbay/stdlib"
)

type costFlags struct {
	usage    string
	catalogs []string
	hours    float64
	compare  string
	explain  bool
}

// costOptions reads the price catalog overrides and the usage file.
func (f *costFlags) options() (cost.Options, error) {
	o := cost.Options{Prices: stdlib.DefaultPrices(), Hours: f.hours}
	if f.hours < 0 || f.hours > 100*cost.HoursPerMonth {
		return o, fmt.Errorf("--hours %v: want a period up to 100 months (73,000 hours)", f.hours)
	}
	for _, c := range f.catalogs {
		data, err := os.ReadFile(c)
		if err != nil {
			return o, err
		}
		rows, err := stdlib.ParsePrices(c, data)
		if err != nil {
			return o, err
		}
		o.Prices = o.Prices.With(rows)
	}
	if f.usage != "" {
		data, err := os.ReadFile(f.usage)
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

func costCmd(ctx context.Context, g *globalFlags, stdout, stderr io.Writer) *cobra.Command {
	var f costFlags
	cmd := &cobra.Command{
		Use:   "cost FILE",
		Short: "Price a design: per resource and component, both clouds, totals",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(g, "text", "json", "markdown"); err != nil {
				return err
			}
			if f.explain && g.format != "text" {
				return fmt.Errorf("--explain is for the text report; JSON carries each line's price_id and source")
			}
			o, err := f.options()
			if err != nil {
				return err
			}
			r, err := priceFile(ctx, g, args[0], o, stdout, stderr)
			if err != nil {
				return err
			}
			if f.compare != "" {
				before, err := baseline(ctx, g, f.compare, o, stdout, stderr)
				if err != nil {
					return err
				}
				if g.format == "json" {
					c, err := r.Compare(before)
					if err != nil {
						return err
					}
					return writeJSON(stdout, c)
				}
				return cost.WriteCompare(stdout, before, r, g.format == "markdown")
			}
			switch g.format {
			case "json":
				return r.WriteJSON(stdout)
			case "markdown":
				return r.WriteMarkdown(stdout)
			}
			return r.WriteText(stdout, f.explain)
		},
	}
	cmd.Flags().StringVar(&f.usage, "usage", "", "usage file (JSON): monthly amounts per resource type and per resource")
	cmd.Flags().StringArrayVar(&f.catalogs, "catalog", nil, "price catalog file (JSON lines) whose rows override or add to the built-in ones (repeatable)")
	cmd.Flags().Float64Var(&f.hours, "hours", 0, "price this many hours instead of a month of 730")
	cmd.Flags().StringVar(&f.compare, "compare", "", "another design, or a saved JSON cost report, to compare with (it is the before)")
	cmd.Flags().BoolVar(&f.explain, "explain", false, "show the catalog row behind every price")
	return cmd
}

func priceFile(ctx context.Context, g *globalFlags, file string, o cost.Options, stdout, stderr io.Writer) (*cost.Report, error) {
	p, err := planFile(ctx, g, file, stdout, stderr)
	if err != nil {
		return nil, err
	}
	return cost.Price(p, o)
}

// baseline is what --compare names: a saved JSON report or a design.
func baseline(ctx context.Context, g *globalFlags, other string, o cost.Options, stdout, stderr io.Writer) (*cost.Report, error) {
	if filepath.Ext(other) == ".json" {
		data, err := os.ReadFile(other)
		if err != nil {
			return nil, err
		}
		r, err := cost.ReadJSON(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", other, err)
		}
		return r, nil
	}
	return priceFile(ctx, g, other, o, stdout, stderr)
}
