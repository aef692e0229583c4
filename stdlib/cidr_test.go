package stdlib

import (
	"math"
	"net/netip"
	"strings"
	"testing"
)

func mustPrefix(t *testing.T, s string) netip.Prefix {
	t.Helper()
	p, err := netip.ParsePrefix(s)
	if err != nil {
		t.Fatalf("bad test prefix %q: %v", s, err)
	}
	return p
}

func prefixStrings(ps []netip.Prefix) string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return strings.Join(out, " ")
}

// checkErr fails unless err is non-nil and contains every fragment, so tests
// pin down the user-facing wording without repeating whole messages.
func checkErr(t *testing.T, err error, fragments ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one containing %q", fragments)
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error %q does not contain %q", err, f)
		}
	}
}

func TestParsePrefix(t *testing.T) {
	for _, tc := range []struct {
		in, want string
	}{
		{"10.0.0.0/8", "10.0.0.0/8"},
		{"10.1.2.3/24", "10.1.2.3/24"}, // host bits kept
		{"0.0.0.0/0", "0.0.0.0/0"},
		{"192.168.1.1/32", "192.168.1.1/32"},
		{"2001:db8::/32", "2001:db8::/32"},
		{"2001:DB8::1/64", "2001:db8::1/64"},
		{"::/0", "::/0"},
		{"::1/128", "::1/128"},
	} {
		got, err := ParsePrefix(tc.in)
		if err != nil {
			t.Errorf("ParsePrefix(%q): %v", tc.in, err)
			continue
		}
		if got.String() != tc.want {
			t.Errorf("ParsePrefix(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestParsePrefixErrors(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"", []string{`invalid CIDR ""`, "empty"}},
		{"10.0.0.0", []string{`"10.0.0.0"`, "missing prefix length", "10.0.0.0/24"}},
		{"2001:db8::", []string{"missing prefix length", "2001:db8::/64"}},
		{"10.0.0.0/", []string{"missing prefix length"}},
		{"10.0.0.0/33", []string{`invalid CIDR "10.0.0.0/33": prefix length 33 is out of range for IPv4 (0-32)`}},
		{"2001:db8::/129", []string{"prefix length 129 is out of range for IPv6 (0-128)"}},
		{"10.0.0.0/99999999999999999999", []string{"out of range for IPv4"}},
		{"10.0.0.0/-1", []string{`prefix length "-1" is not a number`}},
		{"10.0.0.0/+8", []string{`prefix length "+8" is not a number`}},
		{"10.0.0.0/08", []string{"leading zero"}},
		{"10.0.0.0/8/8", []string{`"8/8" is not a number`}},
		{"10.0.0.256/24", []string{`"10.0.0.256" is not an IP address`, ">255"}},
		{"fast/24", []string{`"fast" is not an IP address`}},
		{"fe80::1%eth0/64", []string{"zones"}},
		{"::ffff:10.0.0.0/104", []string{`"::ffff:10.0.0.0/104"`, "IPv4-mapped", "10.0.0.0/8"}},
		{"::ffff:10.0.0.0/64", []string{"IPv4-mapped"}},
		{" 10.0.0.0/8", []string{"space"}},
		{"10.0.0.0/8\n", []string{"space"}},
	} {
		_, err := ParsePrefix(tc.in)
		checkErr(t, err, tc.want...)
	}
}

func TestHasHostBits(t *testing.T) {
	for _, tc := range []struct {
		in   netip.Prefix
		want bool
	}{
		{mustPrefix(t, "10.0.0.0/8"), false},
		{mustPrefix(t, "10.0.0.1/8"), true},
		{mustPrefix(t, "10.0.0.1/32"), false},
		{mustPrefix(t, "0.0.0.0/0"), false},
		{mustPrefix(t, "2001:db8::1/64"), true},
		{mustPrefix(t, "2001:db8::1/128"), false},
		{netip.Prefix{}, false},
	} {
		if got := HasHostBits(tc.in); got != tc.want {
			t.Errorf("HasHostBits(%s) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestCIDRSubnet(t *testing.T) {
	for _, tc := range []struct {
		prefix  string
		newbits int
		netnum  int64
		want    string
	}{
		// Examples from the Terraform documentation.
		{"172.16.0.0/12", 4, 2, "172.18.0.0/16"},
		{"10.1.2.0/24", 4, 15, "10.1.2.240/28"},
		{"fd00:fd12:3456:7890::/56", 16, 162, "fd00:fd12:3456:7800:a200::/72"},
		// Host bits in the input are ignored.
		{"10.1.2.3/24", 0, 0, "10.1.2.0/24"},
		{"10.0.0.0/8", 8, 0, "10.0.0.0/16"},
		{"10.0.0.0/8", 8, 255, "10.255.0.0/16"},
		{"0.0.0.0/0", 32, 4294967295, "255.255.255.255/32"},
		{"0.0.0.0/0", 1, 1, "128.0.0.0/1"},
		{"192.168.0.0/31", 1, 1, "192.168.0.1/32"},
		{"2001:db8::/56", 8, 255, "2001:db8:0:ff::/64"},
		{"2001:db8::/32", 96, 1, "2001:db8::1/128"},
		{"::/0", 64, math.MaxInt64, "7fff:ffff:ffff:ffff::/64"},
		{"::/0", 128, math.MaxInt64, "::7fff:ffff:ffff:ffff/128"},
		{"::/0", 1, 1, "8000::/1"},
		{"2001:db8::/48", 72, 5, "2001:db8::500/120"},
	} {
		got, err := CIDRSubnet(mustPrefix(t, tc.prefix), tc.newbits, tc.netnum)
		if err != nil {
			t.Errorf("CIDRSubnet(%s, %d, %d): %v", tc.prefix, tc.newbits, tc.netnum, err)
			continue
		}
		if got.String() != tc.want {
			t.Errorf("CIDRSubnet(%s, %d, %d) = %s, want %s", tc.prefix, tc.newbits, tc.netnum, got, tc.want)
		}
	}
}

func TestCIDRSubnetErrors(t *testing.T) {
	for _, tc := range []struct {
		prefix  string
		newbits int
		netnum  int64
		want    []string
	}{
		{"10.0.0.0/8", 8, 256, []string{"subnet number 256", `"10.0.0.0/8"`, "(0-255)"}},
		{"10.0.0.0/8", 8, -1, []string{"subnet number -1 must not be negative"}},
		{"10.0.0.0/8", 0, 1, []string{"subnet number 1", "(0-0)"}},
		{"10.0.0.0/24", 9, 0, []string{`cannot add 9 bits to "10.0.0.0/24"`, "only 8 bits", "IPv4"}},
		{"10.0.0.0/24", -1, 0, []string{"new bits -1 must not be negative"}},
		{"10.0.0.0/24", math.MaxInt, 0, []string{"cannot add"}},
		{"2001:db8::/64", 65, 0, []string{`"2001:db8::/64"`, "only 64 bits", "IPv6"}},
		{"2001:db8::/64", 62, 1 << 62, []string{"out of range", "(0-4611686018427387903)"}},
		{"::/0", 128, math.MinInt64, []string{"must not be negative"}},
	} {
		_, err := CIDRSubnet(mustPrefix(t, tc.prefix), tc.newbits, tc.netnum)
		checkErr(t, err, tc.want...)
	}
	_, err := CIDRSubnet(netip.Prefix{}, 1, 0)
	checkErr(t, err, "invalid")
}

func TestCIDRSubnets(t *testing.T) {
	for _, tc := range []struct {
		prefix  string
		newbits []int
		want    string
	}{
		// From the Terraform documentation: the /24 forces the next /20 to
		// skip ahead to its own alignment.
		{"10.1.0.0/16", []int{4, 4, 8, 4}, "10.1.0.0/20 10.1.16.0/20 10.1.32.0/24 10.1.48.0/20"},
		{"fd00:fd12:3456:7890::/56", []int{16, 16, 16, 32}, "fd00:fd12:3456:7800::/72 fd00:fd12:3456:7800:100::/72 fd00:fd12:3456:7800:200::/72 fd00:fd12:3456:7800:300::/88"},
		{"10.0.0.0/24", []int{1, 1}, "10.0.0.0/25 10.0.0.128/25"},
		{"10.0.0.0/24", []int{2, 1}, "10.0.0.0/26 10.0.0.128/25"},
		{"10.0.0.0/24", []int{0}, "10.0.0.0/24"},
		{"10.0.0.5/24", []int{8, 8}, "10.0.0.0/32 10.0.0.1/32"},
		{"255.255.255.0/24", []int{1, 1}, "255.255.255.0/25 255.255.255.128/25"},
		{"0.0.0.0/0", []int{1, 1}, "0.0.0.0/1 128.0.0.0/1"},
		{"::/0", []int{1, 1}, "::/1 8000::/1"},
		{"10.0.0.0/8", nil, ""},
	} {
		got, err := CIDRSubnets(mustPrefix(t, tc.prefix), tc.newbits...)
		if err != nil {
			t.Errorf("CIDRSubnets(%s, %v): %v", tc.prefix, tc.newbits, err)
			continue
		}
		if s := prefixStrings(got); s != tc.want {
			t.Errorf("CIDRSubnets(%s, %v) = %s, want %s", tc.prefix, tc.newbits, s, tc.want)
		}
	}
}

func TestCIDRSubnetsErrors(t *testing.T) {
	for _, tc := range []struct {
		prefix  string
		newbits []int
		want    []string
	}{
		{"10.0.0.0/24", []int{1, 1, 1}, []string{"subnet 3", `"10.0.0.0/24"`, "/25", "10.0.0.128/25"}},
		{"10.0.0.0/24", []int{2, 0}, []string{"subnet 2", "/24"}},
		{"255.255.255.0/24", []int{1, 1, 8}, []string{"not enough space"}},
		{"::/0", []int{1, 1, 1}, []string{"not enough space", `"::/0"`}},
		{"ffff::/16", []int{1, 1, 1}, []string{"not enough space"}},
		{"10.0.0.0/24", []int{1, 9}, []string{"subnet 2", "cannot add 9 bits"}},
		{"10.0.0.0/24", []int{-2}, []string{"subnet 1", "must not be negative"}},
	} {
		_, err := CIDRSubnets(mustPrefix(t, tc.prefix), tc.newbits...)
		checkErr(t, err, tc.want...)
	}
}

func TestCIDRHost(t *testing.T) {
	for _, tc := range []struct {
		prefix  string
		hostnum int64
		want    string
	}{
		{"10.12.112.0/20", 16, "10.12.112.16"},
		{"10.12.112.0/20", 268, "10.12.113.12"},
		{"10.12.112.0/20", -1, "10.12.127.255"},
		{"10.12.112.0/20", -4096, "10.12.112.0"},
		{"10.12.112.9/20", 0, "10.12.112.0"},
		{"10.0.0.0/24", 255, "10.0.0.255"},
		{"10.0.0.7/32", 0, "10.0.0.7"},
		{"10.0.0.7/32", -1, "10.0.0.7"},
		{"0.0.0.0/0", -1, "255.255.255.255"},
		{"0.0.0.0/0", 4294967295, "255.255.255.255"},
		{"fd00:fd12:3456:7890:00a2::/72", 34, "fd00:fd12:3456:7890::22"},
		{"2001:db8::/64", -1, "2001:db8::ffff:ffff:ffff:ffff"},
		{"2001:db8::/64", math.MaxInt64, "2001:db8::7fff:ffff:ffff:ffff"},
		{"2001:db8::/64", math.MinInt64, "2001:db8:0:0:8000::"},
		{"2001:db8::/63", math.MinInt64, "2001:db8:0:1:8000::"},
		{"::/0", -1, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
		{"2001:db8::1/128", 0, "2001:db8::1"},
		{"2001:db8::1/128", -1, "2001:db8::1"},
	} {
		got, err := CIDRHost(mustPrefix(t, tc.prefix), tc.hostnum)
		if err != nil {
			t.Errorf("CIDRHost(%s, %d): %v", tc.prefix, tc.hostnum, err)
			continue
		}
		if got.String() != tc.want {
			t.Errorf("CIDRHost(%s, %d) = %s, want %s", tc.prefix, tc.hostnum, got, tc.want)
		}
	}
}

func TestCIDRHostErrors(t *testing.T) {
	for _, tc := range []struct {
		prefix  string
		hostnum int64
		want    []string
	}{
		{"10.0.0.0/24", 256, []string{`host number 256 is outside "10.0.0.0/24", which has 256 addresses`}},
		{"10.0.0.0/24", -257, []string{"host number -257", "256 addresses"}},
		{"10.0.0.1/32", 1, []string{`"10.0.0.1/32"`, "which has 1 address"}},
		{"10.0.0.1/32", -2, []string{"host number -2"}},
		{"0.0.0.0/0", 1 << 32, []string{"4294967296 addresses"}},
		{"2001:db8::/66", math.MaxInt64, []string{"4611686018427387904 addresses"}},
		{"2001:db8::/66", math.MinInt64, []string{"outside"}},
	} {
		_, err := CIDRHost(mustPrefix(t, tc.prefix), tc.hostnum)
		checkErr(t, err, tc.want...)
	}
	// 2^63 addresses is exactly enough for both extremes of int64.
	for _, n := range []int64{math.MaxInt64, math.MinInt64} {
		if _, err := CIDRHost(mustPrefix(t, "2001:db8::/65"), n); err != nil {
			t.Errorf("CIDRHost(2001:db8::/65, %d): %v", n, err)
		}
	}
}

func TestCIDRNetmask(t *testing.T) {
	for _, tc := range []struct {
		prefix, want string
	}{
		{"0.0.0.0/0", "0.0.0.0"},
		{"10.0.0.0/8", "255.0.0.0"},
		{"172.16.0.0/12", "255.240.0.0"},
		{"10.0.0.0/31", "255.255.255.254"},
		{"10.0.0.1/32", "255.255.255.255"},
	} {
		got, err := CIDRNetmask(mustPrefix(t, tc.prefix))
		if err != nil {
			t.Errorf("CIDRNetmask(%s): %v", tc.prefix, err)
			continue
		}
		if got.String() != tc.want {
			t.Errorf("CIDRNetmask(%s) = %s, want %s", tc.prefix, got, tc.want)
		}
	}
	_, err := CIDRNetmask(mustPrefix(t, "2001:db8::/32"))
	checkErr(t, err, "only defined for IPv4", `"2001:db8::/32"`)
	_, err = CIDRNetmask(netip.Prefix{})
	checkErr(t, err, "invalid")
}

func TestCIDRSplit(t *testing.T) {
	for _, tc := range []struct {
		prefix string
		n      int
		want   string
	}{
		{"10.0.0.0/24", 1, "10.0.0.0/24"},
		{"10.0.0.9/24", 1, "10.0.0.0/24"},
		{"10.0.0.0/24", 2, "10.0.0.0/25 10.0.0.128/25"},
		{"10.0.0.0/24", 3, "10.0.0.0/26 10.0.0.64/26 10.0.0.128/26"},
		{"10.0.0.0/24", 4, "10.0.0.0/26 10.0.0.64/26 10.0.0.128/26 10.0.0.192/26"},
		{"10.0.0.0/30", 4, "10.0.0.0/32 10.0.0.1/32 10.0.0.2/32 10.0.0.3/32"},
		{"2001:db8::/48", 3, "2001:db8::/50 2001:db8:0:4000::/50 2001:db8:0:8000::/50"},
	} {
		got, err := CIDRSplit(mustPrefix(t, tc.prefix), tc.n)
		if err != nil {
			t.Errorf("CIDRSplit(%s, %d): %v", tc.prefix, tc.n, err)
			continue
		}
		if s := prefixStrings(got); s != tc.want {
			t.Errorf("CIDRSplit(%s, %d) = %s, want %s", tc.prefix, tc.n, s, tc.want)
		}
	}
	got, err := CIDRSplit(mustPrefix(t, "10.0.0.0/8"), 65536)
	if err != nil || len(got) != 65536 || got[65535].String() != "10.255.255.0/24" {
		t.Errorf("CIDRSplit(10.0.0.0/8, 65536) = %d subnets, err = %v", len(got), err)
	}
}

func TestCIDRSplitErrors(t *testing.T) {
	for _, tc := range []struct {
		prefix string
		n      int
		want   []string
	}{
		{"10.0.0.0/24", 0, []string{`cannot split "10.0.0.0/24" into 0 subnets`, "at least 1"}},
		{"10.0.0.0/24", -3, []string{"-3 subnets"}},
		{"10.0.0.0/30", 5, []string{"needs 3 more bits but only 2 are left"}},
		{"10.0.0.1/32", 2, []string{`"10.0.0.1/32"`, "only 0 are left"}},
		{"::/0", math.MaxInt, []string{"at most"}},
	} {
		_, err := CIDRSplit(mustPrefix(t, tc.prefix), tc.n)
		checkErr(t, err, tc.want...)
	}
}

func TestPrefixContains(t *testing.T) {
	for _, tc := range []struct {
		outer, inner string
		want         bool
	}{
		{"10.0.0.0/8", "10.1.0.0/16", true},
		{"10.0.0.0/8", "10.0.0.0/8", true},
		{"10.0.0.0/8", "10.255.255.255/32", true},
		{"10.0.0.0/16", "10.0.0.0/8", false},
		{"10.0.0.0/8", "11.0.0.0/16", false},
		{"10.1.2.3/8", "10.200.0.0/16", true}, // host bits ignored
		{"10.0.0.0/8", "10.1.2.3/8", true},
		{"0.0.0.0/0", "255.255.255.255/32", true},
		{"0.0.0.0/0", "::/0", false},
		{"::/0", "0.0.0.0/0", false},
		{"::/0", "2001:db8::/32", true},
		{"2001:db8::/32", "2001:db8:1::/48", true},
		{"2001:db8::/32", "2001:db9::/48", false},
		{"::/96", "::ffff:0:0/96", false},
	} {
		got := PrefixContains(mustPrefix(t, tc.outer), mustPrefix(t, tc.inner))
		if got != tc.want {
			t.Errorf("PrefixContains(%s, %s) = %v, want %v", tc.outer, tc.inner, got, tc.want)
		}
	}
	if PrefixContains(netip.Prefix{}, netip.Prefix{}) {
		t.Error("invalid prefixes must not contain each other")
	}
	// An IPv4-mapped prefix is IPv6 and must not contain plain IPv4.
	mapped := netip.PrefixFrom(netip.MustParseAddr("::ffff:10.0.0.0"), 104)
	if PrefixContains(mapped, mustPrefix(t, "10.0.0.0/16")) {
		t.Error("IPv4-mapped prefix must not contain an IPv4 prefix")
	}
}

func TestPrefixOverlaps(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"10.0.0.0/8", "10.1.0.0/16", true},
		{"10.1.0.0/16", "10.0.0.0/8", true},
		{"10.0.0.0/16", "10.1.0.0/16", false},
		{"10.0.0.1/24", "10.0.0.200/25", true},
		{"10.0.0.0/25", "10.0.0.128/25", false},
		{"0.0.0.0/0", "192.168.0.0/16", true},
		{"0.0.0.0/0", "::/0", false},
		{"2001:db8::/32", "2001:db8:ffff::/48", true},
		{"2001:db8::/48", "2001:db8:1::/48", false},
	} {
		got := PrefixOverlaps(mustPrefix(t, tc.a), mustPrefix(t, tc.b))
		if got != tc.want {
			t.Errorf("PrefixOverlaps(%s, %s) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
	if PrefixOverlaps(netip.Prefix{}, mustPrefix(t, "0.0.0.0/0")) {
		t.Error("an invalid prefix must not overlap anything")
	}
}
