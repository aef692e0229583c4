package sweep

import (
	"context"
	"errors"
	"strings"
	"testing"

	"patchbay/planner/plantest"
)

// A simulated sweep measures its first case and refuses to run the rest
// over budget; an interrupted sweep returns the context's error.
func TestSweepBudgets(t *testing.T) {
	p := plantest.Source(t, sweepDesign(2))
	_, err := Run(p, p.Design.Scenarios[0], Options{Depth: 1, Simulate: true, MaxEvents: 100_000})
	if err == nil || !strings.Contains(err.Error(), "over the budget of 100,000 events — raise it with --max-events") {
		t.Fatalf("budget: %v", err)
	}
	_, err = Run(p, p.Design.Scenarios[0], Options{Depth: 1, MaxFlows: 1})
	if err == nil || !strings.Contains(err.Error(), "the sweep would follow 2 flows, over the budget of 1 — raise it with --max-flows") {
		t.Fatalf("flows: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, sim := range []bool{false, true} {
		if _, err := Run(p, p.Design.Scenarios[0], Options{Depth: 1, Simulate: sim, Context: ctx}); !errors.Is(err, context.Canceled) {
			t.Fatalf("simulate %t, cancelled: %v", sim, err)
		}
	}
}
