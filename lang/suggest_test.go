package lang

import (
	"strings"
	"testing"
)

func TestNearest(t *testing.T) {
	params := []string{"name", "region", "cidr", "ipv6_cidr", "mtu"}
	for _, tc := range []struct{ in, want string }{
		{"regoin", "region"},
		{"cdir", "cidr"},
		{"ipv6cidr", "ipv6_cidr"},
		{"mtus", "mtu"},
		{"bandwidth", ""},
		{"x", ""},
	} {
		if got := Nearest(tc.in, params); got != tc.want {
			t.Errorf("Nearest(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// A huge name gets no suggestion, quickly, and huge candidates are skipped
// without their distance tables.
func TestNearestLongNames(t *testing.T) {
	huge := strings.Repeat("a", 1<<20)
	if got := Nearest(huge, []string{"a", huge}); got != "" {
		t.Errorf("Nearest(1 MiB name) = %.20q…, want none", got)
	}
	if got := Nearest("regoin", []string{huge, "region"}); got != "region" {
		t.Errorf("Nearest(regoin) = %.20q, want region", got)
	}
	allocs := testing.AllocsPerRun(3, func() { Nearest(huge, []string{"x", "y"}) })
	if allocs > 0 {
		t.Errorf("Nearest(1 MiB name) allocates %v times, want none", allocs)
	}
}
