package bgp

import (
	"net/netip"
	"slices"
	"testing"

	"github.com/osrg/gobgp/v3/pkg/packet/bgp"

	"patchbay/sim/network"
)

// TestUpdatesFitInAMessage: however long the prefixes and the AS path,
// every UPDATE is at most 4,096 octets (RFC 4271 §4.1), carries each
// prefix once, and reads back with the whole path. 400 IPv6 /128s, the
// most an UPDATE held, took 6,877 octets, which the encoder refused, and
// a path of more than 255 ASes wrapped its segment's one-octet count.
func TestUpdatesFitInAMessage(t *testing.T) {
	path := make([]uint32, 300)
	for i := range path {
		path[i] = 65001
	}
	a := &network.Attrs{ASPath: path, MED: 7, Communities: []uint32{7224<<16 | 7100}}
	base6 := netip.MustParseAddr("2001:db8::")
	base4 := netip.MustParseAddr("10.0.0.0")
	var announce []announcement
	var withdraw []netip.Prefix
	for i := range 1000 {
		b6 := base6.As16()
		b6[14], b6[15] = byte(i>>8), byte(i)
		announce = append(announce, announcement{netip.PrefixFrom(netip.AddrFrom16(b6), 128), a})
		withdraw = append(withdraw, netip.PrefixFrom(netip.AddrFrom16(b6), 127).Masked())
		b4 := base4.As4()
		b4[2], b4[3] = byte(i>>8), byte(i)
		withdraw = append(withdraw, netip.PrefixFrom(netip.AddrFrom4(b4), 32))
	}
	for _, v6 := range []bool{true, false} {
		var ann []announcement
		var wd []netip.Prefix
		nh, ll := netip.MustParseAddr("169.254.100.1"), netip.Addr{}
		if v6 {
			ann, wd = announce, withdraw
			nh, ll = netip.MustParseAddr("2001:db8:dc::1"), netip.MustParseAddr("fe80::1")
		} else {
			// 1,000 /24s: the count, not the octets, ends each UPDATE.
			for i := range 1000 {
				ann = append(ann, announcement{netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(i >> 8), byte(i), 0}), 24), a})
			}
		}
		var gotA, gotW []netip.Prefix
		for _, b := range encodeUpdates(wd, ann, nh, ll, false) {
			if len(b) > 4096 {
				t.Fatalf("an UPDATE of %d octets", len(b))
			}
			u := readUpdate(t, b)
			if u.attrs != nil && !slices.Equal(u.attrs.ASPath, path) {
				t.Fatalf("a path of %d ASes read back as %d", len(path), len(u.attrs.ASPath))
			}
			gotA, gotW = append(gotA, u.announced...), append(gotW, u.withdrawn...)
		}
		var wantA []netip.Prefix
		for _, x := range ann {
			wantA = append(wantA, x.prefix)
		}
		// IPv4 withdrawals go first, in the classic field, then IPv6's.
		is4 := func(p netip.Prefix) bool { return p.Addr().Is4() }
		is6 := func(p netip.Prefix) bool { return p.Addr().Is6() }
		wantW := slices.Concat(slices.DeleteFunc(slices.Clone(wd), is6), slices.DeleteFunc(slices.Clone(wd), is4))
		if !slices.Equal(gotA, wantA) || !slices.Equal(gotW, wantW) {
			t.Errorf("IPv6 %v: %d prefixes announced and %d withdrawn, want %d and %d, in order", v6, len(gotA), len(gotW), len(wantA), len(wd))
		}
	}
}

// TestASSetIsOneASOfThePath: an AS_SET reads back as a set, counted as
// one AS in the path's length however many it holds (RFC 4271 §9.1.2.2
// (a)), goes out again as a set, and an AS in it is a loop as one in the
// sequence is. It counted as each of its ASes.
func TestASSetIsOneASOfThePath(t *testing.T) {
	a := &network.Attrs{ASPath: []uint32{65001}, Sets: [][]uint32{{65010, 65011, 65012}}}
	bs := encodeUpdates(nil, []announcement{{netip.MustParsePrefix("192.168.0.0/16"), a}}, netip.MustParseAddr("169.254.100.2"), netip.Addr{}, false)
	if len(bs) != 1 {
		t.Fatalf("%d UPDATEs, want 1", len(bs))
	}
	u := readUpdate(t, bs[0])
	if !u.attrs.Equal(&network.Attrs{ASPath: []uint32{65001}, Sets: [][]uint32{{65010, 65011, 65012}}}) {
		t.Fatalf("read back as %+v", u.attrs)
	}
	if n := len(u.attrs.ASPath) + len(u.attrs.Sets); n != 2 {
		t.Errorf("path length %d, want 2", n)
	}
	if !u.attrs.Holds(65011) || u.attrs.Holds(65002) {
		t.Error("Holds does not look into the set")
	}
}

// TestAPathThatFillsAMessageIsNotAdvertised: a route whose AS path alone
// fills 4,096 octets (1,100 ASes) cannot be sent; the encoder leaves it out
// and sends the rest, where it panicked.
func TestAPathThatFillsAMessageIsNotAdvertised(t *testing.T) {
	long := &network.Attrs{ASPath: slices.Repeat([]uint32{65001}, 1100)}
	short := &network.Attrs{ASPath: []uint32{65001}}
	bs := encodeUpdates(nil, []announcement{{netip.MustParsePrefix("10.0.0.0/8"), long}, {netip.MustParsePrefix("10.1.0.0/16"), short}},
		netip.MustParseAddr("169.254.100.2"), netip.Addr{}, false)
	if len(bs) != 1 {
		t.Fatalf("%d UPDATEs, want the short path's alone", len(bs))
	}
	if u := readUpdate(t, bs[0]); !slices.Equal(u.announced, []netip.Prefix{netip.MustParsePrefix("10.1.0.0/16")}) {
		t.Fatalf("announced %v, want 10.1.0.0/16", u.announced)
	}
}

// TestClassicNLRIFollowsTheLengths: the NLRI is where the withdrawn
// routes' and the attributes' lengths put it (RFC 7606 §4), whatever the
// attributes hold; lengths that run past the message are refused.
func TestClassicNLRIFollowsTheLengths(t *testing.T) {
	b := encodeUpdates(nil, []announcement{{netip.MustParsePrefix("192.168.0.0/16"), &network.Attrs{ASPath: []uint32{65001}}}},
		netip.MustParseAddr("169.254.100.2"), netip.Addr{}, false)[0]
	got, ok := classicNLRI(b)
	if !ok || !slices.Equal(got, []netip.Prefix{netip.MustParsePrefix("192.168.0.0/16")}) {
		t.Fatalf("%v %v, want 192.168.0.0/16", got, ok)
	}
	bad := slices.Clone(b)
	bad[22]++ // the total attribute length one more: the NLRI's length octet is read as an attribute's
	if got, ok := classicNLRI(bad); ok && slices.Equal(got, []netip.Prefix{netip.MustParsePrefix("192.168.0.0/16")}) {
		t.Errorf("a shifted NLRI read as %v", got)
	}
	bad[22] = 0xff // past the message
	if _, ok := classicNLRI(bad); ok {
		t.Error("an attribute length past the message accepted")
	}
}

// readUpdate reads b, an UPDATE, as a speaker does.
func readUpdate(t *testing.T, b []byte) update {
	t.Helper()
	m, err := decodeMessage(b)
	if err != nil {
		t.Fatal(err)
	}
	u, err := decodeUpdate(m.Body.(*bgp.BGPUpdate))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestOtherFamiliesAreIgnored: an UPDATE read from the wire with routes of
// a family the session did not negotiate, a VPN family among them, keeps
// the session's own routes and names the others; before, the VPN routes
// failed to parse as prefixes and reset the session, and another unicast
// family's routes were installed.
func TestOtherFamiliesAreIgnored(t *testing.T) {
	vpn := bgp.NewLabeledVPNIPAddrPrefix(24, "10.9.0.0", *bgp.NewMPLSLabelStack(100), bgp.NewRouteDistinguisherTwoOctetAS(65000, 1))
	m := bgp.NewBGPUpdateMessage(nil, []bgp.PathAttributeInterface{
		bgp.NewPathAttributeOrigin(0),
		bgp.NewPathAttributeAsPath([]bgp.AsPathParamInterface{bgp.NewAs4PathParam(bgp.BGP_ASPATH_ATTR_TYPE_SEQ, []uint32{65001})}),
		bgp.NewPathAttributeNextHop("192.0.2.1"),
		bgp.NewPathAttributeMpReachNLRI("2001:db8::1", []bgp.AddrPrefixInterface{bgp.NewIPv6AddrPrefix(32, "2001:db8::")}),
		bgp.NewPathAttributeMpReachNLRI("192.0.2.1", []bgp.AddrPrefixInterface{vpn}),
	}, []*bgp.IPAddrPrefix{bgp.NewIPAddrPrefix(16, "192.168.0.0")})
	b, err := m.Serialize()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		afi       uint16
		announced []netip.Prefix
		other     []string
	}{
		{afiIPv4, []netip.Prefix{netip.MustParsePrefix("192.168.0.0/16")}, []string{"AFI 1 SAFI 128", "IPv6 unicast"}},
		{afiIPv6, []netip.Prefix{netip.MustParsePrefix("2001:db8::/32")}, []string{"AFI 1 SAFI 128", "IPv4 unicast"}},
	} {
		msg, err := decodeMessage(b)
		if err != nil {
			t.Fatal(err)
		}
		u, err := decodeUpdate(msg.Body.(*bgp.BGPUpdate))
		if err != nil {
			t.Fatalf("decoding: %v", err)
		}
		se := &Session{afi: c.afi}
		other := se.keep(&u)
		if !slices.Equal(u.announced, c.announced) || u.attrs == nil || !slices.Equal(other, c.other) {
			t.Errorf("%s session: kept %v (attributes %v), ignored %q; want %v, ignored %q", familyName(c.afi), u.announced, u.attrs != nil, other, c.announced, c.other)
		}
	}
	// An End-of-RIB marker of a VPN family (an empty MP_UNREACH_NLRI, RFC
	// 4724 §2) withdraws nothing, so there is nothing to say of it.
	eor, err := bgp.NewEndOfRib(bgp.RF_IPv4_VPN).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	msg, err := decodeMessage(eor)
	if err != nil {
		t.Fatal(err)
	}
	if u, err := decodeUpdate(msg.Body.(*bgp.BGPUpdate)); err != nil || len(u.other) != 0 {
		t.Errorf("an End-of-RIB of VPN routes: %v, other families %q, want none", err, u.other)
	}
	u := update{withdrawn: []netip.Prefix{netip.MustParsePrefix("2001:db8:1::/48")}, announced: []netip.Prefix{netip.MustParsePrefix("2001:db8::/32")}, attrs: &network.Attrs{}}
	if other := (&Session{afi: afiIPv4}).keep(&u); len(u.withdrawn)+len(u.announced) != 0 || u.attrs != nil || !slices.Equal(other, []string{"IPv6 unicast"}) {
		t.Errorf("an IPv4 session kept %v and %v of an IPv6 UPDATE (attributes %v), ignored %q", u.withdrawn, u.announced, u.attrs != nil, other)
	}
}

// TestPathToAnOldSpeaker: to a peer without the 4-octet AS capability
// (an OLD speaker), AS_PATH goes with 2-octet ASes, AS_TRANS for one that
// does not fit, and the whole path in AS4_PATH beside it; with every AS
// fitting, no AS4_PATH (RFC 6793 §4.2.2). Read back as a NEW speaker
// reads an OLD one's UPDATE, the path is the one sent (§4.2.3).
func TestPathToAnOldSpeaker(t *testing.T) {
	nh := netip.MustParseAddr("169.254.100.1")
	for _, c := range []struct {
		path   []uint32
		as2    []uint16 // AS_PATH on the wire
		as4    bool     // with AS4_PATH
		result []uint32 // the path read back, AS4_PATH merged
	}{
		{[]uint32{4200000001, 65001}, []uint16{asTrans, 65001}, true, []uint32{4200000001, 65001}},
		{[]uint32{64512, 65001}, []uint16{64512, 65001}, false, []uint32{64512, 65001}},
	} {
		bs := encodeUpdates(nil, []announcement{{netip.MustParsePrefix("10.0.0.0/8"), &network.Attrs{ASPath: c.path}}}, nh, netip.Addr{}, true)
		msg, err := decodeMessage(bs[0])
		if err != nil {
			t.Fatal(err)
		}
		var wire []uint16
		var as4 bool
		for _, pa := range msg.Body.(*bgp.BGPUpdate).PathAttributes {
			switch x := pa.(type) {
			case *bgp.PathAttributeAsPath:
				for _, seg := range x.Value {
					p, ok := seg.(*bgp.AsPathParam)
					if !ok {
						t.Fatalf("path %v: AS_PATH segment %T, want 2-octet", c.path, seg)
					}
					wire = append(wire, p.AS...)
				}
			case *bgp.PathAttributeAs4Path:
				as4 = true
			}
		}
		if !slices.Equal(wire, c.as2) || as4 != c.as4 {
			t.Errorf("path %v: AS_PATH %v, AS4_PATH %v; want %v, %v", c.path, wire, as4, c.as2, c.as4)
		}
		u, err := decodeUpdate(msg.Body.(*bgp.BGPUpdate))
		if err != nil {
			t.Fatal(err)
		}
		u.mergeAS4()
		if !slices.Equal(u.attrs.ASPath, c.result) {
			t.Errorf("path %v: read back as %v", c.path, u.attrs.ASPath)
		}
	}
}

// TestMergeAS4: the AS path of an OLD speaker's UPDATE (RFC 6793 §4.2.3):
// the leading ASes of AS_PATH, as many as it has more than AS4_PATH, then
// AS4_PATH; AS4_PATH ignored when it is the longer, or when AGGREGATOR
// names an AS other than AS_TRANS.
func TestMergeAS4(t *testing.T) {
	for _, c := range []struct {
		name       string
		path, as4  []uint32
		aggregator uint32
		want       []uint32
	}{
		{"a 2-octet AS in front", []uint32{65002, asTrans, 65001}, []uint32{4200000001, 65001}, 0, []uint32{65002, 4200000001, 65001}},
		{"as long", []uint32{asTrans}, []uint32{4200000001}, asTrans, []uint32{4200000001}},
		{"AS4_PATH longer", []uint32{asTrans}, []uint32{4200000001, 65001}, 0, []uint32{asTrans}},
		{"aggregated by a 2-octet AS", []uint32{asTrans, 65001}, []uint32{4200000001, 65001}, 65001, []uint32{asTrans, 65001}},
	} {
		u := update{attrs: &network.Attrs{ASPath: slices.Clone(c.path)}, as4: &network.Attrs{ASPath: c.as4}, aggregator: c.aggregator}
		u.mergeAS4()
		if !slices.Equal(u.attrs.ASPath, c.want) {
			t.Errorf("%s: %v, want %v", c.name, u.attrs.ASPath, c.want)
		}
	}
}

// TestTwoOctetPathFromAnOldSpeaker: an OLD speaker's AS_PATH of two
// segments that also reads as 4-octet ASes (SEQ 65001, SET 513 100 200:
// the parser, which tries 4-octet first, reads two ASes) is read as the
// 2-octet path it is.
func TestTwoOctetPathFromAnOldSpeaker(t *testing.T) {
	m := bgp.NewBGPUpdateMessage(nil, []bgp.PathAttributeInterface{
		bgp.NewPathAttributeOrigin(0),
		bgp.NewPathAttributeAsPath([]bgp.AsPathParamInterface{
			bgp.NewAsPathParam(bgp.BGP_ASPATH_ATTR_TYPE_SEQ, []uint16{65001}),
			bgp.NewAsPathParam(bgp.BGP_ASPATH_ATTR_TYPE_SET, []uint16{513, 100, 200}),
		}),
		bgp.NewPathAttributeNextHop("192.0.2.1"),
	}, []*bgp.IPAddrPrefix{bgp.NewIPAddrPrefix(16, "192.168.0.0")})
	b, err := m.Serialize()
	if err != nil {
		t.Fatal(err)
	}
	msg, err := decodeMessage(b)
	if err != nil {
		t.Fatal(err)
	}
	up := msg.Body.(*bgp.BGPUpdate)
	twoOctetASPath(up)
	u, err := decodeUpdate(up)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(u.attrs.ASPath, []uint32{65001}) || len(u.attrs.Sets) != 1 || !slices.Equal(u.attrs.Sets[0], []uint32{513, 100, 200}) {
		t.Errorf("read as %v and sets %v, want [65001] and [[513 100 200]]", u.attrs.ASPath, u.attrs.Sets)
	}
}
