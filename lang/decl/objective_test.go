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

func TestObjectiveDeclares(t *testing.T) {
	s := newScenarioBuilder(t)
	hq := s.res(lang.KindSite, "hq")
	both := s.must("objective", starlark.Tuple{hq, s.pay()}, "max_blackout", "1s", "min_bandwidth", "4Gbps")
	bothAt := line(s.next)
	bandwidth := s.must("objective", nil, "source", s.ana(), "destination", s.pay(), "min_bandwidth", "500Mbps", "name", "analytics keeps 500M")
	// "0s" is a bound of its own, delivery never stopping, not the zero
	// that means no bound.
	never := s.must("objective", starlark.Tuple{s.pay(), hq}, "max_blackout", "0s")
	f := s.must("flow", starlark.Tuple{s.pay(), s.ana()}, "rate", "2Gbps", "name", "bulk")
	fromFlow := s.must("objective", starlark.Tuple{f}, "max_blackout", "250ms")
	renamed := s.must("objective", starlark.Tuple{f}, "min_bandwidth", "1Gbps", "name", "bulk-floor")

	pay, ana, site := lang.Ref{Kind: lang.KindVPC, Name: "payments"}, lang.Ref{Kind: lang.KindGCPVPC, Name: "analytics"}, lang.Ref{Kind: lang.KindSite, Name: "hq"}
	want := []lang.Objective{
		{Meta: lang.Meta{Name: "hq->payments", Range: bothAt}, From: site, To: pay, MaxBlackout: time.Second, MinBandwidth: 4 * stdlib.Bandwidth(1e9)},
		{Meta: lang.Meta{Name: "analytics keeps 500M", Range: line(bothAt.Start.Line + 1)}, From: ana, To: pay, MinBandwidth: stdlib.Bandwidth(500e6)},
		{Meta: lang.Meta{Name: "payments->hq", Range: line(bothAt.Start.Line + 2)}, From: pay, To: site, NoBlackout: true},
		{Meta: lang.Meta{Name: "bulk", Range: line(bothAt.Start.Line + 4)}, From: pay, To: ana, MaxBlackout: 250 * time.Millisecond},
		{Meta: lang.Meta{Name: "bulk-floor", Range: line(bothAt.Start.Line + 5)}, From: pay, To: ana, MinBandwidth: stdlib.Bandwidth(1e9)},
	}
	got := s.b.Design().Objectives
	if len(got) != len(want) {
		t.Fatalf("%d objectives, want %d", len(got), len(want))
	}
	for i := range want {
		g := *got[i]
		g.Meta = lang.Meta{Name: g.Name, Range: g.Range} // without the sequence number
		if !reflect.DeepEqual(g, want[i]) {
			t.Errorf("objective %d\n got %+v\nwant %+v", i, g, want[i])
		}
	}

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
		{both, "name", "hq->payments"}, {both, "id", "objective.hq->payments"}, {both, "kind", "objective"},
		{both, "source", `site("hq")`}, {both, "destination", `vpc("payments")`},
		{both, "max_blackout", "1s"}, {both, "min_bandwidth", "4Gbps"},
		{bandwidth, "max_blackout", "None"}, {bandwidth, "min_bandwidth", "500Mbps"},
		{never, "max_blackout", "0s"}, {never, "min_bandwidth", "None"},
		{fromFlow, "name", "bulk"}, {fromFlow, "source", `vpc("payments")`}, {fromFlow, "destination", `gcp_vpc("analytics")`},
		{renamed, "name", "bulk-floor"},
	} {
		if got := attr(c.v, c.name); got != c.want {
			t.Errorf("%s.%s = %s, want %s", c.v.Type(), c.name, got, c.want)
		}
	}
	if both.Type() != "objective" {
		t.Errorf("type %s", both.Type())
	}
}

func TestObjectiveErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		call  func(s *scenarioBuilder) (starlark.Value, error)
		param string // "" for an error about the whole call
		msg   string
		hint  string
	}{
		{"no bound", func(s *scenarioBuilder) (starlark.Value, error) {
			return s.call("objective", starlark.Tuple{s.pay(), s.ana()})
		}, "", "give max_blackout, min_bandwidth or both", `max_blackout = "1s"`},
		{"bounds set to None", func(s *scenarioBuilder) (starlark.Value, error) {
			return s.call("objective", starlark.Tuple{s.pay(), s.ana()}, "max_blackout", starlark.None, "min_bandwidth", starlark.None)
		}, "", "give max_blackout, min_bandwidth or both", ""},
		{"same networks", func(s *scenarioBuilder) (starlark.Value, error) {
			return s.call("objective", starlark.Tuple{s.pay(), s.pay()}, "max_blackout", "1s")
		}, "destination", "source and destination are the same network", ""},
		{"bad duration", func(s *scenarioBuilder) (starlark.Value, error) {
			return s.call("objective", starlark.Tuple{s.pay(), s.ana()}, "max_blackout", "1 second")
		}, "max_blackout", `invalid duration "1 second"`, ""},
		{"negative duration", func(s *scenarioBuilder) (starlark.Value, error) {
			return s.call("objective", starlark.Tuple{s.pay(), s.ana()}, "max_blackout", "-1s")
		}, "max_blackout", "must not be negative", ""},
		{"duration not a string", func(s *scenarioBuilder) (starlark.Value, error) {
			return s.call("objective", starlark.Tuple{s.pay(), s.ana()}, "max_blackout", 1)
		}, "max_blackout", "want a string, got int", ""},
		{"zero bandwidth", func(s *scenarioBuilder) (starlark.Value, error) {
			return s.call("objective", starlark.Tuple{s.pay(), s.ana()}, "min_bandwidth", "0Gbps")
		}, "min_bandwidth", "invalid bandwidth", ""},
		{"flow value and destination", func(s *scenarioBuilder) (starlark.Value, error) {
			f := s.must("flow", starlark.Tuple{s.pay(), s.ana()})
			return s.call("objective", starlark.Tuple{f, s.ana()}, "max_blackout", "1s")
		}, "destination", "source is a flow(), which already runs from vpc.payments to gcp_vpc.analytics", "leave destination out"},
		{"no destination", func(s *scenarioBuilder) (starlark.Value, error) {
			return s.call("objective", starlark.Tuple{s.pay()}, "max_blackout", "1s")
		}, "destination", "missing required argument (vpc | gcp_vpc | site)", "only a flow() as source"},
		{"source a gateway", func(s *scenarioBuilder) (starlark.Value, error) {
			return s.call("objective", starlark.Tuple{s.res(lang.KindDXGateway, "core"), s.pay()}, "max_blackout", "1s")
		}, "source", `want a vpc, a gcp_vpc, a site or a flow(), got dx_gateway "core"`, ""},
		{"source a probe", func(s *scenarioBuilder) (starlark.Value, error) {
			p := s.must("probe", starlark.Tuple{s.pay(), s.ana()})
			return s.call("objective", starlark.Tuple{p}, "max_blackout", "1s")
		}, "source", "want a vpc, a gcp_vpc, a site or a flow(), got probe", ""},
		{"destination a string", func(s *scenarioBuilder) (starlark.Value, error) {
			return s.call("objective", starlark.Tuple{s.pay(), starlark.String("analytics")}, "max_blackout", "1s")
		}, "destination", "want a vpc, a gcp_vpc or a site, got string", ""},
		{"empty name", func(s *scenarioBuilder) (starlark.Value, error) {
			return s.call("objective", starlark.Tuple{s.pay(), s.ana()}, "max_blackout", "1s", "name", " ")
		}, "name", "must not be empty", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newScenarioBuilder(t)
			_, err := tc.call(s)
			ae := argErr(t, err, tc.param, tc.msg)
			if !strings.Contains(ae.Hint, tc.hint) {
				t.Errorf("hint %q, want it to contain %q", ae.Hint, tc.hint)
			}
			if n := len(s.b.Design().Objectives); n != 0 {
				t.Errorf("%d objectives declared by a failed call", n)
			}
		})
	}
}

// TestObjectiveNamesAreUnique: two objectives of one name are refused with
// both places, as any two resources of a kind are; the default name makes
// a second objective between the same networks need one of its own.
func TestObjectiveNamesAreUnique(t *testing.T) {
	s := newScenarioBuilder(t)
	s.must("objective", starlark.Tuple{s.pay(), s.ana()}, "max_blackout", "1s")
	first := line(s.next)
	_, err := s.call("objective", starlark.Tuple{s.pay(), s.ana()}, "min_bandwidth", "1Gbps")
	var d lang.Diagnostic
	if !errors.As(err, &d) || d.Rule != "duplicate" || d.Range != line(s.next) ||
		!strings.Contains(d.Summary, `objective "payments->analytics" is declared twice`) ||
		len(d.Related) != 1 || d.Related[0].Range != first {
		t.Fatalf("error %+v, want a duplicate pointing at both", err)
	}
	// A monitor may have an objective's name: kinds are told apart.
	s.must("monitor", nil, "name", "payments-analytics", "source", s.pay(), "destination", s.ana())
	s.must("objective", starlark.Tuple{s.pay(), s.ana()}, "min_bandwidth", "1Gbps", "name", "payments-analytics")
}
