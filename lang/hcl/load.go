// Package hcl is patchbay's HCL front-end: a design written with
// Terraform's conventions (blocks with labels, references by address,
// variables, locals, for_each and count, modules) declares through the same
// builtins as Starlark, so both languages mean the same.
package hcl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"patchbay/lang"
	"patchbay/lang/decl"
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

const maxFileSize = 16 << 20

// LoadFile reads the HCL design at file. On failure the error is a
// *lang.SourceError naming file:line:col of every problem found.
func LoadFile(ctx context.Context, file string, opts Options) (*lang.Design, error) {
	root := opts.Root
	if root == "" {
		root = filepath.Dir(file)
	}
	rel, err := filepath.Rel(root, file)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return nil, lang.Diagnostics{{Rule: "load", Summary: fmt.Sprintf("%s is not inside the project root %s", file, root)}}
	}
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, lang.Diagnostics{{Rule: "load", Summary: fmt.Sprintf("cannot open project root: %v", err)}}
	}
	defer r.Close()
	return LoadFS(ctx, r.FS(), root, filepath.ToSlash(rel), opts)
}

// LoadFS reads the design at name (slash-separated, relative to fsys, the
// project root); display is how the root is written in positions.
func LoadFS(ctx context.Context, fsys fs.FS, display string, name string, opts Options) (*lang.Design, error) {
	l := &loader{ctx: ctx, fsys: fsys, display: display, b: decl.NewBuilder()}
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
	ctx     context.Context
	fsys    fs.FS
	display string
	b       *decl.Builder
	stack   []string // module files being evaluated, for cycle reports
}

func (l *loader) displayName(name string) string {
	if l.display == "" || l.display == "." {
		return name
	}
	return path.Join(filepath.ToSlash(l.display), name)
}

func (l *loader) read(name string) ([]byte, error) {
	f, err := l.fsys.Open(name)
	if err != nil {
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, errors.New("no such file")
		case strings.Contains(err.Error(), "escapes"):
			return nil, errors.New("refused: a symbolic link leads outside the project root")
		}
		return nil, err
	}
	defer f.Close()
	src, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(src) > maxFileSize {
		return nil, fmt.Errorf("file is larger than %d MiB", maxFileSize>>20)
	}
	return src, nil
}

// parse reads and parses one file of the project.
func (l *loader) parse(name string) (*hclsyntax.Body, lang.Diagnostics) {
	src, err := l.read(name)
	if err != nil {
		return nil, lang.Diagnostics{{Rule: "load", Summary: "cannot read design: " + err.Error(), Range: lang.Range{File: l.displayName(name)}}}
	}
	display := l.displayName(name)
	l.b.Design().Files[display] = src
	f, diags := hclsyntax.ParseConfig(src, display, hcl.InitialPos)
	if diags.HasErrors() {
		return nil, convertDiags(diags, "syntax")
	}
	return f.Body.(*hclsyntax.Body), nil
}

// resolveSource resolves a module source relative to the calling file and
// refuses anything outside the project root.
func resolveSource(from, src string) (string, error) {
	switch {
	case src == "":
		return "", errors.New("empty module source")
	case strings.HasPrefix(src, "/") || filepath.IsAbs(src) || (len(src) > 1 && src[1] == ':'):
		return "", fmt.Errorf("refused: absolute path %q; module sources are relative to the calling file, inside the project root", src)
	case strings.Contains(src, "\\"):
		return "", fmt.Errorf("refused: %q: use / to separate directories", src)
	case strings.Contains(src, "://") || strings.Contains(src, "::"):
		return "", fmt.Errorf("refused: %q: only local files inside the project root can be modules", src)
	case path.Ext(src) != ".hcl":
		return "", fmt.Errorf("refused: %q: a module source is one .hcl file", src)
	}
	name := path.Join(path.Dir(from), src)
	if name == ".." || strings.HasPrefix(name, "../") {
		return "", fmt.Errorf("refused: %q leads outside the project root (use --root to widen it)", src)
	}
	return name, nil
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
