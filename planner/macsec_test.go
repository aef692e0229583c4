package planner_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"patchbay/lang"
	"patchbay/planner"
	"patchbay/planner/plantest"
	"patchbay/stdlib"
)

const macsecNets = `dxgw = dx_gateway("core")
east = gcp_vpc("east", project = "acme", region = "us-east4", cidr = "10.20.0.0/16", mtu = 8500)
hq = site("hq", cidr = "192.168.0.0/16", asn = 65001)
`

// TestPortSpeeds: the smallest standard port that carries a member link's
// share. A channel has two members sharing the Interconnect's bandwidth
// over the channels; a last-mile connection one, sharing it over four.
func TestPortSpeeds(t *testing.T) {
	for _, tc := range []struct {
		bw, extra, want string
	}{
		{"500Mbps", "", "1Gbps"},
		{"1Gbps", "", "1Gbps"},   // 125 Mbps a member
		{"10Gbps", "", "10Gbps"}, // 1.25 Gbps
		{"20Gbps", "", "10Gbps"}, // 2.5 Gbps
		{"50Gbps", "", "10Gbps"}, // 6.25 Gbps
		{"100Gbps", "", "100Gbps"},
		// Fewer channels carry more each: 5 Gbps over one channel's two
		// members is 2.5 Gbps, on 10G ports; 100 Gbps over two is 25 Gbps.
		{"5Gbps", `devices = ["fac-a/r1"]`, "10Gbps"},
		{"1Gbps", `devices = ["fac-a/r1"]`, "1Gbps"},
		{"100Gbps", `devices = ["fac-a/r1", "fac-b/r1"]`, "100Gbps"},
		{"2Tbps", "", "400Gbps"}, // 250 Gbps a member (and bandwidth-invalid)
		{"4Tbps", "", ""},        // beyond any port
	} {
		t.Run("interconnect "+tc.bw+" "+tc.extra, func(t *testing.T) {
			extra := ""
			if tc.extra != "" {
				extra = ", " + tc.extra
			}
			p := plantest.Source(t, macsecNets+fmt.Sprintf(`interconnect("ic", provider = "gcp", aws_region = "us-east-1", peer_region = "us-east4", bandwidth = %q, attach_to = dxgw, peer = east%s)`, tc.bw, extra))
			for _, c := range p.Interconnects[0].Channels {
				if c.PortSpeed != tc.want {
					t.Errorf("%s: port %q, want %q", c.Name, c.PortSpeed, tc.want)
				}
			}
		})
	}
	for _, tc := range []struct{ bw, want string }{
		{"1Gbps", "1Gbps"},
		{"2Gbps", "1Gbps"},   // 500 Mbps a connection
		{"5Gbps", "10Gbps"},  // 1.25 Gbps
		{"25Gbps", "10Gbps"}, // 6.25 Gbps
		{"50Gbps", "100Gbps"},
		{"100Gbps", "100Gbps"},
	} {
		t.Run("last mile "+tc.bw, func(t *testing.T) {
			p := plantest.Source(t, macsecNets+fmt.Sprintf(`last_mile("hq", partner = "lumen", region = "us-east-1", bandwidth = %q, site = hq, attach_to = dxgw)`, tc.bw))
			for _, c := range p.LastMiles[0].Connections {
				if c.PortSpeed != tc.want {
					t.Errorf("%s: port %q, want %q", c.Name, c.PortSpeed, tc.want)
				}
			}
		})
	}
}

// TestMACsecDefaults: what a channel or connection runs when the design
// does not say, and what it says when it does.
func TestMACsecDefaults(t *testing.T) {
	cat := stdlib.Default()
	icDefault, lmDefault, lmMode := cat.Text("interconnect.macsec_cipher"), cat.Text("last_mile.macsec_cipher"), cat.Text("last_mile.macsec_mode")
	if icDefault != "GCM-AES-XPN-256" || lmDefault != "GCM-AES-XPN-256" || lmMode != "must_encrypt" {
		t.Fatalf("catalog defaults %q %q %q", icDefault, lmDefault, lmMode)
	}
	p := plantest.Source(t, macsecNets+`west = gcp_vpc("west", project = "acme", region = "us-west1", cidr = "10.21.0.0/16", mtu = 8500)
interconnect("plain", provider = "gcp", aws_region = "us-east-1", peer_region = "us-east4", bandwidth = "10Gbps", attach_to = dxgw, peer = east)
interconnect("chosen", provider = "gcp", aws_region = "us-west-2", peer_region = "us-west1", bandwidth = "10Gbps", attach_to = dxgw, peer = west, macsec_cipher = "gcm-aes-256")
def lm(name, **kw):
    last_mile(name, partner = "lumen", region = "us-east-1", bandwidth = "10Gbps", attach_to = dxgw,
              site = site(name, cidr = "172.%d.0.0/16" % (16 + len(name)), asn = 65000 + len(name)), **kw)
lm("a")
lm("bb", macsec = False)
lm("ccc", macsec_mode = "should_encrypt")
lm("dddd", macsec_mode = "no_encrypt", macsec_cipher = "GCM-AES-256")
lm("eeeee", macsec_cipher = "GCM-AES-256")
lm("ffffff", macsec = False, macsec_mode = "no_encrypt")
`)
	for i, want := range []string{icDefault, "GCM-AES-256"} {
		for _, c := range p.Interconnects[i].Channels {
			if c.MACsecCipher != want || c.MACsecManager != "aws" {
				t.Errorf("%s: cipher %q manager %q, want %q by aws", c.Name, c.MACsecCipher, c.MACsecManager, want)
			}
		}
	}
	for i, want := range []struct{ mode, cipher string }{
		{lmMode, lmDefault},
		{"no_encrypt", ""},
		{"should_encrypt", lmDefault},
		{"no_encrypt", ""}, // no suite runs without encryption, whatever was declared
		{lmMode, "GCM-AES-256"},
		{"no_encrypt", ""},
	} {
		for _, c := range p.LastMiles[i].Connections {
			if c.MACsec != stdlib.MACsecMode(want.mode) || c.MACsecCipher != want.cipher {
				t.Errorf("%s: MACsec %q cipher %q, want %q %q", c.Name, c.MACsec, c.MACsecCipher, want.mode, want.cipher)
			}
		}
	}
	if len(p.Findings) != 0 {
		t.Errorf("findings: %v", p.Findings)
	}

	// The JSON form: a connection without MACsec has no cipher.
	var buf bytes.Buffer
	if err := p.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var r struct {
		Derived struct {
			Interconnects []struct {
				Channels []map[string]any `json:"channels"`
			} `json:"interconnects"`
			LastMiles []struct {
				Connections []map[string]any `json:"connections"`
			} `json:"last_miles"`
		} `json:"derived"`
	}
	if err := json.Unmarshal(buf.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	if ch := r.Derived.Interconnects[0].Channels[0]; ch["macsec_cipher"] != icDefault || ch["port_speed"] != "10Gbps" {
		t.Errorf("channel JSON %v", ch)
	}
	if c := r.Derived.LastMiles[0].Connections[0]; c["macsec"] != "must_encrypt" || c["macsec_cipher"] != lmDefault || c["port_speed"] != "10Gbps" {
		t.Errorf("connection JSON %v", c)
	}
	if c := r.Derived.LastMiles[1].Connections[0]; c["macsec"] != "no_encrypt" || c["macsec_cipher"] != nil {
		t.Errorf("connection without MACsec, JSON %v: want no macsec_cipher", c)
	}

	// The text form lists them with the channels and connections.
	var text bytes.Buffer
	if err := p.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"port    MACsec manager, cipher\n",
		"10Gbps  aws, GCM-AES-XPN-256\n",
		"10Gbps  aws, GCM-AES-256\n",
		"port    MACsec\n",
		"10Gbps  must_encrypt, GCM-AES-XPN-256\n",
		"10Gbps  should_encrypt, GCM-AES-XPN-256\n",
		"10Gbps  no_encrypt\n",
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text plan lacks %q:\n%s", want, text.String())
		}
	}
}

// TestMACsecCipherFindings: what the rule says, beyond where (the corpus
// checks where).
func TestMACsecCipherFindings(t *testing.T) {
	p := plantest.Source(t, macsecNets+`west = gcp_vpc("west", project = "acme", region = "us-west1", cidr = "10.21.0.0/16", mtu = 8500)
interconnect("big", provider = "gcp", aws_region = "us-east-1", peer_region = "us-east4", bandwidth = "100Gbps", attach_to = dxgw, peer = east, macsec_cipher = "GCM-AES-256")
interconnect("small", provider = "gcp", aws_region = "us-west-2", peer_region = "us-west1", bandwidth = "10Gbps", attach_to = dxgw, peer = west, macsec_cipher = "GCM-AES-128")
last_mile("hq", partner = "lumen", region = "us-east-1", bandwidth = "1Gbps", site = hq, attach_to = dxgw, macsec_cipher = "GCM-AES-XPN-128")
london = gcp_vpc("london", project = "acme", region = "europe-west2", cidr = "10.22.0.0/16", mtu = 8500)
interconnect("huge", provider = "gcp", aws_region = "eu-west-2", peer_region = "europe-west2", bandwidth = "2Tbps", attach_to = dxgw, peer = london, macsec_cipher = "GCM-AES-256")
`)
	want := map[string]lang.Diagnostic{
		"interconnect.big": {Summary: "interconnect.big: MACsec cipher GCM-AES-256 is not supported on the 100Gbps ports of its channels",
			Detail: "from 100 Gbps AWS requires extended packet numbering (XPN): a 32-bit packet number runs out in under a minute of small frames at that rate",
			Hint:   `AWS supports GCM-AES-XPN-256 on 100Gbps ports: set macsec_cipher = "GCM-AES-XPN-256"`},
		"interconnect.small": {Summary: "interconnect.small: MACsec cipher GCM-AES-128 has a 128-bit key, and AWS takes 256-bit keys only",
			Hint: `AWS supports GCM-AES-256 or GCM-AES-XPN-256 on 10Gbps ports: set macsec_cipher = "GCM-AES-XPN-256"`},
		// No Interconnect is offered this large (bandwidth-invalid says so),
		// but its 250 Gbps members would need 400G ports, XPN only.
		"interconnect.huge": {Summary: "interconnect.huge: MACsec cipher GCM-AES-256 is not supported on the 400Gbps ports of its channels",
			Detail: "from 100 Gbps AWS requires extended packet numbering (XPN): a 32-bit packet number runs out in under a minute of small frames at that rate",
			Hint:   `AWS supports GCM-AES-XPN-256 on 400Gbps ports: set macsec_cipher = "GCM-AES-XPN-256"`},
		"last_mile.hq": {Summary: "last_mile.hq: MACsec cipher GCM-AES-XPN-128 has a 128-bit key, and AWS takes 256-bit keys only",
			Hint: `AWS takes 256-bit suites only (GCM-AES-256 or GCM-AES-XPN-256) and publishes none for 1Gbps ports: set macsec_cipher = "GCM-AES-XPN-256"`},
	}
	got := 0
	for _, f := range p.Findings {
		if f.Rule == "bandwidth-invalid" && strings.HasPrefix(f.Summary, "interconnect.huge:") {
			continue
		}
		if f.Rule != "macsec-cipher" {
			t.Errorf("unexpected finding %s: %s", f.Rule, f.Summary)
			continue
		}
		got++
		ref, _, _ := strings.Cut(f.Summary, ":")
		w, ok := want[ref]
		if !ok || f.Summary != w.Summary || f.Detail != w.Detail || f.Hint != w.Hint || f.Severity != lang.SevError {
			t.Errorf("finding %+v\nwant %+v", f, w)
		}
	}
	if got != len(want) {
		t.Errorf("%d macsec-cipher findings, want %d", got, len(want))
	}
	if r, err := planner.RuleByID("macsec-cipher"); err != nil || !strings.Contains(r.Explain, "GCM-AES-XPN-256 only") {
		t.Errorf("rule %+v, %v", r, err)
	}
}
