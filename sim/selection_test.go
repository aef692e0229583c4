package sim

import (
	"testing"
	"time"

	"patchbay/lang"
	"patchbay/planner"
	"patchbay/planner/plantest"
	"patchbay/sim/network"
)

// selection is a design of planner/testdata/selection, where each is
// described.
func selection(t *testing.T, name string) *planner.Plan {
	return plantest.File(t, "../planner/testdata/selection/"+name+".star")
}

// groupLoads is the load on each connection of a last mile, conn1 first:
// dir 0 from the site to AWS, 1 from AWS to the site.
func groupLoads(s *Sim, group string, dir int) []float64 {
	var out []float64
	for _, l := range s.n.Groups[group] {
		out = append(out, s.load[network.Dir{Link: l, Side: dir}])
	}
	return out
}

// In steady state the simulator's tables for the selection designs are
// the planner's, as for the corpus.
func TestSelectionDesignsAgree(t *testing.T) {
	for _, name := range []string{"two_regions", "two_gateways", "two_sites", "single_path", "cloudwan_regions"} {
		t.Run(name, func(t *testing.T) { fibsAgree(t, selection(t, name)) })
	}
}

// AWS prefers the Direct Connect locations of the sending gateway's
// Region, and AS-path prepending only chooses between locations of one
// Region; local-preference communities come before both. web (us-east-1,
// behind Transit Gateway east) sends 8 units of g = 125 Mbps to the site
// and app (us-west-2, behind west) 4 (all 12 fit on one connection). Each gateway learns 192.168.0.0/16
// through the one DX gateway from e's four connections (us-east-1) and
// w's four (us-west-2), AS path 65001 unless prepended, medium local
// preference unless tagged.
func TestDXRegionBeforeASPath(t *testing.T) {
	const g = gbps / 8
	flows := []lang.Flow{flowOf("east", "vpc.web", "site.hq", 8*g, 1500), flowOf("west", "vpc.app", "site.hq", 4*g, 1500)}
	prepend := func(conn string, n int) lang.Event { return advertiseAt(0, conn, lang.Advertise{Prepend: n}) }
	cases := []loadCase{
		// east keeps e's four (its Region), west w's four: 8/4 and 4/4.
		{"each gateway uses its own Region's locations", nil,
			[]float64{2 * g, 2 * g, 2 * g, 2 * g}, []float64{g, g, g, g}},
		// e's AS paths become 65001 65001 65001 against w's 65001, but for
		// east e's are in its Region, which counts first: nothing moves. (The
		// documentation's example: VIF B in the VPC's Region wins over VIF C
		// with the shorter AS path in another.) west keeps w's, now shorter too.
		{"prepending the local locations does not send traffic to another Region",
			[]lang.Event{prepend("e/conn1", 2), prepend("e/conn2", 2), prepend("e/conn3", 2), prepend("e/conn4", 2)},
			[]float64{2 * g, 2 * g, 2 * g, 2 * g}, []float64{g, g, g, g}},
		// Within us-east-1, e/conn3 and e/conn4 (AS path 65001) beat e/conn1
		// and e/conn2 (three ASes): east's 8 over two, 4 each.
		{"prepending chooses between locations of one Region",
			[]lang.Event{prepend("e/conn1", 2), prepend("e/conn2", 2)},
			[]float64{0, 0, 4 * g, 4 * g}, []float64{g, g, g, g}},
		// 7224:7300 gives w/conn1 local preference 300 against 200 on the
		// other seven, which comes before the Region: both gateways send
		// all their traffic over it, 12.
		{"a local-preference community comes before the Region",
			[]lang.Event{advertiseAt(0, "w/conn1", lang.Advertise{Communities: []string{"7224:7300"}})},
			[]float64{0, 0, 0, 0}, []float64{12 * g, 0, 0, 0}},
		// With both us-east-1 locations failed and BFD's 900 ms gone, east
		// has only w's four, in another Region and equal: they share its 8
		// with west's 4, 3 each.
		{"without a location in its Region a gateway shares the others'",
			[]lang.Event{at(0, lang.ActionFail, lang.TargetFacility, "us-east-1/lumen-loc-a"), at(0, lang.ActionFail, lang.TargetFacility, "us-east-1/lumen-loc-b")},
			[]float64{0, 0, 0, 0}, []float64{3 * g, 3 * g, 3 * g, 3 * g}},
	}
	runLoadCases(t, "two_regions", flows, cases)
}

// loadCase is a run of a selection design with events at its start, and
// the load from AWS to the site it should put on each of last miles e's
// and w's connections.
type loadCase struct {
	name   string
	events []lang.Event
	e, w   []float64
}

// runLoadCases runs each case for five seconds of design with flows.
func runLoadCases(t *testing.T, design string, flows []lang.Flow, cases []loadCase) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := startSim(t, selection(t, design), scenario(time.Minute, flows, tc.events...))
			s.e.Run(5 * time.Second)
			wantLoads(t, "e", groupLoads(s, "e", 1), tc.e...)
			wantLoads(t, "w", groupLoads(s, "w", 1), tc.w...)
		})
	}
}

// A Cloud WAN edge compares the AS path of its dynamic routes before
// their kind, its own Direct Connect before a remote edge's route only
// when the paths are equal
// (https://docs.aws.amazon.com/network-manager/latest/cloudwan/cloudwan-route-evaluation.html,
// read 2026-12); a route from another edge carries that edge's ASN. web
// (us-east-1) sends 8 units of g = 125 Mbps to the site and app
// (us-west-2) 4. Edge us-east-1 learns 192.168.0.0/16 from e's four
// connections (AS path 65001 unless prepended) and from edge us-west-2,
// which learns it from w's four: 64601 65001.
func TestCloudWANASPathBeforeKind(t *testing.T) {
	const g = gbps / 8
	flows := []lang.Flow{flowOf("east", "vpc.web", "site.hq", 8*g, 1500), flowOf("west", "vpc.app", "site.hq", 4*g, 1500)}
	prepend := func(n int) []lang.Event {
		var out []lang.Event
		for _, c := range []string{"e/conn1", "e/conn2", "e/conn3", "e/conn4"} {
			out = append(out, advertiseAt(0, c, lang.Advertise{Prepend: n}))
		}
		return out
	}
	cases := []loadCase{
		// Each edge uses its own Region's last mile: 8/4 and 4/4.
		{"each edge uses its own Direct Connect", nil,
			[]float64{2 * g, 2 * g, 2 * g, 2 * g}, []float64{g, g, g, g}},
		// 65001 65001 against 64601 65001: equal, so Direct Connect goes
		// before the remote edge and nothing moves.
		{"at equal AS paths Direct Connect goes first", prepend(1),
			[]float64{2 * g, 2 * g, 2 * g, 2 * g}, []float64{g, g, g, g}},
		// Three ASes against two: edge us-east-1 sends its 8 to edge
		// us-west-2, which sends all 12 over w's four, 3 each.
		{"a remote edge's shorter AS path goes first", prepend(2),
			[]float64{0, 0, 0, 0}, []float64{3 * g, 3 * g, 3 * g, 3 * g}},
	}
	runLoadCases(t, "cloudwan_regions", flows, cases)
}

// Multipath where the router shares, the lowest BGP identifier otherwise.
// The site sends web 2 Gbps, web sends the site 2 Gbps. hub learns the
// site from a's four connections through DX gateway ga and b's four
// through gb, AS path 65001 on all eight: AWS shares across DX gateway
// attachments with the same AS path, 2/8 Gbps each. The site's router
// learns web from a's four with AS path 64512 and b's four with 64513:
// equal but for the neighbouring AS, so it does not share across them;
// the lowest identifier is a/conn1's AWS address (169.254.100.1), and a's
// four share 2/4 Gbps each.
func TestMultipathAndTieBreakInTheSimulator(t *testing.T) {
	const g = gbps
	flows := []lang.Flow{flowOf("up", "site.hq", "vpc.web", 2*g, 1500), flowOf("down", "vpc.web", "site.hq", 2*g, 1500)}
	s := startSim(t, selection(t, "two_gateways"), scenario(time.Minute, flows))
	s.e.Run(time.Second)
	wantLoads(t, "a up", groupLoads(s, "a", 0), g/2, g/2, g/2, g/2)
	wantLoads(t, "b up", groupLoads(s, "b", 0), 0, 0, 0, 0)
	wantLoads(t, "a down", groupLoads(s, "a", 1), g/4, g/4, g/4, g/4)
	wantLoads(t, "b down", groupLoads(s, "b", 1), g/4, g/4, g/4, g/4)
}

// A site's router without BGP multipath installs one route where it would
// share four: it learns web's 10.1.0.0/16 over the last mile's four
// connections, all with AS path 64512 from the same neighbouring AS, and
// the final tie-break, the lowest BGP identifier, picks conn1's AWS end
// (169.254.100.1, the first /30 allocated). So the 2 Gbps going up all
// take conn1; AWS's side still shares the 2 Gbps coming down, 500 Mbps on
// each.
func TestSitesRouterWithoutMultipath(t *testing.T) {
	const g = gbps
	flows := []lang.Flow{flowOf("up", "site.hq", "vpc.web", 2*g, 1500), flowOf("down", "vpc.web", "site.hq", 2*g, 1500)}
	p := selection(t, "single_path")
	for _, se := range p.Sessions {
		if se.Name == "hq/conn1" && se.Local.Address.String() != "169.254.100.1" {
			t.Fatalf("conn1's AWS end is %s, the comment says 169.254.100.1", se.Local.Address)
		}
	}
	s := startSim(t, p, scenario(time.Minute, flows))
	s.e.Run(time.Second)
	wantLoads(t, "up", groupLoads(s, "hq", 0), 2*g, 0, 0, 0)
	wantLoads(t, "down", groupLoads(s, "hq", 1), g/2, g/2, g/2, g/2)
}
