package sweep

import (
	"bytes"
	"cmp"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"patchbay/lang"
	"patchbay/planner"
	"patchbay/planner/plantest"
	"patchbay/sim"
)

func runSweep(t *testing.T, p *planner.Plan, o Options) *Sweep {
	t.Helper()
	var sc *lang.Scenario
	if len(p.Design.Scenarios) > 0 {
		sc = p.Design.Scenarios[0]
	}
	if o.Depth == 0 {
		o.Depth = 1
	}
	s, err := Run(p, sc, o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// caseOf finds the case of a single failure.
func caseOf(t *testing.T, s *Sweep, kind lang.TargetKind, name string) (Case, int) {
	t.Helper()
	for rank, i := range s.Ranking {
		c := s.Cases[i]
		if len(c.Failed) == 1 && c.Failed[0] == (Element{kind, name}) {
			return c, rank
		}
	}
	t.Fatalf("no case for %s %s", kind, name)
	return Case{}, 0
}

func cut(c Case) int {
	n := 0
	for _, f := range c.Flows {
		if f.Blackout < 0 {
			n++
		}
	}
	return n
}

// Hand reasoning for the last-mile example: the site has one router, so
// losing it cuts everything and ranks first; losing one of the two partner
// locations halves the capacity, which still carries both flows, and only
// costs what was in flight until BFD noticed.
func TestSweepLastMile(t *testing.T) {
	s := runSweep(t, plantest.File(t, "../../examples/last_mile.star"), Options{})
	worst := s.Cases[s.Ranking[0]]
	if worst.Failed[0] != (Element{lang.TargetDevice, "nyc-hq/router"}) || cut(worst) != 2 {
		t.Fatalf("worst failure %+v", worst)
	}
	loc, _ := caseOf(t, s, lang.TargetFacility, "us-east-1/lumen-loc-a")
	if cut(loc) != 0 || len(loc.Down) != 2 {
		t.Fatalf("losing a location: %+v", loc)
	}
	for _, f := range s.Rows(loc) {
		if f.Shortfall != 0 || f.LostBytes == 0 || f.Disrupted <= 600*time.Millisecond || f.Disrupted > time.Second || f.Blackout != 0 {
			t.Fatalf("losing a location, flow %+v: want no shortfall, loss for under a second of BFD detection, no blackout", f)
		}
	}
	// The objective (a second of blackout at most, 4 Gbps) breaks under the
	// site router's failure and nothing else.
	if len(s.Objectives) != 1 || fmt.Sprint(s.Objectives[0].BrokenBy) != fmt.Sprint([]int{worst.Index}) {
		t.Fatalf("objectives %+v, want broken only by case %d (%v)", s.Objectives, worst.Index, worst.Failed)
	}
	if !s.HasBroken() {
		t.Fatal("HasBroken false")
	}
}

// The multicloud example survives every single failure: nothing is cut,
// nothing is short; losing a facility, two channels at once, costs the
// most in flight.
func TestSweepMulticloud(t *testing.T) {
	s := runSweep(t, multicloud(t), Options{})
	for _, c := range s.Cases {
		if cut(c) != 0 {
			t.Fatalf("%v cuts a flow", c.Failed)
		}
		for _, f := range c.Flows {
			if f.Shortfall != 0 {
				t.Fatalf("%v leaves %s short", c.Failed, f.Flow)
			}
		}
	}
	for rank := range 4 {
		if k := s.Cases[s.Ranking[rank]].Failed[0].Kind; k != lang.TargetFacility {
			t.Fatalf("rank %d is a %s, want the four facilities first", rank+1, k)
		}
	}
}

// In the transit-hub example a 5 Gbps Interconnect carries 3 + 1 Gbps of
// jumbo frames to Google Cloud: after a facility fails, half of it is left,
// the 1 Gbps flow keeps its fair share and the 3 Gbps flow gets the rest.
func TestSweepTransitHub(t *testing.T) {
	s := runSweep(t, plantest.File(t, "../../examples/transit_hub.star"), Options{})
	top := s.Cases[s.Ranking[0]]
	if top.Failed[0].Kind != lang.TargetFacility {
		t.Fatalf("worst failure %v, want a facility", top.Failed)
	}
	var web CaseFlow
	for _, f := range s.Rows(top) {
		if f.Flow == "web->warehouse" {
			web = f
		}
	}
	if want := 3e9 - (2.5e9*8500/float64(planner.WireBytes(8500, true)) - 1e9); web.Shortfall < want-1 || web.Shortfall > want+1 {
		t.Fatalf("shortfall %v, want %v", web.Shortfall, want)
	}
}

// Global WAN: the Interconnect in eu-west-2 is the only way to the lake; no
// single failure of it cuts a flow.
func TestSweepGlobalWAN(t *testing.T) {
	s := runSweep(t, plantest.File(t, "../../examples/global_wan.star"), Options{})
	for _, c := range s.Cases {
		if cut(c) != 0 {
			t.Fatalf("%v cuts a flow", c.Failed)
		}
	}
	// With the managed services, losing the eu-west-2 edge cuts every flow.
	m := runSweep(t, plantest.File(t, "../../examples/global_wan.star"), Options{Managed: true})
	if c, _ := caseOf(t, m, lang.TargetDevice, "core_network.global/eu-west-2"); cut(c) != len(c.Flows) {
		t.Fatalf("losing the eu-west-2 edge cuts %d of %d flows", cut(c), len(c.Flows))
	}
}

// Shards merged give the unsharded result byte for byte, whatever the
// worker count.
func TestSweepShardsMerge(t *testing.T) {
	p := plantest.File(t, "../../examples/last_mile.star")
	whole := runSweep(t, p, Options{Depth: 2, Workers: 2})
	var want bytes.Buffer
	_ = whole.WriteJSON(&want)
	var shards []*Sweep
	for i := range 3 {
		shards = append(shards, runSweep(t, p, Options{Depth: 2, Shard: i, Shards: 3, Workers: 1 + i%2}))
	}
	merged, err := mergeAll(p, shards)
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	_ = merged.WriteJSON(&got)
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Fatal("merged shards differ from the unsharded sweep")
	}
	if _, err := mergeAll(p, shards[:2]); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("merging two of three shards: %v", err)
	}
	other := runSweep(t, p, Options{Depth: 1, Shard: 2, Shards: 3})
	if _, err := mergeAll(p, append(shards[:2:2], other)); err == nil || !strings.Contains(err.Error(), "another sweep") {
		t.Fatalf("merging shards of two sweeps: %v", err)
	}
}

// Pairs: losing both partner locations cuts everything; the availability
// estimate counts the pair.
func TestSweepPairs(t *testing.T) {
	s := runSweep(t, plantest.File(t, "../../examples/last_mile.star"), Options{Depth: 2})
	found := false
	for _, c := range s.Cases {
		if len(c.Failed) == 2 && c.Failed[0].Name == "us-east-1/lumen-loc-a" && c.Failed[1].Name == "us-east-1/lumen-loc-b" {
			found = true
			if cut(c) != 2 {
				t.Fatalf("both locations: %+v", c)
			}
		}
	}
	if !found {
		t.Fatal("no case for both locations")
	}
	for _, a := range s.Availability {
		if a.PairCuts == 0 || len(a.Cuts) != 1 || a.Availability >= 1 || a.Availability <= 0.99 {
			t.Fatalf("availability %+v", a)
		}
	}
}

// The sweep's estimate of what a failure costs before it is noticed
// brackets what the simulator measures: it takes the slowest detection BFD
// allows (900 ms after the last packet), the simulator the actual one
// (600–900 ms).
func TestSweepAgreesWithTheSimulator(t *testing.T) {
	p := multicloud(t)
	s := runSweep(t, p, Options{})
	est, _ := caseOf(t, s, lang.TargetFacility, "us-east-1/fac-a")
	sc := *p.Design.Scenarios[0]
	sc.Events = []lang.Event{at(60*time.Second, lang.ActionFail, lang.TargetFacility, "us-east-1/fac-a")}
	tr, err := run(p, &sc, sim.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range tr.Flows {
		measured := totalLostBytes(f)
		bound := s.Row(est, i).LostBytes
		if measured == 0 || measured > bound || float64(bound) > 1.6*float64(measured) {
			t.Errorf("%s: the simulator lost %d bytes, the sweep estimates %d", f.Name, measured, bound)
		}
	}
}

// --simulate measures what the default estimates: the same failures cut
// the same flows and leave the same shortfall, and what is lost before
// detection never exceeds the estimate, which takes the slowest detection.
func TestSweepSimulatedWithinTheEstimate(t *testing.T) {
	for _, file := range []string{"../../examples/multicloud.star", "../../examples/last_mile.star"} {
		p := plantest.File(t, file)
		est := runSweep(t, p, Options{})
		meas := runSweep(t, p, Options{Simulate: true})
		for i, c := range meas.Cases {
			e := est.Cases[i]
			if cut(c) != cut(e) {
				t.Errorf("%s %v: simulated cut %d flows, estimated %d", file, c.Failed, cut(c), cut(e))
			}
			for j, f := range meas.Rows(c) {
				ef := est.Row(e, j)
				if f.LostBytes > ef.LostBytes || math.Abs(f.Shortfall-ef.Shortfall) > 1e3 {
					t.Errorf("%s %v %s: simulated lost %d short %v, estimated %d short %v", file, c.Failed, f.Flow, f.LostBytes, f.Shortfall, ef.LostBytes, ef.Shortfall)
				}
			}
		}
		if est.Cases[est.Ranking[0]].Failed[0] != meas.Cases[meas.Ranking[0]].Failed[0] && cut(est.Cases[est.Ranking[0]]) > 0 {
			t.Errorf("%s: worst failure estimated %v, simulated %v", file, est.Cases[est.Ranking[0]].Failed, meas.Cases[meas.Ranking[0]].Failed)
		}
	}
}

// Objectives that fail before anything does, that no flow tests, and
// bandwidth asked beyond a flow's demand are each reported for what they are.
func TestSweepObjectiveEdges(t *testing.T) {
	p := plantest.Source(t, `
hq = site("nyc-hq", cidr = ["192.168.0.0/16"], asn = 65001, mtu = 8500)
hub = transit_gateway("hub", region = "us-east-1", asn = 64520)
dxgw = dx_gateway("core", asn = 64512)
web = vpc("web", region = "us-east-1", cidr = "10.1.0.0/16", mtu = 8500)
iso = vpc("iso", region = "us-east-1", cidr = "10.9.0.0/16", mtu = 8500)
attach(web, hub)
attach(dxgw, hub, allowed_prefixes = ["10.0.0.0/14"])
last_mile("hq", partner = "lumen", region = "us-east-1", bandwidth = "10Gbps", site = hq, attach_to = dxgw)
scenario("s", duration = "1m", flows = [flow(hq, web, rate = "1Gbps"), flow(hq, iso, rate = "1Gbps")])
objective(hq, iso, max_blackout = "1s", name = "iso-blackout")
objective(hq, web, min_bandwidth = "4Gbps", name = "web-bw")
objective(web, iso, max_blackout = "1s", name = "no-flow")
`)
	s := runSweep(t, p, Options{})
	byName := map[string]Objective{}
	for _, o := range s.Objectives {
		byName[o.Name] = o
	}
	if o := byName["iso-blackout"]; !o.BrokenBefore {
		t.Errorf("iso-blackout: %+v, want broken with nothing failed", o)
	}
	if o := byName["no-flow"]; !o.Unchecked || len(o.BrokenBy) != 0 {
		t.Errorf("no-flow: %+v, want unchecked", o)
	}
	// 4 Gbps asked of a 1 Gbps flow: only what cuts it breaks it.
	if o := byName["web-bw"]; len(o.BrokenBy) != 1 || s.Cases[o.BrokenBy[0]].Failed[0].Name != "nyc-hq/router" {
		t.Errorf("web-bw broken by %v", o.BrokenBy)
	}
	if !s.HasBroken() {
		t.Error("HasBroken false")
	}
}

// An objective holds for traffic between its networks both ways. The
// scenario sends only g → v; the sweep mirrors it v → g and judges each
// way on its own. A blackhole in v's route table drops the replies: the
// objective is broken with nothing failed, in that direction alone.
func TestSweepObjectiveBothWays(t *testing.T) {
	const design = plantest.OneInterconnect + `
attach(dx, vgw, allowed_prefixes = [v.cidr])
scenario("s", duration = "1m", flows = [flow(g, v, rate = "2Gbps")])
objective(g, v, max_blackout = "1s", min_bandwidth = "1Gbps")
`
	for _, tc := range []struct {
		name, extra string
		returnOK    bool
	}{
		{"both ways fine", "", true},
		{"replies blackholed", `route_table("main", vpc = v, routes = [route(g.cidr, blackhole = True)])`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := runSweep(t, plantest.Source(t, design+tc.extra), Options{})
			if len(s.Flows) != 2 || s.Flows[1].Name != "g->v (return)" || s.Flows[1].From != "vpc.v" || s.Flows[1].To != "gcp_vpc.g" || s.Flows[1].Rate != 2e9 {
				t.Fatalf("flows %+v, want g->v and its mirror", s.Flows)
			}
			o := s.Objectives[0]
			if len(o.Directions) != 2 || o.Unchecked {
				t.Fatalf("objective %+v, want both directions checked", o)
			}
			out, back := o.Directions[0], o.Directions[1]
			if out.From != "gcp_vpc.g" || out.BrokenBefore || len(out.BrokenBy) != 0 || !slices.Equal(out.Flows, []string{"g->v"}) {
				t.Errorf("g → v: %+v, want met through every single failure", out)
			}
			if back.BrokenBefore == tc.returnOK || len(back.BrokenBy) != 0 || !slices.Equal(back.Flows, []string{"g->v (return)"}) {
				t.Errorf("v → g: %+v, want broken before any failure: %v", back, !tc.returnOK)
			}
			if o.BrokenBefore == tc.returnOK || len(o.BrokenBy) != 0 || s.HasBroken() == tc.returnOK {
				t.Errorf("objective %+v, HasBroken %v", o, s.HasBroken())
			}
			var text bytes.Buffer
			if err := s.WriteText(&text); err != nil {
				t.Fatal(err)
			}
			want := "g->v (gcp_vpc.g → vpc.v, blackout at most 1s, at least 1 Gbps): met through every single failure\n"
			if !tc.returnOK {
				want = "g->v (gcp_vpc.g → vpc.v, blackout at most 1s, at least 1 Gbps): BROKEN\n" +
					"    gcp_vpc.g → vpc.v: met through every single failure\n" +
					"    vpc.v → gcp_vpc.g: BROKEN with nothing failed\n"
			}
			if !strings.Contains(text.String(), want) {
				t.Errorf("the report does not say\n%s\nin\n%s", want, text.String())
			}
		})
	}
}

// A failure that breaks one direction only is named with it.
func TestSweepObjectiveOneWayBrokenByAFailure(t *testing.T) {
	s := &Sweep{
		Flows: []Flow{{Name: "a->b", From: "vpc.a", To: "vpc.b", Rate: 1e9, Delivered: 1e9},
			{Name: "b->a", From: "vpc.b", To: "vpc.a", Rate: 1e9, Delivered: 1e9}},
		Objectives: []Objective{{Name: "ab", From: "vpc.a", To: "vpc.b", MaxBlackout: time.Second}},
		Cases: []Case{
			{Index: 0, Failed: []Element{{lang.TargetDevice, "r1"}}, Flows: []CaseFlow{{Flow: "b->a", Index: 1, Blackout: -1}}},
			{Index: 1, Failed: []Element{{lang.TargetDevice, "r2"}}, Flows: []CaseFlow{}},
		},
	}
	s.finish(plantest.Source(t, `a = vpc("a", region = "us-east-1", cidr = "10.1.0.0/16")`))
	o := s.Objectives[0]
	if !slices.Equal(o.BrokenBy, []int{0}) || len(o.Directions[0].BrokenBy) != 0 || !slices.Equal(o.Directions[1].BrokenBy, []int{0}) {
		t.Fatalf("objective %+v, want broken by r1 from b to a only", o)
	}
	var text bytes.Buffer
	if err := s.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"    vpc.b → vpc.a: BROKEN by device r1\n", "  ab (vpc.b → vpc.a)\n"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("the report does not say %q:\n%s", want, text.String())
		}
	}
}

// A case lists only the flows it changes, so the JSON's bytes per case do
// not grow with the design: 8 times the Interconnects (and flows), about
// the same bytes per case. Every row listed differs from the baseline.
func TestSweepOutputGrowsWithCases(t *testing.T) {
	perCase := map[int]float64{}
	for _, n := range []int{5, 40} {
		s := runSweep(t, plantest.Source(t, sweepDesign(n)), Options{})
		var b bytes.Buffer
		if err := s.WriteJSON(&b); err != nil {
			t.Fatal(err)
		}
		perCase[n] = float64(b.Len()) / float64(s.Total)
		for _, c := range s.Cases {
			for _, f := range c.Flows {
				if sameRow(f, s.Baseline(f.Index)) {
					t.Fatalf("case %v lists %s as it was with nothing failed", c.Failed, f.Flow)
				}
			}
		}
	}
	if perCase[40] > 1.25*perCase[5] {
		t.Fatalf("JSON bytes per case: %.0f with 5 Interconnects, %.0f with 40", perCase[5], perCase[40])
	}
}

// Depth 2 works pairs out from their number rather than listing them: every
// pair once, in order; a sample is the requested count of distinct pairs,
// the same for the same seed, and spread over the whole range.
func TestSweepCaseList(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 7, 40} {
		els := make([]Element, n)
		for i := range els {
			els[i] = Element{Kind: lang.TargetLink, Name: fmt.Sprint(i)}
		}
		c := newCaseList(els, Options{Depth: 2})
		want := [][]Element{}
		for _, e := range els {
			want = append(want, []Element{e})
		}
		for i := range els {
			for j := i + 1; j < n; j++ {
				want = append(want, []Element{els[i], els[j]})
			}
		}
		if c.total != len(want) || c.sampled {
			t.Fatalf("%d elements: %d cases, sampled %t; want %d", n, c.total, c.sampled, len(want))
		}
		for i := range want {
			if got := c.at(i); !slices.Equal(got, want[i]) {
				t.Fatalf("%d elements: case %d is %v, want %v", n, i, got, want[i])
			}
		}
	}
	els := make([]Element, 15_012)
	for i := range els {
		els[i] = Element{Kind: lang.TargetLink, Name: fmt.Sprint(i)}
	}
	o := Options{Depth: 2, MaxCases: 20_000, Seed: 7}
	a, b := newCaseList(els, o), newCaseList(els, o)
	if !a.sampled || a.total != len(els)+20_000 || !slices.Equal(a.pairs, b.pairs) {
		t.Fatalf("sample: sampled %t, %d cases, same for the same seed %t", a.sampled, a.total, slices.Equal(a.pairs, b.pairs))
	}
	o.Seed = 8
	if c := newCaseList(els, o); slices.Equal(a.pairs, c.pairs) {
		t.Fatal("another seed drew the same sample")
	}
	seen := map[[2]string]bool{}
	firstHalf := 0
	for i := len(els); i < a.total; i++ {
		p := a.at(i)
		k := [2]string{p[0].Name, p[1].Name}
		x, _ := strconv.Atoi(p[0].Name)
		y, _ := strconv.Atoi(p[1].Name)
		if seen[k] || x >= y {
			t.Fatalf("case %d: pair %v repeated or out of order", i, k)
		}
		seen[k] = true
		if x < 4396 { // rows 0–4395 hold about half of the 112,672,566 pairs
			firstHalf++
		}
	}
	if firstHalf < 9_500 || firstHalf > 10_500 {
		t.Fatalf("%d of 20,000 sampled pairs in the first half of the range", firstHalf)
	}
}

// The JSON is written a case at a time, byte for byte what encoding/json
// writes for the whole, with and without cases, ranking and availability;
// and a merge reads a shard a case at a time, in any order of its fields.
func TestSweepJSONStreams(t *testing.T) {
	p := plantest.File(t, "../../examples/last_mile.star")
	whole := runSweep(t, p, Options{Depth: 2})
	shard := runSweep(t, p, Options{Depth: 2, Shard: 1, Shards: 3})
	empty := *shard
	empty.Cases = []Case{}
	for name, s := range map[string]*Sweep{"whole": whole, "shard": shard, "no cases": &empty} {
		var want, got bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		if err := s.WriteJSON(&got); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Fatalf("%s: streamed JSON differs from encoding/json's:\n%s", name, got.String())
		}
	}

	// Shard 2 of 3 with its cases first; shards 1 and 3 as written.
	var parts [3]bytes.Buffer
	for i := range parts {
		if err := runSweep(t, p, Options{Depth: 2, Shard: i, Shards: 3}).WriteJSON(&parts[i]); err != nil {
			t.Fatal(err)
		}
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(parts[1].Bytes(), &fields); err != nil {
		t.Fatal(err)
	}
	keys := []string{"cases"}
	for k := range fields {
		if k != "cases" {
			keys = append(keys, k)
		}
	}
	var reordered bytes.Buffer
	reordered.WriteString("{")
	for i, k := range keys {
		if i > 0 {
			reordered.WriteString(",")
		}
		fmt.Fprintf(&reordered, "%q: %s", k, fields[k])
	}
	reordered.WriteString("}")
	var m Merge
	for _, r := range []*bytes.Buffer{&parts[0], &reordered, &parts[2]} {
		if err := m.Read(p, r); err != nil {
			t.Fatal(err)
		}
	}
	merged, err := m.Finish(p)
	if err != nil {
		t.Fatal(err)
	}
	var a, b bytes.Buffer
	if err := merged.WriteJSON(&a); err != nil {
		t.Fatal(err)
	}
	if err := whole.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	if a.String() != b.String() {
		t.Fatal("the merge of streamed shards differs from the whole sweep")
	}

	for _, bad := range []struct{ text, want string }{
		{`[]`, "not a JSON object"},
		{`{"schema": "patchbay.sweep/v1", "cases": []}`, `schema "patchbay.sweep/v1"`},
		{`{"cases": [], "schema": "patchbay.sweep/v1"}`, `schema "patchbay.sweep/v1"`},
		{`{"schema": "patchbay.sweep/v2", "colour": 1}`, `unknown field "colour"`},
		{`{"schema": "patchbay.sweep/v2", "cases": [{"index": 0, "extra": 1}]}`, `unknown field "extra"`},
		{`{"schema": "patchbay.sweep/v2", "cases": {}}`, "cases: not a list"},
		{`{"schema": "patchbay.sweep/v2"}`, "no cases"},
		{`{"schema": "patchbay.sweep/v2", "cases": [`, "EOF"},
	} {
		var m Merge
		err := m.Read(p, strings.NewReader(bad.text))
		var fe *ShardFormatError
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s: %v, want a format error saying %q", bad.text, err, bad.want)
		}
	}
}

// The blackout chart fits every label it writes, estimated at a generous
// width per character, inside its own size, and marks a cut until repair
// in words as well as in colour.
func TestBlackoutSVGFits(t *testing.T) {
	for _, file := range []string{"../../examples/last_mile.star", "../../examples/transit_hub.star", "../../examples/global_wan.star"} {
		s := runSweep(t, plantest.File(t, file), Options{Depth: 2})
		var b bytes.Buffer
		if err := s.WriteBlackoutSVG(&b); err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Width  float64 `xml:"width,attr"`
			Height float64 `xml:"height,attr"`
			Texts  []struct {
				X      float64 `xml:"x,attr"`
				Y      float64 `xml:"y,attr"`
				Anchor string  `xml:"text-anchor,attr"`
				Size   float64 `xml:"font-size,attr"`
				Text   string  `xml:",chardata"`
			} `xml:"text"`
		}
		if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		cut := false
		for _, tx := range doc.Texts {
			size := cmp.Or(tx.Size, 11)
			w := float64(len([]rune(tx.Text))) * size * 0.62 // Liberation Sans averages about 0.55 em
			x0 := tx.X
			switch tx.Anchor {
			case "end":
				x0 -= w
			case "middle":
				x0 -= w / 2
			}
			if x0 < 0 || x0+w > doc.Width || tx.Y-size < 0 || tx.Y > doc.Height {
				t.Errorf("%s: %q at (%.0f, %.0f) runs outside the %.0f×%.0f chart", file, tx.Text, tx.X, tx.Y, doc.Width, doc.Height)
			}
			cut = cut || tx.Text == "until repaired"
		}
		wantCut := false
		for _, ci := range s.Ranking[:min(len(s.Ranking), 40)] {
			wantCut = wantCut || slices.ContainsFunc(s.Cases[ci].Flows, func(f CaseFlow) bool { return f.Blackout < 0 })
		}
		if cut != wantCut {
			t.Errorf("%s: 'until repaired' shown %t, want %t", file, cut, wantCut)
		}
	}
}

// A run that would hold more cases than fit in memory is refused before
// any runs, naming the two ways to make it fit; a shard of it fits.
func TestSweepTooManyCases(t *testing.T) {
	defer func(n uint64) { maxRunCases = n }(maxRunCases)
	p := plantest.File(t, "../../examples/last_mile.star")
	whole := runSweep(t, p, Options{Depth: 2})
	maxRunCases = uint64(whole.Total - 1)
	_, err := Run(p, p.Design.Scenarios[0], Options{Depth: 2})
	if err == nil || !strings.Contains(err.Error(), "--max-pairs") || !strings.Contains(err.Error(), "--shard") {
		t.Fatalf("got %v, want a refusal naming --max-pairs and --shard", err)
	}
	if _, err := Run(p, p.Design.Scenarios[0], Options{Depth: 2, Shard: 0, Shards: 2}); err != nil {
		t.Fatal(err)
	}
}
