package decl

import (
	"math"
	"net/netip"

	"go.starlark.net/starlark"

	"patchbay/stdlib"
)

// The CIDR functions are thin wrappers over stdlib, which the HCL front-end
// shares, so both languages compute the same addresses.

func prefixList(ps []netip.Prefix) starlark.Value {
	out := make([]starlark.Value, len(ps))
	for i, p := range ps {
		out[i] = starlark.String(p.String())
	}
	return starlark.NewList(out)
}

// done returns v, or the call's error if an argument or the computation failed.
func (c *call) done(v starlark.Value, p string, err error) (starlark.Value, error) {
	if err != nil && c.err == nil {
		c.fail(p, err)
	}
	if c.err != nil {
		return nil, c.err
	}
	return v, nil
}

func cidrsubnetFn(c *call) (starlark.Value, error) {
	p := c.prefix("prefix")
	nb := c.integer("newbits", 0, 0, 128)
	nn := c.integer("netnum", 0, 0, math.MaxInt64)
	if c.err != nil {
		return nil, c.err
	}
	r, err := stdlib.CIDRSubnet(p, int(nb), nn)
	return c.done(starlark.String(r.String()), "", err)
}

func cidrsubnetsFn(c *call) (starlark.Value, error) {
	p := c.prefix("prefix")
	nbs := make([]int, len(c.rest))
	for i, v := range c.rest {
		n, ok := v.(starlark.Int)
		if !ok {
			c.failf("newbits", "argument %d: want an integer, got %s", i+2, typeName(v))
			break
		}
		x, exact := n.Int64()
		if !exact || x < 0 || x > 128 {
			c.failf("newbits", "argument %d: %s is out of range (0-128)", i+2, n)
			break
		}
		nbs[i] = int(x)
	}
	if c.err != nil {
		return nil, c.err
	}
	rs, err := stdlib.CIDRSubnets(p, nbs...)
	return c.done(prefixList(rs), "", err)
}

func cidrhostFn(c *call) (starlark.Value, error) {
	p := c.prefix("prefix")
	n := c.integer("hostnum", 0, math.MinInt64, math.MaxInt64)
	if c.err != nil {
		return nil, c.err
	}
	a, err := stdlib.CIDRHost(p, n)
	return c.done(starlark.String(a.String()), "hostnum", err)
}

func cidrnetmaskFn(c *call) (starlark.Value, error) {
	p := c.prefix("prefix")
	if c.err != nil {
		return nil, c.err
	}
	m, err := stdlib.CIDRNetmask(p)
	return c.done(starlark.String(m.String()), "prefix", err)
}

func cidrsplitFn(c *call) (starlark.Value, error) {
	p := c.prefix("prefix")
	n := c.integer("n", 0, 1, 1<<16)
	if c.err != nil {
		return nil, c.err
	}
	rs, err := stdlib.CIDRSplit(p, int(n))
	return c.done(prefixList(rs), "n", err)
}

func cidrContainsFn(c *call) (starlark.Value, error) {
	outer := c.prefix("outer")
	if s := c.str("inner", ""); c.err == nil {
		if a, err := netip.ParseAddr(s); err == nil {
			return starlark.Bool(outer.Masked().Contains(a)), nil
		}
	}
	inner := c.prefix("inner")
	return c.done(starlark.Bool(stdlib.PrefixContains(outer, inner)), "", nil)
}

func cidrOverlapsFn(c *call) (starlark.Value, error) {
	a, b := c.prefix("a"), c.prefix("b")
	return c.done(starlark.Bool(stdlib.PrefixOverlaps(a, b)), "", nil)
}
