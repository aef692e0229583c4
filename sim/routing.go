package sim

import (
	"cmp"
	"net/netip"
	"slices"
	"strings"

	"patchbay/planner"
)

// maxPathLength is the planner's bound on the tables a route may cross.
const maxPathLength = planner.MaxPathLength

// VRF is one routing table of a device.
type VRF struct {
	ID   int
	Dev  *Device
	Name string

	best map[netip.Prefix]*route
	fib  fib

	in, out []*adjacency
}

func (v *VRF) String() string {
	if v.Name == "" {
		return v.Dev.Name
	}
	return v.Dev.Name + " [" + v.Name + "]"
}

// route is a best route of a VRF: one prefix, its preference, and where
// traffic for it goes (interfaces with equal cost, or delivered locally,
// or dropped).
type route struct {
	prefix    netip.Prefix
	pref      int
	path      []int32 // VRFs the route was learned through, origin first
	tag       string
	nexthops  []*Iface
	local     bool
	blackhole bool
	origin    string    // what configured or originated it, for explanations
	attrs     *bgpAttrs // what BGP carried it with; nil when it never crossed a session
	// id is the BGP identifier of the router it was last received from
	// and peer that router's IPv4 address on the link, the final
	// tie-breaks; carried across a service's own adjacencies.
	id, peer netip.Addr
	// dx and inRegion are how a gateway learned it from a Direct Connect
	// location (adjacency.dxOf); not carried on.
	dx       int
	inRegion bool
}

// defaultLocalPref is what a route without BGP attributes compares as:
// the "medium" preference AWS gives routes without a community.
const defaultLocalPref = 200

func (r *route) localPref() uint32 {
	if r.attrs == nil {
		return defaultLocalPref
	}
	return r.attrs.localPref
}

func (r *route) asPathLen() int {
	if r.attrs == nil {
		return 0
	}
	return len(r.attrs.asPath)
}

// compareRoutes is step 3 of the planner's route selection (see
// planner.compareRoutes, whose steps this file runs with the attributes
// BGP carries): the administrative preference, the shorter AS path, the
// lower origin, then the shorter path through the network. MED is
// choose's, since it compares only within a neighbouring AS; local
// preference is the DX gateway's alone (dxCompare).
func compareRoutes(a, b *route) int {
	if c := cmp.Or(cmp.Compare(a.pref, b.pref), cmp.Compare(a.asPathLen(), b.asPathLen())); c != 0 {
		return c
	}
	if c := compareOrigin(a, b); c != 0 {
		return c
	}
	return cmp.Compare(len(a.path), len(b.path))
}

// dxCompare is step 2, between routes through one DX gateway: the highest
// local preference (AWS reads the 7224:7100/7200/7300 communities), a
// location in the gateway's Region, the shorter AS path, the lower origin.
func dxCompare(a, b *route) int {
	return cmp.Or(cmp.Compare(a.pref, b.pref), cmp.Compare(b.localPref(), a.localPref()), planner.CompareRegion(a.inRegion, b.inRegion),
		cmp.Compare(a.asPathLen(), b.asPathLen()), compareOrigin(a, b))
}

func compareOrigin(a, b *route) int {
	if a.attrs == nil || b.attrs == nil {
		return 0
	}
	return cmp.Compare(a.attrs.origin, b.attrs.origin)
}

// tieBreak is step 5: the lowest BGP identifier, the lowest peer address,
// then the path that sorts first.
func tieBreak(a, b *route) int {
	return cmp.Or(a.id.Compare(b.id), a.peer.Compare(b.peer), slices.Compare(a.path, b.path))
}

// multipath is step 4 (planner.Multipath): whether r shares traffic with
// best, the route the tie-break chose.
func multipath(best, r *route, mp planner.Multipath) bool {
	switch mp {
	case planner.MultipathExact:
		return slices.Equal(best.asPath(), r.asPath())
	case planner.MultipathOff:
		return false
	}
	return best.attrs.neighbourAS() == r.attrs.neighbourAS()
}

func (r *route) asPath() []uint32 {
	if r.attrs == nil {
		return nil
	}
	return r.attrs.asPath
}

// same reports whether o is r for every table that learns from it.
func (r *route) same(o *route) bool { return r.sameEntry(o) && r.id == o.id && r.peer == o.peer }

// sameEntry reports whether o is r as a forwarding entry and an
// advertisement: the same but perhaps for the identifier a downstream
// tie-break would read.
func (r *route) sameEntry(o *route) bool {
	if r.pref != o.pref || len(r.path) != len(o.path) || r.local != o.local || r.blackhole != o.blackhole ||
		len(r.nexthops) != len(o.nexthops) || !r.attrs.equal(o.attrs) {
		return false
	}
	for i := range r.nexthops {
		if r.nexthops[i] != o.nexthops[i] {
			return false
		}
	}
	return true
}

// adjacency is how one VRF learns routes from another: over an interface
// (via, on the learning device, towards the exporter) or, when via is nil,
// inside one device (a Cloud WAN segment share), keeping the exporter's
// next hops. Over a BGP session (bgp set) the routes are the ones the
// session received, not the exporter's table.
type adjacency struct {
	from, to *VRF
	via      *Iface
	pref     int
	tag      string
	export   func(*route) bool // which of from's routes cross; nil: all
	// originate replaces the exporter's routes with these prefixes, as a
	// DX gateway association advertises its allowed prefixes.
	originate []netip.Prefix
	// prefOf overrides pref per route (Cloud WAN shares keep the source's).
	prefOf func(*route) int
	// blackholes: the learner sends traffic for the exporter's blackhole
	// routes to it (a VPC forwarding to its Transit Gateway, which drops).
	blackholes bool
	// redirect: steered back out of a device the route passed through
	// (planner.Relation.Redirect).
	redirect bool
	// bgp is the learner's end of the session the routes arrive over.
	bgp *speaker
}

// up reports whether routes cross now. A managed service's internal
// links and devices fail visibly to the service, so their adjacencies
// follow link state at once; a BGP session follows its own state.
func (a *adjacency) up() bool {
	if a.bgp != nil {
		return true
	}
	return (a.via == nil || a.via.Link.Up()) && a.from.Dev.Up() && a.to.Dev.Up()
}

// exports reports whether r crosses a towards a.to.
func (a *adjacency) exports(r *route) bool {
	if r.blackhole && !a.blackholes {
		return false
	}
	return (a.export == nil || a.export(r)) && !slices.Contains(r.path, int32(a.to.ID)) && len(r.path) < maxPathLength
}

// learned is the route a.to gets from r.
func (a *adjacency) learned(r *route) *route {
	pref := a.pref
	if a.prefOf != nil {
		pref = a.prefOf(r)
	}
	nr := &route{prefix: r.prefix, pref: pref, path: append(slices.Clip(r.path), int32(a.to.ID)), tag: a.tag, origin: r.origin, attrs: r.attrs,
		id: r.id, peer: r.peer}
	nr.dx, nr.inRegion = a.dxOf()
	switch {
	case a.via != nil:
		nr.nexthops = []*Iface{a.via}
	case r.blackhole:
		nr.blackhole = true
	default:
		nr.nexthops = r.nexthops
	}
	return nr
}

// dxOf says how a.to learns from a Direct Connect location, as the
// planner's dxOf: 0 when it is not Direct Connect's choice, else 1 + the
// ID of the DX gateway the adjacency passes through (or -1 for one
// attached to the gateway itself); and whether the location is in the
// gateway's Region.
func (a *adjacency) dxOf() (group int, inRegion bool) {
	from, to := a.from.Dev, a.to.Dev
	if !planner.DXChoice(from.Role, to.Role) {
		return 0, false
	}
	group = -1
	if a.via != nil {
		for _, d := range a.via.Link.Via {
			if d.Role == RoleDXGW {
				group = 1 + d.ID
			}
		}
	}
	return group, to.Region != "" && from.Region == to.Region
}

// static is a configured route: to an interface of the device, a blackhole,
// or a local prefix.
type static struct {
	vrf       *VRF
	prefix    netip.Prefix
	nexthops  []*Iface
	local     bool
	blackhole bool
	pref      int
	tag       string
	origin    string
}

func (s *static) route() *route {
	r := &route{prefix: s.prefix, pref: s.pref, path: []int32{int32(s.vrf.ID)}, tag: s.tag, local: s.local, blackhole: s.blackhole, origin: s.origin}
	if s.local || s.blackhole {
		return r
	}
	for _, i := range s.nexthops {
		if i.Link.Up() {
			r.nexthops = append(r.nexthops, i)
		}
	}
	if len(r.nexthops) == 0 {
		return nil
	}
	return r
}

// index prepares the routing tables after the network is built.
func (n *Network) index() {
	n.staticsBy = map[netip.Prefix][]*static{}
	n.prefixes = map[netip.Prefix]bool{}
	for _, s := range n.statics {
		n.staticsBy[s.prefix] = append(n.staticsBy[s.prefix], s)
		n.prefixes[s.prefix] = true
	}
	n.holders = map[netip.Prefix][]int32{}
	n.ribs = map[netip.Prefix][]*speaker{}
	n.originators = map[netip.Prefix][]*adjacency{}
	for _, a := range n.adjs {
		a.from.out = append(a.from.out, a)
		a.to.in = append(a.to.in, a)
		for _, p := range a.originate {
			n.prefixes[p.Masked()] = true
			n.originators[p.Masked()] = append(n.originators[p.Masked()], a)
		}
	}
	for _, v := range n.VRFs {
		v.best = map[netip.Prefix]*route{}
		v.fib = fib{entries: v.best}
	}
}

// markDirty asks the next converge to recompute prefix p.
func (n *Network) markDirty(p netip.Prefix) {
	n.prefixes[p] = true
	if n.dirty == nil {
		n.dirty = map[netip.Prefix]bool{}
	}
	n.dirty[p] = true
}

// converge recomputes the routing tables: every prefix after a change of
// links or devices (all), else the prefixes BGP changed. Each prefix is
// solved on its own, since no route's fate depends on another prefix's.
// It returns the forwarding entries that changed and tells each BGP
// speaker what its table now holds.
func (n *Network) converge(all bool) []fibChange {
	var todo []netip.Prefix
	if all {
		for p := range n.prefixes {
			todo = append(todo, p)
		}
	} else {
		for p := range n.dirty {
			todo = append(todo, p)
		}
	}
	n.dirty = nil
	slices.SortFunc(todo, comparePrefixes)
	var changes []fibChange
	for _, p := range todo {
		changes = append(changes, n.solve(p)...)
	}
	return changes
}

func comparePrefixes(a, b netip.Prefix) int {
	return cmp.Or(a.Addr().Compare(b.Addr()), cmp.Compare(a.Bits(), b.Bits()))
}

// solve computes every table's best route for prefix p by propagation
// from where it originates (statics, networks, what BGP received), a
// worklist of tables whose candidates may have changed.
func (n *Network) solve(p netip.Prefix) []fibChange {
	next := map[int]*route{}
	var queue []*VRF
	queued := map[int]bool{}
	push := func(v *VRF) {
		if !queued[v.ID] {
			queued[v.ID] = true
			queue = append(queue, v)
		}
	}
	for _, s := range n.staticsBy[p] {
		push(s.vrf)
	}
	holders := n.holders[p]
	for _, id := range holders {
		push(n.VRFs[id])
	}
	for _, sp := range n.ribs[p] {
		push(sp.vrf)
	}
	for _, a := range n.originators[p] {
		push(a.to)
	}
	slices.SortFunc(queue, func(a, b *VRF) int { return a.ID - b.ID })
	for steps := 0; len(queue) > 0; steps++ {
		v := queue[0]
		queue = queue[1:]
		queued[v.ID] = false
		if steps > 64*len(n.VRFs) {
			break // a policy that never settles; keep what there is
		}
		r := n.candidate(v, p, next)
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
			push(a.to)
		}
	}
	var changes []fibChange
	affected := slices.Clone(holders)
	for id := range next {
		affected = append(affected, int32(id))
	}
	slices.Sort(affected)
	affected = slices.Compact(affected)
	var held []int32
	for _, id := range affected {
		v := n.VRFs[id]
		before, after := v.best[p], next[v.ID]
		if after != nil {
			held = append(held, id)
		}
		switch {
		case before == nil && after == nil:
			continue
		case before != nil && after != nil && before.sameEntry(after):
			v.best[p] = after // same forwarding; keep the newest origin text
			continue
		}
		changes = append(changes, fibChange{VRF: v.String(), Prefix: p.String(), Before: describe(before), After: describe(after)})
		if after == nil {
			delete(v.best, p)
			v.fib.remove(p)
		} else {
			if before == nil {
				v.fib.add(p)
			}
			v.best[p] = after
		}
		for _, sp := range n.exporters[v.ID] {
			sp.tableChanged(p)
		}
	}
	if len(held) > 0 {
		n.holders[p] = held
	} else {
		delete(n.holders, p)
	}
	return changes
}

// received records that sp's session received p (or no longer has it).
func (n *Network) received(sp *speaker, p netip.Prefix, has bool) {
	list := n.ribs[p]
	i := slices.Index(list, sp)
	switch {
	case has && i < 0:
		n.ribs[p] = append(list, sp)
	case !has && i >= 0:
		if list = slices.Delete(list, i, i+1); len(list) == 0 {
			delete(n.ribs, p)
		} else {
			n.ribs[p] = list
		}
	}
	n.markDirty(p)
}

// candidate is v's best route for p given its neighbours' routes in next.
func (n *Network) candidate(v *VRF, p netip.Prefix, next map[int]*route) *route {
	var cands []*route
	offer := func(r *route) {
		if r != nil {
			cands = append(cands, r)
		}
	}

	for _, s := range n.staticsBy[p] {
		if s.vrf == v {
			offer(s.route())
		}
	}
	for _, a := range v.in {
		if !a.up() {
			continue
		}
		switch {
		case a.bgp != nil:
			if e := a.bgp.ribIn[p]; e != nil && a.bgp.established() && !n.through(e.path, v.Dev) {
				offer(&route{prefix: p, pref: a.pref, path: append(slices.Clip(e.path), int32(v.ID)), tag: a.tag,
					nexthops: []*Iface{a.via}, origin: e.origin, attrs: e.attrs, id: a.bgp.peer.id, peer: a.bgp.peer.linkAddr})
			}
		case a.originate != nil:
			if slices.Contains(a.originate, p) {
				offer(&route{prefix: p, pref: a.pref, path: []int32{int32(a.from.ID), int32(v.ID)}, tag: a.tag,
					nexthops: []*Iface{a.via}, origin: "advertised by " + a.from.String()})
			}
		default:
			// Between devices a route never re-enters a device it has
			// passed through, as BGP refuses its own AS in a path: so a
			// Transit Gateway does not take back through Cloud WAN what
			// its own tables sent there.
			if r := next[a.from.ID]; r != nil && a.exports(r) && !(a.via == nil && r.local) && (a.via == nil || a.redirect || !n.through(r.path, v.Dev)) {
				offer(a.learned(r))
			}
		}
	}
	return choose(cands, v.Dev.multipath)
}

// choose runs the planner's route selection (planner.compareRoutes) over
// every candidate at once, so the result does not depend on the order
// they came in, but for candidates alike in all, where the first counts.
// MED counts only between routes from the same neighbouring AS
// (deterministic MED; at AWS, whose Transit Gateway page says only "Lower
// MED value", estimated): those that lose on it within their AS go first.
// mp: which equal routes the table shares over. The routes merged
// for multipath carry the path that sorts first.
func choose(cands []*route, mp planner.Multipath) *route {
	cands = dxChoose(cands)
	lost := lostMED(cands, func(a, b *route) bool {
		return a.pref == b.pref && a.asPathLen() == b.asPathLen() && compareOrigin(a, b) == 0
	})
	var top *route
	for i, r := range cands {
		if !lost[i] && (top == nil || compareRoutes(r, top) < 0) {
			top = r
		}
	}
	if top == nil {
		return nil
	}
	best := top
	for i, r := range cands {
		if !lost[i] && compareRoutes(r, top) == 0 && tieBreak(r, best) < 0 {
			best = r
		}
	}
	if best.local || best.blackhole {
		return best
	}
	out := best
	for i, r := range cands {
		if lost[i] || r == best || r.local || r.blackhole || compareRoutes(r, top) != 0 || !multipath(best, r, mp) {
			continue
		}
		merged := *out
		merged.nexthops = mergeIfaces(out.nexthops, r.nexthops)
		if slices.Compare(r.path, out.path) < 0 {
			merged.path, merged.tag, merged.origin, merged.attrs, merged.id, merged.peer = r.path, r.tag, r.origin, r.attrs, r.id, r.peer
		}
		out = &merged
	}
	return out
}

// lostMED marks the candidates with a higher MED than another from the
// same neighbouring AS that is equal to it by equal.
func lostMED(cands []*route, equal func(a, b *route) bool) []bool {
	lost := make([]bool, len(cands))
	for i, a := range cands {
		for _, b := range cands {
			if a.attrs != nil && b.attrs != nil && a.attrs.neighbourAS() == b.attrs.neighbourAS() && b.attrs.med < a.attrs.med && equal(a, b) {
				lost[i] = true
			}
		}
	}
	return lost
}

// dxChoose is step 2: of the routes through each DX gateway, only the
// best by dxCompare, and by MED within a neighbouring AS, go on. It runs
// for every prefix a gateway solves, so it keeps to the candidates' own
// slice and a small array unless a route has to go.
func dxChoose(cands []*route) []*route {
	if !slices.ContainsFunc(cands, func(r *route) bool { return r.dx != 0 }) {
		return cands
	}
	var buf [16]bool
	lost := buf[:0]
	if len(cands) > len(buf) {
		lost = make([]bool, 0, len(cands))
	}
	lost = lost[:len(cands)]
	for i, a := range cands {
		for _, b := range cands {
			if a.dx != 0 && b.dx == a.dx && a.attrs != nil && b.attrs != nil && a.attrs.neighbourAS() == b.attrs.neighbourAS() &&
				b.attrs.med < a.attrs.med && dxCompare(a, b) == 0 {
				lost[i] = true
				break
			}
		}
	}
	// A route goes on when it did not lose on MED and no route of its
	// gateway that did not either is better: dxCompare is a total
	// preorder, so these are the ones equal to the group's best.
	kept := func(i int) bool {
		r := cands[i]
		if r.dx == 0 {
			return true
		}
		if lost[i] {
			return false
		}
		for j, b := range cands {
			if b.dx == r.dx && !lost[j] && dxCompare(b, r) < 0 {
				return false
			}
		}
		return true
	}
	var out []*route
	for i, r := range cands {
		switch {
		case !kept(i):
			if out == nil {
				out = append(make([]*route, 0, len(cands)), cands[:i]...)
			}
		case out != nil:
			out = append(out, r)
		}
	}
	if out == nil {
		return cands
	}
	return out
}

// through reports whether a route's path passed through a table of d.
func (n *Network) through(path []int32, d *Device) bool {
	for _, id := range path {
		if n.VRFs[id].Dev == d {
			return true
		}
	}
	return false
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

// fibChange is one forwarding entry that changed.
type fibChange struct {
	VRF    string `json:"table"`
	Prefix string `json:"prefix"`
	Before string `json:"before"`
	After  string `json:"after"`
}

func describe(r *route) string {
	switch {
	case r == nil:
		return "none"
	case r.local:
		return "local"
	case r.blackhole:
		return "blackhole"
	}
	names := make([]string, len(r.nexthops))
	for i, h := range r.nexthops {
		names[i] = h.Link.Name
	}
	return "via " + strings.Join(names, ", ")
}

// fib is a VRF's forwarding table: longest-prefix match over the prefix
// lengths in use.
type fib struct {
	count4  [33]int
	count6  [129]int
	entries map[netip.Prefix]*route
}

func (f *fib) add(p netip.Prefix) {
	if p.Addr().Is4() {
		f.count4[p.Bits()]++
	} else {
		f.count6[p.Bits()]++
	}
}

func (f *fib) remove(p netip.Prefix) {
	if p.Addr().Is4() {
		f.count4[p.Bits()]--
	} else {
		f.count6[p.Bits()]--
	}
}

// lookup is longest-prefix match.
func (f *fib) lookup(a netip.Addr) *route {
	counts := f.count4[:]
	if a.Is6() {
		counts = f.count6[:]
	}
	for l := len(counts) - 1; l >= 0; l-- {
		if counts[l] == 0 {
			continue
		}
		p, _ := a.Prefix(l)
		if r, ok := f.entries[p]; ok {
			return r
		}
	}
	return nil
}

// savedRoutes are the routes of some prefixes in every table that held them.
type savedRoutes struct {
	holders map[netip.Prefix][]int32
	routes  map[netip.Prefix]map[int32]*route
}

// saveDirty saves the routes of the prefixes marked dirty, so
// restoreRoutes can put them back after a recomputation.
func (n *Network) saveDirty() savedRoutes {
	sv := savedRoutes{holders: map[netip.Prefix][]int32{}, routes: map[netip.Prefix]map[int32]*route{}}
	for p := range n.dirty {
		sv.holders[p] = slices.Clone(n.holders[p])
		m := map[int32]*route{}
		for _, id := range n.holders[p] {
			m[id] = n.VRFs[id].best[p]
		}
		sv.routes[p] = m
	}
	return sv
}

// restoreRoutes puts saved prefixes back as they were.
func (n *Network) restoreRoutes(sv savedRoutes) {
	for p, m := range sv.routes {
		for _, id := range n.holders[p] {
			v := n.VRFs[id]
			if _, ok := m[id]; !ok {
				delete(v.best, p)
				v.fib.remove(p)
			}
		}
		for id, r := range m {
			v := n.VRFs[id]
			if _, ok := v.best[p]; !ok {
				v.fib.add(p)
			}
			v.best[p] = r
		}
		n.holders[p] = sv.holders[p]
	}
}
