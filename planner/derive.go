package planner

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"patchbay/lang"
	"patchbay/stdlib"
)

// places is the resources and what joins them, as an undirected simple
// graph: vertices numbered in declaration order (kinds in the order of
// lang.Kinds), each with its distinct neighbours. It is built once and
// read by index, since a design of 10,000 VPCs has as many vertices and a
// map of maps per vertex cost more than the rest of planning.
type places struct {
	refs []lang.Ref
	adj  [][]int32
}

// appendPlaces appends the resources of xs to out.
func appendPlaces[T lang.Resource](out []lang.Resource, xs []T) []lang.Resource {
	for _, x := range xs {
		out = append(out, x)
	}
	return out
}

func (p *Plan) buildGraph() {
	d := p.Design
	// The places, in the order of Design.All: route tables and monitors
	// describe behaviour, not places.
	var vs []lang.Resource
	vs = appendPlaces(vs, d.VPCs)
	vs = appendPlaces(vs, d.GCPVPCs)
	vs = appendPlaces(vs, d.Sites)
	vs = appendPlaces(vs, d.VPNGateways)
	vs = appendPlaces(vs, d.DXGateways)
	vs = appendPlaces(vs, d.TransitGateways)
	vs = appendPlaces(vs, d.CoreNetworks)
	vs = appendPlaces(vs, d.Interconnects)
	vs = appendPlaces(vs, d.LastMiles)
	g := places{refs: make([]lang.Ref, len(vs)), adj: make([][]int32, len(vs))}
	// index numbers the vertices by the resource's Seq; -1 for the rest.
	index := make([]int32, d.Len())
	for i := range index {
		index[i] = -1
	}
	for i, x := range vs {
		index[x.Seq()] = int32(i)
		g.refs[i] = x.Ref()
	}
	vertex := func(x lang.Resource, other lang.Resource) int32 {
		if i := index[x.Seq()]; i >= 0 {
			return i
		}
		panic(fmt.Sprintf("planner: edge %s–%s: vertex %s not found", x.Ref(), other.Ref(), x.Ref())) // resolve() checked both ends
	}
	lookup := func(r lang.Ref) lang.Resource {
		x, _ := d.Lookup(r)
		return x
	}
	edges := make([][2]int32, 0, len(d.Attachments)+2*len(d.Interconnects)+2*len(d.LastMiles))
	edge := func(a, b lang.Resource) {
		edges = append(edges, [2]int32{vertex(a, b), vertex(b, a)})
	}
	for _, a := range d.Attachments {
		edge(p.endsOf(a))
	}
	for _, ic := range d.Interconnects {
		edge(lookup(ic.AttachTo), ic)
		edge(ic, lookup(ic.Peer))
	}
	for _, lm := range d.LastMiles {
		edge(lookup(lm.Site), lm)
		edge(lm, lookup(lm.AttachTo))
	}
	// Every vertex's neighbours in one array: a slice each would be
	// thousands of small allocations.
	degree := make([]int32, len(vs)+1)
	for _, e := range edges {
		degree[e[0]+1]++
		if e[0] != e[1] {
			degree[e[1]+1]++
		}
	}
	for i := 1; i < len(degree); i++ {
		degree[i] += degree[i-1]
	}
	all := make([]int32, degree[len(vs)])
	fill := slices.Clone(degree[:len(vs)])
	for _, e := range edges {
		all[fill[e[0]]] = e[1]
		fill[e[0]]++
		if e[0] != e[1] {
			all[fill[e[1]]] = e[0]
			fill[e[1]]++
		}
	}
	// A second edge between the same two places (two attachments, or an
	// Interconnect's two ends) is one edge.
	for i := range g.adj {
		if ns := all[degree[i]:degree[i+1]:degree[i+1]]; len(ns) > 0 {
			slices.Sort(ns)
			g.adj[i] = slices.Compact(ns)
		}
	}
	p.graph = g
}

// allocator hands out link-local subnets and VLANs in declaration order, so
// the same design always gets the same addresses. A VLAN tag is local to a
// router's port, so each AWS router counts its own; with the default
// placement the four channels of an Interconnect get the same number.
type allocator struct {
	next  netip.Addr
	next6 netip.Addr     // the next IPv6 session's /125
	vlans map[string]int // next free VLAN per AWS router
}

// ipv6SessionPool stands in for "the Amazon pool of IPv6 addresses" that
// AWS assigns each IPv6 BGP peering a /125 from; a customer cannot choose
// them (https://docs.aws.amazon.com/directconnect/latest/APIReference/API_CreateBGPPeer.html
// and https://docs.aws.amazon.com/directconnect/latest/UserGuide/add-peer-to-vif.html,
// read 2026-12). The real ones are known only once AWS assigns them, so
// patchbay takes them from the documentation prefix: global unicast
// (2000::/3, RFC 4291), which BGP speakers accept as a next hop where
// they refuse loopback or IPv4-mapped ones, and RFC 3849's 2001:db8::/32,
// which names no real network. "dc" for Direct Connect.
var ipv6SessionPool = netip.MustParsePrefix("2001:db8:dc::/48")

func newAllocator() *allocator {
	return &allocator{next: netip.MustParseAddr("169.254.100.0"), next6: ipv6SessionPool.Addr(), vlans: map[string]int{}}
}

// subnet6 returns the next /125 of ipv6SessionPool for an IPv6 session,
// in declaration order like the IPv4 /30s; the pool's 2^77 of them never
// run out.
func (a *allocator) subnet6() netip.Prefix {
	p := netip.PrefixFrom(a.next6, 125)
	b := a.next6.As16()
	for i, carry := 15, 8; carry > 0 && i >= 0; i-- {
		v := int(b[i]) + carry
		b[i], carry = byte(v), v>>8
	}
	a.next6 = netip.AddrFrom16(b)
	return p
}

// subnet returns the next /30 of 169.254.0.0/16, skipping 169.254.169.0/24
// where EC2's metadata and time services live.
func (a *allocator) subnet() (netip.Prefix, bool) {
	for {
		if !a.next.IsValid() || !netip.MustParsePrefix("169.254.0.0/16").Contains(a.next) {
			return netip.Prefix{}, false
		}
		p := netip.PrefixFrom(a.next, 30)
		b := a.next.As4()
		b[3] += 4
		if b[3] == 0 {
			b[2]++
			if b[2] == 0 {
				a.next = netip.Addr{}
			}
		}
		if a.next.IsValid() {
			a.next = netip.AddrFrom4(b)
		}
		if p.Addr().As4()[2] != 169 {
			return p, true
		}
	}
}

// vlan returns the next VLAN of router, or false when none is left.
func (a *allocator) vlan(router string) (int, bool) {
	v, ok := a.vlans[router]
	if !ok {
		v = int(cat().Int("interconnect.first_vlan"))
	}
	a.vlans[router] = v + 1
	return v, v <= 4094
}

func hosts(p netip.Prefix) (netip.Addr, netip.Addr) {
	first := p.Addr().Next()
	return first, first.Next()
}

// timers names the catalog rows a kind of session takes its BGP and BFD
// timers from: Direct Connect's published ones for last mile, and for
// Interconnects rows marked estimated until AWS documents its own. Empty
// BFD rows mean a session without BFD.
type timers struct{ hold, keepalive, bfdInterval, bfdMultiplier string }

// withoutBFD is t for a session whose far end does not run BFD: AWS offers
// it on every session, but it only comes up when both ends run it.
func (t timers) withoutBFD() timers {
	t.bfdInterval, t.bfdMultiplier = "", ""
	return t
}

var (
	dxTimers           = timers{"bgp.hold_time", "bgp.keepalive", "bfd.min_interval", "bfd.multiplier"}
	interconnectTimers = timers{"interconnect.bgp_hold_time", "interconnect.bgp_keepalive", "interconnect.bfd_min_interval", "interconnect.bfd_multiplier"}
)

// newSessions derives the BGP sessions over the link named over: IPv4
// between local and peer, and, when ipv6, an IPv6 session between the
// first two hosts of the next /125 (AWS the first, as with the /30s). It
// returns the IPv6 session's name and subnet, "" without one.
func (p *Plan) newSessions(over string, t timers, local, peer Side, ipv6 bool, a *allocator) (string, netip.Prefix) {
	p.newSession(over, over, "ipv4-unicast", t, local, peer)
	if !ipv6 {
		return "", netip.Prefix{}
	}
	sub := a.subnet6()
	local.Address, peer.Address = hosts(sub)
	return p.newSession(over+"/ipv6", over, "ipv6-unicast", t, local, peer), sub
}

func (p *Plan) newSession(name, over, family string, t timers, local, peer Side) string {
	s := &Session{
		Name: name, Over: over, Local: local, Peer: peer,
		HoldTime: int(cat().Int(t.hold)), Keepalive: int(cat().Int(t.keepalive)),
		AddressFamily: []string{family}, MultihopTTL: 1,
	}
	if t.bfdInterval != "" {
		interval, mult := int(cat().Int(t.bfdInterval)), int(cat().Int(t.bfdMultiplier))
		s.BFD = &BFD{MinIntervalMS: interval, Multiplier: mult, DetectionMS: interval * mult}
	}
	p.Sessions = append(p.Sessions, s)
	return name
}

// assignRouterIDs gives every session end its device's BGP Identifier: the
// lowest IPv4 address the device peers from over any session.
func (p *Plan) assignRouterIDs() {
	ids := map[string]netip.Addr{}
	for _, s := range p.Sessions {
		for _, side := range []Side{s.Local, s.Peer} {
			if id, ok := ids[side.Device]; side.Address.Is4() && (!ok || side.Address.Less(id)) {
				ids[side.Device] = side.Address
			}
		}
	}
	for _, s := range p.Sessions {
		s.Local.RouterID, s.Peer.RouterID = ids[s.Local.Device], ids[s.Peer.Device]
	}
	for _, ic := range p.Interconnects {
		for _, ch := range ic.Channels {
			ch.AWS.RouterID, ch.Peer.RouterID = ids[ch.AWS.Device], ids[ch.Peer.Device]
		}
	}
	for _, lm := range p.LastMiles {
		for _, c := range lm.Connections {
			c.AWS.RouterID, c.Customer.RouterID = ids[c.AWS.Device], ids[c.Customer.Device]
		}
	}
}

// SessionsOver lists the BGP sessions over a channel or connection: the
// IPv4 one, then the IPv6 one if there is one.
func (p *Plan) SessionsOver(link string) []*Session {
	var out []*Session
	for _, s := range p.Sessions {
		if s.Over == link {
			out = append(out, s)
		}
	}
	return out
}

// exhausted reports the first connection the allocator could not address
// and counts the rest, so one overfull design gives one finding.
func (p *Plan) exhausted(r lang.Resource, what string) {
	if p.unaddressed++; p.unaddressed > 1 {
		return
	}
	p.Findings = append(p.Findings, lang.Diagnostic{Rule: ruleAddressExhausted.ID, Range: r.Source(),
		Summary: fmt.Sprintf("%s: no %s left to allocate", r.Ref(), what),
		Detail:  "patchbay allocates link-local /30s from 169.254.100.0 across the design, and VLANs from 1025 up to 4094 on each router"})
}

// awsASN is the Amazon-side ASN of whatever a connection attaches to.
func (p *Plan) awsASN(at lang.Ref, region string) uint32 {
	x, _ := p.Design.Lookup(at)
	switch r := x.(type) {
	case *lang.DXGateway:
		return r.ASN
	case *lang.TransitGateway:
		return r.ASN
	case *lang.CoreNetwork:
		if e := r.Edge(region); e != nil {
			return e.ASN
		}
	}
	return 0
}

func letter(i int) string { return string(rune('a' + i)) }

// portSpeed is the standard port each of links member links needs when
// they share bw equally, as the simulator shares it: the smallest that
// carries a member's share. A channel's members share the Interconnect's
// bandwidth over its channels, so a 10Gbps Interconnect runs 10G ports and
// a 100Gbps one 100G ports. "" when no port is large enough.
func portSpeed(bw stdlib.Bandwidth, links int) string {
	if p, ok := cat().PortFor(bw, links); ok {
		return p.Speed.String()
	}
	return ""
}

// placement is where one channel lands: a facility and a router in it.
type placement struct{ facility, router string }

// placements spreads channels over facilities (channels 1–2 in fac-a, 3–4 in
// fac-b by default), or follows the design's explicit device list.
func placements(ic *lang.Interconnect) []placement {
	if len(ic.Devices) > 0 {
		out := make([]placement, len(ic.Devices))
		for i, d := range ic.Devices {
			f, r, _ := strings.Cut(d, "/")
			out[i] = placement{f, r}
		}
		return out
	}
	channels := int(cat().Int("interconnect.channels"))
	facilities := int(cat().Int("interconnect.facilities"))
	perFacility := (channels + facilities - 1) / facilities
	out := make([]placement, channels)
	for i := range out {
		out[i] = placement{"fac-" + letter(i/perFacility), fmt.Sprintf("r%d", i%perFacility+1)}
	}
	return out
}

func (p *Plan) deriveInterconnect(ic *lang.Interconnect, a *allocator) {
	peerNet, _ := p.Design.Lookup(ic.Peer)
	peer := peerNet.(*lang.GCPVPC)
	mtu := int(min(cat().Int("interconnect.aws_max_mtu"), cat().Int("interconnect.gcp_max_mtu")))
	if ic.MTU != 0 {
		mtu = min(mtu, ic.MTU)
	}
	ip := &InterconnectPlan{
		Declared: ic, Interconnect: ic.Ref(), Provider: ic.Provider, AWSRegion: ic.AWSRegion, PeerRegion: ic.PeerRegion,
		Environment: fmt.Sprintf("aws:%s+%s:%s", ic.AWSRegion, ic.Provider, ic.PeerRegion),
		Bandwidth:   ic.Bandwidth.String(), AWSASN: p.awsASN(ic.AttachTo, ic.AWSRegion), PeerASN: peer.ASN,
		MTU: mtu, IPv6: len(peer.IPv6) > 0, Monitor: ic.Name + "/nsm",
	}
	places := placements(ic)
	speed := portSpeed(ic.Bandwidth, len(places)*int(cat().Int("interconnect.channel_members")))
	cipher := cmp.Or(ic.MACsecCipher, cat().Text("interconnect.macsec_cipher"))
	for _, pl := range places {
		f := ic.AWSRegion + "/" + pl.facility
		if !slices.Contains(ip.Facilities, f) {
			ip.Facilities = append(ip.Facilities, f, ic.PeerRegion+"/"+pl.facility)
		}
	}
	for i, pl := range places {
		sub, ok := a.subnet()
		if !ok {
			p.exhausted(ic, "link-local subnet")
			return
		}
		awsDevice := ic.AWSRegion + "/" + pl.facility + "/aws-" + pl.router
		vlan, ok := a.vlan(awsDevice)
		if !ok {
			p.exhausted(ic, "VLAN on "+awsDevice)
			return
		}
		awsAddr, peerAddr := hosts(sub)
		awsFac, peerFac := ic.AWSRegion+"/"+pl.facility, ic.PeerRegion+"/"+pl.facility
		ch := &Channel{
			Name: fmt.Sprintf("%s/ch%d", ic.Name, i+1), Index: i + 1,
			AWSFacility:  awsFac,
			PeerFacility: peerFac,
			AWS:          Side{Device: awsDevice, ASN: ip.AWSASN, Address: awsAddr},
			Peer:         Side{Device: peerFac + "/" + ic.Provider + "-" + pl.router, ASN: ip.PeerASN, Address: peerAddr},
			VLAN:         vlan, Subnet: sub, MTU: mtu,
			MACsecManager: cat().Text("interconnect.macsec_manager"),
			MACsecCipher:  cipher, PortSpeed: speed,
		}
		// Estimated: how a channel carries IPv6 is not published, but its
		// AWS end attaches to a Direct Connect gateway, so Direct Connect's
		// one session per address family (see Session) is taken to hold;
		// Cloud Router runs "IPv6 BGP sessions" as well as IPv4 ones
		// (https://cloud.google.com/network-connectivity/docs/router/how-to/configuring-bgp, read 2026-12).
		ch.Session = ch.Name
		ch.IPv6Session, ch.IPv6Subnet = p.newSessions(ch.Name, interconnectTimers, ch.AWS, ch.Peer, ip.IPv6, a)
		ip.Channels = append(ip.Channels, ch)
	}
	p.Interconnects = append(p.Interconnects, ip)
}

// vifFor says which virtual interface a DX gateway's associations imply:
// transit when it reaches a TGW or Cloud WAN, private otherwise.
func (p *Plan) vifFor(dxgw lang.Ref) (string, int) {
	for _, at := range p.adjacent(dxgw) {
		if at.Kind == lang.AttachDXGWTGW || at.Kind == lang.AttachDXGWWAN {
			return "transit", int(cat().Int("last_mile.transit_vif_mtu"))
		}
	}
	return "private", int(cat().Int("last_mile.private_vif_mtu"))
}

// links is the design's attachments as resources: each one's two ends by
// its Seq (and a route table's VPC, first, by the table's), and the attachments touching the resource numbered s in
// atts[start[s]:start[s+1]], in declaration order. Sequence numbers are
// dense, so slices replace maps keyed by lang.Ref, which hash two strings
// and were most of the cost of asking about every VPC of a large design.
type links struct {
	ends  [][2]lang.Resource
	start []int32
	atts  []*lang.Attachment
}

func newLinks(d *lang.Design, ends [][2]lang.Resource) links {
	l := links{ends: ends, start: make([]int32, d.Len()+1)}
	for _, a := range d.Attachments {
		x, y := l.ends[a.Seq()][0], l.ends[a.Seq()][1]
		l.start[x.Seq()+1]++
		if y != x {
			l.start[y.Seq()+1]++
		}
	}
	for i := 1; i < len(l.start); i++ {
		l.start[i] += l.start[i-1]
	}
	l.atts = make([]*lang.Attachment, l.start[len(l.start)-1])
	fill := slices.Clone(l.start[:len(l.start)-1])
	put := func(x lang.Resource, a *lang.Attachment) {
		l.atts[fill[x.Seq()]] = a
		fill[x.Seq()]++
	}
	for _, a := range d.Attachments {
		x, y := l.ends[a.Seq()][0], l.ends[a.Seq()][1]
		put(x, a)
		if y != x {
			put(y, a)
		}
	}
	return l
}

// adjacent returns the attachments touching r.
func (p *Plan) adjacent(r lang.Ref) []*lang.Attachment {
	x, ok := p.Design.Lookup(r)
	if !ok {
		return nil
	}
	return p.attachedTo(x)
}

// attachedTo returns the attachments touching x, a resource of the design.
func (p *Plan) attachedTo(x lang.Resource) []*lang.Attachment {
	s := x.Seq()
	if s+1 >= len(p.links.start) || p.links.start[s] == p.links.start[s+1] {
		return nil
	}
	// Capped, so a caller's append copies instead of overwriting the next
	// resource's attachments.
	return p.links.atts[p.links.start[s]:p.links.start[s+1]:p.links.start[s+1]]
}

// vpcOf returns a route table's VPC.
func (p *Plan) vpcOf(t *lang.RouteTable) lang.Resource { return p.links.ends[t.Seq()][0] }

// endsOf returns the resources an attachment joins, a's and b's.
func (p *Plan) endsOf(a *lang.Attachment) (lang.Resource, lang.Resource) {
	e := p.links.ends[a.Seq()]
	return e[0], e[1]
}

func (p *Plan) deriveLastMile(lm *lang.LastMile, a *allocator) {
	siteRes, _ := p.Design.Lookup(lm.Site)
	site := siteRes.(*lang.Site)
	conns := int(cat().Int("last_mile.connections"))
	locs := int(cat().Int("last_mile.locations"))
	vif, mtu := p.vifFor(lm.AttachTo)
	macsec := lm.MACsecMode
	switch {
	case macsec != "":
	case lm.MACsec:
		macsec = stdlib.MACsecMode(cat().Text("last_mile.macsec_mode"))
	default:
		macsec = stdlib.NoEncrypt
	}
	cipher := ""
	if macsec.Encrypts() {
		cipher = cmp.Or(lm.MACsecCipher, cat().Text("last_mile.macsec_cipher"))
	}
	speed := portSpeed(lm.Bandwidth, conns*int(cat().Int("last_mile.connection_members")))
	lp := &LastMilePlan{LastMile: lm.Ref(), Partner: lm.Partner, Region: lm.Region, Bandwidth: lm.Bandwidth.String(), VIF: vif, MTU: mtu}
	for l := range locs {
		lp.Locations = append(lp.Locations, fmt.Sprintf("%s/%s-loc-%s", lm.Region, lm.Partner, letter(l)))
	}
	awsASN := p.awsASN(lm.AttachTo, lm.Region)
	t := dxTimers
	if !lm.BFD {
		t = t.withoutBFD()
	}
	perLoc := (conns + locs - 1) / locs
	for i := range conns {
		l, dev := i/perLoc, i%perLoc+1
		sub, ok := a.subnet()
		if !ok {
			p.exhausted(lm, "link-local subnet")
			return
		}
		awsDevice := fmt.Sprintf("%s/aws-r%d", lp.Locations[l], dev)
		vlan, ok := a.vlan(awsDevice)
		if !ok {
			p.exhausted(lm, "VLAN on "+awsDevice)
			return
		}
		awsAddr, custAddr := hosts(sub)
		c := &Connection{
			Name: fmt.Sprintf("%s/conn%d", lm.Name, i+1), Index: i + 1, Location: lp.Locations[l],
			AWS:      Side{Device: awsDevice, ASN: awsASN, Address: awsAddr},
			Customer: Side{Device: site.Name + "/router", ASN: site.ASN, Address: custAddr},
			VLAN:     vlan, Subnet: sub, MTU: mtu, MACsec: macsec, MACsecCipher: cipher, PortSpeed: speed,
		}
		c.Session = c.Name
		c.IPv6Session, c.IPv6Subnet = p.newSessions(c.Name, t, c.AWS, c.Customer, len(site.IPv6) > 0, a)
		lp.Connections = append(lp.Connections, c)
	}
	p.LastMiles = append(p.LastMiles, lp)
}

// tgwAttachments lists what attaches to a TGW: attachments and Interconnects.
func (p *Plan) tgwAttachments(tgw *lang.TransitGateway) []lang.Resource {
	adj := p.attachedTo(tgw)
	out := make([]lang.Resource, 0, len(adj))
	for _, a := range adj {
		out = append(out, a)
	}
	for _, ic := range p.Design.Interconnects {
		if ic.AttachTo == tgw.Ref() {
			out = append(out, ic)
		}
	}
	return out
}

// associatedTable is the route table of Transit Gateway tgw that
// attachment att is associated with, nil for none: what a Transit
// Gateway's attachment to a core network carries into its segment, as a
// route table attachment of that table.
func (p *Plan) associatedTable(tgw, att lang.Ref) *TGWTablePlan {
	for _, t := range p.TGWTables {
		if t.TGW == tgw && slices.Contains(t.Associations, att) {
			return t
		}
	}
	return nil
}

// BilledAttachments counts the attachments of tgw as AWS counts them:
// its attachments to one core network, one for each of its route tables,
// are route table attachments on a single peering, one attachment of the
// gateway's
// (https://docs.aws.amazon.com/network-manager/latest/cloudwan/cloudwan-peerings.html,
// read 2026-12).
func (p *Plan) BilledAttachments(tgw *lang.TransitGateway) int {
	n := 0
	peered := map[lang.Ref]bool{}
	for _, x := range p.tgwAttachments(tgw) {
		if a, ok := x.(*lang.Attachment); ok && a.Kind == lang.AttachTGWCloudWAN {
			if peered[a.B] {
				continue
			}
			peered[a.B] = true
		}
		n++
	}
	return n
}

func (p *Plan) deriveTGWTables() {
	d := p.Design
	tables := map[lang.Ref][]*lang.TGWRouteTable{}
	for _, t := range d.TGWRouteTables {
		tables[t.TGW] = append(tables[t.TGW], t)
	}
	for _, tgw := range d.TransitGateways {
		atts := p.tgwAttachments(tgw)
		associated := map[lang.Ref]bool{}
		for _, t := range tables[tgw.Ref()] {
			for _, r := range t.Associations {
				associated[r] = true
			}
		}
		if tgw.DefaultAssociation || tgw.DefaultPropagation {
			// Sized for every attachment: a hub's default table holds
			// thousands, and a list grown by appending allocates about
			// twice its size on the way.
			dt := &TGWTablePlan{Table: tgw.Name + "/default", TGW: tgw.Ref(), Default: true,
				Associations: make([]lang.Ref, 0, len(atts)), Propagations: make([]lang.Ref, 0, len(atts)),
				associated: make([]lang.Resource, 0, len(atts)), propagated: make([]lang.Resource, 0, len(atts))}
			for _, x := range atts {
				r := x.Ref()
				if tgw.DefaultAssociation && !associated[r] {
					dt.Associations = append(dt.Associations, r)
					dt.associated = append(dt.associated, x)
				}
				// Peering attachments take static routes only.
				if a, ok := x.(*lang.Attachment); tgw.DefaultPropagation && !(ok && a.Kind == lang.AttachTGWPeering) {
					dt.Propagations = append(dt.Propagations, r)
					dt.propagated = append(dt.propagated, x)
				}
			}
			p.TGWTables = append(p.TGWTables, dt)
		}
		for _, t := range tables[tgw.Ref()] {
			p.TGWTables = append(p.TGWTables, &TGWTablePlan{Table: tgw.Name + "/" + t.Name, TGW: tgw.Ref(), declared: t,
				Associations: nonNil(t.Associations), Propagations: nonNil(t.Propagations), StaticRoutes: len(t.Routes)})
		}
	}
}

func nonNil(rs []lang.Ref) []lang.Ref {
	if rs == nil {
		return []lang.Ref{}
	}
	return rs
}

func (p *Plan) isPeering(r lang.Ref) bool {
	x, ok := p.Design.Lookup(r)
	a, isAtt := x.(*lang.Attachment)
	return ok && isAtt && a.Kind == lang.AttachTGWPeering
}

func (p *Plan) deriveCoreNetworks() {
	for _, cn := range p.Design.CoreNetworks {
		cp := &CoreNetworkPlan{CoreNetwork: cn.Ref(), Edges: cn.Edges, Mesh: [][2]string{}}
		for i := range cn.Edges {
			for j := i + 1; j < len(cn.Edges); j++ {
				cp.Mesh = append(cp.Mesh, [2]string{cn.Edges[i].Region, cn.Edges[j].Region})
			}
		}
		cp.Attachments = len(p.adjacent(cn.Ref()))
		for _, ic := range p.Design.Interconnects {
			if ic.AttachTo == cn.Ref() {
				cp.Attachments++
			}
		}
		p.CoreNetworks = append(p.CoreNetworks, cp)
	}
}

// AttachmentsOf lists the attachments with r at either end.
func (p *Plan) AttachmentsOf(r lang.Ref) []*lang.Attachment { return p.adjacent(r) }
