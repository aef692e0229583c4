package sim

import (
	"time"

	"patchbay/lang"
	"patchbay/sim/network"
)

// flow is a scenario flow while it runs.
type flow struct {
	network.Flow

	// Totals, in bits, integrated between changes. What integrating
	// them every second reads, with or without metrics, follows the data
	// plane's fields it reads too, on the same line, the flow's second
	// (TestFlowLayout); the spec, which it does not read, comes last.
	deliveredBits float64
	blackout      time.Duration // time with nothing delivered while active
	degraded      time.Duration // time with some loss while active
	lostBits      map[network.Outcome]float64
	outages       []Outage
	// windows accumulate bits for the metric being sampled, only when
	// metrics are written.
	winDelivered, winLost float64
	reported              *flowSnapshot // as the timeline last showed it

	spec lang.Flow
	_    [56]byte // to six lines, so that a flow starts on one
}

func newFlow(spec lang.Flow, src, dst *network.Endpoint) *flow {
	return &flow{Flow: network.Flow{Src: src, Dst: dst, Rate: float64(spec.Rate), Size: spec.PacketSize}, spec: spec, lostBits: map[network.Outcome]float64{}}
}

// nets is the flows' data-plane parts, in order, for share.
func nets(flows []*flow) []*network.Flow {
	out := make([]*network.Flow, len(flows))
	for i, f := range flows {
		out[i] = &f.Flow
	}
	return out
}
