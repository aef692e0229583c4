package hcl

import (
	"fmt"
	"math/big"

	"github.com/zclconf/go-cty/cty"
	"go.starlark.net/starlark"

	"patchbay/lang"
	"patchbay/lang/decl"
)

// toCty turns a declared value's attributes into a cty object, so HCL
// expressions can read vpc.payments.cidr. A resource is an object that
// carries its id, which is how it travels back into a declaration.
func toCty(v starlark.Value) cty.Value {
	switch x := v.(type) {
	case starlark.NoneType:
		return cty.NullVal(cty.DynamicPseudoType)
	case starlark.String:
		return cty.StringVal(string(x))
	case starlark.Bool:
		return cty.BoolVal(bool(x))
	case starlark.Int:
		return cty.NumberVal(new(big.Float).SetInt(x.BigInt()))
	case starlark.Float:
		return cty.NumberFloatVal(float64(x))
	case starlark.Tuple:
		return tupleOf(x)
	case *starlark.List:
		elems := make(starlark.Tuple, x.Len())
		for i := range elems {
			elems[i] = x.Index(i)
		}
		return tupleOf(elems)
	case *decl.Resource:
		attrs := map[string]cty.Value{}
		for _, name := range x.AttrNames() {
			a, _ := x.Attr(name)
			attrs[name] = toCty(a)
		}
		return cty.ObjectVal(attrs)
	}
	return cty.NullVal(cty.DynamicPseudoType)
}

func tupleOf(xs starlark.Tuple) cty.Value {
	if len(xs) == 0 {
		return cty.EmptyTupleVal
	}
	out := make([]cty.Value, len(xs))
	for i, x := range xs {
		out[i] = toCty(x)
	}
	return cty.TupleVal(out)
}

// toStarlark turns an evaluated argument into the value a builtin takes.
// Numbers stay numbers and strings strings: there is no silent conversion,
// so `region = 3` is an error, as in Starlark.
func toStarlark(b *decl.Builder, v cty.Value) (starlark.Value, error) {
	if !v.IsKnown() {
		return nil, fmt.Errorf("value is not known")
	}
	if v.IsNull() {
		return starlark.None, nil
	}
	v, _ = v.Unmark()
	t := v.Type()
	switch {
	case t == cty.String:
		return starlark.String(v.AsString()), nil
	case t == cty.Bool:
		return starlark.Bool(v.True()), nil
	case t == cty.Number:
		bf := v.AsBigFloat()
		if bf.IsInt() {
			i, _ := bf.Int(nil)
			return starlark.MakeBigInt(i), nil
		}
		f, _ := bf.Float64()
		return starlark.Float(f), nil
	case t.IsListType() || t.IsTupleType() || t.IsSetType():
		var out starlark.Tuple
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			sv, err := toStarlark(b, e)
			if err != nil {
				return nil, err
			}
			out = append(out, sv)
		}
		return out, nil
	case t.IsObjectType() || t.IsMapType():
		if r, ok := resourceOf(b, v); ok {
			return r, nil
		}
		return nil, fmt.Errorf("want a resource reference, a string, a number, a bool or a list, got an object")
	}
	return nil, fmt.Errorf("unsupported value of type %s", t.FriendlyName())
}

// resourceOf recognises a resource object by its id attribute.
func resourceOf(b *decl.Builder, v cty.Value) (*decl.Resource, bool) {
	if !v.Type().IsObjectType() || !v.Type().HasAttribute("id") {
		return nil, false
	}
	id := v.GetAttr("id")
	if !id.IsKnown() || id.IsNull() || id.Type() != cty.String {
		return nil, false
	}
	var ref lang.Ref
	if err := ref.UnmarshalText([]byte(id.AsString())); err != nil {
		return nil, false
	}
	return b.Value(ref)
}
