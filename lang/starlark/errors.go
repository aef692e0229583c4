package starlark

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"go.starlark.net/resolve"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"

	"patchbay/lang"
	"patchbay/lang/decl"
)

// diagnose turns whatever a script run failed with into diagnostics with
// the most precise position available: the argument for argument errors,
// the token for syntax errors, the call for everything else, and the call
// stack that led there.
func (l *loader) diagnose(err error) lang.Diagnostics {
	var stack []lang.Frame
	evalErr := innermostEvalError(err)
	if evalErr != nil {
		stack = l.frames(evalErr.CallStack)
	}
	var rangeOfCall lang.Range
	if n := len(stack); n > 0 {
		rangeOfCall = stack[n-1].Range
	}

	var le *loadError
	if errors.As(err, &le) {
		stack = le.stack
		if n := len(stack); n > 0 {
			rangeOfCall = stack[n-1].Range
		}
	}

	var synErr syntax.Error
	var resErrs resolve.ErrorList
	var arg *decl.ArgError
	var diag lang.Diagnostic
	var h *decl.Hinted
	switch {
	case errors.As(err, &synErr):
		return lang.Diagnostics{{Rule: "syntax", Summary: synErr.Msg, Range: toRange(synErr.Pos, syntax.Position{}), Stack: stack}}
	case errors.As(err, &resErrs):
		var ds lang.Diagnostics
		for _, e := range resErrs {
			ds = append(ds, lang.Diagnostic{Rule: "syntax", Summary: l.suggest(e.Msg), Range: toRange(e.Pos, syntax.Position{}), Stack: stack})
		}
		return ds
	case errors.As(err, &diag):
		diag.Stack = stack
		if errors.As(err, &h) {
			diag.Hint = h.Hint
		}
		return lang.Diagnostics{diag}
	case errors.As(err, &arg):
		return lang.Diagnostics{{Rule: "argument", Summary: arg.Error(), Hint: arg.Hint,
			Range: l.argRange(evalErr, arg, rangeOfCall), Stack: stack}}
	}
	d := lang.Diagnostic{Rule: "script", Range: rangeOfCall, Stack: stack}
	if le != nil {
		d.Rule, d.Summary = "load", le.Error()
		return lang.Diagnostics{d}
	}
	if evalErr != nil {
		d.Summary = evalErr.Msg
	} else {
		d.Summary = err.Error()
	}
	if errors.As(err, &h) {
		d.Hint = h.Hint
	}
	switch {
	case strings.Contains(d.Summary, "too many steps"):
		d.Rule = "step-budget"
		d.Summary = fmt.Sprintf("script stopped after %d steps (the step budget): is there an endless loop?", l.maxSteps)
		d.Hint = "a design this large needs a bigger budget: pass --max-steps"
	case strings.Contains(d.Summary, "the most patchbay plans"):
		d.Rule = "resource-budget"
		d.Hint = "a design this large needs a bigger cap: pass --max-resources (and --max-memory)"
	case strings.Contains(d.Summary, "memory budget"):
		d.Rule = "memory-budget"
		d.Summary = strings.TrimPrefix(d.Summary, "Starlark computation cancelled: ")
		d.Hint = "look for a loop that doubles a string or list, or a huge repeat or range"
	case strings.Contains(d.Summary, "Starlark computation cancelled: cancelled"):
		d.Rule = "cancelled"
		d.Summary = "script cancelled"
	case strings.HasPrefix(d.Summary, "cannot load "), strings.HasPrefix(d.Summary, "load: "):
		d.Rule = "load"
	case strings.HasPrefix(d.Summary, "fail: "):
		d.Rule = "fail"
	}
	return lang.Diagnostics{d}
}

// frames converts a Starlark call stack, dropping the builtin's own frame.
func (l *loader) frames(cs starlark.CallStack) []lang.Frame {
	out := make([]lang.Frame, 0, len(cs))
	for _, f := range cs {
		if f.Pos.Filename() == "<builtin>" {
			continue
		}
		r := toRange(f.Pos, syntax.Position{})
		if c := l.callAt(f.Pos); c != nil {
			start, _ := c.Fn.Span()
			r = toRange(start, syntax.Position{})
		}
		out = append(out, lang.Frame{Func: f.Name, Range: r})
	}
	return out
}

// argRange finds the argument an argError is about in the call's syntax.
func (l *loader) argRange(evalErr *starlark.EvalError, e *decl.ArgError, fallback lang.Range) lang.Range {
	if evalErr == nil || len(evalErr.CallStack) < 2 {
		return fallback
	}
	c := l.callAt(evalErr.CallStack[len(evalErr.CallStack)-2].Pos)
	if c == nil {
		return fallback
	}
	positional := 0
	for _, a := range c.Args {
		if b, ok := a.(*syntax.BinaryExpr); ok && b.Op == syntax.EQ {
			if id, ok := b.X.(*syntax.Ident); ok && e.Param != "" && id.Name == e.Param {
				// An unknown keyword points at its name; a bad value at the value.
				if e.UnknownKeyword() {
					start, end := id.Span()
					return toRange(start, end)
				}
				start, end := b.Y.Span()
				return toRange(start, end)
			}
			continue
		}
		if _, ok := a.(*syntax.UnaryExpr); ok {
			continue // *args / **kwargs: positions unknown
		}
		if positional == e.Index {
			start, end := a.Span()
			return toRange(start, end)
		}
		positional++
	}
	start, _ := c.Fn.Span()
	return toRange(start, syntax.Position{})
}

// innermostEvalError finds the EvalError raised where the problem happened.
// An error inside a loaded module reaches the caller wrapped in the loading
// file's "cannot load" EvalError, whose position is the load statement.
func innermostEvalError(err error) *starlark.EvalError {
	var found *starlark.EvalError
	for {
		var e *starlark.EvalError
		if !errors.As(err, &e) {
			return found
		}
		found, err = e, e.Unwrap()
	}
}

// suggest adds the nearest builtin to the resolver's "undefined: NAME", as
// the HCL front-end does for an unknown block type: a misspelt
// transit_gatway is then one edit from its fix.
func (l *loader) suggest(msg string) string {
	name, ok := strings.CutPrefix(msg, "undefined: ")
	if !ok || strings.ContainsAny(name, " (") {
		return msg
	}
	names := make([]string, 0, len(l.pre)+len(starlark.Universe))
	for n := range l.pre {
		// The operator guards are predeclared too, under names no script
		// can write ("+", ".()").
		if c := n[0]; c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' {
			names = append(names, n)
		}
	}
	for n := range starlark.Universe {
		names = append(names, n)
	}
	// Sorted, so a tie goes to the same name every run.
	slices.Sort(names)
	if near := lang.Nearest(name, names); near != "" && near != name {
		return fmt.Sprintf("%s (did you mean %q?)", msg, near)
	}
	return msg
}
