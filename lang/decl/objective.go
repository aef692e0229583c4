package decl

import (
	"errors"
	"fmt"
	"slices"

	"go.starlark.net/starlark"

	"patchbay/lang"
)

// objectiveSources names what an objective's source may be, for errors:
// "a vpc, a gcp_vpc, a site or a flow()".
var objectiveSources = lang.OrList(append(slices.Clone(networkKinds), "flow()"))

// objectiveEndpoints reads the two networks an objective is about, and its
// default name. A flow() as source brings both networks and its name, so
// a scenario's traffic and the promise about it are written once; a
// destination besides would say the same thing twice, or contradict it.
func (c *call) objectiveEndpoints() (src, dst *Resource, name string) {
	v := c.get("source")
	if s, ok := v.(*spec); ok && s.typ == specFlow {
		f := s.payload.(lang.Flow)
		if c.has("destination") {
			c.failHint("destination", fmt.Errorf("source is a flow(), which already runs from %s to %s", f.From, f.To),
				"leave destination out, or give two networks: objective(source, destination, …)")
			return nil, nil, ""
		}
		src, _ := s.attrs.get("source")
		dst, _ := s.attrs.get("destination")
		return src.(*Resource), dst.(*Resource), f.Name
	}
	if r, ok := v.(*Resource); v != nil && (!ok || !slices.Contains(networkKinds, r.res.Ref().Kind)) {
		c.failf("source", "want %s, got %s", objectiveSources, typeName(v))
		return nil, nil, ""
	}
	if c.err == nil && !c.has("destination") {
		c.failHint("destination", fmt.Errorf("missing required argument (%s)", c.fn.param("destination").typ),
			"only a flow() as source brings its own destination")
		return nil, nil, ""
	}
	src, dst = c.endpoints()
	if c.err != nil {
		return nil, nil, ""
	}
	return src, dst, src.res.Ref().Name + "->" + dst.res.Ref().Name
}

func objectiveFn(c *call) (starlark.Value, error) {
	src, dst, name := c.objectiveEndpoints()
	o := &lang.Objective{}
	hasBlackout, hasBandwidth := c.has("max_blackout"), c.has("min_bandwidth")
	if hasBlackout {
		o.MaxBlackout = c.duration("max_blackout", 0) // never negative: ParseDuration refuses a sign
		o.NoBlackout = o.MaxBlackout == 0
	}
	if hasBandwidth {
		o.MinBandwidth = c.bandwidth("min_bandwidth") // never 0: ParseBandwidth refuses it
	}
	if c.err == nil && !hasBlackout && !hasBandwidth {
		c.failHint("", errors.New("give max_blackout, min_bandwidth or both: an objective without a bound holds whatever fails"),
			`max_blackout = "1s" bounds the time without delivery (detection and convergence); min_bandwidth = "4Gbps" what is left once routing settles`)
	}
	if c.has("name") {
		name = c.label("name")
	}
	if c.err != nil {
		return nil, c.err
	}
	o.Meta = c.meta(name)
	o.From, o.To = src.res.Ref(), dst.res.Ref()
	blackout, bandwidth := starlark.Value(starlark.None), starlark.Value(starlark.None)
	if hasBlackout {
		blackout = durationValue(o.MaxBlackout)
	}
	if hasBandwidth {
		bandwidth = starlark.String(o.MinBandwidth.String())
	}
	return c.b.add(o, attrs{
		{"source", src}, {"destination", dst}, {"max_blackout", blackout}, {"min_bandwidth", bandwidth},
	})
}
