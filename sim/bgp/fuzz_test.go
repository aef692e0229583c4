package bgp

import (
	"net/netip"
	"testing"

	"github.com/osrg/gobgp/v3/pkg/packet/bgp"

	"patchbay/sim/network"
)

// FuzzReceiveBGP feeds arbitrary bytes to the path a speaker reads BGP
// messages by: it must refuse or decode, never panic, and an UPDATE it
// accepts names only prefixes without host bits. What the path takes for
// a KEEPALIVE without the parser, the parser reads as one too.
func FuzzReceiveBGP(f *testing.F) {
	f.Add(encodeKeepalive())
	f.Add(encodeOpen(4200000001, 90, netip.MustParseAddr("169.254.100.1"), afiIPv4))
	f.Add(encodeOpen(4200000001, 90, netip.MustParseAddr("169.254.100.1"), afiIPv6))
	f.Add(encodeNotification(6, 1, []byte{0, 2, 1, 0, 0, 0, 100}))
	// An IPv4 session's UPDATEs, then an IPv6 session's.
	for _, u := range encodeUpdates([]netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")},
		[]announcement{{netip.MustParsePrefix("192.168.0.0/16"), &network.Attrs{ASPath: []uint32{65001, 65001}, MED: 5, Communities: []uint32{7224<<16 | 7300}}}},
		netip.MustParseAddr("169.254.100.2"), netip.Addr{}, false) {
		f.Add(u)
	}
	for _, u := range encodeUpdates([]netip.Prefix{netip.MustParsePrefix("2001:db8::/32")},
		[]announcement{{netip.MustParsePrefix("fd00::/48"), &network.Attrs{ASPath: []uint32{65001}}}},
		netip.MustParseAddr("2001:db8:dc::2"), netip.MustParseAddr("fe80::70:62ff:fe00:1"), false) {
		f.Add(u)
	}
	// An UPDATE to an OLD speaker: a 2-octet AS_PATH with AS_TRANS, and
	// AS4_PATH.
	for _, u := range encodeUpdates(nil, []announcement{{netip.MustParsePrefix("10.0.0.0/8"), &network.Attrs{ASPath: []uint32{4200000001, 65001}}}},
		netip.MustParseAddr("169.254.100.2"), netip.Addr{}, true) {
		f.Add(u)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := decodeMessage(b)
		if isKeepalive(b) {
			if err != nil {
				t.Fatalf("% x taken for a KEEPALIVE, which the parser refuses: %v", b, err)
			}
			if _, ok := m.Body.(*bgp.BGPKeepAlive); !ok {
				t.Fatalf("% x taken for a KEEPALIVE, which the parser reads as %T", b, m.Body)
			}
		}
		if err != nil {
			return
		}
		if up, ok := m.Body.(*bgp.BGPUpdate); ok {
			got, err := decodeUpdate(up)
			if err != nil {
				return
			}
			for _, p := range append(got.announced, got.withdrawn...) {
				if p.Masked() != p {
					t.Fatalf("prefix %s keeps host bits", p)
				}
			}
			// As from an OLD speaker: AS4_PATH merged into the path.
			got.mergeAS4()
		}
	})
}

// TestOnlyAWellFormedKeepaliveSkipsTheParser: a KEEPALIVE one byte longer,
// with a marker bit clear, of another type or cut short goes the way
// every other message goes.
func TestOnlyAWellFormedKeepaliveSkipsTheParser(t *testing.T) {
	if !isKeepalive(encodeKeepalive()) {
		t.Fatal("the KEEPALIVE a speaker sends is not taken for one")
	}
	longer := append(append([]byte{}, encodeKeepalive()...), 0)
	longer[17] = 20
	marker := append([]byte{}, encodeKeepalive()...)
	marker[3] = 0xfe
	other := append([]byte{}, encodeKeepalive()...)
	other[18] = 3
	for _, b := range [][]byte{longer, marker, other, encodeKeepalive()[:18], nil} {
		if isKeepalive(b) {
			t.Errorf("% x taken for a KEEPALIVE", b)
		}
	}
}
