// Package sweep is the failure sweep: every element of a design that can
// fail — each LAG member link, channel or last-mile connection, facility
// and device, with Options.Managed the managed services' devices too — is
// failed in turn, and with Depth 2 every pair as well (a seeded sample
// beyond MaxCases, --max-pairs). Each case runs on a worker's own copy of
// the network (sim/network): by default the steady state once routing has
// converged, plus what is lost before the routers notice, bounded by the
// slowest detection (BFD, MKA's live-peer lifetime or the BGP hold time);
// with Options.Simulate the whole event-driven simulation of package sim
// (sim.Start, Finish, Work), measured rather than bounded, within
// MaxEvents.
//
// Run returns a Sweep: the flows with nothing failed, the cases (each with
// only the flows it changes), the design's objectives (max blackout, min
// bandwidth) judged each way on its own against the single failures, the
// cases ranked worst first, and each flow's availability estimated
// against the SLA. Shards (Options.Shard of Shards) run every Shards-th
// case; Merge joins them (Add or Read, then Finish). WriteText,
// WriteMarkdown and WriteJSON (patchbay.sweep/v2, documented in docs/json.md) report
// it; WriteBlackoutSVG draws the worst failures' blackouts.
package sweep

import (
	"bufio"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/netip"
	"reflect"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"patchbay/lang"
	"patchbay/planner"
	"patchbay/sim"
	"patchbay/sim/internal/units"
	"patchbay/sim/mka"
	"patchbay/sim/network"
	"patchbay/stdlib"
)

// schema names the sweep's JSON format (docs/json.md).
// v2: a case lists only the flows whose row differs from the baseline, so
// the JSON grows with the cases rather than cases × flows.
const schema = "patchbay.sweep/v2"

// Element is one thing that can fail.
type Element struct {
	Kind lang.TargetKind `json:"kind"` // link (a LAG member), channel, facility, device
	Name string          `json:"name"` // as a scenario's fail event names it: "aws-gcp-use1/ch1/m1", "us-east-1/fac-a"
}

// String is the element as reports name it: its kind, a space, its name.
func (e Element) String() string { return string(e.Kind) + " " + e.Name }

// Options tune a sweep.
type Options struct {
	Depth    int    // 1: every single failure; 2: every pair as well
	MaxCases int    // with depth 2, a bound on pairs: beyond it a seeded sample
	Seed     uint64 // for the sample
	Workers  int    // 0: GOMAXPROCS
	// Shard and Shards split the cases: this run takes those whose index
	// modulo Shards is Shard. Shards 0 means all.
	Shard, Shards int
	// Progress, when set, is called after each case with the cases done
	// and this run's (this shard's) total; from the workers, one call at a
	// time.
	Progress func(done, total int)
	// Managed adds the managed services' devices (VGW, DX gateway, Transit
	// Gateway, Cloud WAN edge): AWS runs them redundantly in a region, so
	// failing one is a service outage rather than a component failure.
	Managed bool
	// Simulate runs the whole event-driven simulation for each case — BFD,
	// BGP, MKA and their timers — instead of the steady state and the
	// slowest detection: measured rather than bounded, and much slower.
	Simulate bool
	// MaxEvents bounds the work of the simulated cases together, in
	// events as sim.Options.MaxEvents counts them (0: DefaultMaxEvents).
	// A sweep whose first case, times the cases, would exceed it is
	// refused before the rest run; one that exceeds it as it goes stops.
	MaxEvents uint64
	// MaxFlows bounds the flows followed (0: DefaultMaxFlows).
	MaxFlows int
	// Context, when set, interrupts the sweep: Run then returns its
	// error.
	Context context.Context
}

// DefaultMaxEvents is ten runs' default budget: a simulated sweep of
// ten Interconnects (132 cases) needs about 17.5 million events, a sixth
// of it, and a few minutes of one core.
const DefaultMaxEvents = 10 * sim.DefaultMaxEvents

// Flow is a flow the sweep follows, and what it delivers with nothing
// failed: the baseline every case's rows are against. The flows are the
// scenario's (or, without one, 1 Gbps each way between every monitor's
// ends), then "NAME (return)" mirrors where an objective's networks have
// traffic one way only.
type Flow struct {
	Name      string  `json:"name"`          // need not be unique: CaseFlow.Index tells flows apart
	From      string  `json:"source"`        // the source network's reference ("vpc.web")
	To        string  `json:"destination"`   // the destination network's reference
	Rate      float64 `json:"rate_bps"`      // the demand, bits/s
	Size      int     `json:"packet_size"`   // bytes: the IP packet, headers included
	Delivered float64 `json:"delivered_bps"` // bits/s, with nothing failed
	// Causes are why it loses traffic with nothing failed: a case that
	// leaves the flow as it was says the same.
	Causes []string `json:"causes,omitempty"`
}

// CaseFlow is one flow under one failure. A case holds one only for the
// flows the failure changes; the rest are as Sweep.Baseline says.
type CaseFlow struct {
	Flow string `json:"flow"` // the flow's name
	// Index is the flow's position in Sweep.Flows: names need not be
	// unique, positions are.
	Index int `json:"flow_index"`
	// Delivered is the rate once routing has settled, bits/s.
	Delivered float64 `json:"delivered_bps"`
	// Shortfall is what is then missing, bits/s, of what the flow
	// delivered with nothing failed (its demand at most); 0 when none.
	Shortfall float64 `json:"shortfall_bps"`
	// LostBytes are lost while the failure goes unnoticed (traffic routed
	// into it until BFD, MKA or the hold timer notice); simulated, what
	// the trace counts lost while routing converged, less what the flow
	// was already losing before the failure.
	LostBytes int64 `json:"lost_bytes"`
	// LostPackets is LostBytes in the flow's packets, rounded up.
	LostPackets int64 `json:"lost_packets"`
	// Blackout is how long nothing is delivered, nanoseconds: -1 until the
	// failure is repaired (nothing delivered once routing has settled), 0
	// when some traffic always gets through.
	Blackout time.Duration `json:"blackout_ns"`
	// Disrupted is how long some traffic is lost before routing settles,
	// nanoseconds: the slowest detection of the failed links the flow
	// crossed, or simulated, its longest outage after the failure.
	Disrupted time.Duration `json:"disrupted_ns"`
	// Causes are the outcomes (network.Outcome: "no-route", "congestion",
	// …) of what the flow loses once routing has settled, sorted; absent
	// when it loses nothing.
	Causes []string `json:"causes,omitempty"`
}

// Case is one failure and what it does.
type Case struct {
	Index     int           `json:"index"`             // in the whole sweep: single failures (links, channels, facilities, devices), then pairs
	Failed    []Element     `json:"failed"`            // one element, or a pair
	Detection time.Duration `json:"detection_ns"`      // the slowest detection of the sessions it breaks, nanoseconds; 0 when none
	Down      []string      `json:"links_down"`        // physical links it takes down, by name
	Flows     []CaseFlow    `json:"flows"`             // only those it changes, by Index
	Broken    []string      `json:"objectives_broken"` // names of the objectives it breaks; single failures only
}

// Sweep is a sweep's result, whole or one shard of it.
type Sweep struct {
	Schema       string      `json:"schema"`                 // the constant Schema
	Design       string      `json:"design"`                 // the file the design was loaded from
	Digest       string      `json:"digest"`                 // of the design's sources and the sweep's settings, so shards of different runs never merge
	Scenario     string      `json:"scenario"`               // the scenario's name; "" without one
	Depth        int         `json:"depth"`                  // 1: single failures; 2: pairs as well
	Total        int         `json:"cases_total"`            // the whole sweep's cases, every shard's
	Sampled      bool        `json:"sampled"`                // the pairs are a seeded sample, Settings.MaxPairs of them
	Settings     Settings    `json:"settings"`               // what it was asked, for the digest
	Shard        string      `json:"shard,omitempty"`        // "i/N", from 1; "" for a whole or merged sweep
	Flows        []Flow      `json:"flows"`                  // the baseline, in the order CaseFlow.Index counts
	Objectives   []Objective `json:"objectives"`             // the design's, in its order
	Cases        []Case      `json:"cases"`                  // by Index; a shard's only its own
	Ranking      []int       `json:"ranking,omitempty"`      // case indices, worst first: flows cut, shortfall, bytes lost, blackout
	Availability []FlowAvail `json:"availability,omitempty"` // one per flow, in Flows' order; none in a shard
}

// Settings are what a sweep was asked, so a merge can recompute its digest.
type Settings struct {
	MaxPairs int    `json:"max_pairs"` // Options.MaxCases (--max-pairs); 0: no bound
	Seed     uint64 `json:"seed"`      // Options.Seed
	Managed  bool   `json:"managed"`   // Options.Managed
	Simulate bool   `json:"simulate"`  // Options.Simulate
}

// Objective is a design objective and the failures that break it.
type Objective struct {
	Name         string        `json:"name"`              // the design's objective name, as Case.Broken lists it
	From         string        `json:"source"`            // a network's reference ("vpc.web")
	To           string        `json:"destination"`       // the other network's reference
	MaxBlackout  time.Duration `json:"max_blackout_ns"`   // nanoseconds; 0: no bound, unless NoBlackout
	NoBlackout   bool          `json:"no_blackout"`       // max_blackout = "0s": delivery must never stop
	MinBandwidth float64       `json:"min_bandwidth_bps"` // bits/s each way once routing has settled, asked no more than that way's flows demand; 0: no bound
	BrokenBy     []int         `json:"broken_by"`         // the single failures' case indices that break either direction
	// BrokenBefore: the objective fails with nothing failed at all.
	BrokenBefore bool `json:"broken_before_any_failure"`
	// Unchecked: no flow runs between its networks, so nothing tests it.
	Unchecked bool   `json:"unchecked"`
	Source    string `json:"source_range"` // where it is declared: "FILE:LINE:COL"
	// Directions judges each way on its own, source → destination first:
	// traffic that arrives but whose replies cannot return is not met.
	Directions []Direction `json:"directions"`
}

// Direction is one way of an objective and what breaks it.
type Direction struct {
	From         string   `json:"source"`                    // the sending network's reference
	To           string   `json:"destination"`               // the receiving network's reference
	Flows        []string `json:"flows"`                     // that test it, the sweep's mirrored return flows included
	BrokenBy     []int    `json:"broken_by"`                 // the single failures' case indices that break this way
	BrokenBefore bool     `json:"broken_before_any_failure"` // this way fails with nothing failed
}

// FlowAvail is a flow's availability estimate.
type FlowAvail struct {
	Flow         string  `json:"flow"`         // the flow's name
	Availability float64 `json:"availability"` // a fraction, 0–1, to nine decimals; 0 when not delivered with nothing failed
	SLA          float64 `json:"sla"`          // a fraction: the lower of the catalog's Interconnect and last-mile SLAs the design uses; 1 with neither
	MeetsSLA     bool    `json:"meets_sla"`    // Availability ≥ SLA
	// Cuts are the single failures that cut the flow until repaired, as
	// Element.String names them, in case order; LAG members are left out
	// (a member and its channel are one component). A flow not delivered
	// with nothing failed has one entry saying so.
	Cuts     []string `json:"single_points_of_failure"`
	PairCuts int      `json:"pairs_that_break_it"` // pairs that cut it where neither element alone does
	// PairsSwept says whether pairs were failed (--depth 2): without them
	// the estimate counts single points of failure only, an upper bound.
	PairsSwept bool `json:"pairs_swept"`
}

// elements lists what can fail in a network, in a fixed order: read from
// the plan's topology, which the network instantiates one for one, so
// that how many cases there are is known before any network is built.
func elements(t *planner.Topology, managed bool) []Element {
	var out []Element
	var members, facilities []string
	for _, l := range t.Links {
		if l.Physical() {
			members = append(members, l.Members...)
			facilities = append(facilities, l.Facilities...)
		}
	}
	slices.Sort(members)
	for _, m := range slices.Compact(members) {
		out = append(out, Element{lang.TargetLink, m})
	}
	for _, l := range t.Links {
		if l.Physical() {
			out = append(out, Element{lang.TargetChannel, l.Name})
		}
	}
	slices.Sort(facilities)
	for _, f := range slices.Compact(facilities) {
		out = append(out, Element{lang.TargetFacility, f})
	}
	for _, d := range t.Devices {
		switch d.Role {
		case planner.RoleNetwork:
		case planner.RoleVGW, planner.RoleDXGW, planner.RoleTGW, planner.RoleCloudWAN:
			if managed {
				out = append(out, Element{lang.TargetDevice, d.Name})
			}
		default:
			out = append(out, Element{lang.TargetDevice, d.Name})
		}
	}
	return out
}

// sweeper is one worker: its own network, built from the plan, on which
// failures are applied and undone. Between cases every flow is as in the
// baseline; a case touches only what its failure reaches and puts it back.
type sweeper struct {
	p     *planner.Plan
	n     *network.Network
	flows []*tracked
	// What follows is by link or device ID: a network has thousands, and
	// maps of them were much of what building a worker cost.
	detect   []time.Duration // how long each link's failure goes unnoticed
	baseline []flowState
	causes   [][]string // each flow's, with nothing failed
	capacity []float64  // each physical link's with nothing failed
	// Which prefixes' routes, with nothing failed, leave by a link or pass
	// through a device: only those can change when it fails. The prefixes
	// are numbers in prefixes.
	byLink   [][]int32
	byDev    [][]int32
	prefixes []netip.Prefix
	// Indexes that keep a case's work proportional to what it fails
	// rather than to the design: the links a device's failure takes down,
	// the flows whose baseline paths cross each physical link, and the
	// flows by destination address, ascending, so that those a prefix's
	// routes carry are the run of them it covers (flowsTo).
	devLinks  [][]*network.Link
	linkFlows [][]int
	dsts      []flowDst
}

type flowDst struct {
	addr netip.Addr
	flow int
}

type flowState struct {
	delivered float64
	parts     []network.PathPart
	rates     []float64
	lost      map[network.Outcome]float64
}

func newSweeper(p *planner.Plan, specs []lang.Flow) (*sweeper, error) {
	n, err := network.Build(p)
	if err != nil {
		return nil, err
	}
	w := &sweeper{p: p, n: n, detect: make([]time.Duration, len(n.Links))}
	// MACsec in steady state: secured, so its overhead counts.
	for _, ic := range p.Interconnects {
		for _, ch := range ic.Channels {
			if l, _ := n.Link(ch.Name); l != nil {
				l.SetGate(steadyGate{stdlib.MustEncrypt})
			}
		}
	}
	for _, lm := range p.LastMiles {
		for _, c := range lm.Connections {
			if l, _ := n.Link(c.Name); l != nil && c.MACsec.Encrypts() {
				l.SetGate(steadyGate{c.MACsec})
			}
		}
	}
	for _, fs := range specs {
		f := track(fs, n.Endpoints[fs.From.String()], n.Endpoints[fs.To.String()])
		f.Active = true
		if f.Src == nil || f.Dst == nil {
			return nil, fmt.Errorf("flow %s: %s or %s is not a network", fs.Name, fs.From, fs.To)
		}
		w.flows = append(w.flows, f)
	}
	w.detections()
	w.baseline = w.traffic()
	w.capacity = make([]float64, len(n.Links))
	// Each index's lists are counted first, to be slices of one array.
	devs, last := make([]int, len(n.Devices)), make([]int, len(n.Devices))
	var buf [4]*network.Device
	for _, l := range n.Links {
		if l.Physical() {
			w.capacity[l.ID] = l.Capacity()
		}
		for _, d := range devicesOf(l, &buf) {
			if last[d.ID] != l.ID+1 {
				last[d.ID] = l.ID + 1
				devs[d.ID]++
			}
		}
	}
	w.devLinks = carve[*network.Link](devs)
	for _, l := range n.Links {
		for _, d := range devicesOf(l, &buf) {
			if ls := w.devLinks[d.ID]; len(ls) == 0 || ls[len(ls)-1] != l {
				w.devLinks[d.ID] = append(ls, l)
			}
		}
	}
	routes := 0
	for _, v := range n.VRFs {
		routes += v.Best.Len()
	}
	// Room for a use of a link and of a device per route, which is what
	// each route comes to once a prefix's routes are listed once.
	linkUses, devUses := make([]use, 0, routes), make([]use, 0, routes)
	devOf := make([]int, len(n.VRFs)) // each table's device, without a pointer to follow for each route
	for _, v := range n.VRFs {
		devOf[v.ID] = v.Dev.ID
	}
	// A prefix's routes come one after another, so one number per link
	// and device, the last prefix listed for it, lists each prefix once.
	lastLink, lastDev := make([]int32, len(n.Links)), make([]int32, len(n.Devices))
	for p, r := range n.Routes() {
		if len(w.prefixes) == 0 || w.prefixes[len(w.prefixes)-1] != p {
			w.prefixes = append(w.prefixes, p)
		}
		k := int32(len(w.prefixes))
		for _, h := range r.NextHops {
			if id := h.Link.ID; lastLink[id] != k {
				lastLink[id] = k
				linkUses = append(linkUses, use{int32(id), k - 1})
			}
		}
		for _, id := range r.Path {
			if d := devOf[id]; lastDev[d] != k {
				lastDev[d] = k
				devUses = append(devUses, use{int32(d), k - 1})
			}
		}
	}
	w.byLink, w.byDev = byID(linkUses, len(n.Links)), byID(devUses, len(n.Devices))
	w.linkFlows = make([][]int, len(n.Links))
	for i, f := range w.flows {
		w.causes = append(w.causes, causesOf(w.baseline[i].lost))
		for _, l := range physicalLinks(w.baseline[i].parts) {
			w.linkFlows[l.ID] = append(w.linkFlows[l.ID], i)
		}
		if _, dst, ok := network.Addresses(f.Src, f.Dst); ok {
			w.dsts = append(w.dsts, flowDst{dst, i})
		}
	}
	slices.SortFunc(w.dsts, func(a, b flowDst) int { return cmp.Or(a.addr.Compare(b.addr), cmp.Compare(a.flow, b.flow)) })
	return w, nil
}

// flowsTo is the flows whose destination p covers. The addresses p covers
// are a range, and so a run of w.dsts from the first at or after p's
// own.
func (w *sweeper) flowsTo(p netip.Prefix) []flowDst {
	p = p.Masked()
	lo, _ := slices.BinarySearchFunc(w.dsts, p.Addr(), func(d flowDst, a netip.Addr) int { return d.addr.Compare(a) })
	hi := lo
	for hi < len(w.dsts) && netip.PrefixFrom(w.dsts[hi].addr, p.Bits()).Masked() == p {
		hi++
	}
	return w.dsts[lo:hi]
}

// devicesOf is the devices a link's failure depends on: its ends and
// those it passes through, in buf when they fit.
func devicesOf(l *network.Link, buf *[4]*network.Device) []*network.Device {
	return append(append(buf[:0], l.A.Dev, l.B.Dev), l.Via...)
}

// use is a prefix, by its number in sweeper.prefixes, whose routes use
// the link or device of that ID.
type use struct{ id, prefix int32 }

// byID lists the prefixes of uses by the ID they use, each list a slice of
// one array.
func byID(uses []use, ids int) [][]int32 {
	counts := make([]int, ids)
	for _, u := range uses {
		counts[u.id]++
	}
	out := carve[int32](counts)
	for _, u := range uses {
		out[u.id] = append(out[u.id], u.prefix)
	}
	return out
}

// carve is a list for each count, with room for that many, all slices of
// one array.
func carve[T any](counts []int) [][]T {
	total := 0
	for _, c := range counts {
		total += c
	}
	all, out := make([]T, total), make([][]T, len(counts))
	for i, c := range counts {
		out[i], all = all[:0:c], all[c:]
	}
	return out
}

// physicalLinks lists the physical links parts cross, each once, in the
// order first crossed.
func physicalLinks(parts []network.PathPart) []*network.Link {
	var out []*network.Link
	for _, p := range parts {
		for _, h := range p.Hops {
			if h.Link.Physical() && !slices.Contains(out, h.Link) {
				out = append(out, h.Link)
			}
		}
	}
	return out
}

func causesOf(lost map[network.Outcome]float64) []string {
	var out []string
	for _, o := range network.SortedOutcomes(lost) {
		out = append(out, string(o))
	}
	return out
}

// detections is how long each session's failure goes unnoticed: BFD's
// detection time, or MKA's live-peer lifetime under must_encrypt when it
// is shorter, or the BGP hold time; plus the link's latency, since the
// last packet heard was in flight. A dual-stack link's two sessions
// detect on their own; the link counts the slower.
func (w *sweeper) detections() {
	for _, ps := range w.p.Sessions {
		l, ok := w.n.Link(ps.Over)
		if !ok {
			continue
		}
		d := time.Duration(ps.HoldTime) * time.Second
		if ps.BFD != nil {
			d = min(d, time.Duration(ps.BFD.Multiplier*ps.BFD.MinIntervalMS)*time.Millisecond)
		}
		if g, ok := l.Gate().(steadyGate); ok && g.mode == stdlib.MustEncrypt {
			d = min(d, mka.Lifetime)
		}
		w.detect[l.ID] = max(w.detect[l.ID], d+l.Latency)
	}
}

// traffic is the baseline: Build has converged with everything up, and
// MACsec secured, as the sweep takes it, takes no link down, so the
// tables stand; converging them again would double what every worker,
// and every shard, pays before its first case.
func (w *sweeper) traffic() []flowState {
	for _, f := range w.flows {
		f.Route()
	}
	network.ShareRates(netsOf(w.flows))
	out := make([]flowState, len(w.flows))
	for i, f := range w.flows {
		out[i] = flowState{delivered: f.Delivered, parts: f.Parts, rates: f.Rates, lost: f.Lost}
	}
	return out
}

// trafficAfter reroutes the flows whose destinations a failure's prefixes
// cover, and shares capacity again only among the flows it touches —
// those whose paths changed or that cross a link whose capacity did — and
// the flows sharing links with them; the rest keep their rates. It
// returns the flows shared again, in order; the caller puts them back.
func (w *sweeper) trafficAfter(dirty []netip.Prefix, touched []*network.Link) []int {
	w.n.Converge(false)
	in := make(map[int]bool)
	var todo []int
	add := func(i int) {
		if !in[i] {
			in[i] = true
			todo = append(todo, i)
		}
	}
	for _, p := range dirty {
		for _, d := range w.flowsTo(p) {
			i := d.flow
			f := w.flows[i]
			f.Route()
			if !sameParts(f.Parts, w.baseline[i].parts) {
				add(i)
			}
		}
	}
	// A flow whose path did not change is on its baseline path: the index
	// of baseline paths finds the flows over links that lost capacity,
	// and closes the group over shared links, old paths and new.
	for _, l := range touched {
		for _, i := range w.linkFlows[l.ID] {
			add(i)
		}
	}
	seen := map[*network.Link]bool{}
	for len(todo) > 0 {
		i := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		for _, ps := range [][]network.PathPart{w.flows[i].Parts, w.baseline[i].parts} {
			for _, l := range physicalLinks(ps) {
				if !seen[l] {
					seen[l] = true
					for _, j := range w.linkFlows[l.ID] {
						add(j)
					}
				}
			}
		}
	}
	group := make([]int, 0, len(in))
	for i := range in {
		group = append(group, i)
	}
	// Flow order keeps share's arithmetic, and so the output, the same
	// whatever order the group was found in.
	slices.Sort(group)
	flows := make([]*network.Flow, len(group))
	for k, i := range group {
		flows[k] = &w.flows[i].Flow
	}
	network.ShareRates(flows)
	return group
}

// reset puts the flows a case changed back as they were with nothing
// failed.
func (w *sweeper) reset(dirty []netip.Prefix, group []int) {
	for _, p := range dirty {
		for _, d := range w.flowsTo(p) {
			w.flows[d.flow].Parts = w.baseline[d.flow].parts
		}
	}
	for _, i := range group {
		f, b := w.flows[i], w.baseline[i]
		f.Parts, f.Delivered, f.Rates, f.Lost = b.parts, b.delivered, b.rates, b.lost
	}
}

func sameParts(a, b []network.PathPart) bool {
	return slices.EqualFunc(a, b, func(x, y network.PathPart) bool {
		return x.Outcome == y.Outcome && x.Weight == y.Weight && slices.Equal(x.Hops, y.Hops)
	})
}

// apply fails (or, with fail false, restores) an element.
func (w *sweeper) apply(e Element, fail bool) {
	n := w.n
	switch e.Kind {
	case lang.TargetLink:
		if m, _ := n.Member(e.Name); m != nil {
			m.SetDown("sweep", fail)
		}
	case lang.TargetChannel:
		if l, _ := n.Link(e.Name); l != nil {
			for _, m := range l.Members {
				m.SetDown("sweep", fail)
			}
		}
	case lang.TargetFacility:
		for _, l := range n.Facilities[e.Name] {
			for _, m := range l.Members {
				m.SetDown("sweep "+e.Name, fail)
			}
		}
	case lang.TargetDevice:
		if d, _ := n.Device(e.Name); d != nil {
			d.SetDown("sweep", fail)
		}
	}
}

// reach lists the links whose state an element's failure can change, in
// the network's order.
func (w *sweeper) reach(failed []Element) []*network.Link {
	var out []*network.Link
	for _, e := range failed {
		switch e.Kind {
		case lang.TargetLink:
			if m, l := w.n.Member(e.Name); m != nil {
				out = append(out, l)
			}
		case lang.TargetChannel:
			if l, _ := w.n.Link(e.Name); l != nil {
				out = append(out, l)
			}
		case lang.TargetFacility:
			out = append(out, w.n.Facilities[e.Name]...)
		case lang.TargetDevice:
			if d, _ := w.n.Device(e.Name); d != nil {
				out = append(out, w.devLinks[d.ID]...)
			}
		}
	}
	slices.SortFunc(out, func(a, b *network.Link) int { return a.ID - b.ID })
	return slices.Compact(out)
}

// run works out one case: the steady state with the elements failed, and
// the loss while the routers had not yet noticed. It keeps the flows whose
// row differs from the baseline's.
func (w *sweeper) run(index int, failed []Element) Case {
	c := Case{Index: index, Failed: failed, Flows: []CaseFlow{}, Down: []string{}, Broken: []string{}}
	for _, e := range failed {
		w.apply(e, true)
	}
	// Only prefixes whose routes ran through what failed can change (a
	// failure only takes routes away); the rest of the tables stand, and
	// are put back as they were afterwards.
	var down, touched []*network.Link
	for _, l := range w.reach(failed) {
		if !l.Up() {
			for _, k := range w.byLink[l.ID] {
				w.n.MarkDirty(w.prefixes[k])
			}
			if l.Physical() {
				down = append(down, l)
				c.Down = append(c.Down, l.Name)
				c.Detection = max(c.Detection, w.detect[l.ID])
			}
		}
		if l.Physical() && l.Capacity() != w.capacity[l.ID] {
			touched = append(touched, l)
		}
	}
	for _, e := range failed {
		if d, _ := w.n.Device(e.Name); e.Kind == lang.TargetDevice && d != nil && !d.Up() {
			for _, k := range w.byDev[d.ID] {
				w.n.MarkDirty(w.prefixes[k])
			}
		}
	}
	dirty := w.n.Dirty()
	saved := w.n.SaveDirty()
	group := w.trafficAfter(dirty, touched)
	// Only the flows shared again, and those that were routed over what
	// went down, can differ from the baseline.
	rows := slices.Clone(group)
	for _, l := range down {
		rows = append(rows, w.linkFlows[l.ID]...)
	}
	slices.Sort(rows)
	// A device's failure can take down thousands of links.
	isDown := make(map[*network.Link]bool, len(down))
	for _, l := range down {
		isDown[l] = true
	}
	for _, i := range slices.Compact(rows) {
		f, base := w.flows[i], w.baseline[i]
		cf := CaseFlow{Flow: f.spec.Name, Index: i, Delivered: units.Round(f.Delivered)}
		cf.Shortfall = units.Round(max(0, min(float64(f.spec.Rate), base.delivered)-f.Delivered))
		// Until the routers notice, what was routed over a link now down
		// is lost; a managed service's own failures it notices at once.
		lostRate, slowest := 0.0, time.Duration(0)
		for j, p := range base.parts {
			if p.Outcome != network.Delivered {
				continue
			}
			var d time.Duration
			for _, h := range p.Hops {
				if isDown[h.Link] {
					d = max(d, w.detect[h.Link.ID])
				}
			}
			if d > 0 {
				lostRate += base.rates[j]
				slowest = max(slowest, d)
			}
		}
		bits := lostRate * slowest.Seconds()
		cf.LostBytes = int64(math.Round(bits / 8))
		cf.LostPackets = (cf.LostBytes + int64(f.spec.PacketSize) - 1) / int64(f.spec.PacketSize)
		if lostRate > 0 {
			cf.Disrupted = slowest
		}
		switch {
		case base.delivered > 0 && f.Delivered <= base.delivered*1e-9:
			cf.Blackout = -1
		case base.delivered > 0 && lostRate >= base.delivered*(1-1e-9):
			cf.Blackout = slowest
		}
		cf.Causes = causesOf(f.Lost)
		if !w.unchanged(cf) {
			c.Flows = append(c.Flows, cf)
		}
	}
	w.reset(dirty, group)
	for _, e := range failed {
		w.apply(e, false)
	}
	w.n.RestoreRoutes(saved)
	return c
}

// unchanged reports whether a row says what the baseline does.
func (w *sweeper) unchanged(cf CaseFlow) bool {
	return sameRow(cf, CaseFlow{Flow: cf.Flow, Index: cf.Index, Delivered: units.Round(w.baseline[cf.Index].delivered), Causes: w.causes[cf.Index]})
}

func sameRow(a, b CaseFlow) bool {
	return slices.Equal(a.Causes, b.Causes) && a.Flow == b.Flow && a.Index == b.Index && a.Delivered == b.Delivered && a.Shortfall == b.Shortfall &&
		a.LostBytes == b.LostBytes && a.LostPackets == b.LostPackets && a.Blackout == b.Blackout && a.Disrupted == b.Disrupted
}

// designDigest identifies a design's sources and the sweep's settings.
func designDigest(p *planner.Plan, scenario string, o Options, total int) string {
	h := sha256.New()
	files := make([]string, 0, len(p.Design.Files))
	for f := range p.Design.Files {
		files = append(files, f)
	}
	slices.Sort(files)
	for _, f := range files {
		fmt.Fprintf(h, "%s\x00%s\x00", f, p.Design.Files[f])
	}
	fmt.Fprintf(h, "%s\x00%d\x00%d\x00%d\x00%d\x00%t\x00%t", scenario, o.Depth, o.MaxCases, o.Seed, total, o.Managed, o.Simulate)
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// tracked is a scenario flow as the sweep follows it: through the data
// plane, and as the script wrote it.
type tracked struct {
	network.Flow
	spec lang.Flow
}

func track(spec lang.Flow, src, dst *network.Endpoint) *tracked {
	return &tracked{Flow: network.Flow{Src: src, Dst: dst, Rate: float64(spec.Rate), Size: spec.PacketSize}, spec: spec}
}

// netsOf is the flows' data-plane parts, in order, for Share.
func netsOf(flows []*tracked) []*network.Flow {
	out := make([]*network.Flow, len(flows))
	for i, f := range flows {
		out[i] = &f.Flow
	}
	return out
}

// sweepFlows are the scenario's flows, or, without one, a 1 Gbps flow each
// way between the ends of every monitor; then, for each objective whose
// networks exchange traffic one way only, the other way's flows mirrored.
func sweepFlows(p *planner.Plan, sc *lang.Scenario) []lang.Flow {
	var out []lang.Flow
	if sc != nil && len(sc.Flows) > 0 {
		out = slices.Clone(sc.Flows)
	} else {
		for _, m := range p.Design.Monitors {
			for _, d := range [][2]lang.Ref{{m.From, m.To}, {m.To, m.From}} {
				out = append(out, lang.Flow{Name: d[0].Name + "->" + d[1].Name, From: d[0], To: d[1], Rate: stdlib.Bandwidth(1e9), PacketSize: 1500})
			}
		}
	}
	return append(out, returnFlows(p.Design.Objectives, out)...)
}

// returnFlows mirrors, for each objective, the flows of the one direction
// its networks have traffic in: an objective holds for traffic between
// them, and a connection whose replies are lost is as broken as one whose
// requests are. The mirror carries as much as the flow it answers, so
// min_bandwidth asks the same of both ways.
func returnFlows(objectives []*lang.Objective, flows []lang.Flow) []lang.Flow {
	names := map[string]bool{}
	has := map[[2]lang.Ref]bool{}
	for _, f := range flows {
		names[f.Name] = true
		has[[2]lang.Ref{f.From, f.To}] = true
	}
	var out []lang.Flow
	for _, ob := range objectives {
		for _, d := range [][2]lang.Ref{{ob.From, ob.To}, {ob.To, ob.From}} {
			if has[d] || !has[[2]lang.Ref{d[1], d[0]}] {
				continue
			}
			has[d] = true
			for _, f := range flows {
				if f.From != d[1] || f.To != d[0] {
					continue
				}
				r := f
				r.Name, r.From, r.To, r.Range = f.Name+" (return)", d[0], d[1], ob.Range
				for names[r.Name] {
					r.Name += " (return)"
				}
				names[r.Name] = true
				out = append(out, r)
			}
		}
	}
	return out
}

// Run fails every element of the design (and with depth 2 every
// pair) in turn and reports what each does to the flows: what is lost
// before routing notices, and what is missing once it has settled.
func Run(p *planner.Plan, sc *lang.Scenario, o Options) (*Sweep, error) {
	if o.Depth < 1 || o.Depth > 2 {
		return nil, fmt.Errorf("--depth %d: want 1 or 2", o.Depth)
	}
	specs := sweepFlows(p, sc)
	if len(specs) == 0 {
		return nil, fmt.Errorf("nothing to sweep: the design has no scenario flows and no monitors")
	}
	if o.MaxFlows <= 0 {
		o.MaxFlows = sim.DefaultMaxFlows
	}
	if o.MaxEvents == 0 {
		o.MaxEvents = DefaultMaxEvents
	}
	if len(specs) > o.MaxFlows {
		return nil, fmt.Errorf("the sweep would follow %s flows, over the budget of %s — raise it with --max-flows",
			units.Thousands(uint64(len(specs))), units.Thousands(uint64(o.MaxFlows)))
	}
	ctx, cancel := context.WithCancelCause(cmp.Or(o.Context, context.Background()))
	defer cancel(nil)
	workers := o.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	// The other workers' networks are built while the first is, not after:
	// each build is a whole routing computation, a fixed cost every shard
	// pays, and the first would otherwise have the machine to itself.
	type built struct {
		w   *sweeper
		err error
	}
	// No more networks than there are cases to run on them.
	cases := newCaseList(elements(p.Topology(), o.Managed), o)
	stride, offset := 1, 0
	if o.Shards > 1 {
		stride, offset = o.Shards, o.Shard
	}
	count := max(0, (cases.total-offset+stride-1)/stride)
	early := max(0, min(workers, runtime.GOMAXPROCS(0), count)-1)
	spare := make(chan built, early)
	for range early {
		go func() {
			w, err := newSweeper(p, specs)
			spare <- built{w, err}
		}()
	}
	first, err := newSweeper(p, specs)
	if err != nil {
		return nil, err
	}
	name := ""
	if sc != nil {
		name = sc.Name
	}
	out := &Sweep{Schema: schema, Design: designName(p), Digest: designDigest(p, name, o, cases.total), Scenario: name, Depth: o.Depth,
		Total: cases.total, Sampled: cases.sampled, Flows: []Flow{}, Objectives: []Objective{}, Cases: []Case{},
		Settings: Settings{MaxPairs: o.MaxCases, Seed: o.Seed, Managed: o.Managed, Simulate: o.Simulate}}
	for i, f := range first.flows {
		out.Flows = append(out.Flows, Flow{Name: f.spec.Name, From: f.spec.From.String(), To: f.spec.To.String(), Rate: float64(f.spec.Rate),
			Size: f.spec.PacketSize, Delivered: units.Round(first.baseline[i].delivered), Causes: first.causes[i]})
	}
	for _, ob := range p.Design.Objectives {
		out.Objectives = append(out.Objectives, Objective{Name: ob.Name, From: ob.From.String(), To: ob.To.String(), MaxBlackout: ob.MaxBlackout, NoBlackout: ob.NoBlackout,
			MinBandwidth: float64(ob.MinBandwidth), BrokenBy: []int{}, Source: ob.Range.String(), Directions: []Direction{}})
	}
	// This run's cases are every Shards-th from Shard: k-th is
	// k*Shards+Shard, so none is listed that another shard runs.
	if o.Shards > 1 {
		out.Shard = fmt.Sprintf("%d/%d", o.Shard+1, o.Shards)
	}
	mine := func(k int) int { return k*stride + offset }
	if uint64(count) > maxRunCases {
		return nil, fmt.Errorf("the sweep would run %s cases in this process, more than the %s it holds in memory — bound the pairs with --max-pairs or split the run with --shard",
			units.Thousands(uint64(count)), units.Thousands(maxRunCases))
	}
	workers = max(1, min(workers, count))
	results := make([]Case, count)
	var mu sync.Mutex
	done := 0
	progress := func() {
		if o.Progress != nil {
			mu.Lock()
			done++
			o.Progress(done, count)
			mu.Unlock()
		}
	}
	// Simulated work is counted, not timed: the cases' events add up to
	// the same total however the workers share them, so whether a sweep
	// is within its budget does not depend on the machine.
	var used atomic.Uint64
	simulate := func(w *sweeper, k int) error {
		c, work, err := simulateCase(ctx, p, specs, w, mine(k), cases.at(mine(k)), o)
		if err != nil {
			return err
		}
		if used.Add(work) > o.MaxEvents {
			return fmt.Errorf("sweep --simulate: the cases need more than the budget of %s events — raise it with --max-events", units.Thousands(o.MaxEvents))
		}
		results[k] = c
		return nil
	}
	from := 0
	if o.Simulate && count > 0 {
		// The first case measures what one costs: a sweep that would be
		// far over budget is refused now rather than after minutes.
		if err := simulate(first, 0); err != nil {
			return nil, err
		}
		if est := used.Load() * uint64(count); est > o.MaxEvents {
			return nil, fmt.Errorf("sweep --simulate would run %s cases of about %s events each (%s), over the budget of %s events — raise it with --max-events",
				units.Thousands(uint64(count)), units.Thousands(used.Load()), units.Thousands(est), units.Thousands(o.MaxEvents))
		}
		progress()
		from = 1
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for wi := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := first
			if wi > 0 {
				b := built{}
				if wi <= early {
					b = <-spare
				} else {
					b.w, b.err = newSweeper(p, specs)
				}
				if b.err != nil {
					cancel(b.err)
					return
				}
				w = b.w
			}
			for k := range next {
				if o.Simulate {
					if err := simulate(w, k); err != nil {
						cancel(err)
						return
					}
				} else {
					results[k] = w.run(mine(k), cases.at(mine(k)))
				}
				progress()
			}
		}()
	}
	// An interrupt or a failed worker stops the handing out of cases; the
	// workers finish the one they hold (a simulated one stops too).
	// The last go first: elements are listed links, channels, facilities,
	// then devices, whose failures reach furthest and take longest, and
	// the quick cases left for the end even out when the workers finish.
dispatch:
	for k := count - 1; k >= from; k-- {
		select {
		case next <- k:
		case <-ctx.Done():
			break dispatch
		}
	}
	close(next)
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	out.Cases = results
	if out.Shard == "" {
		out.finish(p)
	}
	return out, nil
}

// maxRunCases bounds the cases one run holds, about 100 bytes each before
// what they find: every pair of 15,012 elements, 112 million, would be 11
// GB before the first ran.
var maxRunCases uint64 = 5_000_000

// steadyGate is MACsec in the steady state the sweep works out: keyed, so
// traffic crosses protected; the mode says what a failure to keep the key
// would do.
type steadyGate struct{ mode stdlib.MACsecMode }

func (steadyGate) Open() bool  { return true }
func (steadyGate) Clear() bool { return false }
func (steadyGate) Why() string { return "" }

// caseList is the sweep's cases by index, each worked out when a worker
// takes it: with depth 2, thousands of elements make millions of pairs
// (15,012 make 112 million, 900 MB as a list), of which a run keeps a
// sample and a shard a slice of that.
type caseList struct {
	els     []Element
	total   int
	sampled bool
	// pairs are the sampled pairs' numbers, ascending, in the order of
	// every pair (i, j), i < j, by i then j; nil without a sample.
	pairs []int64
}

func newCaseList(els []Element, o Options) caseList {
	c := caseList{els: els, total: len(els)}
	if o.Depth < 2 {
		return c
	}
	n := int64(len(els))
	all := n * (n - 1) / 2
	if o.MaxCases > 0 && all > int64(o.MaxCases) {
		// Floyd's sampling: k distinct numbers of [0, all) uniformly with k
		// draws and a set of k, seeded so every shard draws the same.
		r := rand.New(rand.NewPCG(o.Seed, o.Seed^0x5eed))
		k := int64(o.MaxCases)
		chosen := make(map[int64]bool, k)
		c.pairs = make([]int64, 0, k)
		for j := all - k; j < all; j++ {
			t := r.Int64N(j + 1)
			if chosen[t] {
				t = j
			}
			chosen[t] = true
			c.pairs = append(c.pairs, t)
		}
		slices.Sort(c.pairs)
		c.sampled = true
		c.total += len(c.pairs)
		return c
	}
	c.total += int(all)
	return c
}

// at is case i: one element, or after them a pair.
func (c caseList) at(i int) []Element {
	if i < len(c.els) {
		return []Element{c.els[i]}
	}
	k := int64(i - len(c.els))
	if c.pairs != nil {
		k = c.pairs[k]
	}
	// Row a holds the pairs (a, b) for b > a: n-1-a of them, starting at
	// a(2n-a-1)/2.
	n := int64(len(c.els))
	row := func(a int64) int64 { return a * (2*n - a - 1) / 2 }
	a := int64(sort.Search(int(n), func(a int) bool { return row(int64(a)+1) > k }))
	return []Element{c.els[a], c.els[a+1+k-row(a)]}
}

// designName is the file the design was loaded from: where its scenario
// or objectives are declared, which loaded modules never are in practice,
// else the last file any resource came from.
func designName(p *planner.Plan) string {
	for _, sc := range p.Design.Scenarios {
		return sc.Range.File
	}
	for _, o := range p.Design.Objectives {
		return o.Range.File
	}
	name := ""
	for _, r := range p.Design.All() {
		if f := r.Source().File; f != "" {
			name = f
		}
	}
	return name
}

// Merge joins shards one at a time, so a caller can read each, add it and
// let it go: what is held is the merged cases, not every shard as read.
type Merge struct {
	out  *Sweep
	seen map[int]bool
}

// Add takes a shard's cases; the first shard fixes the sweep, whose digest
// must be this plan's.
func (m *Merge) Add(p *planner.Plan, s *Sweep) error {
	if err := m.begin(p, s); err != nil {
		return err
	}
	for _, c := range s.Cases {
		if err := m.addCase(s.Shard, c); err != nil {
			return err
		}
	}
	return nil
}

// begin checks a shard's header against the sweep's, which the first
// shard fixes.
func (m *Merge) begin(p *planner.Plan, s *Sweep) error {
	if m.out == nil {
		out := *s
		set := out.Settings
		want := designDigest(p, out.Scenario, Options{Depth: out.Depth, MaxCases: set.MaxPairs, Seed: set.Seed, Managed: set.Managed, Simulate: set.Simulate}, out.Total)
		if out.Digest != want {
			return fmt.Errorf("the shards are of another design or other settings than this file's (digest %s, this file's %s)", out.Digest, want)
		}
		out.Shard, out.Cases, out.Ranking, out.Availability = "", make([]Case, 0, max(0, min(out.Total, 1<<16))), nil, nil
		out.Objectives = slices.Clone(out.Objectives)
		for i := range out.Objectives {
			out.Objectives[i].BrokenBy = []int{}
		}
		m.out, m.seen = &out, map[int]bool{}
	}
	if s.Digest != m.out.Digest || s.Total != m.out.Total {
		return fmt.Errorf("shard %s is of another sweep (digest %s, %d cases; want %s, %d)", s.Shard, s.Digest, s.Total, m.out.Digest, m.out.Total)
	}
	return nil
}

func (m *Merge) addCase(shard string, c Case) error {
	out := m.out
	if c.Index < 0 || c.Index >= out.Total {
		return fmt.Errorf("shard %s: case %d is not one of the sweep's %d", shard, c.Index, out.Total)
	}
	if m.seen[c.Index] {
		return fmt.Errorf("case %d appears in two shards", c.Index)
	}
	// Rows name flows by position: a shard that does not is not one this
	// sweep wrote.
	for k, f := range c.Flows {
		if f.Index < 0 || f.Index >= len(out.Flows) || k > 0 && f.Index <= c.Flows[k-1].Index {
			return fmt.Errorf("shard %s: case %d: flow_index %d out of range or order", shard, c.Index, f.Index)
		}
	}
	m.seen[c.Index] = true
	out.Cases = append(out.Cases, c)
	return nil
}

// Read adds the shard JSON r holds, a case at a time as it is decoded:
// what is held is the merged cases, never a shard's text or all of its
// cases at once. A shard whose header comes after its cases (the sweep
// writes it first) has its cases held until the header is read.
func (m *Merge) Read(p *planner.Plan, r io.Reader) error {
	var hdr Sweep
	fields := map[string]any{}
	v := reflect.ValueOf(&hdr).Elem()
	for i := range v.NumField() {
		if name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ","); name != "cases" {
			fields[name] = v.Field(i).Addr().Interface()
		}
	}
	notShard := func(err error) error { return &ShardFormatError{Err: err} }
	dec := json.NewDecoder(bufio.NewReader(r))
	dec.DisallowUnknownFields()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return notShard(cmp.Or(err, errors.New("not a JSON object")))
	}
	var pending []Case
	began, sawCases := false, false
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return notShard(err)
		}
		key, _ := t.(string)
		if key != "cases" {
			f, ok := fields[key]
			if !ok {
				return notShard(fmt.Errorf("json: unknown field %q", key))
			}
			if err := dec.Decode(f); err != nil {
				return notShard(err)
			}
			if key == "schema" && hdr.Schema != schema {
				return notShard(fmt.Errorf("schema %q", hdr.Schema))
			}
			continue
		}
		if hdr.Schema == schema && hdr.Digest != "" && !began {
			if err := m.begin(p, &hdr); err != nil {
				return err
			}
			began = true
		}
		if t, err := dec.Token(); err != nil || t != json.Delim('[') {
			return notShard(cmp.Or(err, errors.New("cases: not a list")))
		}
		sawCases = true
		for dec.More() {
			var c Case
			if err := dec.Decode(&c); err != nil {
				return notShard(err)
			}
			if !began {
				pending = append(pending, c)
			} else if err := m.addCase(hdr.Shard, c); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil {
			return notShard(err)
		}
	}
	if _, err := dec.Token(); err != nil {
		return notShard(err)
	}
	if hdr.Schema != schema {
		return notShard(fmt.Errorf("schema %q", hdr.Schema))
	}
	if !sawCases {
		return notShard(errors.New("no cases"))
	}
	if !began {
		if err := m.begin(p, &hdr); err != nil {
			return err
		}
	}
	for _, c := range pending {
		if err := m.addCase(hdr.Shard, c); err != nil {
			return err
		}
	}
	return nil
}

// ShardFormatError is a file that is not a shard of this format.
type ShardFormatError struct {
	Err error // what did not decode, or the schema it has instead
}

// Error says the file is not a shard of this schema, and why.
func (e *ShardFormatError) Error() string {
	return fmt.Sprintf("not a %s shard: %v", schema, e.Err)
}

// Unwrap returns Err.
func (e *ShardFormatError) Unwrap() error { return e.Err }

// Finish checks every case is in and works out the ranking, objectives and
// availability.
func (m *Merge) Finish(p *planner.Plan) (*Sweep, error) {
	if m.out == nil {
		return nil, fmt.Errorf("no shards to merge")
	}
	out := m.out
	if len(out.Cases) != out.Total {
		var missing []string
		for i := 0; i < out.Total && len(missing) < 5; i++ {
			if !m.seen[i] {
				missing = append(missing, fmt.Sprint(i))
			}
		}
		return nil, fmt.Errorf("the shards hold %d of %d cases; missing e.g. %s", len(out.Cases), out.Total, strings.Join(missing, ", "))
	}
	slices.SortFunc(out.Cases, func(a, b Case) int { return a.Index - b.Index })
	out.finish(p)
	return out, nil
}

// Baseline is flow i's row in a case that leaves it as it was with nothing
// failed.
func (s *Sweep) Baseline(i int) CaseFlow {
	f := s.Flows[i]
	return CaseFlow{Flow: f.Name, Index: i, Delivered: f.Delivered, Causes: f.Causes}
}

// Row is flow i under case c: the case's own row, or the baseline's.
func (s *Sweep) Row(c Case, i int) CaseFlow {
	if k, ok := slices.BinarySearchFunc(c.Flows, i, func(f CaseFlow, i int) int { return f.Index - i }); ok {
		return c.Flows[k]
	}
	return s.Baseline(i)
}

// Rows is every flow under case c, in the order of Flows.
func (s *Sweep) Rows(c Case) []CaseFlow {
	out := make([]CaseFlow, len(s.Flows))
	for i := range out {
		out[i] = s.Row(c, i)
	}
	return out
}

// finish checks the objectives, ranks the failures and estimates
// availability, once every case is in.
func (s *Sweep) finish(p *planner.Plan) {
	// Each direction of an objective covers the flows that way, together:
	// their delivered rates add up. min_bandwidth asks no more than they
	// demand.
	type target struct {
		flows  []int
		demand float64
	}
	targets := make([][]target, len(s.Objectives))
	for oi := range s.Objectives {
		ob := &s.Objectives[oi]
		ob.BrokenBy, ob.BrokenBefore, ob.Directions = []int{}, false, []Direction{}
		for _, w := range [][2]string{{ob.From, ob.To}, {ob.To, ob.From}} {
			d := Direction{From: w[0], To: w[1], Flows: []string{}, BrokenBy: []int{}}
			var tg target
			for fi, f := range s.Flows {
				if f.From == d.From && f.To == d.To {
					tg.flows = append(tg.flows, fi)
					tg.demand += f.Rate
					d.Flows = append(d.Flows, f.Name)
				}
			}
			ob.Directions = append(ob.Directions, d)
			targets[oi] = append(targets[oi], tg)
		}
		ob.Unchecked = !slices.ContainsFunc(targets[oi], func(tg target) bool { return len(tg.flows) > 0 })
		if ob.Unchecked {
			ob.Directions = []Direction{}
			continue
		}
		for di, tg := range targets[oi] {
			if len(tg.flows) == 0 {
				// Shards of a sweep that did not mirror return flows.
				continue
			}
			before := 0.0
			for _, fi := range tg.flows {
				before += s.Flows[fi].Delivered
			}
			need := min(ob.MinBandwidth, tg.demand)
			d := &ob.Directions[di]
			d.BrokenBefore = before == 0 && (ob.MaxBlackout > 0 || ob.NoBlackout) || ob.MinBandwidth > 0 && before < need*(1-1e-9)
			ob.BrokenBefore = ob.BrokenBefore || d.BrokenBefore
		}
	}
	for ci := range s.Cases {
		c := &s.Cases[ci]
		c.Broken = []string{}
		// Objectives promise what holds through any single failure.
		if len(c.Failed) != 1 {
			continue
		}
		for oi := range s.Objectives {
			ob := &s.Objectives[oi]
			if ob.Unchecked {
				continue
			}
			broken := false
			for di, tg := range targets[oi] {
				// A way already broken says nothing of the failure.
				if len(tg.flows) == 0 || ob.Directions[di].BrokenBefore {
					continue
				}
				delivered, tooLong := 0.0, false
				for _, fi := range tg.flows {
					cf := s.Row(*c, fi)
					delivered += cf.Delivered
					if (ob.MaxBlackout > 0 || ob.NoBlackout) && (cf.Blackout < 0 || cf.Blackout > ob.MaxBlackout) {
						tooLong = true
					}
				}
				tooLittle := ob.MinBandwidth > 0 && delivered < min(ob.MinBandwidth, tg.demand)*(1-1e-9)
				if tooLong || tooLittle {
					ob.Directions[di].BrokenBy = append(ob.Directions[di].BrokenBy, c.Index)
					broken = true
				}
			}
			if broken {
				c.Broken = append(c.Broken, ob.Name)
				ob.BrokenBy = append(ob.BrokenBy, c.Index)
			}
		}
	}
	// Rows the failure left as they were add nothing to its score: the
	// baseline's have no shortfall, loss or blackout.
	type score struct {
		cut   int
		short float64
		bytes int64
		black time.Duration
	}
	scores := make([]score, len(s.Cases))
	s.Ranking = make([]int, len(s.Cases))
	for i, c := range s.Cases {
		s.Ranking[i] = i
		sc := &scores[i]
		for _, f := range c.Flows {
			if f.Blackout < 0 {
				sc.cut++
			}
			sc.short += f.Shortfall
			sc.bytes += f.LostBytes
			switch {
			case f.Blackout < 0:
				sc.black = time.Duration(math.MaxInt64) // until repaired: longer than any
			case sc.black >= 0 && f.Blackout > sc.black:
				sc.black = f.Blackout
			}
		}
	}
	slices.SortStableFunc(s.Ranking, func(a, b int) int {
		x, y := scores[a], scores[b]
		return cmp.Or(cmp.Compare(y.cut, x.cut), cmp.Compare(y.short, x.short), cmp.Compare(y.bytes, x.bytes), cmp.Compare(y.black, x.black), cmp.Compare(s.Cases[a].Index, s.Cases[b].Index))
	})
	s.Availability = availability(p, s)
}

// availability estimates each flow's availability from the failures that
// cut it: the product over single points of failure of their
// availability, times, for each pair that cuts it (when pairs were swept),
// one less the chance both are down at once. Components fail
// independently; repair is not modelled beyond the figures' own.
func availability(p *planner.Plan, s *Sweep) []FlowAvail {
	c := stdlib.Default()
	avail := func(e Element) float64 {
		component := ""
		switch e.Kind {
		case lang.TargetLink, lang.TargetChannel:
			component = "link"
		case lang.TargetFacility:
			component = "facility"
		case lang.TargetDevice:
			switch {
			case strings.HasSuffix(e.Name, "/router"):
				component = "customer_router"
			case strings.Contains(e.Name, "-edge"):
				component = "partner_edge"
			case strings.Contains(e.Name, "."):
				component = "managed_service"
			default:
				component = "router"
			}
		}
		a, _, ok := c.Availability(component)
		if !ok {
			return 1
		}
		return a
	}
	sla := 1.0
	if a, _, ok := c.Availability("interconnect"); ok && len(p.Interconnects) > 0 {
		sla = a
	}
	if a, _, ok := c.Availability("last_mile"); ok && len(p.LastMiles) > 0 {
		sla = min(sla, a)
	}
	// The cases that cut each flow, in case order, and each single
	// failure's case, found in one pass over the cases' rows.
	cuts := make([][]int, len(s.Flows))
	singles := map[Element]int{}
	for ci, cs := range s.Cases {
		if len(cs.Failed) == 1 {
			if _, ok := singles[cs.Failed[0]]; !ok {
				singles[cs.Failed[0]] = ci
			}
		}
		for _, f := range cs.Flows {
			if f.Blackout < 0 {
				cuts[f.Index] = append(cuts[f.Index], ci)
			}
		}
	}
	// single reports whether e alone cuts flow fi.
	single := func(e Element, fi int) bool {
		ci, ok := singles[e]
		return ok && s.Row(s.Cases[ci], fi).Blackout < 0
	}
	var out []FlowAvail
	for fi, f := range s.Flows {
		fa := FlowAvail{Flow: f.Name, Availability: 1, SLA: sla, Cuts: []string{}, PairsSwept: s.Depth == 2}
		if f.Delivered == 0 {
			// Delivers nothing with nothing failed.
			fa.Availability, fa.Cuts = 0, []string{"nothing: it is not delivered before any failure"}
			out = append(out, fa)
			continue
		}
		for _, ci := range cuts[fi] {
			cs := s.Cases[ci]
			switch len(cs.Failed) {
			case 1:
				// Members of a LAG and the channel itself are one component.
				if cs.Failed[0].Kind == lang.TargetLink {
					continue
				}
				fa.Availability *= avail(cs.Failed[0])
				fa.Cuts = append(fa.Cuts, cs.Failed[0].String())
			case 2:
				if single(cs.Failed[0], fi) || single(cs.Failed[1], fi) {
					continue
				}
				fa.Availability *= 1 - (1-avail(cs.Failed[0]))*(1-avail(cs.Failed[1]))
				fa.PairCuts++
			}
		}
		fa.Availability = math.Round(fa.Availability*1e9) / 1e9
		fa.MeetsSLA = fa.Availability >= sla
		out = append(out, fa)
	}
	return out
}

// HasBroken reports whether any objective is broken.
func (s *Sweep) HasBroken() bool {
	for _, o := range s.Objectives {
		if len(o.BrokenBy) > 0 || o.BrokenBefore {
			return true
		}
	}
	return false
}

// Overlay is the state of the network under case i, for a diagram.
func (s *Sweep) Overlay(p *planner.Plan, i int) (*sim.State, error) {
	n, err := network.Build(p)
	if err != nil {
		return nil, err
	}
	w := &sweeper{p: p, n: n}
	for _, e := range s.Cases[i].Failed {
		w.apply(e, true)
	}
	st := &sim.State{Links: map[string]bool{}, Sessions: map[string]bool{}}
	for _, l := range n.Links {
		st.Links[l.Name] = l.Up()
	}
	for _, ps := range p.Sessions {
		if l, ok := n.Link(ps.Over); ok {
			st.Sessions[ps.Name] = l.Up()
		}
	}
	return st, nil
}

// simFailAt is when a simulated case fails its elements; simWatch is how
// long it watches after: past the 90 s hold time, so even a session
// without BFD has noticed.
const (
	simFailAt = 10 * time.Second
	simWatch  = 2 * time.Minute
)

// simulateCase runs the scenario's flows with the case's elements failed
// at simFailAt and reads what happened from the trace.
// It returns the work the run did, and an error when it was interrupted or
// ran out of budget (each case may use all of the sweep's).
func simulateCase(ctx context.Context, p *planner.Plan, specs []lang.Flow, w *sweeper, index int, failed []Element, o Options) (Case, uint64, error) {
	c := Case{Index: index, Failed: failed, Flows: []CaseFlow{}, Down: []string{}, Broken: []string{}}
	var names []string
	for _, e := range failed {
		names = append(names, e.String())
	}
	sc := &lang.Scenario{Meta: lang.Meta{Name: "sweep case " + strings.Join(names, " + ")}, Duration: simFailAt + simWatch, Flows: specs}
	for _, e := range failed {
		sc.Events = append(sc.Events, lang.Event{At: simFailAt, Action: lang.ActionFail, Target: lang.Target{Kind: e.Kind, Name: e.Name}})
	}
	var tr *sim.Trace
	var work uint64
	s, err := sim.Start(p, sc, sim.Options{Seed: o.Seed, MaxEvents: o.MaxEvents, MaxFlows: o.MaxFlows, Context: ctx})
	if err == nil {
		tr, err = s.Finish()
		work = s.Work()
	}
	var d lang.Diagnostic
	if errors.As(err, &d) {
		// The case's scenario is the sweep's own, with no place in a file.
		err = errors.New(d.Summary)
	}
	if err != nil {
		return c, work, err
	}
	// What was down, and the last word on each flow, as the trace says;
	// and what each flow lost before the failure, which is not its doing.
	final := map[string]sim.FlowChange{}
	lostBefore := map[string]float64{}
	for _, e := range tr.Events {
		if e.T == 0 {
			for _, f := range e.Flows {
				for _, v := range f.Lost {
					lostBefore[f.Flow] += v
				}
			}
		}
		for _, l := range e.Links {
			if !l.Up && l.Capacity >= 0 && !slices.Contains(c.Down, l.Link) {
				c.Down = append(c.Down, l.Link)
			}
		}
		for _, f := range e.Flows {
			final[f.Flow] = f
		}
	}
	slices.Sort(c.Down)
	var conv *sim.Convergence
	for i := range tr.Convergence {
		if tr.Convergence[i].T == simFailAt {
			conv = &tr.Convergence[i]
		}
	}
	if conv != nil && conv.Detection != nil {
		c.Detection = *conv.Detection
	}
	for i, f := range tr.Flows {
		base := w.baseline[i].delivered
		last := final[f.Name]
		cf := CaseFlow{Flow: f.Name, Index: i, Delivered: last.Delivered}
		cf.Shortfall = units.Round(max(0, min(f.Rate, base)-last.Delivered))
		if conv != nil && conv.Stable != nil {
			for _, l := range conv.Flows {
				if l.Flow == f.Name {
					b := max(0, l.Bytes-int64(math.Round(lostBefore[f.Name]*conv.Stable.Seconds()/8)))
					cf.LostBytes, cf.LostPackets = b, (b+int64(f.PacketSize)-1)/int64(f.PacketSize)
				}
			}
		}
		for _, o := range f.Outages {
			if o.Start < simFailAt {
				continue
			}
			d := o.End - o.Start
			cf.Disrupted = max(cf.Disrupted, d)
			if o.Worst >= 1-1e-9 {
				cf.Blackout = max(cf.Blackout, d)
			}
			if o.End == sc.Duration && base > 0 && last.Delivered <= base*1e-9 {
				cf.Blackout = -1
			}
		}
		for o := range last.Lost {
			cf.Causes = append(cf.Causes, o)
		}
		slices.Sort(cf.Causes)
		if !w.unchanged(cf) {
			c.Flows = append(c.Flows, cf)
		}
	}
	return c, work, nil
}
