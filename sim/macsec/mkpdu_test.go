package macsec

import (
	"bytes"
	"encoding/binary"
	"errors"
	"reflect"
	"testing"
)

var (
	hostA = [6]byte{0x02, 0x00, 0x00, 0x00, 0x00, 0x0A}
	hostB = [6]byte{0x02, 0x00, 0x00, 0x00, 0x00, 0x0B}
)

func mi(b byte) (m [12]byte) {
	for i := range m {
		m[i] = b + byte(i)
	}
	return m
}

// keyServerMKPDU is the key server's MKPDU distributing a GCM-AES-128 SAK.
func keyServerMKPDU() *MKPDU {
	return &MKPDU{
		Version: 1, Priority: 0x10, KeyServer: true, MACsecDesired: true, Capability: 2,
		SCI: MakeSCI(hostA, 1), MI: mi(0x00), MN: 1, AlgorithmAgility: DefaultAlgorithmAgility,
		CKN:  []byte("abcde"),
		Live: []Peer{{MI: [12]byte(bytes.Repeat([]byte{0x11}, 12)), MN: 7}},
		SAKUse: &SAKUse{
			LatestAN: 1, LatestTx: true, LatestRx: true, OldRx: true, PlainRx: true, DelayProtect: true,
			LatestKeyServerMI: mi(0x00), LatestKN: 1, LatestLowestPN: 1,
		},
		DistSAK: &DistSAK{AN: 1, ConfidentialityOffset: ConfidentialityO0, KN: 1,
			WrappedSAK: bytes.Repeat([]byte{0x22}, 24)},
	}
}

// xpnMKPDU is an 802.1X-2020 MKPDU distributing a GCM-AES-XPN-256 SAK.
func xpnMKPDU() *MKPDU {
	return &MKPDU{
		Version: 3, Priority: 0xFF, MACsecDesired: true, Capability: 3,
		SCI: MakeSCI(hostB, 0x8001), MI: mi(0x40), MN: 0x01020304, AlgorithmAgility: DefaultAlgorithmAgility,
		CKN:           bytes.Repeat([]byte{0xCC}, 32),
		KeyServerSSCI: 1,
		Potential:     []Peer{{MI: mi(0x60), MN: 1}, {MI: mi(0x70), MN: 2}},
		SAKUse: &SAKUse{
			LatestAN: 2, LatestTx: true, LatestRx: true, OldAN: 1, OldTx: true, OldRx: true, PlainTx: true,
			LatestKeyServerMI: mi(0x40), LatestKN: 3, LatestLowestPN: 0xFFFFFF00,
			OldKeyServerMI: mi(0x40), OldKN: 2, OldLowestPN: 0x10,
		},
		DistSAK: &DistSAK{AN: 2, ConfidentialityOffset: ConfidentialityO30, KN: 3, Suite: GCMAESXPN256,
			WrappedSAK: bytes.Repeat([]byte{0x33}, 40)},
		XPN:          &XPN{SuspensionTime: 5, LatestLowestPNHigh: 0x00000001, OldLowestPNHigh: 0xABCDEF01},
		ICVIndicator: true,
	}
}

// The encodings spelled out field by field from IEEE 802.1X-2010 Figures
// 11-8 to 11-11 and 802.1X-2020's XPN and ICV Indicator sets.
func TestMKPDULayout(t *testing.T) {
	ick := bytes.Repeat([]byte{0x99}, 16)
	for _, c := range []struct {
		name string
		m    *MKPDU
		want string
	}{
		{"key server", keyServerMKPDU(), "" +
			"03 05 0098" + // EAPOL version 3, EAPOL-MKA, body length 152
			"01 10 E0 21" + // MKA version 1, priority 16, KS, desired, capability 2, length 33
			"0200000000 0A 0001" + // SCI
			"000102030405060708090A0B 00000001 0080C201" + // MI, MN, algorithm agility
			"6162636465 000000" + // CKN "abcde", padding
			"01 00 00 10 111111111111111111111111 00000007" + // live peer list
			"03 71 50 28" + // SAK use: LAN 1 LTx LRx, OAN 0 ORx; PRx, delay protect; 40
			"000102030405060708090A0B 00000001 00000001" + // latest key server MI, KN, lowest PN
			"000000000000000000000000 00000000 00000000" + // no old key
			"04 50 00 1C 00000001" + // distributed SAK: AN 1, offset 0 ("1"), 28; KN 1
			"222222222222222222222222222222222222222222222222"}, // wrapped SAK, default suite
		{"XPN", xpnMKPDU(), "" +
			"03 05 00EC" + // body length 236
			"03 FF 70 3C" + // version 3, priority 255, desired, capability 3, length 60
			"0200000000 0B 8001" +
			"404142434445464748494A4B 01020304 0080C201" +
			"CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC" +
			"01 01 00 00" + // empty live peer list carrying the key server SSCI
			"02 00 00 20 606162636465666768696A6B 00000001 707172737475767778797A7B 00000002" +
			"03 B7 80 28" + // LAN 2 LTx LRx, OAN 1 OTx ORx; PTx
			"404142434445464748494A4B 00000003 FFFFFF00" +
			"404142434445464748494A4B 00000002 00000010" +
			"04 A0 00 34 00000003 0080C20001000004" + // AN 2, offset 30 ("2"), 52; KN 3, XPN-256
			"33333333333333333333333333333333333333333333333333333333333333333333333333333333" +
			"08 05 00 08 00000001 ABCDEF01" + // XPN: suspension 5 s, PN high halves
			"FF 00 00 10"}, // ICV indicator: a 16-octet ICV follows
	} {
		t.Run(c.name, func(t *testing.T) {
			b, err := c.m.Marshal(ick, PAEGroupAddress, hostA)
			if err != nil {
				t.Fatal(err)
			}
			want := unhex(t, c.want)
			if !bytes.Equal(b[:len(b)-16], want) {
				t.Fatalf("encoding\n got %X\nwant %X", b[:len(b)-16], want)
			}
			// The ICV covers DA, SA, EtherType and everything before it.
			msg := append(append(append(PAEGroupAddress[:], hostA[:]...), 0x88, 0x8E), want...)
			if icv := CMAC(ick, msg); !bytes.Equal(b[len(b)-16:], icv[:]) {
				t.Fatalf("ICV %X, want %X", b[len(b)-16:], icv)
			}
			if err := VerifyMKPDU(ick, PAEGroupAddress, hostA, b); err != nil {
				t.Fatal(err)
			}
			got, err := ParseMKPDU(b)
			if err != nil {
				t.Fatal(err)
			}
			wantM := *c.m
			wantM.ICV = [16]byte(b[len(b)-16:])
			if wantM.DistSAK.Suite == 0 {
				d := *wantM.DistSAK
				d.Suite = GCMAES128
				wantM.DistSAK = &d
			}
			if !equalMKPDU(got, &wantM) {
				t.Fatalf("parsed\n%+v\nwant\n%+v", got, &wantM)
			}
		})
	}
}

// equalMKPDU compares decoded meaning: an empty peer list is no list.
func equalMKPDU(a, b *MKPDU) bool {
	norm := func(m *MKPDU) MKPDU {
		c := *m
		if len(c.Live) == 0 {
			c.Live = nil
		}
		if len(c.Potential) == 0 {
			c.Potential = nil
		}
		if c.DistSAK != nil && c.DistSAK.Suite == 0 && len(c.DistSAK.WrappedSAK) > 0 {
			d := *c.DistSAK
			d.Suite = GCMAES128
			c.DistSAK = &d
		}
		return c
	}
	return reflect.DeepEqual(norm(a), norm(b))
}

func TestMKPDUICV(t *testing.T) {
	cak := unhex(t, "135bd758b0ee5c11c55ff6ab19fdb199")
	ckn := unhex(t, "96437a93ccf10d9dfe347846cce52c7d")
	for _, m := range []*MKPDU{keyServerMKPDU(), xpnMKPDU()} {
		ick := ICK(cak, ckn)
		b, err := m.Marshal(ick, PAEGroupAddress, hostA)
		if err != nil {
			t.Fatal(err)
		}
		if err := VerifyMKPDU(ick, PAEGroupAddress, hostA, b); err != nil {
			t.Fatal(err)
		}
		// Ethernet padding after the EAPOL body is not part of the MKPDU.
		if err := VerifyMKPDU(ick, PAEGroupAddress, hostA, append(bytes.Clone(b), 0, 0, 0)); err != nil {
			t.Fatalf("padded: %v", err)
		}
		if _, err := ParseMKPDU(append(bytes.Clone(b), 0, 0, 0)); err != nil {
			t.Fatalf("padded: %v", err)
		}
		for i := range b {
			q := bytes.Clone(b)
			q[i] ^= 0x04
			err := VerifyMKPDU(ick, PAEGroupAddress, hostA, q)
			// A changed packet type or length is not an MKPDU any more,
			// or not this one; anything else is the ICV's to catch.
			if i == 1 || i == 2 || i == 3 {
				if err == nil {
					t.Fatalf("EAPOL header octet %d altered and the MKPDU verifies", i)
				}
			} else if !errors.Is(err, ErrMKPDUICV) {
				t.Fatalf("octet %d altered: %v", i, err)
			}
		}
		if err := VerifyMKPDU(ICK(cak, []byte("other")), PAEGroupAddress, hostA, b); !errors.Is(err, ErrMKPDUICV) {
			t.Fatalf("another CKN: %v", err)
		}
		if err := VerifyMKPDU(ick, PAEGroupAddress, hostB, b); !errors.Is(err, ErrMKPDUICV) {
			t.Fatalf("another source: %v", err)
		}
		if err := VerifyMKPDU(ick, hostB, hostA, b); !errors.Is(err, ErrMKPDUICV) {
			t.Fatalf("another destination: %v", err)
		}
		long := bytes.Clone(b)
		binary.BigEndian.PutUint16(long[2:], uint16(len(b)))
		if err := VerifyMKPDU(ick, PAEGroupAddress, hostA, long); err == nil {
			t.Fatal("EAPOL length past the frame verifies")
		}
		if err := VerifyMKPDU(ick[:8], PAEGroupAddress, hostA, b); err == nil {
			t.Fatal("8-octet ICK accepted")
		}
		if _, err := m.Marshal(ick[:8], PAEGroupAddress, hostA); err == nil {
			t.Fatal("8-octet ICK accepted")
		}
	}
	// A 256-bit CAK gives a 256-bit ICK, and AES-CMAC-256 ICVs.
	cak256 := bytes.Repeat([]byte{1}, 32)
	b, err := keyServerMKPDU().Marshal(ICK(cak256, ckn), PAEGroupAddress, hostA)
	if err != nil {
		t.Fatal(err)
	}
	if err := VerifyMKPDU(ICK(cak256, ckn), PAEGroupAddress, hostA, b); err != nil {
		t.Fatal(err)
	}
}

// TestICKey: an ICK set up once signs and checks as the key itself does,
// with a state of its own or one it shares with another key, and does not
// follow the bytes it was made from.
func TestICKey(t *testing.T) {
	cak := unhex(t, "135bd758b0ee5c11c55ff6ab19fdb199")
	ckn := unhex(t, "96437a93ccf10d9dfe347846cce52c7d")
	var shared ICKState
	for _, cakLen := range []int{16, 32} {
		ick := ICK(bytes.Repeat(cak, 2)[:cakLen], ckn)
		k, err := NewICK(ick)
		if err != nil {
			t.Fatal(err)
		}
		want, err := keyServerMKPDU().Marshal(ick, PAEGroupAddress, hostA)
		if err != nil {
			t.Fatal(err)
		}
		got, err := keyServerMKPDU().MarshalKey(k, PAEGroupAddress, hostA)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("%d-octet ICK: MarshalKey and Marshal differ", cakLen)
		}
		got, err = keyServerMKPDU().AppendMarshalKey(nil, k, &shared, PAEGroupAddress, hostA)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%d-octet ICK: AppendMarshalKey with a shared state and Marshal differ (%v)", cakLen, err)
		}
		if err := VerifyMKPDUKey(k, nil, PAEGroupAddress, hostA, want); err != nil {
			t.Fatal(err)
		}
		// Unsigned, then signed in place: the same octets.
		got, err = keyServerMKPDU().AppendMarshalUnsigned(nil)
		if err != nil || len(got) != len(want) || !bytes.Equal(got[:len(got)-16], want[:len(want)-16]) {
			t.Fatalf("%d-octet ICK: AppendMarshalUnsigned differs before the ICV (%v)", cakLen, err)
		}
		if err := SignMKPDUKey(k, &shared, PAEGroupAddress, hostA, got); err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%d-octet ICK: SignMKPDUKey after AppendMarshalUnsigned and Marshal differ (%v)", cakLen, err)
		}
		if err := SignMKPDUKey(k, nil, PAEGroupAddress, hostA, got[:3]); !errors.Is(err, ErrMKPDU) {
			t.Fatalf("signing 3 octets: %v", err)
		}
		if err := VerifyMKPDUKey(k, &shared, PAEGroupAddress, hostB, want); !errors.Is(err, ErrMKPDUICV) {
			t.Fatalf("another source: %v", err)
		}
		ick[0] ^= 1
		if err := VerifyMKPDUKey(k, &shared, PAEGroupAddress, hostA, want); err != nil {
			t.Fatalf("the ICK's bytes changed after NewICK: %v", err)
		}
	}
	if _, err := NewICK(make([]byte, 8)); !errors.Is(err, ErrMKPDU) {
		t.Fatalf("8-octet ICK: %v", err)
	}
}

// The parameter sets MKA exchanges in a key server election and a SAK
// distribution, decoded as they were meant.
func TestMKPDURoundTrip(t *testing.T) {
	ick := make([]byte, 16)
	hello := &MKPDU{Version: 1, MACsecDesired: true, Capability: 3, SCI: MakeSCI(hostB, 1),
		MI: mi(9), MN: 1, AlgorithmAgility: DefaultAlgorithmAgility, CKN: []byte{1}}
	plain := keyServerMKPDU()
	plain.SAKUse = &SAKUse{Empty: true, PlainTx: true, PlainRx: true}
	plain.DistSAK = &DistSAK{} // "do not use MACsec"
	gcm256 := keyServerMKPDU()
	gcm256.DistSAK = &DistSAK{AN: 3, ConfidentialityOffset: ConfidentialityO50, KN: 0xFFFFFFFF,
		Suite: GCMAES256, WrappedSAK: make([]byte, 40)}
	explicit := keyServerMKPDU()
	explicit.DistSAK.Suite = GCMAES128
	many := keyServerMKPDU()
	many.Live = nil
	for i := range 255 {
		many.Live = append(many.Live, Peer{MI: mi(byte(i)), MN: uint32(i)})
	}
	for name, m := range map[string]*MKPDU{
		"hello": hello, "plain text": plain, "GCM-AES-256": gcm256, "explicit default suite": explicit,
		"key server": keyServerMKPDU(), "XPN": xpnMKPDU(), "255 live peers": many,
	} {
		b, err := m.Marshal(ick, PAEGroupAddress, hostA)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, err := ParseMKPDU(b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := *m
		want.ICV = [16]byte(b[len(b)-16:])
		if !equalMKPDU(got, &want) {
			t.Fatalf("%s: parsed\n%+v\nwant\n%+v", name, got, &want)
		}
		if len(b)%4 != 0 {
			t.Fatalf("%s: %d octets, not a multiple of 4", name, len(b))
		}
	}
	// Marshal leaves its MKPDU alone.
	m := keyServerMKPDU()
	if _, err := m.Marshal(ick, PAEGroupAddress, hostA); err != nil || !reflect.DeepEqual(m, keyServerMKPDU()) {
		t.Fatal("Marshal changed its MKPDU")
	}
}

func TestMKPDUMarshalRejects(t *testing.T) {
	ick := make([]byte, 16)
	for name, edit := range map[string]func(m *MKPDU){
		"no CKN":              func(m *MKPDU) { m.CKN = nil },
		"33-octet CKN":        func(m *MKPDU) { m.CKN = make([]byte, 33) },
		"capability 4":        func(m *MKPDU) { m.Capability = 4 },
		"256 peers":           func(m *MKPDU) { m.Potential = make([]Peer, 256) },
		"SAK use AN 4":        func(m *MKPDU) { m.SAKUse.LatestAN = 4 },
		"empty SAK use key":   func(m *MKPDU) { m.SAKUse.Empty = true },
		"distributed AN 4":    func(m *MKPDU) { m.DistSAK.AN = 4 },
		"offset 4":            func(m *MKPDU) { m.DistSAK.ConfidentialityOffset = 4 },
		"KN without SAK":      func(m *MKPDU) { m.DistSAK.WrappedSAK = nil },
		"short wrapped SAK":   func(m *MKPDU) { m.DistSAK.WrappedSAK = make([]byte, 16) },
		"ragged wrapped SAK":  func(m *MKPDU) { m.DistSAK.WrappedSAK = make([]byte, 30) },
		"SAK of another size": func(m *MKPDU) { m.DistSAK.Suite = GCMAES256 },
	} {
		m := keyServerMKPDU()
		edit(m)
		if _, err := m.Marshal(ick, PAEGroupAddress, hostA); !errors.Is(err, ErrMKPDU) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestParseMKPDURejects(t *testing.T) {
	good, err := keyServerMKPDU().Marshal(make([]byte, 16), PAEGroupAddress, hostA)
	if err != nil {
		t.Fatal(err)
	}
	edit := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(good)) }
	setLen := func(b []byte, at, n int) []byte {
		b[at+2] = b[at+2]&0xF0 | byte(n>>8)
		b[at+3] = byte(n)
		return b
	}
	const live, sakUse, dist = 4 + 40, 4 + 40 + 20, 4 + 40 + 20 + 44
	for name, b := range map[string][]byte{
		"empty":                 nil,
		"EAPOL-Start":           edit(func(b []byte) []byte { b[1] = 1; return b }),
		"body past the frame":   good[:len(good)-1],
		"no ICV":                edit(func(b []byte) []byte { return b[:4+40] }),
		"basic too short":       edit(func(b []byte) []byte { return setLen(b, 4, 27) }),
		"basic without CKN":     edit(func(b []byte) []byte { return setLen(b, 4, 28) }),
		"basic overruns":        edit(func(b []byte) []byte { return setLen(b, 4, 0xFFF) }),
		"peer list of 15":       edit(func(b []byte) []byte { return setLen(b, live, 15) }),
		"set overruns the ICV":  edit(func(b []byte) []byte { return setLen(b, dist, 44) }),
		"SAK use of 36":         edit(func(b []byte) []byte { return setLen(b, sakUse, 36) }),
		"distributed SAK of 20": edit(func(b []byte) []byte { return setLen(b, dist, 20) }),
		"two SAK use sets": edit(func(b []byte) []byte {
			b[dist] = setSAKUse
			return setLen(b, dist, 0)
		}),
		"stray octets": edit(func(b []byte) []byte {
			b = append(b[:len(b)-16], 0xAA, 0xBB, 0xCC)
			b = append(b, make([]byte, 16)...)
			binary.BigEndian.PutUint16(b[2:], uint16(len(b)-4))
			return b
		}),
		"ICV indicator of 8": edit(func(b []byte) []byte {
			b = append(b[:len(b)-16], 0xFF, 0, 0, 8)
			b = append(b, make([]byte, 16)...)
			binary.BigEndian.PutUint16(b[2:], uint16(len(b)-4))
			return b
		}),
	} {
		if _, err := ParseMKPDU(b); !errors.Is(err, ErrMKPDU) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// Sets this package does not use are skipped, as 802.1X asks of receivers.
func TestParseMKPDUSkipsUnknownSets(t *testing.T) {
	m := keyServerMKPDU()
	b, err := m.Marshal(make([]byte, 16), PAEGroupAddress, hostA)
	if err != nil {
		t.Fatal(err)
	}
	icv := bytes.Clone(b[len(b)-16:])
	b = b[:len(b)-16]
	b = append(b, 7, 0, 0, 5, 0xE0, 0x03, 1, 2, 3, 0, 0, 0) // an Announcement, padded
	b = append(b, 7, 0, 0, 0)                               // and another
	b = append(b, 0x80, 0, 0, 4, 1, 2, 3, 4)                // a type from the future
	b = append(b, icv...)
	binary.BigEndian.PutUint16(b[2:], uint16(len(b)-4))
	got, err := ParseMKPDU(b)
	if err != nil {
		t.Fatal(err)
	}
	want := *m
	want.ICV = [16]byte(icv)
	if !equalMKPDU(got, &want) {
		t.Fatalf("parsed\n%+v\nwant\n%+v", got, &want)
	}
}
