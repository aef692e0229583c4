// Package stdlib holds the value helpers shared by the Starlark and HCL
// front-ends, so both languages accept the same inputs and report the same
// errors.
package stdlib

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"net/netip"
	"strconv"
	"strings"
)

// maxSplit bounds CIDRSplit so a typo such as 1<<40 becomes an error
// instead of an attempt to allocate terabytes.
const maxSplit = 1 << 20

var errInvalidPrefix = errors.New("prefix is not set or is invalid")

// ParsePrefix parses a CIDR such as "10.0.0.0/16" or "2001:db8::/32".
//
// Host bits are kept as written so callers can report them in their own
// words (see HasHostBits). Zones and IPv4-mapped IPv6 addresses are rejected
// because a network design has no use for them and they make two spellings
// of the same IPv4 network compare unequal.
func ParsePrefix(s string) (netip.Prefix, error) {
	fail := func(format string, args ...any) (netip.Prefix, error) {
		return netip.Prefix{}, fmt.Errorf("invalid CIDR %q: %s", s, fmt.Sprintf(format, args...))
	}
	if s == "" {
		return fail("empty; want an address and a prefix length such as 10.0.0.0/16")
	}
	if strings.TrimSpace(s) != s {
		return fail("unexpected leading or trailing space")
	}
	if strings.Contains(s, "%") {
		return fail("zones (%%name) are not allowed")
	}
	addrPart, bitsPart, ok := strings.Cut(s, "/")
	if !ok {
		if a, err := netip.ParseAddr(s); err == nil && a.Is4() {
			return fail("missing prefix length, e.g. %s/24", s)
		} else if err == nil && !a.Is4In6() {
			return fail("missing prefix length, e.g. %s/64", s)
		}
		return fail("missing prefix length, e.g. 10.0.0.0/16")
	}
	addr, err := netip.ParseAddr(addrPart)
	if err != nil {
		// netip's message repeats the input as ParseAddr("..."): keep only
		// the reason, since the value is already quoted once.
		detail := err.Error()
		if i := strings.Index(detail, "): "); i >= 0 {
			detail = detail[i+3:]
		}
		return fail("%q is not an IP address (%s)", addrPart, detail)
	}
	family, maxBits := "IPv4", 32
	if addr.Is6() {
		family, maxBits = "IPv6", 128
	}
	if bitsPart == "" {
		return fail("missing prefix length after \"/\"")
	}
	for i := 0; i < len(bitsPart); i++ {
		if bitsPart[i] < '0' || bitsPart[i] > '9' {
			return fail("prefix length %q is not a number", bitsPart)
		}
	}
	if len(bitsPart) > 1 && bitsPart[0] == '0' {
		// netip rejects these too; leading zeros hint at a typo like "/024".
		return fail("prefix length %q has a leading zero", bitsPart)
	}
	n, err := strconv.Atoi(bitsPart)
	if err != nil || n > maxBits {
		return fail("prefix length %s is out of range for %s (0-%d)", bitsPart, family, maxBits)
	}
	if addr.Is4In6() {
		if n >= 96 {
			return fail("IPv4-mapped IPv6 addresses are not supported; use %s instead",
				netip.PrefixFrom(addr.Unmap(), n-96))
		}
		return fail("IPv4-mapped IPv6 addresses are not supported; use an IPv4 prefix instead")
	}
	return netip.PrefixFrom(addr, n), nil
}

// HasHostBits reports whether p has bits set after its prefix length, as in
// "10.0.0.1/24". Invalid prefixes have no host bits.
func HasHostBits(p netip.Prefix) bool {
	return p.IsValid() && p != p.Masked()
}

// CIDRSubnet follows Terraform's cidrsubnet: it lengthens the prefix by
// newbits and returns subnet number netnum of that size.
func CIDRSubnet(p netip.Prefix, newbits int, netnum int64) (netip.Prefix, error) {
	if !p.IsValid() {
		return netip.Prefix{}, errInvalidPrefix
	}
	base := p.Masked()
	if err := checkNewbits(base, newbits); err != nil {
		return netip.Prefix{}, err
	}
	if netnum < 0 {
		return netip.Prefix{}, fmt.Errorf("subnet number %d must not be negative", netnum)
	}
	if newbits < 63 && netnum>>newbits != 0 {
		return netip.Prefix{}, fmt.Errorf("subnet number %d is out of range for %q with %d new bits (0-%d)",
			netnum, base.String(), newbits, uint64(1)<<newbits-1)
	}
	bitlen := base.Addr().BitLen()
	newLen := base.Bits() + newbits
	v := addrToU128(base.Addr()).or(shl(uint64(netnum), bitlen-newLen))
	return netip.PrefixFrom(u128ToAddr(v, bitlen), newLen), nil
}

// checkNewbits also guards against int overflow in base.Bits()+newbits,
// which is why it compares against the remaining bits instead.
func checkNewbits(base netip.Prefix, newbits int) error {
	if newbits < 0 {
		return fmt.Errorf("new bits %d must not be negative", newbits)
	}
	bitlen := base.Addr().BitLen()
	if left := bitlen - base.Bits(); newbits > left {
		return fmt.Errorf("cannot add %d bits to %q: only %d bits are left in an %s address",
			newbits, base.String(), left, familyName(base.Addr()))
	}
	return nil
}

// CIDRSubnets follows Terraform's cidrsubnets: subnets are allocated one
// after another in the order given, each aligned to its own size, so a
// smaller subnet followed by a larger one leaves a gap.
func CIDRSubnets(p netip.Prefix, newbits ...int) ([]netip.Prefix, error) {
	if !p.IsValid() {
		return nil, errInvalidPrefix
	}
	if len(newbits) == 0 {
		return nil, nil
	}
	base := p.Masked()
	bitlen := base.Addr().BitLen()
	start := addrToU128(base.Addr())
	end := start.or(lowOnes(bitlen - base.Bits()))
	out := make([]netip.Prefix, 0, len(newbits))
	for i, nb := range newbits {
		if err := checkNewbits(base, nb); err != nil {
			return nil, fmt.Errorf("subnet %d: %w", i+1, err)
		}
		length := base.Bits() + nb
		next := start
		if i > 0 {
			prev := out[i-1]
			prevLast := addrToU128(prev.Addr()).or(lowOnes(bitlen - prev.Bits()))
			var carry bool
			next, carry = prevLast.or(lowOnes(bitlen - length)).add1()
			if carry || end.less(next) {
				return nil, fmt.Errorf("subnet %d: not enough space left in %q for a /%d after %s",
					i+1, base.String(), length, prev)
			}
		}
		out = append(out, netip.PrefixFrom(u128ToAddr(next, bitlen), length))
	}
	return out, nil
}

// CIDRHost follows Terraform's cidrhost: hostnum counts from the start of
// the network, and negative numbers count back from its last address.
func CIDRHost(p netip.Prefix, hostnum int64) (netip.Addr, error) {
	if !p.IsValid() {
		return netip.Addr{}, errInvalidPrefix
	}
	base := p.Masked()
	bitlen := base.Addr().BitLen()
	h := bitlen - base.Bits()
	start := addrToU128(base.Addr())
	// Errors are only possible when h <= 63, so 1<<h fits in a uint64.
	outside := func() (netip.Addr, error) {
		count := "1 address"
		if h > 0 {
			count = strconv.FormatUint(uint64(1)<<h, 10) + " addresses"
		}
		return netip.Addr{}, fmt.Errorf("host number %d is outside %q, which has %s",
			hostnum, base.String(), count)
	}
	if hostnum >= 0 {
		if h < 63 && hostnum>>h != 0 {
			return outside()
		}
		return u128ToAddr(start.or(u128{lo: uint64(hostnum)}), bitlen), nil
	}
	// -(hostnum+1) cannot overflow, unlike -hostnum for math.MinInt64.
	back := uint64(-(hostnum + 1))
	if h < 64 && back>>h != 0 {
		return outside()
	}
	last := start.or(lowOnes(h))
	return u128ToAddr(last.sub64(back), bitlen), nil
}

// CIDRNetmask returns the dotted netmask of an IPv4 prefix, e.g. 255.255.255.0
// for a /24. IPv6 has no netmask notation.
func CIDRNetmask(p netip.Prefix) (netip.Addr, error) {
	if !p.IsValid() {
		return netip.Addr{}, errInvalidPrefix
	}
	if !p.Addr().Is4() {
		return netip.Addr{}, fmt.Errorf("netmask is only defined for IPv4, not %q", p.String())
	}
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], ^uint32(0)<<(32-p.Bits()))
	return netip.AddrFrom4(b), nil
}

// CIDRSplit splits p into n equal subnets, using the smallest size that
// yields at least n of them, and returns the first n.
func CIDRSplit(p netip.Prefix, n int) ([]netip.Prefix, error) {
	if !p.IsValid() {
		return nil, errInvalidPrefix
	}
	base := p.Masked()
	if n < 1 {
		return nil, fmt.Errorf("cannot split %q into %d subnets: want at least 1", base.String(), n)
	}
	if n > maxSplit {
		return nil, fmt.Errorf("cannot split %q into %d subnets: at most %d are supported", base.String(), n, maxSplit)
	}
	newbits := bits.Len(uint(n - 1))
	if left := base.Addr().BitLen() - base.Bits(); newbits > left {
		return nil, fmt.Errorf("cannot split %q into %d subnets: needs %d more bits but only %d are left",
			base.String(), n, newbits, left)
	}
	out := make([]netip.Prefix, n)
	for i := range out {
		sub, err := CIDRSubnet(base, newbits, int64(i))
		if err != nil {
			return nil, err
		}
		out[i] = sub
	}
	return out, nil
}

// PrefixContains reports whether every address of inner is in outer. Host
// bits are ignored, and prefixes of different families never contain each
// other.
func PrefixContains(outer, inner netip.Prefix) bool {
	if !outer.IsValid() || !inner.IsValid() {
		return false
	}
	outer, inner = outer.Masked(), inner.Masked()
	return outer.Addr().BitLen() == inner.Addr().BitLen() &&
		outer.Bits() <= inner.Bits() &&
		outer.Contains(inner.Addr())
}

// PrefixOverlaps reports whether a and b share at least one address. Host
// bits are ignored, and prefixes of different families never overlap.
func PrefixOverlaps(a, b netip.Prefix) bool {
	if !a.IsValid() || !b.IsValid() || a.Addr().BitLen() != b.Addr().BitLen() {
		return false
	}
	return a.Masked().Overlaps(b.Masked())
}

func familyName(a netip.Addr) string {
	if a.Is4() {
		return "IPv4"
	}
	return "IPv6"
}

// u128 holds an address as a number so subnet arithmetic works the same for
// both families; IPv4 addresses use only the low 32 bits.
type u128 struct{ hi, lo uint64 }

func addrToU128(a netip.Addr) u128 {
	if a.Is4() {
		b := a.As4()
		return u128{lo: uint64(binary.BigEndian.Uint32(b[:]))}
	}
	b := a.As16()
	return u128{hi: binary.BigEndian.Uint64(b[:8]), lo: binary.BigEndian.Uint64(b[8:])}
}

func u128ToAddr(v u128, bitlen int) netip.Addr {
	if bitlen == 32 {
		var b [4]byte
		binary.BigEndian.PutUint32(b[:], uint32(v.lo))
		return netip.AddrFrom4(b)
	}
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], v.hi)
	binary.BigEndian.PutUint64(b[8:], v.lo)
	return netip.AddrFrom16(b)
}

// lowOnes is the host mask of a prefix with n host bits; or-ing it in
// gives the last address of the prefix.
func lowOnes(n int) u128 {
	switch {
	case n <= 0:
		return u128{}
	case n >= 128:
		return u128{hi: ^uint64(0), lo: ^uint64(0)}
	case n >= 64:
		return u128{hi: uint64(1)<<(n-64) - 1, lo: ^uint64(0)}
	default:
		return u128{lo: uint64(1)<<n - 1}
	}
}

// shl is needed because an IPv6 subnet number may be shifted well past
// bit 63.
func shl(v uint64, n int) u128 {
	switch {
	case n <= 0:
		return u128{lo: v}
	case n >= 128:
		return u128{}
	case n >= 64:
		return u128{hi: v << (n - 64)}
	default:
		return u128{hi: v >> (64 - n), lo: v << n}
	}
}

func (a u128) or(b u128) u128 { return u128{hi: a.hi | b.hi, lo: a.lo | b.lo} }

func (a u128) less(b u128) bool { return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo) }

// add1 reports a carry out of 128 bits so the caller can tell that the
// address space wrapped around.
func (a u128) add1() (u128, bool) {
	lo, c := bits.Add64(a.lo, 1, 0)
	hi, c := bits.Add64(a.hi, 0, c)
	return u128{hi: hi, lo: lo}, c != 0
}

func (a u128) sub64(n uint64) u128 {
	lo, b := bits.Sub64(a.lo, n, 0)
	hi, _ := bits.Sub64(a.hi, 0, b)
	return u128{hi: hi, lo: lo}
}
