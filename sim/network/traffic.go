package network

import (
	"cmp"
	"math"
	"slices"
)

// Dir is one direction of a link: links are full duplex, each
// direction with the link's capacity.
type Dir struct {
	Link *Link // the link
	Side int   // 0: A → B, 1: B → A
}

// DirOf is the direction traffic leaving by i takes.
func DirOf(i *Iface) Dir {
	if i.Link.A == i {
		return Dir{i.Link, 0}
	}
	return Dir{i.Link, 1}
}

// Flow is a flow as the data plane carries it: from one endpoint to
// another at a demand, in packets of one size; where it goes, and what it
// delivers and loses now. A run's flow and the sweep's wrap it with their
// own accounting.
type Flow struct {
	Src, Dst *Endpoint  // where it starts and ends
	Rate     float64    // the demand while active, bits/s
	Size     int        // packet size, bytes
	Active   bool       // whether it sends now
	Parts    []PathPart // where it goes, as Route last found
	Rates    []float64  // allocated per part, bits/s

	Delivered float64             // bits/s now
	Lost      map[Outcome]float64 // bits/s now, by cause
}

// Demand is what the flow asks for now: Rate while active, else 0.
func (f *Flow) Demand() float64 {
	if !f.Active {
		return 0
	}
	return f.Rate
}

// Route recomputes where the flow goes (Parts) from the forwarding
// tables as they are now.
func (f *Flow) Route() {
	f.Parts = Paths(f.Src, f.Dst, f.Size, 0)
}

// subflow is one part of one flow in the fair-share computation.
type subflow struct {
	f       *Flow
	part    int
	demand  float64
	links   []Dir
	factors []float64 // capacity each bit takes on each link (MACsec overhead)
	rate    float64
	frozen  bool
}

// Shared is the outcome of fair sharing: each link direction's load, the
// traffic arriving at it (before it drops any), and which are full.
type Shared struct {
	Load     map[Dir]float64 // the packets' own bits per second (goodput)
	Wire     map[Dir]float64 // whole frames on the wire (planner.WireBytes): what fills the link
	Arriving map[Dir]float64 // on the wire, before the link drops any
	Full     map[Dir]bool    // no capacity left: a bottleneck
}

// Share allocates link capacity max-min fairly over every part of every
// active flow (progressive filling): all rates rise together; a part stops
// when it has its demand or crosses a full link. Dropped parts take
// capacity up to where they are dropped. It sets each flow's Rates,
// Delivered and Lost.
func Share(flows []*Flow) Shared {
	var subs []*subflow
	for _, f := range flows {
		f.Rates = make([]float64, len(f.Parts))
		if !f.Active {
			continue
		}
		for i, p := range f.Parts {
			s := &subflow{f: f, part: i, demand: f.Demand() * p.Weight}
			for _, h := range p.Hops {
				if h.Link.Physical() {
					s.links = append(s.links, DirOf(h))
					s.factors = append(s.factors, h.Link.frameFactor(f.Size))
				}
			}
			subs = append(subs, s)
		}
	}
	remaining := map[Dir]float64{}
	var order []Dir // first-use order keeps the arithmetic deterministic
	for _, s := range subs {
		for _, d := range s.links {
			if _, ok := remaining[d]; !ok {
				remaining[d] = d.Link.Capacity()
				order = append(order, d)
			}
		}
	}
	const eps = 1e-6
	for {
		users := map[Dir]float64{}
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
				if remaining[d] <= eps*max(1, d.Link.Capacity()) {
					s.frozen = true
				}
			}
		}
	}
	out := Shared{Load: map[Dir]float64{}, Wire: map[Dir]float64{}, Arriving: map[Dir]float64{}, Full: map[Dir]bool{}}
	for _, d := range order {
		if remaining[d] <= eps*max(1, d.Link.Capacity()) {
			out.Full[d] = true
		}
	}
	for _, s := range subs {
		s.f.Rates[s.part] = s.rate
		// A part arrives at full demand until its first full link, which
		// cuts it to its share; what a link drops is what arrives over
		// its capacity.
		arriving := s.demand
		for i, d := range s.links {
			out.Load[d] += s.rate
			out.Wire[d] += s.rate * s.factors[i]
			out.Arriving[d] += arriving * s.factors[i]
			if out.Full[d] {
				arriving = s.rate
			}
		}
	}
	for _, f := range flows {
		f.Delivered = 0
		f.Lost = map[Outcome]float64{}
		if !f.Active {
			continue
		}
		for i, p := range f.Parts {
			want := f.Demand() * p.Weight
			if p.Outcome == Delivered {
				f.Delivered += f.Rates[i]
				if l := want - f.Rates[i]; l > eps {
					f.Lost[Congestion] += l
				}
			} else {
				f.Lost[p.Outcome] += want
			}
		}
	}
	return out
}

// TotalLost sums a flow's loss rates in a fixed order, so the float
// result is the same run after run.
func TotalLost(m map[Outcome]float64) float64 {
	t := 0.0
	for _, o := range SortedOutcomes(m) {
		t += m[o]
	}
	return t
}

// SortedOutcomes is the outcomes m has a positive rate for, in order of
// name, so that reports list them alike run after run.
func SortedOutcomes(m map[Outcome]float64) []Outcome {
	out := make([]Outcome, 0, len(m))
	for o, v := range m {
		if v > 0 {
			out = append(out, o)
		}
	}
	slices.SortFunc(out, func(a, b Outcome) int { return cmp.Compare(a, b) })
	return out
}
