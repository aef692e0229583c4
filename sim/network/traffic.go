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
	Size     int        // packet size, bytes
	Parts    []PathPart // where it goes, as Route last found
	Rates    []float64  // allocated per part, bits/s

	// What integrating the traffic every second reads comes last, so
	// that what embeds a Flow can put its totals on the same line.
	Rate      float64             // the demand while active, bits/s
	Active    bool                // whether it sends now
	Delivered float64             // bits/s now
	Lost      map[Outcome]float64 // bits/s now, by cause; nil when nothing is lost
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
	f      *Flow
	part   int
	demand float64
	// lo and hi bound the part's physical link directions in the
	// computation's lists (by their index in its order) and the
	// capacity each bit takes on each (MACsec overhead).
	lo, hi int
	rate   float64
	frozen bool
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
//
// Link directions are numbered in the order of first use, which keeps
// the arithmetic deterministic, and what is known of each is kept in
// lists by that number rather than in maps: a sweep shares capacity once
// per case.
func Share(flows []*Flow) Shared {
	var out Shared
	share(flows, &out)
	return out
}

// ShareRates is Share for what it sets on the flows alone.
func ShareRates(flows []*Flow) { share(flows, nil) }

// share is Share, with the links' outcome in out unless it is nil.
func share(flows []*Flow, out *Shared) {
	parts, hops := 0, 0
	for _, f := range flows {
		if f.Active {
			parts += len(f.Parts)
			for _, p := range f.Parts {
				hops += len(p.Hops)
			}
		}
	}
	subs := make([]subflow, 0, parts)
	links := make([]int, 0, hops)       // the parts' link directions, back to back
	factors := make([]float64, 0, hops) // and the capacity each bit takes on each
	var order []Dir                     // the directions by number
	// and the numbers by direction. Sized for the most there can be
	// (each hop a direction of its own): growing it, and the maps of
	// Shared below, was most of what sharing took at 1,000 channels.
	num := make(map[Dir]int, hops)
	var remaining []float64
	var full []float64 // the remaining capacity at which a direction is full
	for _, f := range flows {
		f.Rates = make([]float64, len(f.Parts))
		if !f.Active {
			continue
		}
		for i, p := range f.Parts {
			s := subflow{f: f, part: i, demand: f.Demand() * p.Weight, lo: len(links)}
			for _, h := range p.Hops {
				if h.Link.Physical() {
					d := DirOf(h)
					k, ok := num[d]
					if !ok {
						k = len(order)
						num[d] = k
						order = append(order, d)
						c := d.Link.Capacity()
						remaining = append(remaining, c)
						full = append(full, eps*max(1, c))
					}
					links = append(links, k)
					factors = append(factors, h.Link.frameFactor(f.Size))
				}
			}
			s.hi = len(links)
			subs = append(subs, s)
		}
	}
	users := make([]float64, len(order))
	for {
		clear(users)
		inc := math.Inf(1)
		active := 0
		for j := range subs {
			s := &subs[j]
			if s.frozen {
				continue
			}
			if s.demand-s.rate <= eps {
				s.frozen = true
				continue
			}
			active++
			inc = min(inc, s.demand-s.rate)
			for i := s.lo; i < s.hi; i++ {
				users[links[i]] += factors[i]
			}
		}
		if active == 0 {
			break
		}
		for k := range order {
			if n := users[k]; n > 0 {
				inc = min(inc, remaining[k]/n)
			}
		}
		for j := range subs {
			s := &subs[j]
			if s.frozen {
				continue
			}
			s.rate += inc
			for i := s.lo; i < s.hi; i++ {
				remaining[links[i]] -= inc * factors[i]
			}
		}
		for j := range subs {
			s := &subs[j]
			if s.frozen {
				continue
			}
			for i := s.lo; i < s.hi; i++ {
				if remaining[links[i]] <= full[links[i]] {
					s.frozen = true
				}
			}
		}
	}
	for _, s := range subs {
		s.f.Rates[s.part] = s.rate
	}
	if out != nil {
		out.Load, out.Wire = make(map[Dir]float64, len(order)), make(map[Dir]float64, len(order))
		out.Arriving, out.Full = make(map[Dir]float64, len(order)), map[Dir]bool{}
		isFull := make([]bool, len(order))
		for k, d := range order {
			if remaining[k] <= full[k] {
				out.Full[d] = true
				isFull[k] = true
			}
		}
		for _, s := range subs {
			// A part arrives at full demand until its first full link,
			// which cuts it to its share; what a link drops is what
			// arrives over its capacity.
			arriving := s.demand
			for i := s.lo; i < s.hi; i++ {
				d := order[links[i]]
				out.Load[d] += s.rate
				out.Wire[d] += s.rate * factors[i]
				out.Arriving[d] += arriving * factors[i]
				if isFull[links[i]] {
					arriving = s.rate
				}
			}
		}
	}
	for _, f := range flows {
		f.Delivered = 0
		f.Lost = nil
		if !f.Active {
			continue
		}
		for i, p := range f.Parts {
			want := f.Demand() * p.Weight
			if p.Outcome == Delivered {
				f.Delivered += f.Rates[i]
				if l := want - f.Rates[i]; l > eps {
					f.lose(Congestion, l)
				}
			} else {
				f.lose(p.Outcome, want)
			}
		}
	}
}

// lose adds v bits/s to what f loses to o. The map is made with the
// first loss: most flows lose nothing, and integrating an empty map every
// second read its header, a cache miss a flow once a design held
// thousands.
func (f *Flow) lose(o Outcome, v float64) {
	if f.Lost == nil {
		f.Lost = map[Outcome]float64{}
	}
	f.Lost[o] += v
}

// eps is the rate, and the share of a link's capacity, below which Share
// takes a part as having its demand and a link as full.
const eps = 1e-6

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
