package planner

import (
	"cmp"
	"net/netip"
	"slices"
	"sync"

	"patchbay/lang"
)

// Route is a table's best route for one prefix with every link up and every
// BGP session established: where traffic for it goes (interfaces of equal
// cost, delivered locally, or dropped), how it was learned and what
// declaration put it there.
type Route struct {
	Prefix    netip.Prefix
	Pref      int
	Path      []int32 // tables the route was learned through, origin first
	Tag       string
	NextHops  []*Iface
	Local     bool
	Blackhole bool
	Origin    string
	// ASPath counts the BGP sessions the route crossed (each adds an AS).
	ASPath int
	// Via is the relation it was learned over, nil for a static or local
	// route; Source is the declaration behind it.
	Via    *Relation
	Source lang.Range
}

// compareRoutes orders candidates for one prefix, best first: the
// administrative preference, then the BGP decision process as far as it
// differs with every session up and no policy (shortest AS path; local
// preference, origin and MED are equal), then the shorter path through the
// network. Routes equal up to there are equal-cost (ECMP).
func compareRoutes(a, b *Route) int {
	return cmp.Or(cmp.Compare(a.Pref, b.Pref), cmp.Compare(a.ASPath, b.ASPath), cmp.Compare(len(a.Path), len(b.Path)))
}

func (r *Route) same(o *Route) bool {
	return r.Pref == o.Pref && slices.Equal(r.Path, o.Path) && r.Local == o.Local && r.Blackhole == o.Blackhole &&
		r.ASPath == o.ASPath && slices.Equal(r.NextHops, o.NextHops)
}

// solver computes tables one prefix at a time, on first use: a design of
// ten thousand VPCs has a hundred million table entries, but a trace or a
// reachability check needs the few prefixes that contain its addresses.
type solver struct {
	t           *Topology
	staticsBy   map[netip.Prefix][]*Static
	originators map[netip.Prefix][]*Relation
	prefixes    map[netip.Prefix]bool
	sorted      []netip.Prefix

	mu     sync.Mutex
	solved map[netip.Prefix]map[int]*Route
}

// ready builds the indexes if they are not yet: after it, they are only read.
func (s *solver) ready() {
	s.mu.Lock()
	s.index()
	s.mu.Unlock()
}

// index builds the solver's indexes on first use: validation of a design
// without objectives, flows or monitors never needs them. Call with mu held.
func (s *solver) index() {
	if s.solved != nil {
		return
	}
	t := s.t
	statics := t.StaticRoutes()
	s.staticsBy = make(map[netip.Prefix][]*Static, len(statics))
	s.originators = map[netip.Prefix][]*Relation{}
	s.prefixes = make(map[netip.Prefix]bool, len(statics))
	s.solved = map[netip.Prefix]map[int]*Route{}
	for _, st := range statics {
		s.staticsBy[st.Prefix] = append(s.staticsBy[st.Prefix], st)
		s.prefixes[st.Prefix] = true
	}
	for _, r := range t.Relations {
		r.From.out = append(r.From.out, r)
		r.To.in = append(r.To.in, r)
		for _, p := range r.Originate {
			s.originators[p.Masked()] = append(s.originators[p.Masked()], r)
			s.prefixes[p.Masked()] = true
		}
	}
}

// Prefixes lists every prefix some table may hold, in address order.
func (t *Topology) Prefixes() []netip.Prefix {
	s := t.routes
	s.mu.Lock()
	defer s.mu.Unlock()
	s.index()
	if s.sorted == nil {
		s.sorted = make([]netip.Prefix, 0, len(s.prefixes))
		for p := range s.prefixes {
			s.sorted = append(s.sorted, p)
		}
		slices.SortFunc(s.sorted, ComparePrefixes)
	}
	return s.sorted
}

// ComparePrefixes orders prefixes by address, then length.
func ComparePrefixes(a, b netip.Prefix) int {
	return cmp.Or(a.Addr().Compare(b.Addr()), cmp.Compare(a.Bits(), b.Bits()))
}

// Route is table tb's best route for exactly prefix p, nil when it has none.
func (t *Topology) Route(tb *Table, p netip.Prefix) *Route {
	return t.routes.solve(p)[tb.ID]
}

// Routes lists table tb's routes in prefix order. It solves every prefix of
// the design on first use.
func (t *Topology) Routes(tb *Table) []*Route {
	var out []*Route
	for _, p := range t.Prefixes() {
		if r := t.routes.solve(p)[tb.ID]; r != nil {
			out = append(out, r)
		}
	}
	return out
}

// Lookup is longest-prefix match of address a in table tb.
func (t *Topology) Lookup(tb *Table, a netip.Addr) *Route {
	s := t.routes
	s.ready()
	bits := 32
	if a.Is6() {
		bits = 128
	}
	for l := bits; l >= 0; l-- {
		p, _ := a.Prefix(l)
		if !s.prefixes[p] {
			continue
		}
		if r := s.solve(p)[tb.ID]; r != nil {
			return r
		}
	}
	return nil
}

// solve computes every table's best route for p by propagation from where
// it originates (statics, networks, advertised prefixes), a worklist of
// tables whose candidates may have changed, until nothing changes.
func (s *solver) solve(p netip.Prefix) map[int]*Route {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.index()
	if m, ok := s.solved[p]; ok {
		return m
	}
	var origins []*Table
	for _, st := range s.staticsBy[p] {
		origins = append(origins, st.Table)
	}
	for _, r := range s.originators[p] {
		origins = append(origins, r.To)
	}
	next := s.propagate(p, origins, nil)
	s.solved[p] = next
	return next
}

// propagate runs the worklist from the origins of p until nothing
// changes, over the tables within allows (nil: all), and returns each
// table's best route. Call with mu held.
func (s *solver) propagate(p netip.Prefix, origins []*Table, within func(*Table) bool) map[int]*Route {
	next := map[int]*Route{}
	var queue []*Table
	queued := map[int]bool{}
	push := func(v *Table) {
		if (within == nil || within(v)) && !queued[v.ID] {
			queued[v.ID] = true
			queue = append(queue, v)
		}
	}
	for _, v := range origins {
		push(v)
	}
	slices.SortFunc(queue, func(a, b *Table) int { return a.ID - b.ID })
	for steps := 0; len(queue) > 0; steps++ {
		v := queue[0]
		queue = queue[1:]
		queued[v.ID] = false
		if steps > 64*len(s.t.Tables) {
			break // a policy that never settles; keep what there is
		}
		r := s.candidate(v, p, next)
		old := next[v.ID]
		if (r == nil) == (old == nil) && (r == nil || r.same(old)) {
			if _, seen := next[v.ID]; seen || r == nil {
				continue
			}
		}
		if r == nil {
			delete(next, v.ID)
		} else {
			next[v.ID] = r
		}
		for _, a := range v.out {
			push(a.To)
		}
	}
	return next
}

// exports reports whether r crosses relation a.
func (s *solver) exports(a *Relation, r *Route) bool {
	if r.Blackhole && !a.Blackholes {
		return false
	}
	return a.Export.Allows(r.Tag, r.Prefix, r.Path, s.t.EdgeGroups) && !slices.Contains(r.Path, int32(a.To.ID)) && len(r.Path) < MaxPathLength
}

// through reports whether a path passed through a table of d.
func (s *solver) through(path []int32, d *Device) bool {
	for _, id := range path {
		if s.t.Tables[id].Device == d {
			return true
		}
	}
	return false
}

// candidate is v's best route for p given its neighbours' routes in next.
func (s *solver) candidate(v *Table, p netip.Prefix, next map[int]*Route) *Route {
	var cands []*Route
	for _, st := range s.staticsBy[p] {
		if st.Table != v {
			continue
		}
		r := &Route{Prefix: p, Pref: st.Pref, Path: []int32{int32(v.ID)}, Tag: st.Tag, Local: st.Local, Blackhole: st.Blackhole,
			Origin: st.Origin(), Source: st.Source()}
		if !st.Local && !st.Blackhole {
			if len(st.NextHops) == 0 {
				continue
			}
			r.NextHops = st.NextHops
		}
		cands = append(cands, r)
	}
	for _, a := range v.in {
		switch {
		case a.Originate != nil:
			if slices.ContainsFunc(a.Originate, func(o netip.Prefix) bool { return o.Masked() == p }) {
				cands = append(cands, &Route{Prefix: p, Pref: a.Pref, Path: []int32{int32(a.From.ID), int32(v.ID)}, Tag: a.Tag,
					NextHops: []*Iface{a.Via}, Origin: "advertised by " + a.From.String(), Via: a, Source: a.Source})
			}
		default:
			// Between devices a route never re-enters a device it has
			// passed through, as BGP refuses its own AS in a path: so a
			// Transit Gateway does not take back through Cloud WAN what
			// its own tables sent there.
			r := next[a.From.ID]
			if r == nil || !s.exports(a, r) || (a.Via == nil && r.Local) || (a.Via != nil && !a.Redirect && s.through(r.Path, v.Device)) {
				continue
			}
			cands = append(cands, s.learned(a, r))
		}
	}
	return choose(cands)
}

// learned is the route a.To gets from r.
func (s *solver) learned(a *Relation, r *Route) *Route {
	pref := a.Pref
	if a.KeepPref {
		pref = r.Pref
	}
	nr := &Route{Prefix: r.Prefix, Pref: pref, Path: append(slices.Clip(r.Path), int32(a.To.ID)), Tag: a.Tag, Origin: r.Origin,
		ASPath: r.ASPath, Via: a, Source: a.Source}
	if a.Session != "" {
		nr.ASPath++
	}
	switch {
	case a.Via != nil:
		nr.NextHops = []*Iface{a.Via}
	case r.Blackhole:
		nr.Blackhole = true
	default:
		nr.NextHops = r.NextHops
	}
	return nr
}

// choose runs the decision process over every candidate at once, so the
// result does not depend on the order they came in; equal ones are ECMP,
// carrying the path that sorts first.
func choose(cands []*Route) *Route {
	var best *Route
	for _, r := range cands {
		if best == nil {
			best = r
			continue
		}
		switch c := compareRoutes(r, best); {
		case c < 0:
			best = r
		case c == 0 && !best.Local && !best.Blackhole && !r.Local && !r.Blackhole:
			merged := *best
			merged.NextHops = mergeIfaces(best.NextHops, r.NextHops)
			if slices.Compare(r.Path, best.Path) < 0 {
				merged.Path, merged.Tag, merged.Origin, merged.ASPath, merged.Via, merged.Source = r.Path, r.Tag, r.Origin, r.ASPath, r.Via, r.Source
			}
			best = &merged
		}
	}
	return best
}

func mergeIfaces(a, b []*Iface) []*Iface {
	out := slices.Clone(a)
	for _, i := range b {
		if !slices.Contains(out, i) {
			out = append(out, i)
		}
	}
	slices.SortFunc(out, func(x, y *Iface) int { return cmp.Compare(x.ID, y.ID) })
	return out
}
