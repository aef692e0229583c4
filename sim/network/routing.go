package network

import (
	"cmp"
	"iter"
	"math/bits"
	"net/netip"
	"slices"
	"strings"

	"patchbay/planner"
)

// maxPathLength is the planner's bound on the tables a route may cross.
const maxPathLength = planner.MaxPathLength

// VRF is one routing table of a device.
type VRF struct {
	ID   int     // its index in Network.VRFs, the planner's table ID
	Dev  *Device // the device it is on
	Name string  // "" for a device's only table

	// Best is the table's route for each prefix it holds, which
	// forwarding looks up too: read it, never write it.
	Best BestRoutes

	in, out []*adjacency
}

// String names the table as explanations do: the device, and the
// table's name in brackets when it has one.
func (v *VRF) String() string {
	if v.Name == "" {
		return v.Dev.Name
	}
	return v.Dev.Name + " [" + v.Name + "]"
}

// Route is a best route of a VRF: one prefix, its preference, and where
// traffic for it goes (interfaces with equal cost, or delivered locally,
// or dropped).
type Route struct {
	prefix netip.Prefix
	pref   int32
	// mtu is the largest packet the route itself sends, 0 for no limit
	// but its links' (planner.Static.MTU); beside pref, in the word an
	// int pref took, so that a route stays within its allocation class.
	mtu      uint16
	Path     []int32 // VRFs the route was learned through, origin first
	tag      string
	NextHops []*Iface // equal-cost interfaces out; none when Local or Blackhole
	Origin   string   // what configured or originated it, for explanations
	Attrs    *Attrs   // what BGP carried it with; nil when it never crossed a session
	// id is the BGP identifier of the router it was last received from
	// and peer that router's IPv4 address on the link, the final
	// tie-breaks; carried across a service's own adjacencies.
	id, peer  netip.Addr
	Local     bool // the prefix is the device's own: traffic is delivered
	Blackhole bool // traffic is dropped
	// dx and inRegion are how a gateway learned it from a Direct Connect
	// location (adjacency.dxOf); not carried on. Small and together, so
	// that a route fits a 192-byte allocation: a run makes many.
	inRegion bool
	dx       int32
}

// hopMTU is the largest packet r sends over l: the link's MTU, or the
// route's own when smaller (planner.Route.HopMTU).
func (r *Route) hopMTU(l *Link) int {
	if r.mtu != 0 && int(r.mtu) < l.MTU {
		return int(r.mtu)
	}
	return l.MTU
}

// DefaultLocalPref is what a route without BGP attributes compares as:
// the "medium" preference AWS gives routes without a community.
const DefaultLocalPref = 200

func (r *Route) localPref() uint32 {
	if r.Attrs == nil {
		return DefaultLocalPref
	}
	return r.Attrs.LocalPref
}

func (r *Route) asPathLen() int {
	if r.Attrs == nil {
		return 0
	}
	return len(r.Attrs.ASPath) + len(r.Attrs.Sets)
}

// compareRoutes is step 3 of the planner's route selection (see
// planner.compareRoutes, whose steps this file runs with the attributes
// BGP carries): what the table ranks of the administrative preference
// before the AS path (planner.KindRank), the shorter AS path and the
// lower origin (beforeMED), then the preference itself and the shorter
// path through the network. MED, between the two, is choose's, since it
// compares only within a neighbouring AS; local preference is the DX
// gateway's alone (dxCompare). pathFirst: the table is a Cloud WAN
// edge's.
func compareRoutes(a, b *Route, pathFirst bool) int {
	return cmp.Or(beforeMED(a, b, pathFirst), cmp.Compare(a.pref, b.pref), cmp.Compare(len(a.Path), len(b.Path)))
}

// beforeMED is what step 3 compares before MED.
func beforeMED(a, b *Route, pathFirst bool) int {
	return cmp.Or(cmp.Compare(planner.KindRank(int(a.pref), pathFirst), planner.KindRank(int(b.pref), pathFirst)),
		cmp.Compare(a.asPathLen(), b.asPathLen()), compareOrigin(a, b))
}

// dxCompare is step 2, between routes through one DX gateway: the highest
// local preference (AWS reads the 7224:7100/7200/7300 communities), a
// location in the gateway's Region, the shorter AS path, the lower origin.
func dxCompare(a, b *Route) int {
	return cmp.Or(cmp.Compare(a.pref, b.pref), cmp.Compare(b.localPref(), a.localPref()), planner.CompareRegion(a.inRegion, b.inRegion),
		cmp.Compare(a.asPathLen(), b.asPathLen()), compareOrigin(a, b))
}

func compareOrigin(a, b *Route) int {
	if a.Attrs == nil || b.Attrs == nil {
		return 0
	}
	return cmp.Compare(a.Attrs.Origin, b.Attrs.Origin)
}

// tieBreak is step 5: the lowest BGP identifier, the lowest peer address,
// then the path that sorts first.
func tieBreak(a, b *Route) int {
	return cmp.Or(a.id.Compare(b.id), a.peer.Compare(b.peer), slices.Compare(a.Path, b.Path))
}

// multipath is step 4 (planner.Multipath): whether r shares traffic with
// best, the route the tie-break chose.
func multipath(best, r *Route, mp planner.Multipath) bool {
	switch mp {
	case planner.MultipathExact:
		return slices.Equal(best.asPath(), r.asPath()) && (best.Attrs == nil) == (r.Attrs == nil) &&
			(best.Attrs == nil || slices.EqualFunc(best.Attrs.Sets, r.Attrs.Sets, slices.Equal))
	case planner.MultipathOff:
		return false
	}
	return best.Attrs.neighbourAS() == r.Attrs.neighbourAS()
}

func (r *Route) asPath() []uint32 {
	if r.Attrs == nil {
		return nil
	}
	return r.Attrs.ASPath
}

// identical reports whether o is r in every field, attributes equal (the
// same object, nearly always).
func (r *Route) identical(o *Route) bool {
	return r.pref == o.pref && (r.Attrs == o.Attrs || r.Attrs.Equal(o.Attrs)) && r.Local == o.Local && r.Blackhole == o.Blackhole && r.dx == o.dx &&
		r.inRegion == o.inRegion && r.mtu == o.mtu && slices.Equal(r.Path, o.Path) && slices.Equal(r.NextHops, o.NextHops) &&
		r.tag == o.tag && r.Origin == o.Origin && r.id == o.id && r.peer == o.peer && r.prefix == o.prefix
}

// same reports whether o is r for every table that learns from it.
func (r *Route) same(o *Route) bool { return r.sameEntry(o) && r.id == o.id && r.peer == o.peer }

// sameEntry reports whether o is r as a forwarding entry and an
// advertisement: the same but perhaps for the identifier a downstream
// tie-break would read.
func (r *Route) sameEntry(o *Route) bool {
	if r.pref != o.pref || len(r.Path) != len(o.Path) || r.Local != o.Local || r.Blackhole != o.Blackhole || r.mtu != o.mtu ||
		len(r.NextHops) != len(o.NextHops) || !r.Attrs.Equal(o.Attrs) {
		return false
	}
	for i := range r.NextHops {
		if r.NextHops[i] != o.NextHops[i] {
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
	// viaHop is via as a next-hop list (hops), shared by every route
	// learned over the adjacency: Route.NextHops is never written in
	// place.
	viaHop [1]*Iface
	tag    string
	pref   int
	export *planner.Filter // which of from's routes cross; nil: all
	// originate replaces the exporter's routes with these prefixes, as a
	// DX gateway association advertises its allowed prefixes.
	originate []netip.Prefix
	// feed is where the session the routes arrive over delivers them.
	feed *Feed
	// dx and inRegion are dxOf's answer, which solving a prefix asks for
	// per table: set when the network is built.
	dx       int32
	inRegion bool
	// keepPref: a route keeps its preference, not pref (Cloud WAN shares
	// keep the source's).
	keepPref bool
	// blackholes: the learner sends traffic for the exporter's blackhole
	// routes to it (a VPC forwarding to its Transit Gateway, which drops).
	blackholes bool
	// redirect: steered back out of a device the route passed through
	// (planner.Relation.Redirect).
	redirect bool
	// asn, when not 0, goes in front of the AS path of every route that
	// crosses (planner.Relation.ASN: the exporting core network edge's or
	// peered Transit Gateway's);
	// bare is the attributes of a route that had none, and memo the last
	// attributes prepended and what they became (prepend).
	asn  uint32
	bare *Attrs
	memo [2]*Attrs
}

// hops is []*Iface{a.via}.
func (a *adjacency) hops() []*Iface { return a.viaHop[:] }

// up reports whether routes cross now. A managed service's internal
// links and devices fail visibly to the service, so their adjacencies
// follow link state at once; a BGP session follows its own state.
func (a *adjacency) up() bool {
	if a.feed != nil {
		return true
	}
	return (a.via == nil || a.via.Link.Up()) && a.from.Dev.Up() && a.to.Dev.Up()
}

// exports reports whether r crosses a towards a.to.
func (a *adjacency) exports(r *Route, groups map[string][]*planner.Table) bool {
	if r.Blackhole && !a.blackholes {
		return false
	}
	return (a.export == nil || a.export.Allows(r.tag, r.prefix, r.Path, groups)) && !slices.Contains(r.Path, int32(a.to.ID)) && len(r.Path) < maxPathLength
}

// learned is the route a.to gets from r, its path in the solver's
// scratch space (see candidate).
func (a *adjacency) learned(nr, r *Route, sc *scratch) {
	pref := int32(a.pref)
	if a.keepPref {
		pref = r.pref
	}
	hops := a.hops()
	attrs := r.Attrs
	if a.asn != 0 {
		attrs = a.prepend(attrs)
	}
	*nr = Route{prefix: r.prefix, pref: pref, Path: sc.path(r.Path, int32(a.to.ID)), tag: a.tag, Origin: r.Origin, Attrs: attrs,
		id: r.id, peer: r.peer, dx: a.dx, inRegion: a.inRegion}
	switch {
	case a.via != nil:
		nr.NextHops = hops
	case r.Blackhole:
		nr.Blackhole = true
	default:
		nr.NextHops = r.NextHops
	}
}

// prepend is attrs with a.asn in front of the AS path. The same attributes
// in turn get the same object, which a table keeping its route from the
// last solve (scratch.keep) compares first.
func (a *adjacency) prepend(attrs *Attrs) *Attrs {
	switch {
	case attrs == nil:
		return a.bare
	case a.memo[0] == attrs:
		return a.memo[1]
	}
	x := *attrs
	x.ASPath = append([]uint32{a.asn}, attrs.ASPath...)
	// MED is not passed on to another AS (RFC 4271 §5.1.4).
	x.MED = 0
	a.memo = [2]*Attrs{attrs, &x}
	return &x
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
			if d.Role == planner.RoleDXGW {
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
	mtu       uint16 // the route's own MTU, 0 for none (planner.Static.MTU)
	pref      int
	tag       string
	origin    string
}

// route fills r with the static's route, its path in the solver's
// scratch space; false when no next hop is up.
func (s *static) route(r *Route, sc *scratch) bool {
	*r = Route{prefix: s.prefix, pref: int32(s.pref), Path: sc.path(nil, int32(s.vrf.ID)), tag: s.tag, Local: s.local, Blackhole: s.blackhole, Origin: s.origin, mtu: s.mtu}
	if s.local || s.blackhole {
		return true
	}
	up := 0
	for _, i := range s.nexthops {
		if i.Link.Up() {
			up++
		}
	}
	switch {
	case up == 0:
		return false
	case up == len(s.nexthops):
		// Every next hop: the configured list itself, which nothing
		// writes to, rather than a copy per solve.
		r.NextHops = slices.Clip(s.nexthops)
	default:
		for _, i := range s.nexthops {
			if i.Link.Up() {
				r.NextHops = append(r.NextHops, i)
			}
		}
	}
	return true
}

// Index prepares the routing tables after the network is built and its
// sessions' feeds are in place (Learn), before the first Converge.
func (n *Network) Index() {
	n.staticsBy = make(map[netip.Prefix][]*static, len(n.statics))
	n.prefixes = make(map[netip.Prefix]bool, len(n.statics))
	for _, s := range n.statics {
		n.staticsBy[s.prefix] = append(n.staticsBy[s.prefix], s)
		n.prefixes[s.prefix] = true
	}
	n.holders = make(map[netip.Prefix][]holding, len(n.prefixes))
	n.ribs = map[netip.Prefix][]ribRef{}
	n.originators = map[netip.Prefix][]*adjacency{}
	n.devOf = make([]int32, len(n.VRFs))
	for _, v := range n.VRFs {
		n.devOf[v.ID] = int32(v.Dev.ID)
	}
	// Every table's adjacencies in and out are slices of one array, each
	// with room for its own alone, so that one appended later (there is
	// none yet) cannot run into its neighbour's.
	in, out := make([]int, len(n.VRFs)), make([]int, len(n.VRFs))
	for _, a := range n.adjs {
		out[a.from.ID]++
		in[a.to.ID]++
	}
	all := make([]*adjacency, 2*len(n.adjs))
	for _, v := range n.VRFs {
		v.in, all = all[:0:in[v.ID]], all[in[v.ID]:]
		v.out, all = all[:0:out[v.ID]], all[out[v.ID]:]
	}
	for _, a := range n.adjs {
		a.from.out = append(a.from.out, a)
		a.to.in = append(a.to.in, a)
		for _, p := range a.originate {
			n.prefixes[p.Masked()] = true
			n.originators[p.Masked()] = append(n.originators[p.Masked()], a)
		}
	}
	// Every table starts with room for two routes, a slice of one array.
	few := make([]bestRoute, 2*len(n.VRFs))
	for _, v := range n.VRFs {
		v.Best.few, few = few[:0:2], few[2:]
	}
}

// Routes is every table's route for every prefix: a prefix's routes one
// after another, the prefixes in no order.
func (n *Network) Routes() iter.Seq2[netip.Prefix, *Route] {
	return func(yield func(netip.Prefix, *Route) bool) {
		for p, held := range n.holders {
			for _, h := range held {
				if !yield(p, h.r) {
					return
				}
			}
		}
	}
}

// MarkDirty asks the next Converge to recompute prefix p.
func (n *Network) MarkDirty(p netip.Prefix) {
	n.prefixes[p] = true
	if n.dirty == nil {
		n.dirty = map[netip.Prefix]bool{}
	}
	n.dirty[p] = true
}

// Converge recomputes the routing tables: every prefix after a change of
// links or devices (all), else the prefixes BGP changed. Each prefix is
// solved on its own, since no route's fate depends on another prefix's.
// It returns how many forwarding entries changed and tells each BGP
// speaker what its table now holds. It describes none of them: building a
// network converges every prefix, and a sweep's case every prefix a
// failure covers, where text for each changed entry was most of the work
// and nobody read it; ConvergeN describes them for the timeline.
func (n *Network) Converge(all bool) int {
	_, count := n.ConvergeN(all, 0)
	return count
}

// ConvergeN is Converge describing the first limit changes (all when
// limit < 0), and how many there were: a recomputation can change
// tens of thousands of entries where the timeline shows a few.
func (n *Network) ConvergeN(all bool, limit int) ([]FIBChange, int) {
	var todo []netip.Prefix
	if all {
		todo = make([]netip.Prefix, 0, len(n.prefixes))
		for p := range n.prefixes {
			todo = append(todo, p)
		}
	} else {
		todo = make([]netip.Prefix, 0, len(n.dirty))
		for p := range n.dirty {
			todo = append(todo, p)
		}
	}
	n.dirty = nil
	slices.SortFunc(todo, ComparePrefixes)
	log := changeLog{limit: limit}
	for _, p := range todo {
		n.solve(p, &log)
	}
	return log.list, log.total
}

// changeLog counts the forwarding entries that changed and describes the
// first limit of them (all when limit < 0).
type changeLog struct {
	list         []FIBChange
	limit, total int
}

func (l *changeLog) add(v *VRF, p netip.Prefix, before, after *Route) {
	l.total++
	if l.limit < 0 || len(l.list) < l.limit {
		l.list = append(l.list, FIBChange{VRF: v.String(), Prefix: p.String(), Before: describe(before), After: describe(after)})
	}
}

// ComparePrefixes orders prefixes by address, then length: the order
// ConvergeN solves them in.
func ComparePrefixes(a, b netip.Prefix) int {
	return cmp.Or(a.Addr().Compare(b.Addr()), cmp.Compare(a.Bits(), b.Bits()))
}

// scratch is the solver's working memory, kept across prefixes: a
// recomputation solves tens of thousands of them, and maps and candidate
// routes made afresh for each were most of its time and allocation.
// Candidates live here as values until one wins and changes a table; only
// then is it copied to the heap (keep), so the many that lose or repeat
// what a table already has cost nothing to collect.
type scratch struct {
	next   []*Route // by VRF ID: the table's route so far; nil for none
	queued []bool   // by VRF ID
	queue  []*VRF
	set    []int32 // VRFs next has held a route for in this solve
	ids    []int32
	held   []holding
	cands  []Route
	ptrs   []*Route
	lost   []bool
	paths  []int32 // the candidates' paths, back to back
	merged Route   // a multipath route being made
	hops   []*Iface
}

// path is prefix followed by id, in the scratch space until reset; capped
// so that no append can run into the next path.
func (sc *scratch) path(prefix []int32, id int32) []int32 {
	start := len(sc.paths)
	sc.paths = append(append(sc.paths, prefix...), id)
	return sc.paths[start:len(sc.paths):len(sc.paths)]
}

// keep is r on the heap, with a path (and, merged, next hops) of its
// own, for a table to hold; or prev, the table's route before this solve,
// when r is it in every field: routes are never written once made, so
// sharing one is invisible, and most tables come out the same when a
// recomputation changes little.
func (sc *scratch) keep(r, prev *Route) *Route {
	if prev != nil && r.identical(prev) {
		return prev
	}
	var nr *Route
	if len(r.Path) <= len(routeWithPath{}.path) {
		// The route and its path in one allocation, as most paths are
		// short: a build keeps a route for every table and prefix.
		x := &routeWithPath{r: *r}
		n := copy(x.path[:], r.Path)
		x.r.Path = x.path[:n:n]
		nr = &x.r
	} else {
		nr = new(Route)
		*nr = *r
		nr.Path = slices.Clone(r.Path)
	}
	if r == &sc.merged {
		nr.NextHops = slices.Clone(r.NextHops)
	}
	return nr
}

// routeWithPath is a route with room for its path, which fills the
// allocation's size class.
type routeWithPath struct {
	r    Route
	path [6]int32
}

// solve computes every table's best route for prefix p by propagation
// from where it originates (statics, networks, what BGP received), a
// worklist of tables whose candidates may have changed. It records the
// forwarding entries that changed in log.
func (n *Network) solve(p netip.Prefix, log *changeLog) {
	sc := &n.sc
	if len(sc.next) != len(n.VRFs) {
		sc.next, sc.queued = make([]*Route, len(n.VRFs)), make([]bool, len(n.VRFs))
	}
	next, queued := sc.next, sc.queued
	holders := n.holders[p]
	// prior is a table's route for p before this solve, from holders
	// rather than the table's map: the maps are large, and lookups in
	// them were much of the cost.
	prior := func(id int32) *Route {
		if i, ok := slices.BinarySearchFunc(holders, id, func(h holding, id int32) int { return cmp.Compare(h.id, id) }); ok {
			return holders[i].r
		}
		return nil
	}
	queue := sc.queue[:0]
	push := func(v *VRF) {
		if !queued[v.ID] {
			queued[v.ID] = true
			queue = append(queue, v)
		}
	}
	statics := n.staticsBy[p]
	for _, s := range statics {
		push(s.vrf)
	}
	for _, h := range holders {
		push(n.VRFs[h.id])
	}
	ribs := n.ribs[p]
	for _, x := range ribs {
		push(x.f.vrf)
	}
	for _, a := range n.originators[p] {
		push(a.to)
	}
	slices.SortFunc(queue, func(a, b *VRF) int { return a.ID - b.ID })
	set := sc.set[:0]
	head := 0
	for steps := 0; head < len(queue); steps++ {
		v := queue[head]
		head++
		queued[v.ID] = false
		if steps > 64*len(n.VRFs) {
			break // a policy that never settles; keep what there is
		}
		r := n.candidate(v, p, statics, ribs, next)
		old := next[v.ID]
		if (r == nil) == (old == nil) && (r == nil || r.same(old)) {
			continue
		}
		if r == nil {
			next[v.ID] = nil
		} else {
			if old == nil {
				set = append(set, int32(v.ID))
			}
			next[v.ID] = sc.keep(r, prior(int32(v.ID)))
		}
		for _, a := range v.out {
			push(a.to)
		}
	}
	for _, v := range queue[head:] {
		queued[v.ID] = false
	}
	sc.queue = queue[:0]
	affected := sc.ids[:0]
	for _, h := range holders {
		affected = append(affected, h.id)
	}
	for _, id := range set {
		if next[id] != nil {
			affected = append(affected, id)
		}
	}
	slices.Sort(affected)
	affected = slices.Compact(affected)
	held := sc.held[:0]
	for _, id := range affected {
		v := n.VRFs[id]
		before, after := prior(id), next[v.ID]
		if after != nil {
			held = append(held, holding{id, after})
		}
		switch {
		case before == nil && after == nil:
			continue
		case before != nil && after != nil && before.sameEntry(after):
			if after != before {
				v.Best.set(p, after) // same forwarding; keep the newest origin text
			}
			continue
		}
		log.add(v, p, before, after)
		if after == nil {
			v.Best.delete(p)
		} else {
			v.Best.set(p, after)
		}
		for _, x := range n.exporters[v.ID] {
			x.TableChanged(p)
		}
	}
	switch {
	case len(held) == 0:
		delete(n.holders, p)
	case cap(holders) >= len(held):
		// n.holders owns its lists (SaveDirty and RestoreRoutes copy), so
		// one is rewritten in place when it has the room.
		n.holders[p] = append(holders[:0], held...)
	default:
		n.holders[p] = slices.Clone(held)
	}
	for _, id := range set {
		next[id] = nil
	}
	sc.set, sc.ids, sc.held = set[:0], affected[:0], held[:0]
}

// Attrs are the path attributes a route crossed a session with. Values
// are shared between tables and never changed after they are built.
type Attrs struct {
	ASPath []uint32 // the neighbouring AS first
	// Sets are the path's AS_SET segments, after ASPath's sequence: each
	// counts as one AS in the path's length, however many it holds (RFC
	// 4271 §9.1.2.2 (a)). Only a real router's routes have any.
	Sets        [][]uint32
	Origin      uint8    // 0 IGP, 1 EGP, 2 INCOMPLETE
	MED         uint32   // lower wins, between routes from one neighbouring AS
	LocalPref   uint32   // higher wins, at a DX gateway (from AWS's 7224 communities)
	Communities []uint32 // high 16 bits the AS, low the value
}

// Equal reports whether a and b carry the same attributes; nil equals
// only nil.
func (a *Attrs) Equal(b *Attrs) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Origin == b.Origin && a.MED == b.MED && a.LocalPref == b.LocalPref &&
		slices.Equal(a.ASPath, b.ASPath) && slices.Equal(a.Communities, b.Communities) && slices.EqualFunc(a.Sets, b.Sets, slices.Equal)
}

// Holds reports whether asn is on the path, in its sequence or a set.
func (a *Attrs) Holds(asn uint32) bool {
	return slices.Contains(a.ASPath, asn) || slices.ContainsFunc(a.Sets, func(set []uint32) bool { return slices.Contains(set, asn) })
}

// neighbourAS is the AS a route was learned from, which MED comparison
// is limited to.
func (a *Attrs) neighbourAS() uint32 {
	if a == nil || len(a.ASPath) == 0 {
		return 0
	}
	return a.ASPath[0]
}

// Received is a route as a session received it. The path of tables it
// came through travels beside the message (never on the wire) so that
// tables can refuse their own routes back, as BGP's AS-path check does
// between ASes.
type Received struct {
	Attrs  *Attrs  // as the session received them
	Path   []int32 // the tables it came through, by ID, origin first
	Origin string  // what originated it, for explanations
}

// Feed is where a session's received routes enter a table: the learning
// end of a BGP session. The protocol keeps it up to date (SetEstablished,
// Receive); the solver reads it, knowing nothing of the protocol. The
// protocol owns its memory (Learn fills it), so that a run of many
// sessions makes no allocation for it.
type Feed struct {
	n           *Network
	vrf         *VRF
	adj         *adjacency // the planner's relation it feeds; nil when there is none
	established bool
	// id and peer are the sender's BGP identifier and link address, the
	// decision's last tie-breaks.
	id, peer netip.Addr
}

// Learn makes f the feed of a session's end at iface, whose peer's table
// is from, and id and peer the peer's BGP identifier and IPv4 link
// address. The feed takes over the planner's relation from → iface's
// table over iface, or a copy of it when another feed has it: the
// planner's routing, which knows no sessions, needs one relation where a
// dual-stack link has a session per family. Call it before Index.
func (n *Network) Learn(f *Feed, at *Iface, from *VRF, id, peer netip.Addr) {
	*f = Feed{n: n, vrf: at.VRF, id: id, peer: peer}
	if n.learnVia == nil {
		// Only the planner's relations, never a copy made for another
		// feed, by the interface they cross: a session looking through
		// every relation made building a run's sessions grow with the
		// square of the design.
		n.learnVia = make(map[*Iface][]*adjacency)
		for _, a := range n.adjs[:n.planned] {
			n.learnVia[a.via] = append(n.learnVia[a.via], a)
		}
	}
	for _, a := range n.learnVia[at] {
		if a.to != at.VRF || a.from != from {
			continue
		}
		if a.feed != nil {
			c := *a
			a = &c
			n.adjs = append(n.adjs, a)
		}
		a.feed = f
		f.adj = a
	}
}

// SetEstablished says whether the session is established: only then do
// its routes count.
func (f *Feed) SetEstablished(up bool) { f.established = up }

// Exports is whether the relation f feeds lets r through: what the
// peer's session may advertise into f's table. Without a relation,
// nothing passes.
func (f *Feed) Exports(r *Route) bool { return f.adj != nil && f.adj.exports(r, f.n.edgeGroups) }

// Exporter is told when a table's route for a prefix changed: a BGP
// speaker advertising from that table.
type Exporter interface {
	// TableChanged says the table's route for p appeared, went or
	// changed; it is called once the table holds the new route.
	TableChanged(p netip.Prefix)
}

// AddExporter has x told of every change to v's routes, after those
// added before it.
func (n *Network) AddExporter(v *VRF, x Exporter) {
	n.exporters[v.ID] = append(n.exporters[v.ID], x)
}

// ribRef is a feed that received a prefix, and what it received: the
// session's entry, so that solving the prefix need not look there.
type ribRef struct {
	f *Feed
	e *Received
}

// Receive records that f's session received p as e (or, e nil, no
// longer has it).
func (f *Feed) Receive(p netip.Prefix, e *Received) {
	n := f.n
	list := n.ribs[p]
	i := slices.IndexFunc(list, func(x ribRef) bool { return x.f == f })
	switch {
	case e != nil && i < 0:
		n.ribs[p] = append(list, ribRef{f, e})
	case e != nil:
		list[i].e = e // the list is n.ribs's alone
	case i >= 0:
		if list = slices.Delete(list, i, i+1); len(list) == 0 {
			delete(n.ribs, p)
		} else {
			n.ribs[p] = list
		}
	}
	n.MarkDirty(p)
}

// candidate is v's best route for p given its neighbours' routes in
// next; statics and ribs are p's (n.staticsBy, n.ribs). The route is the
// scratch space's, good until the next call: keep it to hold on to it.
func (n *Network) candidate(v *VRF, p netip.Prefix, statics []*static, ribs []ribRef, next []*Route) *Route {
	sc := &n.sc
	sc.cands, sc.paths = sc.cands[:0], sc.paths[:0]
	// add makes room for one more candidate and returns it; drop takes it
	// back when it turns out not to be one.
	add := func() *Route {
		sc.cands = append(sc.cands, Route{})
		return &sc.cands[len(sc.cands)-1]
	}
	drop := func() { sc.cands = sc.cands[:len(sc.cands)-1] }

	for _, s := range statics {
		if s.vrf == v && !s.route(add(), sc) {
			drop()
		}
	}
	// a.up() comes after the cheaper tests of whether a has anything to
	// offer: it walks the link's members and devices. (Over a session it
	// is always true.)
	for _, a := range v.in {
		switch {
		case a.feed != nil:
			// ribs is every speaker whose ribIn holds p, with the entry
			// (Feed.Receive keeps it so), and much shorter than a table has
			// sessions: looking in each session's ribIn was the dearest
			// part of solving.
			if !a.feed.established {
				continue
			}
			var e *Received
			for _, x := range ribs {
				if x.f == a.feed {
					e = x.e
					break
				}
			}
			if e != nil && !n.through(e.Path, v.Dev) {
				*add() = Route{prefix: p, pref: int32(a.pref), Path: sc.path(e.Path, int32(v.ID)), tag: a.tag,
					NextHops: a.hops(), Origin: e.Origin, Attrs: e.Attrs, id: a.feed.id, peer: a.feed.peer}
			}
		case a.originate != nil:
			if slices.Contains(a.originate, p) && a.up() {
				*add() = Route{prefix: p, pref: int32(a.pref), Path: sc.path([]int32{int32(a.from.ID)}, int32(v.ID)), tag: a.tag,
					NextHops: a.hops(), Origin: "advertised by " + a.from.String()}
			}
		default:
			// Between devices a route never re-enters a device it has
			// passed through, as BGP refuses its own AS in a path: so a
			// Transit Gateway does not take back through Cloud WAN what
			// its own tables sent there.
			if r := next[a.from.ID]; r != nil && a.up() && a.exports(r, n.edgeGroups) && !(a.via == nil && r.Local) && (a.via == nil || a.redirect || !n.through(r.Path, v.Dev)) {
				a.learned(add(), r, sc)
			}
		}
	}
	switch len(sc.cands) {
	case 0:
		return nil
	case 1:
		// What choose makes of a lone candidate, which most tables have.
		return &sc.cands[0]
	}
	// Pointers only now: appending may have moved the candidates.
	sc.ptrs = sc.ptrs[:0]
	for i := range sc.cands {
		sc.ptrs = append(sc.ptrs, &sc.cands[i])
	}
	return choose(sc.ptrs, v.Dev.multipath, v.Dev.pathFirst, sc)
}

// choose runs the planner's route selection (planner.compareRoutes) over
// every candidate at once, so the result does not depend on the order
// they came in, but for candidates alike in all, where the first counts.
// MED counts only between routes from the same neighbouring AS
// (deterministic MED; at AWS, whose Transit Gateway page says only "Lower
// MED value", estimated): those that lose on it within their AS go first.
// mp: which equal routes the table shares over; pathFirst: how it ranks
// dynamic routes (compareRoutes). The routes merged for multipath carry
// the path that sorts first. sc lends it working memory.
func choose(cands []*Route, mp planner.Multipath, pathFirst bool, sc *scratch) *Route {
	cands = dxChoose(cands)
	lost := lostMED(cands, func(a, b *Route) bool { return beforeMED(a, b, pathFirst) == 0 }, sc.lost)
	sc.lost = lost
	var top *Route
	for i, r := range cands {
		if !lost[i] && (top == nil || compareRoutes(r, top, pathFirst) < 0) {
			top = r
		}
	}
	if top == nil {
		return nil
	}
	best := top
	for i, r := range cands {
		if !lost[i] && compareRoutes(r, top, pathFirst) == 0 && tieBreak(r, best) < 0 {
			best = r
		}
	}
	if best.Local || best.Blackhole {
		return best
	}
	out := best
	for i, r := range cands {
		if lost[i] || r == best || r.Local || r.Blackhole || compareRoutes(r, top, pathFirst) != 0 || !multipath(best, r, mp) {
			continue
		}
		if out == best {
			// The merged route and its next hops are the scratch space's
			// (keep copies them): most candidates merged lose, or are what
			// the table already holds.
			sc.merged = *best
			sc.hops = append(sc.hops[:0], best.NextHops...)
			out = &sc.merged
		}
		for _, h := range r.NextHops {
			if !slices.Contains(sc.hops, h) {
				sc.hops = append(sc.hops, h)
			}
		}
		if slices.Compare(r.Path, out.Path) < 0 {
			out.Path, out.tag, out.Origin, out.Attrs, out.id, out.peer = r.Path, r.tag, r.Origin, r.Attrs, r.id, r.peer
		}
	}
	if out != best {
		// Merged next hops go in interface order.
		slices.SortFunc(sc.hops, func(x, y *Iface) int { return cmp.Compare(x.ID, y.ID) })
		out.NextHops = sc.hops
	}
	return out
}

// lostMED marks the candidates with a higher MED than another from the
// same neighbouring AS that is equal to it by equal, in buf if it is
// long enough.
func lostMED(cands []*Route, equal func(a, b *Route) bool, buf []bool) []bool {
	lost := slices.Grow(buf[:0], len(cands))[:len(cands)]
	clear(lost)
	for i, a := range cands {
		for _, b := range cands {
			if a.Attrs != nil && b.Attrs != nil && a.Attrs.neighbourAS() == b.Attrs.neighbourAS() && b.Attrs.MED < a.Attrs.MED && equal(a, b) {
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
func dxChoose(cands []*Route) []*Route {
	if !slices.ContainsFunc(cands, func(r *Route) bool { return r.dx != 0 }) {
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
			if a.dx != 0 && b.dx == a.dx && a.Attrs != nil && b.Attrs != nil && a.Attrs.neighbourAS() == b.Attrs.neighbourAS() &&
				b.Attrs.MED < a.Attrs.MED && dxCompare(a, b) == 0 {
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
	var out []*Route
	for i, r := range cands {
		switch {
		case !kept(i):
			if out == nil {
				out = append(make([]*Route, 0, len(cands)), cands[:i]...)
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
		if n.devOf[id] == int32(d.ID) {
			return true
		}
	}
	return false
}

// FIBChange is one forwarding entry that changed, as Converge reports it.
type FIBChange struct {
	VRF    string `json:"table"`  // the table, as VRF.String names it
	Prefix string `json:"prefix"` // the prefix whose entry changed
	Before string `json:"before"` // "none", "local", "blackhole" or "via LINK, …"
	After  string `json:"after"`  // the same, after the change
}

func describe(r *Route) string {
	switch {
	case r == nil:
		return "none"
	case r.Local:
		return "local"
	case r.Blackhole:
		return "blackhole"
	}
	names := make([]string, len(r.NextHops))
	for i, h := range r.NextHops {
		names[i] = h.Link.Name
	}
	return "via " + strings.Join(names, ", ")
}

// BestRoutes is a table's route for each prefix it holds, and its
// forwarding: longest-prefix match over the prefix lengths in use.
//
// A table holds few routes, mostly, and a network has thousands of
// tables: the routes are a short list until there are more than a few,
// and a map only then, as a map for each table was much of what building
// a network allocated. Likewise the lengths in use are bits, and only a
// table with a map counts its prefixes of each length; in a short list
// they are counted when one goes.
type BestRoutes struct {
	few    []bestRoute // in the order they came, while there is no map
	many   map[netip.Prefix]*Route
	len4   uint64    // bit l: a route for an IPv4 prefix of length l
	len6   [3]uint64 // likewise for IPv6, bit l%64 of word l/64
	counts *[33 + 129]uint32
}

type bestRoute struct {
	p netip.Prefix
	r *Route
}

// maxFew is how many routes a table holds in its list.
const maxFew = 8

// Get is the route for p, nil when there is none.
func (b *BestRoutes) Get(p netip.Prefix) *Route {
	if b.many != nil {
		return b.many[p]
	}
	for _, e := range b.few {
		if e.p == p {
			return e.r
		}
	}
	return nil
}

// Len is how many prefixes the table holds.
func (b *BestRoutes) Len() int {
	if b.many != nil {
		return len(b.many)
	}
	return len(b.few)
}

// All is every prefix the table holds and its route, in no order.
func (b *BestRoutes) All() iter.Seq2[netip.Prefix, *Route] {
	return func(yield func(netip.Prefix, *Route) bool) {
		if b.many != nil {
			for p, r := range b.many {
				if !yield(p, r) {
					return
				}
			}
			return
		}
		for _, e := range b.few {
			if !yield(e.p, e.r) {
				return
			}
		}
	}
}

// set makes r (never nil) the route for p.
func (b *BestRoutes) set(p netip.Prefix, r *Route) {
	if b.many != nil {
		if _, ok := b.many[p]; !ok {
			b.counts[lengthOf(p)]++
			b.use(p, true)
		}
		b.many[p] = r
		return
	}
	for i := range b.few {
		if b.few[i].p == p {
			b.few[i].r = r
			return
		}
	}
	b.use(p, true)
	if len(b.few) < maxFew {
		b.few = append(b.few, bestRoute{p, r})
		return
	}
	b.many = make(map[netip.Prefix]*Route, 2*maxFew)
	b.counts = new([33 + 129]uint32)
	for _, e := range append(b.few, bestRoute{p, r}) {
		b.many[e.p] = e.r
		b.counts[lengthOf(e.p)]++
	}
	b.few = nil
}

// delete removes p's route, if there is one.
func (b *BestRoutes) delete(p netip.Prefix) {
	if b.many != nil {
		if _, ok := b.many[p]; ok {
			delete(b.many, p)
			if b.counts[lengthOf(p)]--; b.counts[lengthOf(p)] == 0 {
				b.use(p, false)
			}
		}
		return
	}
	i := slices.IndexFunc(b.few, func(e bestRoute) bool { return e.p == p })
	if i < 0 {
		return
	}
	b.few = slices.Delete(b.few, i, i+1)
	if !slices.ContainsFunc(b.few, func(e bestRoute) bool { return lengthOf(e.p) == lengthOf(p) }) {
		b.use(p, false)
	}
}

// lengthOf numbers a prefix's length in BestRoutes.counts: IPv4's
// first, then IPv6's.
func lengthOf(p netip.Prefix) int {
	if p.Addr().Is4() {
		return p.Bits()
	}
	return 33 + p.Bits()
}

// use sets or clears the bit of p's length.
func (b *BestRoutes) use(p netip.Prefix, in bool) {
	w, bit := &b.len4, uint(p.Bits())
	if !p.Addr().Is4() {
		w, bit = &b.len6[bit/64], bit%64
	}
	if in {
		*w |= 1 << bit
	} else {
		*w &^= 1 << bit
	}
}

// lookup is longest-prefix match.
func (b *BestRoutes) lookup(a netip.Addr) *Route {
	if a.Is4() {
		return b.longest(a, b.len4, 0)
	}
	for w := len(b.len6) - 1; w >= 0; w-- {
		if r := b.longest(a, b.len6[w], 64*w); r != nil {
			return r
		}
	}
	return nil
}

// longest is longest-prefix match over the lengths base+l for each bit l
// of lengths.
func (b *BestRoutes) longest(a netip.Addr, lengths uint64, base int) *Route {
	for lengths != 0 {
		l := bits.Len64(lengths) - 1
		lengths &^= 1 << l
		p, _ := a.Prefix(base + l)
		if r := b.Get(p); r != nil {
			return r
		}
	}
	return nil
}

// Saved is the routes of some prefixes in every table that held them
// (SaveDirty), for RestoreRoutes to put back.
type Saved struct {
	holders map[netip.Prefix][]holding
}

// Dirty is the prefixes changed since the last Converge, in no order.
func (n *Network) Dirty() []netip.Prefix {
	dirty := make([]netip.Prefix, 0, len(n.dirty))
	for p := range n.dirty {
		dirty = append(dirty, p)
	}
	return dirty
}

// SaveDirty saves the routes of the prefixes marked dirty, so
// RestoreRoutes can put them back after a recomputation.
func (n *Network) SaveDirty() Saved {
	sv := Saved{holders: map[netip.Prefix][]holding{}}
	for p := range n.dirty {
		sv.holders[p] = slices.Clone(n.holders[p])
	}
	return sv
}

// RestoreRoutes puts saved prefixes back as they were.
func (n *Network) RestoreRoutes(sv Saved) {
	for p, saved := range sv.holders {
		for _, h := range n.holders[p] {
			if !slices.ContainsFunc(saved, func(s holding) bool { return s.id == h.id }) {
				n.VRFs[h.id].Best.delete(p)
			}
		}
		for _, h := range saved {
			n.VRFs[h.id].Best.set(p, h.r)
		}
		n.holders[p] = slices.Clone(saved)
	}
}

// holding is a table's route for a prefix, as n.holders lists them.
type holding struct {
	id int32
	r  *Route
}
