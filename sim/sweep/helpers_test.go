package sweep

import (
	"testing"
	"time"

	"patchbay/lang"
	"patchbay/planner"
	"patchbay/planner/plantest"
	"patchbay/sim"
)

// run starts a scenario and runs it to its end.
func run(p *planner.Plan, sc *lang.Scenario, o sim.Options) (*sim.Trace, error) {
	s, err := sim.Start(p, sc, o)
	if err != nil {
		return nil, err
	}
	return s.Finish()
}

func multicloud(t *testing.T) *planner.Plan {
	return plantest.File(t, "../../examples/multicloud.star")
}

func at(t time.Duration, action lang.EventAction, kind lang.TargetKind, name string) lang.Event {
	return lang.Event{At: t, Action: action, Target: lang.Target{Kind: kind, Name: name}}
}

// sweepDesign is n Interconnects with a 1 Gbps flow over each: 4n
// channels, 8n LAG members.
func sweepDesign(n int) string {
	return plantest.Interconnects(n, "scenario(\"s\", duration = \"1m\", flows = [%s])\n")
}

func flowNamed(t *testing.T, tr *sim.Trace, name string) sim.FlowSummary {
	t.Helper()
	for _, f := range tr.Flows {
		if f.Name == name {
			return f
		}
	}
	t.Fatalf("no flow %s", name)
	return sim.FlowSummary{}
}

func delivered(f sim.FlowSummary) bool {
	return f.DeliveredBytes == f.DemandBytes && len(f.LostBytes) == 0
}

func totalLostBytes(f sim.FlowSummary) int64 {
	n := int64(0)
	for _, v := range f.LostBytes {
		n += v
	}
	return n
}

// mergeAll joins the shards of one sweep with a Merge, as the CLI does.
func mergeAll(p *planner.Plan, shards []*Sweep) (*Sweep, error) {
	var m Merge
	for _, s := range shards {
		if err := m.Add(p, s); err != nil {
			return nil, err
		}
	}
	return m.Finish(p)
}
