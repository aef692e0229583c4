package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"patchbay/lang"
	"patchbay/planner"
)

// A directory given to plan or validate stands for every design directly
// in it — its .star and .hcl files, not those of its subdirectories, which
// a project keeps for load() and modules — as a CI job checks a folder of
// designs in one step.

// designsIn lists the designs directly in dir, sorted.
func designsIn(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if ext := filepath.Ext(e.Name()); (ext == ".star" || ext == ".hcl") && e.Type().IsRegular() {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s holds no design (.star or .hcl)", dir)
	}
	return out, nil
}

// isDir reports whether path names a directory of designs: one named like
// a design (main.star) is a design that is not a regular file, which the
// loader refuses as such.
func isDir(path string) bool {
	if ext := filepath.Ext(path); ext == ".star" || ext == ".hcl" {
		return false
	}
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// eachDesign runs a one-design command on every design of dir in turn,
// each under a "==> FILE <==" line as head and tail mark files, and ends
// with the worst exit status any earned: a design that cannot run does
// not keep the others from running.
func eachDesign(dir string, stdout, stderr io.Writer, run func(file string) error) error {
	files, err := designsIn(dir)
	if err != nil {
		return err
	}
	worst := exitOK
	for i, f := range files {
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		fmt.Fprintf(stdout, "==> %s <==\n", f)
		err := run(f)
		var ee exitError
		switch {
		case err == nil:
		case errors.As(err, &ee):
			worst = max(worst, ee.code)
		default:
			fmt.Fprintf(stderr, "patchbay: %s: %v\n", f, err)
			worst = exitFailure
		}
	}
	if worst != exitOK {
		return exitError{worst}
	}
	return nil
}

// validateDir is validate of a directory as one JSON or SARIF document:
// every design's findings, and the errors of those that do not load, with
// their files, totals summed.
func validateDir(ctx context.Context, g *globalFlags, dir string, stdout, stderr io.Writer) error {
	files, err := designsIn(dir)
	if err != nil {
		return err
	}
	var all lang.Diagnostics
	sources := lang.Sources{}
	resources := 0
	worst := exitOK
	for _, f := range files {
		d, ds, src, err := readDesign(ctx, g, f, stderr)
		if err != nil {
			return err
		}
		if ds == nil {
			p, perr := planner.New(d, g.quotaOptions()...)
			if perr != nil {
				ds, src = lang.AsDiagnostics(perr, "plan"), d.Files
			} else {
				r := p.Report()
				all = append(all, r.Findings...)
				maps.Copy(sources, p.Design.Files)
				resources += r.Totals.Resources
				if p.Findings.HasErrors() {
					worst = max(worst, exitFindings)
				}
				continue
			}
		}
		// A design that does not load: its errors go in the document, as
		// a single design's do, and to stderr for the log.
		_ = lang.WriteDiagnostics(stderr, ds, src)
		all = append(all, ds...)
		maps.Copy(sources, src)
		worst = exitFailure
	}
	names := slices.Sorted(maps.Keys(sources))
	if g.format == "sarif" {
		err = planner.WriteSARIF(stdout, names, all)
	} else {
		totals := planner.Count(all)
		totals.Resources = resources
		err = writeJSON(stdout, planner.FindingsReport{Schema: "patchbay.validate/v1", Files: names, Totals: totals, Findings: all})
	}
	if err != nil {
		return err
	}
	if worst != exitOK {
		return exitError{worst}
	}
	return nil
}
