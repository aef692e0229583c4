package units

import (
	"math"
	"testing"
	"time"
)

func TestTexts(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{Thousands(0), "0"},
		{Thousands(999), "999"},
		{Thousands(1000), "1,000"},
		{Thousands(10_000_000), "10,000,000"},
		{Rate(math.Inf(1)), "unlimited"},
		{Rate(-1), "unlimited"},
		{Rate(999), "999 bps"},
		{Rate(1500), "1.5 kbps"},
		{Rate(666_666_666.7), "666.667 Mbps"},
		{Rate(2e9), "2 Gbps"},
		{Bytes(999), "999 B"},
		{Bytes(1234), "1.234 kB"},
		{Bytes(5_000_000), "5.000 MB"},
		{Bytes(2_500_000_000), "2.500 GB"},
		{Span(0), "0s"},
		{Span(900*time.Millisecond + 400*time.Microsecond), "900ms"},
		{Span(61 * time.Second), "1m1s"},
		{Clock(60627557338), "60.628s"},
		{MS(1500 * time.Microsecond), "1.500 ms"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	if Round(2.5) != 3 || RoundTo(0.123456, 1e-3) != 0.123 || RoundTo(0.2, 1e-6) != 0.2 {
		t.Error("rounding")
	}
}
