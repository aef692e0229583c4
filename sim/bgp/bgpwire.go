package bgp

import (
	"bytes"
	"fmt"
	"net"
	"net/netip"
	"runtime"
	"slices"

	"github.com/osrg/gobgp/v3/pkg/packet/bgp"

	"patchbay/sim/network"
)

// asTrans stands in for a 4-octet AS in the 2-octet OPEN field (RFC 6793).
const asTrans = 23456

// maxUpdateNLRI is the most prefixes an UPDATE carries: a /24 takes 4
// octets of NLRI, so 400 of them fill some 1,600 of BGP's 4,096. Longer
// IPv6 prefixes take up to 17 octets each, so an UPDATE also ends where
// its octets would (fit).
const maxUpdateNLRI = 400

// maxMessage is the largest BGP message (RFC 4271 §4.1).
const maxMessage = 4096

// maxSegment is the most ASes a path segment holds: its count is one
// octet (RFC 4271 §4.3).
const maxSegment = 255

// encodeOpen is a session's OPEN: its one address family's multiprotocol
// capability (RFC 4760 §8), so IPv4 unicast is not implied on an IPv6
// session, and the 4-octet AS capability.
func encodeOpen(asn uint32, hold uint16, id netip.Addr, afi uint16) []byte {
	myAS := uint16(asTrans)
	if asn <= 0xffff {
		myAS = uint16(asn)
	}
	family := bgp.RF_IPv4_UC
	if afi == afiIPv6 {
		family = bgp.RF_IPv6_UC
	}
	caps := []bgp.ParameterCapabilityInterface{bgp.NewCapMultiProtocol(family), bgp.NewCapFourOctetASNumber(asn)}
	return mustSerialize(bgp.NewBGPOpenMessage(myAS, hold, id.String(), []bgp.OptionParameterInterface{bgp.NewOptionParameterCapability(caps)}))
}

// keepalive is the one KEEPALIVE every speaker sends: a header alone, the
// marker of all ones, length 19 and type 4 (RFC 4271 §4.1, §4.4). An
// established session sends one every 22–30 s from each end, and encoding
// a new one each time (and decoding it on arrival) was most of what a run's
// steady state allocated: at a thousand channels, enough garbage for a
// collection mid-run, and a stream of fresh memory through the caches.
// Its capacity is its length, so an append to it copies; nothing writes
// into it.
var keepalive = func() []byte {
	b := mustSerialize(bgp.NewBGPKeepAliveMessage())
	return b[:len(b):len(b)]
}()

func encodeKeepalive() []byte { return keepalive }

// isKeepalive says whether b is exactly a well-formed KEEPALIVE, which
// needs no parser: anything else, a KEEPALIVE of another length or a
// marker not all ones among them, goes to the parser and its errors.
func isKeepalive(b []byte) bool { return bytes.Equal(b, keepalive) }

// leastLength is the fewest octets a message of each type BGP defines
// takes (RFC 4271 §4.2–§4.5; ROUTE-REFRESH, RFC 2918 §3).
var leastLength = map[uint8]int{bgp.BGP_MSG_OPEN: 29, bgp.BGP_MSG_UPDATE: 23, bgp.BGP_MSG_NOTIFICATION: 21,
	bgp.BGP_MSG_KEEPALIVE: 19, bgp.BGP_MSG_ROUTE_REFRESH: 23}

// headerError is the Message Header Error (RFC 4271 §6.1) of b, a whole
// message with a marker of ones and a length of 19–4096 octets (which the
// stream's reader checks): 2, Bad Message Length, with the length field,
// when the length is below the least its type takes or a KEEPALIVE's is
// not 19; 3, Bad Message Type, with the type, for a type BGP does not
// define. 0 when neither: gobgp's parser takes a KEEPALIVE of any length,
// and reads the length of an OPEN or an UPDATE too short for its fields as
// a malformed body instead.
func headerError(b []byte) (sub uint8, data []byte, why string) {
	if len(b) < 19 {
		return 0, nil, ""
	}
	n, typ := int(b[16])<<8|int(b[17]), b[18]
	least, known := leastLength[typ]
	switch {
	case !known:
		return 3, []byte{typ}, fmt.Sprintf("a message of type %d, which BGP does not define", typ)
	case n < least || typ == bgp.BGP_MSG_KEEPALIVE && n != 19:
		return 2, slices.Clone(b[16:18]), fmt.Sprintf("a message of type %d and %d octets", typ, n)
	}
	return 0, nil, ""
}

func encodeNotification(code, subcode uint8, data []byte) []byte {
	return mustSerialize(bgp.NewBGPNotificationMessage(code, subcode, data))
}

// encodeUpdates builds the UPDATE messages that withdraw and announce
// one session's prefixes. IPv4 goes in the classic fields with nextHop;
// IPv6 in MP_REACH_NLRI and MP_UNREACH_NLRI (RFC 4760) over an IPv6
// session, whose next hop is the speaker's global address on the link and
// its link-local one (RFC 2545 §3), never an IPv4-mapped address, which
// BIRD refuses.
//
// To an OLD speaker (as2: its OPEN had no 4-octet AS capability) the
// AS_PATH goes with 2-octet ASes, AS_TRANS standing for each that does
// not fit, and, when one did not, the whole path with 4-octet ASes in
// AS4_PATH (RFC 6793 §4.2.2).
func encodeUpdates(withdraw []netip.Prefix, announce []announcement, nextHop, linkLocal netip.Addr, as2 bool) [][]byte {
	var out [][]byte
	var w4, w6 []netip.Prefix
	for _, p := range withdraw {
		if p.Addr().Is4() {
			w4 = append(w4, p)
		} else {
			w6 = append(w6, p)
		}
	}
	out = appendFitted(out, w4, func(ps []netip.Prefix) *bgp.BGPMessage {
		return bgp.NewBGPUpdateMessage(v4Prefixes(ps), nil, nil)
	})
	out = appendFitted(out, w6, func(ps []netip.Prefix) *bgp.BGPMessage {
		return bgp.NewBGPUpdateMessage(nil, []bgp.PathAttributeInterface{bgp.NewPathAttributeMpUnreachNLRI(v6Prefixes(ps))}, nil)
	})
	// One UPDATE carries prefixes with equal attributes.
	for i := 0; i < len(announce); {
		j := i + 1
		for j < len(announce) && announce[j].attrs.Equal(announce[i].attrs) && announce[j].prefix.Addr().Is4() == announce[i].prefix.Addr().Is4() {
			j++
		}
		a := announce[i].attrs
		segs := pathSegments(a.ASPath, a.Sets)
		var as4Path []*bgp.As4PathParam
		if as2 {
			segs, as4Path = twoOctetPath(segs)
		}
		attrs := []bgp.PathAttributeInterface{
			bgp.NewPathAttributeOrigin(a.Origin),
			bgp.NewPathAttributeAsPath(segs),
		}
		v4 := announce[i].prefix.Addr().Is4()
		if v4 {
			attrs = append(attrs, bgp.NewPathAttributeNextHop(nextHop.String()))
		}
		if a.MED != 0 {
			attrs = append(attrs, bgp.NewPathAttributeMultiExitDisc(a.MED))
		}
		if len(a.Communities) > 0 {
			attrs = append(attrs, bgp.NewPathAttributeCommunities(a.Communities))
		}
		if as4Path != nil {
			attrs = append(attrs, bgp.NewPathAttributeAs4Path(as4Path))
		}
		ps := make([]netip.Prefix, j-i)
		for k, x := range announce[i:j] {
			ps[k] = x.prefix
		}
		out = appendFitted(out, ps, func(ps []netip.Prefix) *bgp.BGPMessage {
			if v4 {
				return bgp.NewBGPUpdateMessage(nil, attrs, v4Prefixes(ps))
			}
			mpReach := bgp.NewPathAttributeMpReachNLRI(nextHop.String(), v6Prefixes(ps))
			if linkLocal.IsValid() {
				mpReach.LinkLocalNexthop = net.IP(linkLocal.AsSlice())
			}
			return bgp.NewBGPUpdateMessage(nil, append(slices.Clip(attrs), mpReach), nil)
		})
		i = j
	}
	return out
}

// appendFitted appends to out the UPDATEs that build makes of ps, in
// order, each with as many of the prefixes as fit in one message
// (maxMessage), and no more than maxUpdateNLRI; prefixes whose attributes
// alone fill a message are left out. A prefix takes its length
// octet and the octets its bits need in NLRI (RFC 4271 §4.3, RFC 4760
// §5); what else a message holds is measured on one with a single
// prefix, and a multiprotocol attribute whose length outgrows one octet
// takes one more (the Extended Length bit), which each message allows for.
func appendFitted(out [][]byte, ps []netip.Prefix, build func([]netip.Prefix) *bgp.BGPMessage) [][]byte {
	nlri := func(p netip.Prefix) int { return 1 + (p.Bits()+7)/8 }
	for len(ps) > 0 {
		one, err := build(ps[:1]).Serialize()
		if err != nil {
			// Only attributes that fill a message alone (a path of
			// some thousand ASes, from a real router) leave no room for
			// even one prefix: such a route is not advertised, as a
			// router cannot send it either.
			ps = ps[1:]
			continue
		}
		n, size := 1, len(one)+1
		for n < len(ps) && n < maxUpdateNLRI && size+nlri(ps[n]) <= maxMessage {
			size += nlri(ps[n])
			n++
		}
		out = append(out, mustSerialize(build(ps[:n])))
		ps = ps[n:]
	}
	return out
}

// v4Prefixes is ps as the classic fields' NLRI.
func v4Prefixes(ps []netip.Prefix) []*bgp.IPAddrPrefix {
	out := make([]*bgp.IPAddrPrefix, len(ps))
	for i, p := range ps {
		out[i] = bgp.NewIPAddrPrefix(uint8(p.Bits()), p.Addr().String())
	}
	return out
}

// v6Prefixes is ps as multiprotocol NLRI.
func v6Prefixes(ps []netip.Prefix) []bgp.AddrPrefixInterface {
	out := make([]bgp.AddrPrefixInterface, len(ps))
	for i, p := range ps {
		out[i] = bgp.NewIPv6AddrPrefix(uint8(p.Bits()), p.Addr().String())
	}
	return out
}

// pathSegments is path as AS_SEQUENCE segments of at most maxSegment ASes
// each (one segment for any path a design prepends), then each of sets as
// an AS_SET.
func pathSegments(path []uint32, sets [][]uint32) []bgp.AsPathParamInterface {
	var segs []bgp.AsPathParamInterface
	for len(path) > maxSegment {
		segs = append(segs, bgp.NewAs4PathParam(bgp.BGP_ASPATH_ATTR_TYPE_SEQ, path[:maxSegment]))
		path = path[maxSegment:]
	}
	segs = append(segs, bgp.NewAs4PathParam(bgp.BGP_ASPATH_ATTR_TYPE_SEQ, path))
	for _, set := range sets {
		for len(set) > 0 {
			n := min(len(set), maxSegment)
			segs = append(segs, bgp.NewAs4PathParam(bgp.BGP_ASPATH_ATTR_TYPE_SET, set[:n]))
			set = set[n:]
		}
	}
	return segs
}

// twoOctetPath is segs (4-octet) for an OLD speaker: each AS above 65535
// as AS_TRANS, and, when there was one, segs themselves for AS4_PATH;
// nil when every AS fits in two octets, where "the NEW BGP speaker MUST
// NOT send the AS4_PATH attribute" (RFC 6793 §4.2.2).
func twoOctetPath(segs []bgp.AsPathParamInterface) ([]bgp.AsPathParamInterface, []*bgp.As4PathParam) {
	out := make([]bgp.AsPathParamInterface, len(segs))
	as4 := make([]*bgp.As4PathParam, len(segs))
	mapped := false
	for i, s := range segs {
		p := s.(*bgp.As4PathParam)
		as4[i] = p
		ases := make([]uint16, len(p.AS))
		for j, as := range p.AS {
			if as > 0xffff {
				as, mapped = asTrans, true
			}
			ases[j] = uint16(as)
		}
		out[i] = bgp.NewAsPathParam(p.Type, ases)
	}
	if !mapped {
		as4 = nil
	}
	return out, as4
}

// as4Attribute reports whether t is AS4_PATH or AS4_AGGREGATOR, the two
// attributes of RFC 6793 that only an OLD speaker's UPDATEs carry.
func as4Attribute(t bgp.BGPAttrType) bool {
	return t == bgp.BGP_ATTR_TYPE_AS4_PATH || t == bgp.BGP_ATTR_TYPE_AS4_AGGREGATOR
}

// twoOctetASPath reads u's AS_PATH again with 2-octet ASes, as an OLD
// speaker sends it: the parser tries 4-octet ASes first, and a path of
// several segments can read both ways (SEQ 65001 then SET 513, 100, 200
// reads as two 4-octet ASes). The bytes are the same either way.
func twoOctetASPath(u *bgp.BGPUpdate) {
	for _, pa := range u.PathAttributes {
		p, ok := pa.(*bgp.PathAttributeAsPath)
		if !ok {
			continue
		}
		var raw []byte
		for _, seg := range p.Value {
			b, err := seg.Serialize()
			if err != nil {
				return
			}
			raw = append(raw, b...)
		}
		var segs []bgp.AsPathParamInterface
		for len(raw) > 0 {
			// Checked here: the parser's own check multiplies the count
			// in a byte, which wraps from 128 ASes on.
			if len(raw) < 2 || raw[1] == 0 || len(raw) < 2+2*int(raw[1]) {
				return // not 2-octet segments: keep what the parser read
			}
			seg := &bgp.AsPathParam{}
			if seg.DecodeFromBytes(raw) != nil {
				return
			}
			segs = append(segs, seg)
			raw = raw[seg.Len():]
		}
		p.Value = segs
	}
}

// mergeAS4 makes the AS path of an UPDATE from an OLD speaker from its
// AS_PATH and AS4_PATH (RFC 6793 §4.2.3): with an AGGREGATOR whose AS is
// not AS_TRANS, or fewer ASes in AS_PATH than in AS4_PATH, AS4_PATH is
// ignored; otherwise the leading ASes of AS_PATH, as many as it has more,
// then AS4_PATH. An AS_SET counts as one AS. The leading ASes are taken
// from AS_PATH's sequences, which come first in every path a router
// sends; a path whose sets would have to be split is left as AS_PATH has
// it.
func (u *update) mergeAS4() {
	if u.attrs == nil || u.as4 == nil || u.aggregator != 0 && u.aggregator != asTrans {
		return
	}
	a := u.attrs
	n2, n4 := len(a.ASPath)+len(a.Sets), len(u.as4.ASPath)+len(u.as4.Sets)
	if n2 < n4 || n2-n4 > len(a.ASPath) {
		return
	}
	a.ASPath = slices.Concat(a.ASPath[:n2-n4], u.as4.ASPath)
	a.Sets = u.as4.Sets
}

// missing names the well-known mandatory attribute an UPDATE that
// announces routes lacks: ORIGIN, AS_PATH, and NEXT_HOP for routes in the
// classic NLRI field (RFC 4271 §5; an IPv6 route's next hop is in
// MP_REACH_NLRI, RFC 4760 §3); "" when none.
func (u *update) missing() string {
	switch {
	case u.attrs == nil:
		return ""
	case !u.has[bgp.BGP_ATTR_TYPE_ORIGIN]:
		return "ORIGIN"
	case !u.has[bgp.BGP_ATTR_TYPE_AS_PATH]:
		return "AS_PATH"
	case u.classic && !u.has[bgp.BGP_ATTR_TYPE_NEXT_HOP]:
		return "NEXT_HOP"
	}
	return ""
}

type announcement struct {
	prefix netip.Prefix
	attrs  *network.Attrs
}

func mustSerialize(m *bgp.BGPMessage) []byte {
	b, err := m.Serialize()
	if err != nil {
		// Every message is built from validated values; failing here is a bug.
		panic(fmt.Sprintf("sim: encoding a BGP message: %v", err))
	}
	return b
}

// update is a received UPDATE's content.
type update struct {
	withdrawn []netip.Prefix
	announced []netip.Prefix
	attrs     *network.Attrs
	// has marks the well-known mandatory attributes present (missing);
	// classic, routes announced in the classic NLRI field.
	has     [bgp.BGP_ATTR_TYPE_NEXT_HOP + 1]bool
	classic bool
	// as4 is the path AS4_PATH carries (its ASPath and Sets), nil
	// without one; aggregator the AS of AGGREGATOR, 0 without one.
	as4        *network.Attrs
	aggregator uint32
	// other names the address families of MP_REACH_NLRI or
	// MP_UNREACH_NLRI other than IPv4 and IPv6 unicast whose routes are
	// not read: no session negotiates one (Session.keep). A family the
	// parser does not know is an error of the message before this.
	other []string
}

// decodeMessage parses one BGP message from the wire. The bytes are a
// peer's, a real router's in a live run, and gobgp's parser (v3.37.0, the
// last v3) indexes past the end of some malformed path attributes instead
// of returning an error: an MP_REACH_NLRI of three octets, for one (found
// by FuzzReceiveBGP; upstream has fixed others like it in v4,
// github.com/osrg/gobgp/issues/3305 and /3308, read 2026-12). Such a
// message is malformed, which takes the session down with a NOTIFICATION
// (RFC 4271 §6), not the process: the parser's runtime error becomes the
// decoding error. Any other panic is a bug and goes on.
func decodeMessage(b []byte) (m *bgp.BGPMessage, err error) {
	defer func() {
		if r := recover(); r != nil {
			re, ok := r.(runtime.Error)
			if !ok {
				panic(r)
			}
			m, err = nil, fmt.Errorf("unreadable (the parser failed: %v)", re)
		}
	}()
	return bgp.ParseBGPMessage(b)
}

func decodeUpdate(u *bgp.BGPUpdate) (update, error) {
	var out update
	for _, p := range u.WithdrawnRoutes {
		out.withdrawn = append(out.withdrawn, prefixOf(p.Prefix.String(), p.Length))
	}
	for _, p := range u.NLRI {
		out.announced = append(out.announced, prefixOf(p.Prefix.String(), p.Length))
	}
	out.classic = len(u.NLRI) > 0
	a := &network.Attrs{}
	for _, pa := range u.PathAttributes {
		if t := pa.GetType(); int(t) < len(out.has) {
			out.has[t] = true
		}
		switch x := pa.(type) {
		case *bgp.PathAttributeOrigin:
			a.Origin = x.Value
		case *bgp.PathAttributeAsPath:
			for _, seg := range x.Value {
				// An AS_SET is one AS in the path's length (RFC 4271
				// §9.1.2.2 (a)); a sequence after it joins the sequence
				// before (so goes out again in another order), which only
				// a path of several sets and sequences would show.
				if seg.GetType() == bgp.BGP_ASPATH_ATTR_TYPE_SET {
					a.Sets = append(a.Sets, seg.GetAS())
					continue
				}
				a.ASPath = append(a.ASPath, seg.GetAS()...)
			}
		case *bgp.PathAttributeAggregator:
			as := x.Value.AS
			if as == 0 {
				as = 1 // AS 0 is never an aggregator's; 0 here means none
			}
			out.aggregator = as
		case *bgp.PathAttributeAs4Path:
			// Read only from an OLD speaker (mergeAS4): one "that receives
			// the AS4_PATH attribute ... from another NEW BGP speaker MUST
			// discard the path attribute" (RFC 6793 §4.1, §6).
			p := &network.Attrs{}
			for _, seg := range x.Value {
				switch seg.Type {
				case bgp.BGP_ASPATH_ATTR_TYPE_CONFED_SEQ, bgp.BGP_ASPATH_ATTR_TYPE_CONFED_SET:
					// "MUST discard these path segments" (RFC 6793 §6).
					continue
				case bgp.BGP_ASPATH_ATTR_TYPE_SET:
					p.Sets = append(p.Sets, slices.Clone(seg.AS))
					continue
				}
				p.ASPath = append(p.ASPath, seg.AS...)
			}
			out.as4 = p
		case *bgp.PathAttributeMultiExitDisc:
			a.MED = x.Value
		case *bgp.PathAttributeCommunities:
			a.Communities = slices.Clone(x.Value)
		case *bgp.PathAttributeMpReachNLRI:
			if !unicast(x.AFI, x.SAFI) {
				// An empty one carries no routes to ignore (an empty
				// MP_UNREACH_NLRI is an End-of-RIB marker, RFC 4724 §2).
				if len(x.Value) > 0 {
					out.other = append(out.other, familyOf(x.AFI, x.SAFI))
				}
				continue
			}
			for _, p := range x.Value {
				pp, err := netip.ParsePrefix(p.String())
				if err != nil {
					return out, err
				}
				out.announced = append(out.announced, pp)
			}
		case *bgp.PathAttributeMpUnreachNLRI:
			if !unicast(x.AFI, x.SAFI) {
				// An empty one carries no routes to ignore (an empty
				// MP_UNREACH_NLRI is an End-of-RIB marker, RFC 4724 §2).
				if len(x.Value) > 0 {
					out.other = append(out.other, familyOf(x.AFI, x.SAFI))
				}
				continue
			}
			for _, p := range x.Value {
				pp, err := netip.ParsePrefix(p.String())
				if err != nil {
					return out, err
				}
				out.withdrawn = append(out.withdrawn, pp)
			}
		}
	}
	if len(out.announced) > 0 {
		out.attrs = a
	}
	return out, nil
}

// unicast reports whether afi and safi are IPv4 or IPv6 unicast, the
// families a session may carry.
func unicast(afi uint16, safi uint8) bool {
	return (afi == afiIPv4 || afi == afiIPv6) && safi == 1
}

// familyOf names an address family as messages do.
func familyOf(afi uint16, safi uint8) string {
	if unicast(afi, safi) {
		return familyName(afi) + " unicast"
	}
	return fmt.Sprintf("AFI %d SAFI %d", afi, safi)
}

// keep drops from u the routes of families the session did not
// negotiate, and names those families. Its AWS end advertises its one
// family alone, and "a given capability can be used on a peering if that
// capability has been advertised by both peers" (RFC 5492 §3; RFC 4760
// §8 for the multiprotocol capability): a peer that sends another
// family's routes anyway has them ignored, as FRR does ("UPDATE for
// non-enabled AFI/SAFI", bgpd/bgp_packet.c, bgp_update_receive, read
// 2026-12), rather than installed or answered with a reset.
func (se *Session) keep(u *update) []string {
	other := slices.Clone(u.other)
	drop := func(ps []netip.Prefix) []netip.Prefix {
		return slices.DeleteFunc(ps, func(p netip.Prefix) bool {
			if se.carries(p) {
				return false
			}
			afi := afiIPv4
			if !p.Addr().Is4() {
				afi = afiIPv6
			}
			if f := familyOf(afi, 1); !slices.Contains(other, f) {
				other = append(other, f)
			}
			return true
		})
	}
	u.announced, u.withdrawn = drop(u.announced), drop(u.withdrawn)
	if len(u.announced) == 0 {
		u.attrs = nil
	}
	slices.Sort(other)
	return slices.Compact(other)
}

// classicNLRI reads an UPDATE's NLRI field from its bytes where RFC 7606
// §4 says to find it, by the withdrawn routes' and the path attributes'
// lengths: the IPv4 prefixes it announces. false when the lengths run past
// the message or a prefix does not fit.
func classicNLRI(b []byte) ([]netip.Prefix, bool) {
	if len(b) < 23 {
		return nil, false
	}
	at := 21 + (int(b[19])<<8 | int(b[20]))
	if at+2 > len(b) {
		return nil, false
	}
	at += 2 + (int(b[at])<<8 | int(b[at+1]))
	if at > len(b) {
		return nil, false
	}
	var out []netip.Prefix
	for at < len(b) {
		bits := int(b[at])
		n := (bits + 7) / 8
		if bits > 32 || at+1+n > len(b) {
			return nil, false
		}
		var a [4]byte
		copy(a[:], b[at+1:at+1+n])
		out = append(out, netip.PrefixFrom(netip.AddrFrom4(a), bits).Masked())
		at += 1 + n
	}
	return out, true
}

func prefixOf(addr string, bits uint8) netip.Prefix {
	a, _ := netip.ParseAddr(addr)
	return netip.PrefixFrom(a, int(bits)).Masked()
}
