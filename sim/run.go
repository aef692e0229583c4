package sim

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"patchbay/lang"
	"patchbay/planner"
	"patchbay/sim/bfd"
	"patchbay/sim/bgp"
	"patchbay/sim/engine"
	"patchbay/sim/internal/units"
	"patchbay/sim/mka"
	"patchbay/sim/network"
	"patchbay/stdlib"
)

// Options tune a run.
type Options struct {
	Seed uint64
	// Interval is the metric sampling period and the probe aggregation
	// window; 0 means one second.
	Interval time.Duration
	// Pcap, when set, receives every control frame as it crosses the
	// wire: MKA, and BGP and BFD inside MACsec where a link is secured.
	Pcap io.Writer
	// PcapInside receives the BGP and BFD frames as the routers' MACsec
	// interfaces see them: in the clear.
	PcapInside io.Writer
	// KeyLog, when set, receives a line for every MACsec SA the run
	// installs, enough to decrypt Pcap independently (see KeyLog).
	KeyLog *mka.KeyLog
	// Metrics keeps every window's samples in Trace.Metrics (for CSV and
	// plots); without it a long run keeps none.
	Metrics bool
	// MaxEvents bounds the run's work: the events it fires, with each
	// rerouting of the traffic counting one more per flow (0:
	// DefaultMaxEvents). What can be counted before the run starts (probe
	// sends, metric samples) is checked then; the rest as it goes. Work is
	// counted, never timed, so a run stays within it or not whatever the
	// machine.
	MaxEvents uint64
	// MaxFlows bounds the scenario's flows (0: DefaultMaxFlows): every
	// change reroutes each of them.
	MaxFlows int
	// Context, when set, interrupts the run: Run then returns its error.
	Context context.Context
	// Progress, when set, is called every few thousand events with the
	// virtual time reached. It only observes.
	Progress func(now, end time.Duration)
	// OwnThread keeps the run on one OS thread while it runs, as a
	// command that runs one simulation at a time wants: Go's scheduler
	// otherwise moves it between cores, away from its state in the
	// caches (engine.Engine.SetOwnThread). Runs side by side, as a
	// sweep's workers are, go slower with it. A live run (Live) ignores
	// it: it runs in short steps, between which it waits for real routers.
	OwnThread bool
	// Live names the sessions whose far end is a real router, by session
	// name, and where their AWS ends listen (see RunLive).
	Live map[string]Live
}

// The default budgets are tens of times what the examples and benchmarks
// need (the transit hub for an hour with four probes a second is about
// 270,000 events; 200 BGP sessions exchanging 50,000 prefixes about
// 230,000), and a run within them takes seconds to a minute.
const (
	DefaultMaxEvents = 10_000_000
	DefaultMaxFlows  = 10_000
)

// maxWindows bounds the metric series a run may keep.
const maxWindows = 1_000_000

// Sim is one scenario of a plan running on one network: Start it, run it
// to a moment (RunUntil) to look at the network then, or to its end
// (Finish) for the trace.
type Sim struct {
	e       *engine.Engine
	n       *network.Network
	sc      *lang.Scenario
	opts    Options
	flows   []*flow
	nets    []*network.Flow // the flows' data-plane parts, in order
	probes  []*probe
	load    map[network.Dir]float64
	traffic network.Shared
	epoch   int
	last    time.Duration
	winAt   time.Duration
	// util is ∫ load/capacity dt over the window, by direction
	// (2·link ID + side): a map's lookups were most of sampling's time
	// at a thousand links.
	util  []float64
	out   *Trace
	maint []maintenance
	links []LinkState // each link as last recorded

	bfd          [][2]*bfd.End // each session's, in order; nil without BFD
	bgp          *bgp.Set
	live         *liveRun // nil unless Options.Live names a session
	cap, capIn   *capture
	frameBuf     []byte // the frame send builds, reused
	wireBuf      []byte // that frame protected by MACsec, reused
	plainBuf     []byte // what the receiving end's SA recovers of it, reused
	l4Buf        []byte // the transport header and payload, reused
	routePending bool
	// What the flows were last routed and shared with, so that a routing
	// update that changed none of it does not do that again for every
	// flow: while a large design warms up, each channel's MACsec comes up
	// (an update each) before BGP puts a flow over it. rates: the packet
	// rates MACsec counts. crossed, by link ID: the links whose state
	// routing read, those the flows cross, or every link when a path
	// ended at one (down, or too small for the packet). gateChanged: a
	// MACsec gate among them opened or shut since. blackholed: a flow met
	// a blackhole route, whose origin text a route alike in forwarding
	// may replace without counting as a change.
	rates       map[*network.Link][2]float64
	crossed     []bool
	endedAt     bool
	gateChanged bool
	blackholed  bool
	mka         *mka.Set
	conv        *convergence // the scenario event being converged on
	convs       []*convergence
}

type maintenance struct {
	dev        *network.Device
	start, end time.Duration
	at         lang.Range
}

// Finish runs the scenario to its end and returns its trace: the
// timeline, flows, probes, findings and metrics. An error is the run's
// budget running out (a lang.Diagnostic at the scenario), the context's,
// or writing a capture.
func (s *Sim) Finish() (*Trace, error) {
	if err := s.RunUntil(s.sc.Duration); err != nil {
		return nil, err
	}
	s.finish()
	for _, c := range []*capture{s.cap, s.capIn} {
		if c != nil && c.err != nil {
			return nil, fmt.Errorf("writing the capture: %w", c.err)
		}
	}
	return s.out, nil
}

// Work is the events the run has taken so far, its budget's measure.
func (s *Sim) Work() uint64 { return s.e.Work() }

// RunUntil runs the scenario to t, at most its duration: the state of
// the network is then that moment's (State, Network). A run that used up
// its budget is an error at the scenario, naming the budget and the flag
// that raises it.
func (s *Sim) RunUntil(t time.Duration) error {
	if t > s.sc.Duration {
		return fmt.Errorf("sim: %s is past the end of scenario %s, which runs %s", stdlib.FormatDuration(t), s.sc.Name, stdlib.FormatDuration(s.sc.Duration))
	}
	err := s.e.Run(t)
	if errors.Is(err, engine.ErrBudget) {
		where := "in the warm-up before it starts"
		if now := s.e.Now(); now >= 0 {
			where = fmt.Sprintf("at %s of %s", now.Truncate(time.Second), stdlib.FormatDuration(s.sc.Duration))
		}
		return lang.Diagnostic{Severity: lang.SevError, Rule: "sim-budget", Range: s.sc.Range,
			Summary: fmt.Sprintf("scenario %s stopped %s: it used its budget of %s events — raise it with --max-events",
				s.sc.Name, where, units.Thousands(s.opts.MaxEvents)),
			Detail: "every event counts, and each rerouting of the traffic one more per flow"}
	}
	return err
}

// sends is how many times something done at 0, every, 2·every, … before
// end happens: probe sends (the last before the end) and samples.
func sends(end, every time.Duration) uint64 {
	if end <= 0 || every <= 0 {
		return 0
	}
	return uint64((end-1)/every) + 1
}

// checkBudget refuses, before anything runs, a scenario whose flows or
// predictable events (probe sends, metric samples) already exceed the
// budgets, naming the scenario and the flag that raises them.
func checkBudget(sc *lang.Scenario, probes []lang.Probe, opts Options) error {
	over := func(summary string) error {
		return lang.Diagnostic{Severity: lang.SevError, Rule: "sim-budget", Range: sc.Range, Summary: summary}
	}
	if len(sc.Flows) > opts.MaxFlows {
		return over(fmt.Sprintf("scenario %s has %s flows, over the budget of %s — raise it with --max-flows",
			sc.Name, units.Thousands(uint64(len(sc.Flows))), units.Thousands(uint64(opts.MaxFlows))))
	}
	var total uint64
	var busiest lang.Probe
	var most uint64
	for _, pr := range probes {
		n := sends(sc.Duration, pr.Interval)
		total += n
		if n > most {
			busiest, most = pr, n
		}
	}
	if total > opts.MaxEvents {
		every := ""
		if len(probes) == 1 || most == total {
			every = fmt.Sprintf(" (%s every %s)", stdlib.FormatDuration(sc.Duration), stdlib.FormatDuration(busiest.Interval))
		} else {
			every = fmt.Sprintf(" (%s for %s every %s)", busiest.Name, stdlib.FormatDuration(sc.Duration), stdlib.FormatDuration(busiest.Interval))
		}
		return over(fmt.Sprintf("scenario %s would send %s probes%s, over the budget of %s events — raise it with --max-events",
			sc.Name, units.Thousands(total), every, units.Thousands(opts.MaxEvents)))
	}
	if n := sends(sc.Duration, opts.Interval); total+n > opts.MaxEvents {
		return over(fmt.Sprintf("scenario %s would take %s metric samples (%s every %s) and send %s probes, over the budget of %s events — raise it with --max-events or choose a longer --interval",
			sc.Name, units.Thousands(n), stdlib.FormatDuration(sc.Duration), stdlib.FormatDuration(opts.Interval), units.Thousands(total), units.Thousands(opts.MaxEvents)))
	}
	return nil
}

// Start instantiates the plan's network with its sessions and MACsec and
// schedules the scenario at time zero, after a warm-up that brings the
// control plane to steady state. A scenario the planner could not resolve
// (an unknown target or endpoint) does not start: the error is its
// scenario-target findings, as lang.Diagnostics with the script's ranges.
func Start(p *planner.Plan, sc *lang.Scenario, opts Options) (*Sim, error) {
	if opts.Interval <= 0 {
		opts.Interval = time.Second
	}
	if opts.MaxEvents == 0 {
		opts.MaxEvents = DefaultMaxEvents
	}
	if opts.MaxFlows <= 0 {
		opts.MaxFlows = DefaultMaxFlows
	}
	probes := slices.Clone(sc.Probes)
	for _, m := range p.Design.Monitors {
		iv, _ := stdlib.ParseDuration(m.Interval)
		probes = append(probes, lang.Probe{Name: m.Ref().String(), Interval: iv})
	}
	if err := checkBudget(sc, probes, opts); err != nil {
		return nil, err
	}
	if n := sc.Duration / opts.Interval; opts.Metrics && n > maxWindows {
		return nil, fmt.Errorf("an interval of %s makes %d metric windows over %s; at most %d are kept: choose a longer interval",
			opts.Interval, n, stdlib.FormatDuration(sc.Duration), maxWindows)
	}
	n, err := network.New(p)
	if err != nil {
		return nil, err
	}
	// The planner resolved the design's scenarios; one built elsewhere
	// (a test, a tool) is resolved the same way now.
	rs, ok := p.Scenario(sc.Name)
	if !ok || rs.Scenario != sc {
		rs = p.ResolveScenario(sc)
	}
	if len(rs.Problems) > 0 {
		return nil, rs.Problems
	}
	s := &Sim{e: engine.New(opts.Seed), n: n, sc: sc, opts: opts}
	if opts.Metrics {
		s.util = make([]float64, 2*len(n.Links)) // a metric only (advance)
	}
	s.e.SetLimit(opts.MaxEvents)
	s.e.SetOwnThread(opts.OwnThread && len(opts.Live) == 0)
	if ctx, progress := opts.Context, opts.Progress; ctx != nil || progress != nil {
		s.e.SetPoll(func() error {
			if progress != nil {
				progress(s.e.Now(), sc.Duration)
			}
			if ctx != nil {
				return ctx.Err()
			}
			return nil
		})
	}
	if opts.Pcap != nil {
		if s.cap, err = newCapture(opts.Pcap); err != nil {
			return nil, err
		}
	}
	if opts.PcapInside != nil {
		if s.capIn, err = newCapture(opts.PcapInside); err != nil {
			return nil, err
		}
	}
	s.e.StartAt(-warmUp)
	s.buildBGP(p)
	if err := s.goLive(); err != nil {
		return nil, err
	}
	s.buildBFD()
	s.buildMACsec(p)
	n.Index()
	s.out = newTrace(sc, opts, n)
	s.e.At(0, func() { s.recompute("start") })
	s.setup(p, rs)
	s.recompute("warm-up")
	s.mka.Start()
	for i, se := range s.bgp.Sessions() {
		se.Ends[0].Start()
		// A live session's far end is the real router.
		if !se.Live() {
			se.Ends[1].Start()
		}
		for j, b := range s.bfd[i] {
			if b != nil && (j == 0 || !se.Live()) {
				b.Start()
			}
		}
	}
	return s, nil
}

// warmUp is how long the control plane runs before the scenario starts,
// so it starts from steady state: BFD up (about a second), every BGP
// session established and its MRAI timer (at most 30 s) expired. Nothing
// before time zero is recorded.
const warmUp = time.Minute

// routingChanged reconverges what BGP changed, once per moment however
// many messages arrive in it.
func (s *Sim) routingChanged(cause string) {
	if s.routePending {
		return
	}
	s.routePending = true
	s.e.After(0, func() {
		s.routePending = false
		s.advance()
		s.update(cause, false)
	})
}

// gateChange notes that MACsec opened or shut l's gate, which changes
// where traffic goes only if following the flows read l's state.
func (s *Sim) gateChange(l *network.Link) {
	s.gateChanged = s.gateChanged || s.rates == nil || s.endedAt || s.crossed[l.ID]
}

// control records a protocol state change in the timeline.
func (s *Sim) control(msg string) {
	if s.e.Now() < 0 {
		return
	}
	s.reacted()
	s.out.Events = append(s.out.Events, TraceEvent{T: s.e.Now(), Kind: "control", Message: msg})
}

func (s *Sim) setup(p *planner.Plan, rs *planner.ResolvedScenario) {
	endpoint := func(ep *planner.Endpoint) *network.Endpoint { return s.n.Endpoints[ep.Network.String()] }
	for _, rf := range rs.Flows {
		fs := rf.Flow
		f := newFlow(fs, endpoint(rf.From), endpoint(rf.To))
		s.flows = append(s.flows, f)
		s.nets = append(s.nets, &f.Flow)
		if fs.Start == 0 {
			f.Active = true
		} else {
			s.e.At(fs.Start, func() { s.advance(); f.Active = true; s.recompute("flow " + fs.Name + " starts") })
		}
		if fs.Stop > 0 && fs.Stop < s.sc.Duration {
			s.e.At(fs.Stop, func() { s.advance(); f.Active = false; s.recompute("flow " + fs.Name + " stops") })
		}
	}
	type probeSpec struct {
		spec     lang.Probe
		from, to *network.Endpoint
	}
	var probes []probeSpec
	for _, rp := range rs.Probes {
		probes = append(probes, probeSpec{rp.Probe, endpoint(rp.From), endpoint(rp.To)})
	}
	// The design's monitors probe in every scenario, as they would in the
	// account, at their aggregation interval. The planner checked that
	// their ends are networks.
	for _, m := range p.Design.Monitors {
		iv, _ := stdlib.ParseDuration(m.Interval)
		probes = append(probes, probeSpec{lang.Probe{Name: m.Ref().String(), From: m.From, To: m.To, Interval: iv, PacketSize: 64, Range: m.Range},
			s.n.Endpoints[m.From.String()], s.n.Endpoints[m.To.String()]})
	}
	// At one instant: the "start" record (scheduled by start), then
	// maintenance windows ending, then scenario events in the order
	// declared, then probes, so a probe at t sees what happened at t.
	for _, re := range rs.Events {
		ev := re.Event
		if ev.Action != lang.ActionMaintenance || ev.At+ev.Duration >= s.sc.Duration {
			continue
		}
		s.e.At(ev.At+ev.Duration, func() {
			s.advance()
			for _, d := range re.Devices {
				s.n.Devices[d.ID].EndMaintenance()
			}
			msg := "maintenance of device " + ev.Target.Name + " ends"
			s.converging(msg)
			s.recompute(msg)
		})
	}
	for _, re := range rs.Events {
		act := s.resolve(re)
		s.e.At(re.Event.At, func() {
			s.advance()
			// Open the convergence record first: what the action itself
			// sets off belongs to it.
			c := s.converging("")
			msg := act()
			c.msg = msg
			s.recompute(msg)
		})
	}
	for _, ps := range probes {
		pr := &probe{spec: ps.spec, src: ps.from, dst: ps.to, hash: planner.FlowHash(ps.spec.Name), epoch: -1}
		s.probes = append(s.probes, pr)
		pr.timer = s.e.NewTimer(func() { s.sendProbe(pr) })
		s.e.Reset(pr.timer, 0)
	}
	tick := s.e.NewTimer(nil)
	tick.SetFunc(func() {
		s.sample()
		if next := s.e.Now() + s.opts.Interval; next <= s.sc.Duration {
			s.e.Reset(tick, next)
		}
	})
	s.e.Reset(tick, min(s.opts.Interval, s.sc.Duration))
}

// advance integrates rates from the last change to now.
func (s *Sim) advance() {
	now := s.e.Now()
	dt := (now - s.last).Seconds()
	if dt <= 0 {
		return
	}
	for i, f := range s.flows {
		if !f.Active {
			continue
		}
		f.deliveredBits += f.Delivered * dt
		for o, v := range f.Lost {
			f.lostBits[o] += v * dt
		}
		lost := network.TotalLost(f.Lost)
		if s.opts.Metrics {
			// Only metrics read the windows (sample).
			f.winDelivered += f.Delivered * dt
			f.winLost += lost * dt
		}
		if c := s.conv; c != nil {
			if extra := lost - c.before[i]*f.Demand(); extra > 0 {
				c.charged[i] += extra * dt
			}
		}
		d := now - s.last
		if f.Delivered <= f.Demand()*1e-9 {
			f.blackout += d
		}
		if lost > f.Demand()*1e-9 {
			f.degraded += d
		}
	}
	if s.opts.Metrics {
		// Utilisation is only ever a metric: integrating it without them
		// read every link in use each second, for nothing.
		for d, l := range s.traffic.Wire {
			if c := d.Link.Capacity(); c > 0 && !math.IsInf(c, 1) {
				s.util[2*d.Link.ID+d.Side] += l / c * dt
			}
		}
	}
	s.mka.Advance(dt)
	s.last = now
}

// recompute re-runs routing and traffic after a change and records what
// changed.
func (s *Sim) recompute(cause string) {
	s.bgp.Resume()
	s.update(cause, true)
}

// update reconverges routing (every prefix, or what BGP changed) and
// traffic, and records what changed.
func (s *Sim) update(cause string, all bool) {
	now := s.e.Now()
	changes, count := s.n.ConvergeN(all, maxRouteChanges)
	s.epoch++
	// Rerouting costs at least as much per flow as an event, so a
	// scenario with many flows and many changes counts against the budget.
	s.e.Charge(uint64(len(s.flows)))
	// Links, devices and flows change only in an event, which updates
	// everything (all); a routing update changes tables, or a gate.
	if all || count > 0 || s.gateChanged || s.blackholed || s.rates == nil {
		s.gateChanged, s.blackholed, s.endedAt = false, false, false
		s.crossed = slices.Grow(s.crossed[:0], len(s.n.Links))[:len(s.n.Links)]
		clear(s.crossed)
		for _, f := range s.flows {
			f.Route()
			for _, p := range f.Parts {
				s.blackholed = s.blackholed || p.Outcome == network.Blackholed
				s.endedAt = s.endedAt || p.Outcome == network.LinkDown || p.Outcome == network.TooBig
				for _, h := range p.Hops {
					s.crossed[h.Link.ID] = true
				}
			}
		}
		s.traffic = network.Share(s.nets)
		s.load = s.traffic.Load
		s.rates = s.allPacketRates()
	}
	// Called either way: setting a rate reschedules the next rekey.
	s.mka.SetRates(s.rates)
	if now < 0 {
		return
	}
	if count > 0 {
		s.reacted()
		if c := s.conv; c != nil {
			c.stable = now
			c.atStable = slices.Clone(c.charged)
		}
	}
	kind := "change"
	if !all {
		kind = "routing"
	}
	ev := TraceEvent{T: now, Kind: kind, Message: cause, Routes: count}
	for i, l := range s.n.Links {
		st := LinkState{Link: l.Name, Up: l.Up(), Members: l.UpMembers(), Capacity: l.Capacity(), Why: l.Why()}
		if !l.Physical() {
			st.Capacity = -1 // a service-internal link: JSON has no infinity, -1 is "no limit"
		}
		if i >= len(s.links) {
			s.links = append(s.links, st)
		} else if s.links[i] != st {
			s.links[i] = st
			ev.Links = append(ev.Links, st)
		}
	}
	ev.RouteChanges = changes
	for _, f := range s.flows {
		// Compared with what was last reported, not with the state before
		// this update: a link may have changed (MACsec) before it ran.
		after := snapshot(f)
		if f.reported == nil || !after.same(*f.reported) || (now == 0 && f.Active) {
			ev.Flows = append(ev.Flows, f.change(s.traffic.Full))
		}
		f.reported = &after
		f.track(now)
	}
	if all || len(ev.Flows) > 0 || ev.Routes > 0 || len(ev.Links) > 0 {
		s.out.Events = append(s.out.Events, ev)
	}
}

const maxRouteChanges = 64

// flowSnapshot is what the timeline reports of a flow: a change of rate,
// loss or path is an entry.
type flowSnapshot struct {
	delivered float64
	lost      map[network.Outcome]float64
	paths     string
}

func snapshot(f *flow) flowSnapshot {
	m := map[network.Outcome]float64{}
	for o, v := range f.Lost {
		m[o] = v
	}
	ch := f.change(nil)
	return flowSnapshot{f.Delivered, m, strings.Join(ch.Paths, "\n") + "|" + strings.Join(ch.Clear, ",")}
}

func (a flowSnapshot) same(b flowSnapshot) bool {
	if a.paths != b.paths {
		return false
	}
	close := func(x, y float64) bool { return math.Abs(x-y) <= 1e-6*max(1, math.Abs(x), math.Abs(y)) }
	if !close(a.delivered, b.delivered) {
		return false
	}
	for o, v := range a.lost {
		if !close(v, b.lost[o]) {
			return false
		}
	}
	for o, v := range b.lost {
		if !close(v, a.lost[o]) {
			return false
		}
	}
	return true
}

// track opens and closes the flow's outages.
func (f *flow) track(now time.Duration) {
	d := f.Demand()
	lost := network.TotalLost(f.Lost)
	open := len(f.outages) > 0 && f.outages[len(f.outages)-1].End < 0
	if d > 0 && lost > d*1e-9 {
		frac := lost / d
		if !open {
			f.outages = append(f.outages, Outage{Start: now, End: -1})
		}
		o := &f.outages[len(f.outages)-1]
		o.Worst = max(o.Worst, frac)
		for _, c := range network.SortedOutcomes(f.Lost) {
			if !slices.Contains(o.Cause, string(c)) {
				o.Cause = append(o.Cause, string(c))
			}
		}
		slices.Sort(o.Cause)
	} else if open {
		f.outages[len(f.outages)-1].End = now
	}
}

func (f *flow) change(full map[network.Dir]bool) FlowChange {
	c := FlowChange{Flow: f.spec.Name, Demand: f.Demand(), Delivered: units.Round(f.Delivered), Lost: map[string]float64{}}
	for _, o := range network.SortedOutcomes(f.Lost) {
		c.Lost[string(o)] = units.Round(f.Lost[o])
	}
	for _, p := range f.Parts {
		if p.Outcome != network.Delivered && p.Detail != "" && !slices.Contains(c.Why, p.Detail) {
			c.Why = append(c.Why, p.Detail)
		}
	}
	if f.Lost[network.Congestion] > 0 {
		c.Why = append(c.Why, congestionDetail(f, full))
	}
	seen := map[string]bool{}
	for _, p := range f.Parts {
		if p.Outcome != network.Delivered {
			continue
		}
		var names []string
		for _, h := range p.Hops {
			names = append(names, h.Link.Name)
			if h.Link.Physical() && !slices.Contains(c.Over, h.Link.Name) {
				c.Over = append(c.Over, h.Link.Name)
			}
			if h.Link.InTheClear() && !slices.Contains(c.Clear, h.Link.Name) {
				c.Clear = append(c.Clear, h.Link.Name)
			}
		}
		if path := strings.Join(names, " > "); !seen[path] {
			seen[path] = true
			c.Paths = append(c.Paths, path)
		}
	}
	slices.Sort(c.Over)
	slices.Sort(c.Clear)
	return c
}

// congestionDetail names the full links that hold the flow back.
func congestionDetail(f *flow, full map[network.Dir]bool) string {
	var names []string
	for i, p := range f.Parts {
		if p.Outcome != network.Delivered || f.Rates[i] >= f.Demand()*p.Weight-1e-6 {
			continue
		}
		for _, h := range p.Hops {
			if full[network.DirOf(h)] && !slices.Contains(names, h.Link.Name) {
				names = append(names, h.Link.Name)
			}
		}
	}
	slices.Sort(names)
	return "more than the capacity of " + strings.Join(names, ", ")
}

// convergence follows one scenario event until the next: when the
// control plane first reacted, when forwarding last changed, and what each
// flow lost in between because of it.
//
// A flow is charged only what it loses beyond what it was already losing
// when the event came: its share of traffic lost just before (of its
// demand, so a rate change does not move it), or for a flow not yet
// running, the share its path then led to no delivery. A flow already
// dead is charged nothing; a flow congested at 10% that loses 30% after
// the event is charged the other 20%. The earlier loss belongs to the
// earlier event, or to the design.
type convergence struct {
	msg                  string
	at, detected, stable time.Duration
	reactedYet           bool
	// before is each flow's fraction of demand lost when the event came;
	// charged the bits lost beyond it since, and atStable their value when
	// forwarding last changed.
	before, charged, atStable []float64
}

func (s *Sim) converging(msg string) *convergence {
	c := &convergence{msg: msg, at: s.e.Now(), stable: -1, before: make([]float64, len(s.flows)), charged: make([]float64, len(s.flows))}
	for i, f := range s.flows {
		if d := f.Demand(); d > 0 {
			c.before[i] = min(network.TotalLost(f.Lost)/d, 1)
			continue
		}
		for _, p := range f.Parts {
			if p.Outcome != network.Delivered {
				c.before[i] += p.Weight
			}
		}
	}
	s.conv = c
	s.convs = append(s.convs, c)
	return c
}

// reacted marks the first reaction of the control plane to the event.
func (s *Sim) reacted() {
	if c := s.conv; c != nil && !c.reactedYet {
		c.reactedYet, c.detected = true, s.e.Now()
	}
}

// packetRates is each direction's packet rate over a link: every flow
// part crossing it, at its delivered rate and packet size. Direction 0 is
// from the AWS end.
func (s *Sim) packetRates(l *network.Link) [2]float64 {
	return s.allPacketRates()[l]
}

// allPacketRates is packetRates for every link a flow crosses, in one pass
// over the flows (a pass per secured link made each update cost links ×
// flows). Each link's rates are summed in the same order either way.
func (s *Sim) allPacketRates() map[*network.Link][2]float64 {
	// Sized as the last rates were, since the links in use change little:
	// growing it entry by entry showed in a 1,000-channel warm-up.
	out := make(map[*network.Link][2]float64, len(s.rates))
	for _, f := range s.flows {
		if !f.Active {
			continue
		}
		for i, p := range f.Parts {
			for _, h := range p.Hops {
				l := h.Link
				sl := secOf(l)
				awsIsA := sl != nil && sl.Ends()[0] == l.A
				dir := 0
				if (h == l.A) != awsIsA {
					dir = 1
				}
				r := out[l]
				r[dir] += f.Rates[i] / (8 * float64(f.spec.PacketSize))
				out[l] = r
			}
		}
	}
	return out
}

func (s *Sim) finish() {
	end := s.sc.Duration
	s.advance()
	if s.winAt < end {
		s.sample() // the last window, when the interval does not divide the duration
	}
	for _, f := range s.flows {
		if n := len(f.outages); n > 0 && f.outages[n-1].End < 0 {
			f.outages[n-1].End = end
		}
		s.out.Flows = append(s.out.Flows, f.summary(end))
	}
	for _, pr := range s.probes {
		pr.closeSpan(end)
		s.out.Probes = append(s.out.Probes, pr.summary())
	}
	for _, c := range s.convs {
		rep := Convergence{Event: c.msg, T: c.at, Flows: []FlowLoss{}}
		if c.reactedYet {
			d := c.detected - c.at
			rep.Detection = &d
		}
		if c.stable >= 0 {
			d := c.stable - c.at
			rep.Stable = &d
			for i, f := range s.flows {
				if bits := c.atStable[i]; bits > 0.5 {
					bytes := int64(math.Round(bits / 8))
					rep.Flows = append(rep.Flows, FlowLoss{Flow: f.spec.Name, Bytes: bytes, Packets: (bytes + int64(f.spec.PacketSize) - 1) / int64(f.spec.PacketSize)})
				}
			}
		}
		s.out.Convergence = append(s.out.Convergence, rep)
	}
	slices.SortStableFunc(s.out.Findings, func(a, b Finding) int { return cmp.Compare(a.T, b.T) })
}

func (f *flow) summary(end time.Duration) FlowSummary {
	active := end - f.spec.Start
	if f.spec.Stop > 0 && f.spec.Stop < end {
		active = f.spec.Stop - f.spec.Start
	}
	fs := FlowSummary{Name: f.spec.Name, From: f.spec.From.String(), To: f.spec.To.String(), Rate: float64(f.spec.Rate),
		PacketSize: f.spec.PacketSize, Active: active,
		DemandBytes: int64(math.Round(float64(f.spec.Rate) * active.Seconds() / 8)), DeliveredBytes: int64(math.Round(f.deliveredBits / 8)),
		LostBytes: map[string]int64{}, Blackout: f.blackout, Degraded: f.degraded, Outages: f.outages}
	for _, o := range network.SortedOutcomes(f.lostBits) {
		fs.LostBytes[string(o)] = int64(math.Round(f.lostBits[o] / 8))
	}
	fs.Outages = slices.DeleteFunc(slices.Clone(fs.Outages), func(o Outage) bool { return o.End == o.Start })
	if fs.Outages == nil {
		fs.Outages = []Outage{}
	}
	return fs
}

// sample records the metrics of the window that ends now.
func (s *Sim) sample() {
	s.advance()
	now := s.e.Now()
	win := (now - s.winAt).Seconds()
	if win <= 0 {
		return
	}
	t := now
	add := func(metric, subject string, v float64) {
		if s.opts.Metrics {
			s.out.Metrics = append(s.out.Metrics, Sample{T: t, Metric: metric, Subject: subject, Value: v})
		}
	}
	if s.opts.Metrics { // utilisation is integrated only for them (advance)
		for _, l := range s.n.Links {
			if !l.Physical() {
				continue
			}
			for dir := range 2 {
				u := &s.util[2*l.ID+dir]
				add("link_utilisation", l.Name+" "+directionName(l, dir), units.RoundTo(*u/win, 1e-6))
				*u = 0
			}
		}
	}
	for _, f := range s.flows {
		if s.opts.Metrics { // without them, nothing reads a flow's name here
			add("flow_delivered_bps", f.spec.Name, math.Round(f.winDelivered/win))
			loss := 0.0
			if tot := f.winDelivered + f.winLost; tot > 0 {
				loss = f.winLost / tot
			}
			add("flow_loss_fraction", f.spec.Name, units.RoundTo(loss, 1e-6))
		}
		f.winDelivered, f.winLost = 0, 0
	}
	for _, pr := range s.probes {
		add("probe_sent", pr.spec.Name, float64(pr.winSent))
		add("probe_lost", pr.spec.Name, float64(pr.winLost))
		if pr.winSent > pr.winLost {
			add("probe_path_utilisation", pr.spec.Name, units.RoundTo(pr.winUtil, 1e-6))
		}
		if n := pr.winSent - pr.winLost; n > 0 {
			add("probe_rtt_ms", pr.spec.Name, units.RoundTo(float64(pr.winRTT)/float64(n)/1e6, 1e-6))
		}
		pr.winSent, pr.winLost, pr.winRTT, pr.winUtil = 0, 0, 0, 0
	}
	s.winAt = now
}

// directionName names a direction by where it goes: "→ us-east4/fac-a/gcp-r1".
func directionName(l *network.Link, dir int) string {
	if dir == 0 {
		return "→ " + l.B.Dev.Name
	}
	return "→ " + l.A.Dev.Name
}

// State is the network at one moment of a run: which links are up and
// which BGP sessions are established. It is what a diagram overlays.
type State struct {
	Links    map[string]bool // by link name: up
	Sessions map[string]bool // by session name: established at both ends
}

// LinkUp reports whether a channel, connection or other link was up.
func (st *State) LinkUp(link string) (up, known bool) {
	up, known = st.Links[link]
	return up, known
}

// SessionUp reports whether a BGP session was established at both ends.
func (st *State) SessionUp(session string) (up, known bool) {
	up, known = st.Sessions[session]
	return up, known
}

// State is the network as it is now.
func (s *Sim) State() *State {
	st := &State{Links: map[string]bool{}, Sessions: map[string]bool{}}
	for _, l := range s.n.Links {
		st.Links[l.Name] = l.Up()
	}
	for _, se := range s.bgp.Sessions() {
		st.Sessions[se.Name] = se.Ends[0].Up() && se.Ends[1].Up()
	}
	return st
}

// Network is the network as it is now: what has failed, what BFD, MKA
// and BGP have noticed, what BGP has learned, and the tables that follow.
func (s *Sim) Network() *network.Network { return s.n }
