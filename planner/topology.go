package planner

import (
	"fmt"
	"net/netip"
	"slices"
	"sync"
	"time"

	"patchbay/lang"
	"patchbay/stdlib"
)

// The routing model. The planner derives, once, what every managed service
// builds: devices (routers, gateways, networks), links between their
// interfaces, one routing table per VRF, and the relations that say which
// table learns which routes from which — Transit Gateway association and
// propagation, Cloud WAN segments with sharing, isolation and create-route,
// Direct Connect gateway associations with their allowed prefixes. The
// routes themselves follow mechanically (Routes, Lookup, Trace), and the
// simulator instantiates the same devices, tables and relations, changing
// only what its BGP sessions learn at run time.

// Role says what a device is in the design.
type Role string

const (
	RoleNetwork     Role = "network"      // a VPC, Google Cloud VPC or on-premises site: where traffic starts and ends
	RoleCustomer    Role = "customer"     // the on-premises router of a last-mile site
	RolePartnerEdge Role = "partner-edge" // a last-mile partner's device at one location
	RoleAWSEdge     Role = "aws-edge"     // an AWS router in an Interconnect facility or last-mile location
	RolePeerRouter  Role = "peer-router"  // the partner cloud's router (Google Cloud Router side)
	RoleVGW         Role = "vgw"
	RoleDXGW        Role = "dxgw"
	RoleTGW         Role = "tgw"
	RoleCloudWAN    Role = "cloudwan-edge"
)

// Administrative preference of routes by how they were learned; lower
// wins, then the BGP attributes, then the shorter path. The order follows
// Transit Gateway's route evaluation (static, prefix list, VPC-propagated,
// Direct Connect gateway, Connect, VPN) and Cloud WAN's (static, VPC in the
// Region, Direct Connect gateway, remote; its dynamic routes by AS path
// before their kind, KindRank): see
// https://docs.aws.amazon.com/vpc/latest/tgw/how-transit-gateways-work.html#tgw-route-evaluation-overview
// and https://docs.aws.amazon.com/network-manager/latest/cloudwan/cloudwan-route-evaluation.html (2026-12).
const (
	PrefLocal  = 0
	PrefStatic = 1
	// PrefInsert: Cloud WAN service insertion's steering beats what the
	// segment learns or shares, and yields to a create-route (AWS does not
	// say how the two rank; estimated).
	PrefInsert  = 2
	PrefVPC     = 3
	PrefDX      = 4 // Direct Connect gateway, Interconnect, last mile
	PrefPeering = 5 // Transit Gateway ↔ Cloud WAN peering
	PrefRemote  = 6 // another Cloud WAN edge
	PrefDynamic = 20
	// MaxPathLength bounds how many tables a route may cross, so a policy
	// that loops settles.
	MaxPathLength = 64
)

// Tags say where a route came from, so each relation passes only what the
// service it models would advertise.
const (
	TagLocal      = "local"      // a network's own prefix
	TagStatic     = "static"     // configured: a VPC or TGW static route, a Cloud WAN create-route
	TagGateway    = "gateway"    // learned by a network or edge router from the AWS side
	TagVPC        = "vpc"        // a VPC's prefix propagated to a gateway
	TagPeer       = "peer"       // learned over BGP from the far side of an Interconnect or last mile
	TagEdge       = "edge"       // learned by a DX gateway association or TGW from an edge router
	TagAttachment = "attachment" // learned by a Cloud WAN edge from an attachment
	TagMesh       = "mesh"       // learned from another Cloud WAN edge
	TagShare      = "share"      // leaked from a shared segment
	TagPeering    = "peering"    // learned over TGW ↔ Cloud WAN peering
	TagInsert     = "insert"     // steered through a Cloud WAN network function group
)

// Device is one routing or forwarding element.
type Device struct {
	ID       int
	Name     string
	Role     Role
	Region   string
	Facility string // "" for regional services
	// GatewayMTU: the device enforces its attachments' MTU on what
	// arrives as well as what leaves (Transit Gateway, Cloud WAN), so it
	// is the one that drops a packet too large for an attachment, and
	// answers with ICMP, as every router here does (TooBigDetail).
	GatewayMTU bool
	// SinglePath: a site's router without BGP multipath (MultipathOf).
	SinglePath bool
	Tables     []*Table
	Ifaces     []*Iface

	// Room for the first table and interfaces, so the usual device (a VPC:
	// one table, an attachment or two) needs no allocation of its own.
	table1  [1]*Table
	ifaces2 [2]*Iface
}

// Link is an L3 adjacency between two interfaces. Physical links are LAGs
// of Members, up while MinLinks are; links inside a managed service have
// no members and no capacity limit.
type Link struct {
	ID             int
	Name           string
	Kind           string // channel, connection, attachment, association, mesh, internal
	A, B           *Iface
	Members        []string // member link names, LINK/m1 …
	MemberCapacity float64  // bits per second each
	MinLinks       int
	Latency        time.Duration // one way
	MTU            int
	Facilities     []string  // where the physical link runs
	Via            []*Device // devices the link passes through besides its ends
	Group          string    // the Interconnect or last mile it belongs to
	// MACsec is the mode on a channel or connection; none inside a
	// service.
	MACsec stdlib.MACsecMode
	Source lang.Range
}

// Physical reports whether l is made of members.
func (l *Link) Physical() bool { return len(l.Members) > 0 }

// Iface is one end of a link. Traffic arriving on it is looked up in Table:
// a Transit Gateway attachment's associated route table, a Cloud WAN
// attachment's segment. A nil Table drops what arrives (an attachment
// associated with no table).
type Iface struct {
	ID     int
	Device *Device
	Link   *Link
	Table  *Table
}

// Peer is the interface at the other end of the link.
func (i *Iface) Peer() *Iface {
	if i.Link.A == i {
		return i.Link.B
	}
	return i.Link.A
}

// Table is one routing table (VRF) of a device.
type Table struct {
	ID     int
	Device *Device
	Name   string // "" for a device's only table
	// Source is the declaration the table stands for, where there is one.
	Source lang.Range

	// in and out are the relations into and out of the table, indexed by
	// the solver on first use.
	in, out  []*Relation
	routed   bool // a VPC route table has put routes in it (while building)
	explicit bool // a VPC's table with route tables declared
}

// Inbound lists the relations the table learns over.
func (t *Table) Inbound(topo *Topology) []*Relation {
	topo.routes.ready()
	return t.in
}

// String is the table's name as reports print it: the device, and the
// table in brackets when the device has several.
func (t *Table) String() string {
	if t.Name == "" {
		return t.Device.Name
	}
	return t.Device.Name + " [" + t.Name + "]"
}

// Filter is what a relation passes on, as data. A route passes when every
// set condition holds.
type Filter struct {
	Tags    []string       // one of these tags; empty: any
	NotTags []string       // none of these
	Within  []netip.Prefix // inside one of these prefixes (a VGW association's allowed prefixes)
	// NotWithin refuses a prefix that one of these holds, as specific or
	// more: a VPC's CIDRs, whose local route wins over whatever its
	// gateways propagate into it.
	NotWithin []netip.Prefix
	// NotThrough refuses routes that passed through these tables, and
	// NotThroughGroup through any table of Topology.Groups' edge tables
	// of that name (a DX gateway gives no connection what another of its
	// connections brought).
	NotThrough      []*Table
	NotThroughGroup string
}

// Relation is how one table learns routes from another: over an interface
// (Via, on To's device, towards From) or, when Via is nil, inside one
// device (a Cloud WAN segment share), keeping From's next hops.
type Relation struct {
	ID       int
	From, To *Table
	Via      *Iface
	Pref     int
	Tag      string
	Export   Filter
	// Originate replaces From's routes with these prefixes, as a DX gateway
	// association advertises its allowed prefixes to a Transit Gateway or
	// Cloud WAN association.
	Originate []netip.Prefix
	// KeepPref keeps each route's own preference (Cloud WAN shares).
	KeepPref bool
	// Blackholes: To sends traffic for From's blackhole routes to From (a
	// VPC forwarding to its Transit Gateway, which drops it).
	Blackholes bool
	// Redirect: the relation steers traffic to an interface of the device
	// the route already passed through (Cloud WAN service insertion sends
	// it out to an inspection VPC and takes it back), so only the table,
	// not the device, must be new to the route's path.
	Redirect bool
	// Session is the BGP session the routes cross (Plan.Sessions' name),
	// "" inside a service. Each crossing adds an AS to the path. Over a
	// dual-stack link it names the IPv4 session; IPv6 routes cross its
	// IPv6 sibling (Plan.SessionsOver).
	Session string
	// ASN, when not 0, is an AS the routes crossing get in front of their
	// path although no session of the plan carries them: the exporting
	// core network edge's, between two edges or towards a peered Transit
	// Gateway, and the Transit Gateway's towards the edge.
	ASN uint32
	// Why says what AWS rule the relation stands for, and Source where it
	// was declared.
	Why    string
	Source lang.Range
}

// Static is a configured route: to interfaces of the device, a blackhole,
// or a network's own prefix. A design of ten thousand VPCs has a hundred
// thousand, so it is kept small: the declaration is pointed at, and the
// text describing it is made on demand.
type Static struct {
	Table     *Table
	Prefix    netip.Prefix
	NextHops  []*Iface
	Pref      int
	Tag       string
	Local     bool
	Blackhole bool
	// MTU is the largest packet the route sends, whatever its links
	// take; 0 for no limit of its own. A VPC's static route to a virtual
	// private gateway sends at 1500 (direct_connect.static_route_mtu).
	MTU int
	at  *lang.Range
}

// Source is the declaration of the route, or of the network a local
// prefix belongs to.
func (s *Static) Source() lang.Range {
	if s.at == nil {
		return lang.Range{}
	}
	return *s.at
}

// Origin says what configured the route.
func (s *Static) Origin() string {
	what := "route"
	switch {
	case s.Local:
		return s.Table.Device.Name
	case s.Tag == TagInsert:
		what = "send-to"
	case s.Table.Device.Role == RoleTGW:
		what = "static route"
	case s.Table.Device.Role == RoleCloudWAN:
		what = "create-route"
	}
	return what + " at " + s.Source().String()
}

// Endpoint is a network traffic starts and ends in.
type Endpoint struct {
	Network lang.Ref
	Device  *Device
	V4, V6  netip.Addr // a host address in the network; invalid without that family
	MTU     int
}

// Topology is the design as devices, links and routing tables.
type Topology struct {
	Devices   []*Device
	Links     []*Link
	Ifaces    []*Iface
	Tables    []*Table
	Relations []*Relation
	Endpoints map[lang.Ref]*Endpoint
	// Facilities maps a facility (or partner location) to its links.
	Facilities map[string][]*Link
	// Groups maps an Interconnect or last mile name to its channels or
	// connections; GroupDevices to its devices.
	Groups       map[string][]*Link
	GroupDevices map[string][]*Device
	// EdgeGroups lists, per DX gateway, the edge-router tables of the
	// connections attached to it.
	EdgeGroups map[string][]*Table
	// Err is set when the catalog lacks what the topology needs (a
	// latency between two regions).
	Err error

	// The name indexes are built on first use: validation looks nothing
	// up by name, and on a large design they cost as much as the rest.
	names     sync.Once
	byName    map[string]*Device
	linkNamed map[string]*Link
	members   map[string]*Link
	routes    *solver

	// Static routes are transcribed from the declarations on first use
	// (StaticRoutes): on a large design they are most of the topology's
	// memory, and validation without a path to check reads none.
	staticsOnce sync.Once
	statics     []*Static
	builder     *topoBuilder
}

// StaticRoutes lists every static route: networks' own prefixes, VPC and
// Transit Gateway routes, Cloud WAN create-routes, blackholes included.
func (t *Topology) StaticRoutes() []*Static {
	t.staticsOnce.Do(func() {
		t.builder.staticRoutes()
		t.builder = nil
	})
	return t.statics
}

func (t *Topology) indexNames() {
	t.names.Do(func() {
		t.byName = make(map[string]*Device, len(t.Devices))
		for _, d := range t.Devices {
			t.byName[d.Name] = d
		}
		t.linkNamed = make(map[string]*Link, len(t.Links))
		t.members = map[string]*Link{}
		for _, l := range t.Links {
			t.linkNamed[l.Name] = l
			for _, m := range l.Members {
				t.members[m] = l
			}
		}
	})
}

// Device returns the device named name.
func (t *Topology) Device(name string) (*Device, bool) {
	t.indexNames()
	d, ok := t.byName[name]
	return d, ok
}

// Link returns the link named name.
func (t *Topology) Link(name string) (*Link, bool) {
	t.indexNames()
	l, ok := t.linkNamed[name]
	return l, ok
}

// Member returns the LAG a member link named name belongs to.
func (t *Topology) Member(name string) (*Link, bool) {
	t.indexNames()
	l, ok := t.members[name]
	return l, ok
}

// TableNamed finds a table by its printed name (Table.String) or, for a
// device with several, by the table's own name.
func (t *Topology) TableNamed(name string) []*Table {
	var out []*Table
	for _, tb := range t.Tables {
		if tb.String() == name || (tb.Name != "" && tb.Name == name) || (tb.Name == "" && tb.Device.Name == name) {
			out = append(out, tb)
		}
	}
	if len(out) == 0 {
		if d, ok := t.Device(name); ok {
			out = d.Tables
		}
	}
	return out
}

func (t *Topology) device(name string, role Role, region, facility string) *Device {
	return t.add(&Device{}, name, role, region, facility)
}

// add fills in d, allocated by the caller (perhaps with its table), as the
// next device.
func (t *Topology) add(d *Device, name string, role Role, region, facility string) *Device {
	*d = Device{ID: len(t.Devices), Name: name, Role: role, Region: region, Facility: facility,
		GatewayMTU: role == RoleTGW || role == RoleCloudWAN}
	d.Tables, d.Ifaces = d.table1[:0], d.ifaces2[:0]
	t.Devices = append(t.Devices, d)
	return d
}

func (t *Topology) table(d *Device, name string) *Table {
	for _, v := range d.Tables {
		if v.Name == name {
			return v
		}
	}
	return t.addTable(&Table{}, d, name)
}

func (t *Topology) addTable(v *Table, d *Device, name string) *Table {
	*v = Table{ID: len(t.Tables), Device: d, Name: name}
	d.Tables = append(d.Tables, v)
	t.Tables = append(t.Tables, v)
	return v
}

func (t *Topology) connect(name, kind string, a *Device, va *Table, b *Device, vb *Table, latency time.Duration, mtu int) *Link {
	// One allocation for the link and its two ends.
	x := &struct {
		l    Link
		a, b Iface
	}{}
	l := &x.l
	*l = Link{ID: len(t.Links), Name: name, Kind: kind, Latency: latency, MTU: mtu}
	x.a = Iface{ID: len(t.Ifaces), Device: a, Link: l, Table: va}
	x.b = Iface{ID: len(t.Ifaces) + 1, Device: b, Link: l, Table: vb}
	l.A, l.B = &x.a, &x.b
	t.Ifaces = append(t.Ifaces, l.A, l.B)
	a.Ifaces = append(a.Ifaces, l.A)
	b.Ifaces = append(b.Ifaces, l.B)
	t.Links = append(t.Links, l)
	return l
}

func (t *Topology) lag(l *Link, members int, capacity float64, minLinks int, facilities ...string) {
	for i := range members {
		m := fmt.Sprintf("%s/m%d", l.Name, i+1)
		l.Members = append(l.Members, m)
	}
	l.MemberCapacity = capacity
	l.MinLinks = minLinks
	l.Facilities = facilities
	for _, f := range facilities {
		t.Facilities[f] = append(t.Facilities[f], l)
	}
}

// topoBuilder derives the topology of a plan.
type topoBuilder struct {
	p *Plan
	t *Topology

	// attIface is, per attachment (or Interconnect attached directly) and
	// gateway device, the gateway's interfaces of it: static routes target them.
	attIface map[lang.Ref][]*Iface
	targets  map[lang.Ref]bool // what static routes point at
	seg      map[string]*Table // Cloud WAN segment tables: "core/region/segment"
	isolated map[string]*Table
	nfg      map[string]*nfgEdge // Cloud WAN network function groups: "core/region/group"
	pending  []pendingStatic
	// The Transit Gateway table each attachment is associated with and
	// those it propagates to, indexed once: a hub may have thousands.
	assoc map[lang.Ref][]tgwTableRef // by attachment: an attachment joins one or two TGWs
	props map[lang.Ref][]tgwTableRef
	byRef map[lang.Ref]*Device
	named map[string]*Device // the devices no resource declares: routers, partner edges, Cloud WAN edges
	intra time.Duration      // one way inside a region, from the catalog
	// relSlab is the block the next relations are taken from.
	relSlab []Relation
}

type tgwTableRef struct {
	tgw   lang.Ref
	table string
}

// pendingStatic is a static route to an attachment, resolved once every
// attachment exists.
type pendingStatic struct {
	s      *Static
	target lang.Ref
}

func (p *Plan) deriveTopology() {
	d := p.Design
	// Sized up front: rehashing these maps was most of the cost on large designs.
	nets := len(d.VPCs) + len(d.GCPVPCs) + len(d.Sites)
	t := &Topology{Endpoints: make(map[lang.Ref]*Endpoint, nets), Facilities: map[string][]*Link{}, Groups: map[string][]*Link{},
		GroupDevices: map[string][]*Device{}, EdgeGroups: map[string][]*Table{},
		Devices: make([]*Device, 0, nets), Tables: make([]*Table, 0, nets)}
	assocs, props := 0, 0
	for _, tp := range p.TGWTables {
		assocs += len(tp.Associations)
		props += len(tp.Propagations)
	}
	b := &topoBuilder{p: p, t: t, named: map[string]*Device{}, attIface: map[lang.Ref][]*Iface{}, targets: targetsOf(d),
		seg: map[string]*Table{}, isolated: map[string]*Table{}, nfg: map[string]*nfgEdge{},
		assoc: make(map[lang.Ref][]tgwTableRef, assocs), props: make(map[lang.Ref][]tgwTableRef, props),
		byRef: make(map[lang.Ref]*Device, nets+len(d.TransitGateways))}
	for _, tp := range p.TGWTables {
		for _, a := range tp.Associations {
			b.assoc[a] = append(b.assoc[a], tgwTableRef{tp.TGW, tp.Table})
		}
		for _, a := range tp.Propagations {
			b.props[a] = append(b.props[a], tgwTableRef{tp.TGW, tp.Table})
		}
	}
	b.networks()
	b.gateways()
	b.attachments()
	b.serviceInsertion()
	b.interconnects()
	b.lastMiles()
	for i, r := range t.Relations {
		r.ID = i
	}
	t.routes = &solver{t: t, sessions: make(map[string]*Session, len(p.Sessions))}
	for _, s := range p.Sessions {
		t.routes.sessions[s.Name] = s
	}
	t.builder = b
	p.topo = t
}

// staticsOf is about how many static routes a design's topology holds.
func staticsOf(d *lang.Design) int {
	n := 0
	for _, nw := range d.Networks() {
		v4, v6 := nw.Addresses()
		n += len(v4) + len(v6)
	}
	for _, t := range d.RouteTables {
		n += len(t.Routes)
	}
	for _, t := range d.TGWRouteTables {
		n += len(t.Routes)
	}
	return n
}

func (b *topoBuilder) fail(err error) {
	if b.t.Err == nil {
		b.t.Err = err
	}
}

func (b *topoBuilder) lookup(r lang.Ref) lang.Resource {
	x, _ := b.p.Design.Lookup(r)
	return x
}

func (b *topoBuilder) dev(r lang.Ref) *Device {
	return b.byRef[r]
}

// region is where a declared resource's device is.
func (b *topoBuilder) region(r lang.Ref) string {
	if d := b.byRef[r]; d != nil {
		return d.Region
	}
	return ""
}

// device makes the device of a router or edge no resource declares, once
// for each name.
func (b *topoBuilder) device(name string, role Role, region, facility string) *Device {
	if d, ok := b.named[name]; ok {
		return d
	}
	d := b.t.device(name, role, region, facility)
	b.named[name] = d
	return d
}

// declared makes the device of a declared resource.
func (b *topoBuilder) declared(r lang.Ref, role Role, region, facility string) *Device {
	d := b.t.device(r.String(), role, region, facility)
	b.byRef[r] = d
	return d
}

func usRTT(key string) time.Duration { return time.Duration(cat().Int(key)) * time.Microsecond }

func (b *topoBuilder) intraRegion() time.Duration {
	if b.intra == 0 {
		b.intra = usRTT("latency.intra_region_rtt_us") / 2
	}
	return b.intra
}
func (b *topoBuilder) intraFacility() time.Duration {
	return usRTT("latency.intra_facility_rtt_us") / 2
}

// between is half the catalog's round trip between two regions; a pair the
// catalog does not list is an error, never a guess.
func (b *topoBuilder) between(x, y string) time.Duration {
	if x == y {
		return b.intraRegion()
	}
	rtt, _, ok := cat().RTT(x, y)
	if !ok {
		b.fail(fmt.Errorf("the latency catalog has no round trip between %s and %s; add a row to stdlib/catalog/latency.json", x, y))
	}
	return rtt / 2
}

// local declares a network's own prefixes in its table.
func (b *topoBuilder) local(v *Table, at *lang.Range, prefixes ...[]netip.Prefix) {
	n := 0
	for _, ps := range prefixes {
		n += len(ps)
	}
	slab := make([]Static, 0, n)
	for _, ps := range prefixes {
		for _, p := range ps {
			slab = append(slab, Static{Table: v, Prefix: p.Masked(), Local: true, Pref: PrefLocal, Tag: TagLocal, at: at})
			b.t.statics = append(b.t.statics, &slab[len(slab)-1])
		}
	}
}

func hostIn(ps []netip.Prefix) netip.Addr {
	for _, p := range ps {
		if a := p.Masked().Addr().Next(); p.Contains(a) {
			return a
		}
	}
	return netip.Addr{}
}

// network makes a network's device, its table with its own prefixes, and
// its endpoint, in one allocation: a design may have ten thousand.
func (b *topoBuilder) network(nw lang.Network, at *lang.Range, region, facility string) (*Device, *Table) {
	x := &struct {
		d  Device
		t  Table
		ep Endpoint
	}{}
	dev := b.t.add(&x.d, nw.Ref().String(), RoleNetwork, region, facility)
	b.byRef[nw.Ref()] = dev
	tb := b.t.addTable(&x.t, dev, "")
	tb.Source = *at
	v4, v6 := nw.Addresses()
	x.ep = Endpoint{Network: nw.Ref(), Device: dev, V4: hostIn(v4), V6: hostIn(v6), MTU: nw.MaxMTU()}
	b.t.Endpoints[nw.Ref()] = &x.ep
	return dev, tb
}

// learn makes to learn from's routes over via (to's interface towards from).
func (b *topoBuilder) learn(to, from *Table, via *Iface, pref int, tag string, export Filter, why string, at lang.Range) *Relation {
	if len(b.relSlab) == cap(b.relSlab) {
		// Relations come by the ten thousand and live as long as the
		// topology: allocated a block at a time.
		b.relSlab = make([]Relation, 0, 256)
	}
	b.relSlab = append(b.relSlab, Relation{From: from, To: to, Via: via, Pref: pref, Tag: tag, Export: export, Why: why, Source: at})
	r := &b.relSlab[len(b.relSlab)-1]
	b.t.Relations = append(b.t.Relations, r)
	return r
}

// The filters that pass routes of some origins only. They are shared by
// every relation that uses them (tens of thousands on a large design) and
// never changed.
var (
	onlyLocal       = Filter{Tags: []string{TagLocal}}
	onlyVPC         = Filter{Tags: []string{TagVPC}}
	onlyPeer        = Filter{Tags: []string{TagPeer}}
	onlyGateway     = Filter{Tags: []string{TagGateway}}
	onlyAttachment  = Filter{Tags: []string{TagAttachment}}
	onlyShareStatic = Filter{Tags: []string{TagShare, TagStatic, TagInsert}}
	onlyAttachMesh  = Filter{Tags: []string{TagAttachment, TagMesh}}
)

func (b *topoBuilder) networks() {
	d := b.p.Design
	for _, v := range d.VPCs {
		b.network(v, &v.Range, v.Region, "")
	}
	for _, g := range d.GCPVPCs {
		b.network(g, &g.Range, g.Region, "")
	}
	for _, s := range d.Sites {
		dev, net := b.network(s, &s.Range, "", s.Name)
		// The site's router: the customer end of every last-mile connection.
		rtr := b.device(s.Name+"/router", RoleCustomer, "", s.Name)
		rtr.SinglePath = s.SinglePath
		rv := b.t.table(rtr, "")
		rv.Source = s.Source()
		b.t.connect(s.Name+"/lan", "internal", dev, net, rtr, rv, b.intraFacility(), s.MTU)
		b.learn(rv, net, rtr.Ifaces[0], PrefDynamic, TagVPC, onlyLocal, "the site's router learns the site's prefixes", s.Source())
		b.learn(net, rv, dev.Ifaces[0], PrefDynamic, TagGateway, Filter{}, "the site forwards by what its router learned", s.Source())
	}
}

func (b *topoBuilder) gateways() {
	d := b.p.Design
	for _, g := range d.VPNGateways {
		// A VGW lives in the region of the VPC it serves.
		region := ""
		for _, a := range b.p.adjacent(g.Ref()) {
			if a.Kind == lang.AttachVGWVPC {
				region = b.region(a.B)
			}
		}
		b.t.table(b.declared(g.Ref(), RoleVGW, region, ""), "").Source = g.Source()
	}
	for _, g := range d.DXGateways {
		b.t.table(b.declared(g.Ref(), RoleDXGW, "", ""), "").Source = g.Source()
	}
	tgwTables := map[string]lang.Range{}
	for _, t := range d.TGWRouteTables {
		tgwTables[t.TGW.Name+"/"+t.Name] = t.Source()
	}
	for _, g := range d.TransitGateways {
		dev := b.declared(g.Ref(), RoleTGW, g.Region, "")
		for _, t := range b.p.TGWTables {
			if t.TGW == g.Ref() {
				tb := b.t.table(dev, t.Table)
				tb.Source = g.Source()
				if r, ok := tgwTables[t.Table]; ok {
					tb.Source = r
				}
			}
		}
	}
	for _, cn := range d.CoreNetworks {
		shared := sharedSegments(cn)
		for _, e := range cn.Edges {
			dev := b.device(b.edgeName(cn, e.Region), RoleCloudWAN, e.Region, "")
			for _, s := range cn.Segments {
				if !s.Spans(e.Region) {
					continue
				}
				v := b.t.table(dev, s.Name)
				v.Source = s.Range
				b.seg[b.segKey(cn, e.Region, s.Name)] = v
				if s.IsolateAttachments {
					// Attachments of an isolated segment look up in a table
					// without each other's routes: only shared and static ones.
					iso := b.t.table(dev, s.Name+"/isolated")
					iso.Source = s.Range
					b.isolated[b.segKey(cn, e.Region, s.Name)] = iso
					r := b.learn(iso, v, nil, 0, TagShare, onlyShareStatic,
						"an isolated segment's attachments see only shared and static routes", s.Range)
					r.KeepPref = true
					r.Blackholes = true // the segment's create-route blackholes bind its attachments too
				}
			}
			// Shared segments see each other's attachment routes, not what
			// they were shared in turn.
			for _, s := range cn.Segments {
				for _, o := range shared[s.Name] {
					to, from := b.seg[b.segKey(cn, e.Region, s.Name)], b.seg[b.segKey(cn, e.Region, o)]
					if to != nil && from != nil {
						b.learn(to, from, nil, 0, TagShare, onlyAttachMesh,
							fmt.Sprintf("segment %s shares with %s", o, s.Name), shareRange(cn, s.Name, o)).KeepPref = true
					}
				}
			}
		}
		// The edges' full mesh, one link per segment the two edges share.
		for i, e := range cn.Edges {
			for _, f := range cn.Edges[i+1:] {
				for _, s := range cn.Segments {
					va, vb := b.seg[b.segKey(cn, e.Region, s.Name)], b.seg[b.segKey(cn, f.Region, s.Name)]
					if va == nil || vb == nil {
						continue
					}
					l := b.t.connect(fmt.Sprintf("%s/mesh/%s-%s/%s", cn.Name, e.Region, f.Region, s.Name), "mesh",
						va.Device, va, vb.Device, vb, b.between(e.Region, f.Region), int(cat().Int("cloud_wan.mtu")))
					l.Source = cn.Source()
					why := "core network edges peer in a full mesh per segment"
					b.learn(va, vb, l.A, PrefRemote, TagMesh, onlyAttachment, why, cn.Source()).ASN = f.ASN
					b.learn(vb, va, l.B, PrefRemote, TagMesh, onlyAttachment, why, cn.Source()).ASN = e.ASN
				}
			}
		}
		b.nfgTables(cn)
	}
}

// shareRange is where segment a's sharing with b is declared.
func shareRange(cn *lang.CoreNetwork, a, b string) lang.Range {
	for _, act := range cn.Actions {
		if act.Action != lang.ActionShare {
			continue
		}
		for _, w := range act.ShareWith {
			if (act.Segment == a && (w == "*" || w == b)) || (act.Segment == b && (w == "*" || w == a)) {
				return act.Range
			}
		}
	}
	return cn.Source()
}

func (b *topoBuilder) edgeName(cn *lang.CoreNetwork, region string) string {
	return cn.Ref().String() + "/" + region
}

func (b *topoBuilder) segKey(cn *lang.CoreNetwork, region, segment string) string {
	return cn.Name + "/" + region + "/" + segment
}

// resolveStatics points each static route at its attachment: on a Cloud
// WAN edge, the attachment itself when it is on this edge, else the mesh
// link to the edge it is on.
func (b *topoBuilder) resolveStatics() {
	for _, ps := range b.pending {
		v := ps.s.Table
		for _, i := range b.attIface[ps.target] {
			if i.Device == v.Device {
				ps.s.NextHops = append(ps.s.NextHops, i)
			}
		}
		if len(ps.s.NextHops) == 0 {
			for _, i := range b.attIface[ps.target] {
				for _, m := range v.Device.Ifaces {
					if m.Link.Kind == "mesh" && m.Table == v && m.Peer().Device == i.Device {
						ps.s.NextHops = append(ps.s.NextHops, m)
					}
				}
			}
		}
		b.t.statics = append(b.t.statics, ps.s)
	}
}

// assocTable is the table of a Transit Gateway an attachment is associated
// with; propagating lists those it propagates to.
func (b *topoBuilder) assocTable(tgw lang.Ref, att lang.Ref) *Table {
	// The first table that associates it, should the design (wrongly)
	// associate it twice.
	for _, t := range b.assoc[att] {
		if t.tgw == tgw {
			return b.tgwTable(tgw, t.table)
		}
	}
	return nil
}

func (b *topoBuilder) propagating(tgw lang.Ref, att lang.Ref) []*Table {
	var out []*Table
	for _, t := range b.props[att] {
		if t.tgw == tgw {
			out = append(out, b.tgwTable(tgw, t.table))
		}
	}
	return out
}

func (b *topoBuilder) tgwTable(tgw lang.Ref, table string) *Table {
	for _, v := range b.dev(tgw).Tables {
		if v.Name == table {
			return v
		}
	}
	return nil
}

// segmentTables: ingress is the table a Cloud WAN attachment's traffic is
// looked up in, seg the table its routes go into.
func (b *topoBuilder) segmentTables(cn lang.Ref, region, segment string) (ingress, seg *Table) {
	key := cn.Name + "/" + region + "/" + segment
	seg = b.seg[key]
	if iso := b.isolated[key]; iso != nil {
		return iso, seg
	}
	return seg, seg
}

// targetsOf lists what static routes point at: only their interfaces are
// kept for resolving them.
func targetsOf(d *lang.Design) map[lang.Ref]bool {
	out := map[lang.Ref]bool{}
	for _, t := range d.TGWRouteTables {
		for _, r := range t.Routes {
			out[r.Target] = true
		}
	}
	for _, cn := range d.CoreNetworks {
		for _, a := range cn.Actions {
			out[a.Target] = true
		}
	}
	return out
}

// target records a gateway's interfaces of an attachment that static
// routes point at.
func (b *topoBuilder) target(att lang.Ref, ifaces ...*Iface) {
	if len(b.targets) > 0 && b.targets[att] {
		b.attIface[att] = append(b.attIface[att], ifaces...)
	}
}

func (b *topoBuilder) attachments() {
	d := b.p.Design
	for _, t := range d.RouteTables {
		b.dev(t.VPC).Tables[0].explicit = true
	}
	tgwMTU, wanMTU, vpcMTU := int(cat().Int("transit_gateway.mtu")), int(cat().Int("cloud_wan.mtu")), int(cat().Int("vpc.mtu"))
	netTable := func(r lang.Ref) *Table { return b.dev(r).Tables[0] }
	localWins := func(vpc lang.Ref) Filter {
		nw, _ := b.lookup(vpc).(lang.Network)
		return behindLocal(nw, Filter{})
	}
	// A VPC without route tables of its own forwards by what its gateways
	// advertise, as with route propagation enabled.
	vpcLearns := func(vpc lang.Ref, from *Table, via *Iface, at lang.Range) {
		if from != nil && !netTable(vpc).explicit {
			b.learn(netTable(vpc), from, via, PrefDynamic, TagGateway, localWins(vpc),
				"a VPC without route tables forwards by what its gateways advertise", at).Blackholes = true
		}
	}
	// Route propagation from a virtual private gateway: the VPC's tables
	// (merged, as vpcRoutes has them) take its routes behind their static
	// ones, and keep Direct Connect's jumbo frames.
	propagated := map[[2]lang.Ref]lang.Range{}
	for _, t := range d.RouteTables {
		for _, g := range t.Propagations {
			if _, ok := propagated[[2]lang.Ref{t.VPC, g}]; !ok {
				propagated[[2]lang.Ref{t.VPC, g}] = t.Source()
			}
		}
	}
	for _, a := range d.Attachments {
		name := a.Ref().String()
		at := a.Source()
		switch a.Kind {
		case lang.AttachVPCTGW:
			assoc := b.assocTable(a.B, a.Ref())
			vpc := b.dev(a.A)
			l := b.t.connect(name, "attachment", vpc, vpc.Tables[0], b.dev(a.B), assoc, b.intraRegion(), tgwMTU)
			l.Source = at
			b.target(a.Ref(), l.B)
			for _, t := range b.propagating(a.B, a.Ref()) {
				b.learn(t, vpc.Tables[0], l.B, PrefVPC, TagVPC, onlyLocal, "the VPC attachment propagates to the table", at)
			}
			vpcLearns(a.A, assoc, l.A, at)
		case lang.AttachVPCCloudWAN:
			if a.NetworkFunctionGroup != "" {
				b.nfgAttach(a, vpcLearns)
				continue
			}
			ingress, seg := b.segmentTables(a.B, b.region(a.A), a.Segment)
			if seg == nil {
				continue // the planner reports an attachment to a region without an edge
			}
			l := b.t.connect(name, "attachment", b.dev(a.A), netTable(a.A), seg.Device, ingress, b.intraRegion(), wanMTU)
			l.Source = at
			b.target(a.Ref(), l.B)
			b.learn(seg, netTable(a.A), l.B, PrefVPC, TagAttachment, onlyLocal, "the VPC attachment's routes go into its segment", at)
			vpcLearns(a.A, ingress, l.A, at)
		case lang.AttachVGWVPC:
			vgw := netTable(a.A)
			l := b.t.connect(name, "attachment", b.dev(a.A), vgw, b.dev(a.B), netTable(a.B), b.intraRegion(), vpcMTU)
			l.Source = at
			b.target(a.Ref(), l.A)
			b.learn(vgw, netTable(a.B), l.A, PrefVPC, TagVPC, onlyLocal, "the virtual private gateway learns its VPC's CIDRs", at)
			vpcLearns(a.B, vgw, l.B, at)
			if src, ok := propagated[[2]lang.Ref{a.B, a.A}]; ok && vgw != nil {
				b.learn(netTable(a.B), vgw, l.B, PrefDynamic, TagGateway, localWins(a.B),
					"the route table propagates the virtual private gateway's routes", src).Blackholes = true
			}
		case lang.AttachTGWCloudWAN:
			region := b.region(a.A)
			ingress, seg := b.segmentTables(a.B, region, a.Segment)
			assoc := b.assocTable(a.A, a.Ref())
			if seg == nil {
				continue
			}
			l := b.t.connect(name, "attachment", b.dev(a.A), assoc, seg.Device, ingress, b.intraRegion(), wanMTU)
			l.Source = at
			b.target(a.Ref(), l.A, l.B)
			// The two exchange routes over BGP, each in its own AS
			// (https://docs.aws.amazon.com/network-manager/latest/cloudwan/cloudwan-peerings.html,
			// read 2026-12), so each puts its ASN in front of what it sends.
			if assoc != nil {
				r := b.learn(seg, assoc, l.B, PrefPeering, TagAttachment, Filter{NotTags: []string{TagPeering}},
					"the Transit Gateway's associated table is advertised into the segment over the peering", at)
				if g, ok := b.lookup(a.A).(*lang.TransitGateway); ok {
					r.ASN = g.ASN
				}
			}
			edgeASN := uint32(0)
			if cn, ok := b.lookup(a.B).(*lang.CoreNetwork); ok {
				if e := cn.Edge(region); e != nil {
					edgeASN = e.ASN
				}
			}
			for _, t := range b.propagating(a.A, a.Ref()) {
				b.learn(t, ingress, l.A, PrefPeering, TagPeering, Filter{}, "the Cloud WAN peering propagates into the table", at).ASN = edgeASN
			}
		case lang.AttachTGWPeering:
			ra, rb := b.region(a.A), b.region(a.B)
			l := b.t.connect(name, "attachment", b.dev(a.A), b.assocTable(a.A, a.Ref()), b.dev(a.B), b.assocTable(a.B, a.Ref()), b.between(ra, rb), tgwMTU)
			l.Source = at
			b.target(a.Ref(), l.A, l.B)
		}
	}
}

// staticRoutes transcribes the static routes, in the order the simulator
// has always installed them: networks' own prefixes, Cloud WAN
// create-routes, Transit Gateway routes, VPC routes, then those that point
// at an attachment, resolved.
func (b *topoBuilder) staticRoutes() {
	d := b.p.Design
	b.t.statics = make([]*Static, 0, staticsOf(d))
	for _, v := range d.VPCs {
		b.local(b.dev(v.Ref()).Tables[0], &v.Range, v.CIDRs, v.IPv6)
	}
	for _, g := range d.GCPVPCs {
		b.local(b.dev(g.Ref()).Tables[0], &g.Range, g.CIDRs, g.IPv6)
	}
	for _, s := range d.Sites {
		b.local(b.dev(s.Ref()).Tables[0], &s.Range, s.CIDRs, s.IPv6)
	}
	for _, cn := range d.CoreNetworks {
		for i := range cn.Actions {
			a := &cn.Actions[i]
			if a.Action != lang.ActionCreateRoute {
				continue
			}
			for _, e := range cn.Edges {
				v := b.seg[b.segKey(cn, e.Region, a.Segment)]
				if v == nil {
					continue
				}
				for _, dst := range a.Destinations {
					s := &Static{Table: v, Prefix: dst.Masked(), Blackhole: a.Blackhole, Pref: PrefStatic, Tag: TagStatic,
						at: &a.Range}
					if a.Blackhole {
						b.t.statics = append(b.t.statics, s)
					} else {
						b.pending = append(b.pending, pendingStatic{s, a.Target})
					}
				}
			}
		}
	}
	b.sendToStatics()
	// Transit Gateway static routes.
	for _, t := range d.TGWRouteTables {
		v := b.tgwTable(t.TGW, t.TGW.Name+"/"+t.Name)
		for i := range t.Routes {
			r := &t.Routes[i]
			s := &Static{Table: v, Prefix: r.Destination.Masked(), Blackhole: r.Blackhole, Pref: PrefStatic, Tag: TagStatic,
				at: &r.Range}
			if r.Blackhole {
				b.t.statics = append(b.t.statics, s)
			} else {
				b.pending = append(b.pending, pendingStatic{s, r.Target})
			}
		}
	}
	b.vpcRoutes()
	b.resolveStatics()
}

// vpcRoutes installs the static routes of VPCs that declare route tables.
// A VPC's tables are merged: traffic starts from the VPC, not a subnet, and
// the first table that routes a prefix wins.
func (b *topoBuilder) vpcRoutes() {
	staticVGWMTU := int(cat().Int("direct_connect.static_route_mtu"))
	n := 0
	for _, t := range b.p.Design.RouteTables {
		n += len(t.Routes)
	}
	// One allocation for them all: a design may hold a hundred thousand.
	slab := make([]Static, 0, n)
	type hops struct {
		target lang.Ref
		ifaces []*Iface
	}
	var known []hops
	// Next-hop lists share one array; each is capped so none grows into
	// the next.
	hopSlab := make([]*Iface, 0, len(b.p.Design.RouteTables))
	for _, t := range b.p.Design.RouteTables {
		dev := b.dev(t.VPC)
		v := dev.Tables[0]
		// A VPC's tables are merged, the first to route a prefix winning:
		// look for a duplicate in this table's routes so far and, when the
		// VPC had a table before, in all of them.
		start, again := len(slab), v.routed
		v.routed = true
		dup := func(p netip.Prefix) bool {
			from := start
			if again {
				from = 0
			}
			for _, o := range slab[from:] {
				if o.Table == v && o.Prefix == p {
					return true
				}
			}
			return false
		}
		// The interfaces towards each target, shared by its routes.
		known = known[:0]
		hopsTo := func(target lang.Ref) []*Iface {
			for _, k := range known {
				if k.target == target {
					return k.ifaces
				}
			}
			start := len(hopSlab)
			td := b.dev(target)
			for _, i := range dev.Ifaces {
				if peer := i.Peer().Device; peer == td || (target.Kind == lang.KindCoreNetwork && peer.Role == RoleCloudWAN) {
					hopSlab = append(hopSlab, i)
				}
			}
			out := hopSlab[start:len(hopSlab):len(hopSlab)]
			known = append(known, hops{target, out})
			return out
		}
		for k, r := range t.Routes {
			p := r.Destination.Masked()
			if dup(p) {
				continue
			}
			s := Static{Table: v, Prefix: p, Blackhole: r.Blackhole, Pref: PrefStatic, Tag: TagStatic, at: &t.Routes[k].Range}
			if !r.Blackhole {
				s.NextHops = hopsTo(r.Target)
			}
			if r.Target.Kind == lang.KindVPNGateway {
				// Jumbo frames go only where Direct Connect's routes were
				// propagated: a static route to the gateway sends at 1500.
				s.MTU = staticVGWMTU
			}
			slab = append(slab, s)
			b.t.statics = append(b.t.statics, &slab[len(slab)-1])
		}
	}
}

// edgeAttach joins an AWS edge router's table for one Interconnect or last
// mile to what it attaches to: a DX gateway's associations (through the DX
// gateway, a control-plane object that forwards nothing itself), a Transit
// Gateway, or a Cloud WAN segment. peer is the far network's table, never
// advertised back to itself.
func (b *topoBuilder) edgeAttach(rv *Table, at lang.Ref, direct lang.Resource, segment, region string, mtu int, peer *Table) {
	// A DX gateway never gives one connection what it learned from another
	// of its connections: there is no transit between them, even when the
	// route went round through a Transit Gateway or Cloud WAN
	// (https://docs.aws.amazon.com/directconnect/latest/UserGuide/direct-connect-gateways-intro.html, 2026-12).
	group := ""
	if at.Kind == lang.KindDXGateway {
		group = at.String()
		b.t.EdgeGroups[group] = append(b.t.EdgeGroups[group], rv)
	}
	notPeer := Filter{NotTags: []string{TagEdge}, NotThrough: []*Table{peer}, NotThroughGroup: group}
	src := direct.Source()
	rdev := rv.Device
	short := rdev.Name
	switch at.Kind {
	case lang.KindTransitGW:
		assoc := b.assocTable(at, direct.Ref())
		l := b.t.connect(fmt.Sprintf("%s/%s/%s", direct.Ref().Name, short, at), "attachment", rdev, rv, b.dev(at), assoc, b.intraRegion(), mtu)
		l.Source = src
		b.target(direct.Ref(), l.B)
		for _, t := range b.propagating(at, direct.Ref()) {
			b.learn(t, rv, l.B, PrefDX, TagEdge, onlyPeer, "the connection propagates what BGP learned into the table", src)
		}
		if assoc != nil {
			b.learn(rv, assoc, l.A, PrefDynamic, TagGateway, notPeer, "the associated table is advertised over BGP", src)
		}
	case lang.KindCoreNetwork:
		cn, _ := b.lookup(at).(*lang.CoreNetwork)
		ingress, seg := b.segmentTables(at, region, segment)
		if cn == nil || seg == nil {
			return
		}
		l := b.t.connect(fmt.Sprintf("%s/%s/%s", direct.Ref().Name, short, seg.Device.Name), "attachment", rdev, rv, seg.Device, ingress, b.intraRegion(), mtu)
		l.Source = src
		b.target(direct.Ref(), l.B)
		b.learn(seg, rv, l.B, PrefDX, TagAttachment, onlyPeer, "the connection's BGP routes go into its segment", src)
		b.learn(rv, ingress, l.A, PrefDynamic, TagGateway, notPeer, "the segment is advertised over BGP", src)
	case lang.KindDXGateway:
		dx := b.dev(at)
		for _, a := range b.p.adjacent(at) {
			gw := a.Other(at)
			switch a.Kind {
			case lang.AttachDXGWVGW:
				gwDev := b.dev(gw)
				b.dxAssociation(a, rv, direct, region, mtu, dx, gwDev, gwDev.Tables[0], []*Table{gwDev.Tables[0]}, TagEdge, notPeer)
			case lang.AttachDXGWTGW:
				ingress := b.assocTable(gw, a.Ref())
				b.dxAssociation(a, rv, direct, region, mtu, dx, b.dev(gw), ingress, b.propagating(gw, a.Ref()), TagEdge, notPeer)
			case lang.AttachDXGWWAN:
				// The attachment is associated with every edge of the core
				// network (EdgeLocations, "One or more core network edge
				// locations that the Direct Connect gateway attachment is
				// associated with", CreateDirectConnectGatewayAttachment;
				// the Terraform export lists them all), each edge learning
				// the connection's routes itself and advertising to it
				// only its own Region's routes: "An edge advertises its
				// local routes only toward associated DXGW attachments"
				// (AWS's Cloud WAN blueprints, guidance/dx_geographic_egress.md,
				// citing https://docs.aws.amazon.com/network-manager/latest/cloudwan/cloudwan-dxattach-about.html;
				// read 2026-12), not what it learned from the other edges.
				// A route is an edge's own when it came through no other
				// edge's table: not over the mesh, nor shared or steered
				// (send-via) there from another Region.
				cn, _ := b.lookup(gw).(*lang.CoreNetwork)
				if cn == nil {
					continue
				}
				edges := make([]*Device, len(cn.Edges))
				for i, e := range cn.Edges {
					for _, sg := range cn.Segments {
						if _, t := b.segmentTables(gw, e.Region, sg.Name); t != nil {
							edges[i] = t.Device
							break
						}
					}
				}
				for i, e := range cn.Edges {
					ingress, into := b.segmentTables(gw, e.Region, a.Segment)
					if into == nil {
						continue
					}
					local := notPeer
					local.NotThrough = slices.Clone(notPeer.NotThrough)
					for j, d := range edges {
						if j != i && d != nil {
							local.NotThrough = append(local.NotThrough, d.Tables...)
						}
					}
					b.dxAssociation(a, rv, direct, region, mtu, dx, into.Device, ingress, []*Table{into}, TagAttachment, local)
				}
			}
		}
	}
}

// dxAssociation joins the router of a connection (rv, in region) through
// its DX gateway dx to gateway device gwDev of association a: the gateway
// takes the connection's routes into tables, with tag, and the router what
// the association advertises towards on-premises from ingress, by export
// where the association has no allowed prefixes.
func (b *topoBuilder) dxAssociation(a *lang.Attachment, rv *Table, direct lang.Resource, region string, mtu int, dx, gwDev *Device, ingress *Table, tables []*Table, tag string, export Filter) {
	l := b.t.connect(fmt.Sprintf("%s/%s/%s", direct.Ref().Name, rv.Device.Name, gwDev.Name), "association", rv.Device, rv, gwDev, ingress,
		b.between(region, gwDev.Region), mtu)
	l.Via = []*Device{dx}
	l.Source = a.Source()
	b.target(a.Ref(), l.B)
	for _, t := range tables {
		b.learn(t, rv, l.B, PrefDX, tag, onlyPeer, "the DX gateway association carries the connection's BGP routes to the gateway", a.Source())
	}
	// What the association advertises towards on-premises
	// (https://docs.aws.amazon.com/directconnect/latest/UserGuide/allowed-to-prefixes.html, 2026-12).
	switch {
	case a.Kind == lang.AttachDXGWVGW && len(a.AllowedPrefixes) > 0:
		// For a virtual private gateway the list filters: the VPC's
		// CIDR is advertised when an allowed prefix equals or covers
		// it, else nothing.
		b.learn(rv, ingress, l.A, PrefDynamic, TagGateway, Filter{Tags: []string{TagVPC}, Within: a.AllowedPrefixes},
			"the virtual private gateway association advertises its VPC's CIDRs within the allowed prefixes", a.Source())
	case a.Kind == lang.AttachDXGWWAN && len(a.AllowedPrefixes) > 0 && ingress != nil:
		// A DX gateway's attachment to a core network takes no
		// allowed prefixes: CreateDirectConnectGatewayAttachment
		// has none
		// (https://docs.aws.amazon.com/networkmanager/latest/APIReference/API_CreateDirectConnectGatewayAttachment.html,
		// read 2026-12), and the segment's routes are propagated
		// to it over BGP. What only an outbound routing policy
		// (policy version 2025.11) does, the design's list does
		// here: it lets through the segment's routes within it.
		export.Within = a.AllowedPrefixes
		b.learn(rv, ingress, l.A, PrefDynamic, TagGateway, export,
			"the segment is advertised over BGP, within the allowed prefixes (a routing policy's work)", a.Source())
	case len(a.AllowedPrefixes) > 0:
		// For a Transit Gateway the listed prefixes themselves are
		// advertised.
		// They come from the association's own table or segment.
		from := ingress
		if from == nil && len(gwDev.Tables) > 0 {
			from = gwDev.Tables[0]
		}
		if from == nil {
			// A Transit Gateway without route tables: nothing could
			// forward what the association would attract.
			return
		}
		r := b.learn(rv, from, l.A, PrefDynamic, TagGateway, Filter{},
			"the association advertises its allowed prefixes", a.Source())
		r.Originate = a.AllowedPrefixes
	case ingress != nil:
		why := "the association advertises what the gateway's table holds"
		if a.Kind == lang.AttachDXGWVGW {
			export = onlyVPC
			why = "the virtual private gateway association advertises its VPC's CIDRs"
		}
		b.learn(rv, ingress, l.A, PrefDynamic, TagGateway, export, why, a.Source())
	}
}

func (b *topoBuilder) interconnects() {
	members, minLinks := int(cat().Int("interconnect.channel_members")), int(cat().Int("interconnect.channel_min_links"))
	for _, ip := range b.p.Interconnects {
		ic := ip.Declared
		gv := b.dev(ic.Peer).Tables[0]
		gnet, _ := b.lookup(ic.Peer).(lang.Network)
		latency := b.between(ip.AWSRegion, ip.PeerRegion)
		per := float64(ic.Bandwidth) / float64(len(ip.Channels)*members)
		for _, ch := range ip.Channels {
			awsR := b.device(ch.AWS.Device, RoleAWSEdge, ip.AWSRegion, ch.AWSFacility)
			peerR := b.device(ch.Peer.Device, RolePeerRouter, ip.PeerRegion, ch.PeerFacility)
			av, pv := b.t.table(awsR, ic.Name), b.t.table(peerR, ic.Name)
			av.Source, pv.Source = ic.Source(), ic.Source()
			l := b.t.connect(ch.Name, "channel", awsR, av, peerR, pv, latency, ch.MTU)
			l.Source = ic.Source()
			l.MACsec = stdlib.MustEncrypt // the specification's fail-closed rule
			b.t.lag(l, members, per, minLinks, ch.AWSFacility, ch.PeerFacility)
			l.Group = ic.Name
			b.t.Groups[ic.Name] = append(b.t.Groups[ic.Name], l)
			for _, d := range []*Device{awsR, peerR} {
				if !slices.Contains(b.t.GroupDevices[ic.Name], d) {
					b.t.GroupDevices[ic.Name] = append(b.t.GroupDevices[ic.Name], d)
				}
			}
			b.learn(av, pv, l.A, PrefDynamic, TagPeer, onlyVPC, "eBGP over the channel", ic.Source()).Session = ch.Session
			b.learn(pv, av, l.B, PrefDynamic, TagPeer, onlyGateway, "eBGP over the channel", ic.Source()).Session = ch.Session
			if len(pv.Device.Ifaces) == 1 || !linkedTo(peerR, gv.Device) {
				g := b.t.connect(ch.Peer.Device+"/"+ic.Peer.Name, "internal", peerR, pv, gv.Device, gv, b.intraRegion(), gnet.MaxMTU())
				g.Source = ic.Source()
				b.learn(pv, gv, g.A, PrefDynamic, TagVPC, onlyLocal, "the partner cloud's router learns its network", ic.Source())
				b.learn(gv, pv, g.B, PrefDynamic, TagGateway, behindLocal(gnet, onlyPeer), "the partner cloud's network learns what its router got over BGP", ic.Source())
			}
			b.edgeAttach(av, ic.AttachTo, ic, ic.Segment, ip.AWSRegion, ip.MTU, gv)
		}
	}
}

// behindLocal is f refusing, besides, the routes that nw's own prefixes
// hold: a cloud network's own route wins over what its gateways or
// routers bring it, however specific. At AWS: "If propagated routes from
// a Site-to-Site VPN connection or AWS Direct Connect connection overlap
// with the local route for your VPC, the local route is most preferred
// even if the propagated routes are more specific"
// (https://docs.aws.amazon.com/vpn/latest/s2svpn/vpn-route-priority.html,
// read 2026-12). At Google Cloud, "All subnet route types are evaluated
// after policy based routes (but before custom routes)", dynamic ones
// included (https://cloud.google.com/vpc/docs/routes, read 2026-12).
// An on-premises site is a router of its own, which follows the longest
// prefix.
func behindLocal(nw lang.Network, f Filter) Filter {
	if nw == nil {
		return f
	}
	switch v4, v6 := nw.Addresses(); {
	case len(v6) == 0:
		f.NotWithin = v4
	case len(v4) == 0:
		f.NotWithin = v6
	default:
		f.NotWithin = slices.Concat(v4, v6)
	}
	return f
}

func linkedTo(d, other *Device) bool {
	for _, i := range d.Ifaces {
		if i.Peer().Device == other {
			return true
		}
	}
	return false
}

func (b *topoBuilder) lastMiles() {
	members := int(cat().Int("last_mile.connection_members"))
	for _, lp := range b.p.LastMiles {
		lm, _ := b.lookup(lp.LastMile).(*lang.LastMile)
		site, _ := b.lookup(lm.Site).(*lang.Site)
		cust := b.named[site.Name+"/router"]
		cv := cust.Tables[0]
		sv := b.dev(site.Ref()).Tables[0]
		per := float64(lm.Bandwidth) / float64(len(lp.Connections)*members)
		for _, c := range lp.Connections {
			awsR := b.device(c.AWS.Device, RoleAWSEdge, lp.Region, c.Location)
			edge := b.device(c.Location+"/"+lp.Partner+"-edge", RolePartnerEdge, lp.Region, c.Location)
			av := b.t.table(awsR, lm.Name)
			av.Source = lm.Source()
			l := b.t.connect(c.Name, "connection", cust, cv, awsR, av, usRTT("latency.last_mile_rtt_us")/2, c.MTU)
			l.Source = lm.Source()
			l.MACsec = c.MACsec
			b.t.lag(l, members, per, 1, c.Location)
			l.Via = []*Device{edge}
			l.Group = lm.Name
			b.t.Groups[lm.Name] = append(b.t.Groups[lm.Name], l)
			b.learn(av, cv, l.B, PrefDynamic, TagPeer, onlyVPC, "eBGP over the connection", lm.Source()).Session = c.Session
			b.learn(cv, av, l.A, PrefDynamic, TagPeer, onlyGateway, "eBGP over the connection", lm.Source()).Session = c.Session
			b.edgeAttach(av, lm.AttachTo, lm, "", lp.Region, c.MTU, sv)
		}
	}
}

// Allows reports whether a route with this tag, prefix and path of table
// IDs (origin first) crosses the filter; groups is Topology.EdgeGroups.
func (f *Filter) Allows(tag string, prefix netip.Prefix, path []int32, groups map[string][]*Table) bool {
	if len(f.Tags) > 0 && !slices.Contains(f.Tags, tag) {
		return false
	}
	if slices.Contains(f.NotTags, tag) {
		return false
	}
	holds := func(w netip.Prefix) bool { return w.Bits() <= prefix.Bits() && w.Masked().Contains(prefix.Addr()) }
	if len(f.Within) > 0 && !slices.ContainsFunc(f.Within, holds) {
		return false
	}
	if slices.ContainsFunc(f.NotWithin, holds) {
		return false
	}
	for _, t := range f.NotThrough {
		if slices.Contains(path, int32(t.ID)) {
			return false
		}
	}
	if f.NotThroughGroup != "" {
		for _, t := range groups[f.NotThroughGroup] {
			if slices.Contains(path, int32(t.ID)) {
				return false
			}
		}
	}
	return true
}
