// Package hcl is patchbay's HCL front-end: a design written with
// Terraform's conventions (blocks with labels, references by address,
// variables, locals, for_each and count, modules) declares through the same
// builtins as Starlark, so both languages mean the same.
package hcl

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	hcljson "github.com/hashicorp/hcl/v2/json"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	ctyjson "github.com/zclconf/go-cty/cty/json"

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
	// VarFiles are -var-file paths (read as given, not under Root), in order:
	// HCL (NAME = VALUE lines, a .tfvars file), or a JSON object of values
	// when the name ends in .json (a .tfvars.json file).
	VarFiles []string
	// Env is the environment, NAME=VALUE entries as os.Environ gives them:
	// TF_VAR_name sets variable name, below -var-file and -var as in
	// Terraform, and is ignored when no such variable is declared.
	Env []string
	// MaxSteps bounds expression evaluation (see budget); 0 means
	// DefaultMaxSteps, as for Starlark.
	MaxSteps uint64
	// MaxMemory bounds the bytes expressions build; 0 means
	// DefaultMaxMemory.
	MaxMemory uint64
	// MaxResources bounds the resources a design declares; 0 means
	// decl.MaxResources.
	MaxResources int
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
	l := &loader{ctx: ctx, root: root, b: decl.NewBuilder(), parsed: map[string]*hclsyntax.Body{},
		budget: newBudget(ctx, opts.MaxSteps, opts.MaxMemory), nodes: map[hcl.Expression]uint64{}}
	l.b.SetMaxResources(opts.MaxResources)
	// A file a block names (a core network's policy document) is read
	// relative to the file declaring it, inside the root.
	l.b.SetReader(func(from lang.Range, path string) (string, []byte, error) {
		var module string
		for name := range l.parsed {
			if root.DisplayName(name) == from.File {
				module = name
			}
		}
		if module == "" {
			return "", nil, fmt.Errorf("refused: %s reads no files", from.File)
		}
		name, err := project.Resolve(module, path, ".json", "policy")
		if err != nil {
			return "", nil, err
		}
		data, err := root.Read(name)
		return root.DisplayName(name), data, err
	})
	l.funcs = l.budget.funcs()
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
	budget *budget
	funcs  map[string]function.Function // functions, each paying into budget
	nodes  map[hcl.Expression]uint64    // node counts of evaluated expressions
}

// MaxEvaluations bounds an HCL design's evaluation: every block, count or
// for_each instance and module call is one, so modules that call each
// other in a fan (2^24 evaluations) stop with an error instead of running
// for hours. Each is also a step of the budget.
const MaxEvaluations = 300_000

// step counts one evaluation and checks for cancellation.
func (l *loader) step(at hcl.Range) lang.Diagnostics {
	l.steps++
	if l.steps > MaxEvaluations {
		return errAt(at, "step-budget", "the design took more than %d evaluations of blocks, instances and module calls: is a module calling others without end?", MaxEvaluations)
	}
	if l.budget.charge(nodeSteps, 0) != nil {
		return l.budget.diagnose(nil, at)
	}
	if err := l.ctx.Err(); err != nil {
		return errAt(at, "cancelled", "design cancelled: %v", err)
	}
	return nil
}

// value evaluates an expression within the budget: a step per node before
// (so a huge expression evaluated once per instance pays each time), and
// whatever its functions, loops and templates charge while it runs.
func (l *loader) value(e hcl.Expression, ctx *hcl.EvalContext) (cty.Value, lang.Diagnostics) {
	return l.budget.value(e, ctx, l.nodes)
}

// value evaluates e, charging first its node count (kept in counted, so
// an expression evaluated many times is counted once).
func (b *budget) value(e hcl.Expression, ctx *hcl.EvalContext, counted map[hcl.Expression]uint64) (cty.Value, lang.Diagnostics) {
	n, ok := counted[e]
	if !ok {
		n = 1
		if se, isSyntax := unwrapCLI(e).(hclsyntax.Expression); isSyntax {
			n = nodes(se)
		}
		counted[e] = n
	}
	if b.charge(n*nodeSteps, 0) != nil {
		return cty.NilVal, b.diagnose(nil, e.Range())
	}
	v, diags := e.Value(ctx)
	if b.err != nil {
		return cty.NilVal, b.diagnose(diags, e.Range())
	}
	if diags.HasErrors() {
		return v, convertDiags(diags, "expression")
	}
	return v, nil
}

func unwrapCLI(e hcl.Expression) hcl.Expression {
	if c, ok := e.(*cliExpr); ok {
		return c.Expression
	}
	return e
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
	body, ds := l.budget.parse(src, display)
	if ds != nil {
		return nil, ds
	}
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
		// The budget's hidden functions (see instrument) speak for
		// themselves: their error is the summary, not "Error in function
		// call" naming a function the design never wrote.
		if _, msg, ok := strings.Cut(d.Detail, `Call to function "patchbay count" failed: `); ok {
			ld.Summary, ld.Detail = strings.TrimSuffix(msg, "."), ""
		}
		if d.Subject != nil {
			ld.Range = toRange(*d.Subject)
		}
		out = append(out, ld)
	}
	return out
}

func toRange(r hcl.Range) lang.Range {
	out := lang.Range{File: r.Filename, Start: lang.Pos{Line: int32(r.Start.Line), Col: int32(r.Start.Column)}}
	if r.End.Line > 0 {
		out.End = lang.Pos{Line: int32(r.End.Line), Col: int32(r.End.Column)}
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
	for _, kv := range opts.Env {
		name, val, _ := strings.Cut(kv, "=")
		name, ok := strings.CutPrefix(name, "TF_VAR_")
		if !ok || !hclsyntax.ValidIdentifier(name) {
			continue
		}
		e, eds := l.cliValue("TF_VAR_"+name, val)
		if eds != nil {
			ds = append(ds, eds...)
			continue
		}
		e.fromEnv = true
		vars[name] = e
	}
	for _, f := range opts.VarFiles {
		src, err := project.ReadFile(f) // regular files only, at most 16 MiB
		if err != nil {
			ds = append(ds, lang.Diagnostic{Rule: "load", Summary: fmt.Sprintf("-var-file %s: %v", f, err)})
			continue
		}
		l.b.Design().Files[f] = src
		if nds := checkNesting(src, f); nds != nil {
			ds = append(ds, nds...)
			continue
		}
		if strings.HasSuffix(f, ".json") {
			jv, jds := l.budget.jsonVars(f, src)
			ds = append(ds, jds...)
			for name, e := range jv {
				vars[name] = e
			}
			continue
		}
		file, diags := hclsyntax.ParseConfig(src, f, hcl.InitialPos)
		if diags.HasErrors() {
			ds = append(ds, convertDiags(diags, "syntax")...)
			continue
		}
		if ids := l.budget.instrumentBody(file.Body.(*hclsyntax.Body), ""); ids != nil {
			ds = append(ds, ids...)
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
		e, eds := l.cliValue("-var "+name, val)
		if eds != nil {
			ds = append(ds, eds...)
			continue
		}
		vars[name] = e
	}
	return vars, ds
}

// cliValue is the value of a -var or TF_VAR_ setting, where is how it is
// named in messages.
func (l *loader) cliValue(where, val string) (*cliExpr, lang.Diagnostics) {
	// Like Terraform, a value that is not a constant expression (a bare
	// word, a syntax error) is a string.
	var expr hclsyntax.Expression
	var diags hcl.Diagnostics
	// Too deep a value would overflow the parser: it is a string then,
	// as any other text that is not an expression.
	if checkNesting([]byte(val), where) == nil {
		expr, diags = hclsyntax.ParseExpression([]byte(val), where, hcl.InitialPos)
	}
	if expr == nil || diags.HasErrors() || len(expr.Variables()) > 0 {
		expr = &hclsyntax.LiteralValueExpr{Val: cty.StringVal(val), SrcRange: hcl.Range{Filename: where, Start: hcl.InitialPos, End: hcl.InitialPos}}
	}
	if ids := l.budget.instrument(expr); ids != nil {
		return nil, ids
	}
	return &cliExpr{Expression: expr, raw: val}, nil
}

// cliExpr is a -var or TF_VAR_ value: for a string variable it is the raw
// text.
type cliExpr struct {
	hcl.Expression
	raw     string
	fromEnv bool // TF_VAR_: no error when the design declares no such variable
}

// jsonValueBytes is what decoding a JSON token into cty costs at most,
// measured: a cty.Value, its type in the enclosing tuple or object type, a
// number's big.Float or a string's header.
const jsonValueBytes = 160

// jsonValue is a value from a .tfvars.json file, where it was written. A
// pointer, as expressions key the loader's maps (hcl.StaticExpr's value
// may hold a list, which cannot be a map key).
type jsonValue struct {
	v   cty.Value
	rng hcl.Range
}

func (j *jsonValue) Value(*hcl.EvalContext) (cty.Value, hcl.Diagnostics) { return j.v, nil }
func (j *jsonValue) Variables() []hcl.Traversal                          { return nil }
func (j *jsonValue) Range() hcl.Range                                    { return j.rng }
func (j *jsonValue) StartRange() hcl.Range                               { return j.rng }

// jsonVars reads a .tfvars.json file: one JSON object whose properties are
// variable names. Its values are taken as they are written — a string is
// that string, never a template to evaluate — so the file holds data only,
// as its name promises, and runs nothing the budgets would have to bound.
func (b *budget) jsonVars(file string, src []byte) (map[string]hcl.Expression, lang.Diagnostics) {
	// Decoding builds a value, and a type, per element: 16 MiB of [0,0,…]
	// would be gigabytes. Each token is charged to the budgets first.
	tokens := uint64(0)
	dec := json.NewDecoder(bytes.NewReader(src))
	for {
		if _, err := dec.Token(); err != nil {
			break
		}
		tokens++
	}
	if b.charge(tokens*nodeSteps, tokens*jsonValueBytes) != nil {
		return nil, b.diagnose(nil, hcl.Range{Filename: file, Start: hcl.InitialPos, End: hcl.InitialPos})
	}
	// The HCL JSON parser gives each property's place; cty's JSON decoder
	// its value.
	f, diags := hcljson.Parse(src, file)
	if diags.HasErrors() {
		return nil, convertDiags(diags, "syntax")
	}
	attrs, diags := f.Body.JustAttributes()
	if diags.HasErrors() {
		return nil, convertDiags(diags, "syntax")
	}
	ty, err := ctyjson.ImpliedType(src)
	if err == nil && !ty.IsObjectType() {
		err = fmt.Errorf("want a JSON object of variable values")
	}
	var obj cty.Value
	if err == nil {
		obj, err = ctyjson.Unmarshal(src, ty)
	}
	if err != nil {
		return nil, lang.Diagnostics{{Rule: "syntax", Summary: fmt.Sprintf("%s: %v", file, err), Range: lang.Range{File: file}}}
	}
	out := map[string]hcl.Expression{}
	for name, a := range attrs {
		if !hclsyntax.ValidIdentifier(name) || !ty.HasAttribute(name) {
			return nil, errAt(a.NameRange, "syntax", "%q is not a variable name", name)
		}
		out[name] = &jsonValue{v: obj.GetAttr(name), rng: a.Range}
	}
	return out, nil
}

// parse parses one file's text under b: nesting checked before the
// parser runs, and every expression instrumented, so that a design and a
// foreign file (a Terraform configuration) are read with the same
// defences.
func (b *budget) parse(src []byte, filename string) (*hclsyntax.Body, lang.Diagnostics) {
	if ds := checkNesting(src, filename); ds != nil {
		return nil, ds
	}
	f, diags := hclsyntax.ParseConfig(src, filename, hcl.InitialPos)
	if diags.HasErrors() {
		return nil, convertDiags(diags, "syntax")
	}
	body := f.Body.(*hclsyntax.Body)
	if ds := b.instrumentBody(body, ""); ds != nil {
		return nil, ds
	}
	return body, nil
}
