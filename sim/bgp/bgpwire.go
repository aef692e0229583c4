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

// maxUpdateNLRI keeps an UPDATE well under BGP's 4096-byte limit: a /24
// takes 4 bytes of NLRI, an IPv6 /48 7, plus about 60 bytes of attributes.
const maxUpdateNLRI = 400

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

func encodeNotification(code, subcode uint8, data []byte) []byte {
	return mustSerialize(bgp.NewBGPNotificationMessage(code, subcode, data))
}

// encodeUpdates builds the UPDATE messages that withdraw and announce
// one session's prefixes. IPv4 goes in the classic fields with nextHop;
// IPv6 in MP_REACH_NLRI and MP_UNREACH_NLRI (RFC 4760) over an IPv6
// session, whose next hop is the speaker's global address on the link and
// its link-local one (RFC 2545 §3), never an IPv4-mapped address, which
// BIRD refuses.
func encodeUpdates(withdraw []netip.Prefix, announce []announcement, nextHop, linkLocal netip.Addr) [][]byte {
	var out [][]byte
	var w4 []*bgp.IPAddrPrefix
	var w6 []bgp.AddrPrefixInterface
	for _, p := range withdraw {
		if p.Addr().Is4() {
			w4 = append(w4, bgp.NewIPAddrPrefix(uint8(p.Bits()), p.Addr().String()))
		} else {
			w6 = append(w6, bgp.NewIPv6AddrPrefix(uint8(p.Bits()), p.Addr().String()))
		}
	}
	for len(w4) > 0 {
		n := min(len(w4), maxUpdateNLRI)
		out = append(out, mustSerialize(bgp.NewBGPUpdateMessage(w4[:n], nil, nil)))
		w4 = w4[n:]
	}
	for len(w6) > 0 {
		n := min(len(w6), maxUpdateNLRI)
		out = append(out, mustSerialize(bgp.NewBGPUpdateMessage(nil, []bgp.PathAttributeInterface{bgp.NewPathAttributeMpUnreachNLRI(w6[:n])}, nil)))
		w6 = w6[n:]
	}
	// One UPDATE carries prefixes with equal attributes.
	for i := 0; i < len(announce); {
		j := i + 1
		for j < len(announce) && announce[j].attrs.Equal(announce[i].attrs) && announce[j].prefix.Addr().Is4() == announce[i].prefix.Addr().Is4() && j-i < maxUpdateNLRI {
			j++
		}
		a := announce[i].attrs
		attrs := []bgp.PathAttributeInterface{
			bgp.NewPathAttributeOrigin(a.Origin),
			bgp.NewPathAttributeAsPath([]bgp.AsPathParamInterface{bgp.NewAs4PathParam(bgp.BGP_ASPATH_ATTR_TYPE_SEQ, a.ASPath)}),
		}
		if announce[i].prefix.Addr().Is4() {
			attrs = append(attrs, bgp.NewPathAttributeNextHop(nextHop.String()))
		}
		if a.MED != 0 {
			attrs = append(attrs, bgp.NewPathAttributeMultiExitDisc(a.MED))
		}
		if len(a.Communities) > 0 {
			attrs = append(attrs, bgp.NewPathAttributeCommunities(a.Communities))
		}
		var nlri []*bgp.IPAddrPrefix
		if announce[i].prefix.Addr().Is4() {
			for _, x := range announce[i:j] {
				nlri = append(nlri, bgp.NewIPAddrPrefix(uint8(x.prefix.Bits()), x.prefix.Addr().String()))
			}
		} else {
			var mp []bgp.AddrPrefixInterface
			for _, x := range announce[i:j] {
				mp = append(mp, bgp.NewIPv6AddrPrefix(uint8(x.prefix.Bits()), x.prefix.Addr().String()))
			}
			mpReach := bgp.NewPathAttributeMpReachNLRI(nextHop.String(), mp)
			if linkLocal.IsValid() {
				mpReach.LinkLocalNexthop = net.IP(linkLocal.AsSlice())
			}
			attrs = append(attrs, mpReach)
		}
		out = append(out, mustSerialize(bgp.NewBGPUpdateMessage(nil, attrs, nlri)))
		i = j
	}
	return out
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
	a := &network.Attrs{}
	for _, pa := range u.PathAttributes {
		switch x := pa.(type) {
		case *bgp.PathAttributeOrigin:
			a.Origin = x.Value
		case *bgp.PathAttributeAsPath:
			for _, seg := range x.Value {
				a.ASPath = append(a.ASPath, seg.GetAS()...)
			}
		case *bgp.PathAttributeMultiExitDisc:
			a.MED = x.Value
		case *bgp.PathAttributeCommunities:
			a.Communities = slices.Clone(x.Value)
		case *bgp.PathAttributeMpReachNLRI:
			for _, p := range x.Value {
				pp, err := netip.ParsePrefix(p.String())
				if err != nil {
					return out, err
				}
				out.announced = append(out.announced, pp)
			}
		case *bgp.PathAttributeMpUnreachNLRI:
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

func prefixOf(addr string, bits uint8) netip.Prefix {
	a, _ := netip.ParseAddr(addr)
	return netip.PrefixFrom(a, int(bits)).Masked()
}
