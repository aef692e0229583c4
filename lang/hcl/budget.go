package hcl

import (
	"context"
	"fmt"
	"math"
	"math/big"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"

	"patchbay/lang"
	pstarlark "patchbay/lang/starlark"
)

// The HCL budgets are Starlark's, under the same flags, so one design
// costs the same limits in either language.
const (
	DefaultMaxSteps  = pstarlark.DefaultMaxSteps
	DefaultMaxMemory = pstarlark.DefaultMaxMemory
)

// elemBytes is what one element of a list, set, map or object costs: a
// cty.Value (type and interface, 32 bytes) plus its share of the slice,
// type list and number or map entry behind it. Counting every element at
// 64 bytes keeps the budget an upper bound of the heap for the values
// designs build (numbers are the largest at about 100 bytes, strings are
// counted at their length on top).
const elemBytes = 64

// nodeSteps is what evaluating one expression node costs, in steps. A
// Starlark step is one bytecode instruction, some 100 ns; an hcl node
// evaluation (a template part, a number printed, a function call through
// cty's checks) takes 1-15 µs, so it counts ten: the same --max-steps then
// stops a runaway HCL design in about the time it stops a Starlark one.
const nodeSteps = 10

// byteSteps is how many bytes of string built cost one step: cty
// normalises every new string (NFC) and hcl copies it through a buffer,
// some 6 ns a byte.
const byteSteps = 16

// budget bounds the work and memory of expression evaluation, which hcl
// does inside its own code: functions are wrapped (wrapFunc) and
// for-expression elements, splat elements and template parts are routed
// through a hidden counting function (instrument), so a step is charged
// and checked wherever evaluation can repeat or build.
//
// A step is a tenth of an expression node evaluated (nodeSteps), one
// element of a collection a function reads or builds, or 16 bytes of
// string built (byteSteps). Memory is every byte
// of strings and every element built, in total: hcl values are never
// freed during a load, so the total is also the peak.
type budget struct {
	ctx      context.Context
	maxSteps uint64
	maxMem   uint64
	steps    uint64
	mem      uint64
	// sites are the places instrument put a counting call, by index.
	sites []hcl.Range
	// err is the first budget exceeded. It is sticky: try() and can()
	// swallow function errors, so every later check fails again.
	err *budgetErr
}

type budgetErr struct {
	rule string
	msg  string
	at   *hcl.Range // where, when known (else the diagnostic's subject)
}

func (e *budgetErr) Error() string { return e.msg }

func newBudget(ctx context.Context, steps, mem uint64) *budget {
	if steps == 0 {
		steps = DefaultMaxSteps
	}
	if mem == 0 {
		mem = DefaultMaxMemory
	}
	return &budget{ctx: ctx, maxSteps: steps, maxMem: mem}
}

func (b *budget) stepsErr(why string) *budgetErr {
	if b.err == nil {
		b.err = &budgetErr{rule: "step-budget", msg: fmt.Sprintf("step budget of %d exceeded%s: raise it with --max-steps", b.maxSteps, why)}
	}
	return b.err
}

func (b *budget) memErr(why string) *budgetErr {
	if b.err == nil {
		b.err = &budgetErr{rule: "memory-budget", msg: fmt.Sprintf("memory budget of %d MiB exceeded%s: raise it with --max-memory", b.maxMem>>20, why)}
	}
	return b.err
}

// charge counts steps and bytes done; it fails once either budget is
// spent, or the load was cancelled.
func (b *budget) charge(steps, bytes uint64) *budgetErr {
	if b.err != nil {
		return b.err
	}
	before := b.steps
	b.steps = satAdd(b.steps, steps)
	b.mem = satAdd(b.mem, bytes)
	if b.steps > b.maxSteps {
		return b.stepsErr("")
	}
	if b.mem > b.maxMem {
		return b.memErr(" by the values built")
	}
	// Cancellation is checked every 4096 steps, not on each: ctx.Err
	// takes a lock.
	if before>>12 != b.steps>>12 {
		if err := b.ctx.Err(); err != nil {
			b.err = &budgetErr{rule: "cancelled", msg: fmt.Sprintf("design cancelled: %v", err)}
			return b.err
		}
	}
	return nil
}

// fits refuses, before the work is done, an operation estimated to need
// more than what is left; nothing is charged.
func (b *budget) fits(what string, steps, bytes uint64) *budgetErr {
	if b.err != nil {
		return b.err
	}
	if satAdd(b.steps, steps) > b.maxSteps {
		return b.stepsErr(fmt.Sprintf(": %s would take about %d steps", what, steps))
	}
	if satAdd(b.mem, bytes) > b.maxMem {
		return b.memErr(fmt.Sprintf(": %s would build about %d MiB", what, bytes>>20))
	}
	return nil
}

func (b *budget) memLeft() uint64 {
	if b.mem >= b.maxMem {
		return 0
	}
	return b.maxMem - b.mem
}

func satAdd(a, b uint64) uint64 {
	if a+b < a {
		return math.MaxUint64
	}
	return a + b
}

func satMul(a, b uint64) uint64 {
	if a != 0 && b > math.MaxUint64/a {
		return math.MaxUint64
	}
	return a * b
}

// size measures a value: elements and string bytes, stopping once the
// bytes pass limit (so measuring costs no more than the budget left); huge
// says it holds a number out of range (see maxExp).
func size(v cty.Value, limit uint64) (elems, bytes uint64, huge bool) {
	var walk func(v cty.Value)
	walk = func(v cty.Value) {
		elems++
		bytes += elemBytes
		if bytes > limit {
			return
		}
		v, _ = v.Unmark()
		if !v.IsKnown() || v.IsNull() {
			return
		}
		ty := v.Type()
		switch {
		case ty == cty.String:
			bytes += uint64(len(v.AsString()))
		case ty == cty.Number:
			huge = huge || hugeNumber(v)
		case ty.IsListType() || ty.IsSetType() || ty.IsTupleType() || ty.IsMapType() || ty.IsObjectType():
			for it := v.ElementIterator(); it.Next() && bytes <= limit; {
				k, e := it.Element()
				if k.Type() == cty.String {
					bytes += uint64(len(k.AsString()))
				}
				walk(e)
			}
		}
	}
	walk(v)
	return elems, bytes, huge
}

// length is the element count of a collection, the byte count of a
// string, else 0: what a function reading it touches, in O(1).
func length(v cty.Value) uint64 {
	v, _ = v.Unmark()
	if !v.IsKnown() || v.IsNull() {
		return 0
	}
	ty := v.Type()
	switch {
	case ty == cty.String:
		return uint64(len(v.AsString()))
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType() || ty.IsMapType() || ty.IsObjectType():
		return uint64(v.LengthInt())
	}
	return 0
}

func str(v cty.Value) string {
	v, _ = v.Unmark()
	if !v.IsKnown() || v.IsNull() || v.Type() != cty.String {
		return ""
	}
	return v.AsString()
}

// selectors return (part of) an argument without building anything: their
// result is not measured, so picking from a big list stays cheap.
var selectors = map[string]bool{
	"coalesce": true, "coalescelist": true, "contains": true, "element": true, "index": true,
	"length": true, "lookup": true, "can": true, "try": true, "startswith": true, "endswith": true,
	"strcontains": true, "abs": true, "ceil": true, "floor": true, "log": true, "max": true, "min": true,
	"pow": true, "signum": true, "tobool": true, "tonumber": true,
}

// estimate is what a call may build, from its arguments and before it
// runs: the functions whose result can be much larger than their
// arguments are refused here, before they allocate it.
//
// Walks over arguments stop at left, the memory budget left, so that a
// call on a big value costs no more than what it may still build.
func estimate(name string, args []cty.Value, left uint64) (steps, bytes uint64) {
	switch name {
	case "range":
		n := rangeCount(args)
		return n, satMul(n, elemBytes)
	case "join":
		if len(args) == 0 {
			return 0, 0
		}
		sep := uint64(len(str(args[0])))
		for _, l := range args[1:] {
			l, _ = l.Unmark()
			if !l.IsKnown() || l.IsNull() || !l.CanIterateElements() {
				continue
			}
			for it := l.ElementIterator(); it.Next(); {
				_, e := it.Element()
				steps++
				bytes = satAdd(bytes, satAdd(uint64(len(str(e))), sep))
			}
		}
		return steps, bytes
	case "format":
		if len(args) == 0 {
			return 0, 0
		}
		return 1, formatBytes(str(args[0]), args[1:], left)
	case "formatlist":
		if len(args) == 0 {
			return 0, 0
		}
		n := uint64(1)
		for _, a := range args[1:] {
			if a.Type().IsListType() || a.Type().IsTupleType() || a.Type().IsSetType() {
				n = max(n, length(a))
			}
		}
		one := formatBytes(str(args[0]), args[1:], left)
		return n, satMul(n, satAdd(one, elemBytes))
	case "setproduct":
		n := uint64(1)
		for _, a := range args {
			n = satMul(n, length(a))
		}
		return n, satMul(satMul(n, uint64(len(args)+1)), elemBytes)
	case "indent":
		if len(args) < 2 {
			return 0, 0
		}
		s := str(args[1])
		var spaces uint64
		if n, _ := args[0].Unmark(); n.IsKnown() && !n.IsNull() && n.Type() == cty.Number {
			spaces, _ = n.AsBigFloat().Uint64()
		}
		return 1, satAdd(uint64(len(s)), satMul(uint64(strings.Count(s, "\n")), spaces))
	case "replace":
		if len(args) < 3 {
			return 0, 0
		}
		s, old, repl := str(args[0]), str(args[1]), str(args[2])
		n := uint64(len(s)) + 1 // a pattern (or "") may match between every byte
		if len(old) > 0 && !(len(old) >= 2 && old[0] == '/' && old[len(old)-1] == '/') {
			n = uint64(strings.Count(s, old))
		}
		per := uint64(len(repl))
		if strings.Contains(repl, "$") && len(old) >= 2 && old[0] == '/' {
			// $1 in a replacement copies a submatch, up to the whole string.
			per = satMul(per, uint64(len(s))+1)
		}
		return uint64(len(s)), satAdd(uint64(len(s)), satMul(n, per))
	case "split":
		if len(args) < 2 {
			return 0, 0
		}
		sep, s := str(args[0]), str(args[1])
		n := uint64(utf8.RuneCountInString(s)) + 1
		if sep != "" {
			n = uint64(strings.Count(s, sep)) + 1
		}
		return n, satMul(n, elemBytes)
	case "regexall":
		if len(args) < 2 {
			return 0, 0
		}
		groups := uint64(strings.Count(str(args[0]), "(")) + 1
		n := uint64(len(str(args[1]))) + 1
		return n, satMul(satMul(n, groups), elemBytes+1)
	case "jsondecode":
		if len(args) < 1 {
			return 0, 0
		}
		// At least two bytes of JSON per value ("1,"); each value costs an
		// element.
		n := uint64(len(str(args[0])))
		return n / 2, satMul(n, elemBytes/2)
	case "csvdecode":
		if len(args) < 1 {
			return 0, 0
		}
		n := uint64(len(str(args[0])))
		return n, satMul(n, elemBytes)
	case "jsonencode":
		if len(args) < 1 {
			return 0, 0
		}
		// Escaping writes at most six bytes ("\u003c") per byte.
		e, b, _ := size(args[0], left/6+1)
		return e, satMul(b, 6)
	}
	return 0, 0
}

// rangeCount is how many numbers range(args...) makes, as cty computes
// it: range(end), range(start, end) or range(start, end, step).
func rangeCount(args []cty.Value) uint64 {
	nums := make([]*big.Float, len(args))
	for i, a := range args {
		a, _ = a.Unmark()
		if !a.IsKnown() || a.IsNull() || a.Type() != cty.Number {
			return 0
		}
		nums[i] = a.AsBigFloat()
	}
	start, end, step := big.NewFloat(0), big.NewFloat(0), big.NewFloat(1)
	switch len(nums) {
	case 1:
		end = nums[0]
	case 2:
		start, end = nums[0], nums[1]
		if start.Cmp(end) > 0 {
			step = big.NewFloat(-1)
		}
	case 3:
		start, end, step = nums[0], nums[1], nums[2]
	default:
		return 0
	}
	if step.Sign() == 0 {
		return 0 // cty refuses it
	}
	span := new(big.Float).Sub(end, start)
	if span.Sign() != step.Sign() {
		return 0
	}
	q := new(big.Float).Quo(span, step)
	f, _ := q.Float64()
	if f >= math.MaxUint64/2 || math.IsInf(f, 0) || math.IsNaN(f) {
		return math.MaxUint64 / 2
	}
	return uint64(math.Ceil(f))
}

// formatBytes bounds the length of format(f, args...): the text, every
// width and precision written, and each verb printing at most all the
// arguments.
func formatBytes(f string, args []cty.Value, left uint64) uint64 {
	var argBytes uint64
	for _, a := range args {
		_, b, _ := size(a, left+1)
		argBytes = satAdd(argBytes, b)
	}
	total := uint64(len(f))
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			continue
		}
		i++
		if i < len(f) && f[i] == '%' {
			continue
		}
		var nums uint64
		for i < len(f) && strings.IndexByte("+-# 0.[]123456789", f[i]) >= 0 {
			if f[i] >= '0' && f[i] <= '9' {
				j := i
				for i < len(f) && f[i] >= '0' && f[i] <= '9' {
					i++
				}
				var n uint64
				for _, c := range f[j:i] {
					n = satAdd(satMul(n, 10), uint64(c-'0'))
				}
				nums = satAdd(nums, n)
				continue
			}
			i++
		}
		total = satAdd(total, satAdd(nums, argBytes))
	}
	return total
}

// maxExp bounds numbers, as a binary exponent (about 1,233 decimal
// digits either side of the point). cty numbers are 512-bit floats whose
// exponent may reach 2^31: printing one (a template, a string argument)
// writes every digit, and 1e99999999 takes minutes and GiBs. Numbers are
// checked where they are made: literals, arithmetic operands (so a result
// is at most twice as long), strings read as numbers, function results.
const maxExp = 4096

// maxDigits is maxExp in decimal digits, for messages.
const maxDigits = maxExp * 3 / 10

// maxNumText is the longest string read as a number: Go parses decimal
// text in time quadratic in its length.
const maxNumText = 4096

var errHugeNumber = fmt.Errorf("number out of range: patchbay's numbers have at most %d digits", maxDigits)

func hugeNumber(v cty.Value) bool {
	v, _ = v.Unmark()
	if !v.IsKnown() || v.IsNull() || v.Type() != cty.Number {
		return false
	}
	bf := v.AsBigFloat()
	if bf.IsInf() || bf.Sign() == 0 {
		return false
	}
	e := bf.MantExp(nil)
	return e > maxExp || e < -maxExp
}

// numberErr says why v may not be used as a number, or nil.
func numberErr(v cty.Value) error {
	v, _ = v.Unmark()
	if !v.IsKnown() || v.IsNull() {
		return nil
	}
	switch v.Type() {
	case cty.Number:
		if hugeNumber(v) {
			return errHugeNumber
		}
	case cty.String:
		if n := len(v.AsString()); n > maxNumText {
			return fmt.Errorf("a string of %d bytes cannot be read as a number (at most %d)", n, maxNumText)
		}
		if nv, err := convert.Convert(v, cty.Number); err == nil && hugeNumber(nv) {
			return errHugeNumber
		}
	}
	return nil
}

// wrapFunc makes f pay for itself: a step plus the elements of its
// collection arguments before it runs, a refusal when its estimated result
// does not fit, and the size of what it returns after.
func (b *budget) wrapFunc(name string, f function.Function) function.Function {
	// Number parameters take any value here and are converted below, after
	// the check: hcl would otherwise parse a 16 MiB string of digits before
	// the function could refuse it.
	params := f.Params()
	varParam := f.VarParam()
	numParam := func(i int) bool {
		if i < len(params) {
			return f.Params()[i].Type == cty.Number
		}
		return varParam != nil && f.VarParam().Type == cty.Number
	}
	for i := range params {
		if params[i].Type == cty.Number {
			params[i].Type = cty.DynamicPseudoType
		}
	}
	if varParam != nil && varParam.Type == cty.Number {
		vp := *varParam
		vp.Type = cty.DynamicPseudoType
		varParam = &vp
	}
	convertArgs := func(args []cty.Value) ([]cty.Value, error) {
		out := args
		for i, a := range args {
			if !numParam(i) || a.Type() == cty.Number {
				continue
			}
			if err := numberErr(a); err != nil {
				return nil, function.NewArgError(i, err)
			}
			if !a.IsKnown() && a.Type() == cty.DynamicPseudoType {
				continue
			}
			c, err := convert.Convert(a, cty.Number)
			if err != nil {
				return nil, function.NewArgError(i, err)
			}
			if &out[0] == &args[0] {
				out = append([]cty.Value(nil), args...)
			}
			out[i] = c
		}
		return out, nil
	}
	spec := &function.Spec{
		Description: f.Description(),
		Params:      params,
		VarParam:    varParam,
		Type: func(args []cty.Value) (cty.Type, error) {
			args, err := convertArgs(args)
			if err != nil {
				return cty.NilType, err
			}
			return f.ReturnTypeForValues(args)
		},
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			args, err := convertArgs(args)
			if err != nil {
				return cty.NilVal, err
			}
			steps := uint64(nodeSteps)
			for _, a := range args {
				if !a.Type().IsPrimitiveType() {
					steps = satAdd(steps, length(a))
				}
			}
			if err := b.charge(steps, 0); err != nil {
				return cty.NilVal, err
			}
			if s, m := estimate(name, args, b.memLeft()); s > 0 || m > 0 {
				if err := b.fits(name+"()", s, m); err != nil {
					return cty.NilVal, err
				}
			}
			v, err := f.Call(args)
			if err != nil {
				return v, err
			}
			if hugeNumber(v) {
				return cty.NilVal, errHugeNumber
			}
			if selectors[name] {
				return v, nil
			}
			e, by, huge := size(v, b.memLeft())
			if huge {
				return cty.NilVal, errHugeNumber
			}
			if err := b.charge(e+by/byteSteps, by); err != nil {
				return cty.NilVal, err
			}
			return v, nil
		},
	}
	return function.New(spec)
}

// Two hidden functions are called at the sites where hcl repeats
// evaluation or builds strings. Their names cannot be written in HCL, so a
// design cannot call them; their arguments are literals instrument writes,
// among them the index of the site in budget.sites, for the error.
//
// hcl evaluates every argument before a call, and both branches of a
// conditional before choosing, so a call cannot stop the work of its own
// arguments. The one place hcl skips work is a for expression's if clause:
// gateFunc is put there, charges the element's steps before it is
// evaluated, and once the budget is spent answers false, so the loop runs
// out over the rest of its collection without evaluating (or reporting)
// anything. The sticky budget error is reported once evaluation returns.
const (
	gateFunc  = "patchbay gate"
	countFunc = "patchbay count"
)

const (
	countPart = iota // a template part: copied into the string twice (buffer, result)
	countElem        // a splat element: steps and an element slot
	countNum         // an arithmetic operand or index key: refused if out of range
)

func (b *budget) exceededAt(site uint64) {
	if b.err != nil && b.err.at == nil && site < uint64(len(b.sites)) {
		b.err.at = &b.sites[site]
	}
}

func (b *budget) gateFunction() function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "steps", Type: cty.Number}, {Name: "site", Type: cty.Number}},
		Type:   function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			steps, _ := args[0].AsBigFloat().Uint64()
			site, _ := args[1].AsBigFloat().Uint64()
			if b.charge(steps, elemBytes) != nil {
				b.exceededAt(site)
				return cty.False, nil
			}
			return cty.True, nil
		},
	})
}

// countFunction returns its first argument, charging the steps given and
// the bytes the site builds, after the fact: a template part fails (so the
// string is not built), a splat element passes (so the splat runs out
// without a diagnostic per element).
func (b *budget) countFunction() function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{
			{Name: "value", Type: cty.DynamicPseudoType, AllowNull: true, AllowUnknown: true, AllowDynamicType: true, AllowMarked: true},
			{Name: "steps", Type: cty.Number},
			{Name: "kind", Type: cty.Number},
			{Name: "site", Type: cty.Number},
		},
		Type: func(args []cty.Value) (cty.Type, error) { return args[0].Type(), nil },
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			steps, _ := args[1].AsBigFloat().Uint64()
			kind, _ := args[2].AsBigFloat().Int64()
			site, _ := args[3].AsBigFloat().Uint64()
			if kind == countNum {
				if err := numberErr(args[0]); err != nil {
					return cty.NilVal, err
				}
				return args[0], nil
			}
			bytes := uint64(elemBytes)
			if kind == countPart {
				bytes = 2 * elemBytes // a number or bool printed
				v, _ := args[0].Unmark()
				if v.IsKnown() && !v.IsNull() && v.Type() == cty.String {
					bytes = 2 * uint64(len(v.AsString()))
				}
			}
			if err := b.charge(steps+bytes/byteSteps, bytes); err != nil {
				b.exceededAt(site)
				if kind == countPart {
					return cty.NilVal, err
				}
			}
			return args[0], nil
		},
	})
}

// nodes counts an expression's nodes: one evaluation of it costs that
// many times nodeSteps, before what its functions and loops add.
func nodes(e hclsyntax.Node) uint64 {
	var n uint64
	hclsyntax.VisitAll(e, func(hclsyntax.Node) hcl.Diagnostics {
		n++
		return nil
	})
	return n
}

func (b *budget) call(name string, r hcl.Range, args ...hclsyntax.Expression) *hclsyntax.FunctionCallExpr {
	start := hcl.Range{Filename: r.Filename, Start: r.Start, End: r.Start}
	b.sites = append(b.sites, r)
	args = append(args, num(uint64(len(b.sites)-1), start))
	return &hclsyntax.FunctionCallExpr{Name: name, Args: args,
		NameRange: start, OpenParenRange: start, CloseParenRange: hcl.Range{Filename: r.Filename, Start: r.End, End: r.End}}
}

func num(n uint64, r hcl.Range) hclsyntax.Expression {
	return &hclsyntax.LiteralValueExpr{Val: cty.NumberUIntVal(n), SrcRange: r}
}

// instrument puts the gate in every for expression's if clause (with the
// user's condition after it), and the counting function around splat
// elements and template parts. References stay inside the calls'
// arguments, so Variables() still finds them.
func (b *budget) instrument(e hclsyntax.Node) lang.Diagnostics {
	var ds lang.Diagnostics
	check := func(e hclsyntax.Expression) hclsyntax.Expression {
		r := e.Range()
		return b.call(countFunc, r, e, num(0, r), num(countNum, r))
	}
	hclsyntax.VisitAll(e, func(n hclsyntax.Node) hcl.Diagnostics {
		switch x := n.(type) {
		case *hclsyntax.LiteralValueExpr:
			if hugeNumber(x.Val) {
				ds = append(ds, errAt(x.SrcRange, "syntax", "number out of range: patchbay's numbers have at most %d digits", maxDigits)...)
			}
		case *hclsyntax.BinaryOpExpr:
			switch x.Op {
			case hclsyntax.OpEqual, hclsyntax.OpNotEqual, hclsyntax.OpLogicalAnd, hclsyntax.OpLogicalOr:
			default:
				// Arithmetic and comparison read numbers, from strings too.
				x.LHS, x.RHS = check(x.LHS), check(x.RHS)
			}
		case *hclsyntax.UnaryOpExpr:
			if x.Op == hclsyntax.OpNegate {
				x.Val = check(x.Val)
			}
		case *hclsyntax.IndexExpr:
			x.Key = check(x.Key) // a list index is read as a number
		case *hclsyntax.ForExpr:
			steps := nodes(x.ValExpr)
			if x.KeyExpr != nil {
				steps += nodes(x.KeyExpr)
			}
			if x.CondExpr != nil {
				steps += nodes(x.CondExpr)
			}
			r := x.ValExpr.Range()
			gate := b.call(gateFunc, r, num(steps*nodeSteps, r))
			if x.CondExpr == nil {
				x.CondExpr = gate
			} else {
				x.CondExpr = &hclsyntax.BinaryOpExpr{LHS: gate, Op: hclsyntax.OpLogicalAnd, RHS: x.CondExpr, SrcRange: x.CondExpr.Range()}
			}
		case *hclsyntax.SplatExpr:
			r := x.Each.Range()
			x.Each = b.call(countFunc, r, x.Each, num(nodes(x.Each)*nodeSteps, r), num(countElem, r))
		case *hclsyntax.TemplateExpr:
			for i, p := range x.Parts {
				r := p.Range()
				x.Parts[i] = b.call(countFunc, r, p, num(nodes(p)*nodeSteps, r), num(countPart, r))
			}
		}
		return nil
	})
	return ds
}

// instrumentBody instruments every attribute of a body but variable types,
// which are read as type syntax, not evaluated.
func (b *budget) instrumentBody(body *hclsyntax.Body, blockType string) lang.Diagnostics {
	var ds lang.Diagnostics
	for _, a := range sortedAttrs(body.Attributes) {
		if blockType == "variable" && a.Name == "type" {
			continue
		}
		ds = append(ds, b.instrument(a.Expr)...)
	}
	for _, blk := range body.Blocks {
		ds = append(ds, b.instrumentBody(blk.Body, blk.Type)...)
	}
	return ds
}

// funcs is the function table of one load, each function wrapped to pay
// into b.
func (b *budget) funcs() map[string]function.Function {
	out := make(map[string]function.Function, len(functions)+1)
	for name, f := range functions {
		if name == "try" || name == "can" {
			// Their arguments are expressions, each counted; the budget
			// error they might swallow is sticky.
			out[name] = f
			continue
		}
		out[name] = b.wrapFunc(name, f)
	}
	out[countFunc] = b.countFunction()
	out[gateFunc] = b.gateFunction()
	return out
}

// diagnose turns an exceeded budget into the one diagnostic to report,
// placed where it was found: the counted site or function call hcl names,
// else at.
func (b *budget) diagnose(diags hcl.Diagnostics, at hcl.Range) lang.Diagnostics {
	r := at
	if b.err.at != nil {
		r = *b.err.at
	} else {
		for _, d := range diags {
			if d.Subject != nil && strings.Contains(d.Detail, b.err.msg) {
				r = *d.Subject
				break
			}
		}
	}
	d := lang.Diagnostic{Rule: b.err.rule, Summary: b.err.msg, Range: toRange(r)}
	switch b.err.rule {
	case "step-budget":
		d.Hint = "look for a for expression, range() or function over a huge collection, or modules calling each other in a fan"
	case "memory-budget":
		d.Hint = "look for a string or list that doubles, a join, format or setproduct of huge values"
	}
	return lang.Diagnostics{d}
}
