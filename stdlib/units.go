package stdlib

import (
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"strconv"
	"strings"
	"time"
)

// Bandwidth is a link rate in bits per second. The zero value means "unset",
// which is why ParseBandwidth never returns it.
type Bandwidth uint64

// bandwidthUnits maps each accepted unit to its power of ten. Units are
// decimal (SI) because link rates are quoted that way; "kbps" is allowed
// alongside "Kbps" since both spellings are common, but "mbps" is not, to
// avoid any reading as millibits.
var bandwidthUnits = map[string]int{
	"bps":  0,
	"Kbps": 3, "kbps": 3, "K": 3,
	"Mbps": 6, "M": 6,
	"Gbps": 9, "G": 9,
	"Tbps": 12, "T": 12,
}

// bandwidthFormats is ordered largest first so String picks the largest
// unit that divides exactly.
var bandwidthFormats = []struct {
	div  uint64
	name string
}{
	{1e12, "Tbps"},
	{1e9, "Gbps"},
	{1e6, "Mbps"},
	{1e3, "Kbps"},
}

const bandwidthHint = "want a number and a unit such as 500Mbps or 10Gbps"

// ParseBandwidth parses a rate such as "10Gbps", "2.5 Gbps" or "500M".
// The value is computed in integers so "2.5Gbps" is exactly 2500000000 and
// anything that is not a whole number of bits per second is an error.
func ParseBandwidth(s string) (Bandwidth, error) {
	const tooLarge = "too large (max 18446744073709551615bps)"
	fail := func(format string, args ...any) (Bandwidth, error) {
		return 0, fmt.Errorf("invalid bandwidth %q: %s", s, fmt.Sprintf(format, args...))
	}
	switch {
	case s == "":
		return fail("empty; %s", bandwidthHint)
	case strings.TrimSpace(s) != s:
		return fail("unexpected leading or trailing space")
	case s[0] == '-':
		return fail("must be positive")
	case s[0] == '+':
		return fail("remove the leading \"+\"")
	}

	intEnd := scanDigits(s, 0)
	if intEnd == 0 {
		if s[0] == '.' {
			return fail("want a digit before the decimal point")
		}
		return fail(bandwidthHint)
	}
	intPart, frac, rest := s[:intEnd], "", s[intEnd:]
	if strings.HasPrefix(rest, ".") {
		fracEnd := scanDigits(s, intEnd+1)
		if fracEnd == intEnd+1 {
			return fail("want a digit after the decimal point")
		}
		frac, rest = s[intEnd+1:fracEnd], s[fracEnd:]
	}
	switch {
	case strings.HasPrefix(rest, "."):
		return fail("too many decimal points")
	case len(rest) >= 2 && (rest[0] == 'e' || rest[0] == 'E') &&
		(isDigit(rest[1]) || rest[1] == '+' || rest[1] == '-'):
		return fail("exponents are not supported; use a unit such as Gbps instead")
	}
	number := s[:len(s)-len(rest)]
	rest = strings.TrimPrefix(rest, " ")
	if rest == "" {
		return fail("missing unit, e.g. %sMbps or %sGbps", number, number)
	}
	if rest[0] == ' ' {
		return fail("want at most one space between the number and the unit")
	}
	exp, ok := bandwidthUnits[rest]
	if !ok {
		return fail("%s", unknownBandwidthUnit(rest))
	}

	// A fraction with trailing zeros stripped is a whole number of bps
	// only if it has no more digits than the unit's power of ten.
	frac = strings.TrimRight(frac, "0")
	if len(frac) > exp {
		return fail("not a whole number of bits per second")
	}
	whole, ok := parseUint(intPart)
	if !ok {
		return fail(tooLarge)
	}
	hi, v := bits.Mul64(whole, pow10(exp))
	if hi != 0 {
		return fail(tooLarge)
	}
	if frac != "" {
		f, _ := parseUint(frac) // at most 12 digits, cannot overflow
		var carry uint64
		v, carry = bits.Add64(v, f*pow10(exp-len(frac)), 0)
		if carry != 0 {
			return fail(tooLarge)
		}
	}
	if v == 0 {
		return fail("must be positive")
	}
	return Bandwidth(v), nil
}

func unknownBandwidthUnit(u string) string {
	msg := fmt.Sprintf("unknown unit %q; want bps, Kbps, Mbps, Gbps or Tbps", u)
	if strings.Contains(u, "B") {
		// MB/s, GBps and friends are bytes; guessing a factor of 8 would
		// hide a real misunderstanding, so say so instead.
		return msg + " (bandwidth is in bits, not bytes)"
	}
	// A fixed order keeps the suggestion deterministic.
	for _, name := range []string{"bps", "Kbps", "Mbps", "Gbps", "Tbps", "K", "M", "G", "T"} {
		if strings.EqualFold(name, u) {
			return fmt.Sprintf("unknown unit %q; units are case-sensitive, did you mean %q?", u, name)
		}
	}
	return msg
}

// String returns the shortest exact form: the largest unit that divides b,
// so 2.5e9 prints as "2500Mbps" rather than a lossy "2.5Gbps".
func (b Bandwidth) String() string {
	if b == 0 {
		return "0bps"
	}
	for _, f := range bandwidthFormats {
		if uint64(b)%f.div == 0 {
			return strconv.FormatUint(uint64(b)/f.div, 10) + f.name
		}
	}
	return strconv.FormatUint(uint64(b), 10) + "bps"
}

// Gbps is meant for display and ratios; it loses precision above 2^53 bps.
func (b Bandwidth) Gbps() float64 {
	return float64(b) / 1e9
}

// durationUnits adds "d" to Go's units because link and lease timers are
// often stated in days.
var durationUnits = map[string]uint64{
	"ns": 1,
	"us": 1e3, "µs": 1e3, "μs": 1e3, // U+00B5 and U+03BC, as Go accepts both
	"ms": 1e6,
	"s":  1e9,
	"m":  60e9,
	"h":  3600e9,
	"d":  86400e9,
}

const durationHint = "want a number and a unit such as 30s, 5m or 2d"

// ParseDuration parses Go duration syntax ("90s", "1h30m", "1.5h") plus
// "d" for days. Fractions are applied exactly (truncating below a
// nanosecond) instead of through float64 as time.ParseDuration does.
func ParseDuration(s string) (time.Duration, error) {
	fail := func(format string, args ...any) (time.Duration, error) {
		return 0, fmt.Errorf("invalid duration %q: %s", s, fmt.Sprintf(format, args...))
	}
	switch {
	case s == "":
		return fail("empty; %s", durationHint)
	case s[0] == '-':
		return fail("must not be negative")
	case strings.ContainsAny(s, " \t\r\n"):
		return fail("spaces are not allowed")
	}
	rest := strings.TrimPrefix(s, "+")
	if rest == "0" {
		return 0, nil // Go accepts a bare zero, so we do too
	}
	if rest == "" {
		return fail(durationHint)
	}
	var total uint64
	for rest != "" {
		i := scanDigits(rest, 0)
		intPart, frac := rest[:i], ""
		if i < len(rest) && rest[i] == '.' {
			j := scanDigits(rest, i+1)
			frac = rest[i+1 : j]
			i = j
		}
		if intPart == "" && frac == "" {
			if i > 0 { // a lone "."
				return fail("want a digit next to the decimal point")
			}
			return fail(durationHint)
		}
		number := rest[:i]
		j := i
		for j < len(rest) && rest[j] != '.' && !isDigit(rest[j]) {
			j++
		}
		unit := rest[i:j]
		if unit == "" {
			if j < len(rest) {
				return fail("too many decimal points")
			}
			return fail("missing unit after %q, e.g. %ss", number, number)
		}
		mult, ok := durationUnits[unit]
		if !ok {
			return fail("%s", unknownDurationUnit(unit))
		}
		n, ok := durationNanos(intPart, frac, mult)
		if !ok {
			return fail("too large (the limit is about 292 years)")
		}
		var carry uint64
		total, carry = bits.Add64(total, n, 0)
		if carry != 0 || total > math.MaxInt64 {
			return fail("too large (the limit is about 292 years)")
		}
		rest = rest[j:]
	}
	return time.Duration(total), nil
}

func unknownDurationUnit(u string) string {
	if lower := strings.ToLower(u); lower != u {
		if _, ok := durationUnits[lower]; ok {
			return fmt.Sprintf("unknown unit %q; units are case-sensitive, did you mean %q?", u, lower)
		}
	}
	return fmt.Sprintf("unknown unit %q; want ns, us, ms, s, m, h or d", u)
}

// durationNanos returns (intPart.frac) * mult nanoseconds, truncated.
func durationNanos(intPart, frac string, mult uint64) (uint64, bool) {
	var n uint64
	if intPart != "" {
		whole, ok := parseUint(intPart)
		if !ok {
			return 0, false
		}
		hi, lo := bits.Mul64(whole, mult)
		if hi != 0 {
			return 0, false
		}
		n = lo
	}
	frac = strings.TrimRight(frac, "0")
	if frac == "" {
		return n, true
	}
	// big.Int keeps arbitrarily long fractions exact; the result is below
	// mult, so it always fits back into a uint64.
	f, _ := new(big.Int).SetString(frac, 10)
	f.Mul(f, new(big.Int).SetUint64(mult))
	f.Quo(f, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(len(frac))), nil))
	sum, carry := bits.Add64(n, f.Uint64(), 0)
	return sum, carry == 0
}

// FormatDuration writes whole days and hours, then the rest in the single
// largest unit that is exact, so 90s stays "90s" instead of "1m30s" while
// 1h30m stays "1h30m". The result always parses back with ParseDuration,
// except for negative durations, which ParseDuration rejects.
func FormatDuration(d time.Duration) string {
	if d == 0 {
		return "0s"
	}
	var b strings.Builder
	n := uint64(d)
	if d < 0 {
		b.WriteByte('-')
		n = -n // two's complement, so math.MinInt64 works too
	}
	const day, hour = 86400e9, 3600e9
	if n >= day {
		b.WriteString(strconv.FormatUint(n/day, 10) + "d")
		n %= day
	}
	if n >= hour {
		b.WriteString(strconv.FormatUint(n/hour, 10) + "h")
		n %= hour
	}
	if n > 0 {
		for _, u := range []struct {
			div  uint64
			name string
		}{{60e9, "m"}, {1e9, "s"}, {1e6, "ms"}, {1e3, "us"}, {1, "ns"}} {
			if n%u.div == 0 {
				b.WriteString(strconv.FormatUint(n/u.div, 10) + u.name)
				break
			}
		}
	}
	return b.String()
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// scanDigits returns the index of the first non-digit at or after i.
func scanDigits(s string, i int) int {
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

// parseUint reports only overflow, as callers have already checked that
// digits holds nothing but ASCII digits. Leading zeros are fine, which a
// check on the number of digits would get wrong.
func parseUint(digits string) (uint64, bool) {
	var v uint64
	for i := 0; i < len(digits); i++ {
		hi, lo := bits.Mul64(v, 10)
		sum, carry := bits.Add64(lo, uint64(digits[i]-'0'), 0)
		if hi != 0 || carry != 0 {
			return 0, false
		}
		v = sum
	}
	return v, true
}

func pow10(n int) uint64 {
	v := uint64(1)
	for range n {
		v *= 10
	}
	return v
}
