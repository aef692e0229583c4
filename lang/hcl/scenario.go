package hcl

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"go.starlark.net/starlark"

	"patchbay/lang"
	"patchbay/lang/decl"
)

// eventActions are the values of an event block's action: each names the
// builtin Starlark calls for it.
var eventActions = []string{"fail", "restore", "set_bandwidth", "maintenance", "advertise", "rotate_key", "remove_key", "mismatch_key"}

// eventTargets are the attributes that name what an event acts on; the
// event's range is the one given, so the simulator's report of an unknown
// name points at the name.
var eventTargets = []string{"link", "channel", "facility", "device", "interconnect", "last_mile"}

// eventParams maps each attribute an event block may have (besides at and
// action) to the actions that take it, read from the builtins' own tables
// so a new parameter needs no change here.
func eventParams() map[string][]string {
	out := map[string][]string{}
	for _, d := range decl.Builtins() {
		if slices.Contains(eventActions, d.Name) {
			for _, p := range d.Params {
				out[p.Name] = append(out[p.Name], d.Name)
			}
		}
	}
	return out
}

// event turns an event block into at(AT, ACTION(…)), the Starlark form, so
// both languages check and build events with the same code.
func (m *moduleEval) event(nb *hclsyntax.Block, ctx *hcl.EvalContext) (starlark.Value, lang.Diagnostics) {
	body := nb.Body
	if len(body.Blocks) > 0 {
		return nil, errAt(body.Blocks[0].TypeRange, "syntax", "an event block holds no blocks")
	}
	params := eventParams()
	known := []string{"at", "action"}
	for p := range params {
		known = append(known, p)
	}
	slices.Sort(known[2:])
	for _, a := range sortedAttrs(body.Attributes) {
		if !slices.Contains(known, a.Name) {
			msg := fmt.Sprintf("an event block has no attribute %q", a.Name)
			if near := lang.Nearest(a.Name, known); near != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", near)
			}
			return nil, lang.Diagnostics{{Rule: "syntax", Summary: msg, Range: toRange(a.NameRange), Hint: "attributes: " + strings.Join(known, ", ")}}
		}
	}
	atAttr, ok := body.Attributes["at"]
	if !ok {
		return nil, lang.Diagnostics{{Rule: "syntax", Summary: "an event block needs at, the time it happens", Range: toRange(nb.DefRange()),
			Hint: `at = "60s": the time from the start of the scenario`}}
	}
	actAttr, ok := body.Attributes["action"]
	if !ok {
		return nil, lang.Diagnostics{{Rule: "syntax", Summary: "an event block needs an action", Range: toRange(nb.DefRange()),
			Hint: "action = " + strings.Join(eventActions, " | ")}}
	}
	av, vds := m.l.value(actAttr.Expr, ctx)
	if vds.HasErrors() {
		return nil, vds
	}
	av, _ = av.Unmark()
	if !av.IsKnown() || av.IsNull() || av.Type() != cty.String {
		return nil, errAt(actAttr.Expr.Range(), "argument", "event: action: want a string: %s", strings.Join(eventActions, ", "))
	}
	action := av.AsString()
	if !slices.Contains(eventActions, action) {
		d := lang.Diagnostic{Rule: "argument", Summary: fmt.Sprintf("event: action: unknown action %q", action), Range: toRange(actAttr.Expr.Range()),
			Hint: "actions: " + strings.Join(eventActions, ", ")}
		if near := lang.Nearest(action, eventActions); near != "" {
			d.Hint = fmt.Sprintf("did you mean %q?", near)
		}
		return nil, lang.Diagnostics{d}
	}

	b := m.l.b
	var kwargs []starlark.Tuple
	at := nb.DefRange()
	for _, a := range sortedAttrs(body.Attributes) {
		if a.Name == "at" || a.Name == "action" {
			continue
		}
		if !slices.Contains(params[a.Name], action) {
			return nil, errAt(a.NameRange, "argument", "event: a %s event takes no %s (%s is for %s)", action, a.Name, a.Name, andList(params[a.Name]))
		}
		v, vds := m.l.value(a.Expr, ctx)
		if vds.HasErrors() {
			return nil, vds
		}
		sv, err := toStarlark(b, v)
		if err != nil {
			return nil, errAt(a.Expr.Range(), "argument", "event: %s: %v", a.Name, err)
		}
		if slices.Contains(eventTargets, a.Name) && at == nb.DefRange() {
			at = a.Expr.Range()
		}
		kwargs = append(kwargs, starlark.Tuple{starlark.String(a.Name), sv})
	}
	ev, err := b.Call(action, nil, kwargs, toRange(at))
	if err != nil {
		return nil, m.callError(err, "event", body, nb.DefRange())
	}

	tv, vds := m.l.value(atAttr.Expr, ctx)
	if vds.HasErrors() {
		return nil, vds
	}
	when, err := toStarlark(b, tv)
	if err != nil {
		return nil, errAt(atAttr.Expr.Range(), "argument", "event: at: %v", err)
	}
	v, err := b.Call("at", nil, []starlark.Tuple{{starlark.String("time"), when}, {starlark.String("event"), ev}}, toRange(atAttr.Expr.Range()))
	if err != nil {
		// at()'s time parameter is this block's at attribute.
		var ae *decl.ArgError
		if errors.As(err, &ae) && ae.Param == "time" {
			return nil, lang.Diagnostics{{Rule: "argument", Summary: fmt.Sprintf("event: at: %v", ae.Err), Hint: ae.Hint, Range: toRange(atAttr.Expr.Range())}}
		}
		return nil, m.callError(err, "event", body, nb.DefRange())
	}
	return v, nil
}

// andList is "a", "a and b", "a, b and c".
func andList(xs []string) string {
	if len(xs) < 2 {
		return strings.Join(xs, "")
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
}
