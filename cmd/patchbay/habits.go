package main

import (
	"runtime"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// version is the module's version and the revision it was built from, as
// the Go toolchain records them in the binary: "v0.3.0", or "(devel)" for
// a build from a checkout, then the VCS revision, its time, and
// "+modified" when the tree had uncommitted changes.
func version() string {
	v := "(devel)"
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return v + " " + runtime.Version()
	}
	if info.Main.Version != "" {
		v = info.Main.Version
	}
	var rev, at string
	modified := false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	parts := []string{v}
	// Go stamps a build from a checkout with a pseudo-version that holds
	// the revision already.
	if rev != "" && !strings.Contains(v, rev[:min(12, len(rev))]) {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if modified {
			rev += "+modified"
		}
		parts = append(parts, "revision "+rev)
		if at != "" {
			parts = append(parts, at)
		}
	}
	parts = append(parts, info.GoVersion, runtime.GOOS+"/"+runtime.GOARCH)
	return strings.Join(parts, " ")
}

// singleDashFlags accepts Terraform's spelling of long flags with one dash
// (-json, -check, -var-file=prod.tfvars, -max-steps 10) by giving them
// their second: pflag would read -json as the shorthands -j -s -o -n. Only
// names some command defines as a long flag are rewritten, never an
// argument after "--" or the value of a flag that takes one, and
// one-letter flags (-o) keep their meaning.
func singleDashFlags(root *cobra.Command, args []string) []string {
	// cobra adds --help and --version as it executes, after this runs.
	takesValue := map[string]bool{"help": false, "version": false}
	shorthandValue := map[string]bool{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		add := func(f *pflag.Flag) {
			if len(f.Name) > 1 {
				takesValue[f.Name] = f.NoOptDefVal == ""
			}
			if f.Shorthand != "" {
				shorthandValue[f.Shorthand] = f.NoOptDefVal == ""
			}
		}
		c.LocalFlags().VisitAll(add)
		c.PersistentFlags().VisitAll(add)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	out := slices.Clone(args)
	for i := 0; i < len(out); i++ {
		a := out[i]
		if a == "--" {
			break
		}
		if strings.HasPrefix(a, "--") {
			if name, _, hasValue := strings.Cut(a[2:], "="); !hasValue && takesValue[name] {
				i++ // its value, whatever it looks like
			}
			continue
		}
		if !strings.HasPrefix(a, "-") || len(a) < 2 {
			continue
		}
		name, _, hasValue := strings.Cut(a[1:], "=")
		if value, known := takesValue[name]; known {
			out[i] = "-" + a
			if value && !hasValue {
				i++
			}
			continue
		}
		if len(name) == 1 && shorthandValue[name] && !hasValue {
			i++ // -o FILE: FILE may start with a dash
		}
	}
	return out
}

// completions lets each command's --format complete to what it accepts
// and a design argument to .star and .hcl files (and directories, to walk
// into), for the shells cobra's completion command writes scripts for.
func completions(root *cobra.Command) {
	for _, c := range root.Commands() {
		if f, ok := commandFormats[c.Name()]; ok {
			formats := formatWords(f)
			_ = c.RegisterFlagCompletionFunc("format", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
				return formats, cobra.ShellCompDirectiveNoFileComp
			})
		}
		if strings.Contains(c.Use, "FILE") && c.ValidArgsFunction == nil {
			c.ValidArgsFunction = func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
				return []string{"star", "hcl"}, cobra.ShellCompDirectiveFilterFileExt
			}
		}
	}
}

// formatWords picks the format names out of a command's --format help
// ("text, json or sarif (for code scanning)").
func formatWords(help string) []string {
	if i := strings.Index(help, " ("); i >= 0 {
		help = help[:i]
	}
	var out []string
	for _, w := range strings.FieldsFunc(help, func(r rune) bool { return r == ',' || r == ' ' }) {
		if w != "or" && w != "none" {
			out = append(out, w)
		}
	}
	return out
}
