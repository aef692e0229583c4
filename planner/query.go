package planner

import (
	"context"
	"fmt"
	"net/netip"
)

// RoutesOf lists the routes of each of tables, in prefix order, as Routes
// does, but keeps no solution: Routes keeps every table's route for every
// prefix for later lookups, which on a design of ten thousand VPCs is a
// hundred million routes that the question about one table never needed.
// A few tables are solved each on its own, over only the tables that can
// bring it a route; more share one full solution per prefix.
func (t *Topology) RoutesOf(tables []*Table) [][]*Route {
	out, _ := t.RoutesWithin(context.Background(), tables, 0)
	return out
}

// TooManyRoutes is RoutesWithin's error when the tables hold more routes
// than it was allowed to list.
type TooManyRoutes struct {
	Max    int // the bound that was passed
	Tables int // the tables asked for
}

func (e *TooManyRoutes) Error() string {
	return fmt.Sprintf("the %d tables hold more than %d routes in all", e.Tables, e.Max)
}

// RoutesWithin is RoutesOf for a caller that holds what it lists in
// memory: it stops with *TooManyRoutes once the routes listed pass max
// (0: no bound), and with ctx's error once ctx is done. Listed per table,
// the routes cannot be written as they are solved, a prefix at a time
// across tables, and every table of a design of thousands of networks is
// tens of millions of routes: gigabytes, and minutes that nothing
// interrupted.
func (t *Topology) RoutesWithin(ctx context.Context, tables []*Table, max int) ([][]*Route, error) {
	out := make([][]*Route, len(tables))
	n := 0
	// check counts routes and looks at ctx once a prefix, or once a
	// prefix and table when the tables are solved each on its own.
	check := func(added int) error {
		if n += added; max > 0 && n > max {
			return &TooManyRoutes{Max: max, Tables: len(tables)}
		}
		return ctx.Err()
	}
	s := t.routes
	s.ready()
	if len(tables) <= 4 {
		for i, tb := range tables {
			feed := s.feeders(tb)
			for _, p := range t.Prefixes() {
				added := 0
				if r := s.solveFor(p, tb, feed); r != nil {
					out[i] = append(out[i], r)
					added = 1
				}
				if err := check(added); err != nil {
					return nil, err
				}
			}
		}
		return out, nil
	}
	for _, p := range t.Prefixes() {
		s.mu.Lock()
		_, kept := s.solved[p]
		s.mu.Unlock()
		sol := s.solve(p)
		added := 0
		for i, tb := range tables {
			if r := sol[tb.ID]; r != nil {
				out[i] = append(out[i], r)
				added++
			}
		}
		if !kept {
			s.mu.Lock()
			delete(s.solved, p)
			s.mu.Unlock()
		}
		if err := check(added); err != nil {
			return nil, err
		}
	}
	return out, nil
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
