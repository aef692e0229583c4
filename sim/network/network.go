package network

import (
	"math"
	"net/netip"
	"slices"
	"strings"
	"time"

	"patchbay/planner"
)

// Device is one routing or forwarding element.
type Device struct {
	ID       int          // its index in Network.Devices, the planner's device ID
	Name     string       // unique in the network
	Role     planner.Role // what kind of element it is
	Region   string       // the Region it is in or serves; "" for a site's router
	Facility string       // "" for regional services
	// GatewayMTU: the device enforces its attachments' MTU on what
	// arrives as well as what leaves (Transit Gateway, Cloud WAN), so it
	// is the one that drops a packet too large for an attachment
	// (planner.Device.GatewayMTU).
	GatewayMTU bool
	multipath  planner.Multipath
	pathFirst  bool // planner.PathFirst: a Cloud WAN edge

	down        []string // what failed it
	changes     *uint64  // the network's count of state changes
	maintenance int      // windows in progress
	vrfs        []*VRF
}

// Up reports whether the device forwards.
func (d *Device) Up() bool { return len(d.down) == 0 && d.maintenance == 0 }

// Member is one physical link of a LAG (or the single link of a connection).
type Member struct {
	Name     string  // LINK/m1, LINK/m2, …
	Capacity float64 // bits per second
	changes  *uint64 // the network's count of state changes
	// down lists what holds the member down ("link", "channel", "facility
	// us-east-1/fac-a"), so restoring a facility does not bring back a
	// member that was also failed by itself.
	down []string
}

// Up reports whether the member carries traffic.
func (m *Member) Up() bool { return len(m.down) == 0 }

// Link is an L3 adjacency between two interfaces. Physical links are LAGs
// of members and are up while at least MinLinks members are; virtual links
// (inside a managed service: a VPC attachment, the Cloud WAN mesh) have no
// members and no capacity limit.
type Link struct {
	// What every control packet reads is on the first cache line: a Link
	// is five lines (TestLinkLayout) and links are made back to back in
	// a slab. A slab of more than 32 KiB (over 102 links), as every
	// design large enough for the cache to matter has, starts on a page,
	// so each link starts on a line; the allocator puts an 8-byte header
	// before a smaller one, which shifts its links by that much, so what
	// every packet reads ends 8 bytes short of the line and stays on one
	// either way. Not four lines: links 256 bytes apart put every first
	// line in the same quarter of the cache's sets, as the BFD sessions'
	// first lines were (see bfd's session), and the two together missed
	// at 1,000 channels where the rest of the cache had room.
	Latency time.Duration // one way
	gate    Gate          // what guards the link's traffic (MACsec), nil when nothing does
	// PhysUp as last computed, while the network's count of state
	// changes stood at physAt−1: every control packet asks, and the answer
	// read both ends' devices, what the link passes through and every
	// member, each a cache miss once a design held thousands of links.
	physAt  uint64
	physWas bool
	changes *uint64

	ID         int       // its index in Network.Links, the planner's link ID
	Name       string    // unique in the network
	Kind       string    // channel, connection, attachment, association, mesh, internal
	A, B       *Iface    // its ends
	Members    []*Member // none for a virtual link
	MinLinks   int       // the members that must be up for the LAG to be
	MTU        int       // the largest IP packet it carries, bytes
	Facilities []string  // where the physical link runs
	Via        []*Device // devices the link passes through besides its ends (a partner's edge)
	Group      string    // the Interconnect or last mile it belongs to
	down       []string  // what failed a virtual link
	_          [88]byte  // to five lines (above)
}

// Physical reports whether l is made of members.
func (l *Link) Physical() bool { return len(l.Members) > 0 }

// UpMembers counts the members carrying traffic.
func (l *Link) UpMembers() int {
	n := 0
	for _, m := range l.Members {
		if m.Up() {
			n++
		}
	}
	return n
}

// Gate is what a protocol that guards a link's traffic (MACsec) decides
// about it: the network asks the gate rather than knowing the protocol.
type Gate interface {
	// Open reports whether traffic may cross now; false under
	// must_encrypt without an agreed key.
	Open() bool
	// Clear reports whether traffic crosses unprotected although it
	// should be encrypted: should_encrypt without an agreed key.
	Clear() bool
	// Why says why a link whose frames cross carries no traffic, when
	// Open is false.
	Why() string
}

// SetGate puts g in charge of l's traffic (nil: nothing guards it).
func (l *Link) SetGate(g Gate) { l.gate = g }

// Gate is what guards the link; nil when nothing does.
func (l *Link) Gate() Gate { return l.gate }

// InTheClear reports whether l carries traffic unprotected although it
// should be encrypted (should_encrypt without an agreed key).
func (l *Link) InTheClear() bool { return l.gate != nil && l.gate.Clear() }

// protected reports whether the link's traffic is encrypted, and so
// carries MACsec's overhead and limits.
func (l *Link) protected() bool { return l.gate != nil && !l.gate.Clear() }

// Up reports whether the link carries traffic: physically up, and let
// through by its gate.
func (l *Link) Up() bool {
	return l.PhysUp() && (l.gate == nil || l.gate.Open())
}

// PhysUp reports whether frames cross: both ends and everything the link
// passes through up, and enough members. MKA runs whenever they do.
func (l *Link) PhysUp() bool {
	at := *l.changes + 1
	if l.physAt != at {
		l.physAt, l.physWas = at, l.physUpNow()
	}
	return l.physWas
}

func (l *Link) physUpNow() bool {
	if len(l.down) > 0 || !l.A.Dev.Up() || !l.B.Dev.Up() {
		return false
	}
	for _, d := range l.Via {
		if !d.Up() {
			return false
		}
	}
	return !l.Physical() || l.UpMembers() >= max(l.MinLinks, 1)
}

// Why says why a link whose members are up carries no traffic: an end or
// a device it passes through is down, or its gate is shut (Gate.Why); ""
// when it is up, or down by its own failure or its members'.
func (l *Link) Why() string {
	if l.Up() || len(l.down) > 0 || (l.Physical() && l.UpMembers() < max(l.MinLinks, 1)) {
		return ""
	}
	if l.PhysUp() && l.gate != nil {
		return l.gate.Why()
	}
	for _, d := range append([]*Device{l.A.Dev, l.B.Dev}, l.Via...) {
		if !d.Up() {
			return d.Name + " is down"
		}
	}
	return ""
}

// Capacity is what the link carries in each direction now: the sum of its
// up members, 0 when down, +Inf for a virtual link.
func (l *Link) Capacity() float64 {
	if !l.Up() {
		return 0
	}
	if !l.Physical() {
		return math.Inf(1)
	}
	c := 0.0
	for _, m := range l.Members {
		if m.Up() {
			c += m.Capacity
		}
	}
	return c
}

// NominalCapacity is the capacity with every member up.
func (l *Link) NominalCapacity() float64 {
	if !l.Physical() {
		return math.Inf(1)
	}
	c := 0.0
	for _, m := range l.Members {
		c += m.Capacity
	}
	return c
}

// Iface is one end of a link on a device. Traffic arriving on it is looked
// up in VRF: a Transit Gateway attachment's associated route table, a Cloud
// WAN attachment's segment. A nil VRF drops what arrives (an attachment
// associated with no table).
type Iface struct {
	ID   int     // its index among the network's interfaces, the planner's interface ID
	Dev  *Device // the device it is on
	Link *Link   // the link it is an end of
	VRF  *VRF    // the table what arrives is looked up in; nil drops it
}

// Peer is the interface at the other end of the link.
func (i *Iface) Peer() *Iface {
	if i.Link.A == i {
		return i.Link.B
	}
	return i.Link.A
}

// String is "DEVICE → PEER DEVICE", as explanations name an interface.
func (i *Iface) String() string { return i.Dev.Name + " → " + i.Peer().Dev.Name }

// Endpoint is a network flows and probes start and end in.
type Endpoint struct {
	Name string     // the network's reference, "vpc.payments"
	Dev  *Device    // the device that holds the network, where its traffic starts
	V4   netip.Addr // a host address in the network, invalid when it has no IPv4
	V6   netip.Addr // likewise for IPv6
	MTU  int        // the largest packet the network sends, bytes
}

// Network is a design instantiated: devices, links, routing tables.
type Network struct {
	// changes counts changes to what holds a device, member or link down
	// (failures, restorations, maintenance), so a link's cached state is
	// recomputed after one. Each network has its own: a sweep's workers
	// change theirs concurrently.
	changes uint64

	Devices   []*Device            // by ID
	Links     []*Link              // by ID
	VRFs      []*VRF               // by ID
	Endpoints map[string]*Endpoint // by the network's reference, "vpc.payments"

	ifaces []*Iface
	// topo is the plan's topology this network instantiates, whose indexes
	// of names serve this network too, by ID: every worker of a sweep
	// would otherwise build its own.
	topo       *planner.Topology
	edgeGroups map[string][]*planner.Table // the tables a relation's filter names by group
	devOf      []int32                     // each table's device, by ID: solving reads it for every table a path went through
	adjs       []*adjacency
	statics    []*static
	staticsBy  map[netip.Prefix][]*static
	prefixes   map[netip.Prefix]bool   // every prefix any table may hold
	dirty      map[netip.Prefix]bool   // prefixes BGP changed since the last Converge
	exporters  map[int][]Exporter      // what advertises from each table, by its ID
	planned    int                     // adjs[:planned] are the planner's relations, the rest copies (Learn)
	learnVia   map[*Iface][]*adjacency // adjs[:planned] by the interface they cross, in order, made by the first Learn
	// Indexes that keep a prefix's recomputation proportional to where it is.
	holders     map[netip.Prefix][]holding    // tables with a route for the prefix, and the route, by table
	ribs        map[netip.Prefix][]ribRef     // speakers that received it, and what
	originators map[netip.Prefix][]*adjacency // adjacencies that advertise it
	sc          scratch                       // the solver's working memory (routing.go)
	// Facilities maps a facility (or partner location) to the links in it.
	Facilities map[string][]*Link
	// Groups maps an Interconnect or last mile name to its channels or connections.
	Groups map[string][]*Link
	// GroupDevices lists the devices of each Interconnect, for the
	// specification's rule on maintenance.
	GroupDevices map[string][]*Device
	slabs        slabs
}

// slabs hold the network's devices, tables, links, interfaces and members,
// one allocation for each kind, sized from the plan: a sweep builds a
// network per worker and per shard, and an allocation for each of their
// tens of thousands was much of the time a build took, and of the
// collector's work after it.
type slabs struct {
	devices []Device
	vrfs    []VRF
	links   []Link
	ifaces  []Iface
	members []Member
	lags    []*Member // the links' lists of members, back to back
}

// take is the next element of a slab, or a new one when it is used up.
func take[T any](slab *[]T) *T {
	if len(*slab) == 0 {
		return new(T)
	}
	x := &(*slab)[0]
	*slab = (*slab)[1:]
	return x
}

// Device returns the device named name.
func (n *Network) Device(name string) (*Device, bool) {
	if d, ok := n.topo.Device(name); ok {
		return n.Devices[d.ID], true
	}
	return nil, false
}

// Link returns the link named name.
func (n *Network) Link(name string) (*Link, bool) {
	if l, ok := n.topo.Link(name); ok {
		return n.Links[l.ID], true
	}
	return nil, false
}

func (n *Network) device(name string, role planner.Role, region, facility string) *Device {
	d := take(&n.slabs.devices)
	*d = Device{ID: len(n.Devices), Name: name, Role: role, Region: region, Facility: facility,
		GatewayMTU: role == planner.RoleTGW || role == planner.RoleCloudWAN, changes: &n.changes}
	n.Devices = append(n.Devices, d)
	return d
}

// vrf makes d's table of that name. The planner's tables of a device
// have names of their own (it finds a table by name before making one),
// so none is looked for here: an edge router has a table per
// Interconnect, hundreds, and looking through them for each was
// quadratic.
func (n *Network) vrf(d *Device, name string) *VRF {
	v := take(&n.slabs.vrfs)
	*v = VRF{ID: len(n.VRFs), Dev: d, Name: name}
	d.vrfs = append(d.vrfs, v)
	n.VRFs = append(n.VRFs, v)
	return v
}

// connect makes a link between a and b whose ends look up in va and vb.
func (n *Network) connect(name, kind string, a *Device, va *VRF, b *Device, vb *VRF, latency time.Duration, mtu int) *Link {
	l := take(&n.slabs.links)
	*l = Link{ID: len(n.Links), Name: name, Kind: kind, Latency: latency, MTU: mtu, changes: &n.changes}
	l.A, l.B = take(&n.slabs.ifaces), take(&n.slabs.ifaces)
	*l.A = Iface{ID: len(n.ifaces), Dev: a, Link: l, VRF: va}
	*l.B = Iface{ID: len(n.ifaces) + 1, Dev: b, Link: l, VRF: vb}
	n.ifaces = append(n.ifaces, l.A, l.B)
	n.Links = append(n.Links, l)
	return l
}

// lag gives l members of capacity each, by the planner's names
// (LINK/m1…).
func (n *Network) lag(l *Link, names []string, capacity float64, minLinks int, facilities ...string) {
	if len(n.slabs.lags) >= len(names) {
		l.Members, n.slabs.lags = n.slabs.lags[:0:len(names)], n.slabs.lags[len(names):]
	}
	for _, name := range names {
		m := take(&n.slabs.members)
		*m = Member{Name: name, Capacity: capacity, changes: &n.changes}
		l.Members = append(l.Members, m)
	}
	l.MinLinks = minLinks
	l.Facilities = facilities
	for _, f := range facilities {
		n.Facilities[f] = append(n.Facilities[f], l)
	}
}

// SetDown adds (fail) or removes cause as a reason for m to be down, and
// says what became of it: "down", "up", "still down (…)", "already
// failed" or "was not failed".
func (m *Member) SetDown(cause string, fail bool) string {
	return setCause(&m.down, m.changes, cause, fail)
}

// SetDown is Member.SetDown for a virtual link, which has no members.
func (l *Link) SetDown(cause string, fail bool) string {
	return setCause(&l.down, l.changes, cause, fail)
}

// SetDown is Member.SetDown for a device.
func (d *Device) SetDown(cause string, fail bool) string {
	return setCause(&d.down, d.changes, cause, fail)
}

// BeginMaintenance takes d out of service; maintenances may overlap, and
// d is back when the last ends.
func (d *Device) BeginMaintenance() {
	d.maintenance++
	*d.changes++
}

// EndMaintenance ends one of d's maintenances.
func (d *Device) EndMaintenance() {
	d.maintenance--
	*d.changes++
}

// setCause adds or removes one reason for being down, and counts the
// change, so what was worked out from the old state is worked out again.
func setCause(down *[]string, changes *uint64, cause string, fail bool) string {
	*changes++
	if fail {
		if slices.Contains(*down, cause) {
			return "already failed"
		}
		*down = append(*down, cause)
		return "down"
	}
	i := slices.Index(*down, cause)
	if i < 0 {
		return "was not failed"
	}
	*down = slices.Delete(*down, i, i+1)
	if len(*down) > 0 {
		return "still down (" + strings.Join(*down, ", ") + ")"
	}
	return "up"
}

// MemberNames is the names of every member of every link, in order.
func (n *Network) MemberNames() []string {
	var names []string
	for _, l := range n.Links {
		for _, m := range l.Members {
			names = append(names, m.Name)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// Member is the link member of that name and its link; nil when there is
// none.
func (n *Network) Member(name string) (*Member, *Link) {
	pl, ok := n.topo.Member(name)
	if !ok {
		return nil, nil
	}
	l := n.Links[pl.ID]
	for i := len(pl.Members) - 1; i >= 0; i-- {
		if pl.Members[i] == name {
			return l.Members[i], l
		}
	}
	return nil, nil
}
