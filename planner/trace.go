package planner

import (
	"fmt"
	"hash/fnv"
	"net/netip"
	"slices"
	"strings"
	"time"

	"patchbay/lang"
)

// Outcomes of a traced packet; the simulator reports the same words.
const (
	OutcomeDelivered     = "delivered"
	OutcomeNoRoute       = "no-route"
	OutcomeBlackhole     = "blackhole"
	OutcomeTooBig        = "mtu"
	OutcomeSourceTooBig  = "source-mtu"
	OutcomeNotAssociated = "not-associated"
	OutcomeLoop          = "loop"
	OutcomeNoAddress     = "no-address"
	OutcomeWrongNetwork  = "wrong-network"
)

// traceMaxHops is the IP TTL a path may use up.
const traceMaxHops = 64

// ethernetHeader is a frame's MAC addresses, 802.1Q tag and EtherType, and
// macsecOverhead the SecTAG with SCI and the ICV (DOMAIN §4, §8).
const (
	ethernetHeader = 18
	macsecOverhead = 32
)

// What a frame takes on the wire besides the IP packet. The FCS (IEEE
// 802.3-2022 §3.1.1, 4 octets), the preamble and start delimiter (8
// octets) and the minimum inter-packet gap (96 bit times, 12 octets;
// IEEE 802.3-2022 §4.4.2) fill the line as surely as the packet does; a
// frame shorter than 64 octets from destination address to FCS is padded
// to 64 (§3.2.8, §4.4.2 minFrameSize). DOMAIN §8 (December 2026) gives the
// sum: 64-byte IP packets with MACsec are 138 octets on the wire.
const (
	frameCheckSequence = 4
	preambleAndGap     = 8 + 12
	minFrameSize       = 64
)

// WireBytes is how many octets of line time one size-byte IP packet takes
// on a VLAN-tagged Ethernet link (every Interconnect channel and
// last-mile connection is a VIF on an 802.1Q tag), with MACsec's SecTAG,
// SCI and ICV when secured. Capacity and packet numbers count these, not
// the IP bytes: 64-byte packets at 100 Gbps are 100e9/(138*8) ≈ 90.6 Mpps
// and 46.4 Gbps of IP, not 100.
func WireBytes(size int, secured bool) int {
	frame := ethernetHeader + size + frameCheckSequence
	if secured {
		frame += macsecOverhead
	}
	return max(frame, minFrameSize) + preambleAndGap
}

// MACsecTooBig reports whether size-byte IP packets, with Ethernet, 802.1Q
// and MACsec's overhead, exceed the ports' largest frame.
func MACsecTooBig(size int) bool {
	return size+ethernetHeader+macsecOverhead > int(cat().Int("macsec.port_max_frame"))
}

// The texts of an MTU drop, which the planner's trace and the simulator's
// forwarding give alike.

// MACsecTooBigDetail says why a MACsec link drops size-byte packets.
func MACsecTooBigDetail(size int, link string) string {
	return fmt.Sprintf("%d-byte packets with Ethernet, 802.1Q and MACsec's %d bytes exceed the ports' %d-byte frames on %s",
		size, macsecOverhead, cat().Int("macsec.port_max_frame"), link)
}

// TooBigDetail says why packets larger than a link's MTU are dropped, and
// whether the dropper tells the sender (a Transit Gateway or Cloud WAN edge
// does not: silent).
//
// A Transit Gateway and a Cloud WAN edge dropped such packets silently
// until November 2024; since then they answer as other routers do, with
// ICMP "fragmentation needed" for IPv4 (type 3, code 4) or ICMPv6 "packet
// too big" (type 2) ("Performance and metrics enhancements for AWS
// Transit Gateway and AWS Cloud WAN", AWS Networking & Content Delivery
// blog, https://aws.amazon.com/blogs/networking-and-content-delivery/performance-and-metrics-enhancements-for-aws-transit-gateway-and-aws-cloud-wan/,
// read 2026-12; the VPC user guide's path MTU discovery page has the two
// messages).
func TooBigDetail(size, mtu int, link, dropper string) string {
	return fmt.Sprintf("%d-byte packets exceed the %d-byte MTU of %s; %s drops them and sends ICMP \"fragmentation needed\" "+
		"(ICMPv6 \"packet too big\" for IPv6): a sender doing path-MTU discovery shrinks its packets, one that does not loses them", size, mtu, link, dropper)
}

// RouteTooBigDetail says why a route with an MTU of its own (Static.MTU)
// does not carry size-byte packets: a VPC's static route to a virtual
// private gateway sends at 1500, since Direct Connect carries jumbo frames
// on propagated routes alone.
func RouteTooBigDetail(size, mtu int, table, prefix string) string {
	return fmt.Sprintf("%d-byte packets exceed the %d bytes that %s's static route %s to its virtual private gateway sends: "+
		"Direct Connect carries jumbo frames only on propagated routes", size, mtu, table, prefix)
}

// SourceTooBigDetail says why a network's hosts cannot send size-byte packets.
func SourceTooBigDetail(size, mtu int, network string) string {
	return fmt.Sprintf("%d-byte packets exceed the %d-byte MTU of %s: its hosts cannot send them", size, mtu, network)
}

// TraceOptions say what packet to trace.
type TraceOptions struct {
	// Size is the IP packet in bytes, headers included; 0 means 64.
	Size int
	// Flow, when not 0, pins one 5-tuple: each equal-cost stage picks one
	// next hop from it, as a router's flow hash does. 0 follows every
	// equal-cost branch with its share of the traffic.
	Flow uint64
}

// FlowHash is the stable hash of a flow's identity (names, ports), never 0.
func FlowHash(parts ...string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(strings.Join(parts, "\x00")))
	return h.Sum64() | 1
}

// TraceHop is one table a packet is looked up in, and where it leaves.
type TraceHop struct {
	Device string `json:"device"`
	Table  string `json:"table"`
	// Route is the matched prefix, Origin how the table learned it, Why
	// the rule that carried it there; empty where nothing matched.
	Route  string `json:"route,omitempty"`
	Origin string `json:"origin,omitempty"`
	Why    string `json:"why,omitempty"`
	// Link is the link the packet leaves by, NextHop the device at its far
	// end, MTU and Latency the link's.
	Link    string        `json:"link,omitempty"`
	NextHop string        `json:"next_hop,omitempty"`
	MTU     int           `json:"mtu,omitempty"`
	Latency time.Duration `json:"latency_ns,omitempty"`
	// Source is the declaration behind the matched route.
	Source lang.Range `json:"source,omitzero"`
}

// TracePath is one way the packet goes (equal-cost branches split), its
// share of the traffic and how it ends.
type TracePath struct {
	Share   float64       `json:"share"`
	Outcome string        `json:"outcome"`
	Where   string        `json:"where,omitempty"`
	Detail  string        `json:"detail,omitempty"`
	Latency time.Duration `json:"latency_ns"`
	// MTU is the narrowest link crossed, 0 before any.
	MTU  int        `json:"path_mtu,omitempty"`
	Hops []TraceHop `json:"hops"`
	// Blame is the declaration to change when the path fails: the blackhole
	// route, the table that has no route, the source network.
	Blame lang.Range `json:"blame,omitzero"`
	// Stop is the table the path stopped in, nil when delivered.
	Stop *Table `json:"-"`
}

// TraceResult is where packets from one network to another (or to an
// address) go, with every link up and every session established.
type TraceResult struct {
	From  string      `json:"from"`
	To    string      `json:"to"`
	Src   netip.Addr  `json:"source_address,omitzero"`
	Dst   netip.Addr  `json:"destination_address"`
	Size  int         `json:"size"`
	Paths []TracePath `json:"paths"`
}

// Delivered is the share of the traffic that reaches the destination.
func (r *TraceResult) Delivered() float64 {
	d := 0.0
	for _, p := range r.Paths {
		if p.Outcome == OutcomeDelivered {
			d += p.Share
		}
	}
	return d
}

// commonAddresses picks the address family both ends have, IPv4 first.
func commonAddresses(a, b *Endpoint) (src, dst netip.Addr, ok bool) {
	if a.V4.IsValid() && b.V4.IsValid() {
		return a.V4, b.V4, true
	}
	if a.V6.IsValid() && b.V6.IsValid() {
		return a.V6, b.V6, true
	}
	return netip.Addr{}, netip.Addr{}, false
}

// Trace follows a packet from network from to network to.
func (t *Topology) Trace(from, to lang.Ref, o TraceOptions) (*TraceResult, error) {
	src, ok := t.Endpoints[from]
	if !ok {
		return nil, fmt.Errorf("%s is not a network of the design", from)
	}
	dst, ok := t.Endpoints[to]
	if !ok {
		return nil, fmt.Errorf("%s is not a network of the design", to)
	}
	res := &TraceResult{From: from.String(), To: to.String(), Size: traceSize(o)}
	sa, da, ok := commonAddresses(src, dst)
	if !ok {
		res.Paths = []TracePath{{Share: 1, Outcome: OutcomeNoAddress, Where: from.String(), Hops: []TraceHop{},
			Detail: fmt.Sprintf("%s and %s have no address family in common", from, to)}}
		return res, nil
	}
	res.Src, res.Dst = sa, da
	t.walkFrom(res, src, dst, da, o)
	return res, nil
}

// TraceAddress follows a packet from network from to an address; it is
// delivered to whichever network holds it.
func (t *Topology) TraceAddress(from lang.Ref, a netip.Addr, o TraceOptions) (*TraceResult, error) {
	return t.traceTo(from, nil, a, o)
}

// TraceToAddress follows a packet from network from to an address of
// network to (one of its prefixes other than the first, say): it is
// delivered only when it reaches to.
func (t *Topology) TraceToAddress(from, to lang.Ref, a netip.Addr, o TraceOptions) (*TraceResult, error) {
	dst, ok := t.Endpoints[to]
	if !ok {
		return nil, fmt.Errorf("%s is not a network of the design", to)
	}
	res, err := t.traceTo(from, dst, a, o)
	if res != nil {
		res.To = to.String()
	}
	return res, err
}

func (t *Topology) traceTo(from lang.Ref, dst *Endpoint, a netip.Addr, o TraceOptions) (*TraceResult, error) {
	src, ok := t.Endpoints[from]
	if !ok {
		return nil, fmt.Errorf("%s is not a network of the design", from)
	}
	if a.Zone() != "" {
		return nil, fmt.Errorf("%s: an address with a zone is link-local to a host, not a destination in the design", a)
	}
	// An IPv4-mapped IPv6 address is the IPv4 address on the wire.
	a = a.Unmap()
	res := &TraceResult{From: from.String(), To: a.String(), Dst: a, Size: traceSize(o)}
	if a.Is4() {
		res.Src = src.V4
	} else {
		res.Src = src.V6
	}
	if !res.Src.IsValid() {
		family := "IPv4"
		if a.Is6() {
			family = "IPv6"
		}
		res.Paths = []TracePath{{Share: 1, Outcome: OutcomeNoAddress, Where: res.From, Hops: []TraceHop{},
			Detail: fmt.Sprintf("%s has no %s address to send from", from, family)}}
		return res, nil
	}
	t.walkFrom(res, src, dst, a, o)
	return res, nil
}

func traceSize(o TraceOptions) int {
	if o.Size <= 0 {
		return 64
	}
	return o.Size
}

func (t *Topology) walkFrom(res *TraceResult, src, dst *Endpoint, a netip.Addr, o TraceOptions) {
	if res.Size > src.MTU {
		res.Paths = []TracePath{{Share: 1, Outcome: OutcomeSourceTooBig, Where: res.From, Hops: []TraceHop{},
			Detail: SourceTooBigDetail(res.Size, src.MTU, res.From),
			Blame:  src.Device.Tables[0].Source}}
		return
	}
	w := &tracer{t: t, dst: dst, addr: a, size: res.Size, flow: o.Flow}
	w.walk(src.Device.Tables[0], nil, 1, 0, 0)
	res.Paths = w.out
}

type tracer struct {
	t    *Topology
	dst  *Endpoint // nil: an address, delivered wherever it lands
	addr netip.Addr
	size int
	flow uint64
	out  []TracePath
	// on is the tables the path being followed has passed, and visits
	// counts the tables the trace has looked in (LoopDetail, TraceVisits).
	on     []*Table
	visits int
}

// A path back at a table it has passed is a forwarding loop: the lookup
// is the same (one destination address), and a router's flow hash sends
// the same flow the same way again, so the traffic on that path goes round
// until its TTL expires; it ends there rather than being followed round
// (and, over equal-cost next hops, split again at every pass, which
// multiplied the paths until a trace ran out of memory). TraceVisits
// bounds what one trace looks at: past it, a table's equal-cost next hops
// are followed as one, the first, with their whole share, so that a
// design of many equal-cost stages in a row cannot make a trace list
// more paths than it can hold. The simulator's forwarding does the same.
const TraceVisits = 1 << 14

// LoopDetail is what a path that came back to table says.
func LoopDetail(table string) string {
	return fmt.Sprintf("forwarding loop: back at %s, which sends it round again until its TTL expires", table)
}

func (w *tracer) walk(v *Table, hops []TraceHop, share float64, latency time.Duration, mtu int) {
	hop := TraceHop{Device: v.Device.Name, Table: v.String()}
	end := func(outcome, where, detail string, blame lang.Range, stop *Table) {
		w.out = append(w.out, TracePath{Share: share, Outcome: outcome, Where: where, Detail: detail, Latency: latency, MTU: mtu,
			Hops: append(slices.Clip(hops), hop), Blame: blame, Stop: stop})
	}
	if len(hops) > traceMaxHops {
		end(OutcomeLoop, v.Device.Name, fmt.Sprintf("TTL expired after %d hops", traceMaxHops), v.Source, v)
		return
	}
	if slices.Contains(w.on, v) {
		end(OutcomeLoop, v.Device.Name, LoopDetail(v.String()), v.Source, v)
		return
	}
	w.on = append(w.on, v)
	defer func() { w.on = w.on[:len(w.on)-1] }()
	w.visits++
	r := w.t.Lookup(v, w.addr)
	if r == nil {
		end(OutcomeNoRoute, v.Device.Name, fmt.Sprintf("%s has no route to %s", v, w.addr), v.Source, v)
		return
	}
	hop.Route, hop.Origin, hop.Source = r.Prefix.String(), r.Tag, r.Source
	if r.Via != nil {
		hop.Why = r.Via.Why
	}
	switch {
	case r.Local:
		if w.dst != nil && v.Device != w.dst.Device {
			end(OutcomeWrongNetwork, v.Device.Name, fmt.Sprintf("delivered to the wrong network: %s (holds %s) instead of %s",
				v.Device.Name, r.Prefix, w.dst.Network), r.Source, v)
			return
		}
		end(OutcomeDelivered, v.Device.Name, "", lang.Range{}, nil)
		return
	case r.Blackhole:
		end(OutcomeBlackhole, v.Device.Name, fmt.Sprintf("%s: blackhole route %s (%s)", v, r.Prefix, r.Origin), r.Source, v)
		return
	}
	next := r.NextHops
	switch {
	case w.flow != 0:
		next = next[ECMPPick(w.flow, v.Device.ID, len(next)):][:1]
	case w.visits > TraceVisits:
		next = next[:1]
	}
	part := share / float64(len(next))
	for _, i := range next {
		l := i.Link
		h := hop
		lmtu := r.HopMTU(i)
		h.Link, h.NextHop, h.MTU, h.Latency = l.Name, i.Peer().Device.Name, lmtu, l.Latency
		pathMTU := lmtu
		if mtu > 0 {
			pathMTU = min(mtu, lmtu)
		}
		if l.MACsec.Encrypts() && MACsecTooBig(w.size) {
			w.out = append(w.out, TracePath{Share: part, Outcome: OutcomeTooBig, Where: l.Name, Latency: latency, MTU: pathMTU,
				Hops: append(slices.Clip(hops), h), Blame: l.Source, Stop: v,
				Detail: MACsecTooBigDetail(w.size, l.Name)})
			continue
		}
		if w.size > lmtu && lmtu < l.MTU {
			w.out = append(w.out, TracePath{Share: part, Outcome: OutcomeTooBig, Where: v.Device.Name, Latency: latency,
				Detail: RouteTooBigDetail(w.size, lmtu, v.String(), r.Prefix.String()),
				MTU:    pathMTU, Hops: append(slices.Clip(hops), h), Blame: r.Source, Stop: v})
			continue
		}
		if w.size > l.MTU {
			dropper := v.Device
			if p := i.Peer().Device; p.GatewayMTU {
				dropper = p
			}
			w.out = append(w.out, TracePath{Share: part, Outcome: OutcomeTooBig, Where: dropper.Name, Latency: latency,
				Detail: TooBigDetail(w.size, l.MTU, l.Name, dropper.Name),
				MTU:    pathMTU, Hops: append(slices.Clip(hops), h), Blame: l.Source, Stop: v})
			continue
		}
		peer := i.Peer()
		if peer.Table == nil {
			w.out = append(w.out, TracePath{Share: part, Outcome: OutcomeNotAssociated, Where: peer.Device.Name, Latency: latency + l.Latency,
				MTU: pathMTU, Hops: append(slices.Clip(hops), h), Blame: l.Source, Stop: v,
				Detail: fmt.Sprintf("traffic arrives at %s over %s, which is associated with no route table there", peer.Device.Name, l.Name)})
			continue
		}
		w.walk(peer.Table, append(slices.Clip(hops), h), part, latency+l.Latency, pathMTU)
	}
}

// ECMPPick is which of n equal-cost next hops a router (device) picks for
// a flow hash, as its flow hash pins one 5-tuple to one path. The planner's
// trace and the simulator's probes pick alike.
func ECMPPick(flow uint64, device, n int) int {
	return int(mix(flow, uint64(device)) % uint64(n))
}

// mix is a 64-bit finaliser (SplitMix64), so each equal-cost stage decides
// independently of the one before.
func mix(h, salt uint64) uint64 {
	x := h ^ (salt * 0x9e3779b97f4a7c15)
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}
