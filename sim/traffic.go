package sim

import (
	"cmp"
	"math"
	"slices"

	"patchbay/lang"
)

// dirLink is one direction of a link: links are full duplex, each
// direction with the link's capacity.
type dirLink struct {
	link *Link
	dir  int // 0: A → B, 1: B → A
}

func dirOf(i *Iface) dirLink {
	if i.Link.A == i {
		return dirLink{i.Link, 0}
	}
	return dirLink{i.Link, 1}
}

// netFlow is a flow as the data plane carries it: from one endpoint to
// another at a demand, in packets of one size; where it goes, and what it
// delivers and loses now. A run's flow and the sweep's wrap it with their
// own accounting.
type netFlow struct {
	src, dst *Endpoint
	rate     float64 // the demand while active, bits/s
	size     int     // packet size, bytes
	active   bool
	parts    []pathPart
	rates    []float64 // allocated per part, bits/s

	delivered float64             // bits/s now
	lost      map[Outcome]float64 // bits/s now, by cause
}

// flow is a scenario flow while it runs.
type flow struct {
	netFlow
	spec lang.Flow

	// Totals, in bits, integrated between changes.
	deliveredBits float64
	lostBits      map[Outcome]float64
	blackout      Time // time with nothing delivered while active
	degraded      Time // time with some loss while active
	outages       []Outage
	// windows accumulate bits for the metric being sampled.
	winDelivered, winLost float64
	reported              *flowSnapshot // as the timeline last showed it
}

// Outage is a span in which a flow lost traffic.
type Outage struct {
	Start Time     `json:"start_ns"`
	End   Time     `json:"end_ns"`
	Worst float64  `json:"worst_loss_fraction"`
	Cause []string `json:"causes"`
}

func newFlow(spec lang.Flow, src, dst *Endpoint) *flow {
	return &flow{netFlow: netFlow{src: src, dst: dst, rate: float64(spec.Rate), size: spec.PacketSize}, spec: spec, lostBits: map[Outcome]float64{}}
}

func (f *netFlow) demand() float64 {
	if !f.active {
		return 0
	}
	return f.rate
}

// route recomputes where the flow goes.
func (f *netFlow) route() {
	f.parts = trace(f.src, f.dst, f.size, 0)
}

// nets is the flows' data-plane parts, in order, for share.
func nets(flows []*flow) []*netFlow {
	out := make([]*netFlow, len(flows))
	for i, f := range flows {
		out[i] = &f.netFlow
	}
	return out
}

// subflow is one part of one flow in the fair-share computation.
type subflow struct {
	f       *netFlow
	part    int
	demand  float64
	links   []dirLink
	factors []float64 // capacity each bit takes on each link (MACsec overhead)
	rate    float64
	frozen  bool
}

// shared is the outcome of fair sharing: each link direction's load, the
// traffic arriving at it (before it drops any), and which are full.
type shared struct {
	load     map[dirLink]float64 // the packets' own bits per second (goodput)
	wire     map[dirLink]float64 // whole frames on the wire (planner.WireBytes): what fills the link
	arriving map[dirLink]float64 // on the wire, before the link drops any
	full     map[dirLink]bool
}

// share allocates link capacity max-min fairly over every part of every
// active flow (progressive filling): all rates rise together; a part stops
// when it has its demand or crosses a full link. Dropped parts take
// capacity up to where they are dropped.
func share(flows []*netFlow) shared {
	var subs []*subflow
	for _, f := range flows {
		f.rates = make([]float64, len(f.parts))
		if !f.active {
			continue
		}
		for i, p := range f.parts {
			s := &subflow{f: f, part: i, demand: f.demand() * p.weight}
			for _, h := range p.hops {
				if h.Link.Physical() {
					s.links = append(s.links, dirOf(h))
					s.factors = append(s.factors, h.Link.frameFactor(f.size))
				}
			}
			subs = append(subs, s)
		}
	}
	remaining := map[dirLink]float64{}
	var order []dirLink // first-use order keeps the arithmetic deterministic
	for _, s := range subs {
		for _, d := range s.links {
			if _, ok := remaining[d]; !ok {
				remaining[d] = d.link.Capacity()
				order = append(order, d)
			}
		}
	}
	const eps = 1e-6
	for {
		users := map[dirLink]float64{}
		inc := math.Inf(1)
		active := 0
		for _, s := range subs {
			if s.frozen {
				continue
			}
			if s.demand-s.rate <= eps {
				s.frozen = true
				continue
			}
			active++
			inc = min(inc, s.demand-s.rate)
			for i, d := range s.links {
				users[d] += s.factors[i]
			}
		}
		if active == 0 {
			break
		}
		for _, d := range order {
			if n := users[d]; n > 0 {
				inc = min(inc, remaining[d]/n)
			}
		}
		for _, s := range subs {
			if s.frozen {
				continue
			}
			s.rate += inc
			for i, d := range s.links {
				remaining[d] -= inc * s.factors[i]
			}
		}
		for _, s := range subs {
			if s.frozen {
				continue
			}
			for _, d := range s.links {
				if remaining[d] <= eps*max(1, d.link.Capacity()) {
					s.frozen = true
				}
			}
		}
	}
	out := shared{load: map[dirLink]float64{}, wire: map[dirLink]float64{}, arriving: map[dirLink]float64{}, full: map[dirLink]bool{}}
	for _, d := range order {
		if remaining[d] <= eps*max(1, d.link.Capacity()) {
			out.full[d] = true
		}
	}
	for _, s := range subs {
		s.f.rates[s.part] = s.rate
		// A part arrives at full demand until its first full link, which
		// cuts it to its share; what a link drops is what arrives over
		// its capacity.
		arriving := s.demand
		for i, d := range s.links {
			out.load[d] += s.rate
			out.wire[d] += s.rate * s.factors[i]
			out.arriving[d] += arriving * s.factors[i]
			if out.full[d] {
				arriving = s.rate
			}
		}
	}
	for _, f := range flows {
		f.delivered = 0
		f.lost = map[Outcome]float64{}
		if !f.active {
			continue
		}
		for i, p := range f.parts {
			want := f.demand() * p.weight
			if p.outcome == Delivered {
				f.delivered += f.rates[i]
				if l := want - f.rates[i]; l > eps {
					f.lost[Congestion] += l
				}
			} else {
				f.lost[p.outcome] += want
			}
		}
	}
	return out
}

// totalLost sums a flow's loss rates in a fixed order, so the float
// result is the same run after run.
func totalLost(m map[Outcome]float64) float64 {
	t := 0.0
	for _, o := range sortedOutcomes(m) {
		t += m[o]
	}
	return t
}

func sortedOutcomes(m map[Outcome]float64) []Outcome {
	out := make([]Outcome, 0, len(m))
	for o, v := range m {
		if v > 0 {
			out = append(out, o)
		}
	}
	slices.SortFunc(out, func(a, b Outcome) int { return cmp.Compare(a, b) })
	return out
}
