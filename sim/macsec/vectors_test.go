package macsec

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
)

// Known-answer tests for the SecY.
//
// The GCM-AES cases are those of "MACsec GCM-AES Test Vectors" (K. Randall,
// IEEE P802.1 bn-randall-test-vectors-0511-v1, April 2011), the basis of IEEE
// 802.1AE Annex C, numbered as that paper does. Two public copies were used
// and agree: the whole frames (TCI, SL, PN, SCI, secure data and ICV) of DPDK's
// app/test/test_security_inline_macsec_vectors.h, and the IV, AAD, plaintext,
// ciphertext and tag of each numbered case in CrunchyCrypt's
// crunchy/internal/algs/crypt/openssl_aead_test.cc.
//
// The XPN cases are the same frames protected with GCM-AES-XPN-128/256 (SSCI
// 7A30C118, salt E630E81A48DE86A21C66FA6D, PN B0DF459C in the upper half), as
// DPDK's file has them from the 802.1AEbw vectors.

// userData is the vectors' plaintext after the MAC addresses: IPv4's
// EtherType, octets counting up from 0F to last, then 00 and the case's tag
// octet.
func userData(last, tag byte) []byte {
	b := []byte{0x08, 0x00}
	for c := byte(0x0F); c <= last; c++ {
		b = append(b, c)
	}
	return append(b, 0x00, tag)
}

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// Keys of the vectors, named by the cases that introduce them.
const (
	key211 = "AD7A2BD03EAC835A6F620FDCB506B345"
	key212 = "E3C08A8F06C6E3AD95A70557B23F7548 3CE33021A9C72B7025666204C69C0B72"
	key231 = "071B113B0CA743FECCCF3D051F737382"
	key232 = "691D3EE909D7F54167FD1CA0B5D76908 1F2BDE1AEE655FDBAB80BD5295AE6BE7"
	key251 = "013FE00B5F11BE7F866D0CBBC55A7A90"
	key252 = "83C093B58DE7FFE1C0DA926AC43FB360 9AC1C80FEE1B624497EF942E2F79A823"
	key271 = "88EE087FD95DA9FBF6725AA9D757B0CD"
	key272 = "4C973DBC7364621674F8B5B89E5C1551 1FCED9216490FB1C1A2CAA0FFE0407E5"

	xpnSSCI = 0x7A30C118
	xpnSalt = "E630E81A48DE86A21C66FA6D"
	xpnHigh = 0xB0DF459C
)

// A frame layout shared by the cases that use one key pair.
type vectorFrame struct {
	da, sa string
	sci    string // the SC's SCI; with ES it is the source address and port 1
	pn     uint32
}

var (
	frame21 = vectorFrame{"D609B1F05663", "7A0D46DF998D", "12153524C0895E81", 0xB2C28465}
	frame23 = vectorFrame{"E20106D7CD0D", "F0761E8DCD3D", "F0761E8DCD3D0001", 0x76D457ED}
	frame25 = vectorFrame{"84C5D513D2AA", "F6E5BBD27277", "7CFDE9F9E33724C6", 0x8932D612}
	frame27 = vectorFrame{"68F2E77696CE", "7AE8E2CA4EC5", "7AE8E2CA4EC50001", 0x2E58495C}
)

type vector struct {
	name    string
	suite   CipherSuite
	key     string
	f       vectorFrame
	user    []byte // the EtherType and payload
	tci, sl byte   // as on the wire
	secure  string // the secure data; empty for integrity only, where it is user
	icv     string
}

func (v vector) opts() Options {
	return Options{
		Encrypt:    v.tci&tciE != 0,
		OmitSCI:    v.tci&tciSC == 0,
		EndStation: v.tci&tciES != 0,
	}
}

func (v vector) sa(t testing.TB) *SA {
	sa := &SA{Suite: v.suite, Key: unhex(t, v.key), SCI: SCI(unhex(t, v.f.sci)), AN: v.tci & 3}
	if v.suite.XPN() {
		sa.SSCI = xpnSSCI
		sa.Salt = [12]byte(unhex(t, xpnSalt))
	}
	return sa
}

func (v vector) pn() uint64 {
	if v.suite.XPN() {
		return xpnHigh<<32 | uint64(v.f.pn)
	}
	return uint64(v.f.pn)
}

func (v vector) plain(t testing.TB) []byte {
	return append(unhex(t, v.f.da+v.f.sa), v.user...)
}

// protected assembles the expected frame from the octets the sources list,
// not from the code under test.
func (v vector) protected(t testing.TB) []byte {
	b := unhex(t, v.f.da+v.f.sa+"88E5")
	b = append(b, v.tci, v.sl, byte(v.f.pn>>24), byte(v.f.pn>>16), byte(v.f.pn>>8), byte(v.f.pn))
	if v.tci&tciSC != 0 {
		b = append(b, unhex(t, v.f.sci)...)
	}
	if v.secure == "" {
		b = append(b, v.user...)
	} else {
		b = append(b, unhex(t, v.secure)...)
	}
	return append(b, unhex(t, v.icv)...)
}

var vectors = []vector{
	// 2.1 54-byte packet, integrity only.
	{"2.1.1", GCMAES128, key211, frame21, userData(0x34, 0x01), 0x22, 0x2A, "", "F09478A9B09007D06F46E9B6A1DA25DD"},
	{"2.1.2", GCMAES256, key212, frame21, userData(0x34, 0x01), 0x22, 0x2A, "", "2F0BC5AF409E06D609EA8B7D0FA5EA50"},
	// 2.2 60-byte packet, confidentiality.
	{"2.2.1", GCMAES128, key211, frame21, userData(0x3A, 0x02), 0x2E, 0x00,
		"701AFA1CC039C0D765128A665DAB6924 3899BF7318CCDC81C9931DA17FBE8EDD 7D17CB8B4C26FC81E3284F2B7FBA713D",
		"4F8D55E7D3F06FD5A13C0C29B9D5B880"},
	{"2.2.2", GCMAES256, key212, frame21, userData(0x3A, 0x02), 0x2E, 0x00,
		"E2006EB42F5277022D9B19925BC419D7 A592666C925FE2EF718EB4E308EFEAA7 C5273B394118860A5BE2A97F56AB7836",
		"5CA597CDBB3EDB8D1A1151EA0AF7B436"},
	// 2.3 60-byte packet, integrity only, end station (no SCI).
	{"2.3.1", GCMAES128, key231, frame23, userData(0x3A, 0x03), 0x40, 0x00, "", "0C017BC73B227DFCC9BAFA1C41ACC353"},
	{"2.3.2", GCMAES256, key232, frame23, userData(0x3A, 0x03), 0x40, 0x00, "", "35217C774BBC31B63166BCF9D4ABED07"},
	// 2.4 54-byte packet, confidentiality, end station.
	{"2.4.1", GCMAES128, key231, frame23, userData(0x34, 0x04), 0x4C, 0x2A,
		"13B4C72B389DC5018E72A171DD85A5D3 752274D3A019FBCAED09A425CD9B2E1C 9B72EEE7C9DE7D52B3F3",
		"D6A5284F4A6D3FE22A5D6C2B960494C3"},
	{"2.4.2", GCMAES256, key232, frame23, userData(0x34, 0x04), 0x4C, 0x2A,
		"C1623F55730C93533097ADDAD2566496 6125352B43ADACBD61C5EF3AC90B5BEE 929CE4630EA79F6CE519",
		"12AF39C2D1FDC2051F8B7B3C9D397EF2"},
	// 2.5 65-byte packet, integrity only, AN 3.
	{"2.5.1", GCMAES128, key251, frame25, userData(0x3F, 0x05), 0x23, 0x00, "", "217867E50C2DAD74C28C3B50ABDF695A"},
	{"2.5.2", GCMAES256, key252, frame25, userData(0x3F, 0x05), 0x23, 0x00, "", "6EE160E8FAECA4B36C86B234920CA975"},
	// 2.6 61-byte packet, confidentiality.
	{"2.6.1", GCMAES128, key251, frame25, userData(0x3B, 0x06), 0x2F, 0x00,
		"3A4DE6FA32191014DBB303D92EE3A9E8 A1B599C14D22FB080096E13811816A3C 9C9BCF7C1B9B96DA809204E29D0E2A76 42",
		"BFD310A4837C816CCFA5AC23AB003988"},
	{"2.6.2", GCMAES256, key252, frame25, userData(0x3B, 0x06), 0x2F, 0x00,
		"110222FF8050CBECE66A813AD09A73ED 7A9A089C106B959389168ED6E8698EA9 02EB1277DBEC2E68E473155A15A7DAEE D4",
		"A10F4E05139C23DF00B3AADC71F0596A"},
	// 2.7 79-byte packet, integrity only, end station.
	{"2.7.1", GCMAES128, key271, frame27, userData(0x4D, 0x07), 0x41, 0x00, "", "07922B8EBCF10BB2297588CA4C614523"},
	{"2.7.2", GCMAES256, key272, frame27, userData(0x4D, 0x07), 0x41, 0x00, "", "00BDA1B7E87608BCBF470F12157F4C07"},
	// 2.8 75-byte packet, confidentiality, end station.
	{"2.8.1", GCMAES128, key271, frame27, userData(0x49, 0x08), 0x4D, 0x00,
		"C31F53D99E5687F7365119B832D2AAE7 0741D593F1F9E2AB3455779B078EB8FE ACDFEC1F8E3E5277F8180B43361F6512 ADB16D2E38548A2C719DBA7228D840",
		"88F8757ADB8AA788D8F65AD668BE70E7"},
	{"2.8.2", GCMAES256, key272, frame27, userData(0x49, 0x08), 0x4D, 0x00,
		"BA8AE31BC506486D6873E4FCE460E7DC 57591FF00611F31C3834FE1C04AD80B6 6803AFCF5B27E6333FA67C99DA47C2F0 CED68D531BD741A943CFF7A6713BD0",
		"2611CD7DAA01D61C5C886DC1A8170107"},

	// The same frames with the XPN suites.
	{"XPN 54-byte integrity 128", GCMAESXPN128, key211, frame21, userData(0x34, 0x01), 0x22, 0x2A, "", "17FE1981EBDD4AFC5062697E8BAA0C23"},
	{"XPN 54-byte integrity 256", GCMAESXPN256, key212, frame21, userData(0x34, 0x01), 0x22, 0x2A, "", "4DBD2F6A754A6CF728CC129BA6931577"},
	{"XPN 60-byte confidentiality 128", GCMAESXPN128, key211, frame21, userData(0x3A, 0x02), 0x2E, 0x00,
		"0712D980CA50BBED35A0FA566338729F FA16D19FFCF07B3A1E7919B3776AACEC 8A5937208B483A7691984D380792E07F",
		"C2C3C79F263FA6BFF8E7581E2CE45AF8"},
	{"XPN 60-byte confidentiality 256", GCMAESXPN256, key212, frame21, userData(0x3A, 0x02), 0x2E, 0x00,
		"3EB04A4BBF54C6EB1222A9AEA00C3868 7F6C3520D976A3B694800650CE6585E6 20A4191917D2A605D870C78D2752CE49",
		"3B442AC0C816D7ABD70AD65C25D46413"},
	{"XPN 60-byte integrity 128", GCMAESXPN128, key231, frame23, userData(0x3A, 0x03), 0x40, 0x00, "", "ABC40685A3CF911D3787E49DB6A7265E"},
	{"XPN 60-byte integrity 256", GCMAESXPN256, key232, frame23, userData(0x3A, 0x03), 0x40, 0x00, "", "AC21957B8312AB3C99AB46849879C3F3"},
	{"XPN 54-byte confidentiality 128", GCMAESXPN128, key231, frame23, userData(0x34, 0x04), 0x4C, 0x2A,
		"9CA46984430203ED416EBDC2FE2622BA 3E5EAB6961C36383009E187E9B0C8856 4653B9ABD216441C6AB6",
		"F0A232E9E44C978CF7CD84D43484D101"},
	{"XPN 54-byte confidentiality 256", GCMAESXPN256, key232, frame23, userData(0x34, 0x04), 0x4C, 0x2A,
		"88D9F7D1F1578EE34BA7B1ABC89893EF 1D3398C9F1DD3E47FBD8553E0FF786EF 5699EB01EA10420D0EBD",
		"39A0E273C4C7F95ED843207D7A497DFA"},
	{"XPN 65-byte integrity 128", GCMAESXPN128, key251, frame25, userData(0x3F, 0x05), 0x23, 0x00, "", "678559B7E52DB00682E3B83034CEBE59"},
	{"XPN 65-byte integrity 256", GCMAESXPN256, key252, frame25, userData(0x3F, 0x05), 0x23, 0x00, "", "84BAC8E53D1EA355A5C7D334840AE962"},
	{"XPN 61-byte confidentiality 128", GCMAESXPN128, key251, frame25, userData(0x3B, 0x06), 0x2F, 0x00,
		"14C17693BC8297EE6C47C565CBE0679E 80F00FCAF592C9AA0473928E7F2F216F F5A033DEC7513F45D34CBB981C5BD64E 8B",
		"D84B8E2A78E74DAFEAA03846FE930C0E"},
	{"XPN 61-byte confidentiality 256", GCMAESXPN256, key252, frame25, userData(0x3B, 0x06), 0x2F, 0x00,
		"0996E0C9A55774E0A792304E7DC150BD 67FD747DD1B9419594BF373D4ACE8F87 F5C1349AFAC491AA0A40D3199087B29F DF",
		"802F050E691F11A2D9B358F6994184F5"},
	{"XPN 79-byte integrity 128", GCMAESXPN128, key271, frame27, userData(0x4D, 0x07), 0x41, 0x00, "", "D0DC896DC83798A79F3C5A95BA3CDF9A"},
	{"XPN 79-byte integrity 256", GCMAESXPN256, key272, frame27, userData(0x4D, 0x07), 0x41, 0x00, "", "04249A208A65B96B3F3263004CFD867D"},
	{"XPN 75-byte confidentiality 128", GCMAESXPN128, key271, frame27, userData(0x49, 0x08), 0x4D, 0x00,
		"EAECC6AF6512FC8B6C8C43BC55B190B2 626D07D3D218FAF5DAA7D8F800A57331 EB43B5A17A37E5B1D60D275CCAF7ACD7 04CC9ACE2BF8BC8B9B23B9ADF02F87",
		"346B96D1136A754DF0A6CDE126C107F8"},
	{"XPN 75-byte confidentiality 256", GCMAESXPN256, key272, frame27, userData(0x49, 0x08), 0x4D, 0x00,
		"B0FEA36318B9B36466C46E9E1BDA1A26 6858196E7E70D882AE70475668CDE4EC 883F6AC2369F284BED1FE32F42092FDF F5868A3C64E5615192A7A3760B34BC",
		"85692CD815B664711AEF911DF78D7F46"},
}

func TestVectors(t *testing.T) {
	for _, v := range vectors {
		t.Run(v.name, func(t *testing.T) {
			sa, plain, want := v.sa(t), v.plain(t), v.protected(t)
			if n := len(plain); v.name[0] == '2' && !strings.Contains(v.name, "XPN") {
				// The section titles give the frame length.
				sizes := map[byte]int{'1': 54, '2': 60, '3': 60, '4': 54, '5': 65, '6': 61, '7': 79, '8': 75}
				if n != sizes[v.name[2]] {
					t.Fatalf("case %s: plaintext frame is %d octets, the paper's is %d", v.name, n, sizes[v.name[2]])
				}
			}
			got, err := ProtectWith(sa, plain, v.pn(), v.opts())
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("Protect:\n got %X\nwant %X", got, want)
			}
			w := ReplayWindow{Next: v.pn()}
			back, pn, err := Validate(sa, &w, want)
			if err != nil {
				t.Fatal(err)
			}
			if pn != v.pn() || !bytes.Equal(back, plain) {
				t.Fatalf("Validate: PN %#x, frame\n%X\nwant PN %#x, frame\n%X", pn, back, v.pn(), plain)
			}
			if w.Next != v.pn()+1 {
				t.Fatalf("window's next PN %#x after %#x", w.Next, v.pn())
			}
			// Every case with an SCI is what Protect itself sends.
			if v.tci&tciSC != 0 {
				got, err := Protect(sa, plain, v.pn(), v.tci&tciE != 0)
				if err != nil || !bytes.Equal(got, want) {
					t.Fatalf("Protect: %v\n got %X\nwant %X", err, got, want)
				}
			}
		})
	}
}

// TestVectorIVAndAAD pins the IV and AAD layout to CrunchyCrypt's listing of
// case 2.4.1, which gives them separately: IV F0761E8DCD3D000176D457ED and
// AAD E20106D7CD0DF0761E8DCD3D88E54C2A76D457ED.
func TestVectorIVAndAAD(t *testing.T) {
	v := vectors[6]
	if v.name != "2.4.1" {
		t.Fatalf("vectors[6] is %s", v.name)
	}
	var iv [12]byte
	v.sa(t).iv(&iv, v.pn())
	if want := unhex(t, "F0761E8DCD3D000176D457ED"); !bytes.Equal(iv[:], want) {
		t.Fatalf("IV %X, want %X", iv, want)
	}
	if aad, want := v.protected(t)[:20], unhex(t, "E20106D7CD0DF0761E8DCD3D88E54C2A76D457ED"); !bytes.Equal(aad, want) {
		t.Fatalf("AAD %X, want %X", aad, want)
	}
	// XPN: (SSCI ‖ PN) XOR salt, worked by hand for the last case:
	// (7A30C118 ‖ B0DF459C2E58495C) XOR E630E81A48DE86A21C66FA6D.
	x := vectors[len(vectors)-1]
	x.sa(t).iv(&iv, x.pn())
	if want := unhex(t, "9C002902F801C33E323EB331"); !bytes.Equal(iv[:], want) {
		t.Fatalf("XPN IV %X, want %X", iv, want)
	}
}
