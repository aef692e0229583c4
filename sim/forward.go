package sim

import (
	"fmt"
	"net/netip"
	"time"

	"patchbay/planner"
)

// Outcome is what happens to traffic on one path.
type Outcome string

const (
	Delivered     Outcome = "delivered"
	Congestion    Outcome = "congestion"     // over a link's capacity (fair share exceeded)
	NoRoute       Outcome = "no-route"       // a table has no route for the destination
	Blackholed    Outcome = "blackhole"      // a blackhole route
	TooBig        Outcome = "mtu"            // larger than a link's MTU
	SourceTooBig  Outcome = "source-mtu"     // larger than the source network's MTU
	NotAssociated Outcome = "not-associated" // arrived on a TGW attachment associated with no table
	Looped        Outcome = "loop"           // went round until its TTL expired
	DeviceDown    Outcome = "device-down"
	LinkDown      Outcome = "link-down"  // routed over a link that failed before routing noticed
	NoAddress     Outcome = "no-address" // the networks share no address family
	// WrongNetwork: another network that holds the destination's
	// addresses (an overlapping twin, a lab) took the traffic. Its hosts
	// receive it, so no router drops it, but the destination never sees it.
	WrongNetwork Outcome = "wrong-network"
)

// maxHops is the IP TTL a path may use up.
const maxHops = 64

// pathPart is one way a flow's traffic takes: the interfaces it leaves by,
// the share of the flow on it (ECMP splits), and how it ends.
type pathPart struct {
	hops    []*Iface
	weight  float64
	outcome Outcome
	where   string // the device or link where it was dropped
	detail  string
}

// latency is the one-way propagation delay along the part.
func (p *pathPart) latency() time.Duration {
	var d time.Duration
	for _, h := range p.hops {
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
	out  []pathPart
}

func (w *walker) walk(v *VRF, hops []*Iface, weight float64) {
	end := func(o Outcome, where, detail string) {
		w.out = append(w.out, pathPart{hops: hops, weight: weight, outcome: o, where: where, detail: detail})
	}
	if len(hops) > maxHops {
		end(Looped, v.Dev.Name, fmt.Sprintf("TTL expired after %d hops", maxHops))
		return
	}
	if !v.Dev.Up() {
		end(DeviceDown, v.Dev.Name, v.Dev.Name+" is down")
		return
	}
	r := v.fib.lookup(w.dst)
	switch {
	case r == nil:
		end(NoRoute, v.Dev.Name, fmt.Sprintf("%s has no route to %s", v, w.dst))
		return
	case r.local && v.Dev != w.to.Dev:
		end(WrongNetwork, v.Dev.Name, fmt.Sprintf("delivered to the wrong network: %s (holds %s) instead of %s", v.Dev.Name, r.prefix, w.to.Name))
		return
	case r.local:
		end(Delivered, v.Dev.Name, "")
		return
	case r.blackhole:
		end(Blackholed, v.Dev.Name, fmt.Sprintf("%s: blackhole route %s (%s)", v, r.prefix, r.origin))
		return
	}
	next := r.nexthops
	if w.hash != 0 {
		next = next[planner.ECMPPick(w.hash, v.Dev.ID, len(next)):][:1]
	}
	share := weight / float64(len(next))
	for _, i := range next {
		h := append(hops[:len(hops):len(hops)], i)
		if !i.Link.Up() {
			w.out = append(w.out, pathPart{hops: hops, weight: share, outcome: LinkDown, where: i.Link.Name,
				detail: fmt.Sprintf("%s is down, but %s still routes over it: neither BFD nor the BGP hold timer has noticed yet", i.Link.Name, v)})
			continue
		}
		if i.Link.protected() && planner.MACsecTooBig(w.size) {
			w.out = append(w.out, pathPart{hops: hops, weight: share, outcome: TooBig, where: i.Link.Name,
				detail: planner.MACsecTooBigDetail(w.size, i.Link.Name)})
			continue
		}
		if w.size > i.Link.MTU {
			// A managed gateway enforces its attachments' MTU itself, on
			// what arrives as well as what leaves, and says nothing.
			dropper := v.Dev
			if p := i.Peer().Dev; p.SilentMTU {
				dropper = p
			}
			w.out = append(w.out, pathPart{hops: hops, weight: share, outcome: TooBig, where: dropper.Name,
				detail: planner.TooBigDetail(w.size, i.Link.MTU, i.Link.Name, dropper.Name, dropper.SilentMTU)})
			continue
		}
		peer := i.Peer()
		if peer.VRF == nil {
			w.out = append(w.out, pathPart{hops: h, weight: share, outcome: NotAssociated, where: peer.Dev.Name,
				detail: fmt.Sprintf("%s arrives on %s, which is associated with no route table", peer.Dev.Name, i.Link.Name)})
			continue
		}
		w.walk(peer.VRF, h, share)
	}
}

// addresses picks the address family both endpoints have, IPv4 first.
func addresses(a, b *Endpoint) (src, dst netip.Addr, ok bool) {
	if a.V4.IsValid() && b.V4.IsValid() {
		return a.V4, b.V4, true
	}
	if a.V6.IsValid() && b.V6.IsValid() {
		return a.V6, b.V6, true
	}
	return netip.Addr{}, netip.Addr{}, false
}

// trace follows traffic from one network to another, addressed to a host
// of the destination in the family both have.
func trace(from, to *Endpoint, size int, hash uint64) []pathPart {
	_, dst, ok := addresses(from, to)
	if !ok {
		return []pathPart{{weight: 1, outcome: NoAddress, where: from.Name,
			detail: from.Name + " and " + to.Name + " have no address family in common"}}
	}
	if size > from.MTU {
		return []pathPart{{weight: 1, outcome: SourceTooBig, where: from.Name,
			detail: planner.SourceTooBigDetail(size, from.MTU, from.Name)}}
	}
	w := &walker{to: to, dst: dst, size: size, hash: hash}
	w.walk(from.Dev.vrfs[0], nil, 1)
	return w.out
}
