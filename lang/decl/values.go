package decl

import (
	"fmt"
	"hash/fnv"
	"net/netip"
	"slices"

	"go.starlark.net/starlark"

	"patchbay/lang"
)

// Resource is the script-visible value of a declared resource: immutable,
// typed by kind, usable as a reference and as a dict key.
type Resource struct {
	res   lang.Resource
	attrs starlark.StringDict
}

var (
	_ starlark.HasAttrs = (*Resource)(nil)
	_ starlark.Value    = (*Resource)(nil)
)

func newResource(res lang.Resource, attrs starlark.StringDict) *Resource {
	ref := res.Ref()
	attrs["name"] = starlark.String(ref.Name)
	attrs["id"] = starlark.String(ref.String())
	attrs["kind"] = starlark.String(ref.Kind)
	return &Resource{res: res, attrs: attrs}
}

func (r *Resource) String() string {
	ref := r.res.Ref()
	return fmt.Sprintf("%s(%q)", ref.Kind, ref.Name)
}
func (r *Resource) Type() string         { return string(r.res.Ref().Kind) }
func (r *Resource) Freeze()              {}
func (r *Resource) Truth() starlark.Bool { return true }
func (r *Resource) AttrNames() []string  { return sortedKeys(r.attrs) }
func (r *Resource) Attr(name string) (starlark.Value, error) {
	if v, ok := r.attrs[name]; ok {
		return v, nil
	}
	return nil, nil // the interpreter reports "has no .x field or method"
}
func (r *Resource) Hash() (uint32, error) {
	h := fnv.New32a()
	h.Write([]byte(r.res.Ref().String()))
	return h.Sum32(), nil
}

// spec is a value that only configures another builtin: route(), edge(),
// segment(), share() … It is immutable and carries its Go form.
type spec struct {
	typ     string
	payload any
	attrs   starlark.StringDict
}

var _ starlark.HasAttrs = (*spec)(nil)

func (s *spec) String() string                           { return s.typ + "(…)" }
func (s *spec) Type() string                             { return s.typ }
func (s *spec) Freeze()                                  {}
func (s *spec) Truth() starlark.Bool                     { return true }
func (s *spec) Hash() (uint32, error)                    { return 0, fmt.Errorf("unhashable: %s", s.typ) }
func (s *spec) AttrNames() []string                      { return sortedKeys(s.attrs) }
func (s *spec) Attr(name string) (starlark.Value, error) { return s.attrs[name], nil }

func sortedKeys(d starlark.StringDict) []string {
	out := make([]string, 0, len(d))
	for k := range d {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func prefixTuple(ps []netip.Prefix) starlark.Tuple {
	t := make(starlark.Tuple, len(ps))
	for i, p := range ps {
		t[i] = starlark.String(p.String())
	}
	return t
}

func firstPrefix(ps []netip.Prefix) starlark.Value {
	if len(ps) == 0 {
		return starlark.None
	}
	return starlark.String(ps[0].String())
}

func strTuple(ss []string) starlark.Tuple {
	t := make(starlark.Tuple, len(ss))
	for i, s := range ss {
		t[i] = starlark.String(s)
	}
	return t
}

// Declared is the resource this value stands for.
func (r *Resource) Declared() lang.Resource { return r.res }
