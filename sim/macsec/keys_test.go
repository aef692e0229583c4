package macsec

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
)

// RFC 4493 §4 (AES-128) and NIST SP 800-38B Appendix D.3 (AES-256): the
// first 0, 16, 40 and 64 octets of one message.
func TestCMACVectors(t *testing.T) {
	msg := unhex(t, "6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51"+
		"30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710")
	for _, c := range []struct {
		key  string
		n    int
		want string
	}{
		{"2b7e151628aed2a6abf7158809cf4f3c", 0, "bb1d6929e95937287fa37d129b756746"},
		{"2b7e151628aed2a6abf7158809cf4f3c", 16, "070a16b46b4d4144f79bdd9dd04a287c"},
		{"2b7e151628aed2a6abf7158809cf4f3c", 40, "dfa66747de9ae63030ca32611497c827"},
		{"2b7e151628aed2a6abf7158809cf4f3c", 64, "51f0bebf7e3b9d92fc49741779363cfe"},
		{"603deb1015ca71be2b73aef0857d7781 1f352c073b6108d72d9810a30914dff4", 0, "028962f61b7bf89efc6b551f4667d983"},
		{"603deb1015ca71be2b73aef0857d7781 1f352c073b6108d72d9810a30914dff4", 16, "28a7023f452e8f82bd4bf28d8c37c35c"},
		{"603deb1015ca71be2b73aef0857d7781 1f352c073b6108d72d9810a30914dff4", 40, "aaf3d8f1de5640c232f5b169b9c911e6"},
		{"603deb1015ca71be2b73aef0857d7781 1f352c073b6108d72d9810a30914dff4", 64, "e1992190549f6ed5696a2c056c315410"},
	} {
		got := CMAC(unhex(t, c.key), msg[:c.n])
		if want := unhex(t, c.want); !bytes.Equal(got[:], want) {
			t.Errorf("CMAC(%s…, %d octets) = %x, want %x", c.key[:8], c.n, got, want)
		}
	}
	// RFC 4493 §4 also lists the subkeys; K1 and K2 are what double makes.
	k := [16]byte(unhex(t, "7df76b0c1ab899b33e42f047b91b546f")) // AES-128(K, 0)
	double(&k)
	if want := unhex(t, "fbeed618357133667c85e08f7236a8de"); !bytes.Equal(k[:], want) {
		t.Errorf("K1 = %x, want %x", k, want)
	}
	double(&k)
	if want := unhex(t, "f7ddac306ae266ccf90bc11ee46d513b"); !bytes.Equal(k[:], want) {
		t.Errorf("K2 = %x, want %x", k, want)
	}
}

// NIST CAVP SP 800-108 counter mode, PRF CMAC-AES, 8-bit counter before the
// fixed data, L = 128 (KDFCTR_gen.rsp, COUNT 0 and 1 for AES-128, COUNT 0
// for AES-256, as BouncyCastle's and the NIST ACVP server's tests carry
// them). The 802.1X KDF is this construction with a fixed-data layout of its
// own.
func TestKDFCounterNIST(t *testing.T) {
	for _, c := range []struct{ key, fixed, want string }{
		{"dff1e50ac0b69dc40f1051d46c2b069c",
			"c16e6e02c5a3dcc8d78b9ac1306877761310455b4e41469951d9e6c2245a064b33fd8c3b01203a7824485bf0a64060c4648b707d2607935699316ea5",
			"8be8f0869b3c0ba97b71863d1b9f7813"},
		{"e4d94da336fada7c0ee4a9591dd0327a",
			"538fefb2eeb7c50c84bf603a7beddff4bba049f0052c45f13c56e9ae5944eb22d677f280e5a29c588cf40c7c57f7767aad3d595069fb40d02c01f866",
			"268a1d44ba5a5b1a28b9a611c76671f7"},
		{"aeb7201d055f754212b3e497bd0b25789a49e51da9f363df414a0f80e6f4e42c",
			"11ec30761780d4c44acb1f26ca1eb770f87c0e74505e15b7e456b019ce0c38103c4d14afa1de71d340db51410596627512cf199fffa20ef8c5f4841e",
			"2a9e2fe078bd4f5d3076d14d46f39fb2"},
	} {
		if got, want := kdfCounter(unhex(t, c.key), unhex(t, c.fixed), 16), unhex(t, c.want); !bytes.Equal(got, want) {
			t.Errorf("KDF(%s…) = %x, want %x", c.key[:8], got, want)
		}
	}
}

// No published ICK/KEK vectors were found (802.1X-2010 has none), so these
// come from a second implementation of IEEE 802.1X-2010 §6.2.1 and §9.3.3:
// pyca/cryptography 48's KBKDFCMAC (counter mode, rlen 1, llen 2, counter
// before the fixed data) with label "IEEE8021 ICK"/"IEEE8021 KEK" and the
// CKN's first 16 octets, zero padded, as context. They pin the label, the
// separator, the length field and the CKN truncation and padding.
func TestICKAndKEK(t *testing.T) {
	for _, c := range []struct{ cak, ckn, ick, kek string }{
		{"000102030405060708090a0b0c0d0e0f", "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
			"940dd70d87fe2547897ed54b732b6dc7", "92837d1d5f4564f49d55cfdf623a91b7"},
		{"135bd758b0ee5c11c55ff6ab19fdb199", "96437a93ccf10d9dfe347846cce52c7d",
			"8f1c5cb1c8ed2e5f047906e0473aad4d", "8f5a384c15d6ae9302b462e363d03ca6"},
		{"4d5c2a9f0e8b7761e3b8c1d2a4f50617283940a1b2c3d4e5f60718293a4b5c6d", "6b657931",
			"2535c6812f0183ed0b399573a6350d66260934b9cac863a6f45ae02e1fa10b72",
			"c4b5c0c50f5cf93cd72ad9ed139d56752a52347477ece4a9a6b896f8748e85d2"},
	} {
		cak, ckn := unhex(t, c.cak), unhex(t, c.ckn)
		if got, want := ICK(cak, ckn), unhex(t, c.ick); !bytes.Equal(got, want) {
			t.Errorf("ICK(%s…) = %x, want %x", c.cak[:8], got, want)
		}
		if got, want := KEK(cak, ckn), unhex(t, c.kek); !bytes.Equal(got, want) {
			t.Errorf("KEK(%s…) = %x, want %x", c.cak[:8], got, want)
		}
	}
	// Three counter blocks, cut to 384 bits (same second implementation).
	got := KDF(unhex(t, "000102030405060708090a0b0c0d0e0f"), "IEEE8021 SAK", unhex(t, "a1a2a3a4"), 384)
	want := unhex(t, "70e4a562e158a65dc6133e4063c3d665917be68aa68ce2b6832c7d1d7f8fb557bdd917632aef2d864784c0104c6eb6f3")
	if !bytes.Equal(got, want) {
		t.Errorf("KDF 384 bits = %x, want %x", got, want)
	}
	// Only the first 16 octets of the CKN matter.
	cak := unhex(t, "135bd758b0ee5c11c55ff6ab19fdb199")
	if !bytes.Equal(ICK(cak, bytes.Repeat([]byte{7}, 16)), ICK(cak, bytes.Repeat([]byte{7}, 32))) {
		t.Error("ICK depends on CKN octets past the 16th")
	}
}

func TestKDFPanicsOnMisuse(t *testing.T) {
	for _, f := range []func(){
		func() { KDF(make([]byte, 24), "x", nil, 128) },
		func() { KDF(make([]byte, 16), "x", nil, 0) },
		func() { KDF(make([]byte, 16), "x", nil, 12) },
		func() { ICK(make([]byte, 8), nil) },
		func() { CMAC(make([]byte, 15), nil) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			f()
		}()
	}
}

// RFC 3394 §4.1–4.6: every key size under every KEK size.
func TestKeyWrapVectors(t *testing.T) {
	kek := unhex(t, "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F")
	data := unhex(t, "00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F")
	for _, c := range []struct {
		kek, key int
		want     string
	}{
		{16, 16, "1FA68B0A8112B447 AEF34BD8FB5A7B82 9D3E862371D2CFE5"},
		{24, 16, "96778B25AE6CA435 F92B5B97C050AED2 468AB8A17AD84E5D"},
		{32, 16, "64E8C3F9CE0F5BA2 63E9777905818A2A 93C8191E7D6E8AE7"},
		{24, 24, "031D33264E15D332 68F24EC260743EDC E1C6C7DDEE725A93 6BA814915C6762D2"},
		{32, 24, "A8F9BC1612C68B3F F6E6F4FBE30E71E4 769C8B80A32CB895 8CD5D17D6B254DA1"},
		{32, 32, "28C9F404C4B810F4 CBCCB35CFB87F826 3F5786E2D80ED326 CBC7F0E71A99F43B FB988B9B7A02DD21"},
	} {
		name := fmt.Sprintf("%d-bit key, %d-bit KEK", 8*c.key, 8*c.kek)
		got, err := Wrap(kek[:c.kek], data[:c.key])
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if want := unhex(t, c.want); !bytes.Equal(got, want) {
			t.Errorf("%s: wrapped %X, want %X", name, got, want)
		}
		back, err := Unwrap(kek[:c.kek], got)
		if err != nil || !bytes.Equal(back, data[:c.key]) {
			t.Errorf("%s: unwrapped %X, %v", name, back, err)
		}
		bad := bytes.Clone(kek[:c.kek])
		bad[0] ^= 1
		if _, err := Unwrap(bad, got); !errors.Is(err, ErrUnwrap) {
			t.Errorf("%s: unwrap under another KEK: %v", name, err)
		}
		for i := range got {
			flipped := bytes.Clone(got)
			flipped[i] ^= 0x10
			if _, err := Unwrap(kek[:c.kek], flipped); !errors.Is(err, ErrUnwrap) {
				t.Fatalf("%s: octet %d altered and unwrap says %v", name, i, err)
			}
		}
	}
	for _, c := range []struct{ kek, data int }{{15, 16}, {16, 8}, {16, 20}} {
		if _, err := Wrap(make([]byte, c.kek), make([]byte, c.data)); err == nil {
			t.Errorf("Wrap with a %d-octet KEK and %d-octet key succeeded", c.kek, c.data)
		}
	}
	for _, n := range []int{0, 16, 25} {
		if _, err := Unwrap(make([]byte, 16), make([]byte, n)); err == nil {
			t.Errorf("Unwrap of %d octets succeeded", n)
		}
	}
}

// The SAK a key server distributes survives the whole MKA key chain: CAK to
// KEK, wrap, unwrap under the peer's own KEK.
func TestSAKDistributionChain(t *testing.T) {
	for _, s := range []CipherSuite{GCMAES128, GCMAES256, GCMAESXPN128, GCMAESXPN256} {
		cak := bytes.Repeat([]byte{0x5A}, s.KeyLen())
		ckn := []byte("patchbay-ckn")
		sak := bytes.Repeat([]byte{0xC3}, s.KeyLen())
		w, err := Wrap(KEK(cak, ckn), sak)
		if err != nil {
			t.Fatal(err)
		}
		if len(w) != s.KeyLen()+8 {
			t.Fatalf("%v: wrapped SAK of %d octets", s, len(w))
		}
		got, err := Unwrap(KEK(bytes.Clone(cak), bytes.Clone(ckn)), w)
		if err != nil || !bytes.Equal(got, sak) {
			t.Fatalf("%v: %X, %v", s, got, err)
		}
	}
}
