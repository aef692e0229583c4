package macsec

import (
	"fmt"
	"strings"
)

// CipherSuite is a MACsec Cipher Suite identifier (IEEE 802.1AE §14): the
// 64-bit value carried in MKPDUs, 00-80-C2-00-01-00-00-0x.
type CipherSuite uint64

// The four GCM-AES Cipher Suites of IEEE 802.1AE-2018.
const (
	GCMAES128    CipherSuite = 0x0080C20001000001
	GCMAES256    CipherSuite = 0x0080C20001000002
	GCMAESXPN128 CipherSuite = 0x0080C20001000003
	GCMAESXPN256 CipherSuite = 0x0080C20001000004
)

var suiteNames = map[CipherSuite]string{
	GCMAES128:    "GCM-AES-128",
	GCMAES256:    "GCM-AES-256",
	GCMAESXPN128: "GCM-AES-XPN-128",
	GCMAESXPN256: "GCM-AES-XPN-256",
}

// String is the suite's name in IEEE 802.1AE; an unknown identifier prints
// in hexadecimal so that a log still says what arrived.
func (c CipherSuite) String() string {
	if n, ok := suiteNames[c]; ok {
		return n
	}
	return fmt.Sprintf("CipherSuite(%016X)", uint64(c))
}

// ParseCipherSuite accepts the names String returns, in any case.
func ParseCipherSuite(s string) (CipherSuite, error) {
	for c, n := range suiteNames {
		if strings.EqualFold(strings.TrimSpace(s), n) {
			return c, nil
		}
	}
	return 0, fmt.Errorf("macsec: unknown cipher suite %q (want GCM-AES-128, GCM-AES-256, GCM-AES-XPN-128 or GCM-AES-XPN-256)", s)
}

// Known reports whether c is one of the four suites this package implements.
func (c CipherSuite) Known() bool {
	_, ok := suiteNames[c]
	return ok
}

// KeyLen is the SAK length in octets: 16 or 32, 0 for an unknown suite.
func (c CipherSuite) KeyLen() int {
	switch c {
	case GCMAES128, GCMAESXPN128:
		return 16
	case GCMAES256, GCMAESXPN256:
		return 32
	}
	return 0
}

// XPN reports whether the suite uses 64-bit extended packet numbers.
func (c CipherSuite) XPN() bool {
	return c == GCMAESXPN128 || c == GCMAESXPN256
}

// RekeyThreshold is the PN at which the key server must distribute a new SAK:
// three quarters of the PN space, which leaves the last quarter for frames
// sent while the new key is installed.
func (c CipherSuite) RekeyThreshold() uint64 { return RekeyThreshold(c.XPN()) }

// RekeyThreshold is CipherSuite.RekeyThreshold for a caller that keeps
// only whether its suite is XPN.
func RekeyThreshold(xpn bool) uint64 {
	if xpn {
		return 0xC000000000000000
	}
	return 0xC0000000
}

// MaxPN is the highest PN the suite can send with one SAK. For XPN it is one
// short of 2^64-1 so that a receiver's next expected PN, one past the last PN
// it accepted, still fits in 64 bits and the last frame cannot be replayed.
func (c CipherSuite) MaxPN() uint64 { return MaxPN(c.XPN()) }

// MaxPN is the largest packet number of an XPN suite (xpn) or of a 32-bit
// one: CipherSuite.MaxPN for a caller that keeps only whether its suite
// is XPN.
func MaxPN(xpn bool) uint64 {
	if xpn {
		return 1<<64 - 2
	}
	return 1<<32 - 1
}
