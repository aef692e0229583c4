package sim

import (
	"fmt"
	"net/netip"
	"slices"
	"time"

	"patchbay/lang"
	"patchbay/planner"
	"patchbay/stdlib"
)

func cat() *stdlib.Catalog { return stdlib.Default() }

func catInt(key string) int { return int(cat().Int(key)) }

func usRTT(key string) time.Duration { return time.Duration(cat().Int(key)) * time.Microsecond }

// oneWay is half the catalog's round trip between two regions; a pair the
// catalog does not list is an error, never a guess.
func oneWay(a, b string) (time.Duration, error) {
	rtt, _, ok := cat().RTT(a, b)
	if !ok {
		return 0, fmt.Errorf("the latency catalog has no round trip between %s and %s; add a row to stdlib/catalog/latency.json", a, b)
	}
	return rtt / 2, nil
}

// builder instantiates a plan.
type builder struct {
	p   *planner.Plan
	n   *Network
	err error

	regionOf map[lang.Ref]string
	// attIface is, per attachment (or Interconnect attached directly) and
	// gateway device, the gateway's interfaces of it: static routes target them.
	attIface map[lang.Ref][]*Iface
	seg      map[string]*VRF // Cloud WAN segment tables: "core/region/segment"
	isolated map[string]*VRF
	pending  []pendingStatic
	edges    map[lang.Ref][]int32 // edge-router tables by what they attach to
}

// Build instantiates a plan as a network: a device per router and gateway,
// links for channels, connections and attachments, routing tables with
// the services' propagation rules. The result has converged routing, as
// if every BGP session were up.
func Build(p *planner.Plan) (*Network, error) {
	n, err := build(p)
	if err != nil {
		return nil, err
	}
	n.index()
	n.converge(true)
	return n, nil
}

// build instantiates a plan without computing its routes, so a run can
// put BGP sessions on its adjacencies first.
func build(p *planner.Plan) (*Network, error) {
	b := &builder{p: p, n: &Network{byName: map[string]*Device{}, linkNamed: map[string]*Link{}, members: map[string]*memberRef{},
		Endpoints: map[string]*Endpoint{}, Facilities: map[string][]*Link{}, Groups: map[string][]*Link{}, GroupDevices: map[string][]*Device{}},
		regionOf: map[lang.Ref]string{}, edges: map[lang.Ref][]int32{}, attIface: map[lang.Ref][]*Iface{}, seg: map[string]*VRF{}, isolated: map[string]*VRF{}}
	b.networks()
	b.gateways()
	b.attachments()
	b.interconnects()
	b.lastMiles()
	b.vpcRoutes()
	b.resolveStatics()
	if b.err != nil {
		return nil, b.err
	}
	return b.n, nil
}

func (b *builder) fail(err error) {
	if b.err == nil {
		b.err = err
	}
}

func (b *builder) lookup(r lang.Ref) lang.Resource {
	x, _ := b.p.Design.Lookup(r)
	return x
}

func (b *builder) dev(r lang.Ref) *Device {
	d, _ := b.n.Device(r.String())
	return d
}

func (b *builder) intraRegion() time.Duration   { return usRTT("latency.intra_region_rtt_us") / 2 }
func (b *builder) intraFacility() time.Duration { return usRTT("latency.intra_facility_rtt_us") / 2 }

func (b *builder) between(a, c string) time.Duration {
	if a == c {
		return b.intraRegion()
	}
	d, err := oneWay(a, c)
	b.fail(err)
	return d
}

// local declares a network's own prefixes in its table.
func (b *builder) local(v *VRF, prefixes ...[]netip.Prefix) {
	for _, ps := range prefixes {
		for _, p := range ps {
			b.n.statics = append(b.n.statics, &static{vrf: v, prefix: p.Masked(), local: true, pref: prefLocal, tag: tagLocal, origin: v.Dev.Name})
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

func (b *builder) endpoint(nw lang.Network, d *Device) {
	v4, v6 := nw.Addresses()
	b.n.Endpoints[nw.Ref().String()] = &Endpoint{Name: nw.Ref().String(), Dev: d, V4: hostIn(v4), V6: hostIn(v6), MTU: nw.MaxMTU()}
}

func (b *builder) networks() {
	d := b.p.Design
	for _, v := range d.VPCs {
		dev := b.n.device(v.Ref().String(), RoleNetwork, v.Region, "")
		b.regionOf[v.Ref()] = v.Region
		b.local(b.n.vrf(dev, ""), v.CIDRs, v.IPv6)
		b.endpoint(v, dev)
	}
	for _, g := range d.GCPVPCs {
		dev := b.n.device(g.Ref().String(), RoleNetwork, g.Region, "")
		b.regionOf[g.Ref()] = g.Region
		b.local(b.n.vrf(dev, ""), g.CIDRs, g.IPv6)
		b.endpoint(g, dev)
	}
	for _, s := range d.Sites {
		dev := b.n.device(s.Ref().String(), RoleNetwork, "", s.Name)
		net := b.n.vrf(dev, "")
		b.local(net, s.CIDRs, s.IPv6)
		b.endpoint(s, dev)
		// The site's router: the customer end of every last-mile connection.
		rtr := b.n.device(s.Name+"/router", RoleCustomer, "", s.Name)
		rv := b.n.vrf(rtr, "")
		b.n.connect(s.Name+"/lan", "internal", dev, net, rtr, rv, b.intraFacility(), s.MTU)
		b.learn(rv, net, rtr.ifaces[0], prefDynamic, tagVPC, tagIs(tagLocal))
		b.learn(net, rv, dev.ifaces[0], prefDynamic, tagGateway, nil)
	}
}

// learn makes to learn from's routes over via (to's interface towards from).
func (b *builder) learn(to, from *VRF, via *Iface, pref int, tag string, export func(*route) bool) *adjacency {
	a := &adjacency{from: from, to: to, via: via, pref: pref, tag: tag, export: export}
	b.n.adjs = append(b.n.adjs, a)
	return a
}

func (b *builder) gateways() {
	d := b.p.Design
	for _, g := range d.VPNGateways {
		// A VGW lives in the region of the VPC it serves.
		for _, a := range b.p.AttachmentsOf(g.Ref()) {
			if a.Kind == lang.AttachVGWVPC {
				b.regionOf[g.Ref()] = b.regionOf[a.B]
			}
		}
		b.n.vrf(b.n.device(g.Ref().String(), RoleVGW, b.regionOf[g.Ref()], ""), "")
	}
	for _, g := range d.DXGateways {
		b.n.vrf(b.n.device(g.Ref().String(), RoleDXGW, "", ""), "")
	}
	for _, g := range d.TransitGateways {
		b.regionOf[g.Ref()] = g.Region
		dev := b.n.device(g.Ref().String(), RoleTGW, g.Region, "")
		for _, t := range b.p.TGWTables {
			if t.TGW == g.Ref() {
				b.n.vrf(dev, t.Table)
			}
		}
	}
	for _, cn := range d.CoreNetworks {
		shared := planner.SharedSegments(cn)
		for _, e := range cn.Edges {
			dev := b.n.device(b.edgeName(cn, e.Region), RoleCloudWAN, e.Region, "")
			for _, s := range cn.Segments {
				if len(s.EdgeRegions) > 0 && !slices.Contains(s.EdgeRegions, e.Region) {
					continue
				}
				v := b.n.vrf(dev, s.Name)
				b.seg[b.segKey(cn, e.Region, s.Name)] = v
				if s.IsolateAttachments {
					// Attachments of an isolated segment look up in a table
					// without each other's routes: only shared and static ones.
					iso := b.n.vrf(dev, s.Name+"/isolated")
					b.isolated[b.segKey(cn, e.Region, s.Name)] = iso
					adj := b.learn(iso, v, nil, 0, tagShare, tagIs(tagShare, tagStatic))
					adj.prefOf = func(r *route) int { return r.pref }
					adj.blackholes = true // the segment's create-route blackholes bind its attachments too
				}
			}
			// Shared segments see each other's attachment routes, not
			// what they were shared in turn.
			for _, s := range cn.Segments {
				for _, o := range shared[s.Name] {
					to, from := b.seg[b.segKey(cn, e.Region, s.Name)], b.seg[b.segKey(cn, e.Region, o)]
					if to != nil && from != nil {
						b.learn(to, from, nil, 0, tagShare, tagIs(tagAttachment, tagMesh)).prefOf = func(r *route) int { return r.pref }
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
					l := b.n.connect(fmt.Sprintf("%s/mesh/%s-%s/%s", cn.Name, e.Region, f.Region, s.Name), "mesh",
						va.Dev, va, vb.Dev, vb, b.between(e.Region, f.Region), catInt("cloud_wan.mtu"))
					b.learn(va, vb, l.A, prefRemote, tagMesh, tagIs(tagAttachment))
					b.learn(vb, va, l.B, prefRemote, tagMesh, tagIs(tagAttachment))
				}
			}
		}
		for _, a := range cn.Actions {
			if a.Action != lang.ActionCreateRoute {
				continue
			}
			for _, e := range cn.Edges {
				v := b.seg[b.segKey(cn, e.Region, a.Segment)]
				if v == nil {
					continue
				}
				for _, dst := range a.Destinations {
					s := &static{vrf: v, prefix: dst.Masked(), blackhole: a.Blackhole, pref: prefStatic, tag: tagStatic,
						origin: fmt.Sprintf("create-route at %s", a.Range)}
					if a.Blackhole {
						b.n.statics = append(b.n.statics, s)
					} else {
						b.pending = append(b.pending, pendingStatic{s, a.Target})
					}
				}
			}
		}
	}
}

func (b *builder) edgeName(cn *lang.CoreNetwork, region string) string {
	return cn.Ref().String() + "/" + region
}

func (b *builder) segKey(cn *lang.CoreNetwork, region, segment string) string {
	return cn.Name + "/" + region + "/" + segment
}

// pendingStatic is a static route to an attachment, resolved once every
// attachment exists.
type pendingStatic struct {
	s      *static
	target lang.Ref
}

// resolveStatics points each static route at its attachment: on a Cloud
// WAN edge, the attachment itself when it is on this edge, else the mesh
// link to the edge it is on.
func (b *builder) resolveStatics() {
	for _, ps := range b.pending {
		v := ps.s.vrf
		for _, i := range b.attIface[ps.target] {
			if i.Dev == v.Dev {
				ps.s.nexthops = append(ps.s.nexthops, i)
			}
		}
		if len(ps.s.nexthops) == 0 {
			for _, i := range b.attIface[ps.target] {
				for _, m := range v.Dev.ifaces {
					if m.Link.Kind == "mesh" && m.VRF == v && m.Peer().Dev == i.Dev {
						ps.s.nexthops = append(ps.s.nexthops, m)
					}
				}
			}
		}
		b.n.statics = append(b.n.statics, ps.s)
	}
}

// tgwTables are a Transit Gateway's tables: the one an attachment is
// associated with, and those it propagates to.
func (b *builder) assocTable(tgw lang.Ref, att lang.Ref) *VRF {
	for _, t := range b.p.TGWTables {
		if t.TGW == tgw && slices.Contains(t.Associations, att) {
			return b.tgwVRF(tgw, t.Table)
		}
	}
	return nil
}

func (b *builder) propagating(tgw lang.Ref, att lang.Ref) []*VRF {
	var out []*VRF
	for _, t := range b.p.TGWTables {
		if t.TGW == tgw && slices.Contains(t.Propagations, att) {
			out = append(out, b.tgwVRF(tgw, t.Table))
		}
	}
	return out
}

func (b *builder) tgwVRF(tgw lang.Ref, table string) *VRF {
	for _, v := range b.dev(tgw).vrfs {
		if v.Name == table {
			return v
		}
	}
	return nil
}

// segmentIngress is the table a Cloud WAN attachment's traffic is looked up
// in, and segment the table its routes go into.
func (b *builder) segmentTables(cn lang.Ref, region, segment string) (ingress, seg *VRF) {
	key := cn.Name + "/" + region + "/" + segment
	seg = b.seg[key]
	if iso := b.isolated[key]; iso != nil {
		return iso, seg
	}
	return seg, seg
}

func (b *builder) hasRouteTables() map[lang.Ref]bool {
	out := map[lang.Ref]bool{}
	for _, t := range b.p.Design.RouteTables {
		out[t.VPC] = true
	}
	return out
}

func (b *builder) attachments() {
	d := b.p.Design
	explicit := b.hasRouteTables()
	tgwMTU, wanMTU := catInt("transit_gateway.mtu"), catInt("cloud_wan.mtu")
	netVRF := func(r lang.Ref) *VRF { return b.dev(r).vrfs[0] }
	// A VPC without route tables of its own forwards by what its gateways
	// advertise, as with route propagation enabled.
	vpcLearns := func(vpc lang.Ref, from *VRF, via *Iface) {
		if from != nil && !explicit[vpc] {
			b.learn(netVRF(vpc), from, via, prefDynamic, tagGateway, nil).blackholes = true
		}
	}
	for _, a := range d.Attachments {
		name := a.Ref().String()
		switch a.Kind {
		case lang.AttachVPCTGW:
			assoc := b.assocTable(a.B, a.Ref())
			l := b.n.connect(name, "attachment", b.dev(a.A), netVRF(a.A), b.dev(a.B), assoc, b.intraRegion(), tgwMTU)
			b.attIface[a.Ref()] = append(b.attIface[a.Ref()], l.B)
			for _, t := range b.propagating(a.B, a.Ref()) {
				b.learn(t, netVRF(a.A), l.B, prefVPC, tagVPC, tagIs(tagLocal))
			}
			vpcLearns(a.A, assoc, l.A)
		case lang.AttachVPCCloudWAN:
			ingress, seg := b.segmentTables(a.B, b.regionOf[a.A], a.Segment)
			if seg == nil {
				continue // the planner reports an attachment to a region without an edge
			}
			l := b.n.connect(name, "attachment", b.dev(a.A), netVRF(a.A), seg.Dev, ingress, b.intraRegion(), wanMTU)
			b.attIface[a.Ref()] = append(b.attIface[a.Ref()], l.B)
			b.learn(seg, netVRF(a.A), l.B, prefVPC, tagAttachment, tagIs(tagLocal))
			vpcLearns(a.A, ingress, l.A)
		case lang.AttachVGWVPC:
			vgw := netVRF(a.A)
			l := b.n.connect(name, "attachment", b.dev(a.A), vgw, b.dev(a.B), netVRF(a.B), b.intraRegion(), catInt("vpc.mtu"))
			b.attIface[a.Ref()] = append(b.attIface[a.Ref()], l.A)
			b.learn(vgw, netVRF(a.B), l.A, prefVPC, tagVPC, tagIs(tagLocal))
			vpcLearns(a.B, vgw, l.B)
		case lang.AttachTGWCloudWAN:
			region := b.regionOf[a.A]
			ingress, seg := b.segmentTables(a.B, region, a.Segment)
			assoc := b.assocTable(a.A, a.Ref())
			if seg == nil {
				continue
			}
			l := b.n.connect(name, "attachment", b.dev(a.A), assoc, seg.Dev, ingress, b.intraRegion(), wanMTU)
			b.attIface[a.Ref()] = append(b.attIface[a.Ref()], l.A, l.B)
			if assoc != nil {
				b.learn(seg, assoc, l.B, prefPeering, tagAttachment, tagNot(tagPeering))
			}
			for _, t := range b.propagating(a.A, a.Ref()) {
				b.learn(t, ingress, l.A, prefPeering, tagPeering, nil)
			}
		case lang.AttachTGWPeering:
			ra, rb := b.regionOf[a.A], b.regionOf[a.B]
			l := b.n.connect(name, "attachment", b.dev(a.A), b.assocTable(a.A, a.Ref()), b.dev(a.B), b.assocTable(a.B, a.Ref()), b.between(ra, rb), tgwMTU)
			b.attIface[a.Ref()] = append(b.attIface[a.Ref()], l.A, l.B)
		}
	}
	// Transit Gateway static routes.
	for _, t := range d.TGWRouteTables {
		v := b.tgwVRF(t.TGW, t.TGW.Name+"/"+t.Name)
		for _, r := range t.Routes {
			s := &static{vrf: v, prefix: r.Destination.Masked(), blackhole: r.Blackhole, pref: prefStatic, tag: tagStatic,
				origin: fmt.Sprintf("static route at %s", r.Range)}
			if r.Blackhole {
				b.n.statics = append(b.n.statics, s)
			} else {
				b.pending = append(b.pending, pendingStatic{s, r.Target})
			}
		}
	}
}

// vpcRoutes installs the static routes of VPCs that declare route tables.
// A VPC's tables are merged: a flow starts from the VPC, not a subnet, and
// the first table that routes a prefix wins.
func (b *builder) vpcRoutes() {
	for _, t := range b.p.Design.RouteTables {
		dev := b.dev(t.VPC)
		v := dev.vrfs[0]
		for _, r := range t.Routes {
			s := &static{vrf: v, prefix: r.Destination.Masked(), blackhole: r.Blackhole, pref: prefStatic, tag: tagStatic,
				origin: fmt.Sprintf("route at %s", r.Range)}
			if !r.Blackhole {
				for _, i := range dev.ifaces {
					if i.Peer().Dev.Name == r.Target.String() || (r.Target.Kind == lang.KindCoreNetwork && i.Peer().Dev.Role == RoleCloudWAN) {
						s.nexthops = append(s.nexthops, i)
					}
				}
			}
			dup := false
			for _, o := range b.n.statics {
				if o.vrf == v && o.prefix == s.prefix && o.tag == tagStatic {
					dup = true
				}
			}
			if !dup {
				b.n.statics = append(b.n.statics, s)
			}
		}
	}
}

// edgeAttach joins an AWS edge router's table for one Interconnect or last
// mile to what it attaches to: a DX gateway's associations (through the DX
// gateway, a control-plane object that forwards nothing itself), a Transit
// Gateway, or a Cloud WAN segment. peer is the far network, never
// advertised back to itself.
func (b *builder) edgeAttach(rv *VRF, at lang.Ref, direct lang.Ref, segment, region string, mtu int, peer *VRF) {
	// A DX gateway never gives one connection what it learned from another
	// of its connections: there is no transit between them, even when the
	// route went round through a Transit Gateway or Cloud WAN.
	if at.Kind == lang.KindDXGateway {
		b.edges[at] = append(b.edges[at], int32(rv.ID))
	}
	siblings := &b.edges
	notPeer := func(r *route) bool {
		if slices.Contains(r.path, int32(peer.ID)) || r.tag == tagEdge {
			return false
		}
		for _, id := range r.path {
			if slices.Contains((*siblings)[at], id) {
				return false
			}
		}
		return true
	}
	rdev := rv.Dev
	short := rdev.Name
	switch at.Kind {
	case lang.KindTransitGW:
		assoc := b.assocTable(at, direct)
		l := b.n.connect(fmt.Sprintf("%s/%s/%s", direct.Name, short, at), "attachment", rdev, rv, b.dev(at), assoc, b.intraRegion(), mtu)
		b.attIface[direct] = append(b.attIface[direct], l.B)
		for _, t := range b.propagating(at, direct) {
			b.learn(t, rv, l.B, prefDX, tagEdge, tagIs(tagPeer))
		}
		if assoc != nil {
			b.learn(rv, assoc, l.A, prefDynamic, tagGateway, notPeer)
		}
	case lang.KindCoreNetwork:
		cn, _ := b.lookup(at).(*lang.CoreNetwork)
		ingress, seg := b.segmentTables(at, region, segment)
		if cn == nil || seg == nil {
			return
		}
		l := b.n.connect(fmt.Sprintf("%s/%s/%s", direct.Name, short, seg.Dev.Name), "attachment", rdev, rv, seg.Dev, ingress, b.intraRegion(), mtu)
		b.attIface[direct] = append(b.attIface[direct], l.B)
		b.learn(seg, rv, l.B, prefDX, tagAttachment, tagIs(tagPeer))
		b.learn(rv, ingress, l.A, prefDynamic, tagGateway, notPeer)
	case lang.KindDXGateway:
		dx := b.dev(at)
		for _, a := range b.p.AttachmentsOf(at) {
			gw := a.Other(at)
			var ingress, into *VRF
			var gwDev *Device
			pref, tag := prefDX, tagEdge
			var tables []*VRF
			switch a.Kind {
			case lang.AttachDXGWVGW:
				gwDev = b.dev(gw)
				ingress, into = gwDev.vrfs[0], gwDev.vrfs[0]
				tables = []*VRF{into}
			case lang.AttachDXGWTGW:
				gwDev = b.dev(gw)
				ingress = b.assocTable(gw, a.Ref())
				into = ingress
				tables = b.propagating(gw, a.Ref())
			case lang.AttachDXGWWAN:
				ingress, into = b.segmentTables(gw, region, a.Segment)
				if into == nil {
					// A DX gateway reaches every edge; its traffic enters at
					// the edge of the connection's region when there is one.
					cn, _ := b.lookup(gw).(*lang.CoreNetwork)
					for _, e := range cn.Edges {
						if ingress, into = b.segmentTables(gw, e.Region, a.Segment); into != nil {
							break
						}
					}
				}
				if into == nil {
					continue
				}
				gwDev, tag = into.Dev, tagAttachment
				tables = []*VRF{into}
			default:
				continue
			}
			l := b.n.connect(fmt.Sprintf("%s/%s/%s", direct.Name, short, gwDev.Name), "association", rdev, rv, gwDev, ingress,
				b.between(region, gwDev.Region), mtu)
			l.Via = []*Device{dx}
			b.attIface[a.Ref()] = append(b.attIface[a.Ref()], l.B)
			for _, t := range tables {
				b.learn(t, rv, l.B, pref, tag, tagIs(tagPeer))
			}
			// What the association advertises: its allowed prefixes, or
			// what the gateway has when none are set.
			switch {
			case a.Kind == lang.AttachDXGWVGW && len(a.AllowedPrefixes) > 0:
				// For a VGW the list filters: the VPC's CIDR is advertised
				// when an allowed prefix equals or covers it, else nothing.
				allowed := a.AllowedPrefixes
				b.learn(rv, ingress, l.A, prefDynamic, tagGateway, func(r *route) bool {
					if r.tag != tagVPC {
						return false
					}
					for _, ap := range allowed {
						if ap.Bits() <= r.prefix.Bits() && ap.Masked().Contains(r.prefix.Addr()) {
							return true
						}
					}
					return false
				})
			case len(a.AllowedPrefixes) > 0:
				adj := b.learn(rv, gwDev.vrfs[0], l.A, prefDynamic, tagGateway, nil)
				adj.originate = a.AllowedPrefixes
			case ingress != nil:
				export := notPeer
				if a.Kind == lang.AttachDXGWVGW {
					export = tagIs(tagVPC)
				}
				b.learn(rv, ingress, l.A, prefDynamic, tagGateway, export)
			}
		}
	}
}

func (b *builder) interconnects() {
	members, minLinks := catInt("interconnect.channel_members"), catInt("interconnect.channel_min_links")
	for _, ip := range b.p.Interconnects {
		ic := ip.Declared
		gv := b.dev(ic.Peer).vrfs[0]
		gnet, _ := b.lookup(ic.Peer).(lang.Network)
		latency := b.between(ip.AWSRegion, ip.PeerRegion)
		per := float64(ic.Bandwidth) / float64(len(ip.Channels)*members)
		for _, ch := range ip.Channels {
			awsR := b.n.device(ch.AWS.Device, RoleAWSEdge, ip.AWSRegion, ch.AWSFacility)
			peerR := b.n.device(ch.Peer.Device, RolePeerRouter, ip.PeerRegion, ch.PeerFacility)
			av, pv := b.n.vrf(awsR, ic.Name), b.n.vrf(peerR, ic.Name)
			l := b.n.connect(ch.Name, "channel", awsR, av, peerR, pv, latency, ch.MTU)
			b.n.lag(l, members, per, minLinks, ch.AWSFacility, ch.PeerFacility)
			l.Group = ic.Name
			b.n.Groups[ic.Name] = append(b.n.Groups[ic.Name], l)
			for _, d := range []*Device{awsR, peerR} {
				if !slices.Contains(b.n.GroupDevices[ic.Name], d) {
					b.n.GroupDevices[ic.Name] = append(b.n.GroupDevices[ic.Name], d)
				}
			}
			b.learn(av, pv, l.A, prefDynamic, tagPeer, tagIs(tagVPC))
			b.learn(pv, av, l.B, prefDynamic, tagPeer, tagIs(tagGateway))
			if len(pv.Dev.ifaces) == 1 || !b.linkedTo(peerR, gv.Dev) {
				g := b.n.connect(ch.Peer.Device+"/"+ic.Peer.Name, "internal", peerR, pv, gv.Dev, gv, b.intraRegion(), gnet.MaxMTU())
				b.learn(pv, gv, g.A, prefDynamic, tagVPC, tagIs(tagLocal))
				b.learn(gv, pv, g.B, prefDynamic, tagGateway, tagIs(tagPeer))
			}
			b.edgeAttach(av, ic.AttachTo, ic.Ref(), ic.Segment, ip.AWSRegion, ip.MTU, gv)
		}
	}
}

func (b *builder) linkedTo(d, other *Device) bool {
	for _, i := range d.ifaces {
		if i.Peer().Dev == other {
			return true
		}
	}
	return false
}

func (b *builder) lastMiles() {
	members := catInt("last_mile.connection_members")
	for _, lp := range b.p.LastMiles {
		lm, _ := b.lookup(lp.LastMile).(*lang.LastMile)
		site, _ := b.lookup(lm.Site).(*lang.Site)
		cust, _ := b.n.Device(site.Name + "/router")
		cv := cust.vrfs[0]
		sv := b.dev(site.Ref()).vrfs[0]
		per := float64(lm.Bandwidth) / float64(len(lp.Connections)*members)
		for _, c := range lp.Connections {
			awsR := b.n.device(c.AWS.Device, RoleAWSEdge, lp.Region, c.Location)
			edge := b.n.device(c.Location+"/"+lp.Partner+"-edge", RolePartnerEdge, lp.Region, c.Location)
			av := b.n.vrf(awsR, lm.Name)
			l := b.n.connect(c.Name, "connection", cust, cv, awsR, av, usRTT("latency.last_mile_rtt_us")/2, c.MTU)
			b.n.lag(l, members, per, 1, c.Location)
			l.Via = []*Device{edge}
			l.Group = lm.Name
			b.n.Groups[lm.Name] = append(b.n.Groups[lm.Name], l)
			b.learn(av, cv, l.B, prefDynamic, tagPeer, tagIs(tagVPC))
			b.learn(cv, av, l.A, prefDynamic, tagPeer, tagIs(tagGateway))
			b.edgeAttach(av, lm.AttachTo, lm.Ref(), "", lp.Region, c.MTU, sv)
		}
	}
}
