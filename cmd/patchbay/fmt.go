package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/spf13/cobra"

	"patchbay/lang"
	"patchbay/lang/format"
)

func fmtCmd(g *globalFlags, stdout, stderr io.Writer) *cobra.Command {
	var check bool
	cmd := &cobra.Command{
		Use:   "fmt FILE|DIR...",
		Short: "Format .star and .hcl files in place (atomically); --check lists what is not formatted",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			// fmt writes files, not a report: a format it would ignore is
			// refused rather than silently dropped.
			if err := checkFormat(g, "text"); err != nil {
				return err
			}
			files, err := designFiles(args)
			if err != nil {
				return err
			}
			var unformatted []string
			failed := false
			for _, f := range files {
				src, err := readRegular(f)
				if err != nil {
					fmt.Fprintf(stderr, "patchbay: %v\n", err)
					failed = true
					continue
				}
				changed, out, err := format.Changed(f, src)
				if err != nil {
					_ = lang.WriteDiagnostics(stderr, lang.AsDiagnostics(err, "syntax"), lang.Sources{f: src})
					failed = true
					continue
				}
				if !changed {
					continue
				}
				unformatted = append(unformatted, f)
				if !check {
					if err := writeFileAtomic(f, out); err != nil {
						fmt.Fprintf(stderr, "patchbay: %v\n", err)
						failed = true
					}
				}
			}
			for _, f := range unformatted {
				fmt.Fprintln(stdout, f)
			}
			switch {
			case failed:
				return exitError{exitFailure}
			case check && len(unformatted) > 0:
				return exitError{exitFindings}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&check, "check", false, "change nothing; list unformatted files and exit 1 if there are any")
	return cmd
}

// designFiles expands directories into the .star and .hcl files below them,
// sorted, so runs are repeatable.
func designFiles(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		fi, err := os.Stat(a)
		if err != nil {
			return nil, err
		}
		if !fi.IsDir() {
			if !format.Supported(a) {
				return nil, fmt.Errorf("%s: only .star and .hcl files can be formatted", a)
			}
			out = append(out, a)
			continue
		}
		err = filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && p != a && (d.Name() == "testdata" || d.Name()[0] == '.') {
				return filepath.SkipDir
			}
			if !d.IsDir() && format.Supported(p) {
				out = append(out, p)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no .star or .hcl files to format")
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// readRegular reads a design file that fmt may rewrite. Only regular files
// (or links to them) qualify: fmt replaces what it formats, and a named
// pipe would block the read while a device cannot be replaced by a rename.
func readRegular(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file; fmt formats files in place", path)
	}
	return os.ReadFile(path)
}
