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

// The limit stops a run at the same event every time, and the poll's
// error stops it too; neither moves the clock on to until.
func TestEngineLimitAndPoll(t *testing.T) {
	ticking := func() *Engine {
		e := NewEngine(1)
		tick := e.NewTimer(nil)
		tick.fn = func() { e.Reset(tick, e.Now()+time.Millisecond) }
		e.Reset(tick, 0)
		return e
	}
	e := ticking()
	e.SetLimit(10_000)
	if err := e.Run(time.Hour); !errors.Is(err, ErrBudget) || e.Fired() != 10_000 || e.Now() != 9999*time.Millisecond {
		t.Fatalf("err %v after %d events at %v", err, e.Fired(), e.Now())
	}
	if err := e.Run(time.Hour); !errors.Is(err, ErrBudget) || e.Fired() != 10_000 {
		t.Fatalf("a stopped engine ran on: %v, %d events", err, e.Fired())
	}
	e = ticking()
	e.Charge(9_000)
	e.SetLimit(10_000)
	if err := e.Run(time.Hour); !errors.Is(err, ErrBudget) || e.Fired() != 1_000 {
		t.Fatalf("charged work not counted: %v after %d events", err, e.Fired())
	}
	e = ticking()
	stop := errors.New("stop")
	polls := 0
	e.SetPoll(func() error {
		if polls++; polls == 3 {
			return stop
		}
		return nil
	})
	if err := e.Run(time.Hour); err != stop || e.Fired() != 2*pollEvery {
		t.Fatalf("err %v after %d events", err, e.Fired())
	}
}

// A scenario whose probes alone exceed the budget is refused before it
// runs, at its range; one that runs out as it goes stops with the budget
// named; a cancelled context stops a run with its error.
func TestRunBudgets(t *testing.T) {
	p := plantest.File(t, "../examples/transit_hub.star")
	sc := &lang.Scenario{Meta: lang.Meta{Name: "month", Range: lang.Range{File: "x.star", Start: lang.Pos{Line: 3, Col: 1}}},
		Duration: 30 * 24 * time.Hour, Probes: []lang.Probe{probeOf("p", "vpc.web", "gcp_vpc.warehouse")}}
	sc.Probes[0].Interval = 100 * time.Millisecond
	_, err := Run(p, sc, Options{Seed: 1})
	if err == nil || err.Error() != "x.star:3:1: error: scenario month would send 25,920,000 probes (30d every 100ms), over the budget of 10,000,000 events — raise it with --max-events" {
		t.Fatalf("probes: %v", err)
	}
	sc.Probes[0].Interval, sc.Duration = time.Second, time.Hour
	msg := ""
	for range 2 {
		_, err = Run(p, sc, Options{Seed: 1, MaxEvents: 50_000})
		if err == nil || !strings.Contains(err.Error(), "it used its budget of 50,000 events — raise it with --max-events") {
			t.Fatalf("events: %v", err)
		}
		if msg != "" && err.Error() != msg {
			t.Fatalf("the budget stopped two runs at different times:\n%s\n%s", msg, err)
		}
		msg = err.Error()
	}
	sc.Flows = make([]lang.Flow, 3)
	if _, err = Run(p, sc, Options{Seed: 1, MaxFlows: 2}); err == nil || !strings.Contains(err.Error(), "scenario month has 3 flows, over the budget of 2 — raise it with --max-flows") {
		t.Fatalf("flows: %v", err)
	}
	sc.Flows = nil
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err = Run(p, sc, Options{Seed: 1, Context: ctx}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}

// A simulated sweep measures its first case and refuses to run the rest
// over budget; an interrupted sweep returns the context's error.
func TestSweepBudgets(t *testing.T) {
	p := plantest.Source(t, sweepDesign(2))
	_, err := RunSweep(p, p.Design.Scenarios[0], SweepOptions{Depth: 1, Simulate: true, MaxEvents: 100_000})
	if err == nil || !strings.Contains(err.Error(), "over the budget of 100,000 events — raise it with --max-events") {
		t.Fatalf("budget: %v", err)
	}
	_, err = RunSweep(p, p.Design.Scenarios[0], SweepOptions{Depth: 1, MaxFlows: 1})
	if err == nil || !strings.Contains(err.Error(), "the sweep would follow 2 flows, over the budget of 1 — raise it with --max-flows") {
		t.Fatalf("flows: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, sim := range []bool{false, true} {
		if _, err := RunSweep(p, p.Design.Scenarios[0], SweepOptions{Depth: 1, Simulate: sim, Context: ctx}); !errors.Is(err, context.Canceled) {
			t.Fatalf("simulate %t, cancelled: %v", sim, err)
		}
	}
}
