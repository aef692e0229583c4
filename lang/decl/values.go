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
	attrs attrs // besides name, id and kind, which every resource has
	// made, when set, makes the attributes from the resource each time
	// they are read, instead of attrs: for the kinds designs declare by the
	// ten thousand (a VPC's attributes were a tenth of the memory a design
	// took to load), which scripts seldom read back.
	made func(b *Builder, res lang.Resource) attrs
	b    *Builder
}

var (
	_ starlark.HasAttrs = (*Resource)(nil)
	_ starlark.Value    = (*Resource)(nil)
)

func (r *Resource) String() string {
	ref := r.res.Ref()
	return fmt.Sprintf("%s(%q)", ref.Kind, ref.Name)
}
func (r *Resource) Type() string         { return string(r.res.Ref().Kind) }
func (r *Resource) Freeze()              {}
func (r *Resource) Truth() starlark.Bool { return true }
func (r *Resource) AttrNames() []string {
	return r.fields().names("name", "id", "kind")
}
func (r *Resource) Attr(name string) (starlark.Value, error) {
	// Made when asked for: most resources are never asked, and a design
	// has tens of thousands.
	switch name {
	case "name":
		return starlark.String(r.res.Ref().Name), nil
	case "id":
		return starlark.String(r.res.Ref().String()), nil
	case "kind":
		return starlark.String(r.res.Ref().Kind), nil
	}
	if v, ok := r.fields().get(name); ok {
		return v, nil
	}
	return nil, nil // the interpreter reports "has no .x field or method"
}

func (r *Resource) fields() attrs {
	if r.made != nil {
		return r.made(r.b, r.res)
	}
	return r.attrs
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
	attrs   attrs
}

var _ starlark.HasAttrs = (*spec)(nil)

func (s *spec) String() string        { return s.typ + "(…)" }
func (s *spec) Type() string          { return s.typ }
func (s *spec) Freeze()               {}
func (s *spec) Truth() starlark.Bool  { return true }
func (s *spec) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable: %s", s.typ) }
func (s *spec) AttrNames() []string   { return s.attrs.names() }
func (s *spec) Attr(name string) (starlark.Value, error) {
	v, _ := s.attrs.get(name)
	return v, nil
}

// attrs are a value's fields, each name once. A value has a handful and
// scripts make them by the ten thousand, so a slice scanned in order costs
// less than a map for each.
type attrs []attr

type attr struct {
	name string
	v    starlark.Value
}

func (a attrs) get(name string) (starlark.Value, bool) {
	for _, x := range a {
		if x.name == name {
			return x.v, true
		}
	}
	return nil, false
}

// set replaces the value of name, or adds it.
func (a *attrs) set(name string, v starlark.Value) {
	for i := range *a {
		if (*a)[i].name == name {
			(*a)[i].v = v
			return
		}
	}
	*a = append(*a, attr{name, v})
}

// names lists the fields and also, sorted, as AttrNames wants.
func (a attrs) names(also ...string) []string {
	out := make([]string, 0, len(a)+len(also))
	for _, x := range a {
		out = append(out, x.name)
	}
	for _, n := range also {
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
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

func firstOf(t starlark.Tuple) starlark.Value {
	if len(t) == 0 {
		return starlark.None
	}
	return t[0]
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
