package macsec

import (
	"bytes"
	"encoding/binary"
	"slices"
)

// The XPN suites need two values per SA besides the SAK: a Salt and an
// SSCI. MKA does not distribute either; every member derives them from what
// the MKPDUs already carry, so that a standard peer and the simulator agree
// without anything passed out of band. Sources (checked 2026-12):
//   - IEEE Std 802.1AE-2018 §10.7.8 "SAK creation" (802.1AEbw-2013 folded
//     in) and IEEE Std 802.1X-2020 §9.10 "SAK installation and use", as
//     quoted and implemented by Wireshark, epan/dissectors/packet-mka.c
//     (dissect_distributed_sak, sort_mi_by_sci) and packet-macsec.c;
//   - the same derivation in SONiC's wpa_supplicant KaY,
//     github.com/sonic-net/sonic-wpa-supplicant src/pae/ieee802_1x_kay.c
//     (ieee802_1x_kay_generate_new_sak, ieee802_1x_mka_decode_dist_sak_body,
//     ieee802_1x_kay_create_sas).

// XPNSalt is the 96-bit Salt of an XPN SAK, derived from the Member
// Identifier of the key server that distributed the SAK and the SAK's Key
// Number. 802.1AE-2018 §10.7.8: "The 64 least significant bits of the Salt
// are the 64 least significant bits of the MKA Key Server's Member
// Identifier (MI), the 16 next most significant bits of the Salt comprise
// the exclusive-or of the 16 next most significant bits of that MI with the
// 16 most significant bits of the 32-bit MKA Key Number (KN), and the 16
// most significant bits of the Salt comprise the exclusive-or of the 16 most
// significant bits of that MI with the 16 least significant bits of the KN."
//
// The MI and the Salt are octet strings sent most significant octet first
// (the MI as in the MKPDU's Basic Parameter Set, the Salt as it is XORed
// into the IV, whose octet 0 holds the SSCI's most significant octet), and
// the KN is big-endian as in the Distributed SAK parameter set, so:
//
//	octets  0-1   MI[0:2] XOR KN[2:4]   (KN's 16 least significant bits)
//	octets  2-3   MI[2:4] XOR KN[0:2]   (KN's 16 most significant bits)
//	octets  4-11  MI[4:12]
//
// With KN 0x11223344 and MI 00 01 … 0B the Salt is 33 45 13 21 04 05 … 0B.
func XPNSalt(keyServerMI [12]byte, kn uint32) [12]byte {
	salt := keyServerMI
	var k [4]byte
	binary.BigEndian.PutUint32(k[:], kn)
	salt[0] ^= k[2]
	salt[1] ^= k[3]
	salt[2] ^= k[0]
	salt[3] ^= k[1]
	return salt
}

// SSCI is the Short SCI of sci among the SCIs of a CA's members, 0 if sci is
// not one of them (0 is never assigned). 802.1X-2020 §9.10 numbers the
// members' SCIs from 1 in descending numerical order: on a point-to-point
// link the end with the greater SCI (MAC address, then port, compared as
// one 64-bit number) transmits with SSCI 1 and the other with SSCI 2,
// whichever of them is the key server. The key server also announces its
// own SSCI in the Live Peer List of an MKPDU that distributes an XPN SAK
// (802.1X-2020 §11.11.3; MKPDU.KeyServerSSCI). Duplicate SCIs count once.
func SSCI(sci SCI, members []SCI) uint32 {
	sorted := slices.Clone(members)
	slices.SortFunc(sorted, func(a, b SCI) int { return bytes.Compare(b[:], a[:]) })
	sorted = slices.Compact(sorted)
	if i := slices.Index(sorted, sci); i >= 0 {
		return uint32(i + 1)
	}
	return 0
}
