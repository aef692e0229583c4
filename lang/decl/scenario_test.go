package decl

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.starlark.net/starlark"

	"patchbay/lang"
	"patchbay/stdlib"
)

// sv turns a Go test value into the Starlark value a builtin takes.
func sv(x any) starlark.Value {
	switch v := x.(type) {
	case starlark.Value:
		return v
	case string:
		return starlark.String(v)
	case int:
		return starlark.MakeInt(v)
	case []starlark.Value:
		return starlark.NewList(v)
	}
	panic("sv: unsupported test value")
}

// kw builds keyword arguments from name, value pairs.
func kw(pairs ...any) []starlark.Tuple {
	var out []starlark.Tuple
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, starlark.Tuple{starlark.String(pairs[i].(string)), sv(pairs[i+1])})
	}
	return out
}

// line is a distinct range per call, so tests can tell which call an error
// points at.
func line(n int32) lang.Range {
	return lang.Range{File: "test.star", Start: lang.Pos{Line: n, Col: 1}, End: lang.Pos{Line: n, Col: 10}}
}

// scenarioBuilder has the networks and gateways scenarios refer to.
type scenarioBuilder struct {
	t    *testing.T
	b    *Builder
	next int32 // the line of the next call
}

func newScenarioBuilder(t *testing.T) *scenarioBuilder {
	t.Helper()
	s := &scenarioBuilder{t: t, b: NewBuilder(), next: 100}
	s.must("vpc", nil, "name", "payments", "region", "us-east-1", "cidr", "10.10.0.0/16")
	s.must("gcp_vpc", nil, "name", "analytics", "project", "p", "region", "us-east4", "cidr", "10.20.0.0/16")
	s.must("site", nil, "name", "hq", "cidr", "192.168.0.0/16", "asn", 65001)
	s.must("transit_gateway", nil, "name", "hub", "region", "us-east-1")
	s.must("dx_gateway", nil, "name", "core")
	s.must("interconnect", nil, "name", "ic", "provider", "gcp", "aws_region", "us-east-1", "peer_region", "us-east4",
		"bandwidth", "5Gbps", "attach_to", s.res(lang.KindDXGateway, "core"), "peer", s.res(lang.KindGCPVPC, "analytics"))
	s.must("last_mile", nil, "name", "lm", "partner", "lumen", "region", "us-east-1", "bandwidth", "10Gbps",
		"site", s.res(lang.KindSite, "hq"), "attach_to", s.res(lang.KindDXGateway, "core"))
	return s
}

func (s *scenarioBuilder) res(k lang.Kind, name string) *Resource {
	s.t.Helper()
	r, ok := s.b.Value(lang.Ref{Kind: k, Name: name})
	if !ok {
		s.t.Fatalf("no %s %q", k, name)
	}
	return r
}

func (s *scenarioBuilder) pay() *Resource { return s.res(lang.KindVPC, "payments") }
func (s *scenarioBuilder) ana() *Resource { return s.res(lang.KindGCPVPC, "analytics") }

// call runs a builtin at the next line.
func (s *scenarioBuilder) call(name string, args starlark.Tuple, pairs ...any) (starlark.Value, error) {
	s.next++
	return s.b.Call(name, args, kw(pairs...), line(s.next))
}

func (s *scenarioBuilder) must(name string, args starlark.Tuple, pairs ...any) starlark.Value {
	s.t.Helper()
	v, err := s.call(name, args, pairs...)
	if err != nil {
		s.t.Fatalf("%s: %v", name, err)
	}
	return v
}

// argErr wants an *ArgError about param whose message contains msg.
func argErr(t *testing.T, err error, param, msg string) *ArgError {
	t.Helper()
	var ae *ArgError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v (%T), want an ArgError about %q", err, err, param)
	}
	if ae.Param != param || !strings.Contains(ae.Error(), msg) {
		t.Fatalf("error about %q: %v; want one about %q containing %q", ae.Param, ae, param, msg)
	}
	return ae
}

// elemErr wants a diagnostic placed at, whose summary contains msg.
func elemErr(t *testing.T, err error, at lang.Range, rule, msg string) lang.Diagnostic {
	t.Helper()
	var d lang.Diagnostic
	if !errors.As(err, &d) {
		t.Fatalf("error %v (%T), want a diagnostic", err, err)
	}
	if d.Range != at || d.Rule != rule || !strings.Contains(d.Summary, msg) {
		t.Fatalf("diagnostic %+v; want rule %s at %v containing %q", d, rule, at, msg)
	}
	return d
}

func TestScenarioDeclares(t *testing.T) {
	s := newScenarioBuilder(t)
	f1 := s.must("flow", starlark.Tuple{s.pay(), s.ana()}, "rate", "2Gbps")
	f1Range := line(s.next)
	f2 := s.must("flow", nil, "source", s.ana(), "destination", s.res(lang.KindSite, "hq"), "packet_size", 9001,
		"name", "bulk back", "start", "30s", "stop", "4m")
	f3 := s.must("flow", starlark.Tuple{s.pay(), s.res(lang.KindSite, "hq")}, "stop", "0s")
	p1 := s.must("probe", starlark.Tuple{s.pay(), s.ana()})
	p1Range := line(s.next)
	p2 := s.must("probe", starlark.Tuple{s.ana(), s.pay()}, "interval", "100ms", "packet_size", 9216, "name", "back")
	p3 := s.must("probe", starlark.Tuple{s.ana(), s.res(lang.KindSite, "hq")}, "interval", "1h")

	// Declared out of time order, with ties, to check the stable sort.
	timed := func(at string, action string, args starlark.Tuple, pairs ...any) (starlark.Value, lang.Range) {
		a := s.must(action, args, pairs...)
		r := line(s.next)
		return s.must("at", starlark.Tuple{starlark.String(at), a}), r
	}
	e1, r1 := timed("180s", "restore", nil, "facility", "us-east-1/fac-a")
	e2, r2 := timed("60s", "fail", nil, "facility", "us-east-1/fac-a")
	e3, r3 := timed("60s", "fail", nil, "device", s.res(lang.KindTransitGW, "hub"))
	e4, r4 := timed("1m", "fail", nil, "link", "ic/ch1/m1")
	e5, r5 := timed("2m", "set_bandwidth", starlark.Tuple{starlark.String("10Gbps")}, "interconnect", s.res(lang.KindInterconnect, "ic"))
	e6, r6 := timed("2m", "set_bandwidth", nil, "bandwidth", "2Gbps", "last_mile", "lm")
	e7, r7 := timed("2m", "set_bandwidth", nil, "bandwidth", "500Mbps", "channel", "ic/ch2")
	e8, r8 := timed("0s", "maintenance", starlark.Tuple{starlark.String("us-east-1/fac-a/aws-r1")})
	e9, r9 := timed("5m", "maintenance", nil, "device", s.res(lang.KindDXGateway, "core"), "duration", "2m")
	e13, r13 := timed("4m", "fail", nil, "device", s.pay())
	e10, r10 := timed("3m", "restore", nil, "channel", "lm/conn1")
	e11, r11 := timed("3m", "set_bandwidth", nil, "bandwidth", "1Gbps", "link", "ic/ch1/m2")
	e12, r12 := timed("3m", "set_bandwidth", nil, "bandwidth", "5Gbps", "last_mile", s.res(lang.KindLastMile, "lm"))

	v := s.must("scenario", starlark.Tuple{starlark.String("facility-loss")},
		"flows", []starlark.Value{f1, f2, f3}, "probes", []starlark.Value{p1, p2, p3},
		"events", []starlark.Value{e1, e2, e3, e4, e5, e6, e7, e8, e9, e10, e11, e12, e13})

	d := s.b.Design()
	if len(d.Scenarios) != 1 {
		t.Fatalf("%d scenarios, want 1", len(d.Scenarios))
	}
	sc := d.Scenarios[0]
	if sc.Name != "facility-loss" || sc.Duration != 5*time.Minute || sc.Range != line(s.next) {
		t.Errorf("scenario %q duration %v range %v", sc.Name, sc.Duration, sc.Range)
	}
	pay, ana, hq := lang.Ref{Kind: lang.KindVPC, Name: "payments"}, lang.Ref{Kind: lang.KindGCPVPC, Name: "analytics"}, lang.Ref{Kind: lang.KindSite, Name: "hq"}
	wantFlows := []lang.Flow{
		{Name: "payments->analytics", From: pay, To: ana, Rate: 2 * stdlib.Bandwidth(1e9), PacketSize: 1500, Range: f1Range},
		{Name: "bulk back", From: ana, To: hq, Rate: stdlib.Bandwidth(1e9), PacketSize: 9001, Start: 30 * time.Second, Stop: 4 * time.Minute, Range: line(f1Range.Start.Line + 1)},
		{Name: "payments->hq", From: pay, To: hq, Rate: stdlib.Bandwidth(1e9), PacketSize: 1500, Range: line(f1Range.Start.Line + 2)},
	}
	if !reflect.DeepEqual(sc.Flows, wantFlows) {
		t.Errorf("flows\n got %+v\nwant %+v", sc.Flows, wantFlows)
	}
	wantProbes := []lang.Probe{
		{Name: "payments->analytics", From: pay, To: ana, Interval: time.Second, PacketSize: 64, Range: p1Range},
		{Name: "back", From: ana, To: pay, Interval: 100 * time.Millisecond, PacketSize: 9216, Range: line(p1Range.Start.Line + 1)},
		{Name: "analytics->hq", From: ana, To: hq, Interval: time.Hour, PacketSize: 64, Range: line(p1Range.Start.Line + 2)},
	}
	if !reflect.DeepEqual(sc.Probes, wantProbes) {
		t.Errorf("probes\n got %+v\nwant %+v", sc.Probes, wantProbes)
	}
	target := func(k lang.TargetKind, n string) lang.Target { return lang.Target{Kind: k, Name: n} }
	wantEvents := []lang.Event{
		{At: 0, Action: lang.ActionMaintenance, Target: target(lang.TargetDevice, "us-east-1/fac-a/aws-r1"), Duration: 30 * time.Minute, Range: r8},
		{At: time.Minute, Action: lang.ActionFail, Target: target(lang.TargetFacility, "us-east-1/fac-a"), Range: r2},
		{At: time.Minute, Action: lang.ActionFail, Target: target(lang.TargetDevice, "transit_gateway.hub"), Range: r3},
		{At: time.Minute, Action: lang.ActionFail, Target: target(lang.TargetLink, "ic/ch1/m1"), Range: r4},
		{At: 2 * time.Minute, Action: lang.ActionSetBandwidth, Target: target(lang.TargetInterconnect, "ic"), Bandwidth: stdlib.Bandwidth(10e9), Range: r5},
		{At: 2 * time.Minute, Action: lang.ActionSetBandwidth, Target: target(lang.TargetLastMile, "lm"), Bandwidth: stdlib.Bandwidth(2e9), Range: r6},
		{At: 2 * time.Minute, Action: lang.ActionSetBandwidth, Target: target(lang.TargetChannel, "ic/ch2"), Bandwidth: stdlib.Bandwidth(500e6), Range: r7},
		{At: 3 * time.Minute, Action: lang.ActionRestore, Target: target(lang.TargetFacility, "us-east-1/fac-a"), Range: r1},
		{At: 3 * time.Minute, Action: lang.ActionRestore, Target: target(lang.TargetChannel, "lm/conn1"), Range: r10},
		{At: 3 * time.Minute, Action: lang.ActionSetBandwidth, Target: target(lang.TargetLink, "ic/ch1/m2"), Bandwidth: stdlib.Bandwidth(1e9), Range: r11},
		{At: 3 * time.Minute, Action: lang.ActionSetBandwidth, Target: target(lang.TargetLastMile, "lm"), Bandwidth: stdlib.Bandwidth(5e9), Range: r12},
		{At: 4 * time.Minute, Action: lang.ActionFail, Target: target(lang.TargetDevice, "vpc.payments"), Range: r13},
		{At: 5 * time.Minute, Action: lang.ActionMaintenance, Target: target(lang.TargetDevice, "dx_gateway.core"), Duration: 2 * time.Minute, Range: r9},
	}
	if !reflect.DeepEqual(sc.Events, wantEvents) {
		t.Errorf("events, in time order with ties in declaration order:")
		for i := range max(len(sc.Events), len(wantEvents)) {
			var got, want lang.Event
			if i < len(sc.Events) {
				got = sc.Events[i]
			}
			if i < len(wantEvents) {
				want = wantEvents[i]
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("  %d: got %+v\n     want %+v", i, got, want)
			}
		}
	}

	// The values scripts see.
	attr := func(v starlark.Value, name string) string {
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
	for _, c := range []struct {
		v          starlark.Value
		name, want string
	}{
		{v, "duration", "5m"}, {v, "flows", `("payments->analytics", "bulk back", "payments->hq")`}, {v, "events", "13"},
		{v, "kind", "scenario"}, {v, "id", "scenario.facility-loss"},
		{f1, "name", "payments->analytics"}, {f1, "rate", "2Gbps"}, {f1, "stop", "None"}, {f1, "source", `vpc("payments")`},
		{f2, "start", "30s"}, {f2, "stop", "4m"}, {f2, "packet_size", "9001"},
		{p2, "interval", "100ms"}, {p2, "name", "back"},
		{e3, "target", "transit_gateway.hub"}, {e3, "target_kind", "device"}, {e3, "at", "1m"}, {e3, "action", "fail"},
		{e5, "bandwidth", "10Gbps"}, {e5, "target", "ic"}, {e9, "duration", "2m"},
	} {
		if got := attr(c.v, c.name); got != c.want {
			t.Errorf("%s.%s = %s, want %s", c.v.Type(), c.name, got, c.want)
		}
	}
	if v.Type() != "scenario" || f1.Type() != "flow" || p1.Type() != "probe" || e1.Type() != "event" {
		t.Errorf("types %s %s %s %s", v.Type(), f1.Type(), p1.Type(), e1.Type())
	}
}

func TestScenarioDefaultsAndBounds(t *testing.T) {
	s := newScenarioBuilder(t)
	s.must("scenario", nil, "name", "empty")
	s.must("scenario", nil, "name", "month", "duration", "30d",
		"events", []starlark.Value{s.must("at", nil, "time", "30d", "event", s.must("fail", nil, "facility", "x"))})
	// A flow and a probe between the same networks share the default name:
	// they are told apart by kind.
	s.must("scenario", nil, "name", "both", "duration", "1m",
		"flows", []starlark.Value{s.must("flow", starlark.Tuple{s.pay(), s.ana()}, "start", "59s", "stop", "1m")},
		"probes", []starlark.Value{s.must("probe", starlark.Tuple{s.pay(), s.ana()})},
		"events", []starlark.Value{s.must("at", starlark.Tuple{starlark.String("1m"), s.must("restore", nil, "link", "x")})})
	sc := s.b.Design().Scenarios
	if len(sc) != 3 || sc[0].Duration != 5*time.Minute || sc[0].Flows == nil || sc[0].Probes == nil || sc[0].Events == nil {
		t.Fatalf("scenarios %+v", sc)
	}
	if sc[1].Duration != 30*24*time.Hour || sc[1].Events[0].At != sc[1].Duration {
		t.Errorf("an event at the very end: %+v", sc[1])
	}
}

func TestEventTargets(t *testing.T) {
	s := newScenarioBuilder(t)
	vpc := s.pay()
	for _, c := range []struct {
		name   string
		fn     string
		args   starlark.Tuple
		pairs  []any
		param  string
		errMsg string
	}{
		{"fail without target", "fail", nil, nil, "", "give one of link, channel, facility or device"},
		{"restore without target", "restore", nil, nil, "", "give one of link, channel, facility or device"},
		{"fail with two", "fail", nil, []any{"link", "a/ch1/m1", "facility", "us-east-1/fac-a"}, "facility", "give exactly one of link, channel, facility or device, not both link and facility"},
		{"restore with two", "restore", nil, []any{"channel", "a/ch1", "device", "r"}, "device", "not both channel and device"},
		{"set_bandwidth without target", "set_bandwidth", starlark.Tuple{starlark.String("1Gbps")}, nil, "", "give one of link, channel, interconnect or last_mile"},
		{"set_bandwidth with two", "set_bandwidth", starlark.Tuple{starlark.String("1Gbps")}, []any{"interconnect", "ic", "last_mile", "lm"}, "last_mile", "not both interconnect and last_mile"},
		{"set_bandwidth facility", "set_bandwidth", starlark.Tuple{starlark.String("1Gbps")}, []any{"facility", "x"}, "facility", `unknown keyword argument "facility"`},
		{"set_bandwidth zero", "set_bandwidth", starlark.Tuple{starlark.String("0Gbps")}, []any{"link", "x"}, "bandwidth", "invalid bandwidth"},
		{"set_bandwidth missing", "set_bandwidth", nil, []any{"link", "x"}, "bandwidth", "missing required argument"},
		{"set_bandwidth wrong kind", "set_bandwidth", starlark.Tuple{starlark.String("1Gbps")}, []any{"interconnect", vpc}, "interconnect", `want a string or an interconnect, got vpc "payments"`},
		{"last_mile wrong kind", "set_bandwidth", starlark.Tuple{starlark.String("1Gbps")}, []any{"last_mile", s.res(lang.KindInterconnect, "ic")}, "last_mile", "want a string or a last_mile"},
		{"empty name", "fail", nil, []any{"facility", " "}, "facility", "must not be empty"},
		{"not a string", "fail", nil, []any{"link", 3}, "link", "want a string, got int"},
		{"device wrong kind", "fail", nil, []any{"device", s.res(lang.KindInterconnect, "ic")}, "device",
			`want a string or a transit_gateway, a dx_gateway, a vpn_gateway, a core_network, a vpc, a gcp_vpc or a site, got interconnect "ic"`},
		{"typo", "restore", nil, []any{"facilty", "x"}, "facilty", `unknown keyword argument "facilty"`},
		{"maintenance without device", "maintenance", nil, []any{"duration", "1m"}, "device", "missing required argument"},
		{"maintenance of zero", "maintenance", starlark.Tuple{starlark.String("r")}, []any{"duration", "0s"}, "duration", "must be more than 0s"},
		{"at without time", "at", nil, []any{"event", s.must("fail", nil, "link", "x")}, "time", "missing required argument"},
		{"at negative", "at", starlark.Tuple{starlark.String("-1s"), s.must("fail", nil, "link", "x")}, nil, "time", "must not be negative"},
		{"at of a string", "at", starlark.Tuple{starlark.String("1s"), starlark.String("fail")}, nil, "event", "want fail(), restore(), set_bandwidth(), maintenance(), advertise(), rotate_key(), remove_key() or mismatch_key(), got string"},
		{"at of an at", "at", starlark.Tuple{starlark.String("1s"), s.must("at", starlark.Tuple{starlark.String("2s"), s.must("fail", nil, "link", "x")})}, nil, "event", "already at 2s"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.call(c.fn, c.args, c.pairs...)
			ae := argErr(t, err, c.param, c.errMsg)
			if c.name == "typo" && ae.Hint != `did you mean "facility"?` {
				t.Errorf("hint %q", ae.Hint)
			}
		})
	}
}

func TestFlowAndProbeErrors(t *testing.T) {
	s := newScenarioBuilder(t)
	pay, ana, hub := s.pay(), s.ana(), s.res(lang.KindTransitGW, "hub")
	for _, c := range []struct {
		name   string
		fn     string
		args   starlark.Tuple
		pairs  []any
		param  string
		errMsg string
	}{
		{"flow same network", "flow", starlark.Tuple{pay, pay}, nil, "destination", "source and destination are the same network"},
		{"probe same network", "probe", starlark.Tuple{ana, ana}, nil, "destination", "source and destination are the same network"},
		{"flow from a gateway", "flow", starlark.Tuple{hub, ana}, nil, "source", `want a vpc, a gcp_vpc or a site, got transit_gateway "hub"`},
		{"probe to a string", "probe", starlark.Tuple{pay, starlark.String("analytics")}, nil, "destination", "got string"},
		{"flow packet too small", "flow", starlark.Tuple{pay, ana}, []any{"packet_size", 63}, "packet_size", "63 is out of range (64-9216)"},
		{"flow packet too large", "flow", starlark.Tuple{pay, ana}, []any{"packet_size", 9217}, "packet_size", "9217 is out of range (64-9216)"},
		{"probe packet too large", "probe", starlark.Tuple{pay, ana}, []any{"packet_size", 10000}, "packet_size", "out of range (64-9216)"},
		{"probe packet not a number", "probe", starlark.Tuple{pay, ana}, []any{"packet_size", "64"}, "packet_size", "want an integer"},
		{"probe too often", "probe", starlark.Tuple{pay, ana}, []any{"interval", "99ms"}, "interval", "99ms is outside 100ms-1h"},
		{"probe too rare", "probe", starlark.Tuple{pay, ana}, []any{"interval", "1h1s"}, "interval", "1h1s is outside 100ms-1h"},
		{"probe interval not a duration", "probe", starlark.Tuple{pay, ana}, []any{"interval", "often"}, "interval", "invalid duration"},
		{"flow zero rate", "flow", starlark.Tuple{pay, ana}, []any{"rate", "0Gbps"}, "rate", "invalid bandwidth"},
		{"flow stop before start", "flow", starlark.Tuple{pay, ana}, []any{"start", "2m", "stop", "1m"}, "stop", "1m is not after start (2m)"},
		{"flow stop at start", "flow", starlark.Tuple{pay, ana}, []any{"start", "1m", "stop", "1m"}, "stop", "is not after start"},
		{"flow empty name", "flow", starlark.Tuple{pay, ana}, []any{"name", ""}, "name", "must not be empty"},
		{"flow typo", "flow", starlark.Tuple{pay, ana}, []any{"rat", "1Gbps"}, "rat", `unknown keyword argument "rat"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.call(c.fn, c.args, c.pairs...)
			argErr(t, err, c.param, c.errMsg)
		})
	}
}

func TestScenarioErrors(t *testing.T) {
	s := newScenarioBuilder(t)
	pay, ana := s.pay(), s.ana()
	list := func(vs ...starlark.Value) []starlark.Value { return vs }

	t.Run("duration", func(t *testing.T) {
		for _, d := range []string{"0s", "30d1ns", "31d"} {
			_, err := s.call("scenario", nil, "name", "s", "duration", d)
			argErr(t, err, "duration", "at most 30d")
		}
		_, err := s.call("scenario", nil, "name", "s", "duration", "soon")
		argErr(t, err, "duration", "invalid duration")
	})

	t.Run("event without at", func(t *testing.T) {
		ok := s.must("at", starlark.Tuple{starlark.String("1s"), s.must("fail", nil, "link", "x")})
		bare := s.must("restore", nil, "link", "x")
		bareAt := line(s.next)
		_, err := s.call("scenario", nil, "name", "s", "events", list(ok, bare))
		d := elemErr(t, err, bareAt, "argument", "scenario: events: element 1: restore() has no time")
		if !strings.Contains(d.Hint, `at("60s", restore(…))`) {
			t.Errorf("hint %q does not show at()", d.Hint)
		}
	})

	t.Run("event after the end", func(t *testing.T) {
		early := s.must("at", starlark.Tuple{starlark.String("1m"), s.must("fail", nil, "link", "x")})
		late := s.must("at", starlark.Tuple{starlark.String("5m1s"), s.must("restore", nil, "link", "x")})
		lateAt := line(s.next)
		_, err := s.call("scenario", nil, "name", "s", "events", list(early, late))
		elemErr(t, err, lateAt, "argument", "scenario: events: element 1: at 301s is after the scenario ends (duration 5m)")
	})

	t.Run("not an event", func(t *testing.T) {
		_, err := s.call("scenario", nil, "name", "s", "events", list(s.must("flow", starlark.Tuple{pay, ana})))
		argErr(t, err, "events", "element 0: want an at(), got flow")
		_, err = s.call("scenario", nil, "name", "s", "flows", list(s.must("probe", starlark.Tuple{pay, ana})))
		argErr(t, err, "flows", "element 0: want a flow(), got probe")
		_, err = s.call("scenario", nil, "name", "s", "probes", "x")
		argErr(t, err, "probes", "want a list, got string")
	})

	t.Run("duplicate flow", func(t *testing.T) {
		a := s.must("flow", starlark.Tuple{pay, ana})
		aAt := line(s.next)
		b := s.must("flow", starlark.Tuple{ana, pay})
		c := s.must("flow", starlark.Tuple{pay, ana}, "rate", "5Gbps")
		cAt := line(s.next)
		_, err := s.call("scenario", nil, "name", "s", "flows", list(a, b, c))
		d := elemErr(t, err, cAt, "duplicate", `scenario: flows: element 2: another flow is named "payments->analytics" (element 0)`)
		if len(d.Related) != 1 || d.Related[0].Range != aAt || !strings.Contains(d.Hint, "name =") {
			t.Errorf("related %+v hint %q: want the first flow and a hint to name one", d.Related, d.Hint)
		}
		// Naming one resolves it.
		c = s.must("flow", starlark.Tuple{pay, ana}, "rate", "5Gbps", "name", "bulk")
		s.must("scenario", nil, "name", "named", "flows", list(a, b, c))
	})

	t.Run("duplicate probe", func(t *testing.T) {
		a := s.must("probe", starlark.Tuple{pay, ana}, "name", "ping")
		b := s.must("probe", starlark.Tuple{ana, pay}, "name", "ping")
		bAt := line(s.next)
		_, err := s.call("scenario", nil, "name", "s", "probes", list(a, b))
		elemErr(t, err, bAt, "duplicate", `another probe is named "ping"`)
	})

	t.Run("flow outside the run", func(t *testing.T) {
		late := s.must("flow", starlark.Tuple{pay, ana}, "start", "5m")
		lateAt := line(s.next)
		_, err := s.call("scenario", nil, "name", "s", "flows", list(late))
		elemErr(t, err, lateAt, "argument", "starts at 5m, when the scenario has ended")
		long := s.must("flow", starlark.Tuple{pay, ana}, "stop", "6m")
		longAt := line(s.next)
		_, err = s.call("scenario", nil, "name", "s", "flows", list(long))
		elemErr(t, err, longAt, "argument", "stops at 6m, after the scenario has ended")
	})

	t.Run("duplicate scenario", func(t *testing.T) {
		s.must("scenario", nil, "name", "twice")
		_, err := s.call("scenario", nil, "name", "twice")
		var d lang.Diagnostic
		if !errors.As(err, &d) || d.Rule != "duplicate" || !strings.Contains(d.Summary, `scenario "twice" is declared twice`) {
			t.Errorf("got %v", err)
		}
	})

	t.Run("bad name", func(t *testing.T) {
		_, err := s.call("scenario", nil, "name", "a b")
		argErr(t, err, "name", "use letters, digits")
	})

	if n := len(s.b.Design().Scenarios); n != 2 {
		t.Errorf("%d scenarios declared, want the 2 valid ones", n)
	}
}

func TestScenarioDocs(t *testing.T) {
	sigs := map[string]string{}
	for _, d := range Builtins() {
		sigs[d.Name] = d.Signature()
	}
	for name, want := range map[string]string{
		"scenario":      `scenario(name, duration = "5m", flows = [], probes = [], events = [])`,
		"flow":          `flow(source, destination, rate = "1Gbps", packet_size = 1500, name = "<source>-><destination>", start = "0s", stop = None)`,
		"probe":         `probe(source, destination, interval = "1s", packet_size = 64, name = "<source>-><destination>")`,
		"at":            `at(time, event)`,
		"fail":          `fail(link = None, channel = None, facility = None, device = None)`,
		"restore":       `restore(link = None, channel = None, facility = None, device = None)`,
		"set_bandwidth": `set_bandwidth(bandwidth, link = None, channel = None, interconnect = None, last_mile = None)`,
		"maintenance":   `maintenance(device, duration = "30m")`,
		"advertise":     `advertise(channel, prepend = 0, communities = [], med = 0, extra_prefixes = 0)`,
	} {
		if sigs[name] != want {
			t.Errorf("%s: signature %q, want %q", name, sigs[name], want)
		}
	}
}

// TestEventsSortStable: events at the same time keep the order written, in
// lists long enough that an unstable sort would reorder them.
func TestEventsSortStable(t *testing.T) {
	s := newScenarioBuilder(t)
	var events []starlark.Value
	var want []string
	for g := 3; g >= 0; g-- {
		for i := range 10 {
			link := "ic/ch1/m" + string(rune('a'+g)) + string(rune('a'+i))
			at := (time.Duration(g) * time.Minute).String()
			events = append(events, s.must("at", starlark.Tuple{starlark.String(at), s.must("fail", nil, "link", link)}))
		}
	}
	for g := range 4 {
		for i := range 10 {
			want = append(want, "ic/ch1/m"+string(rune('a'+g))+string(rune('a'+i)))
		}
	}
	s.must("scenario", nil, "name", "s", "events", events)
	var got []string
	for _, e := range s.b.Design().Scenarios[0].Events {
		got = append(got, e.Target.Name)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("events in order\n got %v\nwant %v", got, want)
	}
}

func TestAdvertise(t *testing.T) {
	s := newScenarioBuilder(t)
	list := func(vs ...starlark.Value) starlark.Value { return starlark.NewList(vs) }
	timed := func(at string, pairs ...any) (starlark.Value, lang.Range) {
		a := s.must("advertise", nil, pairs...)
		r := line(s.next)
		return s.must("at", starlark.Tuple{starlark.String(at), a}), r
	}
	e1, r1 := timed("2m", "channel", "lm/conn1")
	e2, r2 := timed("1m", "channel", "lm/conn1", "prepend", 3, "communities", list(starlark.String("7224:7300"), starlark.String("065000:00100")),
		"med", starlark.MakeUint64(4294967295), "extra_prefixes", 512)
	e3, r3 := timed("1m", "channel", "ic/ch2", "prepend", 10, "communities", starlark.Tuple{starlark.String("0:0")}, "extra_prefixes", 101)
	// Positionally, in the order of the signature.
	a4 := s.must("advertise", starlark.Tuple{starlark.String("lm/conn2"), starlark.MakeInt(1)})
	r4 := line(s.next)
	e4 := s.must("at", starlark.Tuple{starlark.String("3m"), a4})
	s.must("scenario", nil, "name", "steer", "events", []starlark.Value{e1, e2, e3, e4})

	ch := func(n string) lang.Target { return lang.Target{Kind: lang.TargetChannel, Name: n} }
	want := []lang.Event{
		{At: time.Minute, Action: lang.ActionAdvertise, Target: ch("lm/conn1"), Range: r2,
			Advertise: &lang.Advertise{Prepend: 3, Communities: []string{"7224:7300", "65000:100"}, MED: 4294967295, ExtraPrefixes: 512}},
		{At: time.Minute, Action: lang.ActionAdvertise, Target: ch("ic/ch2"), Range: r3,
			Advertise: &lang.Advertise{Prepend: 10, Communities: []string{"0:0"}, ExtraPrefixes: 101}},
		// All defaults: back to plain advertising, still an explicit policy.
		{At: 2 * time.Minute, Action: lang.ActionAdvertise, Target: ch("lm/conn1"), Range: r1, Advertise: &lang.Advertise{}},
		{At: 3 * time.Minute, Action: lang.ActionAdvertise, Target: ch("lm/conn2"), Range: r4, Advertise: &lang.Advertise{Prepend: 1}},
	}
	if got := s.b.Design().Scenarios[0].Events; !reflect.DeepEqual(got, want) {
		t.Errorf("events\n got %+v\nwant %+v", got, want)
	}

	attrs := map[string]string{}
	for _, n := range e2.(starlark.HasAttrs).AttrNames() {
		a, _ := e2.(starlark.HasAttrs).Attr(n)
		attrs[n] = a.String()
	}
	for k, v := range map[string]string{
		"action": `"advertise"`, "target": `"lm/conn1"`, "target_kind": `"channel"`, "at": `"1m"`, "prepend": "3",
		"communities": `("7224:7300", "65000:100")`, "med": "4294967295", "extra_prefixes": "512", "bandwidth": "None",
	} {
		if attrs[k] != v {
			t.Errorf("event.%s = %s, want %s", k, attrs[k], v)
		}
	}
	// Other events have the advertise attributes too, as None.
	fail := s.must("fail", nil, "link", "x")
	if a, _ := fail.(starlark.HasAttrs).Attr("prepend"); a != starlark.None {
		t.Errorf("fail().prepend = %v, want None", a)
	}
}

func TestAdvertiseErrors(t *testing.T) {
	s := newScenarioBuilder(t)
	strs := func(ss ...string) starlark.Value {
		var vs []starlark.Value
		for _, x := range ss {
			vs = append(vs, starlark.String(x))
		}
		return starlark.NewList(vs)
	}
	for _, c := range []struct {
		name   string
		pairs  []any
		param  string
		errMsg string
	}{
		{"no channel", []any{"prepend", 1}, "channel", "missing required argument"},
		{"empty channel", []any{"channel", ""}, "channel", "must not be empty"},
		{"channel not a string", []any{"channel", s.res(lang.KindLastMile, "lm")}, "channel", `want a string, got last_mile "lm"`},
		{"facility target", []any{"channel", "c", "facility", "f"}, "facility", `unknown keyword argument "facility"`},
		{"negative prepend", []any{"channel", "c", "prepend", -1}, "prepend", "-1 is out of range (0-10)"},
		{"prepend 11", []any{"channel", "c", "prepend", 11}, "prepend", "11 is out of range (0-10)"},
		{"prepend not an int", []any{"channel", "c", "prepend", "2"}, "prepend", "want an integer, got string"},
		{"negative med", []any{"channel", "c", "med", -1}, "med", "-1 is out of range (0-4294967295)"},
		{"med over 32 bits", []any{"channel", "c", "med", starlark.MakeUint64(4294967296)}, "med", "4294967296 is out of range (0-4294967295)"},
		{"extra_prefixes 513", []any{"channel", "c", "extra_prefixes", 513}, "extra_prefixes", "513 is out of range (0-512)"},
		{"negative extra_prefixes", []any{"channel", "c", "extra_prefixes", -5}, "extra_prefixes", "-5 is out of range (0-512)"},
		{"communities a string", []any{"channel", "c", "communities", "7224:7300"}, "communities", "want a list, got string"},
		{"community not a string", []any{"channel", "c", "communities", starlark.NewList([]starlark.Value{starlark.MakeInt(7224)})}, "communities", "element 0: want a string \"ASN:VALUE\", got int"},
		{"community without colon", []any{"channel", "c", "communities", strs("7224:7300", "7224")}, "communities", `community "7224": want "ASN:VALUE", both numbers 0-65535`},
		{"community ASN too big", []any{"channel", "c", "communities", strs("65536:1")}, "communities", `community "65536:1"`},
		{"community value too big", []any{"channel", "c", "communities", strs("7224:70000")}, "communities", `community "7224:70000"`},
		{"community negative", []any{"channel", "c", "communities", strs("-1:1")}, "communities", `community "-1:1"`},
		{"large community", []any{"channel", "c", "communities", strs("7224:1:2")}, "communities", `community "7224:1:2"`},
		{"community with spaces", []any{"channel", "c", "communities", strs("7224: 7300")}, "communities", `community "7224: 7300"`},
		{"community empty", []any{"channel", "c", "communities", strs("")}, "communities", `community ""`},
		{"community twice", []any{"channel", "c", "communities", strs("7224:7300", "7224:07300")}, "communities", `community "7224:07300" is listed twice (elements 0 and 1)`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.call("advertise", nil, c.pairs...)
			ae := argErr(t, err, c.param, c.errMsg)
			if strings.HasPrefix(c.name, "community") && c.name != "community not a string" && c.name != "community twice" && !strings.Contains(ae.Hint, "7224:7300 (high)") {
				t.Errorf("hint %q does not name AWS's communities", ae.Hint)
			}
		})
	}

	// at() takes an advertise(), and a bare one is refused with a hint.
	bare := s.must("advertise", nil, "channel", "lm/conn1", "prepend", 2)
	bareAt := line(s.next)
	_, err := s.call("scenario", nil, "name", "s", "events", []starlark.Value{bare})
	d := elemErr(t, err, bareAt, "argument", "scenario: events: element 0: advertise() has no time")
	if !strings.Contains(d.Hint, `at("60s", advertise(…))`) {
		t.Errorf("hint %q", d.Hint)
	}
	late := s.must("at", starlark.Tuple{starlark.String("6m"), s.must("advertise", nil, "channel", "lm/conn1")})
	lateAt := line(s.next)
	_, err = s.call("scenario", nil, "name", "s", "events", []starlark.Value{late})
	elemErr(t, err, lateAt, "argument", "at 6m is after the scenario ends (duration 5m)")
}
