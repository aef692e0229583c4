package starlark

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
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
	fn     *builtin
	thread *starlark.Thread
	b      *builder
	vals   map[string]starlark.Value
	rest   starlark.Tuple // variadic arguments
}

// argError says which parameter was wrong, so the error can point at the
// argument in the source rather than only at the call.
type argError struct {
	fn, param string
	index     int // position among the call's arguments when passed positionally, else -1
	err       error
	hint      string
}

func (e *argError) Error() string {
	if e.param == "" {
		return fmt.Sprintf("%s: %v", e.fn, e.err)
	}
	return fmt.Sprintf("%s: %s: %v", e.fn, e.param, e.err)
}

func (e *argError) Unwrap() error { return e.err }

// hinted lets a builtin attach a fix to an error that is not about one argument.
type hinted struct {
	err  error
	hint string
}

func (h *hinted) Error() string { return h.err.Error() }
func (h *hinted) Unwrap() error { return h.err }

func (fn *builtin) paramNames() []string {
	out := make([]string, len(fn.params))
	for i, p := range fn.params {
		out[i] = p.name
	}
	return out
}

// bind matches arguments to parameters: positional in order, then keywords.
// An unknown keyword names the nearest valid one.
func (fn *builtin) bind(thread *starlark.Thread, b *builder, args starlark.Tuple, kwargs []starlark.Tuple) (*call, error) {
	c := &call{fn: fn, thread: thread, b: b, vals: make(map[string]starlark.Value, len(fn.params))}
	for i, a := range args {
		if i < len(fn.params) && fn.params[i].variadic {
			c.rest = args[i:]
			break
		}
		if i >= len(fn.params) {
			return nil, &argError{fn: fn.name, index: i, err: fmt.Errorf("takes at most %d positional arguments, got %d", len(fn.params), len(args))}
		}
		c.vals[fn.params[i].name] = a
	}
	for _, kv := range kwargs {
		k := string(kv[0].(starlark.String))
		p := fn.param(k)
		if p == nil || p.variadic {
			e := &argError{fn: fn.name, param: k, index: -1, err: fmt.Errorf("unknown keyword argument %q", k)}
			if near := lang.Nearest(k, fn.paramNames()); near != "" {
				e.hint = fmt.Sprintf("did you mean %q?", near)
			} else {
				e.hint = "valid keywords: " + strings.Join(fn.paramNames(), ", ")
			}
			return nil, e
		}
		if _, dup := c.vals[k]; dup {
			return nil, &argError{fn: fn.name, param: k, index: -1, err: fmt.Errorf("got multiple values")}
		}
		c.vals[k] = kv[1]
	}
	for _, p := range fn.params {
		// None stands for "not given", so it cannot satisfy a required parameter.
		if v, ok := c.vals[p.name]; p.required && (!ok || v == starlark.None) {
			return nil, &argError{fn: fn.name, param: p.name, index: -1, err: fmt.Errorf("missing required argument (%s)", p.typ)}
		}
	}
	return c, nil
}

func (fn *builtin) param(name string) *param {
	for i := range fn.params {
		if fn.params[i].name == name {
			return &fn.params[i]
		}
	}
	return nil
}

// fail wraps err as an error about parameter p.
func (c *call) fail(p string, err error) error {
	return &argError{fn: c.fn.name, param: p, index: c.index(p), err: err}
}

func (c *call) failf(p, format string, args ...any) error {
	return c.fail(p, fmt.Errorf(format, args...))
}

// get returns the argument for p, or nil when it was not given or None.
func (c *call) get(p string) starlark.Value {
	v, ok := c.vals[p]
	if !ok || v == starlark.None {
		return nil
	}
	return v
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

func (c *call) str(p, def string) (string, error) {
	v := c.get(p)
	if v == nil {
		return def, nil
	}
	s, ok := starlark.AsString(v)
	if !ok {
		return "", c.failf(p, "want a string, got %s", typeName(v))
	}
	return s, nil
}

// name is a resource name: non-empty, printable, without the separators
// references and derived names use.
func (c *call) name(p string) (string, error) {
	s, err := c.str(p, "")
	if err != nil {
		return "", err
	}
	if err := checkName(s); err != nil {
		return "", c.fail(p, err)
	}
	return s, nil
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

func (c *call) boolean(p string, def bool) (bool, error) {
	v := c.get(p)
	if v == nil {
		return def, nil
	}
	b, ok := v.(starlark.Bool)
	if !ok {
		return false, c.failf(p, "want True or False, got %s", typeName(v))
	}
	return bool(b), nil
}

func (c *call) integer(p string, def, lo, hi int64) (int64, error) {
	v := c.get(p)
	if v == nil {
		return def, nil
	}
	i, ok := v.(starlark.Int)
	if !ok {
		return 0, c.failf(p, "want an integer, got %s", typeName(v))
	}
	n, ok := i.Int64()
	if !ok || n < lo || n > hi {
		return 0, c.failf(p, "%s is out of range (%d-%d)", i, lo, hi)
	}
	return n, nil
}

func (c *call) asn(p string, def int64) (uint32, error) {
	n, err := c.integer(p, def, 1, 4294967295)
	return uint32(n), err
}

func (c *call) mtu(p string, def int64) (int, error) {
	n, err := c.integer(p, def, 576, 9216)
	return int(n), err
}

// strs accepts one string or a list/tuple of strings.
func (c *call) strs(p string) ([]string, error) {
	v := c.get(p)
	if v == nil {
		return nil, nil
	}
	if s, ok := starlark.AsString(v); ok {
		return []string{s}, nil
	}
	it, ok := v.(starlark.Indexable)
	if !ok {
		return nil, c.failf(p, "want a string or a list of strings, got %s", typeName(v))
	}
	out := make([]string, it.Len())
	for i := range out {
		s, ok := starlark.AsString(it.Index(i))
		if !ok {
			return nil, c.failf(p, "element %d: want a string, got %s", i, typeName(it.Index(i)))
		}
		out[i] = s
	}
	return out, nil
}

// prefixes accepts one CIDR or a list of CIDRs of the wanted family
// (4 or 6; 0 for either).
func (c *call) prefixes(p string, family int) ([]netip.Prefix, error) {
	ss, err := c.strs(p)
	if err != nil || ss == nil {
		return nil, err
	}
	out := make([]netip.Prefix, 0, len(ss))
	for _, s := range ss {
		pfx, err := stdlib.ParsePrefix(s)
		if err != nil {
			return nil, c.fail(p, err)
		}
		switch {
		case family == 4 && !pfx.Addr().Is4():
			return nil, c.failf(p, "%q is an IPv6 prefix; IPv6 goes in ipv6_cidr", s)
		case family == 6 && !pfx.Addr().Is6():
			return nil, c.failf(p, "%q is an IPv4 prefix; want IPv6", s)
		}
		out = append(out, pfx)
	}
	return out, nil
}

func (c *call) bandwidth(p string) (stdlib.Bandwidth, error) {
	s, err := c.str(p, "")
	if err != nil {
		return 0, err
	}
	bw, err := stdlib.ParseBandwidth(s)
	if err != nil {
		return 0, c.fail(p, err)
	}
	return bw, nil
}

func (c *call) duration(p string, def time.Duration) (time.Duration, error) {
	if !c.has(p) {
		return def, nil
	}
	s, err := c.str(p, "")
	if err != nil {
		return 0, err
	}
	d, err := stdlib.ParseDuration(s)
	if err != nil {
		return 0, c.fail(p, err)
	}
	return d, nil
}

// region checks a region code against the catalog of provider.
func (c *call) region(p, provider string) (string, error) {
	s, err := c.str(p, "")
	if err != nil {
		return "", err
	}
	cat := stdlib.Default()
	if _, ok := cat.Region(provider, s); ok {
		return s, nil
	}
	codes := cat.RegionCodes(provider)
	e := &argError{fn: c.fn.name, param: p, index: c.index(p), err: fmt.Errorf("unknown %s region %q", providerDisplay(provider), s)}
	if near := lang.Nearest(s, codes); near != "" {
		e.hint = fmt.Sprintf("did you mean %q?", near)
	} else {
		e.hint = "known regions: " + strings.Join(codes, ", ")
	}
	return "", e
}

func (c *call) index(p string) int {
	for i, q := range c.fn.params {
		if q.name == p {
			return i
		}
	}
	return -1
}

func providerDisplay(p string) string {
	switch p {
	case "aws":
		return "AWS"
	case "gcp":
		return "Google Cloud"
	}
	if pr, ok := stdlib.Default().Provider(p); ok {
		return pr.Display
	}
	return p
}

// resource returns the argument as a resource of one of kinds.
func (c *call) resource(p string, kinds ...lang.Kind) (*Resource, error) {
	v := c.get(p)
	if v == nil {
		return nil, nil
	}
	r, ok := v.(*Resource)
	if ok {
		for _, k := range kinds {
			if r.res.Ref().Kind == k {
				return r, nil
			}
		}
	}
	return nil, c.failf(p, "want %s, got %s", lang.OrList(kinds), typeName(v))
}

// list returns the argument's elements (a list or tuple), or nil.
func (c *call) list(p string) ([]starlark.Value, error) {
	v := c.get(p)
	if v == nil {
		return nil, nil
	}
	it, ok := v.(starlark.Indexable)
	if !ok {
		if _, isStr := v.(starlark.String); isStr {
			return nil, c.failf(p, "want a list, got string")
		}
		return nil, c.failf(p, "want a list, got %s", typeName(v))
	}
	out := make([]starlark.Value, it.Len())
	for i := range out {
		out[i] = it.Index(i)
	}
	return out, nil
}
