package planner

import (
	"net/netip"
)

// RoutesOf lists the routes of each of tables, in prefix order, as Routes
// does, but keeps no solution: Routes keeps every table's route for every
// prefix for later lookups, which on a design of ten thousand VPCs is a
// hundred million routes that the question about one table never needed.
// A few tables are solved each on its own, over only the tables that can
// bring it a route; more share one full solution per prefix.
func (t *Topology) RoutesOf(tables []*Table) [][]*Route {
	out := make([][]*Route, len(tables))
	s := t.routes
	s.ready()
	if len(tables) <= 4 {
		for i, tb := range tables {
			feed := s.feeders(tb)
			for _, p := range t.Prefixes() {
				if r := s.solveFor(p, tb, feed); r != nil {
					out[i] = append(out[i], r)
				}
			}
		}
		return out
	}
	for _, p := range t.Prefixes() {
		s.mu.Lock()
		_, kept := s.solved[p]
		s.mu.Unlock()
		sol := s.solve(p)
		for i, tb := range tables {
			if r := sol[tb.ID]; r != nil {
				out[i] = append(out[i], r)
			}
		}
		if !kept {
			s.mu.Lock()
			delete(s.solved, p)
			s.mu.Unlock()
		}
	}
	return out
}

// stub reports whether v learns only from one other device and passes
// routes only back to it, over interfaces, as a VPC attached to one
// Transit Gateway does. What v learns has crossed that device, which
// takes no route back, so v matters to others only for the routes it
// originates.
func stub(v *Table) bool {
	var d *Device
	for _, rs := range [][]*Relation{v.in, v.out} {
		for _, a := range rs {
			other := a.From
			if other == v {
				other = a.To
			}
			if a.Via == nil || other.Device == v.Device || (d != nil && other.Device != d) {
				return false
			}
			d = other.Device
		}
	}
	return true
}

// feeders are the tables a route to tb may pass through: tb and every
// table with relations leading to it, except stubs.
func (s *solver) feeders(tb *Table) map[int]bool {
	seen := map[int]bool{tb.ID: true}
	queue := []*Table{tb}
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		for _, a := range v.in {
			if !seen[a.From.ID] && !stub(a.From) {
				seen[a.From.ID] = true
				queue = append(queue, a.From)
			}
		}
	}
	return seen
}

// solveFor is solve's propagation confined to the feeders of tb and the
// stubs that originate p, returning tb's best route for exactly p.
func (s *solver) solveFor(p netip.Prefix, tb *Table, feed map[int]bool) *Route {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m, ok := s.solved[p]; ok {
		return m[tb.ID]
	}
	in := func(v *Table) bool { return feed[v.ID] }
	var origins []*Table
	for _, st := range s.staticsBy[p] {
		if in(st.Table) || stub(st.Table) {
			origins = append(origins, st.Table)
		}
	}
	for _, r := range s.originators[p] {
		if in(r.To) {
			origins = append(origins, r.To)
		}
	}
	if len(origins) == 0 {
		return nil
	}
	part := map[int]bool{}
	for _, v := range origins {
		part[v.ID] = true
	}
	return s.propagate(p, origins, func(v *Table) bool { return in(v) || part[v.ID] })[tb.ID]
}
