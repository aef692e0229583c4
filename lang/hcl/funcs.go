package hcl

import (
	"math/big"
	"strings"

	"github.com/hashicorp/hcl/v2/ext/tryfunc"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"

	pstdlib "patchbay/stdlib"
)

// functions is what expressions may call: go-cty's standard library under
// Terraform's names, and the CIDR functions on the same Go code the
// Starlark builtins use. Nothing reads files, clocks or randomness.
var functions = map[string]function.Function{
	"abs": stdlib.AbsoluteFunc, "ceil": stdlib.CeilFunc, "floor": stdlib.FloorFunc, "log": stdlib.LogFunc,
	"max": stdlib.MaxFunc, "min": stdlib.MinFunc, "parseint": stdlib.ParseIntFunc, "pow": stdlib.PowFunc,
	"signum": stdlib.SignumFunc,

	"chomp": stdlib.ChompFunc, "format": stdlib.FormatFunc, "formatlist": stdlib.FormatListFunc,
	"indent": stdlib.IndentFunc, "join": stdlib.JoinFunc, "lower": stdlib.LowerFunc, "regex": stdlib.RegexFunc,
	"regexall": stdlib.RegexAllFunc, "replace": stdlib.ReplaceFunc, "split": stdlib.SplitFunc,
	"strrev": stdlib.ReverseFunc, "substr": stdlib.SubstrFunc, "title": stdlib.TitleFunc, "trim": stdlib.TrimFunc,
	"trimprefix": stdlib.TrimPrefixFunc, "trimspace": stdlib.TrimSpaceFunc, "trimsuffix": stdlib.TrimSuffixFunc,
	"upper": stdlib.UpperFunc,

	"chunklist": stdlib.ChunklistFunc, "coalesce": stdlib.CoalesceFunc, "coalescelist": stdlib.CoalesceListFunc,
	"compact": stdlib.CompactFunc, "concat": stdlib.ConcatFunc, "contains": stdlib.ContainsFunc,
	"distinct": stdlib.DistinctFunc, "element": stdlib.ElementFunc, "flatten": stdlib.FlattenFunc,
	"index": stdlib.IndexFunc, "keys": stdlib.KeysFunc, "length": stdlib.LengthFunc, "lookup": stdlib.LookupFunc,
	"merge": stdlib.MergeFunc, "range": stdlib.RangeFunc, "reverse": stdlib.ReverseListFunc,
	"setintersection": stdlib.SetIntersectionFunc, "setproduct": stdlib.SetProductFunc,
	"setsubtract": stdlib.SetSubtractFunc, "setunion": stdlib.SetUnionFunc, "slice": stdlib.SliceFunc,
	"sort": stdlib.SortFunc, "values": stdlib.ValuesFunc, "zipmap": stdlib.ZipmapFunc,

	"csvdecode": stdlib.CSVDecodeFunc, "jsondecode": stdlib.JSONDecodeFunc, "jsonencode": stdlib.JSONEncodeFunc,

	"tobool": stdlib.MakeToFunc(cty.Bool), "tonumber": stdlib.MakeToFunc(cty.Number),
	"tostring": stdlib.MakeToFunc(cty.String), "tolist": stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)),
	"toset": stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)), "tomap": stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)),

	"startswith":  stringTest(strings.HasPrefix),
	"endswith":    stringTest(strings.HasSuffix),
	"strcontains": stringTest(strings.Contains),
	"can":         tryfunc.CanFunc,
	"try":         tryfunc.TryFunc,

	"cidrsubnet":  cidrSubnetFunc,
	"cidrsubnets": cidrSubnetsFunc,
	"cidrhost":    cidrHostFunc,
	"cidrnetmask": cidrNetmaskFunc,
}

// stringTest makes a two-string predicate such as startswith.
func stringTest(test func(s, part string) bool) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "string", Type: cty.String}, {Name: "part", Type: cty.String}},
		Type:   function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			return cty.BoolVal(test(args[0].AsString(), args[1].AsString())), nil
		},
	})
}

func intArg(v cty.Value, what string) (int64, error) {
	bf := v.AsBigFloat()
	if !bf.IsInt() {
		return 0, function.NewArgErrorf(0, "%s must be a whole number", what)
	}
	n, acc := bf.Int64()
	if acc != big.Exact {
		return 0, function.NewArgErrorf(0, "%s is out of range", what)
	}
	return n, nil
}

var cidrSubnetFunc = function.New(&function.Spec{
	Description: "The netnum-th subnet of prefix, newbits longer.",
	Params: []function.Parameter{
		{Name: "prefix", Type: cty.String},
		{Name: "newbits", Type: cty.Number},
		{Name: "netnum", Type: cty.Number},
	},
	Type: function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		p, err := pstdlib.ParsePrefix(args[0].AsString())
		if err != nil {
			return cty.NilVal, function.NewArgError(0, err)
		}
		nb, err := intArg(args[1], "newbits")
		if err != nil {
			return cty.NilVal, function.NewArgError(1, err)
		}
		nn, err := intArg(args[2], "netnum")
		if err != nil {
			return cty.NilVal, function.NewArgError(2, err)
		}
		if nb < 0 || nb > 128 {
			return cty.NilVal, function.NewArgErrorf(1, "newbits %d is out of range (0-128)", nb)
		}
		r, err := pstdlib.CIDRSubnet(p, int(nb), nn)
		if err != nil {
			return cty.NilVal, err
		}
		return cty.StringVal(r.String()), nil
	},
})

var cidrSubnetsFunc = function.New(&function.Spec{
	Description: "Consecutive subnets of prefix, one per newbits value, each aligned.",
	Params:      []function.Parameter{{Name: "prefix", Type: cty.String}},
	VarParam:    &function.Parameter{Name: "newbits", Type: cty.Number},
	Type:        function.StaticReturnType(cty.List(cty.String)),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		p, err := pstdlib.ParsePrefix(args[0].AsString())
		if err != nil {
			return cty.NilVal, function.NewArgError(0, err)
		}
		nbs := make([]int, len(args)-1)
		for i, a := range args[1:] {
			n, err := intArg(a, "newbits")
			if err != nil || n < 0 || n > 128 {
				return cty.NilVal, function.NewArgErrorf(i+1, "newbits must be a whole number 0-128")
			}
			nbs[i] = int(n)
		}
		rs, err := pstdlib.CIDRSubnets(p, nbs...)
		if err != nil {
			return cty.NilVal, err
		}
		if len(rs) == 0 {
			return cty.ListValEmpty(cty.String), nil
		}
		out := make([]cty.Value, len(rs))
		for i, r := range rs {
			out[i] = cty.StringVal(r.String())
		}
		return cty.ListVal(out), nil
	},
})

var cidrHostFunc = function.New(&function.Spec{
	Description: "The hostnum-th address of prefix (negative counts from the end).",
	Params:      []function.Parameter{{Name: "prefix", Type: cty.String}, {Name: "hostnum", Type: cty.Number}},
	Type:        function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		p, err := pstdlib.ParsePrefix(args[0].AsString())
		if err != nil {
			return cty.NilVal, function.NewArgError(0, err)
		}
		n, err := intArg(args[1], "hostnum")
		if err != nil {
			return cty.NilVal, function.NewArgError(1, err)
		}
		a, err := pstdlib.CIDRHost(p, n)
		if err != nil {
			return cty.NilVal, function.NewArgError(1, err)
		}
		return cty.StringVal(a.String()), nil
	},
})

var cidrNetmaskFunc = function.New(&function.Spec{
	Description: "The dotted netmask of an IPv4 prefix.",
	Params:      []function.Parameter{{Name: "prefix", Type: cty.String}},
	Type:        function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		p, err := pstdlib.ParsePrefix(args[0].AsString())
		if err != nil {
			return cty.NilVal, function.NewArgError(0, err)
		}
		m, err := pstdlib.CIDRNetmask(p)
		if err != nil {
			return cty.NilVal, function.NewArgError(0, err)
		}
		return cty.StringVal(m.String()), nil
	},
})
