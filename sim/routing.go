package sim

import (
	"cmp"
	"net/netip"
	"slices"
	"strings"
)

// Administrative preference of routes by how they were learned; lower
// wins, then the shorter path. The order follows Transit Gateway's route
// evaluation (static, VPC-propagated, Direct Connect gateway) and Cloud
// WAN's (static, VPC in the region, Direct Connect gateway, remote).
const (
	prefLocal     = 0
	prefStatic    = 1
	prefVPC       = 3
	prefDX        = 4 // Direct Connect gateway, Interconnect, last mile
	prefPeering   = 5 // Transit Gateway ↔ Cloud WAN peering
	prefRemote    = 6 // another Cloud WAN edge
	prefDynamic   = 20
	maxPathLength = 64
)

// Tags say where a route came from, so each adjacency can export only
// what the service it models would advertise.
const (
	tagLocal      = "local"      // a network's own prefix
	tagStatic     = "static"     // configured
	tagGateway    = "gateway"    // learned by a network or edge router from the AWS side
	tagVPC        = "vpc"        // a VPC's prefix propagated to a gateway
	tagPeer       = "peer"       // learned from the far side of an Interconnect or last mile
	tagEdge       = "edge"       // learned by a DX gateway or TGW/Cloud WAN from an edge router
	tagAttachment = "attachment" // learned by a Cloud WAN edge from an attachment
	tagMesh       = "mesh"       // learned from another Cloud WAN edge
	tagShare      = "share"      // leaked from a shared segment
	tagPeering    = "peering"    // learned over TGW ↔ Cloud WAN peering
)

// VRF is one routing table of a device.
type VRF struct {
	ID   int
	Dev  *Device
	Name string

	best map[netip.Prefix]*route
	fib  fib
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
	origin    string // what configured or originated it, for explanations
}

func (r *route) same(o *route) bool {
	if r.pref != o.pref || len(r.path) != len(o.path) || r.local != o.local || r.blackhole != o.blackhole || len(r.nexthops) != len(o.nexthops) {
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
// next hops.
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
}

func (a *adjacency) up() bool { return a.via == nil || a.via.Link.Up() }

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

func tagIs(tags ...string) func(*route) bool {
	return func(r *route) bool { return slices.Contains(tags, r.tag) }
}

func tagNot(tags ...string) func(*route) bool {
	return func(r *route) bool { return !slices.Contains(tags, r.tag) }
}

// converge recomputes every routing table from the configuration and the
// links that are up, as if every protocol had converged at once: until the
// BGP layer exists, routing reacts to a change instantly. It returns the
// forwarding entries that changed.
func (n *Network) converge() []fibChange {
	next := make([]map[netip.Prefix]*route, len(n.VRFs))
	for i := range next {
		next[i] = map[netip.Prefix]*route{}
	}
	for _, s := range n.statics {
		if s.blackhole || s.local {
			offer(next[s.vrf.ID], &route{prefix: s.prefix, pref: s.pref, path: []int32{int32(s.vrf.ID)},
				tag: s.tag, local: s.local, blackhole: s.blackhole, origin: s.origin})
			continue
		}
		var up []*Iface
		for _, i := range s.nexthops {
			if i.Link.Up() {
				up = append(up, i)
			}
		}
		if len(up) > 0 {
			offer(next[s.vrf.ID], &route{prefix: s.prefix, pref: s.pref, path: []int32{int32(s.vrf.ID)},
				tag: s.tag, nexthops: up, origin: s.origin})
		}
	}
	base := make([]map[netip.Prefix]*route, len(next))
	for i := range next {
		base[i] = next[i]
	}
	cur := base
	// Jacobi rounds: every table learns from the previous round's tables,
	// so the result does not depend on the order adjacencies are listed.
	for round := 0; round <= len(n.VRFs)+1; round++ {
		nxt := make([]map[netip.Prefix]*route, len(cur))
		for i := range base {
			nxt[i] = make(map[netip.Prefix]*route, len(base[i]))
			for p, r := range base[i] {
				nxt[i][p] = r
			}
		}
		for _, a := range n.adjs {
			if !a.up() || !a.from.Dev.Up() || !a.to.Dev.Up() {
				continue
			}
			into := nxt[a.to.ID]
			if a.originate != nil {
				for _, p := range a.originate {
					offer(into, &route{prefix: p, pref: a.pref, path: []int32{int32(a.from.ID), int32(a.to.ID)},
						tag: a.tag, nexthops: []*Iface{a.via}, origin: "advertised by " + a.from.String()})
				}
				continue
			}
			for _, r := range cur[a.from.ID] {
				if (r.blackhole && (!a.blackholes || a.via == nil)) || (a.export != nil && !a.export(r)) || slices.Contains(r.path, int32(a.to.ID)) || len(r.path) >= maxPathLength {
					continue
				}
				pref := a.pref
				if a.prefOf != nil {
					pref = a.prefOf(r)
				}
				nr := &route{prefix: r.prefix, pref: pref, path: append(slices.Clip(r.path), int32(a.to.ID)), tag: a.tag, origin: r.origin}
				if a.via != nil {
					nr.nexthops = []*Iface{a.via}
				} else if r.local {
					continue
				} else {
					nr.nexthops = r.nexthops
				}
				offer(into, nr)
			}
		}
		if sameTables(cur, nxt) {
			break
		}
		cur = nxt
	}
	var changes []fibChange
	for i, v := range n.VRFs {
		changes = append(changes, diffTables(v, v.best, cur[i])...)
		v.best = cur[i]
		v.fib = buildFIB(cur[i])
	}
	return changes
}

// offer adds a candidate: a better one replaces, an equal one merges its
// next hops (ECMP).
func offer(into map[netip.Prefix]*route, r *route) {
	old, ok := into[r.prefix]
	if !ok {
		into[r.prefix] = r
		return
	}
	if c := cmp.Or(cmp.Compare(r.pref, old.pref), cmp.Compare(len(r.path), len(old.path))); c < 0 {
		into[r.prefix] = r
		return
	} else if c > 0 || old.local || old.blackhole || r.local || r.blackhole {
		return
	}
	merged := *old
	merged.nexthops = mergeIfaces(old.nexthops, r.nexthops)
	if slices.Compare(r.path, old.path) < 0 {
		merged.path, merged.tag, merged.origin = r.path, r.tag, r.origin
	}
	into[r.prefix] = &merged
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

func sameTables(a, b []map[netip.Prefix]*route) bool {
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
		for p, r := range a[i] {
			o, ok := b[i][p]
			if !ok || !r.same(o) {
				return false
			}
		}
	}
	return true
}

// fibChange is one forwarding entry that changed.
type fibChange struct {
	VRF    string `json:"table"`
	Prefix string `json:"prefix"`
	Before string `json:"before"`
	After  string `json:"after"`
}

func diffTables(v *VRF, before, after map[netip.Prefix]*route) []fibChange {
	var out []fibChange
	for p, a := range after {
		if b, ok := before[p]; !ok || !b.same(a) {
			out = append(out, fibChange{VRF: v.String(), Prefix: p.String(), Before: describe(before[p]), After: describe(a)})
		}
	}
	for p, b := range before {
		if _, ok := after[p]; !ok {
			out = append(out, fibChange{VRF: v.String(), Prefix: p.String(), Before: describe(b), After: "none"})
		}
	}
	slices.SortFunc(out, func(x, y fibChange) int { return cmp.Compare(x.Prefix, y.Prefix) })
	return out
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
// lengths in use, longest first.
type fib struct {
	lengths4, lengths6 []int
	entries            map[netip.Prefix]*route
}

func buildFIB(best map[netip.Prefix]*route) fib {
	f := fib{entries: best}
	seen4, seen6 := map[int]bool{}, map[int]bool{}
	for p := range best {
		if p.Addr().Is4() {
			if !seen4[p.Bits()] {
				seen4[p.Bits()] = true
				f.lengths4 = append(f.lengths4, p.Bits())
			}
		} else if !seen6[p.Bits()] {
			seen6[p.Bits()] = true
			f.lengths6 = append(f.lengths6, p.Bits())
		}
	}
	slices.SortFunc(f.lengths4, func(a, b int) int { return b - a })
	slices.SortFunc(f.lengths6, func(a, b int) int { return b - a })
	return f
}

// lookup is longest-prefix match.
func (f *fib) lookup(a netip.Addr) *route {
	lengths := f.lengths4
	if a.Is6() {
		lengths = f.lengths6
	}
	for _, l := range lengths {
		p, _ := a.Prefix(l)
		if r, ok := f.entries[p]; ok {
			return r
		}
	}
	return nil
}
