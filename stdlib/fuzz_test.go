package stdlib

import (
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"
)

func FuzzParsePrefix(f *testing.F) {
	for _, s := range []string{
		"10.0.0.0/8", "10.1.2.3/24", "0.0.0.0/0", "2001:db8::/32", "::/0",
		"::1/128", "::ffff:10.0.0.0/104", "fe80::1%eth0/64", "10.0.0.0/08",
		"::1.2.3.4/128", "10.0.0.0/33", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePrefix(s)
		if err != nil {
			if !strings.Contains(err.Error(), strconv.Quote(s)) {
				t.Errorf("error %q does not name the input", err)
			}
			return
		}
		if !p.IsValid() || p.Addr().Is4In6() || p.Addr().Zone() != "" {
			t.Fatalf("ParsePrefix(%q) = %v, which should have been rejected", s, p)
		}
		again, err := ParsePrefix(p.String())
		if err != nil {
			t.Fatalf("ParsePrefix(%q) = %v, but its String does not re-parse: %v", s, p, err)
		}
		if again != p {
			t.Fatalf("ParsePrefix(%q) = %v, re-parsed as %v", s, p, again)
		}
		if want, err := netip.ParsePrefix(s); err != nil || want != p {
			t.Fatalf("ParsePrefix(%q) = %v, netip.ParsePrefix = %v, %v", s, p, want, err)
		}
	})
}

func FuzzParseBandwidth(f *testing.F) {
	for _, s := range []string{
		"500Mbps", "10G", "2.5 Gbps", "1.000000000001Tbps", "64kbps", "0Gbps",
		"1e9bps", "18446744073709551615bps", "18446744.073709551616Tbps", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := ParseBandwidth(s)
		if err != nil {
			if !strings.Contains(err.Error(), strconv.Quote(s)) {
				t.Errorf("error %q does not name the input", err)
			}
			return
		}
		if b == 0 {
			t.Fatalf("ParseBandwidth(%q) returned the unset value 0", s)
		}
		again, err := ParseBandwidth(b.String())
		if err != nil {
			t.Fatalf("ParseBandwidth(%q) = %d, but %q does not re-parse: %v", s, uint64(b), b.String(), err)
		}
		if again != b {
			t.Fatalf("ParseBandwidth(%q) = %d, re-parsed %q as %d", s, uint64(b), b.String(), uint64(again))
		}
	})
}

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{
		"90s", "5m", "300ms", "1h30m", "2d", "1.5d", "0", ".5s", "10µs",
		"106751d23h47m16.854775807s", "-5m", "1h 30m", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDuration(s)
		if err != nil {
			if !strings.Contains(err.Error(), strconv.Quote(s)) {
				t.Errorf("error %q does not name the input", err)
			}
			return
		}
		if d < 0 {
			t.Fatalf("ParseDuration(%q) = %v, want non-negative", s, d)
		}
		// Where Go's parser agrees the input is valid, both must agree on
		// the value up to the float64 rounding time.ParseDuration does and
		// our "d" unit, which it lacks.
		if std, err := time.ParseDuration(s); err == nil && !strings.Contains(s, "d") {
			if diff := std - d; diff > 1000 || diff < -1000 {
				t.Errorf("ParseDuration(%q) = %d, time.ParseDuration = %d", s, d, std)
			}
		}
		text := FormatDuration(d)
		again, err := ParseDuration(text)
		if err != nil {
			t.Fatalf("ParseDuration(%q) = %v, but %q does not re-parse: %v", s, d, text, err)
		}
		if again != d {
			t.Fatalf("ParseDuration(%q) = %d, re-parsed %q as %d", s, d, text, again)
		}
	})
}

func FuzzCIDRSubnet(f *testing.F) {
	f.Add("10.0.0.0/8", 8, int64(255))
	f.Add("10.1.2.3/24", 4, int64(15))
	f.Add("0.0.0.0/0", 32, int64(4294967295))
	f.Add("10.0.0.0/24", 9, int64(0))
	f.Add("2001:db8::/56", 8, int64(-1))
	f.Add("::/0", 128, int64(9223372036854775807))
	f.Add("fd00::/8", -3, int64(7))
	f.Fuzz(func(t *testing.T, s string, newbits int, netnum int64) {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return
		}
		base := p.Masked()
		sub, err := CIDRSubnet(p, newbits, netnum)
		if err == nil {
			if !PrefixContains(base, sub) {
				t.Fatalf("CIDRSubnet(%v, %d, %d) = %v, outside the base prefix", p, newbits, netnum, sub)
			}
			if sub.Bits() != base.Bits()+newbits || HasHostBits(sub) {
				t.Fatalf("CIDRSubnet(%v, %d, %d) = %v, want an aligned /%d", p, newbits, netnum, sub, base.Bits()+newbits)
			}
		}
		// CIDRHost shares the arithmetic, so give it the same inputs.
		if addr, err := CIDRHost(p, netnum); err == nil && !base.Contains(addr) {
			t.Fatalf("CIDRHost(%v, %d) = %v, outside the prefix", p, netnum, addr)
		}
	})
}

// FuzzParsePrices: a price catalog never panics the parser, and every row
// it accepts passes the row checks again and names its line.
func FuzzParsePrices(f *testing.F) {
	f.Add([]byte(`{"provider":"aws","service":"s","component":"c","unit":"h","price":1,"date":"d","source":"s","status":"published"}` + "\n"))
	f.Add([]byte("# comment\n\n{\"provider\":\"aws\"}\n"))
	f.Add([]byte(`{"provider":"gcp","service":"s","component":"c","capacity":"10Gbps","unit":"GiB","price":null,"date":"d","source":"s","status":"unknown"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := ParsePrices("f.jsonl", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.jsonl:") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for _, r := range rows {
			if r.Line < 1 || r.check() != nil {
				t.Fatalf("accepted a bad row: %+v", r)
			}
		}
	})
}
