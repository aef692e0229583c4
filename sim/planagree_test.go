package sim

import (
	"fmt"
	"net/netip"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"patchbay/lang"
	"patchbay/planner"
	"patchbay/planner/plantest"
	"patchbay/sim/network"
)

// agreeDesigns are every example and every valid corpus design.
func agreeDesigns(t *testing.T) []string {
	valid, _ := filepath.Glob("../testdata/valid/*.star")
	validHCL, _ := filepath.Glob("../testdata/valid/*.hcl")
	examples := plantest.Examples(t, "../examples")
	hcl, _ := filepath.Glob("../examples/*.hcl")
	return slices.Concat(examples, hcl, valid, validHCL)
}

// steadyState runs a plan's control plane to the end of the warm-up: every
// BGP session established, every MRAI expired.
func steadyState(t *testing.T, p *planner.Plan) *Sim {
	t.Helper()
	s, err := Start(p, &lang.Scenario{Meta: lang.Meta{Name: "steady"}, Duration: time.Second}, Options{})
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	s.e.Run(0)
	return s
}

func describeIfaces(hs []*network.Iface) string {
	var out []string
	for _, h := range hs {
		out = append(out, fmt.Sprintf("%d", h.ID))
	}
	return strings.Join(out, ",")
}

func describePlanned(r *planner.Route) string {
	switch {
	case r == nil:
		return "none"
	case r.Local:
		return "local"
	case r.Blackhole:
		return "blackhole"
	}
	var out []string
	for _, h := range r.NextHops {
		out = append(out, fmt.Sprintf("%d", h.ID))
	}
	return "via " + strings.Join(out, ",")
}

func describeSimulated(r *network.Route) string {
	switch {
	case r == nil:
		return "none"
	case r.Local:
		return "local"
	case r.Blackhole:
		return "blackhole"
	}
	return "via " + describeIfaces(r.NextHops)
}

// The simulator's forwarding tables, once BGP has converged with nothing
// failed, are the planner's tables: the same route (local, blackhole or
// the same next hops) for every prefix in every table.
func TestSteadyStateFIBIsThePlannersTables(t *testing.T) {
	for _, file := range agreeDesigns(t) {
		t.Run(filepath.Base(file), func(t *testing.T) {
			fibsAgree(t, plantest.File(t, file))
		})
	}
}

// fibsAgree checks that p's simulated forwarding tables in steady state
// are its planned ones.
func fibsAgree(t *testing.T, p *planner.Plan) {
	t.Helper()
	s := steadyState(t, p)
	topo := p.Topology()
	if len(s.n.VRFs) != len(topo.Tables) {
		t.Fatalf("%d simulated tables, %d planned", len(s.n.VRFs), len(topo.Tables))
	}
	prefixes := topo.Prefixes()
	for _, v := range s.n.VRFs {
		for pfx := range v.Best.All() {
			if !slices.Contains(prefixes, pfx) {
				t.Errorf("%s holds %s, which the planner knows of nowhere", v, pfx)
			}
		}
	}
	diffs := 0
	for _, tb := range topo.Tables {
		v := s.n.VRFs[tb.ID]
		for _, pfx := range prefixes {
			want, got := describePlanned(topo.Route(tb, pfx)), describeSimulated(v.Best.Get(pfx))
			if want != got {
				if diffs++; diffs <= 20 {
					t.Errorf("%s %s: simulator %s, planner %s", tb, pfx, got, want)
				}
			}
		}
	}
}

// tracedPair is two networks and a packet size some flow, probe, monitor
// or objective sends between them.
type tracedPair struct {
	from, to lang.Ref
	size     int
}

func pairsOf(p *planner.Plan) []tracedPair {
	var out []tracedPair
	both := func(a, b lang.Ref, size int) {
		out = append(out, tracedPair{a, b, size}, tracedPair{b, a, size})
	}
	for _, sc := range p.Design.Scenarios {
		for _, f := range sc.Flows {
			both(f.From, f.To, f.PacketSize)
		}
		for _, pr := range sc.Probes {
			both(pr.From, pr.To, pr.PacketSize)
		}
	}
	for _, m := range p.Design.Monitors {
		both(m.From, m.To, 64)
	}
	for _, o := range p.Design.Objectives {
		both(o.From, o.To, 64)
	}
	return out
}

// The planner's trace between every pair of networks with a flow, probe,
// monitor or objective delivers what the simulator delivers with nothing
// failed, and its paths end the same ways.
func TestTraceAgreesWithSimulator(t *testing.T) {
	pairs := 0
	for _, file := range agreeDesigns(t) {
		t.Run(filepath.Base(file), func(t *testing.T) {
			p := plantest.File(t, file)
			s := steadyState(t, p)
			for _, pr := range pairsOf(p) {
				pairs++
				got, err := p.Topology().Trace(pr.from, pr.to, planner.TraceOptions{Size: pr.size})
				if err != nil {
					t.Fatal(err)
				}
				parts := network.Paths(s.n.Endpoints[pr.from.String()], s.n.Endpoints[pr.to.String()], pr.size, 0)
				simOut, planOut := map[string]float64{}, map[string]float64{}
				for _, pp := range parts {
					simOut[string(pp.Outcome)] += pp.Weight
				}
				for _, tp := range got.Paths {
					planOut[tp.Outcome] += tp.Share
				}
				if fmt.Sprint(simOut) != fmt.Sprint(planOut) {
					t.Errorf("%s → %s (%d bytes): simulator %v, planner %v", pr.from, pr.to, pr.size, simOut, planOut)
				}
			}
		})
	}
	if pairs == 0 {
		t.Fatal("no pairs traced")
	}
}

// Tracing in the simulator's state at a moment: at the start it is the
// planner's trace; just after a channel fails and before BFD notices, a
// quarter of the traffic still goes to the dead channel.
func TestTraceAt(t *testing.T) {
	p := plantest.File(t, "../examples/transit_hub.star")
	sc := p.Design.Scenarios[0]
	from, to := lang.Ref{Kind: lang.KindVPC, Name: "web"}, lang.Ref{Kind: lang.KindGCPVPC, Name: "warehouse"}
	planned, err := p.Topology().Trace(from, to, planner.TraceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	at0, err := traceAt(p, sc, 0, from, to)
	if err != nil {
		t.Fatal(err)
	}
	if len(at0.Paths) != len(planned.Paths) || at0.Delivered() != 1 || planned.Delivered() != 1 {
		t.Fatalf("at 0: %d paths delivering %v, planner %d delivering %v", len(at0.Paths), at0.Delivered(), len(planned.Paths), planned.Delivered())
	}
	for i := range at0.Paths {
		a, b := at0.Paths[i], planned.Paths[i]
		if len(a.Hops) != len(b.Hops) || a.Latency != b.Latency {
			t.Errorf("path %d: simulator %+v, planner %+v", i, a, b)
		}
		for j := range a.Hops {
			if a.Hops[j].Table != b.Hops[j].Table || a.Hops[j].Link != b.Hops[j].Link || a.Hops[j].Route != b.Hops[j].Route {
				t.Errorf("path %d hop %d: simulator %+v, planner %+v", i, j, a.Hops[j], b.Hops[j])
			}
		}
	}
	mid, err := traceAt(p, sc, 30*time.Second+100*time.Millisecond, from, to)
	if err != nil {
		t.Fatal(err)
	}
	lost := 0.0
	for _, tp := range mid.Paths {
		if tp.Outcome == string(network.LinkDown) {
			lost += tp.Share
		}
	}
	if lost != 0.25 {
		t.Fatalf("at 30.1s %v of the traffic meets the dead channel, want 0.25: %+v", lost, mid.Paths)
	}
	if _, err := traceAt(p, sc, sc.Duration+time.Second, from, to); err == nil {
		t.Fatal("a moment after the scenario traced")
	}
}

// traceAt runs a scenario to at and traces from one network to another
// through the network of that moment.
func traceAt(p *planner.Plan, sc *lang.Scenario, at time.Duration, from, to lang.Ref) (*planner.TraceResult, error) {
	s, err := Start(p, sc, Options{})
	if err != nil {
		return nil, err
	}
	if err := s.RunUntil(at); err != nil {
		return nil, err
	}
	return s.Network().Trace(from.String(), to.String(), planner.TraceOptions{})
}

// The simulator keeps a cloud network's own route over a more specific one
// BGP brings it, as the planner does (planner's
// TestANetworksOwnRouteWinsOverAMoreSpecificLearnedOne): in steady state
// neither VPC holds a route inside its own prefixes, and every table is
// the planner's.
func TestSimulatedNetworksKeepTheirOwnRoute(t *testing.T) {
	for _, tables := range []string{"", `route_table("main", vpc = app, propagations = [vgw])`} {
		p := plantest.Source(t, plantest.LearnsInsideItself+tables+"\n")
		fibsAgree(t, p)
		s := steadyState(t, p)
		for _, c := range []struct{ table, inside string }{
			{"vpc.app", "10.1.5.0/24"}, {"vpc.app", "2600:1f18:aa00:5::/64"}, {"gcp_vpc.g", "10.1.0.0/16"},
		} {
			tbs := p.Topology().TableNamed(c.table)
			if len(tbs) != 1 {
				t.Fatalf("%s: %d tables", c.table, len(tbs))
			}
			if r := s.n.VRFs[tbs[0].ID].Best.Get(netip.MustParsePrefix(c.inside)); r != nil {
				t.Errorf("%q: %s holds %s: %s, want only its own route there", tables, c.table, c.inside, describeSimulated(r))
			}
		}
	}
}

// The simulator's forwarding ends a path back at a table it passed, and
// bounds what it follows over many equal-cost stages, as the planner's
// trace does (planner's TestTraceEndsOnLoopsAndManyEqualCostStages): the
// same paths, outcomes and shares.
func TestSimulatedForwardingEndsOnLoopsAsTheTraceDoes(t *testing.T) {
	src, dst := lang.Ref{Kind: lang.KindVPC, Name: "src"}, lang.Ref{Kind: lang.KindVPC, Name: "dst"}
	for _, c := range []struct {
		stages int
		loop   bool
	}{{3, true}, {20, false}} {
		p := plantest.Source(t, plantest.ECMPStages(c.stages, c.loop))
		s := steadyState(t, p)
		parts := network.Paths(s.n.Endpoints[src.String()], s.n.Endpoints[dst.String()], 64, 0)
		res, err := p.Topology().Trace(src, dst, planner.TraceOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(parts) != len(res.Paths) || len(parts) > planner.TraceVisits {
			t.Fatalf("%d stages: simulator %d paths, planner %d", c.stages, len(parts), len(res.Paths))
		}
		for i, pp := range parts {
			tp := res.Paths[i]
			if string(pp.Outcome) != tp.Outcome || pp.Weight != tp.Share || pp.Detail != tp.Detail {
				t.Errorf("%d stages, path %d: simulator %s %g %q, planner %s %g %q", c.stages, i, pp.Outcome, pp.Weight, pp.Detail, tp.Outcome, tp.Share, tp.Detail)
			}
			// The same links, in order: a loop's as far as it came back.
			hops := pp.Hops
			if pp.Round > 0 {
				hops = hops[:pp.Round]
			}
			var simLinks, planLinks []string
			for _, h := range hops {
				simLinks = append(simLinks, h.Link.Name)
			}
			for _, h := range tp.Hops {
				if h.Link != "" {
					planLinks = append(planLinks, h.Link)
				}
			}
			if !slices.Equal(simLinks, planLinks) {
				t.Errorf("%d stages, path %d: simulator over %v, planner over %v", c.stages, i, simLinks, planLinks)
			}
		}
		// A loop's traffic goes round until its TTL (64) expires, loading
		// the loop's links at every pass.
		if c.loop && (len(parts) != 8 || parts[0].Outcome != network.Looped || len(parts[0].Hops) != 65) {
			t.Errorf("%d stages: %d paths, the first %s over %d hops; want 8 loops of 65", c.stages, len(parts), parts[0].Outcome, len(parts[0].Hops))
		}
	}
}
