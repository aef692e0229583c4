package sim

import (
	"time"

	"patchbay/lang"
	"patchbay/sim/network"
)

// flow is a scenario flow while it runs.
type flow struct {
	network.Flow

	// Totals, in bits, integrated between changes. They follow the data
	// plane's fields, which integrating them every second reads too, and
	// the spec, which it does not, comes last: a line less a flow each
	// second.
	deliveredBits float64
	lostBits      map[network.Outcome]float64
	blackout      time.Duration // time with nothing delivered while active
	degraded      time.Duration // time with some loss while active
	outages       []Outage
	// windows accumulate bits for the metric being sampled.
	winDelivered, winLost float64
	reported              *flowSnapshot // as the timeline last showed it

	spec lang.Flow
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
