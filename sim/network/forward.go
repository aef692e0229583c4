package network

import (
	"fmt"
	"net/netip"
	"slices"
	"time"

	"patchbay/planner"
)

// Outcome is what happens to traffic on one path.
type Outcome string

// The outcomes, by the names traces and reports give them.
const (
	Delivered     Outcome = "delivered"      // reached the destination network
	Congestion    Outcome = "congestion"     // over a link's capacity (fair share exceeded)
	NoRoute       Outcome = "no-route"       // a table has no route for the destination
	Blackholed    Outcome = "blackhole"      // a blackhole route
	TooBig        Outcome = "mtu"            // larger than a link's MTU
	SourceTooBig  Outcome = "source-mtu"     // larger than the source network's MTU
	NotAssociated Outcome = "not-associated" // arrived on a TGW attachment associated with no table
	Looped        Outcome = "loop"           // went round until its TTL expired
	DeviceDown    Outcome = "device-down"    // reached a device that is down
	LinkDown      Outcome = "link-down"      // routed over a link that failed before routing noticed
	NoAddress     Outcome = "no-address"     // the networks share no address family
	// WrongNetwork: another network that holds the destination's
	// addresses (an overlapping twin, a lab) took the traffic. Its hosts
	// receive it, so no router drops it, but the destination never sees it.
	WrongNetwork Outcome = "wrong-network"
)

// maxHops is the IP TTL a path may use up.
const maxHops = 64

// PathPart is one way a flow's traffic takes: the interfaces it leaves by,
// the share of the flow on it (ECMP splits), and how it ends.
type PathPart struct {
	Hops    []*Iface // the interfaces it leaves by, in order
	Weight  float64  // its share of the flow, 0 to 1
	Outcome Outcome  // how it ends
	Where   string   // the device or link where it was dropped
	Detail  string   // what happened, in words, for explanations
	// Round is, for a loop, how many of Hops it took to come back to a
	// table it had passed; the rest go round until the TTL expires. A
	// trace shows the first Round, as the planner's does.
	Round int
}

// Latency is the one-way propagation delay along the part.
func (p *PathPart) Latency() time.Duration {
	var d time.Duration
	for _, h := range p.Hops {
		d += h.Link.Latency
	}
	return d
}

// walker follows forwarding tables from a source table to a destination
// network. hash 0 splits traffic evenly over equal-cost next hops (the fluid limit
// of many connections); otherwise each ECMP stage picks one next hop from
// the hash, as a router's flow hash pins one 5-tuple to one path.
type walker struct {
	to   *Endpoint
	dst  netip.Addr // an address in to
	size int
	hash uint64
	out  []PathPart
	// on is the tables the path being followed has passed, and visits
	// counts the tables looked in: a path back at a table is a loop, and
	// past planner.TraceVisits equal-cost next hops are followed as one,
	// as the planner's trace does.
	on     []*VRF
	visits int
}

func (w *walker) walk(v *VRF, hops []*Iface, weight float64) {
	end := func(o Outcome, where, detail string) {
		w.out = append(w.out, PathPart{Hops: hops, Weight: weight, Outcome: o, Where: where, Detail: detail})
	}
	if len(hops) > maxHops {
		end(Looped, v.Dev.Name, fmt.Sprintf("TTL expired after %d hops", maxHops))
		return
	}
	if k := slices.Index(w.on, v); k >= 0 {
		// Round the loop (hops[k:], from v back to v) until the TTL
		// expires: its links carry the traffic at every pass, as a loop
		// fills them.
		round := len(hops)
		looped := slices.Clip(hops)
		for len(looped) <= maxHops {
			looped = append(looped, hops[k:]...)
		}
		hops = looped[: maxHops+1 : maxHops+1]
		end(Looped, v.Dev.Name, planner.LoopDetail(v.String()))
		w.out[len(w.out)-1].Round = round
		return
	}
	w.on = append(w.on, v)
	defer func() { w.on = w.on[:len(w.on)-1] }()
	w.visits++
	if !v.Dev.Up() {
		end(DeviceDown, v.Dev.Name, v.Dev.Name+" is down")
		return
	}
	r := v.Best.lookup(w.dst)
	switch {
	case r == nil:
		end(NoRoute, v.Dev.Name, fmt.Sprintf("%s has no route to %s", v, w.dst))
		return
	case r.Local && v.Dev != w.to.Dev:
		end(WrongNetwork, v.Dev.Name, fmt.Sprintf("delivered to the wrong network: %s (holds %s) instead of %s", v.Dev.Name, r.prefix, w.to.Name))
		return
	case r.Local:
		end(Delivered, v.Dev.Name, "")
		return
	case r.Blackhole:
		end(Blackholed, v.Dev.Name, fmt.Sprintf("%s: blackhole route %s (%s)", v, r.prefix, r.Origin))
		return
	}
	next := r.NextHops
	switch {
	case w.hash != 0:
		next = next[planner.ECMPPick(w.hash, v.Dev.ID, len(next)):][:1]
	case w.visits > planner.TraceVisits:
		next = next[:1]
	}
	share := weight / float64(len(next))
	for _, i := range next {
		h := append(hops[:len(hops):len(hops)], i)
		if !i.Link.Up() {
			w.out = append(w.out, PathPart{Hops: hops, Weight: share, Outcome: LinkDown, Where: i.Link.Name,
				Detail: fmt.Sprintf("%s is down, but %s still routes over it: neither BFD nor the BGP hold timer has noticed yet", i.Link.Name, v)})
			continue
		}
		if i.Link.protected() && planner.MACsecTooBig(w.size) {
			w.out = append(w.out, PathPart{Hops: hops, Weight: share, Outcome: TooBig, Where: i.Link.Name,
				Detail: planner.MACsecTooBigDetail(w.size, i.Link.Name)})
			continue
		}
		if mtu := r.hopMTU(i.Link); w.size > mtu && mtu < i.Link.MTU {
			w.out = append(w.out, PathPart{Hops: hops, Weight: share, Outcome: TooBig, Where: v.Dev.Name,
				Detail: planner.RouteTooBigDetail(w.size, mtu, v.String(), r.prefix.String())})
			continue
		}
		if w.size > i.Link.MTU {
			// A managed gateway enforces its attachments' MTU itself, on
			// what arrives as well as what leaves.
			dropper := v.Dev
			if p := i.Peer().Dev; p.GatewayMTU {
				dropper = p
			}
			w.out = append(w.out, PathPart{Hops: hops, Weight: share, Outcome: TooBig, Where: dropper.Name,
				Detail: planner.TooBigDetail(w.size, i.Link.MTU, i.Link.Name, dropper.Name)})
			continue
		}
		peer := i.Peer()
		if peer.VRF == nil {
			w.out = append(w.out, PathPart{Hops: h, Weight: share, Outcome: NotAssociated, Where: peer.Dev.Name,
				Detail: fmt.Sprintf("%s arrives on %s, which is associated with no route table", peer.Dev.Name, i.Link.Name)})
			continue
		}
		w.walk(peer.VRF, h, share)
	}
}

// Addresses picks the address family both endpoints have, IPv4 first.
func Addresses(a, b *Endpoint) (src, dst netip.Addr, ok bool) {
	if a.V4.IsValid() && b.V4.IsValid() {
		return a.V4, b.V4, true
	}
	if a.V6.IsValid() && b.V6.IsValid() {
		return a.V6, b.V6, true
	}
	return netip.Addr{}, netip.Addr{}, false
}

// Paths follows size-byte packets from one network to another, addressed
// to a host of the destination in the family both have: the parts they
// split into over equal-cost next hops (hash 0), or the one path a flow
// hash pins them to.
func Paths(from, to *Endpoint, size int, hash uint64) []PathPart {
	_, dst, ok := Addresses(from, to)
	if !ok {
		return []PathPart{{Weight: 1, Outcome: NoAddress, Where: from.Name,
			Detail: from.Name + " and " + to.Name + " have no address family in common"}}
	}
	if size > from.MTU {
		return []PathPart{{Weight: 1, Outcome: SourceTooBig, Where: from.Name,
			Detail: planner.SourceTooBigDetail(size, from.MTU, from.Name)}}
	}
	w := &walker{to: to, dst: dst, size: size, hash: hash}
	w.walk(from.Dev.vrfs[0], nil, 1)
	return w.out
}

// Trace traces a packet from one network to another through the tables
// and links as they are now, in the planner's form, so that the planner's
// trace and the simulator's print alike. Flow 0 follows every equal-cost
// branch; otherwise one hashed path.
func (n *Network) Trace(from, to string, o planner.TraceOptions) (*planner.TraceResult, error) {
	src, ok := n.Endpoints[from]
	if !ok {
		return nil, fmt.Errorf("%s is not a network of the design", from)
	}
	dst, ok := n.Endpoints[to]
	if !ok {
		return nil, fmt.Errorf("%s is not a network of the design", to)
	}
	size := o.Size
	if size <= 0 {
		size = 64
	}
	res := &planner.TraceResult{From: from, To: to, Size: size}
	res.Src, res.Dst, _ = Addresses(src, dst)
	for _, part := range Paths(src, dst, size, o.Flow) {
		res.Paths = append(res.Paths, tracePath(src, res, part))
	}
	return res, nil
}

// tracePath describes one path part hop by hop, with the route each table
// matched at that moment.
func tracePath(src *Endpoint, res *planner.TraceResult, part PathPart) planner.TracePath {
	tp := planner.TracePath{Share: part.Weight, Outcome: string(part.Outcome), Where: part.Where, Detail: part.Detail, Hops: []planner.TraceHop{}}
	if part.Outcome == SourceTooBig || part.Outcome == NoAddress {
		return tp
	}
	v := src.Dev.vrfs[0]
	hops := part.Hops
	if part.Round > 0 {
		hops = hops[:part.Round]
	}
	hopAt := func(v *VRF) (planner.TraceHop, *Route) {
		h := planner.TraceHop{Device: v.Dev.Name, Table: v.String()}
		r := v.Best.lookup(res.Dst)
		if r != nil {
			h.Route, h.Origin = r.prefix.String(), r.tag
		}
		return h, r
	}
	for _, i := range hops {
		h, r := hopAt(v)
		mtu := i.Link.MTU
		if r != nil {
			mtu = r.hopMTU(i.Link)
		}
		h.Link, h.NextHop, h.MTU, h.Latency = i.Link.Name, i.Peer().Dev.Name, mtu, i.Link.Latency
		tp.Latency += i.Link.Latency
		if tp.MTU == 0 || mtu < tp.MTU {
			tp.MTU = mtu
		}
		tp.Hops = append(tp.Hops, h)
		if v = i.Peer().VRF; v == nil {
			return tp
		}
	}
	h, _ := hopAt(v)
	tp.Hops = append(tp.Hops, h)
	return tp
}
