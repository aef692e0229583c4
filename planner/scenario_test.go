package planner_test

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"patchbay/lang"
	"patchbay/lang/starlark"
	"patchbay/planner"
	"patchbay/planner/plantest"
)

// Each target resolves to the topology's own objects, so the simulator can
// take them by ID.
func TestScenarioTargetsAreTheTopologysObjects(t *testing.T) {
	p := plantest.File(t, "../testdata/valid/scenario_target_ok.star")
	rs, ok := p.Scenario("drill")
	if !ok || rs.Scenario != p.Design.Scenarios[0] || len(rs.Problems) > 0 {
		t.Fatalf("Scenario(drill) = %+v, %v", rs, ok)
	}
	if len(p.Scenarios()) != 1 || p.Scenarios()[0] != rs {
		t.Fatalf("Scenarios() = %v", p.Scenarios())
	}
	if _, ok := p.Scenario("nope"); ok {
		t.Error("Scenario(nope) found one")
	}
	topo := p.Topology()
	if len(rs.Events) != len(rs.Scenario.Events) || len(rs.Flows) != 2 || len(rs.Probes) != 1 {
		t.Fatalf("%d events, %d flows, %d probes resolved", len(rs.Events), len(rs.Flows), len(rs.Probes))
	}
	byName := func(name string) *planner.Link {
		l, ok := topo.Link(name)
		if !ok {
			t.Fatalf("no link %s", name)
		}
		return l
	}
	ev := rs.Events[0] // fail(link = "ic/ch1/m1")
	if len(ev.Members) != 1 || ev.Members[0].Link != byName("ic/ch1") || ev.Members[0].Name() != "ic/ch1/m1" || len(ev.Links) > 0 {
		t.Errorf("member link: %+v", ev)
	}
	if ev := rs.Events[1]; len(ev.Links) != 1 || ev.Links[0] != byName("attachment.web-hub") || len(ev.Members) > 0 {
		t.Errorf("link inside a service: %+v", ev)
	}
	if ev := rs.Events[5]; len(ev.Links) != 2 || ev.Links[0] != byName("ic/ch3") || ev.Links[1] != byName("ic/ch4") {
		t.Errorf("facility us-east4/fac-b: %+v", ev.Links)
	}
	if d, _ := topo.Device("transit_gateway.hub"); len(rs.Events[7].Devices) != 1 || rs.Events[7].Devices[0] != d {
		t.Errorf("device: %+v", rs.Events[7].Devices)
	}
	if ev := rs.Events[9]; len(ev.Links) != 4 || ev.Links[0] != byName("ic/ch1") {
		t.Errorf("interconnect: %+v", ev.Links)
	}
	if ev := rs.Events[13]; ev.Session == nil || ev.Session.Over != "hq/conn2" {
		t.Errorf("advertise: session %+v", ev.Session)
	}
	if f := rs.Flows[0]; f.From != topo.Endpoints[f.Flow.From] || f.To != topo.Endpoints[f.Flow.To] || f.From == nil {
		t.Errorf("flow: %+v", f)
	}
	if (planner.Member{}).IsValid() || (planner.Member{}).Name() != "" {
		t.Error("the zero Member names a member")
	}
}

// advertise() on a dual-stack connection resolves to both its sessions,
// the IPv4 one first: the far end's policy holds in both families.
func TestScenarioAdvertiseOverBothFamilies(t *testing.T) {
	p := plantest.Source(t, `hq = site("hq", cidr = "192.168.0.0/16", ipv6_cidr = "2001:db8:100::/48", asn = 65001)
d = dx_gateway("d")
attach(d, vpn_gateway(vpc("v", region = "us-east-1", cidr = "10.0.0.0/16")))
last_mile("hq", partner = "lumen", region = "us-east-1", bandwidth = "1Gbps", site = hq, attach_to = d)
`)
	rs := p.ResolveScenario(&lang.Scenario{Meta: lang.Meta{Name: "s"}, Duration: time.Minute, Events: []lang.Event{{
		Action: lang.ActionAdvertise, Target: lang.Target{Kind: lang.TargetChannel, Name: "hq/conn3"}, Advertise: &lang.Advertise{Prepend: 1}}}})
	if len(rs.Problems) > 0 || len(rs.Events) != 1 {
		t.Fatalf("problems %v", rs.Problems)
	}
	ev := rs.Events[0]
	if len(ev.Sessions) != 2 || ev.Sessions[0].Name != "hq/conn3" || ev.Sessions[1].Name != "hq/conn3/ipv6" || ev.Session != ev.Sessions[0] {
		t.Errorf("advertise resolves to %+v (session %+v), want hq/conn3 then hq/conn3/ipv6", ev.Sessions, ev.Session)
	}
}

// A core network is no device; its reference names every edge.
func TestScenarioDeviceCoreNetworkIsEveryEdge(t *testing.T) {
	p := plantest.File(t, "../examples/global_wan.star")
	cn := p.Design.CoreNetworks[0].Ref().String()
	sc := &lang.Scenario{Meta: lang.Meta{Name: "s"}, Duration: time.Minute,
		Events: []lang.Event{{At: time.Second, Action: lang.ActionFail, Target: lang.Target{Kind: lang.TargetDevice, Name: cn}}}}
	rs := p.ResolveScenario(sc)
	if len(rs.Problems) > 0 || len(rs.Events) != 1 {
		t.Fatalf("%v", rs.Problems)
	}
	var edges []*planner.Device
	for _, d := range p.Topology().Devices {
		if d.Role == planner.RoleCloudWAN {
			edges = append(edges, d)
		}
	}
	if got := rs.Events[0].Devices; len(edges) < 2 || len(got) != len(edges) {
		t.Fatalf("devices %v, want the %d edges", got, len(edges))
	}
}

// Neither front-end lets a flow name an undeclared network, but a Design
// from elsewhere can: the planner reports it at the flow, and plans the
// rest.
func TestScenarioFlowToAnUnknownNetwork(t *testing.T) {
	d, err := starlark.LoadFS(context.Background(), fstest.MapFS{"main.star": {Data: []byte(
		`pay = vpc("pay", region = "us-east-1", cidr = "10.10.0.0/16")` + "\n")}}, "", "main.star", starlark.Options{})
	if err != nil {
		t.Fatal(err)
	}
	at := lang.Range{File: "main.star", Start: lang.Pos{Line: 2, Col: 1}}
	d.Scenarios = append(d.Scenarios, &lang.Scenario{Meta: lang.Meta{Name: "s"}, Duration: time.Minute,
		Flows: []lang.Flow{{Name: "f", From: lang.Ref{Kind: lang.KindVPC, Name: "pay"}, To: lang.Ref{Kind: lang.KindVPC, Name: "paz"}, Range: at}}})
	p, err := planner.New(d)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Findings) != 1 {
		t.Fatalf("findings %v", p.Findings)
	}
	f := p.Findings[0]
	if f.Rule != "scenario-target" || f.Severity != lang.SevError || f.Range != at ||
		!strings.Contains(f.Summary, "flow f: vpc.paz is not a network of this design") || f.Hint != `did you mean "vpc.pay"?` {
		t.Errorf("finding %+v", f)
	}
	if rs := p.Scenarios()[0]; len(rs.Flows) != 0 || len(rs.Problems) != 1 {
		t.Errorf("resolved %+v", rs)
	}
}

// A name with no near neighbour lists some known ones instead.
func TestScenarioUnknownTargetListsKnownNames(t *testing.T) {
	p := plantest.File(t, "../examples/multicloud.star")
	rs := p.ResolveScenario(&lang.Scenario{Meta: lang.Meta{Name: "s"}, Duration: time.Minute,
		Events: []lang.Event{{At: time.Second, Action: lang.ActionFail, Target: lang.Target{Kind: lang.TargetFacility, Name: "somewhere-else"}}}})
	if len(rs.Problems) != 1 || rs.Problems[0].Hint != "known: us-east-1/fac-a, us-east-1/fac-b, us-east4/fac-a, us-east4/fac-b" {
		t.Fatalf("%+v", rs.Problems)
	}
}

// An action that does not apply to the target's kind cannot be written in
// either language, but a Design from elsewhere is held to it too.
func TestScenarioActionThatDoesNotApply(t *testing.T) {
	p := plantest.File(t, "../examples/multicloud.star")
	rs := p.ResolveScenario(&lang.Scenario{Meta: lang.Meta{Name: "s"}, Duration: time.Minute,
		Events: []lang.Event{{At: time.Second, Action: lang.ActionAdvertise, Target: lang.Target{Kind: lang.TargetFacility, Name: "us-east-1/fac-a"}}}})
	if len(rs.Problems) != 1 || rs.Problems[0].Summary != "scenario s: cannot advertise a facility" || len(rs.Events) != 0 {
		t.Fatalf("%+v", rs.Problems)
	}
}
