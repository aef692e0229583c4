// Package hcl is patchbay's HCL front-end: a design written with
// Terraform's conventions (blocks with labels, references by address,
// variables, locals, for_each and count, modules) declares through the same
// builtins as Starlark, so both languages mean the same.
package hcl

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"patchbay/lang"
	"patchbay/lang/decl"
	"patchbay/lang/project"
)

// Options configure a load.
type Options struct {
	// Root is the project root: modules are read only below it. Empty means
	// the directory of the main file.
	Root string
	// Vars are -var NAME=VALUE settings, in order; later ones win.
	Vars []string
	// VarFiles are -var-file paths (read as given, not under Root), in order.
	VarFiles []string
}

// LoadFile reads the HCL design at file. On failure the error is a
// *lang.SourceError naming file:line:col of every problem found.
func LoadFile(ctx context.Context, file string, opts Options) (*lang.Design, error) {
	root, rel, err := project.Open(file, opts.Root)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	return load(ctx, root, rel, opts)
}

// LoadFS reads the design at name (slash-separated, relative to fsys, the
// project root); display is how the root is written in positions.
func LoadFS(ctx context.Context, fsys fs.FS, display string, name string, opts Options) (*lang.Design, error) {
	return load(ctx, project.FromFS(fsys, display), name, opts)
}

func load(ctx context.Context, root *project.Root, name string, opts Options) (*lang.Design, error) {
	l := &loader{ctx: ctx, root: root, b: decl.NewBuilder(), parsed: map[string]*hclsyntax.Body{}}
	vars, ds := l.cliVars(opts)
	if !ds.HasErrors() {
		ds = append(ds, l.module(name, nil, vars, hcl.Range{})...)
	}
	if len(ds) > 0 {
		return nil, &lang.SourceError{Diagnostics: ds, Files: l.b.Design().Files}
	}
	return l.b.Design(), nil
}

type loader struct {
	ctx    context.Context
	root   *project.Root
	b      *decl.Builder
	stack  []string // module files being evaluated, for cycle reports
	steps  int      // blocks, instances and module calls evaluated so far
	parsed map[string]*hclsyntax.Body
}

// MaxSteps bounds an HCL design's evaluation: every block, count or
// for_each instance and module call is a step, so modules that call each
// other in a fan (2^24 evaluations) stop with an error instead of running
// for hours.
const MaxSteps = 300_000

// step counts one evaluation and checks for cancellation.
func (l *loader) step(at hcl.Range) lang.Diagnostics {
	l.steps++
	if l.steps > MaxSteps {
		return errAt(at, "step-budget", "the design took more than %d evaluation steps: is a module calling others without end?", MaxSteps)
	}
	if err := l.ctx.Err(); err != nil {
		return errAt(at, "cancelled", "design cancelled: %v", err)
	}
	return nil
}

func (l *loader) displayName(name string) string { return l.root.DisplayName(name) }

// parse reads and parses one file of the project.
func (l *loader) parse(name string) (*hclsyntax.Body, lang.Diagnostics) {
	// A module called many times is read and parsed once.
	if b, ok := l.parsed[name]; ok {
		return b, nil
	}
	src, err := l.root.Read(name)
	if err != nil {
		return nil, lang.Diagnostics{{Rule: "load", Summary: "cannot read design: " + err.Error(), Range: lang.Range{File: l.displayName(name)}}}
	}
	display := l.displayName(name)
	l.b.Design().Files[display] = src
	f, diags := hclsyntax.ParseConfig(src, display, hcl.InitialPos)
	if diags.HasErrors() {
		return nil, convertDiags(diags, "syntax")
	}
	body := f.Body.(*hclsyntax.Body)
	l.parsed[name] = body
	return body, nil
}

// convertDiags turns HCL diagnostics into patchbay's, dropping the "value
// must be known" echoes that follow an earlier error.
func convertDiags(diags hcl.Diagnostics, rule string) lang.Diagnostics {
	var out lang.Diagnostics
	for _, d := range diags {
		if strings.Contains(d.Detail, "value must be known") || strings.Contains(d.Summary, "value must be known") {
			continue
		}
		sev := lang.SevError
		if d.Severity == hcl.DiagWarning {
			sev = lang.SevWarning
		}
		ld := lang.Diagnostic{Severity: sev, Rule: rule, Summary: d.Summary, Detail: d.Detail}
		if d.Subject != nil {
			ld.Range = toRange(*d.Subject)
		}
		out = append(out, ld)
	}
	return out
}

func toRange(r hcl.Range) lang.Range {
	out := lang.Range{File: r.Filename, Start: lang.Pos{Line: r.Start.Line, Col: r.Start.Column}}
	if r.End.Line > 0 {
		out.End = lang.Pos{Line: r.End.Line, Col: r.End.Column}
	}
	return out
}

func errAt(r hcl.Range, rule, format string, args ...any) lang.Diagnostics {
	return lang.Diagnostics{{Rule: rule, Summary: fmt.Sprintf(format, args...), Range: toRange(r)}}
}

// cliVars reads -var-file files and -var settings into raw expressions,
// keyed by variable name; they are typed when the variable is declared.
func (l *loader) cliVars(opts Options) (map[string]hcl.Expression, lang.Diagnostics) {
	vars := map[string]hcl.Expression{}
	var ds lang.Diagnostics
	for _, f := range opts.VarFiles {
		src, err := os.ReadFile(f)
		if err != nil {
			ds = append(ds, lang.Diagnostic{Rule: "load", Summary: fmt.Sprintf("-var-file %s: %v", f, err)})
			continue
		}
		l.b.Design().Files[f] = src
		file, diags := hclsyntax.ParseConfig(src, f, hcl.InitialPos)
		if diags.HasErrors() {
			ds = append(ds, convertDiags(diags, "syntax")...)
			continue
		}
		attrs, diags := file.Body.JustAttributes()
		ds = append(ds, convertDiags(diags, "syntax")...)
		for name, a := range attrs {
			vars[name] = a.Expr
		}
	}
	for _, kv := range opts.Vars {
		name, val, ok := strings.Cut(kv, "=")
		if !ok || !hclsyntax.ValidIdentifier(name) {
			ds = append(ds, lang.Diagnostic{Rule: "load", Summary: fmt.Sprintf("-var %q: want NAME=VALUE", kv)})
			continue
		}
		// Like Terraform, a value that is not a constant expression (a bare
		// word, a syntax error) is a string.
		fname := "-var " + name
		expr, diags := hclsyntax.ParseExpression([]byte(val), fname, hcl.InitialPos)
		if diags.HasErrors() || len(expr.Variables()) > 0 {
			expr = &hclsyntax.LiteralValueExpr{Val: cty.StringVal(val), SrcRange: hcl.Range{Filename: fname, Start: hcl.InitialPos, End: hcl.InitialPos}}
		}
		vars[name] = &cliExpr{expr, val}
	}
	return vars, ds
}

// cliExpr is a -var value: for a string variable it is the raw text.
type cliExpr struct {
	hcl.Expression
	raw string
}
