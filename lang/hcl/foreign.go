package hcl

import (
	"context"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"

	"patchbay/lang"
)

// Foreign reads HCL that is not a design, such as a Terraform
// configuration, with a design's defences: nesting checked before the
// parser runs, every expression instrumented, and the functions (the
// design language's, plus the reader's own) paying into one budget of the
// default size. Untrusted files cost no more to read than a design.
type Foreign struct {
	budget  *budget
	funcs   map[string]function.Function
	counted map[hcl.Expression]uint64
}

// NewForeign starts a reading with budgets of steps and bytes (0 for
// the defaults); extra adds functions (file, in a reader that offers
// it), each wrapped to pay for what it returns.
func NewForeign(ctx context.Context, steps, mem uint64, extra map[string]function.Function) *Foreign {
	b := newBudget(ctx, steps, mem)
	fs := b.funcs()
	for name, f := range extra {
		fs[name] = b.wrapFunc(name, f)
	}
	return &Foreign{budget: b, funcs: fs, counted: map[hcl.Expression]uint64{}}
}

// Functions is the function table for an EvalContext of this reading.
func (f *Foreign) Functions() map[string]function.Function { return f.funcs }

// Parse parses one file's text, positions naming filename.
func (f *Foreign) Parse(src []byte, filename string) (*hclsyntax.Body, lang.Diagnostics) {
	return f.budget.parse(src, filename)
}

// Exceeded reports whether a budget is spent (or the reading
// cancelled): every later evaluation would fail the same way.
func (f *Foreign) Exceeded() bool { return f.budget.err != nil }

// Value evaluates an expression of a parsed body within the budget.
func (f *Foreign) Value(e hcl.Expression, ctx *hcl.EvalContext) (cty.Value, lang.Diagnostics) {
	return f.budget.value(e, ctx, f.counted)
}

// Constant evaluates e as Terraform evaluates a value of a variable
// definitions file: with no variables and no functions, so the file holds
// data only. A reference or a call the text wrote is an error at its place.
func (f *Foreign) Constant(e hcl.Expression) (cty.Value, lang.Diagnostics) {
	for _, tr := range e.Variables() {
		return cty.NilVal, errAt(tr.SourceRange(), "expression", "a reference where a constant is wanted: a variable definitions file holds values only")
	}
	if se, ok := e.(hclsyntax.Expression); ok {
		var ds lang.Diagnostics
		hclsyntax.VisitAll(se, func(n hclsyntax.Node) hcl.Diagnostics {
			// The budget's own calls are there too, under names no text
			// can write.
			if c, ok := n.(*hclsyntax.FunctionCallExpr); ok && c.Name != countFunc && c.Name != gateFunc && ds == nil {
				ds = errAt(c.NameRange, "expression", "a function call (%s) where a constant is wanted: a variable definitions file holds values only", c.Name)
			}
			return nil
		})
		if ds != nil {
			return cty.NilVal, ds
		}
	}
	hidden := map[string]function.Function{countFunc: f.funcs[countFunc], gateFunc: f.funcs[gateFunc]}
	return f.Value(e, &hcl.EvalContext{Functions: hidden})
}

// JSONVars reads a .tfvars.json file as -var-file reads one: an object
// whose properties are variable names, each value the JSON's data, the
// budgets charged for every token first.
func (f *Foreign) JSONVars(src []byte, filename string) (map[string]hcl.Expression, lang.Diagnostics) {
	if ds := checkNesting(src, filename); ds != nil {
		return nil, ds
	}
	return f.budget.jsonVars(filename, src)
}
