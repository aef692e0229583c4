package stdlib

import (
	"math"
	"testing"
	"time"
)

func TestParseBandwidth(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Bandwidth
	}{
		{"1bps", 1},
		{"500Mbps", 500_000_000},
		{"500 Mbps", 500_000_000},
		{"10Gbps", 10_000_000_000},
		{"10G", 10_000_000_000},
		{"10 G", 10_000_000_000},
		{"2.5Gbps", 2_500_000_000},
		{"2.50Gbps", 2_500_000_000},
		{"1.000000001Gbps", 1_000_000_001},
		{"0.5Kbps", 500},
		{"64kbps", 64_000},
		{"64Kbps", 64_000},
		{"64K", 64_000},
		{"100M", 100_000_000},
		{"1T", 1_000_000_000_000},
		{"1.000000000001Tbps", 1_000_000_000_001},
		{"400Tbps", 400_000_000_000_000},
		{"007Mbps", 7_000_000},
		{"1.0bps", 1},
		{"18446744073709551615bps", math.MaxUint64},
		{"18446744.073709551615Tbps", math.MaxUint64},
		{"0.001Kbps", 1},
	} {
		got, err := ParseBandwidth(tc.in)
		if err != nil {
			t.Errorf("ParseBandwidth(%q): %v", tc.in, err)
			continue
		}
		if got != tc.want {
			t.Errorf("ParseBandwidth(%q) = %d, want %d", tc.in, uint64(got), uint64(tc.want))
		}
	}
}

func TestParseBandwidthErrors(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"", []string{`invalid bandwidth ""`, "empty", "500Mbps"}},
		{"fast", []string{`invalid bandwidth "fast": want a number and a unit such as 500Mbps or 10Gbps`}},
		{"0Gbps", []string{`"0Gbps"`, "must be positive"}},
		{"0.0M", []string{"must be positive"}},
		{"-5Gbps", []string{`"-5Gbps"`, "must be positive"}},
		{"+5Gbps", []string{`"+5Gbps"`, `leading "+"`}},
		{"NaN", []string{"want a number"}},
		{"Inf", []string{"want a number"}},
		{"1e9bps", []string{`"1e9bps"`, "exponents"}},
		{"1E+9", []string{"exponents"}},
		{"1.2.3Gbps", []string{"too many decimal points"}},
		{".5Gbps", []string{"digit before the decimal point"}},
		{"5.Gbps", []string{"digit after the decimal point"}},
		{"1.5bps", []string{`"1.5bps"`, "not a whole number of bits per second"}},
		{"0.0001Kbps", []string{"not a whole number"}},
		{"1.0000000000001Tbps", []string{"not a whole number"}},
		{"18446744073709551616bps", []string{"too large"}},
		{"18446744073709552Kbps", []string{"too large"}},
		{"18446744.073709551616Tbps", []string{"too large"}},
		{"99999999999999999999999Gbps", []string{"too large"}},
		{"10", []string{`"10"`, "missing unit", "10Mbps"}},
		{"2.5", []string{"missing unit", "2.5Gbps"}},
		{"10 ", []string{"space"}},
		{" 10G", []string{"space"}},
		{"10  Gbps", []string{"at most one space"}},
		{"10gbps", []string{`unknown unit "gbps"`, `did you mean "Gbps"`}},
		{"10mbps", []string{`did you mean "Mbps"`}},
		{"10g", []string{`did you mean "G"`}},
		{"10MB/s", []string{`unknown unit "MB/s"`, "bits, not bytes"}},
		{"10GBps", []string{"bits, not bytes"}},
		{"10Gb", []string{`unknown unit "Gb"`, "Gbps"}},
		{"10Gbps!", []string{`unknown unit "Gbps!"`}},
		{"1,000Mbps", []string{"unknown unit"}},
	} {
		_, err := ParseBandwidth(tc.in)
		checkErr(t, err, tc.want...)
	}
}

func TestBandwidthString(t *testing.T) {
	for _, tc := range []struct {
		in   Bandwidth
		want string
	}{
		{0, "0bps"},
		{1, "1bps"},
		{999, "999bps"},
		{1000, "1Kbps"},
		{64_000, "64Kbps"},
		{500_000_000, "500Mbps"},
		{10_000_000_000, "10Gbps"},
		{2_500_000_000, "2500Mbps"},
		{1_000_000_001, "1000000001bps"},
		{1_000_000_000_000, "1Tbps"},
		{400_000_000_000_000, "400Tbps"},
		{math.MaxUint64, "18446744073709551615bps"},
	} {
		if got := tc.in.String(); got != tc.want {
			t.Errorf("Bandwidth(%d).String() = %q, want %q", uint64(tc.in), got, tc.want)
		}
		if tc.in == 0 {
			continue
		}
		back, err := ParseBandwidth(tc.want)
		if err != nil || back != tc.in {
			t.Errorf("ParseBandwidth(%q) = %d, %v; want %d", tc.want, uint64(back), err, uint64(tc.in))
		}
	}
}

func TestBandwidthGbps(t *testing.T) {
	for _, tc := range []struct {
		in   Bandwidth
		want float64
	}{
		{0, 0},
		{10_000_000_000, 10},
		{2_500_000_000, 2.5},
		{100_000_000, 0.1},
	} {
		if got := tc.in.Gbps(); got != tc.want {
			t.Errorf("Bandwidth(%d).Gbps() = %v, want %v", uint64(tc.in), got, tc.want)
		}
	}
}

func TestParseDuration(t *testing.T) {
	const day = 24 * time.Hour
	for _, tc := range []struct {
		in   string
		want time.Duration
	}{
		{"0", 0},
		{"0s", 0},
		{"90s", 90 * time.Second},
		{"5m", 5 * time.Minute},
		{"300ms", 300 * time.Millisecond},
		{"1h30m", 90 * time.Minute},
		{"30m1h", 90 * time.Minute},
		{"1.5h", 90 * time.Minute},
		{"2d", 2 * day},
		{"1d12h", 36 * time.Hour},
		{"1.5d", 36 * time.Hour},
		{"0.1d", 8640 * time.Second},
		{"1.s", time.Second},
		{".5s", 500 * time.Millisecond},
		{"+5m", 5 * time.Minute},
		{"10us", 10 * time.Microsecond},
		{"10µs", 10 * time.Microsecond},
		{"10μs", 10 * time.Microsecond},
		{"7ns", 7},
		{"1.9ns", 1},
		{"0.000000000001d", 86},
		{"0.0000000001s", 0},
		{"1.00000000000000000000000000000001s", time.Second},
		{"106751d23h47m16.854775807s", math.MaxInt64},
		{"9223372036854775807ns", math.MaxInt64},
		{"00000000000000000000001s", time.Second},
	} {
		got, err := ParseDuration(tc.in)
		if err != nil {
			t.Errorf("ParseDuration(%q): %v", tc.in, err)
			continue
		}
		if got != tc.want {
			t.Errorf("ParseDuration(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestParseDurationErrors(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"", []string{`invalid duration ""`, "empty"}},
		{"-5m", []string{`invalid duration "-5m": must not be negative`}},
		{"-0s", []string{"must not be negative"}},
		{"5", []string{`"5"`, "missing unit", "5s"}},
		{"1h30", []string{`missing unit after "30"`}},
		{"5y", []string{`unknown unit "y"`, "ns, us, ms, s, m, h or d"}},
		{"5M", []string{`unknown unit "M"`, `did you mean "m"`}},
		{"5D", []string{`did you mean "d"`}},
		{"5sec", []string{`unknown unit "sec"`}},
		{"1h 30m", []string{"spaces"}},
		{" 5s", []string{"spaces"}},
		{"forever", []string{`"forever"`, "want a number and a unit"}},
		{"+", []string{"want a number"}},
		{"s", []string{"want a number"}},
		{".s", []string{"digit next to the decimal point"}},
		{"1.2.3s", []string{"too many decimal points"}},
		{"1e3s", []string{`unknown unit "e"`}},
		{"106752d", []string{`"106752d"`, "too large"}},
		{"9223372036854775808ns", []string{"too large"}},
		{"106751d23h47m16.854775808s", []string{"too large"}},
		{"99999999999999999999999h", []string{"too large"}},
	} {
		_, err := ParseDuration(tc.in)
		checkErr(t, err, tc.want...)
	}
}

func TestFormatDuration(t *testing.T) {
	for _, tc := range []struct {
		in   time.Duration
		want string
	}{
		{0, "0s"},
		{1, "1ns"},
		{90 * time.Second, "90s"},
		{5 * time.Minute, "5m"},
		{300 * time.Millisecond, "300ms"},
		{90 * time.Minute, "1h30m"},
		{time.Hour + 30*time.Second, "1h30s"},
		{time.Hour + time.Millisecond, "1h1ms"},
		{1500 * time.Millisecond, "1500ms"},
		{61 * time.Minute, "1h1m"},
		{48 * time.Hour, "2d"},
		{36 * time.Hour, "1d12h"},
		{24*time.Hour + time.Second, "1d1s"},
		{10 * time.Microsecond, "10us"},
		{math.MaxInt64, "106751d23h2836854775807ns"},
		{-5 * time.Minute, "-5m"},
		{math.MinInt64, "-106751d23h2836854775808ns"},
	} {
		got := FormatDuration(tc.in)
		if got != tc.want {
			t.Errorf("FormatDuration(%d) = %q, want %q", int64(tc.in), got, tc.want)
		}
		if tc.in < 0 {
			continue
		}
		back, err := ParseDuration(got)
		if err != nil || back != tc.in {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", got, back, err, tc.in)
		}
	}
}
