package sim

import (
	"fmt"
	"time"

	"patchbay/lang"
	"patchbay/planner"
)

// TraceAt runs a scenario until at and traces a packet from one network to
// another through the forwarding state of that moment: what has failed,
// what BFD, MKA and BGP have noticed, what BGP has learned. The result has
// the planner's form, so `patchbay trace` prints both alike. Flow 0 follows
// every equal-cost branch; otherwise one hashed path.
func TraceAt(p *planner.Plan, sc *lang.Scenario, opts Options, at time.Duration, from, to lang.Ref, o planner.TraceOptions) (*planner.TraceResult, error) {
	if at < 0 || at > sc.Duration {
		return nil, fmt.Errorf("--at %s is outside scenario %s, which runs for %s", at, sc.Name, sc.Duration)
	}
	s, err := start(p, sc, opts)
	if err != nil {
		return nil, err
	}
	if err := s.runUntil(at); err != nil {
		return nil, err
	}
	src, ok := s.n.Endpoints[from.String()]
	if !ok {
		return nil, fmt.Errorf("%s is not a network of the design", from)
	}
	dst, ok := s.n.Endpoints[to.String()]
	if !ok {
		return nil, fmt.Errorf("%s is not a network of the design", to)
	}
	size := o.Size
	if size <= 0 {
		size = 64
	}
	res := &planner.TraceResult{From: from.String(), To: to.String(), Size: size}
	res.Src, res.Dst, _ = addresses(src, dst)
	for _, part := range trace(src, dst, size, o.Flow) {
		res.Paths = append(res.Paths, s.tracePath(src, res, part))
	}
	return res, nil
}

// tracePath describes one path part hop by hop, with the route each table
// matched at that moment.
func (s *sim) tracePath(src *Endpoint, res *planner.TraceResult, part pathPart) planner.TracePath {
	tp := planner.TracePath{Share: part.weight, Outcome: string(part.outcome), Where: part.where, Detail: part.detail, Hops: []planner.TraceHop{}}
	if part.outcome == SourceTooBig || part.outcome == NoAddress {
		return tp
	}
	v := src.Dev.vrfs[0]
	hopAt := func(v *VRF) planner.TraceHop {
		h := planner.TraceHop{Device: v.Dev.Name, Table: v.String()}
		if r := v.fib.lookup(res.Dst); r != nil {
			h.Route, h.Origin = r.prefix.String(), r.tag
		}
		return h
	}
	for _, i := range part.hops {
		h := hopAt(v)
		h.Link, h.NextHop, h.MTU, h.Latency = i.Link.Name, i.Peer().Dev.Name, i.Link.MTU, i.Link.Latency
		tp.Latency += i.Link.Latency
		if tp.MTU == 0 || i.Link.MTU < tp.MTU {
			tp.MTU = i.Link.MTU
		}
		tp.Hops = append(tp.Hops, h)
		if v = i.Peer().VRF; v == nil {
			return tp
		}
	}
	tp.Hops = append(tp.Hops, hopAt(v))
	return tp
}
