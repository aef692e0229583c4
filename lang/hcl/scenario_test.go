package hcl

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"
	"unicode/utf8"

	"patchbay/lang"
	"patchbay/lang/starlark"
	"patchbay/stdlib"
)

const scenarioNets = `vpc "payments" {
  region = "us-east-1"
  cidr   = "10.10.0.0/16"
}

gcp_vpc "analytics" {
  project = "p"
  region  = "us-east4"
  cidr    = "10.20.0.0/16"
}

transit_gateway "hub" {
  region = "us-east-1"
}

dx_gateway "core" {}

interconnect "use1-gcp" {
  provider    = "gcp"
  aws_region  = "us-east-1"
  peer_region = "us-east4"
  bandwidth   = "5Gbps"
  attach_to   = dx_gateway.core
  peer        = gcp_vpc.analytics
}
`

func loadHCL(t *testing.T, src string) (*lang.Design, error) {
	t.Helper()
	return LoadFS(context.Background(), fstest.MapFS{"main.hcl": {Data: []byte(src)}}, "", "main.hcl", Options{})
}

// posOf is the 1-based line and column of the first occurrence of needle.
func posOf(t *testing.T, src, needle string) lang.Pos {
	t.Helper()
	i := strings.Index(src, needle)
	if i < 0 {
		t.Fatalf("%q not in the source", needle)
	}
	return posIn(src, i)
}

// posIn is the 1-based line and column of byte offset i of src.
func posIn(src string, i int) lang.Pos {
	lineStart := strings.LastIndex(src[:i], "\n") + 1
	return lang.Pos{Line: int32(strings.Count(src[:i], "\n") + 1), Col: int32(utf8.RuneCountInString(src[lineStart:i]) + 1)}
}

// withoutRanges clears what differs between the languages: where things
// were written.
func withoutRanges(sc lang.Scenario) lang.Scenario {
	sc.Meta = lang.Meta{Name: sc.Name}
	sc.Flows = append([]lang.Flow{}, sc.Flows...)
	for i := range sc.Flows {
		sc.Flows[i].Range = lang.Range{}
	}
	sc.Probes = append([]lang.Probe{}, sc.Probes...)
	for i := range sc.Probes {
		sc.Probes[i].Range = lang.Range{}
	}
	sc.Events = append([]lang.Event{}, sc.Events...)
	for i := range sc.Events {
		sc.Events[i].Range = lang.Range{}
	}
	return sc
}

// TestScenarioBlock: a scenario block declares what the same scenario()
// call does in Starlark, every action and target form included.
func TestScenarioBlock(t *testing.T) {
	src := scenarioNets + `
scenario "facility-loss" {
  duration = "10m"

  flow {
    source      = vpc.payments
    destination = gcp_vpc.analytics
    rate        = "2Gbps"
  }

  flow {
    name        = "back"
    source      = gcp_vpc.analytics
    destination = vpc.payments
    packet_size = 9001
    start       = "30s"
    stop        = "4m"
  }

  probe {
    source      = vpc.payments
    destination = gcp_vpc.analytics
    interval    = "500ms"
  }

  event {
    at       = "180s"
    action   = "restore"
    facility = "us-east-1/fac-a"
  }

  event {
    at       = "60s"
    action   = "fail"
    facility = "us-east-1/fac-a"
  }

  event {
    at     = "60s"
    action = "fail"
    device = transit_gateway.hub
  }

  event {
    at      = "2m"
    action  = "fail"
    link    = "use1-gcp/ch1/m1"
    channel = null
  }

  event {
    at           = "2m"
    action       = "set_bandwidth"
    bandwidth    = "10Gbps"
    interconnect = interconnect.use1-gcp
  }

  event {
    at           = "3m"
    action       = "set_bandwidth"
    bandwidth    = "1Gbps"
    interconnect = "use1-gcp"
  }

  event {
    at        = "3m"
    action    = "set_bandwidth"
    bandwidth = "2Gbps"
    last_mile = "hq"
  }

  event {
    at      = "4m"
    action  = "restore"
    channel = "use1-gcp/ch1"
  }

  event {
    at       = "5m"
    action   = "maintenance"
    device   = "us-east-1/fac-a/aws-r1"
    duration = "2m"
  }

  event {
    at     = "10m"
    action = "maintenance"
    device = dx_gateway.core
  }

  event {
    at             = "10m"
    action         = "advertise"
    channel        = "hq/conn1"
    prepend        = 2
    communities    = ["7224:7300", "64512:0100"]
    med            = 4294967295
    extra_prefixes = 5
  }

  event {
    at          = "10m"
    action      = "advertise"
    channel     = "use1-gcp/ch2"
    communities = []
  }
}
`
	d, err := loadHCL(t, src)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Scenarios) != 1 {
		t.Fatalf("%d scenarios", len(d.Scenarios))
	}
	got := d.Scenarios[0]

	star := `payments = vpc("payments", region = "us-east-1", cidr = "10.10.0.0/16")
analytics = gcp_vpc("analytics", project = "p", region = "us-east4", cidr = "10.20.0.0/16")
hub = transit_gateway("hub", region = "us-east-1")
core = dx_gateway("core")
ic = interconnect("use1-gcp", provider = "gcp", aws_region = "us-east-1", peer_region = "us-east4", bandwidth = "5Gbps", attach_to = core, peer = analytics)
scenario("facility-loss", duration = "10m",
    flows = [flow(payments, analytics, rate = "2Gbps"),
             flow(analytics, payments, name = "back", packet_size = 9001, start = "30s", stop = "4m")],
    probes = [probe(payments, analytics, interval = "500ms")],
    events = [
        at("180s", restore(facility = "us-east-1/fac-a")),
        at("60s", fail(facility = "us-east-1/fac-a")),
        at("60s", fail(device = hub)),
        at("2m", fail(link = "use1-gcp/ch1/m1")),
        at("2m", set_bandwidth("10Gbps", interconnect = ic)),
        at("3m", set_bandwidth("1Gbps", interconnect = "use1-gcp")),
        at("3m", set_bandwidth("2Gbps", last_mile = "hq")),
        at("4m", restore(channel = "use1-gcp/ch1")),
        at("5m", maintenance("us-east-1/fac-a/aws-r1", duration = "2m")),
        at("10m", maintenance(core)),
        at("10m", advertise("hq/conn1", prepend = 2, communities = ["7224:7300", "64512:100"], med = 4294967295, extra_prefixes = 5)),
        at("10m", advertise(channel = "use1-gcp/ch2")),
    ])
`
	sd, err := starlark.LoadFS(context.Background(), fstest.MapFS{"main.star": {Data: []byte(star)}}, "", "main.star", starlark.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if a, b := withoutRanges(*got), withoutRanges(*sd.Scenarios[0]); !reflect.DeepEqual(a, b) {
		t.Errorf("HCL and Starlark disagree:\n hcl: %+v\nstar: %+v", a, b)
	}

	// Spot checks, so that agreeing on something wrong fails too.
	if got.Duration != 10*time.Minute || len(got.Flows) != 2 || len(got.Probes) != 1 || len(got.Events) != 12 {
		t.Fatalf("scenario %+v", got)
	}
	if f := got.Flows[0]; f.Name != "payments->analytics" || f.Rate != stdlib.Bandwidth(2e9) || f.PacketSize != 1500 {
		t.Errorf("flow %+v", f)
	}
	if e := got.Events[0]; e.At != time.Minute || e.Action != lang.ActionFail || e.Target != (lang.Target{Kind: lang.TargetFacility, Name: "us-east-1/fac-a"}) {
		t.Errorf("first event %+v", e)
	}
	if e := got.Events[1]; e.Target != (lang.Target{Kind: lang.TargetDevice, Name: "transit_gateway.hub"}) {
		t.Errorf("a device given as a reference: %+v", e)
	}
	if e := got.Events[3]; e.Target != (lang.Target{Kind: lang.TargetInterconnect, Name: "use1-gcp"}) || e.Bandwidth != stdlib.Bandwidth(10e9) {
		t.Errorf("an interconnect given as a reference: %+v", e)
	}
	if e := got.Events[9]; e.Duration != 30*time.Minute || e.Target.Name != "dx_gateway.core" {
		t.Errorf("maintenance by default: %+v", e)
	}
	wantAdv := lang.Advertise{Prepend: 2, Communities: []string{"7224:7300", "64512:100"}, MED: 4294967295, ExtraPrefixes: 5}
	if e := got.Events[10]; e.Action != lang.ActionAdvertise || e.Target != (lang.Target{Kind: lang.TargetChannel, Name: "hq/conn1"}) ||
		e.Advertise == nil || !reflect.DeepEqual(*e.Advertise, wantAdv) {
		t.Errorf("advertise: %+v (policy %+v), want %+v", e, e.Advertise, wantAdv)
	}
	if e := got.Events[11]; e.Advertise == nil || !reflect.DeepEqual(*e.Advertise, lang.Advertise{}) {
		t.Errorf("advertise with no settings: %+v, want plain advertising", e.Advertise)
	}

	// Ranges: a flow at its block, an event at its target, so the
	// simulator's report of an unknown name points at the name.
	checkAt := func(what string, r lang.Range, needle string) {
		t.Helper()
		if want := posOf(t, src, needle); r.File != "main.hcl" || r.Start != want {
			t.Errorf("%s at %v, want main.hcl:%d:%d", what, r, want.Line, want.Col)
		}
	}
	checkAt("flow", got.Flows[0].Range, "flow {")
	checkAt("probe", got.Probes[0].Range, "probe {")
	checkAt("event", got.Events[1].Range, "transit_gateway.hub\n")
	checkAt("advertise", got.Events[10].Range, `"hq/conn1"`)
	checkAt("scenario", got.Range, `scenario "facility-loss"`)
}

func TestScenarioBlockInstances(t *testing.T) {
	d, err := loadHCL(t, scenarioNets+`
scenario "loss" {
  for_each = toset(["fac-a", "fac-b"])

  flow {
    source      = vpc.payments
    destination = gcp_vpc.analytics
  }

  event {
    at       = "1m"
    action   = "fail"
    facility = "us-east-1/${each.key}"
  }
}
`)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Scenarios) != 2 || d.Scenarios[0].Name != "loss-fac-a" || d.Scenarios[1].Events[0].Target.Name != "us-east-1/fac-b" {
		t.Errorf("scenarios %+v", d.Scenarios)
	}
}

func TestScenarioBlockErrors(t *testing.T) {
	flow := `
  flow {
    source      = vpc.payments
    destination = gcp_vpc.analytics
  }
`
	for _, tc := range []struct {
		name, body string
		at         string // where the error starts: the first occurrence in the body
		summary    string
		hint       string
	}{
		{"at outside duration", `
  duration = "2m"
  event {
    at       = "1m"
    action   = "fail"
    facility = "f"
  }
  event {
    at       = "3m"
    action   = "restore"
    facility = "f"
  }
`, `"3m"`, "scenario: events: element 1: at 3m is after the scenario ends (duration 2m)", ""},
		{"two targets", `
  event {
    at       = "1m"
    action   = "fail"
    facility = "f"
    device   = "d"
  }
`, `"d"`, "event: device: give exactly one of link, channel, facility or device, not both facility and device", ""},
		{"no target", `
  event {
    at     = "1m"
    action = "restore"
  }
`, `event`, "event: name what it acts on: give one of link, channel, facility or device", ""},
		{"no at", `
  event {
    action = "fail"
    link   = "l"
  }
`, `event`, "an event block needs at, the time it happens", `at = "60s": the time from the start of the scenario`},
		{"no action", `
  event {
    at   = "1m"
    link = "l"
  }
`, `event`, "an event block needs an action", "action = fail | restore | set_bandwidth | maintenance | advertise | rotate_key | remove_key | mismatch_key"},
		{"unknown action", `
  event {
    at     = "1m"
    action = "restor"
    link   = "l"
  }
`, `"restor"`, `event: action: unknown action "restor"`, `did you mean "restore"?`},
		{"attribute of another action", `
  event {
    at       = "1m"
    action   = "fail"
    link     = "l"
    duration = "1m"
  }
`, `duration`, "event: a fail event takes no duration (duration is for maintenance)", ""},
		{"advertise attribute on a fail", `
  event {
    at      = "1m"
    action  = "fail"
    channel = "c"
    prepend = 2
  }
`, `prepend`, "event: a fail event takes no prepend (prepend is for advertise)", ""},
		{"channel on a maintenance", `
  event {
    at      = "1m"
    action  = "maintenance"
    device  = "d"
    channel = "c"
  }
`, `channel`, "event: a maintenance event takes no channel (channel is for fail, restore, set_bandwidth, advertise, rotate_key, remove_key and mismatch_key)", ""},
		{"advertise without a channel", `
  event {
    at      = "1m"
    action  = "advertise"
    prepend = 1
  }
`, `event`, "event: channel: missing required argument (string)", ""},
		{"advertise prepend", `
  event {
    at      = "1m"
    action  = "advertise"
    channel = "hq/conn1"
    prepend = 11
  }
`, `11`, "event: prepend: 11 is out of range (0-10)", ""},
		{"advertise med", `
  event {
    at      = "1m"
    action  = "advertise"
    channel = "hq/conn1"
    med     = 4294967296
  }
`, `4294967296`, "event: med: 4294967296 is out of range (0-4294967295)", ""},
		{"advertise extra_prefixes", `
  event {
    at             = "1m"
    action         = "advertise"
    channel        = "hq/conn1"
    extra_prefixes = 513
  }
`, `513`, "event: extra_prefixes: 513 is out of range (0-512)", ""},
		{"advertise community", `
  event {
    at          = "1m"
    action      = "advertise"
    channel     = "hq/conn1"
    communities = ["7224:7300", "7224:73000"]
  }
`, `["7224:7300"`, `event: communities: community "7224:73000": want "ASN:VALUE", both numbers 0-65535`,
			"AWS sets local preference from 7224:7100 (low), 7224:7200 (medium) and 7224:7300 (high)"},
		{"advertise communities not a list", `
  event {
    at          = "1m"
    action      = "advertise"
    channel     = "hq/conn1"
    communities = "7224:7300"
  }
`, `"7224:7300"`, "event: communities: want a list, got string", ""},
		{"misspelt attribute", `
  event {
    at      = "1m"
    action  = "fail"
    chanel  = "c"
  }
`, `chanel`, `an event block has no attribute "chanel" (did you mean "channel"?)`, "attributes: at, action, bandwidth, by, channel, communities, device, duration, extra_prefixes, facility, interconnect, key, last_mile, link, med, prepend"},
		{"negative at", `
  event {
    at     = "-1s"
    action = "fail"
    link   = "l"
  }
`, `"-1s"`, `event: at: invalid duration "-1s": must not be negative`, ""},
		{"interconnect of the wrong kind", `
  event {
    at           = "1m"
    action       = "set_bandwidth"
    bandwidth    = "1Gbps"
    interconnect = vpc.payments
  }
`, `vpc.payments`, `event: interconnect: want a string or an interconnect, got vpc "payments"`, ""},
		{"duplicate flow", flow + `
  flow {
    source      = vpc.payments
    destination = gcp_vpc.analytics
    rate        = "3Gbps"
  }
`, "flow {\n    source      = vpc.payments\n    destination = gcp_vpc.analytics\n    rate",
			`scenario: flows: element 1: another flow is named "payments->analytics" (element 0)`, `pass name = "…" to one of them: flows are told apart by name`},
		{"duplicate probe", `
  probe {
    name        = "ping"
    source      = vpc.payments
    destination = gcp_vpc.analytics
  }
  probe {
    name        = "ping"
    source      = gcp_vpc.analytics
    destination = vpc.payments
  }
`, "probe {\n    name        = \"ping\"\n    source      = gcp_vpc", `scenario: probes: element 1: another probe is named "ping" (element 0)`, `pass name = "…" to one of them: probes are told apart by name`},
		{"bad packet size", `
  flow {
    source      = vpc.payments
    destination = gcp_vpc.analytics
    packet_size = 63
  }
`, `63`, "flow: packet_size: 63 is out of range (64-9216)", ""},
		{"bad interval", `
  probe {
    source      = vpc.payments
    destination = gcp_vpc.analytics
    interval    = "2h"
  }
`, `"2h"`, "probe: interval: 2h is outside 100ms-1h", ""},
		{"same source and destination", `
  probe {
    source      = vpc.payments
    destination = vpc.payments
  }
`, `vpc.payments
  }`, "probe: destination: source and destination are the same network", ""},
		{"misspelt flow attribute", `
  flow {
    source      = vpc.payments
    destination = gcp_vpc.analytics
    rat         = "1Gbps"
  }
`, `rat `, `flow: unknown argument "rat"`, `did you mean "rate"?`},
		{"duration", `
  duration = "0s"
`, `"0s"`, "scenario: duration: 0s is outside what a scenario runs: more than 0s and at most 30d", ""},
		{"unknown block", `
  events {
    at = "1m"
  }
`, `events`, `unknown block type "events" in scenario (did you mean "event"?)`, ""},
		{"nested block in an event", `
  event {
    at     = "1m"
    action = "fail"
    link   = "l"
    when {}
  }
`, `when`, "an event block holds no blocks", ""},
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
			want := posIn(src, len(head)+i)
			if d.Range.File != "main.hcl" || d.Range.Start != want {
				t.Errorf("error at %v, want main.hcl:%d:%d", d.Range, want.Line, want.Col)
			}
		})
	}
}
