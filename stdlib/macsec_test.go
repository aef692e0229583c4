package stdlib

import (
	"slices"
	"strings"
	"testing"
)

func TestCanonicalMACsecCipher(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"GCM-AES-XPN-256", "GCM-AES-XPN-256", true},
		{"gcm-aes-xpn-256", "GCM-AES-XPN-256", true},
		{"Gcm-Aes-128", "GCM-AES-128", true},
		{"GCM-AES-XPN-128", "GCM-AES-XPN-128", true},
		{"GCM-AES-XPN256", "GCM-AES-XPN256", false},
		{"AES-256", "AES-256", false},
		{"", "", false},
	} {
		got, ok := CanonicalMACsecCipher(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("CanonicalMACsecCipher(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
	// The lists are copies: a caller cannot change what the next one sees.
	MACsecCiphers()[0] = "x"
	MACsecModes()[0] = "x"
	if MACsecCiphers()[0] != "GCM-AES-128" || MACsecModes()[0] != "no_encrypt" {
		t.Error("changing a returned list changed the package's")
	}
}

// TestCatalogPorts: DOMAIN.md §2 — MACsec on dedicated connections: 10G
// GCM-AES-256 or GCM-AES-XPN-256, 100G and 400G XPN-256 only.
func TestCatalogPorts(t *testing.T) {
	want := map[string][]string{
		"1Gbps":   {},
		"10Gbps":  {"GCM-AES-256", "GCM-AES-XPN-256"},
		"100Gbps": {"GCM-AES-XPN-256"},
		"400Gbps": {"GCM-AES-XPN-256"},
	}
	c := Default()
	if len(c.Ports) != len(want) {
		t.Fatalf("%d ports, want %d", len(c.Ports), len(want))
	}
	for _, p := range c.Ports {
		if p.Speed.String() != p.RawSpeed {
			t.Errorf("port %q parsed as %s", p.RawSpeed, p.Speed)
		}
		if w, ok := want[p.RawSpeed]; !ok || !slices.Equal(p.MACsecCiphers, w) {
			t.Errorf("port %s: ciphers %v, want %v", p.RawSpeed, p.MACsecCiphers, w)
		}
		if p.Status != "published" {
			t.Errorf("port %s: status %q, want published", p.RawSpeed, p.Status)
		}
	}
	if got := c.MACsecCiphersAnywhere(); !slices.Equal(got, []string{"GCM-AES-256", "GCM-AES-XPN-256"}) {
		t.Errorf("MACsecCiphersAnywhere = %v, want the two 256-bit suites", got)
	}
	if got, want := c.MACsecSupport(), "GCM-AES-256 or GCM-AES-XPN-256 on 10Gbps ports, GCM-AES-XPN-256 on 100Gbps and 400Gbps ports"; got != want {
		t.Errorf("MACsecSupport = %q, want %q", got, want)
	}
}

func TestPortFor(t *testing.T) {
	c := Default()
	gbps := func(g uint64) Bandwidth { return Bandwidth(g * 1_000_000_000) }
	for _, tc := range []struct {
		bw    Bandwidth
		links int
		want  string // "" when no port fits
	}{
		{gbps(10), 8, "10Gbps"},   // a 10Gbps Interconnect: four channels of two members
		{gbps(100), 8, "100Gbps"}, // 12.5G a member
		{gbps(100), 4, "100Gbps"}, // a 100Gbps last mile: four single-member connections
		{gbps(10), 4, "10Gbps"},
		{gbps(1), 4, "1Gbps"},
		{Bandwidth(500_000_000), 8, "1Gbps"},
		{gbps(40), 4, "10Gbps"},                   // exactly full
		{Bandwidth(40_000_000_001), 4, "100Gbps"}, // a bit over: rounded up, not down
		{gbps(1), 3, "1Gbps"},
		{gbps(400), 1, "400Gbps"},
		{gbps(401), 1, ""},
		{gbps(5), 0, "10Gbps"}, // no links counts as one
	} {
		p, ok := c.PortFor(tc.bw, tc.links)
		if got := map[bool]string{true: p.RawSpeed, false: ""}[ok]; got != tc.want {
			t.Errorf("PortFor(%s, %d) = %q, want %q", tc.bw, tc.links, got, tc.want)
		}
	}
}

func TestPortsCatalogIsValidated(t *testing.T) {
	const prov = `"source": "s", "date": "2026-11-26", "status": "published"`
	row := func(speed string, ciphers ...string) string {
		q := make([]string, len(ciphers))
		for i, c := range ciphers {
			q[i] = `"` + c + `"`
		}
		return `{"speed": "` + speed + `", "macsec_ciphers": [` + strings.Join(q, ", ") + `], ` + prov + `}`
	}
	file := func(rows ...string) string { return `{"ports": [` + strings.Join(rows, ",") + `]}` }
	for _, tc := range []struct {
		name, data string
		errs       []string
	}{
		{"valid", file(row("10Gbps", "GCM-AES-256"), row("100Gbps", "GCM-AES-XPN-256")), nil},
		{"unknown field", `{"ports": [{"speed": "10Gbps", "ciphers": [], ` + prov + `}]}`, []string{`catalog ports.json: json: unknown field "ciphers"`}},
		{"bad speed", file(row("ten gig")), []string{`catalog port "ten gig": invalid bandwidth "ten gig"`}},
		{"out of order", file(row("100Gbps"), row("10Gbps")), []string{`catalog port "10Gbps": after 100Gbps: list ports from the slowest, each once`}},
		{"listed twice", file(row("10Gbps"), row("10G")), []string{`catalog port "10G": after 10Gbps`}},
		{"unknown suite", file(row("10Gbps", "AES-256")), []string{`catalog port "10Gbps": "AES-256" is not an 802.1AE cipher suite`}},
		{"lower case", file(row("10Gbps", "gcm-aes-256")), []string{`"gcm-aes-256" is not an 802.1AE cipher suite`}},
		{"suite twice", file(row("10Gbps", "GCM-AES-256", "GCM-AES-256")), []string{`catalog port "10Gbps": GCM-AES-256 is listed twice`}},
		{"no provenance", `{"ports": [{"speed": "10Gbps", "macsec_ciphers": []}]}`, []string{"no source or date"}},
	} {
		_, err := loadCatalogFS(catalogWith(t, "ports.json", tc.data))
		if len(tc.errs) == 0 {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: loaded, want errors %q", tc.name, tc.errs)
			continue
		}
		for _, want := range tc.errs {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: error %q, want it to contain %q", tc.name, err, want)
			}
		}
	}
}

// TestCatalogSectionsSpanFiles: policies come from interconnect.json and
// defaults.json both; reading the second must not drop the first's.
func TestCatalogSectionsSpanFiles(t *testing.T) {
	c := Default()
	for key, want := range map[string]string{
		"interconnect.macsec_manager": "aws",             // interconnect.json
		"last_mile.macsec_mode":       "must_encrypt",    // interconnect.json
		"interconnect.macsec_cipher":  "GCM-AES-XPN-256", // defaults.json
		"last_mile.macsec_cipher":     "GCM-AES-XPN-256", // defaults.json
	} {
		if got := c.Text(key); got != want {
			t.Errorf("Text(%q) = %q, want %q", key, got, want)
		}
	}
	for _, p := range c.Policies {
		if strings.HasSuffix(p.Key, ".macsec_cipher") {
			if _, ok := CanonicalMACsecCipher(p.Value); !ok || !slices.Contains(c.MACsecCiphersAnywhere(), p.Value) {
				t.Errorf("policy %s: %q is not a suite AWS supports", p.Key, p.Value)
			}
		}
		if strings.HasSuffix(p.Key, ".macsec_mode") && !slices.Contains(MACsecModes(), p.Value) {
			t.Errorf("policy %s: %q is not a MACsec mode", p.Key, p.Value)
		}
	}

	twice := `{"policies": [{"key": "last_mile.macsec_mode", "value": "should_encrypt", "source": "s", "date": "2026-11-26", "status": "estimated"}]}`
	if _, err := loadCatalogFS(catalogWith(t, "ports.json", twice)); err == nil || !strings.Contains(err.Error(), "catalog policy last_mile.macsec_mode is listed twice") {
		t.Errorf("a policy in two files: %v, want it refused", err)
	}
}

func TestParseMACsecMode(t *testing.T) {
	for _, m := range []MACsecMode{NoEncrypt, ShouldEncrypt, MustEncrypt} {
		if got, err := ParseMACsecMode(m.String()); err != nil || got != m {
			t.Errorf("ParseMACsecMode(%q) = %q, %v", m, got, err)
		}
	}
	for _, bad := range []string{"", "Must_Encrypt", "encrypt"} {
		if _, err := ParseMACsecMode(bad); err == nil {
			t.Errorf("ParseMACsecMode(%q) accepted", bad)
		}
	}
	if NoEncrypt.Encrypts() || MACsecMode("").Encrypts() || !ShouldEncrypt.Encrypts() || !MustEncrypt.Encrypts() {
		t.Error("Encrypts: want true for should_encrypt and must_encrypt only")
	}
}
