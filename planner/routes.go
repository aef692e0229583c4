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
	// ASPath counts the ASes in its path: one for each BGP session it
	// crossed and each core network edge or peered Transit Gateway it
	// came from (Relation.ASN).
	ASPath int
	// Via is the relation it was learned over, nil for a static or local
	// route; Source is the declaration behind it.
	Via    *Relation
	Source lang.Range
	// MTU is the largest packet the route itself sends, 0 for no limit
	// but its links' (Static.MTU).
	MTU int

	// asns is the AS path itself, the nearest AS first (the exporter of
	// each session crossed), which multipath compares; id is the BGP
	// identifier of the router it was last received from over eBGP and
	// peer that router's address on the session, the final tie-breaks.
	// All are carried across a service's own relations.
	asns     []uint32
	id, peer netip.Addr
	// dx is how a gateway learned it from a Direct Connect location (see
	// dxOf): 0 for any other way; inRegion that the location is in the
	// gateway's Region. Neither is carried on.
	dx       int
	inRegion bool
}

// Route selection. A table takes, for one prefix (the longest match is
// the lookup's), the best of its candidates by these steps; the simulator
// (sim/network/routing.go) runs the same ones with the BGP attributes the planner
// leaves equal (local preference, origin, MED).
//
//  1. The administrative preference (Pref): how the route was learned, in
//     the order Transit Gateway and Cloud WAN rank sources (see PrefLocal),
//     except that a Cloud WAN edge ranks its dynamic routes (Direct
//     Connect gateway, peering, remote edges) alike here and by their kind
//     only after the AS path, in step 3 (KindRank).
//  2. Direct Connect's own choice, at a gateway learning routes from the
//     AWS routers of Direct Connect locations (a Transit Gateway, virtual
//     private gateway or Cloud WAN edge learning from the channels of an
//     Interconnect or the connections of a last mile; dxChoose): among the
//     paths through one DX gateway, the highest local preference (the
//     7224:7100/7200/7300 communities), then a location in the gateway's
//     own Region, then the shorter AS path. Direct Connect's routing
//     policies for private and transit virtual interfaces say "AWS
//     evaluates the longest prefix match first", "By default, AWS uses the
//     distance from the local Region to the AWS Direct Connect to determine
//     the virtual (or transit) interface for routing. You can modify this
//     behavior by assigning local preference communities to virtual
//     interfaces", "When you have multiple virtual interfaces in a Region,
//     you can set the AS_PATH attribute to prioritize which interface AWS
//     uses to route traffic" and "Local preference BGP community tags are
//     evaluated before any AS_PATH attribute"
//     (https://docs.aws.amazon.com/directconnect/latest/UserGuide/routing-and-bgp.html#private-routing-policies,
//     read 2026-12). Its example, the VPC in us-east-1, routes over VIF B
//     (us-east-1, AS_PATH "65001, 65001") rather than VIF A (us-east-1,
//     three) or VIF C (us-west-1, "65001"), until VIF C advertises a
//     longer prefix
//     (https://docs.aws.amazon.com/directconnect/latest/UserGuide/private-transit-vif-example.html,
//     read 2026-12). "Local" is the Region of the gateway the DX gateway
//     is associated with, where the traffic enters Direct Connect: the
//     Region of the VPCs behind it, and for traffic from another Region
//     over a peering still the gateway's (estimated: the pages speak of
//     the VPC's Region only). Locations in other Regions all rank alike,
//     their AS paths deciding between them (estimated: AWS speaks of
//     "distance" without a measure; operators report the DX gateway
//     sharing equal remote paths).
//  3. The shorter AS path, then at a Cloud WAN edge the kind of dynamic
//     route, then the shorter path through the network (compareRoutes).
//     Transit Gateway ranks BGP routes of one attachment
//     type by "Shorter AS Path length", "Lower MED value"
//     (https://docs.aws.amazon.com/vpc/latest/tgw/how-transit-gateways-work.html#tgw-route-evaluation-overview,
//     read 2026-12); local preference is the DX gateway's alone, so it is
//     not compared again here.
//  4. What is still equal is multipath where the router would spread
//     traffic over it (multipath): at AWS only routes with the very same
//     AS path — Direct Connect gateway attachments "support ECMP across
//     multiple Direct Connect Gateway attachments when the network prefix,
//     prefix length, and AS_PATH are exactly the same" and "BGP Multipath
//     AS-Path Relax is not supported, so you can't use ECMP over different
//     Autonomous System Numbers" (Transit Gateway page above, "Equal Cost
//     Multipath routing"); elsewhere (the customer's router, the partner
//     cloud's) routes from the same neighbouring AS, the default of Quagga's
//     multipath: "routes received from eBGP neighbours in the same AS are
//     considered equal"
//     (https://nongnu.org/quagga/docs/docs-multi/BGP-decision-process.html,
//     read 2026-12). Routes that crossed no session are multipath when
//     equal.
//  5. Of the rest, one route (tieBreak): the lowest BGP identifier of the
//     router it was last received from over eBGP (RFC 4271 §9.1.2.2 (f);
//     a router's identifier is its lowest IPv4 peering address,
//     Side.RouterID), then the lowest peer address ((g): two sessions
//     from one router), then the path that sorts first. The steps before it are RFC 4271's
//     as far as they differ here: eBGP over iBGP (e) never does, as every
//     session is eBGP, and keeping the route already selected (RFC 5004,
//     Quagga's "Already-selected external check") is left out, as with
//     Quagga's "bgp bestpath compare-routerid", so the choice does not
//     depend on which session came up first. AWS says of equal routes only
//     that it "can't guarantee a consistent route prioritization order"
//     (Transit Gateway page above), so at AWS this step is estimated.

// compareRoutes is step 3: the administrative preference as the table
// ranks it before the AS path (KindRank), the AS path length, the
// preference itself, then the shorter path through the network. Routes
// equal by it go on to multipath and the tie-break. pathFirst: the table
// is a Cloud WAN edge's (PathFirst).
func compareRoutes(a, b *Route, pathFirst bool) int {
	return cmp.Or(cmp.Compare(KindRank(a.Pref, pathFirst), KindRank(b.Pref, pathFirst)), cmp.Compare(a.ASPath, b.ASPath),
		cmp.Compare(a.Pref, b.Pref), cmp.Compare(len(a.Path), len(b.Path)))
}

// KindRank is what step 3 compares of a route's preference before its AS
// path: the preference itself (Transit Gateway: "Static routes", then
// VPC, Direct Connect gateway, Connect and VPN propagated routes, and
// within one kind "Shorter AS Path length", "Lower MED value";
// https://docs.aws.amazon.com/vpc/latest/tgw/how-transit-gateways-work.html#tgw-route-evaluation-overview,
// read 2026-12), except at a Cloud WAN edge (pathFirst), which puts
// static routes and the VPC routes of its Region first and ranks every
// dynamic route alike there: "For dynamic routes received at the core
// network with an unequal AS path length and/or MED BGP attributes,
// Cloud WAN evaluates them in the following order: AS path length, MED",
// and only when both are equal "Direct Connect gateway-propagated
// routes", then Connect and VPN in the same Region, then "Routes
// propagated from other sources, such as transit gateway peering and
// core network edges in other remote Regions"
// (https://docs.aws.amazon.com/network-manager/latest/cloudwan/cloudwan-route-evaluation.html,
// read 2026-12). So a remote edge's route with a shorter AS path wins
// over the edge's own prepended Direct Connect one.
func KindRank(pref int, pathFirst bool) int {
	if pathFirst && pref >= PrefDX {
		return PrefDX
	}
	return pref
}

// PathFirst reports whether d's tables rank dynamic routes by AS path
// before their kind (KindRank): Cloud WAN edges'.
func PathFirst(d *Device) bool { return d.Role == RoleCloudWAN }

// dxCompare is step 2 between two routes through one DX gateway.
func dxCompare(a, b *Route) int {
	return cmp.Or(cmp.Compare(a.Pref, b.Pref), CompareRegion(a.inRegion, b.inRegion), cmp.Compare(a.ASPath, b.ASPath))
}

// CompareRegion puts a location in the gateway's Region first (step 2;
// the simulator's selection uses it too).
func CompareRegion(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return -1
	}
	return 1
}

// tieBreak is step 5.
func tieBreak(a, b *Route) int {
	return cmp.Or(a.id.Compare(b.id), a.peer.Compare(b.peer), slices.Compare(a.Path, b.Path))
}

// multipath reports whether r shares traffic with best, the route the
// tie-break chose (step 4).
func multipath(best, r *Route, mp Multipath) bool {
	switch mp {
	case MultipathExact:
		return slices.Equal(best.asns, r.asns)
	case MultipathOff:
		return false
	}
	return neighbourAS(best.asns) == neighbourAS(r.asns)
}

// neighbourAS is the AS a route was learned from, 0 for none.
func neighbourAS(asns []uint32) uint32 {
	if len(asns) == 0 {
		return 0
	}
	return asns[0]
}

// DXChoice reports whether a table of a device with role to learning from
// one with role from makes Direct Connect's choice (step 2): a gateway
// learning from the AWS router of a Direct Connect location.
func DXChoice(from, to Role) bool {
	return from == RoleAWSEdge && (to == RoleTGW || to == RoleVGW || to == RoleCloudWAN)
}

// Multipath is which of the routes still equal after step 3 a table
// shares traffic over (step 4).
type Multipath uint8

const (
	// MultipathNeighbourAS: every one from the best route's neighbouring
	// AS (routers on the customer's and partner's side).
	MultipathNeighbourAS Multipath = iota
	// MultipathExact: only those with the very same AS path (AWS).
	MultipathExact
	// MultipathOff: none; the tie-break (step 5) picks one route. A site
	// whose router runs without BGP multipath (site(multipath = False)),
	// as routers do unless told otherwise.
	MultipathOff
)

// MultipathOf is the multipath a table of d runs.
func MultipathOf(d *Device) Multipath {
	switch {
	case d.SinglePath:
		return MultipathOff
	case d.Role == RoleTGW, d.Role == RoleVGW, d.Role == RoleCloudWAN, d.Role == RoleDXGW, d.Role == RoleAWSEdge:
		return MultipathExact
	}
	return MultipathNeighbourAS
}

// dxOf says how a learns: 0 when it is not Direct Connect's choice, else
// 1 + the ID of the DX gateway the relation passes through, or -1 for a
// connection attached to the gateway itself (all of one gateway's choose
// together, as a virtual private gateway's own VIFs would); and whether
// the location is in the gateway's Region.
func dxOf(a *Relation) (group int, inRegion bool) {
	from, to := a.From.Device, a.To.Device
	if !DXChoice(from.Role, to.Role) {
		return 0, false
	}
	group = -1
	if a.Via != nil {
		for _, d := range a.Via.Link.Via {
			if d.Role == RoleDXGW {
				group = 1 + d.ID
			}
		}
	}
	return group, to.Region != "" && from.Region == to.Region
}

// HopMTU is the largest packet r sends out of i: the link's MTU, or the
// route's own when smaller (a static route to a virtual private
// gateway's 1500).
func (r *Route) HopMTU(i *Iface) int {
	if r.MTU > 0 && r.MTU < i.Link.MTU {
		return r.MTU
	}
	return i.Link.MTU
}

func (r *Route) same(o *Route) bool {
	return r.Pref == o.Pref && slices.Equal(r.Path, o.Path) && r.Local == o.Local && r.Blackhole == o.Blackhole &&
		r.ASPath == o.ASPath && slices.Equal(r.NextHops, o.NextHops) && slices.Equal(r.asns, o.asns) && r.id == o.id && r.peer == o.peer &&
		r.MTU == o.MTU
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
	// sessions are the plan's, by name: who exports over each.
	sessions map[string]*Session

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
			Origin: st.Origin(), Source: st.Source(), MTU: st.MTU}
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
	return choose(cands, MultipathOf(v.Device), PathFirst(v.Device))
}

// learned is the route a.To gets from r.
func (s *solver) learned(a *Relation, r *Route) *Route {
	pref := a.Pref
	if a.KeepPref {
		pref = r.Pref
	}
	nr := &Route{Prefix: r.Prefix, Pref: pref, Path: append(slices.Clip(r.Path), int32(a.To.ID)), Tag: a.Tag, Origin: r.Origin,
		ASPath: r.ASPath, Via: a, Source: a.Source, asns: r.asns, id: r.id, peer: r.peer}
	switch {
	case a.Session != "":
		nr.ASPath++
		from := s.exporter(a)
		nr.asns = append([]uint32{from.ASN}, r.asns...)
		nr.id, nr.peer = from.RouterID, from.Address
	case a.ASN != 0:
		nr.ASPath++
		nr.asns = append([]uint32{a.ASN}, r.asns...)
	}
	nr.dx, nr.inRegion = dxOf(a)
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

// exporter is the end of a's session on a.From's device: the router that
// sends the routes, its AS, identifier and address. The session named is
// the link's IPv4 one, whose address the simulator's routes carry too.
func (s *solver) exporter(a *Relation) Side {
	ps := s.sessions[a.Session]
	switch {
	case ps == nil:
		return Side{}
	case ps.Local.Device == a.From.Device.Name:
		return ps.Local
	}
	return ps.Peer
}

// choose runs the selection (see compareRoutes) over every candidate at
// once, so the result does not depend on the order they came in, but for
// candidates alike in all (two static routes of one table), where the
// first counts. mp: which equal routes the table shares over; pathFirst:
// how it ranks dynamic routes (compareRoutes). The routes merged for
// multipath carry the path that sorts first.
func choose(cands []*Route, mp Multipath, pathFirst bool) *Route {
	cands = dxChoose(cands)
	if len(cands) == 0 {
		return nil
	}
	// The best by compareRoutes, then of those equal to it the one the
	// tie-break picks; no list of them is kept, as most tables choose
	// from one or two.
	top := cands[0]
	for _, r := range cands[1:] {
		if compareRoutes(r, top, pathFirst) < 0 {
			top = r
		}
	}
	best := top
	for _, r := range cands {
		if compareRoutes(r, top, pathFirst) == 0 && tieBreak(r, best) < 0 {
			best = r
		}
	}
	if best.Local || best.Blackhole {
		return best
	}
	out := best
	for _, r := range cands {
		if r == best || r.Local || r.Blackhole || compareRoutes(r, top, pathFirst) != 0 || !multipath(best, r, mp) {
			continue
		}
		merged := *out
		merged.NextHops = mergeIfaces(out.NextHops, r.NextHops)
		if slices.Compare(r.Path, out.Path) < 0 {
			merged.Path, merged.Tag, merged.Origin, merged.ASPath, merged.Via, merged.Source = r.Path, r.Tag, r.Origin, r.ASPath, r.Via, r.Source
			merged.asns, merged.id, merged.peer = r.asns, r.id, r.peer
		}
		out = &merged
	}
	return out
}

// dxChoose is step 2: of the routes through each DX gateway, only the
// best by dxCompare go on.
func dxChoose(cands []*Route) []*Route {
	var best map[int]*Route
	for _, r := range cands {
		if r.dx == 0 {
			continue
		}
		if best == nil {
			best = map[int]*Route{}
		}
		if b, ok := best[r.dx]; !ok || dxCompare(r, b) < 0 {
			best[r.dx] = r
		}
	}
	if best == nil {
		return cands
	}
	out := make([]*Route, 0, len(cands))
	for _, r := range cands {
		if r.dx == 0 || dxCompare(r, best[r.dx]) == 0 {
			out = append(out, r)
		}
	}
	return out
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
