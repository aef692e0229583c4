package sim

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"patchbay/lang"
	"patchbay/planner/plantest"
)

// A scenario whose probes alone exceed the budget is refused before it
// runs, at its range; one that runs out as it goes stops with the budget
// named; a cancelled context stops a run with its error.
func TestRunBudgets(t *testing.T) {
	p := plantest.File(t, "../examples/transit_hub.star")
	sc := &lang.Scenario{Meta: lang.Meta{Name: "month", Range: lang.Range{File: "x.star", Start: lang.Pos{Line: 3, Col: 1}}},
		Duration: 30 * 24 * time.Hour, Probes: []lang.Probe{probeOf("p", "vpc.web", "gcp_vpc.warehouse")}}
	sc.Probes[0].Interval = 100 * time.Millisecond
	_, err := run(p, sc, Options{Seed: 1})
	if err == nil || err.Error() != "x.star:3:1: error: scenario month would send 25,920,000 probes (30d every 100ms), over the budget of 10,000,000 events — raise it with --max-events" {
		t.Fatalf("probes: %v", err)
	}
	sc.Probes[0].Interval, sc.Duration = time.Second, time.Hour
	msg := ""
	for range 2 {
		_, err = run(p, sc, Options{Seed: 1, MaxEvents: 50_000})
		if err == nil || !strings.Contains(err.Error(), "it used its budget of 50,000 events — raise it with --max-events") {
			t.Fatalf("events: %v", err)
		}
		if msg != "" && err.Error() != msg {
			t.Fatalf("the budget stopped two runs at different times:\n%s\n%s", msg, err)
		}
		msg = err.Error()
	}
	sc.Flows = make([]lang.Flow, 3)
	if _, err = run(p, sc, Options{Seed: 1, MaxFlows: 2}); err == nil || !strings.Contains(err.Error(), "scenario month has 3 flows, over the budget of 2 — raise it with --max-flows") {
		t.Fatalf("flows: %v", err)
	}
	sc.Flows = nil
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err = run(p, sc, Options{Seed: 1, Context: ctx}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}
