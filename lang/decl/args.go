package decl

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"go.starlark.net/starlark"

	"patchbay/lang"
	"patchbay/stdlib"
)

// param documents and binds one parameter of a builtin. The same table
// drives argument checking and `patchbay doc`, so they cannot disagree.
type param struct {
	name     string
	typ      string // for people: "string", "cidr or list of cidr", "dx_gateway | transit_gateway" ...
	required bool
	def      string // default, as shown by doc
	doc      string
	variadic bool // takes the remaining positional arguments
}

// builtin is one function scripts can call.
type builtin struct {
	name    string
	summary string
	returns string
	params  []param
	impl    func(c *call) (starlark.Value, error)
}

// call is one invocation of a builtin: its arguments bound to parameters.
type call struct {
	fn *builtin
	at lang.Range
	b  *Builder
	// vals holds the arguments by parameter index, nil where not given:
	// a builtin is called once per declaration, and a map per call was
	// most of what binding cost.
	vals [maxParams]starlark.Value
	rest starlark.Tuple // variadic arguments

	// err is the first argument error. Getters do nothing once it is set,
	// so a builtin reads all its arguments and checks err once, the way
	// bufio.Scanner reports errors.
	err error
}

// ArgError says which parameter was wrong, so a front-end can point at the
// argument in the source rather than only at the call.
type ArgError struct {
	Fn, Param string
	Index     int // position among the call's arguments, for positional ones; else -1
	Err       error
	Hint      string
	unknown   bool
}

func (e *ArgError) Error() string {
	if e.Param == "" {
		return fmt.Sprintf("%s: %v", e.Fn, e.Err)
	}
	return fmt.Sprintf("%s: %s: %v", e.Fn, e.Param, e.Err)
}

func (e *ArgError) Unwrap() error { return e.Err }

// UnknownKeyword reports whether the error is about an argument name
// rather than its value.
func (e *ArgError) UnknownKeyword() bool { return e.unknown }

// Hinted attaches a fix to an error that is not about one argument.
type Hinted struct {
	Err  error
	Hint string
}

func (h *Hinted) Error() string { return h.Err.Error() }
func (h *Hinted) Unwrap() error { return h.Err }

func (fn *builtin) paramNames() []string {
	out := make([]string, len(fn.params))
	for i, p := range fn.params {
		out[i] = p.name
	}
	return out
}

// bind matches arguments to parameters: positional in order, then keywords.
// An unknown keyword names the nearest valid one.
func (fn *builtin) bind(c *call, args starlark.Tuple, kwargs []starlark.Tuple) error {
	for i, a := range args {
		if i < len(fn.params) && fn.params[i].variadic {
			c.rest = args[i:]
			break
		}
		if i >= len(fn.params) {
			return &ArgError{Fn: fn.name, Index: i, Err: fmt.Errorf("takes at most %d positional arguments, got %d", len(fn.params), len(args))}
		}
		c.vals[i] = a
	}
	for _, kv := range kwargs {
		k := string(kv[0].(starlark.String))
		i := fn.index(k)
		if i < 0 || fn.params[i].variadic {
			e := &ArgError{Fn: fn.name, Param: k, Index: -1, Err: fmt.Errorf("unknown keyword argument %q", k), unknown: true}
			if near := lang.Nearest(k, fn.paramNames()); near != "" {
				e.Hint = fmt.Sprintf("did you mean %q?", near)
			} else {
				e.Hint = "valid keywords: " + strings.Join(fn.paramNames(), ", ")
			}
			return e
		}
		if c.vals[i] != nil {
			return &ArgError{Fn: fn.name, Param: k, Index: -1, Err: fmt.Errorf("got multiple values")}
		}
		c.vals[i] = kv[1]
	}
	for i, p := range fn.params {
		// None stands for "not given", so it cannot satisfy a required parameter.
		if v := c.vals[i]; p.required && (v == nil || v == starlark.None) {
			return &ArgError{Fn: fn.name, Param: p.name, Index: -1, Err: fmt.Errorf("missing required argument (%s)", p.typ)}
		}
	}
	return nil
}

// maxParams is the most parameters a builtin has (interconnect's).
const maxParams = 11

// index is the position of the parameter named name, or -1.
func (fn *builtin) index(name string) int {
	for i := range fn.params {
		if fn.params[i].name == name {
			return i
		}
	}
	return -1
}

func (fn *builtin) param(name string) *param { return &fn.params[fn.index(name)] }

// setErr records the first error of the call.
func (c *call) setErr(err error) {
	if c.err == nil {
		c.err = err
	}
}

// fail records err as an error about parameter p.
func (c *call) fail(p string, err error) {
	c.setErr(&ArgError{Fn: c.fn.name, Param: p, Index: c.index(p), Err: err})
}

func (c *call) failf(p, format string, args ...any) {
	c.fail(p, fmt.Errorf(format, args...))
}

// failHint records an error about parameter p with a suggested fix.
func (c *call) failHint(p string, err error, hint string) {
	c.setErr(&ArgError{Fn: c.fn.name, Param: p, Index: c.index(p), Err: err, Hint: hint})
}

func (c *call) index(p string) int { return c.fn.index(p) }

// get returns the argument for p, or nil when it was not given, was None,
// or an earlier argument failed.
func (c *call) get(p string) starlark.Value {
	if c.err != nil {
		return nil
	}
	i := c.fn.index(p)
	if i < 0 {
		return nil
	}
	if v := c.vals[i]; v != starlark.None {
		return v
	}
	return nil
}

func (c *call) has(p string) bool { return c.get(p) != nil }

func typeName(v starlark.Value) string {
	if v == nil {
		return "None"
	}
	if r, ok := v.(*Resource); ok {
		return fmt.Sprintf("%s %q", r.res.Ref().Kind, r.res.Ref().Name)
	}
	return v.Type()
}

func (c *call) str(p, def string) string {
	v := c.get(p)
	if v == nil {
		return def
	}
	s, ok := starlark.AsString(v)
	if !ok {
		c.failf(p, "want a string, got %s", typeName(v))
	}
	return s
}

// name is a resource name: letters, digits, '-' and '_', so that it never
// collides with the separators references and derived names use.
func (c *call) name(p string) string {
	s := c.str(p, "")
	if c.err == nil {
		if err := checkName(s); err != nil {
			c.fail(p, err)
		}
	}
	return s
}

func checkName(s string) error {
	if s == "" {
		return errors.New("must not be empty")
	}
	if len(s) > 128 {
		return fmt.Errorf("%q is longer than 128 characters", s[:32]+"…")
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return fmt.Errorf("%q: use letters, digits, '-' and '_' only", s)
		}
	}
	return nil
}

func (c *call) boolean(p string, def bool) bool {
	v := c.get(p)
	if v == nil {
		return def
	}
	b, ok := v.(starlark.Bool)
	if !ok {
		c.failf(p, "want True or False, got %s", typeName(v))
	}
	return bool(b)
}

func (c *call) integer(p string, def, lo, hi int64) int64 {
	v := c.get(p)
	if v == nil {
		return def
	}
	i, ok := v.(starlark.Int)
	if !ok {
		c.failf(p, "want an integer, got %s", typeName(v))
		return def
	}
	n, ok := i.Int64()
	if !ok || n < lo || n > hi {
		c.failf(p, "%s is out of range (%d-%d)", i, lo, hi)
	}
	return n
}

func (c *call) asn(p string, def int64) uint32 {
	return uint32(c.integer(p, def, 1, 4294967295))
}

func (c *call) mtu(p string, def int64) int {
	return int(c.integer(p, def, 576, 9216))
}

// strs accepts one string or a list/tuple of strings.
func (c *call) strs(p string) []string {
	v := c.get(p)
	if v == nil {
		return nil
	}
	if s, ok := starlark.AsString(v); ok {
		return []string{s}
	}
	it, ok := v.(starlark.Indexable)
	if !ok {
		c.failf(p, "want a string or a list of strings, got %s", typeName(v))
		return nil
	}
	out := make([]string, it.Len())
	for i := range out {
		s, ok := starlark.AsString(it.Index(i))
		if !ok {
			c.failf(p, "element %d: want a string, got %s", i, typeName(it.Index(i)))
			return nil
		}
		out[i] = s
	}
	return out
}

// prefixes accepts one CIDR or a list of CIDRs of the wanted family
// (4 or 6; 0 for either).
func (c *call) prefixes(p string, family int) []netip.Prefix {
	ss := c.strs(p)
	if ss == nil {
		return nil
	}
	out := make([]netip.Prefix, 0, len(ss))
	for _, s := range ss {
		pfx, err := stdlib.ParsePrefix(s)
		switch {
		case err != nil:
			c.fail(p, err)
		case family == 4 && !pfx.Addr().Is4():
			c.failf(p, "%q is an IPv6 prefix; IPv6 goes in ipv6_cidr", s)
		case family == 6 && !pfx.Addr().Is6():
			c.failf(p, "%q is an IPv4 prefix; want IPv6", s)
		}
		out = append(out, pfx)
	}
	return out
}

func (c *call) prefix(p string) netip.Prefix {
	s := c.str(p, "")
	if c.err != nil {
		return netip.Prefix{}
	}
	pfx, err := stdlib.ParsePrefix(s)
	if err != nil {
		c.fail(p, err)
	}
	return pfx
}

func (c *call) bandwidth(p string) stdlib.Bandwidth {
	s := c.str(p, "")
	if c.err != nil {
		return 0
	}
	bw, err := stdlib.ParseBandwidth(s)
	if err != nil {
		c.fail(p, err)
	}
	return bw
}

func (c *call) duration(p string, def time.Duration) time.Duration {
	if !c.has(p) {
		return def
	}
	d, err := stdlib.ParseDuration(c.str(p, ""))
	if err != nil && c.err == nil {
		c.fail(p, err)
	}
	return d
}

// oneOf checks a name against a catalog list, suggesting the nearest.
func (c *call) oneOf(p, what, s string, known []string) {
	if c.err != nil || slices.Contains(known, s) {
		return
	}
	noun := what[strings.LastIndex(what, " ")+1:] // "Google Cloud region" lists "regions"
	hint := "known " + noun + "s: " + strings.Join(known, ", ")
	if near := lang.Nearest(s, known); near != "" {
		hint = fmt.Sprintf("did you mean %q?", near)
	}
	c.failHint(p, fmt.Errorf("unknown %s %q", what, s), hint)
}

// region checks a region code against the catalog of provider.
func (c *call) region(p, provider string) string {
	s := c.str(p, "")
	if c.err == nil && slices.Contains(regionCodes()[provider], s) {
		return s // the common case, without building the message's noun
	}
	c.oneOf(p, providerDisplay(provider)+" region", s, regionCodes()[provider])
	return s
}

// regionCodes is the catalog's region codes by provider, listed once:
// every network and gateway checks its region.
var regionCodes = sync.OnceValue(func() map[string][]string {
	out := map[string][]string{}
	for _, r := range stdlib.Default().Regions {
		out[r.Provider] = append(out[r.Provider], r.Code)
	}
	return out
})

func providerDisplay(p string) string {
	if p == "aws" {
		return "AWS"
	}
	if pr, ok := stdlib.Default().Provider(p); ok {
		return pr.Display
	}
	return p
}

// resource returns the argument as a resource of one of kinds.
func (c *call) resource(p string, kinds ...lang.Kind) *Resource {
	v := c.get(p)
	if v == nil {
		return nil
	}
	if r, ok := v.(*Resource); ok && slices.Contains(kinds, r.res.Ref().Kind) {
		return r
	}
	c.failf(p, "want %s, got %s", lang.OrList(kinds), typeName(v))
	return nil
}

// refOf is the reference of an optional resource argument.
func refOf(r *Resource) lang.Ref {
	if r == nil {
		return lang.Ref{}
	}
	return r.res.Ref()
}

// list returns the argument's elements (a list or tuple), or nil.
func (c *call) list(p string) []starlark.Value {
	it := c.indexable(p)
	if it == nil {
		return nil
	}
	out := make([]starlark.Value, it.Len())
	for i := range out {
		out[i] = it.Index(i)
	}
	return out
}

// indexable is a list argument (a list or tuple) as it is, or nil.
func (c *call) indexable(p string) starlark.Indexable {
	v := c.get(p)
	if v == nil {
		return nil
	}
	it, ok := v.(starlark.Indexable)
	if _, isStr := v.(starlark.String); !ok || isStr {
		c.failf(p, "want a list, got %s", typeName(v))
		return nil
	}
	return it
}

// specs unpacks a list of values made by one configuring builtin (edge(),
// segment(), share() …) into their Go forms.
func specs[T any](c *call, p, want string, types ...string) []T {
	it := c.indexable(p)
	if it == nil || it.Len() == 0 {
		return nil
	}
	out := make([]T, 0, it.Len())
	for i := range it.Len() {
		v := it.Index(i)
		s, ok := v.(*spec)
		if !ok || !slices.Contains(types, s.typ) {
			c.failf(p, "element %d: want %s, got %s", i, want, typeName(v))
			return nil
		}
		out = append(out, s.payload.(T))
	}
	return out
}

// refs unpacks a list of resources of the given kinds.
func (c *call) refs(p string, kinds ...lang.Kind) []lang.Ref {
	var out []lang.Ref
	for i, v := range c.list(p) {
		r, ok := v.(*Resource)
		if !ok || !slices.Contains(kinds, r.res.Ref().Kind) {
			c.failf(p, "element %d: want %s, got %s", i, lang.OrList(kinds), typeName(v))
			return nil
		}
		out = append(out, r.res.Ref())
	}
	return out
}
