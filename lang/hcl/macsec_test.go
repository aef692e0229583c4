package hcl

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"patchbay/lang"
	"patchbay/lang/starlark"
)

// TestMACsecAttributes: the MACsec attributes of interconnect and last_mile
// blocks declare what the Starlark arguments of the same names do.
func TestMACsecAttributes(t *testing.T) {
	src := scenarioNets + `
interconnect "use1-gcp-100g" {
  provider      = "gcp"
  aws_region    = "us-east-1"
  peer_region   = "us-east4"
  bandwidth     = "100Gbps"
  attach_to     = dx_gateway.core
  peer          = gcp_vpc.analytics
  macsec_cipher = "gcm-aes-xpn-256"
}

site "hq" {
  cidr = "192.168.0.0/16"
  asn  = 65001
}

last_mile "hq" {
  partner       = "lumen"
  region        = "us-east-1"
  bandwidth     = "10Gbps"
  site          = site.hq
  attach_to     = dx_gateway.core
  macsec_mode   = "should_encrypt"
  macsec_cipher = "GCM-AES-256"
}

last_mile "branch" {
  partner     = "lumen"
  region      = "us-east-1"
  bandwidth   = "1Gbps"
  site        = site.hq
  attach_to   = dx_gateway.core
  macsec      = false
  macsec_mode = "no_encrypt"
}
`
	d, err := loadHCL(t, src)
	if err != nil {
		t.Fatal(err)
	}
	star := `analytics = gcp_vpc("analytics", project = "p", region = "us-east4", cidr = "10.20.0.0/16")
core = dx_gateway("core")
interconnect("use1-gcp", provider = "gcp", aws_region = "us-east-1", peer_region = "us-east4", bandwidth = "5Gbps", attach_to = core, peer = analytics)
interconnect("use1-gcp-100g", provider = "gcp", aws_region = "us-east-1", peer_region = "us-east4", bandwidth = "100Gbps", attach_to = core, peer = analytics,
             macsec_cipher = "gcm-aes-xpn-256")
hq = site("hq", cidr = "192.168.0.0/16", asn = 65001)
last_mile("hq", partner = "lumen", region = "us-east-1", bandwidth = "10Gbps", site = hq, attach_to = core,
          macsec_mode = "should_encrypt", macsec_cipher = "GCM-AES-256")
last_mile("branch", partner = "lumen", region = "us-east-1", bandwidth = "1Gbps", site = hq, attach_to = core, macsec = False, macsec_mode = "no_encrypt")
`
	sd, err := starlark.LoadFS(context.Background(), fstest.MapFS{"main.star": {Data: []byte(star)}}, "", "main.star", starlark.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, ic := range d.Interconnects {
		a, b := *ic, *sd.Interconnects[i]
		a.Meta, b.Meta = lang.Meta{Name: a.Name}, lang.Meta{Name: b.Name}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("interconnect %s: HCL and Starlark disagree:\n hcl: %+v\nstar: %+v", ic.Name, a, b)
		}
	}
	for i, lm := range d.LastMiles {
		a, b := *lm, *sd.LastMiles[i]
		a.Meta, b.Meta = lang.Meta{Name: a.Name}, lang.Meta{Name: b.Name}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("last_mile %s: HCL and Starlark disagree:\n hcl: %+v\nstar: %+v", lm.Name, a, b)
		}
	}
	// Spot checks, so that agreeing on something wrong fails too.
	if ic := d.Interconnects; ic[0].MACsecCipher != "" || ic[1].MACsecCipher != "GCM-AES-XPN-256" {
		t.Errorf("interconnect ciphers %q and %q, want the default and GCM-AES-XPN-256", ic[0].MACsecCipher, ic[1].MACsecCipher)
	}
	if lm := d.LastMiles[0]; !lm.MACsec || lm.MACsecMode != "should_encrypt" || lm.MACsecCipher != "GCM-AES-256" {
		t.Errorf("last_mile hq %+v", lm)
	}
	if lm := d.LastMiles[1]; lm.MACsec || lm.MACsecMode != "no_encrypt" || lm.MACsecCipher != "" {
		t.Errorf("last_mile branch %+v", lm)
	}
}

func TestMACsecAttributeErrors(t *testing.T) {
	lastMile := func(attrs string) string {
		return lastMileNets + `
last_mile "lm" {
  partner   = "lumen"
  region    = "us-east-1"
  bandwidth = "10Gbps"
  site      = site.hq
  attach_to = dx_gateway.core
` + attrs + `}
`
	}
	for _, tc := range []struct {
		name, src string
		at        string // where the error starts: the first occurrence in src
		summary   string
		hint      string
	}{
		{"interconnect cipher", scenarioNets + `
interconnect "x" {
  provider      = "gcp"
  aws_region    = "us-east-1"
  peer_region   = "us-east4"
  bandwidth     = "10Gbps"
  attach_to     = dx_gateway.core
  peer          = gcp_vpc.analytics
  macsec_cipher = "GCM-AES-XPN256"
}
`, `"GCM-AES-XPN256"`, `interconnect: macsec_cipher: unknown MACsec cipher suite "GCM-AES-XPN256"`, `did you mean "GCM-AES-XPN-256"?`},
		{"last_mile cipher", lastMile("  macsec_cipher = \"aes-256\"\n"), `"aes-256"`,
			`last_mile: macsec_cipher: unknown MACsec cipher suite "aes-256"`, "cipher suites: GCM-AES-128, GCM-AES-256, GCM-AES-XPN-128, GCM-AES-XPN-256"},
		{"cipher a number", lastMile("  macsec_cipher = 256\n"), `256`, "last_mile: macsec_cipher: want a string, got int", ""},
		{"mode", lastMile("  macsec_mode = \"must\"\n"), `"must"`, `last_mile: macsec_mode: unknown MACsec mode "must"`,
			"known modes: no_encrypt, should_encrypt, must_encrypt"},
		{"mode without MACsec", lastMile("  macsec      = false\n  macsec_mode = \"must_encrypt\"\n"), `"must_encrypt"`,
			`last_mile: macsec_mode: "must_encrypt" encrypts, but macsec = False turns MACsec off`, `leave out macsec = False, or set macsec_mode = "no_encrypt"`},
		{"misspelt attribute", lastMile("  macsec_cypher = \"GCM-AES-256\"\n"), `macsec_cypher`,
			`last_mile: unknown argument "macsec_cypher"`, `did you mean "macsec_cipher"?`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadHCL(t, tc.src)
			var se *lang.SourceError
			if !errors.As(err, &se) || len(se.Diagnostics) != 1 {
				t.Fatalf("got %v, want one diagnostic", err)
			}
			d := se.Diagnostics[0]
			if d.Summary != tc.summary || d.Hint != tc.hint {
				t.Errorf("got %q (hint %q)\nwant %q (hint %q)", d.Summary, d.Hint, tc.summary, tc.hint)
			}
			if want := posOf(t, tc.src, tc.at); d.Range.File != "main.hcl" || d.Range.Start != want {
				t.Errorf("error at %v, want main.hcl:%d:%d", d.Range, want.Line, want.Col)
			}
		})
	}
}

// TestKeyEventBlocks: event blocks with the key actions become the same
// events as their Starlark calls.
func TestKeyEventBlocks(t *testing.T) {
	src := scenarioNets + `
scenario "keys" {
  duration = "6h"

  event {
    at      = "1m"
    action  = "rotate_key"
    channel = "use1-gcp/ch1"
  }

  event {
    at      = "3h"
    action  = "rotate_key"
    channel = "use1-gcp/ch2"
    by      = "gcp"
  }

  event {
    at      = "2h"
    action  = "remove_key"
    channel = "use1-gcp/ch1"
  }

  event {
    at      = "2h"
    action  = "remove_key"
    channel = "use1-gcp/ch1"
    key     = "active"
  }

  event {
    at      = "5h"
    action  = "mismatch_key"
    channel = "hq/conn1"
  }

  event {
    at      = "5h"
    action  = "mismatch_key"
    channel = "use1-gcp/ch3"
    key     = "ckn"
  }
}
`
	d, err := loadHCL(t, src)
	if err != nil {
		t.Fatal(err)
	}
	star := `analytics = gcp_vpc("analytics", project = "p", region = "us-east4", cidr = "10.20.0.0/16")
core = dx_gateway("core")
interconnect("use1-gcp", provider = "gcp", aws_region = "us-east-1", peer_region = "us-east4", bandwidth = "5Gbps", attach_to = core, peer = analytics)
scenario("keys", duration = "6h", events = [
    at("1m", rotate_key("use1-gcp/ch1")),
    at("3h", rotate_key("use1-gcp/ch2", by = "gcp")),
    at("2h", remove_key("use1-gcp/ch1")),
    at("2h", remove_key("use1-gcp/ch1", key = "active")),
    at("5h", mismatch_key("hq/conn1")),
    at("5h", mismatch_key(channel = "use1-gcp/ch3", key = "ckn")),
])
`
	sd, err := starlark.LoadFS(context.Background(), fstest.MapFS{"main.star": {Data: []byte(star)}}, "", "main.star", starlark.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := d.Scenarios[0]
	if a, b := withoutRanges(*got), withoutRanges(*sd.Scenarios[0]); !reflect.DeepEqual(a, b) {
		t.Errorf("HCL and Starlark disagree:\n hcl: %+v\nstar: %+v", a, b)
	}
	ch := func(n string) lang.Target { return lang.Target{Kind: lang.TargetChannel, Name: n} }
	want := []lang.Event{
		{At: time.Minute, Action: lang.ActionRotateKey, Target: ch("use1-gcp/ch1"), By: "aws"},
		{At: 2 * time.Hour, Action: lang.ActionRemoveKey, Target: ch("use1-gcp/ch1"), Key: "previous"},
		{At: 2 * time.Hour, Action: lang.ActionRemoveKey, Target: ch("use1-gcp/ch1"), Key: "active"},
		{At: 3 * time.Hour, Action: lang.ActionRotateKey, Target: ch("use1-gcp/ch2"), By: "gcp"},
		{At: 5 * time.Hour, Action: lang.ActionMismatchKey, Target: ch("hq/conn1"), Key: "cak"},
		{At: 5 * time.Hour, Action: lang.ActionMismatchKey, Target: ch("use1-gcp/ch3"), Key: "ckn"},
	}
	if a := withoutRanges(*got).Events; !reflect.DeepEqual(a, want) {
		t.Errorf("events\n got %+v\nwant %+v", a, want)
	}
	// An event is placed at its channel, where the simulator's report of an
	// unknown one should point.
	if want := posOf(t, src, `"hq/conn1"`); got.Events[4].Range.Start != want {
		t.Errorf("mismatch_key at %v, want %d:%d", got.Events[4].Range, want.Line, want.Col)
	}
}

func TestKeyEventBlockErrors(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		at         string // where the error starts: the first occurrence in the body
		summary    string
		hint       string
	}{
		{"unknown party", `
  event {
    at      = "1m"
    action  = "rotate_key"
    channel = "use1-gcp/ch1"
    by      = "azure"
  }
`, `"azure"`, `event: by: "azure" is not one of "aws", "gcp", "customer"`,
			"aws or the partner cloud (gcp) on an Interconnect channel, customer on a last-mile connection"},
		{"party typo", `
  event {
    at      = "1m"
    action  = "rotate_key"
    channel = "use1-gcp/ch1"
    by      = "GCP"
  }
`, `"GCP"`, `event: by: "GCP" is not one of "aws", "gcp", "customer"`, `did you mean "gcp"?`},
		{"removing a CKN", `
  event {
    at      = "1m"
    action  = "remove_key"
    channel = "use1-gcp/ch1"
    key     = "ckn"
  }
`, `"ckn"`, `event: key: "ckn" is not one of "previous", "active"`,
			`"previous" deletes the key a rotation replaced; "active" attempts to delete the one in use, which is refused`},
		{"mismatch typo", `
  event {
    at      = "1m"
    action  = "mismatch_key"
    channel = "use1-gcp/ch1"
    key     = "cka"
  }
`, `"cka"`, `event: key: "cka" is not one of "cak", "ckn"`, `did you mean "cak"?`},
		{"key on a rotation", `
  event {
    at      = "1m"
    action  = "rotate_key"
    channel = "use1-gcp/ch1"
    key     = "cak"
  }
`, `key `, "event: a rotate_key event takes no key (key is for remove_key and mismatch_key)", ""},
		{"by on a fail", `
  event {
    at      = "1m"
    action  = "fail"
    channel = "use1-gcp/ch1"
    by      = "aws"
  }
`, `by `, "event: a fail event takes no by (by is for rotate_key)", ""},
		{"rotation of a facility", `
  event {
    at       = "1m"
    action   = "rotate_key"
    facility = "us-east-1/fac-a"
  }
`, `facility`, "event: a rotate_key event takes no facility (facility is for fail and restore)", ""},
		{"rotation without a channel", `
  event {
    at     = "1m"
    action = "rotate_key"
  }
`, `event`, "event: channel: missing required argument (string)", ""},
		{"unknown action", `
  event {
    at      = "1m"
    action  = "rotate_keys"
    channel = "use1-gcp/ch1"
  }
`, `"rotate_keys"`, `event: action: unknown action "rotate_keys"`, `did you mean "rotate_key"?`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			head := scenarioNets + "\nscenario \"s\" {"
			src := head + tc.body + "}\n"
			_, err := loadHCL(t, src)
			var se *lang.SourceError
			if !errors.As(err, &se) || len(se.Diagnostics) != 1 {
				t.Fatalf("got %v, want one diagnostic", err)
			}
			d := se.Diagnostics[0]
			if d.Summary != tc.summary || d.Hint != tc.hint {
				t.Errorf("got %q (hint %q)\nwant %q (hint %q)", d.Summary, d.Hint, tc.summary, tc.hint)
			}
			i := strings.Index(tc.body, tc.at)
			if i < 0 {
				t.Fatalf("%q not in the case", tc.at)
			}
			if want := posIn(src, len(head)+i); d.Range.File != "main.hcl" || d.Range.Start != want {
				t.Errorf("error at %v, want main.hcl:%d:%d", d.Range, want.Line, want.Col)
			}
		})
	}
}
