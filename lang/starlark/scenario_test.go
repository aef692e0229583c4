package starlark

import (
	"strings"
	"testing"
	"time"

	"patchbay/lang"
)

const scenarioNets = `payments = vpc("payments", region = "us-east-1", cidr = "10.10.0.0/16")
analytics = gcp_vpc("analytics", project = "p", region = "us-east4", cidr = "10.20.0.0/16")
hub = transit_gateway("hub", region = "us-east-1")
`

func TestScenarioInStarlark(t *testing.T) {
	src := scenarioNets + `
def rehearse(fac):
    return [at("60s", fail(facility = fac)), at("180s", restore(facility = fac))]

s = scenario(
    "facility-loss",
    flows = [flow(payments, analytics, rate = "2Gbps"), flow(analytics, payments)],
    probes = [probe(payments, analytics)],
    events = rehearse("us-east-1/fac-a") + [at("30s", fail(device = hub))],
)
if s.flows != ("payments->analytics", "analytics->payments") or s.duration != "5m" or s.events != 3:
    fail("scenario value: %r %r %r" % (s.flows, s.duration, s.events))
`
	d := mustRun(t, src)
	if len(d.Scenarios) != 1 {
		t.Fatalf("%d scenarios", len(d.Scenarios))
	}
	sc := d.Scenarios[0]
	checkRange(t, "scenario", sc.Range, "main.star", at(t, src, `scenario(`), lang.Pos{Line: at(t, src, "if s.flows").Line - 1, Col: 2})
	checkRange(t, "flow", sc.Flows[0].Range, "main.star", at(t, src, `flow(payments`), after(t, src, `rate = "2Gbps")`))
	checkRange(t, "probe", sc.Probes[0].Range, "main.star", at(t, src, `probe(`), after(t, src, `probe(payments, analytics)`))
	// An event's range is its action's call, where the target is written.
	checkRange(t, "first event", sc.Events[0].Range, "main.star", at(t, src, `fail(device`), after(t, src, `fail(device = hub)`))
	checkRange(t, "second event", sc.Events[1].Range, "main.star", at(t, src, `fail(facility`), after(t, src, `fail(facility = fac)`))
	if sc.Events[0].At != 30*time.Second || sc.Events[0].Target != (lang.Target{Kind: lang.TargetDevice, Name: "transit_gateway.hub"}) {
		t.Errorf("events %+v", sc.Events)
	}
}

func TestAdvertiseInStarlark(t *testing.T) {
	src := scenarioNets + `
def steer(conn, **policy):
    return at("1m", advertise(conn, **policy))

e = steer("hq/conn1", prepend = 2, communities = ["7224:7100"], med = 50)
if e.prepend != 2 or e.communities != ("7224:7100",) or e.med != 50 or e.extra_prefixes != 0 or e.target_kind != "channel":
    fail("event value: %r %r %r %r" % (e.prepend, e.communities, e.med, e.extra_prefixes))
scenario("steer", events = [e, at("2m", advertise("hq/conn1"))])
`
	d := mustRun(t, src)
	ev := d.Scenarios[0].Events
	if len(ev) != 2 || ev[0].Action != lang.ActionAdvertise || ev[0].Target != (lang.Target{Kind: lang.TargetChannel, Name: "hq/conn1"}) {
		t.Fatalf("events %+v", ev)
	}
	if a := ev[0].Advertise; a == nil || a.Prepend != 2 || len(a.Communities) != 1 || a.Communities[0] != "7224:7100" || a.MED != 50 || a.ExtraPrefixes != 0 {
		t.Errorf("policy %+v", a)
	}
	if a := ev[1].Advertise; a == nil || a.Prepend != 0 || a.Communities != nil || a.MED != 0 || a.ExtraPrefixes != 0 {
		t.Errorf("plain advertising: %+v", a)
	}
	checkRange(t, "advertise", ev[1].Range, "main.star", at(t, src, `advertise("hq/conn1")`), after(t, src, `advertise("hq/conn1")`))
}

// TestFailStillStops: the event builtin fail(facility = …) shares its name
// with Starlark's fail("message"), which scripts and @stdlib modules use.
func TestFailStillStops(t *testing.T) {
	for _, src := range []string{`fail("no region chosen")`, `fail("no", "region", sep = "-")`, `fail(3)`} {
		d := failure(t, src)
		if d.Rule != "fail" || !strings.HasPrefix(d.Summary, "fail: ") || d.Range.Start != (lang.Pos{Line: 1, Col: 1}) {
			t.Errorf("%s: %+v, want Starlark's fail at 1:1", src, d)
		}
	}
	d := failure(t, `load("@stdlib//ipam.star", "ipam")
ipam.subnet("10.0.0.0/16", 8, 0)`)
	if d.Rule != "fail" || !strings.Contains(d.Summary, "ipam.subnet: prefix length 8") {
		t.Errorf("stdlib's fail: %+v", d)
	}
	d = failure(t, `fail()`)
	if d.Rule != "argument" || !strings.Contains(d.Summary, "give one of link, channel, facility or device") {
		t.Errorf("fail(): %+v, want the event's missing target", d)
	}
}

func TestScenarioErrorsInStarlark(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		at        string // the text the error starts at
		summary   string
		hint      string
	}{
		{"event without at", `scenario("s", events = [fail(facility = "x")])`, `fail(`,
			"scenario: events: element 0: fail() has no time", `wrap it in at(): at("60s", fail(…))`},
		{"at after the end", `scenario("s", duration = "2m", events = [at("1m", fail(link = "x")), at("3m", restore(link = "x"))])`, `at("3m"`,
			"scenario: events: element 1: at 3m is after the scenario ends (duration 2m)", ""},
		{"two targets", `at("1m", fail(link = "x", channel = "y"))`, `"y"`,
			"fail: channel: give exactly one of link, channel, facility or device, not both link and channel", ""},
		{"no target", `restore()`, `restore`,
			"restore: name what it acts on: give one of link, channel, facility or device", ""},
		{"duplicate flow", `scenario("s", flows = [flow(payments, analytics), flow(payments, analytics, rate = "3Gbps")])`, `flow(payments, analytics, rate`,
			`scenario: flows: element 1: another flow is named "payments->analytics" (element 0)`, `pass name = "…" to one of them: flows are told apart by name`},
		{"packet size", `flow(payments, analytics, packet_size = 9217)`, `9217`,
			"flow: packet_size: 9217 is out of range (64-9216)", ""},
		{"interval", `probe(payments, analytics, interval = "50ms")`, `"50ms"`,
			"probe: interval: 50ms is outside 100ms-1h", ""},
		{"same network", `probe(analytics, analytics)`, `analytics)`,
			"probe: destination: source and destination are the same network", ""},
		{"advertise community", `at("1m", advertise("hq/conn1", communities = ["7224:7300", "7224:x"]))`, `["7224:7300"`,
			`advertise: communities: community "7224:x": want "ASN:VALUE", both numbers 0-65535`,
			"AWS sets local preference from 7224:7100 (low), 7224:7200 (medium) and 7224:7300 (high)"},
		{"advertise prepend", `advertise("hq/conn1", prepend = 12)`, `12`,
			"advertise: prepend: 12 is out of range (0-10)", ""},
		{"advertise extra prefixes", `advertise(channel = "hq/conn1", extra_prefixes = 1000)`, `1000`,
			"advertise: extra_prefixes: 1000 is out of range (0-512)", ""},
		{"advertise without time", `scenario("s", events = [advertise("hq/conn1")])`, `advertise(`,
			"scenario: events: element 0: advertise() has no time", `wrap it in at(): at("60s", advertise(…))`},
		{"typo", `set_bandwidth("1Gbps", interconect = "x")`, `interconect`,
			`set_bandwidth: interconect: unknown keyword argument "interconect"`, `did you mean "interconnect"?`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := scenarioNets + tc.src
			d := failure(t, src)
			if d.Summary != tc.summary || d.Hint != tc.hint {
				t.Errorf("got %q (hint %q)\nwant %q (hint %q)", d.Summary, d.Hint, tc.summary, tc.hint)
			}
			// The last line is the case's; find the text there.
			lastLine := strings.Count(scenarioNets, "\n") + 1
			col := strings.Index(tc.src, tc.at)
			if want := (lang.Pos{Line: int32(lastLine), Col: int32(col + 1)}); d.Range.File != "main.star" || d.Range.Start != want {
				t.Errorf("error at %v, want main.star:%d:%d", d.Range, want.Line, want.Col)
			}
		})
	}
}
