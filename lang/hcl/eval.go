package hcl

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"go.starlark.net/starlark"

	"patchbay/lang"
	"patchbay/lang/decl"
	"patchbay/lang/project"
)

// resourceBlocks maps each resource block type to the builtin it declares
// through; the block's label is the name.
var resourceBlocks = map[string]string{
	"vpc": "vpc", "route_table": "route_table", "gcp_vpc": "gcp_vpc", "site": "site",
	"vpn_gateway": "vpn_gateway", "dx_gateway": "dx_gateway", "transit_gateway": "transit_gateway",
	"tgw_route_table": "tgw_route_table", "core_network": "core_network", "attachment": "attach",
	"interconnect": "interconnect", "last_mile": "last_mile", "monitor": "monitor", "scenario": "scenario",
	"objective": "objective",
}

// nestedBlocks lists, per resource block, the nested block types and the
// list parameter their values fill.
var nestedBlocks = map[string]map[string]string{
	"route_table":     {"route": "routes"},
	"tgw_route_table": {"route": "routes"},
	"core_network":    {"edge": "edges", "segment": "segments", "share": "actions", "send_to": "actions", "send_via": "actions"},
	"scenario":        {"flow": "flows", "probe": "probes", "event": "events"},
}

// meta-arguments are read by the front-end, never passed to a builtin.
var metaArgs = []string{"count", "for_each"}

type nodeKind int

const (
	nodeResource nodeKind = iota
	nodeLocal
	nodeModule
	nodeOutput
	nodeCreateRoute
)

type node struct {
	id    string // the address others use: vpc.payments, local.x, module.m
	kind  nodeKind
	block *hclsyntax.Block
	attr  *hclsyntax.Attribute // locals
	deps  []string
	order int
}

func (n *node) rng() hcl.Range {
	if n.attr != nil {
		return n.attr.NameRange
	}
	return n.block.DefRange()
}

// moduleEval is one file being evaluated: its variables, and the values of
// the nodes evaluated so far.
type moduleEval struct {
	l      *loader
	file   string
	vars   map[string]cty.Value
	values map[string]cty.Value // by node id
	nodes  map[string]*node
	outs   map[string]cty.Value
}

// module evaluates the file name with variable values (args from a module
// block, or raw -var expressions for the root) and returns its outputs.
func (l *loader) module(name string, args map[string]cty.Value, cli map[string]hcl.Expression, call hcl.Range) lang.Diagnostics {
	_, ds := l.evalModule(name, args, cli, call)
	return ds
}

func (l *loader) evalModule(name string, args map[string]cty.Value, cli map[string]hcl.Expression, call hcl.Range) (cty.Value, lang.Diagnostics) {
	if i := slices.Index(l.stack, name); i >= 0 {
		chain := append(slices.Clone(l.stack[i:]), name)
		for j := range chain {
			chain[j] = l.displayName(chain[j])
		}
		return cty.NilVal, errAt(call, "load", "module cycle: %s", strings.Join(chain, " → "))
	}
	l.stack = append(l.stack, name)
	defer func() { l.stack = l.stack[:len(l.stack)-1] }()

	body, ds := l.parse(name)
	if ds != nil {
		if call.Filename != "" {
			for i := range ds {
				if ds[i].Range.Start.Line == 0 {
					ds[i].Range = toRange(call)
				}
			}
		}
		return cty.NilVal, ds
	}
	m := &moduleEval{l: l, file: name, vars: map[string]cty.Value{}, values: map[string]cty.Value{}, nodes: map[string]*node{}, outs: map[string]cty.Value{}}
	nodes, variables, ds := m.collect(body)
	if ds.HasErrors() {
		return cty.NilVal, ds
	}
	if ds := m.bindVariables(variables, args, cli, call); ds.HasErrors() {
		return cty.NilVal, ds
	}
	order, ds := m.sort(nodes)
	if ds.HasErrors() {
		return cty.NilVal, ds
	}
	for _, n := range order {
		if ds := l.step(n.rng()); ds != nil {
			return cty.NilVal, ds
		}
		if ds := m.eval(n); ds.HasErrors() {
			return cty.NilVal, ds
		}
	}
	return cty.ObjectVal(m.outs), nil
}

// collect sorts the body's blocks into variables and evaluation nodes.
func (m *moduleEval) collect(body *hclsyntax.Body) ([]*node, []*hclsyntax.Block, lang.Diagnostics) {
	var ds lang.Diagnostics
	var nodes []*node
	var variables []*hclsyntax.Block
	add := func(n *node) {
		if prev, dup := m.nodes[n.id]; dup {
			ds = append(ds, lang.Diagnostic{Rule: "duplicate", Summary: fmt.Sprintf("%s is declared twice", n.id), Range: toRange(n.rng()),
				Related: []lang.Related{{Range: toRange(prev.rng()), Message: "first declared here"}}})
			return
		}
		n.order = len(nodes)
		m.nodes[n.id] = n
		nodes = append(nodes, n)
	}
	for _, a := range sortedAttrs(body.Attributes) {
		ds = append(ds, errAt(a.NameRange, "syntax", "unexpected attribute %q at the top level: a design holds blocks (use locals { … } for values)", a.Name)...)
	}
	blockTypes := []string{"variable", "locals", "output", "module", "create_route"}
	for k := range resourceBlocks {
		blockTypes = append(blockTypes, k)
	}
	for _, b := range body.Blocks {
		labels := func(n int) bool {
			if len(b.Labels) != n {
				ds = append(ds, errAt(b.DefRange(), "syntax", "a %s block takes %d label%s, got %d", b.Type, n, map[bool]string{true: "", false: "s"}[n == 1], len(b.Labels))...)
				return false
			}
			return true
		}
		switch b.Type {
		case "variable":
			if labels(1) {
				variables = append(variables, b)
			}
		case "locals":
			if labels(0) {
				for _, a := range sortedAttrs(b.Body.Attributes) {
					add(&node{id: "local." + a.Name, kind: nodeLocal, attr: a, block: b})
				}
			}
		case "output":
			if labels(1) {
				add(&node{id: "output." + b.Labels[0], kind: nodeOutput, block: b})
			}
		case "module":
			if labels(1) {
				add(&node{id: "module." + b.Labels[0], kind: nodeModule, block: b})
			}
		case "create_route":
			if labels(0) {
				add(&node{id: fmt.Sprintf("create_route#%d", len(nodes)), kind: nodeCreateRoute, block: b})
			}
		default:
			if _, ok := resourceBlocks[b.Type]; !ok {
				msg := fmt.Sprintf("unknown block type %q", b.Type)
				if near := lang.Nearest(b.Type, blockTypes); near != "" {
					msg += fmt.Sprintf(" (did you mean %q?)", near)
				}
				ds = append(ds, lang.Diagnostic{Rule: "syntax", Summary: msg, Range: toRange(b.TypeRange),
					Hint: "block types: " + strings.Join(sortedCopy(blockTypes), ", ")})
				continue
			}
			if labels(1) {
				add(&node{id: b.Type + "." + b.Labels[0], kind: nodeResource, block: b})
			}
		}
	}
	for _, n := range nodes {
		ds = append(ds, m.dependencies(n)...)
	}
	return nodes, variables, ds
}

func sortedCopy(xs []string) []string {
	out := slices.Clone(xs)
	slices.Sort(out)
	return out
}

// sortedAttrs returns a body's attributes in source order.
func sortedAttrs(attrs hclsyntax.Attributes) []*hclsyntax.Attribute {
	out := make([]*hclsyntax.Attribute, 0, len(attrs))
	for _, a := range attrs {
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b *hclsyntax.Attribute) int { return a.SrcRange.Start.Byte - b.SrcRange.Start.Byte })
	return out
}

// expressions lists every expression of a node, nested blocks included.
func (n *node) expressions() []hcl.Expression {
	if n.attr != nil {
		return []hcl.Expression{n.attr.Expr}
	}
	var out []hcl.Expression
	var walk func(b *hclsyntax.Body)
	walk = func(b *hclsyntax.Body) {
		for _, a := range sortedAttrs(b.Attributes) {
			out = append(out, a.Expr)
		}
		for _, nb := range b.Blocks {
			walk(nb.Body)
		}
	}
	walk(n.block.Body)
	return out
}

// dependencies reads the addresses a node's expressions refer to.
func (m *moduleEval) dependencies(n *node) lang.Diagnostics {
	var ds lang.Diagnostics
	seen := map[string]bool{}
	for _, e := range n.expressions() {
		for _, tr := range e.Variables() {
			root := tr.RootName()
			if root == "var" || root == "each" || root == "count" || root == "self" {
				continue
			}
			_, isResource := resourceBlocks[root]
			if root != "local" && root != "module" && !isResource {
				continue // HCL reports the unknown name when it evaluates
			}
			if len(tr) < 2 {
				ds = append(ds, errAt(tr.SourceRange(), "reference", "%s needs an address: %s.NAME", root, root)...)
				continue
			}
			attr, ok := tr[1].(hcl.TraverseAttr)
			if !ok {
				ds = append(ds, errAt(tr.SourceRange(), "reference", "%s needs an address: %s.NAME", root, root)...)
				continue
			}
			id := root + "." + attr.Name
			if _, declared := m.nodes[id]; !declared {
				var cands []string
				for other := range m.nodes {
					if k, name, _ := strings.Cut(other, "."); k == root {
						cands = append(cands, name)
					}
				}
				slices.Sort(cands)
				msg := fmt.Sprintf("reference to undeclared %s %q", root, attr.Name)
				if near := lang.Nearest(attr.Name, cands); near != "" {
					msg += fmt.Sprintf(" (did you mean %q?)", near)
				}
				ds = append(ds, errAt(tr.SourceRange(), "reference", "%s", msg)...)
				continue
			}
			if !seen[id] {
				seen[id] = true
				n.deps = append(n.deps, id)
			}
		}
	}
	return ds
}

// sort orders nodes so each comes after what it refers to, keeping source
// order where there is a choice; a cycle is an error naming the chain.
func (m *moduleEval) sort(nodes []*node) ([]*node, lang.Diagnostics) {
	indeg := map[string]int{}
	users := map[string][]*node{}
	for _, n := range nodes {
		indeg[n.id] = len(n.deps)
		for _, d := range n.deps {
			users[d] = append(users[d], n)
		}
	}
	var ready, out []*node
	for _, n := range nodes {
		if indeg[n.id] == 0 {
			ready = append(ready, n)
		}
	}
	for len(ready) > 0 {
		slices.SortFunc(ready, func(a, b *node) int { return a.order - b.order })
		n := ready[0]
		ready = ready[1:]
		out = append(out, n)
		for _, u := range users[n.id] {
			if indeg[u.id]--; indeg[u.id] == 0 {
				ready = append(ready, u)
			}
		}
	}
	if len(out) == len(nodes) {
		return out, nil
	}
	// Walk dependencies from the first node left until one repeats.
	var start *node
	for _, n := range nodes {
		if indeg[n.id] > 0 {
			start = n
			break
		}
	}
	var chain []string
	at := map[string]int{}
	for n := start; ; {
		if i, seen := at[n.id]; seen {
			chain = append(chain[i:], n.id)
			break
		}
		at[n.id] = len(chain)
		chain = append(chain, n.id)
		for _, d := range n.deps {
			if indeg[d] > 0 {
				n = m.nodes[d]
				break
			}
		}
	}
	first := m.nodes[chain[0]]
	return nil, errAt(first.rng(), "cycle", "dependency cycle: %s", strings.Join(chain, " → "))
}

// context is the evaluation context of a node: its dependencies' values,
// the variables and the functions, plus each/count for one instance.
func (m *moduleEval) context(n *node, extra map[string]cty.Value) *hcl.EvalContext {
	ns := map[string]map[string]cty.Value{}
	for _, d := range n.deps {
		root, name, _ := strings.Cut(d, ".")
		if ns[root] == nil {
			ns[root] = map[string]cty.Value{}
		}
		ns[root][name] = m.values[d]
	}
	vars := map[string]cty.Value{"var": cty.ObjectVal(m.vars)}
	for root, vals := range ns {
		vars[root] = cty.ObjectVal(vals)
	}
	for k, v := range extra {
		vars[k] = v
	}
	return &hcl.EvalContext{Variables: vars, Functions: m.l.funcs}
}

func (m *moduleEval) eval(n *node) lang.Diagnostics {
	switch n.kind {
	case nodeLocal:
		v, vds := m.l.value(n.attr.Expr, m.context(n, nil))
		if vds.HasErrors() {
			return vds
		}
		m.values[n.id] = v
	case nodeOutput:
		if ds := knownAttrs(n.block.Body, "output", "value", "description", "sensitive"); ds != nil {
			return ds
		}
		a, ok := n.block.Body.Attributes["value"]
		if !ok {
			return errAt(n.block.DefRange(), "syntax", "output %q needs a value", n.block.Labels[0])
		}
		v, vds := m.l.value(a.Expr, m.context(n, nil))
		if vds.HasErrors() {
			return vds
		}
		m.outs[n.block.Labels[0]] = v
	case nodeModule:
		return m.evalModuleCall(n)
	case nodeCreateRoute:
		_, ds := m.declare(n, "create_route", "", n.block.Body, m.context(n, nil))
		return ds
	case nodeResource:
		return m.evalResource(n)
	}
	return nil
}

func (m *moduleEval) evalModuleCall(n *node) lang.Diagnostics {
	ctx := m.context(n, nil)
	srcAttr, ok := n.block.Body.Attributes["source"]
	if !ok {
		return errAt(n.block.DefRange(), "syntax", "module %q needs a source", n.block.Labels[0])
	}
	for _, meta := range []string{"count", "for_each"} {
		if a, ok := n.block.Body.Attributes[meta]; ok {
			return errAt(a.NameRange, "syntax", "%s on a module is not supported: call the module once per instance", meta)
		}
	}
	sv, vds := m.l.value(srcAttr.Expr, ctx)
	if vds.HasErrors() {
		return vds
	}
	if sv.Type() != cty.String || sv.IsNull() {
		return errAt(srcAttr.Expr.Range(), "argument", "module source must be a string")
	}
	name, err := project.Resolve(m.file, sv.AsString(), ".hcl", "module source")
	if err != nil {
		return errAt(srcAttr.Expr.Range(), "load", "cannot load module %q: %v", sv.AsString(), err)
	}
	args := map[string]cty.Value{}
	for _, a := range sortedAttrs(n.block.Body.Attributes) {
		if a.Name == "source" {
			continue
		}
		v, vds := m.l.value(a.Expr, ctx)
		if vds.HasErrors() {
			return vds
		}
		args[a.Name] = v
	}
	out, ds := m.l.evalModule(name, args, nil, srcAttr.Expr.Range())
	if ds.HasErrors() {
		return ds
	}
	m.values[n.id] = out
	return nil
}

// evalResource declares one resource block, once per count or for_each
// instance.
func (m *moduleEval) evalResource(n *node) lang.Diagnostics {
	b := n.block
	label := b.Labels[0]
	builtin := resourceBlocks[b.Type]
	ctx := m.context(n, nil)
	countAttr, hasCount := b.Body.Attributes["count"]
	eachAttr, hasEach := b.Body.Attributes["for_each"]
	switch {
	case hasCount && hasEach:
		return errAt(eachAttr.NameRange, "syntax", "a block takes count or for_each, not both")
	case hasCount:
		cv, vds := m.l.value(countAttr.Expr, ctx)
		if vds.HasErrors() {
			return vds
		}
		count, err := wholeNumber(cv)
		if err != nil || count < 0 || count > 100_000 {
			return errAt(countAttr.Expr.Range(), "argument", "count must be a whole number 0-100000")
		}
		vals := make([]cty.Value, count)
		for i := range count {
			if ds := m.l.step(countAttr.Expr.Range()); ds != nil {
				return ds
			}
			ictx := m.context(n, map[string]cty.Value{"count": cty.ObjectVal(map[string]cty.Value{"index": cty.NumberIntVal(int64(i))})})
			v, ds := m.declare(n, builtin, fmt.Sprintf("%s-%d", label, i), b.Body, ictx)
			if ds.HasErrors() {
				return ds
			}
			vals[i] = v
		}
		m.values[n.id] = tupleOrEmpty(vals)
	case hasEach:
		ev, vds := m.l.value(eachAttr.Expr, ctx)
		if vds.HasErrors() {
			return vds
		}
		if !ev.IsKnown() || ev.IsNull() || !(ev.Type().IsMapType() || ev.Type().IsObjectType() || ev.Type().IsSetType()) {
			return errAt(eachAttr.Expr.Range(), "argument", "for_each must be a map, an object or a set of strings")
		}
		vals := map[string]cty.Value{}
		for it := ev.ElementIterator(); it.Next(); {
			k, v := it.Element()
			if k.Type() != cty.String {
				return errAt(eachAttr.Expr.Range(), "argument", "for_each over a set needs strings (use toset([...]))")
			}
			key := k.AsString()
			if ds := m.l.step(eachAttr.Expr.Range()); ds != nil {
				return ds
			}
			ictx := m.context(n, map[string]cty.Value{"each": cty.ObjectVal(map[string]cty.Value{"key": k, "value": v})})
			val, ds := m.declare(n, builtin, label+"-"+key, b.Body, ictx)
			if ds.HasErrors() {
				return ds
			}
			vals[key] = val
		}
		m.values[n.id] = cty.ObjectVal(vals)
	default:
		v, ds := m.declare(n, builtin, label, b.Body, ctx)
		if ds.HasErrors() {
			return ds
		}
		m.values[n.id] = v
	}
	return nil
}

func tupleOrEmpty(vs []cty.Value) cty.Value {
	if len(vs) == 0 {
		return cty.EmptyTupleVal
	}
	return cty.TupleVal(vs)
}

func wholeNumber(v cty.Value) (int, error) {
	if !v.IsKnown() || v.IsNull() || v.Type() != cty.Number {
		return 0, fmt.Errorf("not a number")
	}
	bf := v.AsBigFloat()
	n, acc := bf.Int64()
	if !bf.IsInt() || acc != 0 {
		return 0, fmt.Errorf("not a whole number")
	}
	return int(n), nil
}

// declare turns one block into a builtin call: its attributes become
// keyword arguments, its nested blocks the list parameters they fill. name
// is a resource's name, from its label; a name attribute wins.
func (m *moduleEval) declare(n *node, builtin, name string, body *hclsyntax.Body, ctx *hcl.EvalContext) (cty.Value, lang.Diagnostics) {
	b := m.l.b
	// A core network given by its policy document (policy = FILE) is
	// core_network_from_policy's, which takes nothing else.
	if builtin == "core_network" && body.Attributes["policy"] != nil && body == n.block.Body {
		if len(body.Blocks) > 0 {
			return cty.NilVal, errAt(body.Blocks[0].TypeRange, "syntax", "a core_network given by its policy document takes no %s blocks: the document has them", body.Blocks[0].Type)
		}
		builtin = "core_network_from_policy"
	}
	var kwargs []starlark.Tuple
	given := map[string]bool{}
	for _, a := range sortedAttrs(body.Attributes) {
		if slices.Contains(metaArgs, a.Name) {
			continue
		}
		v, vds := m.l.value(a.Expr, ctx)
		if vds.HasErrors() {
			return cty.NilVal, vds
		}
		if v.IsNull() {
			continue // null means "not set", as None does in Starlark: defaults apply
		}
		sv, err := toStarlark(b, v)
		if err != nil {
			return cty.NilVal, errAt(a.Expr.Range(), "argument", "%s: %s: %v", builtin, a.Name, err)
		}
		kwargs = append(kwargs, starlark.Tuple{starlark.String(a.Name), sv})
		given[a.Name] = true
	}
	// A resource's label is its name even when empty, so that `objective ""`
	// is refused as objective(name = "") is rather than falling back on the
	// default name.
	if n.kind == nodeResource && !given["name"] {
		kwargs = append(kwargs, starlark.Tuple{starlark.String("name"), starlark.String(name)})
	}
	lists := map[string]starlark.Tuple{}
	var listOrder []string
	for _, nb := range body.Blocks {
		param, ok := nestedBlocks[n.block.Type][nb.Type]
		if !ok || body != n.block.Body {
			var kinds []string
			for k := range nestedBlocks[n.block.Type] {
				kinds = append(kinds, k)
			}
			msg := fmt.Sprintf("unknown block type %q in %s", nb.Type, n.block.Type)
			if near := lang.Nearest(nb.Type, kinds); near != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", near)
			}
			return cty.NilVal, errAt(nb.TypeRange, "syntax", "%s", msg)
		}
		if given[param] {
			return cty.NilVal, errAt(nb.TypeRange, "syntax", "%s is given as an attribute and as %s blocks: use one", param, nb.Type)
		}
		nestedName := ""
		if nb.Type == "segment" {
			if len(nb.Labels) != 1 {
				return cty.NilVal, errAt(nb.DefRange(), "syntax", "a segment block takes one label, its name")
			}
			nestedName = nb.Labels[0]
		} else if len(nb.Labels) != 0 {
			return cty.NilVal, errAt(nb.DefRange(), "syntax", "a %s block takes no label", nb.Type)
		}
		var v starlark.Value
		var ds lang.Diagnostics
		if nb.Type == "event" {
			v, ds = m.event(nb, ctx)
		} else {
			v, ds = m.call(nb.Type, nestedName, nb.Body, nb.DefRange(), ctx)
		}
		if ds.HasErrors() {
			return cty.NilVal, ds
		}
		if _, seen := lists[param]; !seen {
			listOrder = append(listOrder, param)
		}
		lists[param] = append(lists[param], v)
	}
	for _, p := range listOrder {
		kwargs = append(kwargs, starlark.Tuple{starlark.String(p), lists[p]})
	}
	v, err := b.Call(builtin, nil, kwargs, toRange(n.block.DefRange()))
	if err != nil {
		return cty.NilVal, m.callError(err, n.block.Type, body, n.block.DefRange())
	}
	return toCty(v), nil
}

// call runs a configuring builtin (route, edge, segment, share …) for a
// nested block.
func (m *moduleEval) call(builtin, name string, body *hclsyntax.Body, at hcl.Range, ctx *hcl.EvalContext) (starlark.Value, lang.Diagnostics) {
	if len(body.Blocks) > 0 {
		return nil, errAt(body.Blocks[0].TypeRange, "syntax", "a %s block holds no blocks", builtin)
	}
	var kwargs []starlark.Tuple
	for _, a := range sortedAttrs(body.Attributes) {
		v, vds := m.l.value(a.Expr, ctx)
		if vds.HasErrors() {
			return nil, vds
		}
		sv, err := toStarlark(m.l.b, v)
		if err != nil {
			return nil, errAt(a.Expr.Range(), "argument", "%s: %s: %v", builtin, a.Name, err)
		}
		kwargs = append(kwargs, starlark.Tuple{starlark.String(a.Name), sv})
	}
	if name != "" {
		kwargs = append(kwargs, starlark.Tuple{starlark.String("name"), starlark.String(name)})
	}
	v, err := m.l.b.Call(builtin, nil, kwargs, toRange(at))
	if err != nil {
		return nil, m.callError(err, builtin, body, at)
	}
	return v, nil
}

// callError places a builtin's error on the attribute it is about.
func (m *moduleEval) callError(err error, block string, body *hclsyntax.Body, at hcl.Range) lang.Diagnostics {
	var ae *decl.ArgError
	var diag lang.Diagnostic
	var h *decl.Hinted
	switch {
	case errors.As(err, &diag):
		if errors.As(err, &h) {
			diag.Hint = h.Hint
		}
		return lang.Diagnostics{diag}
	case errors.As(err, &ae):
		r := at
		if a, ok := body.Attributes[ae.Param]; ok {
			r = a.Expr.Range()
			if ae.UnknownKeyword() {
				r = a.NameRange
			}
		}
		// Name the block, as the script wrote it (attachment, not attach).
		summary := fmt.Sprintf("%s: %v", block, ae.Err)
		switch {
		case ae.UnknownKeyword():
			summary = fmt.Sprintf("%s: unknown argument %q", block, ae.Param)
		case ae.Param != "":
			summary = fmt.Sprintf("%s: %s: %v", block, ae.Param, ae.Err)
		}
		return lang.Diagnostics{{Rule: "argument", Summary: summary, Hint: ae.Hint, Range: toRange(r)}}
	}
	d := lang.Diagnostic{Rule: "argument", Summary: err.Error(), Range: toRange(at)}
	if errors.As(err, &h) {
		d.Hint = h.Hint
	}
	if strings.Contains(d.Summary, "the most patchbay plans") {
		// The builder's resource cap, named as the Starlark front-end names it.
		d.Rule, d.Hint = "resource-budget", "a design this large needs a bigger cap: pass --max-resources (and --max-memory)"
	}
	return lang.Diagnostics{d}
}

// bindVariables gives each declared variable its value: from the caller
// (module arguments or -var/-var-file), else its default; converted to its
// type and checked by its validation blocks.
func (m *moduleEval) bindVariables(blocks []*hclsyntax.Block, args map[string]cty.Value, cli map[string]hcl.Expression, call hcl.Range) lang.Diagnostics {
	var ds lang.Diagnostics
	declared := map[string]bool{}
	fnCtx := &hcl.EvalContext{Functions: m.l.funcs}
	for _, b := range blocks {
		name := b.Labels[0]
		if ds2 := knownAttrs(b.Body, "variable", "type", "default", "description", "sensitive", "nullable"); ds2 != nil {
			ds = append(ds, ds2...)
			continue
		}
		if declared[name] {
			ds = append(ds, errAt(b.DefRange(), "duplicate", "variable %q is declared twice", name)...)
			continue
		}
		declared[name] = true
		ty := cty.DynamicPseudoType
		if a, ok := b.Body.Attributes["type"]; ok {
			t, diags := typeexpr.TypeConstraint(a.Expr)
			if diags.HasErrors() {
				ds = append(ds, convertDiags(diags, "syntax")...)
				continue
			}
			ty = t
		}
		var val cty.Value
		var origin hcl.Range = b.DefRange()
		switch {
		case args != nil && args[name] != cty.NilVal:
			val = args[name]
			origin = call
		case cli[name] != nil:
			e := cli[name]
			origin = e.Range()
			if ce, raw := e.(*cliExpr); raw && ty == cty.String {
				val = cty.StringVal(ce.raw)
			} else {
				v, vds := m.l.value(e, fnCtx)
				if vds.HasErrors() {
					ds = append(ds, vds...)
					continue
				}
				val = v
			}
		default:
			a, ok := b.Body.Attributes["default"]
			if !ok {
				ds = append(ds, lang.Diagnostic{Rule: "variable", Summary: fmt.Sprintf("variable %q has no value", name), Range: toRange(b.DefRange()),
					Hint: fmt.Sprintf("pass -var %s=… or give it a default", name)})
				continue
			}
			v, vds := m.l.value(a.Expr, fnCtx)
			if vds.HasErrors() {
				ds = append(ds, vds...)
				continue
			}
			val = v
		}
		if err := numberTextErr(val, ty); err != nil {
			ds = append(ds, lang.Diagnostic{Rule: "variable", Summary: fmt.Sprintf("variable %q (%s): %v", name, typeexpr.TypeString(ty), err), Range: toRange(origin)})
			continue
		}
		cv, err := convert.Convert(val, ty)
		if err != nil {
			ds = append(ds, lang.Diagnostic{Rule: "variable", Summary: fmt.Sprintf("variable %q (%s): %v", name, typeexpr.TypeString(ty), err), Range: toRange(origin)})
			continue
		}
		m.vars[name] = cv
		for _, vb := range b.Body.Blocks {
			if vb.Type != "validation" {
				ds = append(ds, errAt(vb.TypeRange, "syntax", "a variable holds validation blocks only, not %q", vb.Type)...)
				continue
			}
			ds = append(ds, m.validate(name, cv, vb)...)
		}
	}
	names := make([]string, 0, len(declared))
	for n := range declared {
		names = append(names, n)
	}
	slices.Sort(names) // ties go to the first in order, whatever the map's
	nearest := func(name string) string {
		if near := lang.Nearest(name, names); near != "" {
			return fmt.Sprintf(" (did you mean %q?)", near)
		}
		return ""
	}
	for name := range args {
		if !declared[name] {
			ds = append(ds, errAt(call, "variable", "the module has no variable %q%s", name, nearest(name))...)
		}
	}
	for name, e := range cli {
		if ce, ok := e.(*cliExpr); ok && ce.fromEnv {
			// The environment holds what other configurations use too.
			continue
		}
		if !declared[name] {
			ds = append(ds, errAt(e.Range(), "variable", "no variable %q is declared%s", name, nearest(name))...)
		}
	}
	return ds
}

func (m *moduleEval) validate(name string, v cty.Value, vb *hclsyntax.Block) lang.Diagnostics {
	if ds := knownAttrs(vb.Body, "validation", "condition", "error_message"); ds != nil {
		return ds
	}
	cond, ok := vb.Body.Attributes["condition"]
	if !ok {
		return errAt(vb.DefRange(), "syntax", "a validation block needs a condition")
	}
	ctx := &hcl.EvalContext{Functions: m.l.funcs, Variables: map[string]cty.Value{"var": cty.ObjectVal(map[string]cty.Value{name: v})}}
	cv, vds := m.l.value(cond.Expr, ctx)
	if vds.HasErrors() {
		return vds
	}
	if cv.Type() != cty.Bool || cv.IsNull() {
		return errAt(cond.Expr.Range(), "variable", "a validation condition must be true or false")
	}
	if cv.True() {
		return nil
	}
	msg := "the value is not valid"
	if em, ok := vb.Body.Attributes["error_message"]; ok {
		if ev, vds := m.l.value(em.Expr, ctx); !vds.HasErrors() && ev.Type() == cty.String && !ev.IsNull() {
			msg = ev.AsString()
		}
	}
	return lang.Diagnostics{{Rule: "variable", Summary: fmt.Sprintf("invalid value for variable %q: %s", name, msg), Range: toRange(cond.Expr.Range())}}
}

// knownAttrs refuses attributes a block does not take, naming the nearest,
// so a misspelt `defualt` is not silently ignored.
func knownAttrs(body *hclsyntax.Body, block string, names ...string) lang.Diagnostics {
	for _, a := range sortedAttrs(body.Attributes) {
		if slices.Contains(names, a.Name) {
			continue
		}
		msg := fmt.Sprintf("a %s block has no attribute %q", block, a.Name)
		if near := lang.Nearest(a.Name, names); near != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", near)
		}
		return errAt(a.NameRange, "syntax", "%s", msg)
	}
	return nil
}

// numberTextErr refuses, before conversion to a type with numbers in it,
// a string too long or too large to read as one (see maxNumText).
func numberTextErr(v cty.Value, ty cty.Type) error {
	if !strings.Contains(typeexpr.TypeString(ty), "number") {
		return nil
	}
	v, _ = v.Unmark()
	if !v.IsKnown() || v.IsNull() {
		return nil
	}
	if v.Type() == cty.String || v.Type() == cty.Number {
		return numberErr(v)
	}
	if v.CanIterateElements() {
		for it := v.ElementIterator(); it.Next(); {
			if _, e := it.Element(); numberTextErr(e, ty) != nil {
				return numberTextErr(e, ty)
			}
		}
	}
	return nil
}
