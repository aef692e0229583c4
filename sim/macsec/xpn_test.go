package macsec

import (
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
	"testing"
)

// No published worked example of the XPN Salt derivation was found (the
// 802.1AE-2018 Annex C XPN vectors give their Salt and SSCI directly, and
// vectors_test.go checks the IV built from them). This example is worked by
// hand from the §10.7.8 text quoted at XPNSalt: MI 000102…0B, KN 0x11223344;
// 00⊕33 01⊕44 | 02⊕11 03⊕22 | 04 … 0B.
func TestXPNSaltWorkedExample(t *testing.T) {
	var mi [12]byte
	for i := range mi {
		mi[i] = byte(i)
	}
	got := XPNSalt(mi, 0x11223344)
	if want := "334513210405060708090a0b"; hex.EncodeToString(got[:]) != want {
		t.Fatalf("salt %x, want %s", got, want)
	}
	if XPNSalt(mi, 0) != mi {
		t.Fatal("with KN 0 the salt is the MI")
	}
}

// The two open implementations state the derivation differently; both
// formulations must give what XPNSalt gives for any MI and KN.
func TestXPNSaltMatchesOpenImplementations(t *testing.T) {
	// Wireshark packet-mka.c: the MI's first 32 bits as a big-endian word,
	// XORed with KN>>16 and with (KN&0xFFFF)<<16.
	wireshark := func(mi [12]byte, kn uint32) [12]byte {
		w := binary.BigEndian.Uint32(mi[:4])
		w ^= kn >> 16
		w ^= (kn & 0xFFFF) << 16
		binary.BigEndian.PutUint32(mi[:4], w)
		return mi
	}
	// SONiC wpa_supplicant ieee802_1x_kay.c: octet by octet.
	wpa := func(mi [12]byte, kn uint32) [12]byte {
		mi[0] ^= byte(kn >> 8)
		mi[1] ^= byte(kn)
		mi[2] ^= byte(kn >> 24)
		mi[3] ^= byte(kn >> 16)
		return mi
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 1000 {
		var mi [12]byte
		for i := range mi {
			mi[i] = byte(r.Uint32())
		}
		kn := r.Uint32()
		got := XPNSalt(mi, kn)
		if w := wireshark(mi, kn); got != w {
			t.Fatalf("MI %x KN %#x: %x, Wireshark's form gives %x", mi, kn, got, w)
		}
		if w := wpa(mi, kn); got != w {
			t.Fatalf("MI %x KN %#x: %x, wpa_supplicant's form gives %x", mi, kn, got, w)
		}
	}
}

func TestSSCIByDescendingSCI(t *testing.T) {
	low := MakeSCI([6]byte{0x02, 0, 0, 0, 0, 1}, 1)
	high := MakeSCI([6]byte{0x0a, 0, 0, 0, 0, 1}, 1)
	highPort2 := MakeSCI([6]byte{0x0a, 0, 0, 0, 0, 1}, 2)
	for _, c := range []struct {
		sci     SCI
		members []SCI
		want    uint32
	}{
		{high, []SCI{low, high}, 1},
		{low, []SCI{low, high}, 2},
		{low, []SCI{high, low, low}, 2}, // a duplicate counts once
		{highPort2, []SCI{low, high, highPort2}, 1},
		{high, []SCI{low, high, highPort2}, 2},
		{low, []SCI{low, high, highPort2}, 3},
		{low, []SCI{high}, 0}, // not a member
	} {
		if got := SSCI(c.sci, c.members); got != c.want {
			t.Errorf("SSCI(%v, %v) = %d, want %d", c.sci, c.members, got, c.want)
		}
	}
}

// Each end builds its SAs from what it knows: its own SCI, the peer's, the
// key server's MI and the KN. A frame one end protects validates with the
// SA the other end derived on its own.
func TestXPNEndsDeriveTheSameSA(t *testing.T) {
	a := MakeSCI([6]byte{0x02, 0, 0, 0, 0, 0xa}, 1)
	b := MakeSCI([6]byte{0x02, 0, 0, 0, 0, 0xb}, 1)
	mi := [12]byte{0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8}
	const kn = 7
	sak := make([]byte, 32)
	for i := range sak {
		sak[i] = byte(i * 7)
	}
	sa := func(tx, rx SCI) *SA {
		return &SA{Suite: GCMAESXPN256, Key: sak, SCI: tx, AN: 2, SSCI: SSCI(tx, []SCI{rx, tx}), Salt: XPNSalt(mi, kn)}
	}
	frame := append(make([]byte, 12), 0x08, 0x00, 1, 2, 3)
	copy(frame[6:12], a[:6])
	wire, err := Protect(sa(a, b), frame, 1<<32+5, true)
	if err != nil {
		t.Fatal(err)
	}
	w := &ReplayWindow{Next: 1 << 32}
	if _, pn, err := Validate(sa(a, b), w, wire); err != nil || pn != 1<<32+5 {
		t.Fatalf("validate: pn %#x, %v", pn, err)
	}
	// Built with the other end's SSCI it fails: the IV differs.
	wrong := sa(a, b)
	wrong.SSCI = SSCI(b, []SCI{a, b})
	if _, _, err := Validate(wrong, &ReplayWindow{Next: 1 << 32}, wire); err == nil {
		t.Fatal("a frame validated with the wrong SSCI")
	}
}
