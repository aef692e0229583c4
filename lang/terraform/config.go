package terraform

import (
	"context"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"

	"patchbay/lang"
	phcl "patchbay/lang/hcl"
	"patchbay/lang/project"
)

// MaxConfigFiles bounds the .tf files of a directory read: a
// configuration of a few hundred files is already far larger than a
// network's; more is a directory that is not one.
const MaxConfigFiles = 256

// maxConfigBytes bounds the .tf files' text together, as one design's
// file is bounded.
const maxConfigBytes = project.MaxFileSize

// maxLocalRefs bounds the resources one local is remembered to refer to:
// a reference is meant to name one resource, and locals that each name
// every one before them would otherwise cost the square of their number.
const maxLocalRefs = 64

// dxAttachmentData is the data source that finds the Transit Gateway
// attachment of a DX gateway association, which is no resource of its
// own: the importer follows it to the association.
const dxAttachmentData = "aws_ec2_transit_gateway_dx_gateway_attachment"

// peeringData is the data source that finds the accepting side's
// attachment of a Transit Gateway peering within one Region, where AWS
// makes an attachment for each side, as the export writes it and the
// provider's intra-region peering example does
// (hashicorp/terraform-provider-aws,
// examples/transit-gateway-intra-region-peering, read 2026-12): the
// importer follows it to the peering.
const peeringData = "aws_ec2_transit_gateway_peering_attachment"

// followed reports whether the importer follows a data source of type
// typ to what it finds.
func followed(typ string) bool { return typ == dxAttachmentData || typ == peeringData }

// configReader evaluates a configuration's files as Terraform would
// before it asks the providers anything: variables from their defaults,
// locals, providers' regions, and each resource's arguments, where a
// reference to another resource is unknown (its ID is the provider's to
// give) and remembered as a reference.
type configReader struct {
	root    *project.Root
	fx      *phcl.Foreign
	files   lang.Sources
	diags   lang.Diagnostics
	skipped []string

	blocks    []*hclsyntax.Block
	tfvars    []definition         // in the order Terraform applies them
	declared  map[string]hcl.Range // "TYPE.NAME", "data.TYPE.NAME" and "ephemeral.TYPE.NAME"
	types     map[string]bool      // the resource types declared: roots of references
	vars      map[string]cty.Value
	locals    map[string]cty.Value
	localRefs map[string][]string
	regions   map[string]string // provider ("aws", "aws.us_east_1") → its region
	projects  map[string]string // provider ("google") → its project
	base      *hcl.EvalContext
}

// ImportConfig reads the Terraform configuration in root, its *.tf files
// (not recursively; *.tf.json and override files are refused), without
// running Terraform, and writes what Import writes. Variables take their
// defaults, overridden by the definitions files Terraform loads by itself
// (terraform.tfvars, *.auto.tfvars, and their JSON forms), and one without
// a value is unknown; a reference to a
// resource is unknown too, and is how the importer finds what an argument
// names. Resources with count or for_each, or dynamic blocks, data sources
// other than the one the export uses, ephemeral resources and modules are
// not imported and are listed at the end with why. Errors name file:line:col; the error is then
// a *lang.SourceError.
func ImportConfig(ctx context.Context, root *project.Root, opts ConfigOptions) ([]byte, error) {
	res, skipped, err := readConfig(ctx, root, opts)
	if err != nil {
		return nil, err
	}
	im := newImporter()
	for _, r := range res {
		im.add(r)
	}
	im.skipped = skipped
	return im.finish(root.Display, "Terraform configuration")
}

// ConfigOptions bound a configuration's evaluation as a design's are
// bounded; zero means the default.
type ConfigOptions struct {
	// MaxSteps bounds evaluation, in the HCL front-end's steps.
	MaxSteps uint64
	// MaxMemory bounds the bytes expressions build.
	MaxMemory uint64
}

func readConfig(ctx context.Context, root *project.Root, opts ConfigOptions) ([]*resource, []string, error) {
	c := &configReader{root: root, files: lang.Sources{}, declared: map[string]hcl.Range{}, types: map[string]bool{},
		vars: map[string]cty.Value{}, locals: map[string]cty.Value{}, localRefs: map[string][]string{}, regions: map[string]string{}, projects: map[string]string{}}
	c.fx = phcl.NewForeign(ctx, opts.MaxSteps, opts.MaxMemory, map[string]function.Function{"file": c.fileFunc()})
	if err := c.parse(); err != nil {
		return nil, nil, err
	}
	if !c.diags.HasErrors() {
		c.declare()
	}
	if !c.diags.HasErrors() {
		c.variables()
		c.evalLocals()
		c.providers()
	}
	var res []*resource
	if !c.diags.HasErrors() {
		res = c.resources()
	}
	if c.diags.HasErrors() {
		c.diags.Sort()
		return nil, nil, &lang.SourceError{Diagnostics: c.diags, Files: c.files}
	}
	return res, c.skipped, nil
}

// definition is a value a variable definitions file gives a variable.
type definition struct {
	name string
	at   hcl.Range
	expr hcl.Expression
}

func (c *configReader) errorf(r hcl.Range, format string, args ...any) {
	c.diags = append(c.diags, lang.Diagnostic{Severity: lang.SevError, Rule: "terraform", Summary: fmt.Sprintf(format, args...), Range: rangeOf(r)})
}

func rangeOf(r hcl.Range) lang.Range {
	out := lang.Range{File: r.Filename, Start: lang.Pos{Line: int32(r.Start.Line), Col: int32(r.Start.Column)}}
	if r.End.Line > 0 {
		out.End = lang.Pos{Line: int32(r.End.Line), Col: int32(r.End.Column)}
	}
	return out
}

// parse reads every .tf file of the directory, in name order, then the
// variable definitions files Terraform loads by itself: terraform.tfvars,
// terraform.tfvars.json, then the *.auto.tfvars and *.auto.tfvars.json
// files in name order, each overriding what came before
// (https://developer.hashicorp.com/terraform/language/values/variables#variable-definition-precedence,
// read 2026-12). Other .tfvars files are read only when -var-file names
// them, so they are not read here.
func (c *configReader) parse() error {
	entries, err := fs.ReadDir(c.root.FS, ".")
	if err != nil {
		return fmt.Errorf("%s: cannot read the directory: %v", c.root.Display, err)
	}
	var names, vars []string
	for _, e := range entries {
		n := e.Name()
		switch {
		case strings.HasPrefix(n, "."), e.IsDir():
		case strings.HasSuffix(n, ".tf.json"):
			return fmt.Errorf("%s: refused: %s is in Terraform's JSON syntax, which import terraform does not read; write it in HCL", c.root.Display, n)
		case n == "override.tf" || strings.HasSuffix(n, "_override.tf"):
			// Terraform merges an override file into the blocks it names;
			// read as an ordinary file it would declare them twice.
			return fmt.Errorf("%s: refused: %s is an override file, which import terraform does not merge", c.root.Display, n)
		case strings.HasSuffix(n, ".tf"):
			names = append(names, n)
		case n == "terraform.tfvars" || n == "terraform.tfvars.json" || strings.HasSuffix(n, ".auto.tfvars") || strings.HasSuffix(n, ".auto.tfvars.json"):
			vars = append(vars, n)
		}
	}
	sort.Strings(names)
	// terraform.tfvars, then terraform.tfvars.json, whatever their places
	// among the names.
	first := map[string]int{"terraform.tfvars": 1, "terraform.tfvars.json": 2}
	slices.SortFunc(vars, func(a, b string) int {
		if first[a] > 0 || first[b] > 0 {
			return cmpFirst(first[a], first[b])
		}
		return strings.Compare(a, b)
	})
	switch {
	case len(names) == 0:
		return fmt.Errorf("%s: no .tf files: want the directory of a Terraform configuration", c.root.Display)
	case len(names)+len(vars) > MaxConfigFiles:
		return fmt.Errorf("%s: refused: %d .tf and .tfvars files, more than the %d import terraform reads", c.root.Display, len(names)+len(vars), MaxConfigFiles)
	}
	total := 0
	for _, n := range append(names, vars...) {
		display := c.root.DisplayName(n)
		src, err := c.root.Read(n)
		if err != nil {
			return fmt.Errorf("%s: %v", display, err)
		}
		if total += len(src); total > maxConfigBytes {
			return fmt.Errorf("%s: refused: the .tf and .tfvars files together are larger than %d MiB", c.root.Display, maxConfigBytes>>20)
		}
		c.files[display] = src
		if strings.HasSuffix(n, ".tfvars.json") {
			c.jsonDefinitions(src, display)
			continue
		}
		body, ds := c.fx.Parse(src, display)
		c.diags = append(c.diags, ds...)
		if body == nil {
			continue
		}
		if strings.HasSuffix(n, ".tfvars") {
			// A definitions file assigns values; Terraform refuses a block
			// in one, a variable block most often put there by mistake.
			for _, b := range body.Blocks {
				c.errorf(b.TypeRange, "a %s block in a variable definitions file, which only assigns values to variables the .tf files declare (name = value)", b.Type)
			}
			for _, a := range sortedAttrs(body.Attributes) {
				c.tfvars = append(c.tfvars, definition{name: a.Name, at: a.NameRange, expr: a.Expr})
			}
			continue
		}
		for _, a := range sortedAttrs(body.Attributes) {
			c.errorf(a.NameRange, "an argument (%s) at the top level of a configuration: Terraform takes only blocks there", a.Name)
		}
		c.blocks = append(c.blocks, body.Blocks...)
	}
	return nil
}

// cmpFirst orders the definitions files Terraform reads first (rank 1,
// 2) before the others (rank 0).
func cmpFirst(a, b int) int {
	switch {
	case a == b:
		return 0
	case a == 0:
		return 1
	case b == 0:
		return -1
	}
	return a - b
}

// jsonDefinitions reads a .tfvars.json file: its values are the JSON's
// data, never templates, as Terraform reads them.
func (c *configReader) jsonDefinitions(src []byte, display string) {
	vars, ds := c.fx.JSONVars(src, display)
	c.diags = append(c.diags, ds...)
	for _, n := range slices.Sorted(maps.Keys(vars)) {
		c.tfvars = append(c.tfvars, definition{name: n, at: vars[n].Range(), expr: vars[n]})
	}
}

func sortedAttrs(as hclsyntax.Attributes) []*hclsyntax.Attribute {
	out := make([]*hclsyntax.Attribute, 0, len(as))
	for _, a := range as {
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b *hclsyntax.Attribute) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// labels is how many labels each top-level block takes; a block type not
// here is not Terraform's.
var labels = map[string]int{
	"terraform": 0, "provider": 1, "variable": 1, "locals": 0, "output": 1, "resource": 2, "data": 2,
	"module": 1, "moved": 0, "import": 0, "removed": 0, "check": 1,
	// Terraform 1.10's ephemeral resources: ephemeral "TYPE" "NAME"
	// (https://developer.hashicorp.com/terraform/language/resources/ephemeral,
	// read 2026-12).
	"ephemeral": 2,
}

// declare checks the blocks' shapes and records the resources and data
// sources declared, which references may name.
func (c *configReader) declare() {
	for _, b := range c.blocks {
		n, ok := labels[b.Type]
		switch {
		case !ok:
			c.errorf(b.TypeRange, "%s: not a block type of a Terraform configuration", b.Type)
			continue
		case len(b.Labels) != n:
			article := "a"
			if strings.ContainsRune("aeio", rune(b.Type[0])) {
				article = "an"
			}
			c.errorf(b.TypeRange, "%s %s block takes %d labels, not %d", article, b.Type, n, len(b.Labels))
			continue
		}
		valid := true
		for i, l := range b.Labels {
			// Names end up in the written design's comments: an
			// identifier cannot break out of one.
			if !hclsyntax.ValidIdentifier(l) {
				c.errorf(b.LabelRanges[i], "%q: not a valid name (letters, digits, _ and -, starting with a letter or _)", l)
				valid = false
			}
		}
		if !valid || b.Type != "resource" && b.Type != "data" && b.Type != "ephemeral" {
			continue
		}
		addr := b.Labels[0] + "." + b.Labels[1]
		if b.Type != "resource" {
			addr = b.Type + "." + addr
		} else if scopes[b.Labels[0]] {
			c.errorf(b.LabelRanges[0], "%s: a resource type cannot be named as Terraform's own references are", b.Labels[0])
			continue
		} else {
			c.types[b.Labels[0]] = true
		}
		if prev, dup := c.declared[addr]; dup {
			c.errorf(b.DefRange(), "%s is declared twice (first at %s)", addr, rangeOf(prev))
			continue
		}
		c.declared[addr] = b.DefRange()
	}
	c.base = c.context()
}

// scopes are the roots of references that are Terraform's own, not a
// resource type's.
var scopes = map[string]bool{"var": true, "local": true, "path": true, "terraform": true, "data": true, "ephemeral": true,
	"module": true, "count": true, "each": true, "self": true}

// context is what every expression sees: a resource's attributes, a data
// source's, an ephemeral resource's and a module's outputs are unknown; path.module and path.root
// are ".", as for a root module, so file() reads inside the directory.
func (c *configReader) context() *hcl.EvalContext {
	vs := map[string]cty.Value{}
	for t := range c.types {
		vs[t] = cty.DynamicVal
	}
	here := cty.StringVal(".")
	vs["path"] = cty.ObjectVal(map[string]cty.Value{"module": here, "root": here, "cwd": here})
	vs["terraform"] = cty.ObjectVal(map[string]cty.Value{"workspace": cty.StringVal("default")})
	vs["data"], vs["ephemeral"], vs["module"] = cty.DynamicVal, cty.DynamicVal, cty.DynamicVal
	vs["var"], vs["local"] = cty.EmptyObjectVal, cty.EmptyObjectVal
	return &hcl.EvalContext{Variables: vs, Functions: c.fx.Functions()}
}

func (c *configReader) of(typ string) []*hclsyntax.Block {
	var out []*hclsyntax.Block
	for _, b := range c.blocks {
		if b.Type == typ {
			out = append(out, b)
		}
	}
	return out
}

// variables are their defaults, then the definitions files' values; a
// variable without one is unknown, as its value is whatever terraform
// plan is given.
func (c *configReader) variables() {
	at := map[string]hcl.Range{}
	for _, b := range c.of("variable") {
		n := b.Labels[0]
		if prev, dup := at[n]; dup {
			c.errorf(b.DefRange(), "variable %q is declared twice (first at %s)", n, rangeOf(prev))
			continue
		}
		at[n] = b.DefRange()
		c.vars[n] = cty.DynamicVal
		if a := b.Body.Attributes["default"]; a != nil {
			// A default is a constant: it sees no variables.
			v, ds := c.eval(a.Expr, &hcl.EvalContext{Functions: c.fx.Functions()})
			c.diags = append(c.diags, ds...)
			if !ds.HasErrors() {
				c.vars[n] = v
			}
		}
	}
	c.definitions(at)
	c.base.Variables["var"] = cty.ObjectVal(c.vars)
}

// definitions applies the variable definitions files' values over the
// defaults, later files over earlier ones. A value is a constant:
// Terraform evaluates it with no variables and no functions. A value for
// a variable not declared is one Terraform warns of and ignores, so the
// import lists it rather than failing.
func (c *configReader) definitions(declared map[string]hcl.Range) {
	for _, d := range c.tfvars {
		if c.fx.Exceeded() {
			return // reported once, where it was spent
		}
		v, ds := c.fx.Constant(d.expr)
		c.diags = append(c.diags, ds...)
		if ds.HasErrors() {
			continue
		}
		if _, ok := declared[d.name]; !ok {
			c.skipped = append(c.skipped, fmt.Sprintf("var.%s (%s): a value for a variable the configuration does not declare, which Terraform ignores", d.name, rangeOf(d.at)))
			continue
		}
		c.vars[d.name] = v
	}
}

// evalLocals evaluates the locals in an order where each comes after
// those it names; a cycle is an error at each local in it.
func (c *configReader) evalLocals() {
	exprs, at := map[string]*hclsyntax.Attribute{}, map[string]hcl.Range{}
	for _, b := range c.of("locals") {
		for _, a := range sortedAttrs(b.Body.Attributes) {
			if prev, dup := at[a.Name]; dup {
				c.errorf(a.NameRange, "local.%s is defined twice (first at %s)", a.Name, rangeOf(prev))
				continue
			}
			exprs[a.Name], at[a.Name] = a, a.NameRange
		}
	}
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range exprs {
			if !yield(n) {
				return
			}
		}
	})
	deps, users := map[string]int{}, map[string][]string{}
	for _, n := range names {
		seen := map[string]bool{}
		for _, tr := range exprs[n].Expr.Variables() {
			if d := localName(tr); d != "" && exprs[d] != nil && !seen[d] {
				seen[d] = true
				deps[n]++
				users[d] = append(users[d], n)
			}
		}
	}
	var ready []string
	for _, n := range names {
		if deps[n] == 0 {
			ready = append(ready, n)
		}
	}
	done := 0
	for len(ready) > 0 {
		n := ready[0]
		ready = ready[1:]
		done++
		a := exprs[n]
		refs := c.references(a.Expr)
		if len(refs) > maxLocalRefs {
			refs = refs[:maxLocalRefs]
		}
		c.localRefs[n] = refs
		ctx := c.base.NewChild()
		ctx.Variables = map[string]cty.Value{"local": c.localsOf(a.Expr)}
		v, ds := c.eval(a.Expr, ctx)
		c.diags = append(c.diags, ds...)
		if ds.HasErrors() {
			v = cty.DynamicVal
		}
		c.locals[n] = v
		for _, u := range users[n] {
			if deps[u]--; deps[u] == 0 {
				ready = append(ready, u)
			}
		}
	}
	if done < len(names) {
		for _, n := range names {
			if deps[n] > 0 {
				c.errorf(at[n], "local.%s depends on itself, through the locals it names", n)
			}
		}
	}
	c.base.Variables["local"] = cty.ObjectVal(c.locals)
}

// localsOf is the object of the locals expression e names that are
// evaluated: each local sees only what it needs, so evaluating n locals
// does not build n objects of n locals.
func (c *configReader) localsOf(e hcl.Expression) cty.Value {
	m := map[string]cty.Value{}
	for _, tr := range e.Variables() {
		if n := localName(tr); n != "" {
			if v, ok := c.locals[n]; ok {
				m[n] = v
			}
		}
	}
	return cty.ObjectVal(m)
}

func localName(tr hcl.Traversal) string {
	if len(tr) >= 2 && tr.RootName() == "local" {
		if a, ok := tr[1].(hcl.TraverseAttr); ok {
			return a.Name
		}
	}
	return ""
}

// refAddress is the resource, data source or ephemeral resource a
// reference names: "aws_vpc.web" of aws_vpc.web.id, "data.T.N" of
// data.T.N.id, "ephemeral.T.N" of ephemeral.T.N.value; "" for anything
// else.
func refAddress(parts []string) string {
	switch {
	case len(parts) >= 3 && (parts[0] == "data" || parts[0] == "ephemeral"):
		return strings.Join(parts[:3], ".")
	case len(parts) >= 2 && !scopes[parts[0]]:
		return parts[0] + "." + parts[1]
	}
	return ""
}

func traversalNames(tr hcl.Traversal) []string {
	var parts []string
	for _, s := range tr {
		switch s := s.(type) {
		case hcl.TraverseRoot:
			parts = append(parts, s.Name)
		case hcl.TraverseAttr:
			parts = append(parts, s.Name)
		default:
			return parts
		}
	}
	return parts
}

// references lists the resources e names, directly or through locals,
// each once, in the order written. A reference to a resource or data
// source not declared is an error, as in Terraform.
func (c *configReader) references(e hcl.Expression) []string {
	var out []string
	seen := map[string]bool{}
	add := func(a string) {
		if !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	for _, tr := range e.Variables() {
		if c.fx.Exceeded() {
			break // the budget is spent: nothing more is evaluated
		}
		parts := traversalNames(tr)
		if n := localName(tr); n != "" {
			for _, a := range c.localRefs[n] {
				add(a)
			}
			continue
		}
		a := refAddress(parts)
		if a == "" || !c.types[parts[0]] && parts[0] != "data" && parts[0] != "ephemeral" {
			continue // not a resource (an unknown name is hcl's error)
		}
		if _, ok := c.declared[a]; !ok {
			c.errorf(tr.SourceRange(), "reference to %s, which the configuration does not declare", a)
			continue
		}
		if parts[0] == "ephemeral" {
			continue // a secret or a connection: nothing the import follows
		}
		add(a)
	}
	return out
}

// providers records each provider configuration's region.
func (c *configReader) providers() {
	for _, b := range c.of("provider") {
		key := b.Labels[0]
		var region, project string
		for _, a := range sortedAttrs(b.Body.Attributes) {
			if a.Name != "alias" && a.Name != "region" && a.Name != "project" {
				continue
			}
			v, ds := c.eval(a.Expr, c.base)
			c.diags = append(c.diags, ds...)
			if ds.HasErrors() || !v.IsWhollyKnown() || v.IsNull() || v.Type() != cty.String {
				if a.Name == "alias" && !ds.HasErrors() {
					c.errorf(a.Expr.Range(), "alias: want a string known without Terraform")
				}
				continue
			}
			switch a.Name {
			case "alias":
				key += "." + v.AsString()
			case "region":
				region = v.AsString()
			default:
				project = v.AsString()
			}
		}
		if _, dup := c.regions[key]; dup {
			c.errorf(b.DefRange(), "provider %s is configured twice", key)
		}
		c.regions[key], c.projects[key] = region, project
	}
}

// resources evaluates each resource and the data sources the importer
// follows, in the order the files declare them.
func (c *configReader) resources() []*resource {
	var out []*resource
	for _, b := range c.blocks {
		switch b.Type {
		case "module":
			c.skipped = append(c.skipped, "module."+b.Labels[0]+": a module's resources are in its source, which import terraform does not fetch")
			continue
		case "ephemeral":
			c.skipped = append(c.skipped, "ephemeral."+b.Labels[0]+"."+b.Labels[1]+": an ephemeral resource is opened anew by each Terraform run and never stored, which only Terraform can do")
			continue
		case "resource", "data":
		default:
			continue
		}
		r := &resource{typ: b.Labels[0], name: b.Labels[1], addr: b.Labels[0] + "." + b.Labels[1], values: map[string]any{}, refs: map[string][]string{}}
		if b.Type == "data" {
			r.addr, r.data = "data."+r.addr, true
			if !followed(r.typ) {
				c.skipped = append(c.skipped, r.addr+": a data source reads what exists, which only Terraform can ask")
				continue
			}
		}
		if why := c.unevaluated(b.Body); why != "" {
			c.skipped = append(c.skipped, r.addr+": "+why)
			continue
		}
		provider := strings.SplitN(r.typ, "_", 2)[0]
		for _, a := range sortedAttrs(b.Body.Attributes) {
			switch a.Name {
			case "provider":
				provider = c.provider(a)
				continue
			case "depends_on":
				// What a data source waits for is what it finds, for the
				// peering's (peeringData).
				if r.data {
					r.refs[a.Name] = c.references(a.Expr)
				}
				continue
			}
			if refs := c.references(a.Expr); len(refs) > 0 {
				r.refs[a.Name] = refs
			}
			if v, ok := c.value(a.Expr); ok {
				r.values[a.Name] = v
			}
		}
		c.nested(b.Body, r.values)
		if r.data {
			c.filterRefs(b.Body, r)
		}
		r.region = c.regions[provider]
		switch {
		case strings.HasPrefix(r.typ, "aws_"):
			// From version 6 of the AWS provider a resource may name its
			// own Region, overriding its provider's
			// (https://registry.terraform.io/providers/hashicorp/aws/latest/docs/guides/enhanced-region-support,
			// read 2026-12).
			if reg, ok := r.values["region"].(string); ok && reg != "" {
				r.region = reg
			}
		case strings.HasPrefix(r.typ, "google_"):
			// A Google resource without its own region or project has
			// its provider's.
			for k, v := range map[string]string{"region": c.regions[provider], "project": c.projects[provider]} {
				if _, ok := r.values[k]; !ok && v != "" && b.Body.Attributes[k] == nil {
					r.values[k] = v
				}
			}
		}
		out = append(out, r)
	}
	return out
}

// unevaluated says why a resource is not read, or "".
func (c *configReader) unevaluated(body *hclsyntax.Body) string {
	for _, m := range []string{"count", "for_each"} {
		if body.Attributes[m] != nil {
			return "it uses " + m + ": its instances are known only once Terraform evaluates it"
		}
	}
	var dynamic bool
	hclsyntax.VisitAll(body, func(n hclsyntax.Node) hcl.Diagnostics {
		if b, ok := n.(*hclsyntax.Block); ok && b.Type == "dynamic" {
			dynamic = true
		}
		return nil
	})
	if dynamic {
		return "it has dynamic blocks, whose instances are known only once Terraform evaluates them"
	}
	return ""
}

// provider is the provider configuration a resource's provider argument
// names ("aws.us_east_1").
func (c *configReader) provider(a *hclsyntax.Attribute) string {
	tr, diags := hcl.AbsTraversalForExpr(a.Expr)
	if diags.HasErrors() {
		c.errorf(a.Expr.Range(), "provider: want a provider configuration such as aws.us_east_1")
		return ""
	}
	key := strings.Join(traversalNames(tr), ".")
	if _, ok := c.regions[key]; !ok && strings.Contains(key, ".") {
		c.errorf(a.Expr.Range(), "provider %s: no provider block with that alias", key)
	}
	return key
}

// value evaluates e to what terraform show -json would show, or false
// when it is not known before Terraform runs (or is null).
func (c *configReader) value(e hcl.Expression) (any, bool) {
	v, ds := c.eval(e, c.base)
	c.diags = append(c.diags, ds...)
	if ds.HasErrors() || !v.IsWhollyKnown() || v.IsNull() {
		return nil, false
	}
	return toGo(v), true
}

// nested puts a resource's nested blocks in values as the JSON shows them:
// a list of objects per block type. Terraform's own (lifecycle,
// provisioners) say nothing of the network.
func (c *configReader) nested(body *hclsyntax.Body, values map[string]any) {
	for _, b := range body.Blocks {
		switch b.Type {
		case "lifecycle", "provisioner", "connection":
			continue
		}
		m := map[string]any{}
		for _, a := range sortedAttrs(b.Body.Attributes) {
			if v, ok := c.value(a.Expr); ok {
				m[a.Name] = v
			}
		}
		c.nested(b.Body, m)
		list, _ := values[b.Type].([]any)
		values[b.Type] = append(list, m)
	}
}

// filterRefs records, for a data source, what its filter blocks'
// values refer to, under the filter's name with hyphens as underscores
// (transit-gateway-id as transit_gateway_id), the argument the importer
// looks it up by; a filter whose name is not a constant is left out.
func (c *configReader) filterRefs(body *hclsyntax.Body, r *resource) {
	for _, b := range body.Blocks {
		if b.Type != "filter" || b.Body.Attributes["name"] == nil || b.Body.Attributes["values"] == nil {
			continue
		}
		if n, ok := c.value(b.Body.Attributes["name"].Expr); ok {
			if name, ok := n.(string); ok {
				k := strings.ReplaceAll(name, "-", "_")
				for _, a := range c.references(b.Body.Attributes["values"].Expr) {
					if !slices.Contains(r.refs[k], a) {
						r.refs[k] = append(r.refs[k], a)
					}
				}
			}
		}
	}
}

// toGo converts a known value to the shapes encoding/json gives the
// importer: string, float64, bool, []any and map[string]any.
func toGo(v cty.Value) any {
	v, _ = v.Unmark()
	if v.IsNull() {
		return nil
	}
	t := v.Type()
	switch {
	case t == cty.String:
		return v.AsString()
	case t == cty.Number:
		f, _ := v.AsBigFloat().Float64()
		return f
	case t == cty.Bool:
		return v.True()
	case t.IsListType() || t.IsSetType() || t.IsTupleType():
		out := make([]any, 0, v.LengthInt())
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			out = append(out, toGo(e))
		}
		return out
	case t.IsMapType() || t.IsObjectType():
		out := map[string]any{}
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			out[k.AsString()] = toGo(e)
		}
		return out
	}
	return nil
}

// fileFunc is Terraform's file(): a UTF-8 file's text, read inside the
// configuration's directory and within the project's size limit.
func (c *configReader) fileFunc() function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			p := args[0].AsString()
			switch {
			case p == "":
				return cty.NilVal, fmt.Errorf("file: an empty path")
			case path.IsAbs(p) || filepath.IsAbs(p) || len(p) > 1 && p[1] == ':' || strings.Contains(p, `\`):
				return cty.NilVal, fmt.Errorf("file %q: refused: import terraform reads files inside the configuration's directory, by a relative path with /", p)
			}
			name := path.Clean(p)
			if name == ".." || strings.HasPrefix(name, "../") {
				return cty.NilVal, fmt.Errorf("file %q: refused: it leads outside the configuration's directory", p)
			}
			data, err := c.root.Read(name)
			if err != nil {
				return cty.NilVal, fmt.Errorf("file %q: %v", p, err)
			}
			if !utf8.Valid(data) {
				return cty.NilVal, fmt.Errorf("file %q: not UTF-8 text", p)
			}
			return cty.StringVal(string(data)), nil
		},
	})
}

// eval evaluates e; a failed function call says what failed in its
// summary, since hcl's is only "Error in function call".
func (c *configReader) eval(e hcl.Expression, ctx *hcl.EvalContext) (cty.Value, lang.Diagnostics) {
	if c.fx.Exceeded() {
		return cty.DynamicVal, nil // reported once, where it was spent
	}
	v, ds := c.fx.Value(e, ctx)
	for i, d := range ds {
		if d.Summary == "Error in function call" && d.Detail != "" {
			msg := d.Detail
			if _, after, ok := strings.Cut(msg, " failed: "); ok && strings.HasPrefix(msg, "Call to function ") {
				msg = after
			}
			ds[i].Summary, ds[i].Detail = strings.TrimSuffix(msg, "."), ""
		}
	}
	return v, ds
}
