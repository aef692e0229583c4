package lang

import "testing"

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
