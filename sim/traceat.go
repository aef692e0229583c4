package sim

import (
	"fmt"
	"time"

	"patchbay/lang"
	"patchbay/planner"
)

// TraceAt runs a scenario until at and traces a packet from one network to
// another through the forwarding state of that moment: what has failed,
// what BFD, MKA and BGP have noticed, what BGP has learned. The result has
// the planner's form, so `patchbay trace` prints both alike. Flow 0 follows
// every equal-cost branch; otherwise one hashed path.
func TraceAt(p *planner.Plan, sc *lang.Scenario, opts Options, at time.Duration, from, to lang.Ref, o planner.TraceOptions) (*planner.TraceResult, error) {
	if at < 0 || at > sc.Duration {
		return nil, fmt.Errorf("--at %s is outside scenario %s, which runs for %s", at, sc.Name, sc.Duration)
	}
	s, err := start(p, sc, opts)
	if err != nil {
		return nil, err
	}
	if err := s.runUntil(at); err != nil {
		return nil, err
	}
	return s.n.Trace(from.String(), to.String(), o)
}
