package decl

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"go.starlark.net/starlark"

	"patchbay/lang"
	"patchbay/stdlib"
)

// attrString is a value's attribute as its string or Starlark form.
func attrString(t *testing.T, v starlark.Value, name string) string {
	t.Helper()
	a, err := v.(starlark.HasAttrs).Attr(name)
	if err != nil || a == nil {
		t.Fatalf("%s has no .%s", v.Type(), name)
	}
	if s, ok := starlark.AsString(a); ok {
		return s
	}
	return a.String()
}

func TestInterconnectMACsecCipher(t *testing.T) {
	for _, tc := range []struct {
		name  string
		extra []any
		want  string // stored; "" is the catalog's default
		attr  string
	}{
		{"default", nil, "", "None"},
		{"None", []any{"macsec_cipher", starlark.None}, "", "None"},
		{"canonical", []any{"macsec_cipher", "GCM-AES-XPN-256"}, "GCM-AES-XPN-256", "GCM-AES-XPN-256"},
		{"lower case", []any{"macsec_cipher", "gcm-aes-256"}, "GCM-AES-256", "GCM-AES-256"},
		{"mixed case", []any{"macsec_cipher", "Gcm-Aes-Xpn-128"}, "GCM-AES-XPN-128", "GCM-AES-XPN-128"},
		// A 128-bit suite is a suite: that AWS refuses it is the planner's
		// finding (macsec-cipher), which knows the port speed.
		{"128-bit", []any{"macsec_cipher", "GCM-AES-128"}, "GCM-AES-128", "GCM-AES-128"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newScenarioBuilder(t)
			v := s.must("interconnect", nil, append([]any{"name", "ic2", "provider", "gcp", "aws_region", "us-east-1", "peer_region", "us-east4",
				"bandwidth", "100Gbps", "attach_to", s.res(lang.KindDXGateway, "core"), "peer", s.ana()}, tc.extra...)...)
			if got := s.b.Design().Interconnects[1].MACsecCipher; got != tc.want {
				t.Errorf("MACsecCipher = %q, want %q", got, tc.want)
			}
			if got := attrString(t, v, "macsec_cipher"); got != tc.attr {
				t.Errorf(".macsec_cipher = %s, want %s", got, tc.attr)
			}
		})
	}
}

func TestLastMileMACsecParameters(t *testing.T) {
	for _, tc := range []struct {
		name         string
		extra        []any
		macsec       bool
		mode, cipher string
	}{
		{"defaults", nil, true, "", ""},
		{"must_encrypt", []any{"macsec_mode", "must_encrypt"}, true, "must_encrypt", ""},
		{"should_encrypt", []any{"macsec_mode", "should_encrypt", "macsec_cipher", "gcm-aes-xpn-256"}, true, "should_encrypt", "GCM-AES-XPN-256"},
		{"no_encrypt with MACsec on", []any{"macsec_mode", "no_encrypt"}, true, "no_encrypt", ""},
		{"no_encrypt with MACsec off", []any{"macsec", starlark.False, "macsec_mode", "no_encrypt"}, false, "no_encrypt", ""},
		// With MACsec off the cipher is moot, not wrong: the planner
		// derives no cipher and raises nothing.
		{"cipher with MACsec off", []any{"macsec", starlark.False, "macsec_cipher", "GCM-AES-128"}, false, "", "GCM-AES-128"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newScenarioBuilder(t)
			v := s.must("last_mile", nil, append([]any{"name", "lm2", "partner", "lumen", "region", "us-east-1", "bandwidth", "10Gbps",
				"site", s.res(lang.KindSite, "hq"), "attach_to", s.res(lang.KindDXGateway, "core")}, tc.extra...)...)
			lm := s.b.Design().LastMiles[1]
			if lm.MACsec != tc.macsec || lm.MACsecMode != stdlib.MACsecMode(tc.mode) || lm.MACsecCipher != tc.cipher {
				t.Errorf("macsec %v mode %q cipher %q, want %v %q %q", lm.MACsec, lm.MACsecMode, lm.MACsecCipher, tc.macsec, tc.mode, tc.cipher)
			}
			none := func(s string) string {
				if s == "" {
					return "None"
				}
				return s
			}
			if got := attrString(t, v, "macsec_mode"); got != none(tc.mode) {
				t.Errorf(".macsec_mode = %s, want %s", got, none(tc.mode))
			}
			if got := attrString(t, v, "macsec_cipher"); got != none(tc.cipher) {
				t.Errorf(".macsec_cipher = %s, want %s", got, none(tc.cipher))
			}
		})
	}
}

func TestMACsecParameterErrors(t *testing.T) {
	s := newScenarioBuilder(t)
	ic := func(extra ...any) []any {
		return append([]any{"name", "ic2", "provider", "gcp", "aws_region", "us-east-1", "peer_region", "us-east4",
			"bandwidth", "10Gbps", "attach_to", s.res(lang.KindDXGateway, "core"), "peer", s.ana()}, extra...)
	}
	lm := func(extra ...any) []any {
		return append([]any{"name", "lm2", "partner", "lumen", "region", "us-east-1", "bandwidth", "10Gbps",
			"site", s.res(lang.KindSite, "hq"), "attach_to", s.res(lang.KindDXGateway, "core")}, extra...)
	}
	for _, tc := range []struct {
		name, fn string
		pairs    []any
		param    string
		errMsg   string
		hint     string
	}{
		{"interconnect cipher typo", "interconnect", ic("macsec_cipher", "GCM-AES-XPN256"), "macsec_cipher",
			`interconnect: macsec_cipher: unknown MACsec cipher suite "GCM-AES-XPN256"`, `did you mean "GCM-AES-XPN-256"?`},
		{"lower-case typo suggests canonical", "interconnect", ic("macsec_cipher", "gcm-aes-265"), "macsec_cipher",
			`unknown MACsec cipher suite "gcm-aes-265"`, `did you mean "GCM-AES-256"?`},
		{"cipher far from any", "interconnect", ic("macsec_cipher", "ChaCha20"), "macsec_cipher",
			`unknown MACsec cipher suite "ChaCha20"`, "cipher suites: GCM-AES-128, GCM-AES-256, GCM-AES-XPN-128, GCM-AES-XPN-256"},
		{"empty cipher", "interconnect", ic("macsec_cipher", ""), "macsec_cipher", `unknown MACsec cipher suite ""`, "cipher suites:"},
		{"cipher not a string", "interconnect", ic("macsec_cipher", 256), "macsec_cipher", "want a string, got int", ""},
		{"last_mile cipher typo", "last_mile", lm("macsec_cipher", "GCM-AES-XPN-265"), "macsec_cipher",
			`last_mile: macsec_cipher: unknown MACsec cipher suite "GCM-AES-XPN-265"`, `did you mean "GCM-AES-XPN-256"?`},
		{"mode typo", "last_mile", lm("macsec_mode", "must_encrpyt"), "macsec_mode",
			`last_mile: macsec_mode: unknown MACsec mode "must_encrpyt"`, `did you mean "must_encrypt"?`},
		{"mode far from any", "last_mile", lm("macsec_mode", "always"), "macsec_mode",
			`unknown MACsec mode "always"`, "known modes: no_encrypt, should_encrypt, must_encrypt"},
		{"mode not a string", "last_mile", lm("macsec_mode", starlark.True), "macsec_mode", "want a string, got bool", ""},
		{"must_encrypt without MACsec", "last_mile", lm("macsec", starlark.False, "macsec_mode", "must_encrypt"), "macsec_mode",
			`last_mile: macsec_mode: "must_encrypt" encrypts, but macsec = False turns MACsec off`, `leave out macsec = False, or set macsec_mode = "no_encrypt"`},
		{"should_encrypt without MACsec", "last_mile", lm("macsec", starlark.False, "macsec_mode", "should_encrypt"), "macsec_mode",
			`"should_encrypt" encrypts, but macsec = False`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.call(tc.fn, nil, tc.pairs...)
			ae := argErr(t, err, tc.param, tc.errMsg)
			if !strings.Contains(ae.Hint, tc.hint) {
				t.Errorf("hint %q, want it to contain %q", ae.Hint, tc.hint)
			}
		})
	}
}

func TestKeyEvents(t *testing.T) {
	s := newScenarioBuilder(t)
	timed := func(at, fn string, args starlark.Tuple, pairs ...any) (starlark.Value, lang.Range) {
		a := s.must(fn, args, pairs...)
		r := line(s.next)
		return s.must("at", starlark.Tuple{starlark.String(at), a}), r
	}
	e1, r1 := timed("1m", "rotate_key", nil, "channel", "ic/ch1")
	e2, r2 := timed("3h", "rotate_key", starlark.Tuple{starlark.String("ic/ch2"), starlark.String("gcp")})
	e3, r3 := timed("4h", "rotate_key", nil, "channel", "lm/conn1", "by", "customer")
	e4, r4 := timed("2h", "remove_key", nil, "channel", "ic/ch1")
	e5, r5 := timed("2h", "remove_key", starlark.Tuple{starlark.String("ic/ch1"), starlark.String("active")})
	e6, r6 := timed("5h", "mismatch_key", nil, "channel", "lm/conn2")
	e7, r7 := timed("5h", "mismatch_key", nil, "channel", "ic/ch3", "key", "ckn")
	s.must("scenario", nil, "name", "keys", "duration", "6h", "events", []starlark.Value{e1, e2, e3, e4, e5, e6, e7})

	ch := func(n string) lang.Target { return lang.Target{Kind: lang.TargetChannel, Name: n} }
	want := []lang.Event{
		{At: time.Minute, Action: lang.ActionRotateKey, Target: ch("ic/ch1"), By: "aws", Range: r1},
		{At: 2 * time.Hour, Action: lang.ActionRemoveKey, Target: ch("ic/ch1"), Key: "previous", Range: r4},
		{At: 2 * time.Hour, Action: lang.ActionRemoveKey, Target: ch("ic/ch1"), Key: "active", Range: r5},
		{At: 3 * time.Hour, Action: lang.ActionRotateKey, Target: ch("ic/ch2"), By: "gcp", Range: r2},
		{At: 4 * time.Hour, Action: lang.ActionRotateKey, Target: ch("lm/conn1"), By: "customer", Range: r3},
		{At: 5 * time.Hour, Action: lang.ActionMismatchKey, Target: ch("lm/conn2"), Key: "cak", Range: r6},
		{At: 5 * time.Hour, Action: lang.ActionMismatchKey, Target: ch("ic/ch3"), Key: "ckn", Range: r7},
	}
	if got := s.b.Design().Scenarios[0].Events; !reflect.DeepEqual(got, want) {
		t.Errorf("events\n got %+v\nwant %+v", got, want)
	}

	for _, c := range []struct {
		v          starlark.Value
		name, want string
	}{
		{e1, "action", "rotate_key"}, {e1, "target", "ic/ch1"}, {e1, "target_kind", "channel"}, {e1, "by", "aws"}, {e1, "key", "None"},
		{e3, "by", "customer"}, {e5, "action", "remove_key"}, {e5, "key", "active"}, {e5, "by", "None"},
		{e7, "action", "mismatch_key"}, {e7, "key", "ckn"}, {e7, "at", "5h"}, {e7, "prepend", "None"},
	} {
		if got := attrString(t, c.v, c.name); got != c.want {
			t.Errorf("%s().%s = %s, want %s", attrString(t, c.v, "action"), c.name, got, c.want)
		}
	}
	// Other events have the key attributes too, as None.
	fail := s.must("fail", nil, "link", "x")
	for _, a := range []string{"by", "key"} {
		if got := attrString(t, fail, a); got != "None" {
			t.Errorf("fail().%s = %s, want None", a, got)
		}
	}
}

func TestKeyEventErrors(t *testing.T) {
	s := newScenarioBuilder(t)
	for _, tc := range []struct {
		name, fn string
		pairs    []any
		param    string
		errMsg   string
		hint     string
	}{
		{"rotate without channel", "rotate_key", []any{"by", "aws"}, "channel", "missing required argument (string)", ""},
		{"rotate empty channel", "rotate_key", []any{"channel", ""}, "channel", "must not be empty", ""},
		{"rotate channel a resource", "rotate_key", []any{"channel", s.res(lang.KindInterconnect, "ic")}, "channel", `want a string, got interconnect "ic"`, ""},
		{"rotate by typo", "rotate_key", []any{"channel", "ic/ch1", "by", "asw"}, "by",
			`rotate_key: by: "asw" is not one of "aws", "gcp", "customer"`, `did you mean "aws"?`},
		{"rotate by upper case", "rotate_key", []any{"channel", "ic/ch1", "by", "AWS"}, "by", `"AWS" is not one of`, `did you mean "aws"?`},
		{"rotate by another cloud", "rotate_key", []any{"channel", "ic/ch1", "by", "azure"}, "by", `"azure" is not one of`,
			"aws or the partner cloud (gcp) on an Interconnect channel, customer on a last-mile connection"},
		{"rotate by not a string", "rotate_key", []any{"channel", "ic/ch1", "by", 1}, "by", "want a string, got int", ""},
		{"rotate takes no key", "rotate_key", []any{"channel", "ic/ch1", "key", "cak"}, "key", `unknown keyword argument "key"`, ""},
		{"rotate takes no facility", "rotate_key", []any{"facility", "us-east-1/fac-a"}, "facility", `unknown keyword argument "facility"`, ""},
		{"remove without channel", "remove_key", []any{"key", "previous"}, "channel", "missing required argument", ""},
		{"remove key typo", "remove_key", []any{"channel", "ic/ch1", "key", "previuos"}, "key",
			`remove_key: key: "previuos" is not one of "previous", "active"`, `did you mean "previous"?`},
		{"remove a CAK", "remove_key", []any{"channel", "ic/ch1", "key", "cak"}, "key", `"cak" is not one of "previous", "active"`, `"previous" deletes the key a rotation replaced`},
		{"remove takes no by", "remove_key", []any{"channel", "ic/ch1", "by", "aws"}, "by", `unknown keyword argument "by"`, ""},
		{"mismatch without channel", "mismatch_key", nil, "channel", "missing required argument", ""},
		{"mismatch key typo", "mismatch_key", []any{"channel", "lm/conn1", "key", "ckm"}, "key",
			`mismatch_key: key: "ckm" is not one of "cak", "ckn"`, `did you mean "ckn"?`},
		{"mismatch previous", "mismatch_key", []any{"channel", "lm/conn1", "key", "previous"}, "key", `"previous" is not one of "cak", "ckn"`, "which one the far end gets wrong"},
		{"mismatch key not a string", "mismatch_key", []any{"channel", "lm/conn1", "key", starlark.None}, "", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.call(tc.fn, nil, tc.pairs...)
			if tc.param == "" {
				// None is "not given": the default applies.
				if err != nil {
					t.Fatalf("%v, want the default", err)
				}
				return
			}
			ae := argErr(t, err, tc.param, tc.errMsg)
			if !strings.Contains(ae.Hint, tc.hint) {
				t.Errorf("hint %q, want it to contain %q", ae.Hint, tc.hint)
			}
		})
	}

	// at() takes the key actions, and a bare one is refused with a hint.
	bare := s.must("rotate_key", nil, "channel", "ic/ch1")
	bareAt := line(s.next)
	_, err := s.call("scenario", nil, "name", "s", "events", []starlark.Value{bare})
	d := elemErr(t, err, bareAt, "argument", "scenario: events: element 0: rotate_key() has no time")
	if !strings.Contains(d.Hint, `at("60s", rotate_key(…))`) {
		t.Errorf("hint %q", d.Hint)
	}
}

func TestMACsecDocs(t *testing.T) {
	docs := map[string]BuiltinDoc{}
	for _, d := range Builtins() {
		docs[d.Name] = d
	}
	for name, want := range map[string]string{
		"rotate_key":   `rotate_key(channel, by = "aws")`,
		"remove_key":   `remove_key(channel, key = "previous")`,
		"mismatch_key": `mismatch_key(channel, key = "cak")`,
		"interconnect": `interconnect(name, provider, aws_region, peer_region, bandwidth, attach_to, peer, segment = None, mtu = highest both support, devices = spread over fac-a and fac-b, macsec_cipher = None)`,
		"last_mile":    `last_mile(name, partner, region, bandwidth, site, attach_to, macsec = True, bfd = True, macsec_mode = None, macsec_cipher = None)`,
	} {
		if got := docs[name].Signature(); got != want {
			t.Errorf("%s: signature %q, want %q", name, got, want)
		}
	}
	for name, parts := range map[string][]string{
		"rotate_key": {"MACsec manager installs a new CAK/CKN on both ends and MKA moves to it", "the previous key stays until removed",
			"only the manager rotates, one channel of an interconnect at a time, a two-hour bake after each rotation, at most two keys per channel"},
		"remove_key":   {"deletes the previous key (the active one cannot be deleted: the run reports the attempt)"},
		"mismatch_key": {"a different CAK (or CKN) than the AWS end", "6 s live-peer lifetime", "must_encrypt takes the link down while should_encrypt carries traffic in the clear"},
	} {
		for _, p := range parts {
			if !strings.Contains(docs[name].Summary, p) {
				t.Errorf("%s: summary %q lacks %q", name, docs[name].Summary, p)
			}
		}
	}
	// The cipher parameter's documentation comes from the catalog.
	for _, fn := range []string{"interconnect", "last_mile"} {
		for _, p := range docs[fn].Params {
			if p.Name == "macsec_cipher" && !strings.Contains(p.Doc, "GCM-AES-XPN-256 on 100Gbps and 400Gbps ports; None: GCM-AES-XPN-256") {
				t.Errorf("%s: macsec_cipher doc %q", fn, p.Doc)
			}
		}
	}
}
