package network

import (
	"fmt"
	"math"
	"net/netip"

	"patchbay/planner"
)

// Build instantiates a plan as a network: a device per router and gateway,
// links for channels, connections and attachments, routing tables with
// the services' propagation rules. The result has converged routing, as
// if every BGP session were up.
func Build(p *planner.Plan) (*Network, error) {
	n, err := New(p)
	if err != nil {
		return nil, err
	}
	n.Index()
	n.Converge(true)
	return n, nil
}

// New instantiates the plan's topology without computing its routes, so
// a run can put BGP sessions on its adjacencies first. Every device, link,
// table, relation and static route is the planner's, one for one and with
// the same numbers: the simulator holds no routing rule of its own, only
// the machinery that runs them while links fail and sessions change.
func New(p *planner.Plan) (*Network, error) {
	t := p.Topology()
	if t.Err != nil {
		return nil, t.Err
	}
	statics := t.StaticRoutes()
	members := 0
	for _, l := range t.Links {
		members += len(l.Members)
	}
	n := &Network{topo: t, edgeGroups: t.EdgeGroups,
		Devices: make([]*Device, 0, len(t.Devices)), Links: make([]*Link, 0, len(t.Links)), VRFs: make([]*VRF, 0, len(t.Tables)),
		ifaces: make([]*Iface, 0, len(t.Ifaces)), adjs: make([]*adjacency, 0, len(t.Relations)), statics: make([]*static, 0, len(statics)),
		Endpoints: make(map[string]*Endpoint, len(t.Endpoints)), exporters: map[int][]Exporter{}, Facilities: make(map[string][]*Link, len(t.Facilities)),
		Groups: make(map[string][]*Link, len(t.Groups)), GroupDevices: make(map[string][]*Device, len(t.GroupDevices)),
		slabs: slabs{devices: make([]Device, len(t.Devices)), vrfs: make([]VRF, len(t.Tables)), links: make([]Link, len(t.Links)),
			ifaces: make([]Iface, len(t.Ifaces)), members: make([]Member, members), lags: make([]*Member, members)},
	}
	// Each device's list of tables is a slice of one array, with the room
	// the planner's device says it needs.
	vrfs := make([]*VRF, len(t.Tables))
	for _, pd := range t.Devices {
		d := n.device(pd.Name, pd.Role, pd.Region, pd.Facility)
		d.multipath = planner.MultipathOf(pd)
		d.pathFirst = planner.PathFirst(pd)
		if d.vrfs == nil && len(pd.Tables) <= len(vrfs) {
			d.vrfs, vrfs = vrfs[:0:len(pd.Tables)], vrfs[len(pd.Tables):]
		}
	}
	for _, tb := range t.Tables {
		n.vrf(n.Devices[tb.Device.ID], tb.Name)
	}
	vrf := func(tb *planner.Table) *VRF {
		if tb == nil {
			return nil
		}
		return n.VRFs[tb.ID]
	}
	for _, l := range t.Links {
		sl := n.connect(l.Name, l.Kind, n.Devices[l.A.Device.ID], vrf(l.A.Table), n.Devices[l.B.Device.ID], vrf(l.B.Table), l.Latency, l.MTU)
		if l.Physical() {
			n.lag(sl, l.Members, l.MemberCapacity, l.MinLinks, l.Facilities...)
		}
		if len(l.Via) > 0 {
			sl.Via = make([]*Device, 0, len(l.Via))
			for _, d := range l.Via {
				sl.Via = append(sl.Via, n.Devices[d.ID])
			}
		}
		if sl.Group = l.Group; l.Group != "" {
			n.Groups[l.Group] = append(n.Groups[l.Group], sl)
		}
	}
	for g, ds := range t.GroupDevices {
		for _, d := range ds {
			n.GroupDevices[g] = append(n.GroupDevices[g], n.Devices[d.ID])
		}
	}
	for ref, ep := range t.Endpoints {
		name := ref.String()
		n.Endpoints[name] = &Endpoint{Name: name, Dev: n.Devices[ep.Device.ID], V4: ep.V4, V6: ep.V6, MTU: ep.MTU}
	}
	iface := func(i *planner.Iface) *Iface {
		if i == nil {
			return nil
		}
		return n.ifaces[i.ID]
	}
	adjs := make([]adjacency, len(t.Relations))
	for k, r := range t.Relations {
		a := &adjs[k]
		*a = adjacency{from: vrf(r.From), to: vrf(r.To), via: iface(r.Via), pref: r.Pref, tag: r.Tag,
			export: exportOf(&r.Export), keepPref: r.KeepPref, blackholes: r.Blackholes, redirect: r.Redirect, asn: r.ASN}
		if r.ASN != 0 {
			// What a route without attributes compares as (localPref).
			a.bare = &Attrs{ASPath: []uint32{r.ASN}, LocalPref: DefaultLocalPref}
		}
		a.viaHop[0] = a.via
		dx, inRegion := a.dxOf()
		a.dx, a.inRegion = int32(dx), inRegion
		if len(r.Originate) > 0 {
			a.originate = make([]netip.Prefix, 0, len(r.Originate))
			for _, o := range r.Originate {
				a.originate = append(a.originate, o.Masked())
			}
		}
		n.adjs = append(n.adjs, a)
	}
	sts := make([]static, len(statics))
	for k, s := range statics {
		st := &sts[k]
		*st = static{vrf: vrf(s.Table), prefix: s.Prefix, local: s.Local, blackhole: s.Blackhole, pref: s.Pref, tag: s.Tag, origin: s.Origin(), mtu: uint16(min(s.MTU, math.MaxUint16))}
		if len(s.NextHops) > 0 {
			st.nexthops = make([]*Iface, 0, len(s.NextHops))
			for _, h := range s.NextHops {
				st.nexthops = append(st.nexthops, iface(h))
			}
		}
		n.statics = append(n.statics, st)
	}
	// Names are the planner's own, found through its indexes: a device
	// that is not the one its name finds is a second of that name.
	for _, d := range n.Devices {
		if pd, _ := t.Device(d.Name); pd.ID != d.ID {
			return nil, fmt.Errorf("sim: the plan's topology did not instantiate one for one (two devices named %s)", d.Name)
		}
	}
	if len(n.Devices) != len(t.Devices) || len(n.VRFs) != len(t.Tables) || len(n.ifaces) != len(t.Ifaces) {
		return nil, fmt.Errorf("sim: the plan's topology did not instantiate one for one (%d/%d devices, %d/%d tables)",
			len(n.Devices), len(t.Devices), len(n.VRFs), len(t.Tables))
	}
	n.planned = len(n.adjs)
	return n, nil
}

// exportOf is a relation's filter as the adjacency's test; nil passes all.
// It points at the plan's filter, which nothing changes once planned,
// rather than holding a copy in a closure: a large design has thousands
// of relations.
func exportOf(f *planner.Filter) *planner.Filter {
	if len(f.Tags) == 0 && len(f.NotTags) == 0 && len(f.Within) == 0 && len(f.NotWithin) == 0 && len(f.NotThrough) == 0 && f.NotThroughGroup == "" {
		return nil
	}
	return f
}
