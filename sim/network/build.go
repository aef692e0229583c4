package network

import (
	"fmt"

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
	n := &Network{byName: map[string]*Device{}, linkNamed: map[string]*Link{}, members: map[string]*memberRef{},
		Endpoints: map[string]*Endpoint{}, exporters: map[int][]Exporter{}, Facilities: map[string][]*Link{}, Groups: map[string][]*Link{}, GroupDevices: map[string][]*Device{}}
	for _, d := range t.Devices {
		n.device(d.Name, d.Role, d.Region, d.Facility).multipath = planner.MultipathOf(d)
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
			n.lag(sl, len(l.Members), l.MemberCapacity, l.MinLinks, l.Facilities...)
		}
		for _, d := range l.Via {
			sl.Via = append(sl.Via, n.Devices[d.ID])
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
		n.Endpoints[ref.String()] = &Endpoint{Name: ref.String(), Dev: n.Devices[ep.Device.ID], V4: ep.V4, V6: ep.V6, MTU: ep.MTU}
	}
	iface := func(i *planner.Iface) *Iface {
		if i == nil {
			return nil
		}
		return n.ifaces[i.ID]
	}
	for _, r := range t.Relations {
		a := &adjacency{from: vrf(r.From), to: vrf(r.To), via: iface(r.Via), pref: r.Pref, tag: r.Tag,
			export: exportOf(r.Export, t.EdgeGroups), blackholes: r.Blackholes, redirect: r.Redirect}
		for _, o := range r.Originate {
			a.originate = append(a.originate, o.Masked())
		}
		if r.KeepPref {
			a.prefOf = func(r *Route) int { return r.pref }
		}
		n.adjs = append(n.adjs, a)
	}
	for _, s := range t.StaticRoutes() {
		st := &static{vrf: vrf(s.Table), prefix: s.Prefix, local: s.Local, blackhole: s.Blackhole, pref: s.Pref, tag: s.Tag, origin: s.Origin()}
		for _, h := range s.NextHops {
			st.nexthops = append(st.nexthops, iface(h))
		}
		n.statics = append(n.statics, st)
	}
	if len(n.Devices) != len(t.Devices) || len(n.VRFs) != len(t.Tables) || len(n.ifaces) != len(t.Ifaces) {
		return nil, fmt.Errorf("sim: the plan's topology did not instantiate one for one (%d/%d devices, %d/%d tables)",
			len(n.Devices), len(t.Devices), len(n.VRFs), len(t.Tables))
	}
	n.planned = len(n.adjs)
	return n, nil
}

// exportOf is a relation's filter as the adjacency's test; nil passes all.
func exportOf(f planner.Filter, groups map[string][]*planner.Table) func(*Route) bool {
	if len(f.Tags) == 0 && len(f.NotTags) == 0 && len(f.Within) == 0 && len(f.NotThrough) == 0 && f.NotThroughGroup == "" {
		return nil
	}
	return func(r *Route) bool { return f.Allows(r.tag, r.prefix, r.Path, groups) }
}
