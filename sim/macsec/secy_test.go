package macsec

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

var allSuites = []CipherSuite{GCMAES128, GCMAES256, GCMAESXPN128, GCMAESXPN256}

func TestCipherSuites(t *testing.T) {
	for _, c := range []struct {
		s      CipherSuite
		name   string
		keyLen int
		xpn    bool
	}{
		{GCMAES128, "GCM-AES-128", 16, false},
		{GCMAES256, "GCM-AES-256", 32, false},
		{GCMAESXPN128, "GCM-AES-XPN-128", 16, true},
		{GCMAESXPN256, "GCM-AES-XPN-256", 32, true},
	} {
		if c.s.String() != c.name || c.s.KeyLen() != c.keyLen || c.s.XPN() != c.xpn || !c.s.Known() {
			t.Errorf("%016X: %q, key %d, XPN %v", uint64(c.s), c.s, c.s.KeyLen(), c.s.XPN())
		}
		for _, in := range []string{c.name, strings.ToLower(c.name), " " + strings.ToUpper(c.name)} {
			if got, err := ParseCipherSuite(in); err != nil || got != c.s {
				t.Errorf("ParseCipherSuite(%q) = %v, %v", in, got, err)
			}
		}
		threshold := uint64(0xC0000000)
		if c.xpn {
			threshold = 0xC000000000000000
		}
		if c.s.RekeyThreshold() != threshold || c.s.RekeyThreshold() >= c.s.MaxPN() {
			t.Errorf("%v: rekey at %#x, last PN %#x", c.s, c.s.RekeyThreshold(), c.s.MaxPN())
		}
	}
	if _, err := ParseCipherSuite("GCM-AES-192"); err == nil {
		t.Error("GCM-AES-192 parsed")
	}
	if s := CipherSuite(0x0080020001000001).String(); s != "CipherSuite(0080020001000001)" {
		t.Errorf("unknown suite prints %q", s)
	}
	if CipherSuite(5).KeyLen() != 0 || CipherSuite(5).Known() {
		t.Error("an unknown suite has a key length")
	}
}

func TestSCI(t *testing.T) {
	s := MakeSCI([6]byte{0x12, 0x15, 0x35, 0x24, 0xC0, 0x89}, 0x5E81)
	if s.String() != "12153524c0895e81" || s.Port() != 0x5E81 || s.MAC() != [6]byte{0x12, 0x15, 0x35, 0x24, 0xC0, 0x89} {
		t.Errorf("SCI %v, port %#x, MAC %x", s, s.Port(), s.MAC())
	}
}

// testSA is an SA of suite s with a key, SCI and salt that differ per suite.
func testSA(s CipherSuite) *SA {
	sa := &SA{Suite: s, Key: make([]byte, s.KeyLen()), AN: 1, SSCI: 2}
	for i := range sa.Key {
		sa.Key[i] = byte(i*7) ^ byte(s)
	}
	sa.SCI = MakeSCI([6]byte{0x02, 0, 0, 0, 0, byte(s)}, 1)
	for i := range sa.Salt {
		sa.Salt[i] = byte(0xA0 + i)
	}
	return sa
}

// testFrame is an Ethernet frame of n octets from sa's MAC address.
func testFrame(sa *SA, n int) []byte {
	f := make([]byte, n)
	copy(f, []byte{0x02, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE})
	mac := sa.SCI.MAC()
	copy(f[6:], mac[:])
	f[12], f[13] = 0x08, 0x00
	for i := 14; i < n; i++ {
		f[i] = byte(i * 31)
	}
	return f
}

func TestRoundTrip(t *testing.T) {
	for _, s := range allSuites {
		for _, encrypt := range []bool{false, true} {
			sa := testSA(s)
			rx := *sa // the receiver's copy of the SA
			rx.Key = bytes.Clone(sa.Key)
			var w ReplayWindow
			pn := uint64(1)
			if s.XPN() {
				pn = 1<<32 - 3 // cross into the upper half
			}
			w.Next = pn
			for _, n := range []int{14, 15, 40, 59, 60, 61, 62, 64, 100, 1514, 9000} {
				f := testFrame(sa, n)
				p, err := Protect(sa, f, pn, encrypt)
				if err != nil {
					t.Fatalf("%v encrypt=%v n=%d: %v", s, encrypt, n, err)
				}
				if len(p) != n+Overhead {
					t.Fatalf("%v: %d-octet frame protects to %d octets", s, n, len(p))
				}
				tag, tl, err := ParseSecTAG(p[12:])
				if err != nil || tl != 16 || !tag.SC || tag.E != encrypt || tag.C != encrypt || tag.AN != 1 ||
					tag.PN != uint32(pn) || *tag.SCI != sa.SCI {
					t.Fatalf("%v: SecTAG %+v (%d octets), %v", s, tag, tl, err)
				}
				if sl := n - 12; sl < 48 && int(tag.SL) != sl || sl >= 48 && tag.SL != 0 {
					t.Fatalf("%d octets of user data, SL %d", sl, tag.SL)
				}
				if encrypt == bytes.Contains(p, f[14:]) && n > 40 {
					t.Fatalf("%v encrypt=%v: payload in the clear is %v", s, encrypt, !encrypt)
				}
				got, gotPN, err := Validate(&rx, &w, p)
				if err != nil {
					t.Fatalf("%v encrypt=%v n=%d: %v", s, encrypt, n, err)
				}
				if gotPN != pn || !bytes.Equal(got, f) {
					t.Fatalf("%v encrypt=%v n=%d: PN %#x, frame differs", s, encrypt, n, gotPN)
				}
				pn++
			}
			if w.Next != pn {
				t.Fatalf("window next %#x, want %#x", w.Next, pn)
			}
		}
	}
}

// Flipping any one bit of a protected frame makes Validate reject it, and the
// window stays where it was.
func TestTamperingRejected(t *testing.T) {
	for _, s := range allSuites {
		for _, encrypt := range []bool{false, true} {
			sa := testSA(s)
			p, err := Protect(sa, testFrame(sa, 80), 5, encrypt)
			if err != nil {
				t.Fatal(err)
			}
			for i := range 8 * len(p) {
				q := bytes.Clone(p)
				q[i/8] ^= 1 << (i % 8)
				w := ReplayWindow{Next: 5}
				if _, _, err := Validate(sa, &w, q); err == nil {
					t.Fatalf("%v encrypt=%v: bit %d flipped and the frame validates", s, encrypt, i)
				}
				if w.Next != 5 {
					t.Fatalf("a rejected frame moved the window to %d", w.Next)
				}
			}
			if _, _, err := Validate(sa, &ReplayWindow{Next: 5}, p[:len(p)-1]); err == nil {
				t.Fatal("truncated frame validates")
			}
			if _, _, err := Validate(sa, &ReplayWindow{Next: 5}, append(bytes.Clone(p), 0)); err == nil {
				t.Fatal("frame with a trailing octet validates")
			}
		}
	}
}

func TestWrongSARejected(t *testing.T) {
	for _, s := range allSuites {
		sa := testSA(s)
		p, err := Protect(sa, testFrame(sa, 100), 9, true)
		if err != nil {
			t.Fatal(err)
		}
		check := func(what string, rx *SA, want error) {
			t.Helper()
			w := ReplayWindow{}
			if _, _, err := Validate(rx, &w, p); !errors.Is(err, want) {
				t.Errorf("%v, %s: %v, want %v", s, what, err, want)
			}
			if w.Next != 0 {
				t.Errorf("%v, %s: window moved", s, what)
			}
		}
		other := *sa
		other.Key = bytes.Clone(sa.Key)
		other.Key[3] ^= 0x40
		check("another SAK", &other, ErrICV)
		other = *sa
		other.AN = 2
		check("another AN", &other, ErrNoSA)
		other = *sa
		other.SCI[7] ^= 1
		check("another SCI", &other, ErrNoSA)
		if s.XPN() {
			other = *sa
			other.SSCI ^= 1
			check("another SSCI", &other, ErrICV)
			other = *sa
			other.Salt[11] ^= 1
			check("another salt", &other, ErrICV)
		}
		other = *sa
		other.Suite = map[CipherSuite]CipherSuite{GCMAES128: GCMAESXPN128, GCMAESXPN128: GCMAES128,
			GCMAES256: GCMAESXPN256, GCMAESXPN256: GCMAES256}[s]
		check("the other PN size", &other, ErrICV)
	}
}

func TestReplay(t *testing.T) {
	for _, s := range allSuites {
		sa := testSA(s)
		protect := func(pn uint64) []byte {
			p, err := Protect(sa, testFrame(sa, 70), pn, false)
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		// Strict ordering: window 0.
		w := ReplayWindow{Next: 1}
		for _, pn := range []uint64{1, 2, 10} {
			if _, _, err := Validate(sa, &w, protect(pn)); err != nil {
				t.Fatalf("%v PN %d: %v", s, pn, err)
			}
		}
		for _, pn := range []uint64{10, 2, 9} {
			_, _, err := Validate(sa, &w, protect(pn))
			if s.XPN() {
				// The recovered PN is 2^32 ahead, so the ICV fails
				// rather than the window: either way it is dropped.
				if err == nil {
					t.Fatalf("%v: replayed PN %d accepted", s, pn)
				}
			} else if !errors.Is(err, ErrLate) {
				t.Fatalf("%v: replayed PN %d: %v", s, pn, err)
			}
		}
		if w.Next != 11 {
			t.Fatalf("%v: window next %d", s, w.Next)
		}
		// A window of 4 after PN 10: 7 to 10 pass (even again, as in
		// 802.1AE), 6 and below are late.
		w = ReplayWindow{Next: 11, Window: 4}
		if w.Lowest() != 7 {
			t.Fatalf("lowest PN %d", w.Lowest())
		}
		for _, pn := range []uint64{8, 7, 10, 8} {
			if _, _, err := Validate(sa, &w, protect(pn)); err != nil {
				t.Fatalf("%v: PN %d within the window: %v", s, pn, err)
			}
		}
		if w.Next != 11 {
			t.Fatalf("%v: frames within the window moved it to %d", s, w.Next)
		}
		if !s.XPN() {
			for _, pn := range []uint64{6, 1} {
				if _, _, err := Validate(sa, &w, protect(pn)); !errors.Is(err, ErrLate) {
					t.Fatalf("%v: PN %d below the window: %v", s, pn, err)
				}
			}
		}
	}
}

func TestRecoverPN(t *testing.T) {
	for _, c := range []struct {
		next, window uint64
		low          uint32
		want         uint64
		ok           bool
	}{
		{1, 0, 1, 1, true},
		{1, 0, 0, 1 << 32, true}, // PN 0 is never sent, so low half 0 is the next epoch
		{0, 0, 5, 5, true},
		{0x1FFFFFFF0, 0, 0xFFFFFFF5, 0x1FFFFFFF5, true},
		{0x1FFFFFFF0, 0, 0x00000003, 0x200000003, true},               // wrapped
		{0x1FFFFFFF0, 0x20, 0xFFFFFFD0, 0x1FFFFFFD0, true},            // inside the window
		{0x200000010, 0x40, 0xFFFFFFE0, 0x1FFFFFFE0, true},            // window reaches back across the boundary
		{0x200000010, 0x40, 0xFFFFFFC0, 0x2FFFFFFC0, true},            // below the window: a PN 2^32 on
		{math.MaxUint64 - 4, 0, 0xFFFFFFFF, math.MaxUint64, true},     // a PN no one sends, recovered all the same
		{math.MaxUint64 - 4, 0, 3, 0, false},                          // would need PN 2^64+3
		{0xC000000000000000, 0, 0x12345678, 0xC000000012345678, true}, // past the rekey threshold
	} {
		w := ReplayWindow{Next: c.next, Window: c.window}
		got, ok := w.RecoverPN(c.low)
		if got != c.want || ok != c.ok {
			t.Errorf("next %#x window %#x low %#x: %#x %v, want %#x %v", c.next, c.window, c.low, got, ok, c.want, c.ok)
		}
	}
}

// An XPN receiver follows the transmitter across the 2^32 boundary without
// the upper half ever being sent.
func TestXPNAcrossBoundary(t *testing.T) {
	sa := testSA(GCMAESXPN256)
	w := ReplayWindow{Next: 0xFFFFFFF0, Window: 8}
	for pn := uint64(0xFFFFFFF0); pn < 0x100000010; pn += 3 {
		p, err := Protect(sa, testFrame(sa, 90), pn, true)
		if err != nil {
			t.Fatal(err)
		}
		if _, got, err := Validate(sa, &w, p); err != nil || got != pn {
			t.Fatalf("PN %#x: recovered %#x, %v", pn, got, err)
		}
	}
	// The last PN of the space, once.
	last := GCMAESXPN256.MaxPN()
	w = ReplayWindow{Next: last - 1}
	p, err := Protect(sa, testFrame(sa, 90), last, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, got, err := Validate(sa, &w, p); err != nil || got != last {
		t.Fatalf("last PN: %#x, %v", got, err)
	}
	if _, _, err := Validate(sa, &w, p); err == nil {
		t.Fatal("the last PN replayed")
	}
	if _, err := Protect(sa, testFrame(sa, 90), last+1, false); !errors.Is(err, ErrPN) {
		t.Fatalf("PN 2^64-1: %v", err)
	}
}

func TestProtectRejects(t *testing.T) {
	sa := testSA(GCMAES128)
	f := testFrame(sa, 64)
	for _, c := range []struct {
		name string
		sa   *SA
		f    []byte
		pn   uint64
		o    Options
		want error
	}{
		{"PN 0", sa, f, 0, Options{}, ErrPN},
		{"PN past 32 bits", sa, f, 1 << 32, Options{}, ErrPN},
		{"short frame", sa, f[:13], 1, Options{}, nil},
		{"nil SA", nil, f, 1, Options{}, ErrKey},
		{"short key", &SA{Suite: GCMAES256, Key: make([]byte, 16)}, f, 1, Options{}, ErrKey},
		{"unknown suite", &SA{Suite: 7, Key: make([]byte, 16)}, f, 1, Options{}, ErrKey},
		{"AN 4", &SA{Suite: GCMAES128, Key: make([]byte, 16), AN: 4}, f, 1, Options{}, ErrKey},
		{"ES with SCI", sa, f, 1, Options{EndStation: true}, ErrKey},
		{"SCB with SCI", sa, f, 1, Options{SCB: true}, ErrKey},
		{"ES with another SCI", &SA{Suite: GCMAES128, Key: make([]byte, 16), SCI: MakeSCI(sa.SCI.MAC(), 2)}, f, 1,
			Options{OmitSCI: true, EndStation: true}, ErrKey},
	} {
		_, err := ProtectWith(c.sa, c.f, c.pn, c.o)
		if err == nil || c.want != nil && !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	if _, err := Protect(testSA(GCMAESXPN128), f, 1<<40, true); err != nil {
		t.Errorf("XPN with a 41-bit PN: %v", err)
	}
}

// Frames without an SCI: the receiver uses the source address and port 1
// with ES, and its one peer's SCI without.
func TestImplicitSCI(t *testing.T) {
	sa := testSA(GCMAES256)
	f := testFrame(sa, 120)
	for _, o := range []Options{{OmitSCI: true, EndStation: true}, {OmitSCI: true}, {OmitSCI: true, SCB: true, Encrypt: true}} {
		p, err := ProtectWith(sa, f, 3, o)
		if err != nil {
			t.Fatal(err)
		}
		if len(p) != len(f)+8+ICVLen {
			t.Fatalf("%+v: %d octets", o, len(p))
		}
		tag, _, _ := ParseSecTAG(p[12:])
		if tag.ES != o.EndStation || tag.SCB != o.SCB || tag.SC || tag.SCI != nil {
			t.Fatalf("%+v: tag %+v", o, tag)
		}
		if got, _, err := Validate(sa, &ReplayWindow{}, p); err != nil || !bytes.Equal(got, f) {
			t.Fatalf("%+v: %v", o, err)
		}
		// Another source address is another SC when ES says to use it.
		q := bytes.Clone(p)
		q[11] ^= 1
		_, _, err = Validate(sa, &ReplayWindow{}, q)
		if o.EndStation && !errors.Is(err, ErrNoSA) || !o.EndStation && !errors.Is(err, ErrICV) {
			t.Fatalf("%+v: changed source address: %v", o, err)
		}
	}
}

func TestParseSecTAG(t *testing.T) {
	sci := SCI{1, 2, 3, 4, 5, 6, 7, 8}
	for _, tag := range []SecTAG{
		{SC: true, E: true, C: true, AN: 3, SL: 47, PN: 0xDEADBEEF, SCI: &sci},
		{ES: true, AN: 1, PN: 1},
		{SCB: true, E: true, C: true, PN: math.MaxUint32},
		{E: true}, // E without C is a valid tag, for the KaY
	} {
		b := tag.Append(nil)
		got, n, err := ParseSecTAG(append(b, 0xFF, 0xFF))
		if err != nil || n != tag.Len() || n != len(b) {
			t.Fatalf("%+v: %d octets, %v", tag, n, err)
		}
		if got.SC && *got.SCI != *tag.SCI {
			t.Fatalf("SCI %v", got.SCI)
		}
		got.SCI, tag.SCI = nil, nil
		if got != tag {
			t.Fatalf("got %+v, want %+v", got, tag)
		}
	}
	for _, c := range []struct {
		name string
		b    string
	}{
		{"empty", ""},
		{"seven octets", "88E5 00 00 000000"},
		{"not MACsec", "8100 00 00 00000001"},
		{"V bit", "88E5 80 00 00000001"},
		{"SC and ES", "88E5 60 00 00000001 0102030405060708"},
		{"SC and SCB", "88E5 30 00 00000001 0102030405060708"},
		{"SC without SCI", "88E5 20 00 00000001 01020304"},
		{"reserved SL bits", "88E5 00 40 00000001"},
		{"SL 48", "88E5 00 30 00000001"},
	} {
		if _, _, err := ParseSecTAG(unhex(t, c.b)); !errors.Is(err, ErrBadTag) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

// Frames Validate must discard before any cryptography, as IEEE 802.1AE
// §9.12 and §10.6 list them.
func TestValidateBadTags(t *testing.T) {
	sa := testSA(GCMAES128)
	long, _ := Protect(sa, testFrame(sa, 80), 2, false) // 68 octets of user data
	short, _ := Protect(sa, testFrame(sa, 30), 2, false)
	set := func(b []byte, i int, v byte) []byte {
		b = bytes.Clone(b)
		b[i] = v
		return b
	}
	for _, c := range []struct {
		name string
		f    []byte
	}{
		{"no SecTAG", long[:12]},
		{"SL on a long frame", set(long, 15, 20)},
		{"SL 0 on a short frame", set(short, 15, 0)},
		{"SL longer than the data", set(short, 15, 19)},
		{"E without C", set(long, 14, 0x20|tciE|1)},
		{"C without E", set(long, 14, 0x20|tciC|1)},
		{"PN 0", set(set(set(set(long, 16, 0), 17, 0), 18, 0), 19, 0)},
		{"no ICV", long[:12+16+10]},
		{"no EtherType", func() []byte {
			f := append(bytes.Clone(short[:28]), 0x08)
			f[15] = 1
			return append(f, make([]byte, 16)...)
		}()},
	} {
		if _, _, err := Validate(sa, &ReplayWindow{}, c.f); err == nil || errors.Is(err, ErrICV) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	if _, _, err := Validate(sa, nil, long); !errors.Is(err, ErrKey) {
		t.Errorf("nil window: %v", err)
	}
}

// Random frames through random SAs, as a differential check that Validate
// undoes Protect whatever the lengths and options.
func TestRandomRoundTrips(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 2000; i++ {
		s := allSuites[r.IntN(4)]
		sa := &SA{Suite: s, Key: make([]byte, s.KeyLen()), AN: uint8(r.IntN(4)), SSCI: r.Uint32()}
		for j := range sa.Key {
			sa.Key[j] = byte(r.Uint32())
		}
		f := make([]byte, 14+r.IntN(200))
		for j := range f {
			f[j] = byte(r.Uint32())
		}
		sa.SCI = MakeSCI([6]byte(f[6:12]), uint16(r.Uint32()))
		o := Options{Encrypt: r.IntN(2) == 0, OmitSCI: r.IntN(3) == 0}
		if o.OmitSCI && r.IntN(2) == 0 {
			o.EndStation = true
			sa.SCI = MakeSCI([6]byte(f[6:12]), 1)
		}
		pn := 1 + r.Uint64N(s.MaxPN())
		p, err := ProtectWith(sa, f, pn, o)
		if err != nil {
			t.Fatal(err)
		}
		w := ReplayWindow{Next: pn - r.Uint64N(min(pn, 1000)), Window: r.Uint64N(50)}
		got, gotPN, err := Validate(sa, &w, p)
		if err != nil || gotPN != pn || !bytes.Equal(got, f) {
			t.Fatalf("case %d %v %+v PN %#x: %v", i, s, o, pn, err)
		}
	}
}
