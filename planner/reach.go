package planner

import (
	"cmp"
	"encoding/binary"
	"net/netip"
	"slices"

	"patchbay/lang"
)

// hop is the tightest link between a network and a routing domain: its MTU
// and the resource that sets it.
type hop struct {
	mtu int
	via lang.Resource
}

func tighter(a, b hop) hop {
	if b.via != nil && (a.via == nil || b.mtu < a.mtu) {
		return b
	}
	return a
}

// exported is a network as a routing domain sees it.
type exported struct {
	net lang.Network
	hop hop
}

// advertised is a prefix a domain carries that no network owns: a DX
// gateway association's allowed prefix.
type advertised struct {
	prefix netip.Prefix
	owner  *lang.Attachment
}

// domain is one routing table: users forward with it, routes are the
// networks (and advertised prefixes) installed in it. Two of its entries
// that overlap make a destination ambiguous or unreachable.
type domain struct {
	name     string
	at       lang.Resource
	users    []exported
	routes   []exported
	prefixes []advertised
}

// reachability models which networks see each other through which tables:
// Transit Gateway route tables (association and propagation), Cloud WAN
// segments (isolation and sharing) and Direct Connect gateways (both ways).
type reachability struct {
	p        *Plan
	domains  []*domain
	icMTU    map[lang.Ref]int
	lmMTU    map[lang.Ref]int
	byAttach map[lang.Ref][]lang.Resource // interconnects and last miles by attach point
	onprem   map[lang.Ref][]exported
	tgwLocal map[lang.Ref][]exported
	segLocal map[segKey][]exported

	routeIndex map[lang.Network][]*domain // built on first use by vpcsReaching
	sorted     []entry                    // built on first use by sortedPrefixes
	ids        []int32                    // by Seq: an owner's number, or -1
	nextID     int
	at, pos    []int32            // network id's entries are sorted[pos[at[id]:at[id+1]]]
	role       []uint8            // by network id, during one sweep
	picked     []int32            // a sweep's entries, kept for the next
	segDomain  map[segKey]*domain // each Cloud WAN segment's table
	tgwDomain  map[*TGWTablePlan]*domain
	tgwMTU     int
}

type segKey struct {
	core    lang.Ref
	segment string
}

func newReachability(p *Plan) *reachability {
	r := &reachability{p: p, icMTU: map[lang.Ref]int{}, lmMTU: map[lang.Ref]int{}, byAttach: map[lang.Ref][]lang.Resource{},
		onprem: map[lang.Ref][]exported{}, tgwLocal: map[lang.Ref][]exported{}, segLocal: map[segKey][]exported{},
		segDomain: map[segKey]*domain{}, tgwDomain: make(map[*TGWTablePlan]*domain, len(p.TGWTables)),
		tgwMTU: int(cat().Int("transit_gateway.mtu"))}
	for _, ic := range p.Interconnects {
		r.icMTU[ic.Interconnect] = ic.MTU
	}
	for _, lm := range p.LastMiles {
		r.lmMTU[lm.LastMile] = lm.MTU
	}
	for _, ic := range p.Design.Interconnects {
		r.byAttach[ic.AttachTo] = append(r.byAttach[ic.AttachTo], ic)
	}
	for _, lm := range p.Design.LastMiles {
		r.byAttach[lm.AttachTo] = append(r.byAttach[lm.AttachTo], lm)
	}
	r.build()
	return r
}

func (r *reachability) lookup(ref lang.Ref) lang.Resource {
	x, _ := r.p.Design.Lookup(ref)
	return x
}

func (r *reachability) network(ref lang.Ref) lang.Network {
	n, _ := r.lookup(ref).(lang.Network)
	return n
}

// endNetwork is the network at an attachment's a end.
func (r *reachability) endNetwork(a *lang.Attachment) lang.Network {
	x, _ := r.p.endsOf(a)
	n, _ := x.(lang.Network)
	return n
}

// direct lists the networks an Interconnect or last mile brings to its attach point.
func (r *reachability) direct(at lang.Ref, segment string, checkSegment bool) []exported {
	var out []exported
	for _, x := range r.byAttach[at] {
		switch c := x.(type) {
		case *lang.Interconnect:
			if !checkSegment || c.Segment == segment {
				out = append(out, exported{r.network(c.Peer), hop{r.icMTU[c.Ref()], c}})
			}
		case *lang.LastMile:
			// A last mile attaches through a DX gateway only, never to a segment.
			if !checkSegment {
				out = append(out, exported{r.network(c.Site), hop{r.lmMTU[c.Ref()], c}})
			}
		}
	}
	return out
}

func capHop(es []exported, h hop) []exported {
	out := make([]exported, len(es))
	for i, e := range es {
		out[i] = exported{e.net, tighter(e.hop, h)}
	}
	return out
}

func without(es []exported, drop []exported) []exported {
	if len(drop) == 0 {
		return es
	}
	gone := make(map[lang.Network]bool, len(drop))
	for _, d := range drop {
		gone[d.net] = true
	}
	return slices.DeleteFunc(slices.Clone(es), func(e exported) bool { return gone[e.net] })
}

func (r *reachability) build() {
	d := r.p.Design
	tgwMTU := int(cat().Int("transit_gateway.mtu"))
	wanMTU := int(cat().Int("cloud_wan.mtu"))
	privateVIF := int(cat().Int("last_mile.private_vif_mtu"))

	for _, g := range d.DXGateways {
		r.onprem[g.Ref()] = r.direct(g.Ref(), "", false)
	}
	for _, g := range d.TransitGateways {
		adj := r.p.attachedTo(g)
		local := make([]exported, 0, len(adj))
		for _, a := range adj {
			switch a.Kind {
			case lang.AttachVPCTGW:
				local = append(local, exported{r.endNetwork(a), hop{tgwMTU, a}})
			case lang.AttachDXGWTGW:
				local = append(local, capHop(r.onprem[a.A], hop{tgwMTU, a})...)
			}
		}
		local = append(local, r.direct(g.Ref(), "", false)...)
		r.tgwLocal[g.Ref()] = local
	}
	for _, cn := range d.CoreNetworks {
		for _, s := range cn.Segments {
			var local []exported
			for _, a := range r.p.attachedTo(cn) {
				if a.Segment != s.Name {
					continue
				}
				switch a.Kind {
				case lang.AttachVPCCloudWAN:
					local = append(local, exported{r.endNetwork(a), hop{wanMTU, a}})
				case lang.AttachDXGWWAN:
					local = append(local, capHop(r.onprem[a.A], hop{wanMTU, a})...)
				case lang.AttachTGWCloudWAN:
					local = append(local, capHop(r.intoSegment(a), hop{wanMTU, a})...)
				}
			}
			local = append(local, r.direct(cn.Ref(), s.Name, true)...)
			r.segLocal[segKey{cn.Ref(), s.Name}] = local
		}
	}

	// Transit Gateway route tables: users are what is associated, routes
	// what propagates.
	for _, t := range r.p.TGWTables {
		dom := &domain{name: "tgw_route_table." + t.Table, at: r.lookup(t.TGW)}
		if len(t.Associations) > 0 {
			// One export for each VPC attachment, most of a hub's.
			dom.users = make([]exported, 0, len(t.Associations))
		}
		for i, a := range t.Associations {
			dom.users = r.appendExports(dom.users, r.named(t.associated, i, a), t.TGW)
		}
		if slices.Equal(t.Associations, t.Propagations) {
			// A default table associates and propagates the same
			// attachments: thousands of them on a hub.
			dom.routes = slices.Clone(dom.users)
		} else {
			for i, a := range t.Propagations {
				dom.routes = r.appendExports(dom.routes, r.named(t.propagated, i, a), t.TGW)
			}
		}
		r.tgwDomain[t] = dom
		r.domains = append(r.domains, dom)
	}

	// Cloud WAN segments: attachments learn each other unless isolated, and
	// the routes of every segment shared with theirs.
	for _, cn := range d.CoreNetworks {
		shared := sharedSegments(cn)
		for _, s := range cn.Segments {
			key := segKey{cn.Ref(), s.Name}
			dom := &domain{name: "core_network." + cn.Name + " segment " + s.Name, at: cn, users: r.segLocal[key]}
			if !s.IsolateAttachments {
				dom.routes = append(dom.routes, r.segLocal[key]...)
			}
			for _, o := range shared[s.Name] {
				dom.routes = append(dom.routes, r.segLocal[segKey{cn.Ref(), o}]...)
			}
			// Service insertion steers to the other segment's attachments,
			// through the network function group.
			for _, o := range insertedSegments(cn)[s.Name] {
				if o != s.Name || s.IsolateAttachments {
					dom.routes = append(dom.routes, r.segLocal[segKey{cn.Ref(), o}]...)
				}
			}
			r.segDomain[key] = dom
			r.domains = append(r.domains, dom)
		}
	}

	// Direct Connect gateways: the AWS side learns every on-premises and
	// peer network; those learn what each association advertises. There is
	// no transit between associations.
	for _, g := range d.DXGateways {
		onprem := r.onprem[g.Ref()]
		toAWS := &domain{name: "dx_gateway." + g.Name, at: g, routes: onprem}
		toOnprem := &domain{name: "dx_gateway." + g.Name + " (towards on-premises)", at: g, users: onprem}
		for _, a := range r.p.adjacent(g.Ref()) {
			var side []exported
			switch a.Kind {
			case lang.AttachDXGWVGW:
				for _, va := range r.p.adjacent(a.B) {
					if va.Kind == lang.AttachVGWVPC {
						side = append(side, exported{r.network(va.B), hop{privateVIF, va}})
					}
				}
			case lang.AttachDXGWTGW:
				side = without(r.tgwLocal[a.B], onprem)
			case lang.AttachDXGWWAN:
				side = without(r.segLocal[segKey{a.B, a.Segment}], onprem)
			}
			toAWS.users = append(toAWS.users, side...)
			switch {
			case (a.Kind == lang.AttachDXGWVGW || a.Kind == lang.AttachDXGWWAN) && len(a.AllowedPrefixes) > 0:
				// Towards on-premises a virtual private gateway association
				// advertises its VPC's CIDR when an allowed prefix covers it:
				// the list filters, it is never advertised itself
				// (https://docs.aws.amazon.com/directconnect/latest/UserGuide/allowed-to-prefixes.html,
				// checked 2026-12). A core network's attachment takes no
				// list; the design's filters what its segment propagates,
				// as an outbound routing policy would (the topology's).
				for _, e := range side {
					if coveredBy(e.net, a.AllowedPrefixes) {
						toOnprem.routes = append(toOnprem.routes, e)
					}
				}
			case len(a.AllowedPrefixes) > 0:
				for _, pfx := range a.AllowedPrefixes {
					toOnprem.prefixes = append(toOnprem.prefixes, advertised{pfx, a})
				}
			default:
				toOnprem.routes = append(toOnprem.routes, side...)
			}
		}
		r.domains = append(r.domains, toAWS, toOnprem)
	}
}

// coveredBy reports whether an allowed prefix equals or covers one of the
// network's blocks.
func coveredBy(n lang.Network, allowed []netip.Prefix) bool {
	v4, v6 := n.Addresses()
	for _, b := range slices.Concat(v4, v6) {
		for _, a := range allowed {
			if a.Bits() <= b.Bits() && a.Masked().Contains(b.Addr()) {
				return true
			}
		}
	}
	return false
}

// vpcsReaching lists the VPCs that reach network n: the users of every
// domain in which n is a route, in the order the domains were built.
func (r *reachability) vpcsReaching(n lang.Network) []exported {
	if r.routeIndex == nil {
		r.routeIndex = map[lang.Network][]*domain{}
		for _, dom := range r.domains {
			for _, e := range dom.routes {
				if ds := r.routeIndex[e.net]; len(ds) == 0 || ds[len(ds)-1] != dom {
					r.routeIndex[e.net] = append(ds, dom)
				}
			}
		}
	}
	var out []exported
	seen := map[lang.Network]bool{}
	for _, dom := range r.routeIndex[n] {
		for _, u := range dom.users {
			if _, isVPC := u.net.(*lang.VPC); isVPC && !seen[u.net] {
				seen[u.net] = true
				out = append(out, u)
			}
		}
	}
	return out
}

// exportsInto is what a TGW attachment (or an Interconnect attached to the
// TGW) brings into the TGW's tables.
func (r *reachability) exportsInto(att lang.Ref, tgw lang.Ref) []exported {
	return r.appendExports(nil, r.lookup(att), tgw)
}

// appendExports appends to dst what x, a TGW attachment or an Interconnect
// attached to the TGW, brings into the TGW's tables.
func (r *reachability) appendExports(dst []exported, x lang.Resource, tgw lang.Ref) []exported {
	switch x := x.(type) {
	case *lang.Interconnect:
		return append(dst, exported{r.network(x.Peer), hop{r.icMTU[x.Ref()], x}})
	case *lang.Attachment:
		switch x.Kind {
		case lang.AttachVPCTGW:
			return append(dst, exported{r.endNetwork(x), hop{r.tgwMTU, x}})
		case lang.AttachDXGWTGW:
			return append(dst, capHop(r.onprem[x.A], hop{r.tgwMTU, x})...)
		case lang.AttachTGWCloudWAN:
			return append(dst, without(r.segLocal[segKey{x.B, x.Segment}], r.tgwLocal[tgw])...)
		}
	}
	return dst // peering takes static routes only
}

// named is rs[i] when the plan kept the resources a list of references
// names, else the resource ref names.
func (r *reachability) named(rs []lang.Resource, i int, ref lang.Ref) lang.Resource {
	if rs != nil {
		return rs[i]
	}
	return r.lookup(ref)
}

// exportsOfWANAttachment is what a Cloud WAN attachment brings into its
// segment.
func (r *reachability) exportsOfWANAttachment(att lang.Ref) []exported {
	a, ok := r.lookup(att).(*lang.Attachment)
	if !ok {
		return nil
	}
	switch a.Kind {
	case lang.AttachVPCCloudWAN:
		return []exported{{r.network(a.A), hop{}}}
	case lang.AttachDXGWWAN:
		return r.onprem[a.A]
	case lang.AttachTGWCloudWAN:
		return r.intoSegment(a)
	}
	return nil
}

// intoSegment is what a Transit Gateway's attachment a to a core network
// brings into its segment: it is the route table attachment of the
// gateway's table it is associated with, which advertises that table, what
// it propagates and where its static routes go, less what it learns from
// Cloud WAN (as the topology advertises it); nothing when it is associated
// with none. The Transit
// Gateway's tables are known from the plan before the segments are.
func (r *reachability) intoSegment(a *lang.Attachment) []exported {
	t := r.p.associatedTable(a.A, a.Ref())
	if t == nil {
		return nil
	}
	var out []exported
	for i, ref := range t.Propagations {
		x := r.named(t.propagated, i, ref)
		if y, ok := x.(*lang.Attachment); ok && y.Kind == lang.AttachTGWCloudWAN {
			continue
		}
		out = r.appendExports(out, x, t.TGW)
	}
	// The table's static routes go too, to what their targets hold.
	if t.declared == nil {
		return out
	}
	for _, rt := range t.declared.Routes {
		if x := r.lookup(rt.Target); x != nil {
			if y, ok := x.(*lang.Attachment); ok && y.Kind == lang.AttachTGWCloudWAN {
				continue
			}
			out = r.appendExports(out, x, t.TGW)
		}
	}
	return out
}

// insertedSegments maps each segment to the segments a send-via steers
// its traffic to, both ways; a segment may be its own.
func insertedSegments(cn *lang.CoreNetwork) map[string][]string {
	out := map[string][]string{}
	link := func(a, b string) {
		if !slices.Contains(out[a], b) {
			out[a] = append(out[a], b)
		}
	}
	for _, a := range cn.Actions {
		if a.Action != lang.ActionSendVia {
			continue
		}
		for _, w := range segmentsOf(cn, a.WhenSentTo) {
			link(a.Segment, w)
			link(w, a.Segment)
		}
	}
	return out
}

// sharedSegments maps each segment to the segments sharing with it; share
// is bidirectional and "*" means every segment.
func sharedSegments(cn *lang.CoreNetwork) map[string][]string {
	out := map[string][]string{}
	link := func(a, b string) {
		if a != b && !slices.Contains(out[a], b) {
			out[a] = append(out[a], b)
		}
	}
	for _, act := range cn.Actions {
		if act.Action != lang.ActionShare {
			continue
		}
		for _, w := range act.ShareWith {
			for _, s := range cn.Segments {
				if w == "*" || w == s.Name {
					link(act.Segment, s.Name)
					link(s.Name, act.Segment)
				}
			}
		}
	}
	for k := range out {
		slices.Sort(out[k])
	}
	return out
}

// entry is one prefix in an overlap sweep. id numbers the owner, so pairs
// can be keyed cheaply.
type entry struct {
	pfx   netip.Prefix
	owner lang.Resource // a network, or the attachment of an allowed prefix
	id    int
	route bool
}

// compareEntries orders by address, then prefix length, then owner.
func compareEntries(a, b entry) int {
	return compareKeys(keyOf(a), keyOf(b))
}

// entryKey is an entry's place in the sort, made once: sorting a million
// prefixes compares them twenty million times. hi and lo are the address;
// ord is the address family (invalid, IPv4, IPv6: the order of
// Addr.Compare) in its top bits, then the prefix length, then the owner's
// id. It holds the whole prefix, so the sorted entries are made from the
// keys and no unsorted copy of them is needed.
type entryKey struct {
	hi, lo, ord uint64
}

// prefix is the prefix k was made from (masked prefixes carry no zone).
func (k entryKey) prefix() netip.Prefix {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], k.hi)
	binary.BigEndian.PutUint64(b[8:], k.lo)
	a := netip.AddrFrom16(b)
	if k.ord>>62 == 1 {
		a = a.Unmap()
	}
	return netip.PrefixFrom(a, int(k.ord>>40&0xff))
}

// id is the owner's id of the entry k was made from.
func (k entryKey) id() int { return int(k.ord & (1<<40 - 1)) }

func keyOf(e entry) entryKey {
	a := e.pfx.Addr()
	b := a.As16()
	fam := uint64(0)
	switch {
	case a.Is4():
		fam = 1
	case a.Is6():
		fam = 2
	}
	return entryKey{hi: binary.BigEndian.Uint64(b[:8]), lo: binary.BigEndian.Uint64(b[8:]),
		ord: fam<<62 | uint64(e.pfx.Bits()&0xff)<<40 | uint64(e.id)}
}

func compareKeys(a, b entryKey) int {
	if fa, fb := a.ord>>62, b.ord>>62; fa != fb {
		return cmp.Compare(fa, fb)
	}
	if a.hi != b.hi {
		return cmp.Compare(a.hi, b.hi)
	}
	if a.lo != b.lo {
		return cmp.Compare(a.lo, b.lo)
	}
	return cmp.Compare(a.ord, b.ord)
}

// sortedPrefixes is every network prefix of the design, sorted once; each
// domain's sweep picks its networks' entries out of it instead of sorting
// its own copy, since many domains (every TGW table on a shared Cloud WAN
// segment) hold most of the same networks.
func (r *reachability) sortedPrefixes() []entry {
	if r.sorted != nil {
		return r.sorted
	}
	nets := r.p.Design.Networks()
	r.ids = make([]int32, r.p.Design.Len())
	for i := range r.ids {
		r.ids[i] = -1
	}
	r.nextID = 0
	size := 0
	for _, n := range nets {
		v4, v6 := n.Addresses()
		size += len(v4) + len(v6)
	}
	// The ids are fresh, so a network's id is its place in nets.
	keys := make([]entryKey, 0, size)
	for _, n := range nets {
		id := r.id(n)
		v4, v6 := n.Addresses()
		first := len(keys)
		for _, ps := range [2][]netip.Prefix{v4, v6} {
			for _, p := range ps {
				k := keyOf(entry{pfx: p.Masked(), id: id})
				// A network lists a handful of blocks: a scan finds a repeat.
				if p.IsValid() && !slices.Contains(keys[first:], k) {
					keys = append(keys, k)
				}
			}
		}
	}
	slices.SortFunc(keys, compareKeys)
	if len(keys) > 0 {
		r.sorted = make([]entry, len(keys))
	}
	for i, k := range keys {
		r.sorted[i] = entry{pfx: k.prefix(), owner: nets[k.id()], id: k.id()}
	}
	// Where each network's entries landed, grouped by network.
	r.at = make([]int32, len(nets)+1)
	for _, e := range r.sorted {
		r.at[e.id+1]++
	}
	for i := 1; i < len(r.at); i++ {
		r.at[i] += r.at[i-1]
	}
	r.pos = make([]int32, len(r.sorted))
	fill := slices.Clone(r.at[:len(nets)])
	for i, e := range r.sorted {
		r.pos[fill[e.id]] = int32(i)
		fill[e.id]++
	}
	r.role = make([]uint8, len(nets))
	return r.sorted
}

// id numbers an owner of prefixes, in the order they are first met. The
// numbers are kept by declaration (Seq), which numbers every resource of
// the design from 0.
func (r *reachability) id(x lang.Resource) int {
	n := x.Seq()
	for n >= len(r.ids) {
		r.ids = append(r.ids, -1)
	}
	if r.ids[n] < 0 {
		r.ids[n] = int32(r.nextID)
		r.nextID++
	}
	return int(r.ids[n])
}

// maxPairs bounds the pairs one prefix reports; beyond it they are counted.
// A thousand copies of one CIDR then cost a thousand sweeps steps, not half
// a million pairs.
const maxPairs = 8

// overlaps calls fn for overlapping entries of different owners of which at
// least one is a route, at most maxPairs for each entry, and more with the
// number of further overlaps an entry had. Prefixes either nest or are
// disjoint, so in address order a stack of the prefixes that contain the
// current one finds every overlap.
func (r *reachability) overlaps(dom *domain, fn func(a, b entry), more func(e entry, n int)) {
	const user, route = 1, 2
	all := r.sortedPrefixes()
	// The domain's entries, in the global order: its networks' positions
	// in all, sorted.
	picked := r.picked[:0]
	var members []int
	mark := func(n lang.Network, rl uint8) {
		if n == nil {
			return // no network: no entries
		}
		// Once: a domain marks thousands of networks, and each call reads
		// the network through its interface.
		seq := n.Seq()
		if seq >= len(r.ids) || r.ids[seq] < 0 || int(r.ids[seq]) >= len(r.role) {
			return // not a network of the design: no entries
		}
		id := int(r.ids[seq])
		if r.role[id] == 0 {
			members = append(members, id)
			picked = append(picked, r.pos[r.at[id]:r.at[id+1]]...)
		}
		r.role[id] |= rl
	}
	for _, e := range dom.users {
		mark(e.net, user)
	}
	for _, e := range dom.routes {
		mark(e.net, route)
	}
	slices.Sort(picked)
	defer func() {
		for _, id := range members {
			r.role[id] = 0
		}
		r.picked = picked
	}()
	var extra []entry
	for _, a := range dom.prefixes {
		extra = append(extra, entry{pfx: a.prefix.Masked(), owner: a.owner, id: r.id(a.owner), route: true})
	}
	slices.SortFunc(extra, compareEntries)

	var stack []entry
	var routes []int // indexes of the stack's routes: a user conflicts with routes only
	visit := func(e entry) {
		for len(stack) > 0 && !stack[len(stack)-1].pfx.Overlaps(e.pfx) {
			stack = stack[:len(stack)-1]
			if n := len(routes); n > 0 && routes[n-1] >= len(stack) {
				routes = routes[:n-1]
			}
		}
		reported, total := 0, 0
		report := func(s entry) {
			if s.id == e.id {
				return
			}
			total++
			if reported < maxPairs {
				reported++
				fn(s, e)
			}
		}
		if e.route {
			for i := len(stack) - 1; i >= 0 && reported < maxPairs; i-- {
				report(stack[i])
			}
			if reported == maxPairs {
				total = len(stack) // close enough: an owner's own nested prefixes are rare
			}
		} else {
			for i := len(routes) - 1; i >= 0 && reported < maxPairs; i-- {
				report(stack[routes[i]])
			}
			if reported == maxPairs {
				total = len(routes)
			}
		}
		if total > reported {
			more(e, total-reported)
		}
		if e.route {
			routes = append(routes, len(stack))
		}
		stack = append(stack, e)
	}
	j := 0
	for _, i := range picked {
		e := all[i]
		rl := r.role[e.id]
		for j < len(extra) && compareEntries(extra[j], e) < 0 {
			visit(extra[j])
			j++
		}
		e.route = rl&route != 0
		visit(e)
	}
	for ; j < len(extra); j++ {
		visit(extra[j])
	}
}
