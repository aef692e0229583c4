package planner

import (
	"fmt"
	"slices"
	"strings"

	"patchbay/lang"
)

// A scenario names what it acts on by the plan's derived names (facilities,
// channels, devices), which exist only once the topology is derived. The
// planner resolves them, so a name that does not exist is a finding of
// validate and plan like any other, and the simulator runs only targets
// that are there.

// Member is one member link of a LAG, by position. The zero Member names
// none.
type Member struct {
	Link  *Link
	Index int // into Link.Members
}

// IsValid reports whether m names a member link.
func (m Member) IsValid() bool { return m.Link != nil && m.Index >= 0 && m.Index < len(m.Link.Members) }

// Name is the member link's name, LINK/mN; "" for the zero Member.
func (m Member) Name() string {
	if !m.IsValid() {
		return ""
	}
	return m.Link.Members[m.Index]
}

// ResolvedEvent is a scenario event with its target found in the topology.
// What is set follows the target's kind:
//
//   - link: Members, the one member link; or Links, one link inside a
//     managed service (it has no members)
//   - channel: Links, the channel or last-mile connection; for advertise
//     also Sessions, the BGP sessions the far end advertises over (IPv4,
//     then IPv6 where the link has it), and Session, the first of them
//   - facility: Links, every link in it
//   - device: Devices, the device, or every edge of a Cloud WAN core
//     network named by its reference
//   - interconnect, last_mile: Links, its channels or connections
type ResolvedEvent struct {
	Event    lang.Event
	Members  []Member
	Links    []*Link
	Devices  []*Device
	Session  *Session
	Sessions []*Session
}

// ResolvedFlow is a scenario flow between two networks of the topology.
type ResolvedFlow struct {
	Flow     lang.Flow
	From, To *Endpoint
}

// ResolvedProbe is a scenario probe between two networks of the topology.
type ResolvedProbe struct {
	Probe    lang.Probe
	From, To *Endpoint
}

// ResolvedScenario is a scenario whose flows, probes and events point at
// the topology. What did not resolve is left out of Flows, Probes and
// Events and reported in Problems (findings of the rule scenario-target):
// a scenario with problems is not run.
type ResolvedScenario struct {
	Scenario *lang.Scenario
	Flows    []ResolvedFlow
	Probes   []ResolvedProbe
	Events   []ResolvedEvent
	Problems lang.Diagnostics
}

// Scenarios returns the design's scenarios, resolved, in declaration order.
func (p *Plan) Scenarios() []*ResolvedScenario { return p.scenarios }

// Scenario returns the design's scenario named name, resolved.
func (p *Plan) Scenario(name string) (*ResolvedScenario, bool) {
	for _, rs := range p.scenarios {
		if rs.Scenario.Name == name {
			return rs, true
		}
	}
	return nil, false
}

// ResolveScenario resolves a scenario against the plan's topology. The
// design's own are resolved once by New (Scenarios); this serves one built
// elsewhere, as tests and tools do.
func (p *Plan) ResolveScenario(sc *lang.Scenario) *ResolvedScenario {
	r := &scenarioResolver{t: p.Topology(), sc: sc, out: &ResolvedScenario{Scenario: sc},
		sessions: map[string][]*Session{}, groups: map[lang.TargetKind][]string{}}
	for _, s := range p.Sessions {
		r.sessions[s.Over] = append(r.sessions[s.Over], s)
	}
	for _, ip := range p.Interconnects {
		r.groups[lang.TargetInterconnect] = append(r.groups[lang.TargetInterconnect], ip.Interconnect.Name)
	}
	for _, lp := range p.LastMiles {
		r.groups[lang.TargetLastMile] = append(r.groups[lang.TargetLastMile], lp.LastMile.Name)
	}
	for _, f := range sc.Flows {
		from, to := r.endpoint(f.From, f.Range, "flow "+f.Name), r.endpoint(f.To, f.Range, "flow "+f.Name)
		if from != nil && to != nil {
			r.out.Flows = append(r.out.Flows, ResolvedFlow{Flow: f, From: from, To: to})
		}
	}
	for _, pr := range sc.Probes {
		from, to := r.endpoint(pr.From, pr.Range, "probe "+pr.Name), r.endpoint(pr.To, pr.Range, "probe "+pr.Name)
		if from != nil && to != nil {
			r.out.Probes = append(r.out.Probes, ResolvedProbe{Probe: pr, From: from, To: to})
		}
	}
	for _, ev := range sc.Events {
		if re, ok := r.event(ev); ok {
			r.out.Events = append(r.out.Events, re)
		}
	}
	r.out.Problems.Sort()
	return r.out
}

func (p *Plan) resolveScenarios() {
	if len(p.Design.Scenarios) == 0 {
		return // nothing to resolve, and no topology to derive for it
	}
	if t := p.Topology(); t == nil || t.Err != nil {
		return // no topology to resolve against; the catalog error says why
	}
	for _, sc := range p.Design.Scenarios {
		p.scenarios = append(p.scenarios, p.ResolveScenario(sc))
	}
}

type scenarioResolver struct {
	t        *Topology
	sc       *lang.Scenario
	sessions map[string][]*Session // by the link they run over, IPv4 first
	groups   map[lang.TargetKind][]string
	out      *ResolvedScenario
}

func (r *scenarioResolver) problem(at lang.Range, summary, hint string) {
	r.out.Problems = append(r.out.Problems, lang.Diagnostic{Severity: ruleScenarioTarget.Severity, Rule: ruleScenarioTarget.ID,
		Range: at, Summary: fmt.Sprintf("scenario %s: %s", r.sc.Name, summary), Hint: hint})
}

// unknown reports a name the topology lacks, with the nearest known one or
// a few known ones.
func (r *scenarioResolver) unknown(ev lang.Event, what string, names []string) {
	names = slices.Clone(names)
	slices.Sort(names)
	names = slices.Compact(names)
	hint := ""
	if near := lang.Nearest(ev.Target.Name, names); near != "" {
		hint = fmt.Sprintf("did you mean %q?", near)
	} else if len(names) > 0 {
		shown := names[:min(len(names), 8)]
		hint = "known: " + strings.Join(shown, ", ")
		if len(names) > len(shown) {
			hint += fmt.Sprintf(" and %d more", len(names)-len(shown))
		}
	} else {
		hint = fmt.Sprintf("this design has no %s", what)
	}
	r.problem(ev.Range, fmt.Sprintf("no %s %q in this design", what, ev.Target.Name), hint)
}

func (r *scenarioResolver) endpoint(ref lang.Ref, at lang.Range, what string) *Endpoint {
	if ep, ok := r.t.Endpoints[ref]; ok {
		return ep
	}
	var names []string
	for n := range r.t.Endpoints {
		names = append(names, n.String())
	}
	slices.Sort(names)
	hint := "a flow or probe runs between networks: a vpc, gcp_vpc or site"
	if near := lang.Nearest(ref.String(), names); near != "" {
		hint = fmt.Sprintf("did you mean %q?", near)
	}
	r.problem(at, fmt.Sprintf("%s: %s is not a network of this design", what, ref), hint)
	return nil
}

// event resolves one event; false when it cannot run, reported.
func (r *scenarioResolver) event(ev lang.Event) (ResolvedEvent, bool) {
	re := ResolvedEvent{Event: ev}
	t := ev.Target
	ok := false
	switch ev.Action {
	case lang.ActionFail, lang.ActionRestore:
		switch t.Kind {
		case lang.TargetLink:
			ok = r.member(&re, true)
		case lang.TargetChannel:
			ok = r.channel(&re)
		case lang.TargetFacility:
			ok = r.facility(&re)
		case lang.TargetDevice:
			ok = r.device(&re)
		default:
			return re, r.cannot(ev)
		}
	case lang.ActionSetBandwidth:
		switch t.Kind {
		case lang.TargetLink:
			ok = r.member(&re, false)
		case lang.TargetChannel:
			ok = r.channel(&re)
		case lang.TargetInterconnect, lang.TargetLastMile:
			ok = r.group(&re)
		default:
			return re, r.cannot(ev)
		}
	case lang.ActionAdvertise:
		if t.Kind != lang.TargetChannel {
			return re, r.cannot(ev)
		}
		if ok = r.channel(&re); ok {
			re.Sessions = r.sessions[re.Links[0].Name]
			if len(re.Sessions) == 0 || ev.Advertise == nil {
				r.problem(ev.Range, fmt.Sprintf("%s carries no BGP session", t.Name), "advertise over a channel or last-mile connection")
				ok = false
			} else {
				re.Session = re.Sessions[0]
			}
		}
	case lang.ActionRotateKey, lang.ActionRemoveKey, lang.ActionMismatchKey:
		if t.Kind != lang.TargetChannel {
			return re, r.cannot(ev)
		}
		if ok = r.channel(&re); ok {
			l := re.Links[0]
			if !l.MACsec.Encrypts() || len(r.sessions[l.Name]) == 0 {
				r.problem(ev.Range, fmt.Sprintf("%s runs no MACsec, so it has no keys to %s", t.Name, strings.TrimSuffix(string(ev.Action), "_key")),
					"MACsec runs on every Interconnect channel, and on a last-mile connection unless macsec = False or macsec_mode = \"no_encrypt\"")
				ok = false
			}
		}
	case lang.ActionMaintenance:
		if t.Kind != lang.TargetDevice {
			return re, r.cannot(ev)
		}
		ok = r.device(&re)
	default:
		return re, r.cannot(ev)
	}
	return re, ok
}

func (r *scenarioResolver) cannot(ev lang.Event) bool {
	r.problem(ev.Range, fmt.Sprintf("cannot %s a %s", strings.ReplaceAll(string(ev.Action), "_", " "), ev.Target.Kind), "")
	return false
}

// member resolves a link target: a member link of a LAG or, when virtual
// is allowed (fail and restore), a link inside a managed service.
func (r *scenarioResolver) member(re *ResolvedEvent, virtual bool) bool {
	name := re.Event.Target.Name
	if l, ok := r.t.Member(name); ok {
		re.Members = []Member{{Link: l, Index: slices.Index(l.Members, name)}}
		return true
	}
	if l, ok := r.t.Link(name); ok && !l.Physical() {
		if virtual {
			re.Links = []*Link{l}
			return true
		}
		r.problem(re.Event.Range, fmt.Sprintf("%s is inside a managed service and has no bandwidth to set", name),
			"set the bandwidth of a channel, a connection, an Interconnect or a last mile")
		return false
	}
	var names []string
	for _, l := range r.t.Links {
		names = append(names, l.Members...)
		if virtual && !l.Physical() {
			names = append(names, l.Name)
		}
	}
	r.unknown(re.Event, "link", names)
	return false
}

func (r *scenarioResolver) channel(re *ResolvedEvent) bool {
	if l, ok := r.t.Link(re.Event.Target.Name); ok && l.Physical() {
		re.Links = []*Link{l}
		return true
	}
	var names []string
	for _, l := range r.t.Links {
		if l.Physical() {
			names = append(names, l.Name)
		}
	}
	r.unknown(re.Event, "channel or connection", names)
	return false
}

func (r *scenarioResolver) facility(re *ResolvedEvent) bool {
	if links, ok := r.t.Facilities[re.Event.Target.Name]; ok {
		re.Links = links
		return true
	}
	var names []string
	for f := range r.t.Facilities {
		names = append(names, f)
	}
	r.unknown(re.Event, "facility", names)
	return false
}

func (r *scenarioResolver) device(re *ResolvedEvent) bool {
	name := re.Event.Target.Name
	if d, ok := r.t.Device(name); ok {
		re.Devices = []*Device{d}
		return true
	}
	// A core network is no device of its own: its reference stands for
	// every edge, "core_network.global/us-east-1" and the others.
	for _, d := range r.t.Devices {
		if d.Role == RoleCloudWAN && strings.HasPrefix(d.Name, name+"/") {
			re.Devices = append(re.Devices, d)
		}
	}
	if len(re.Devices) > 0 {
		return true
	}
	names := make([]string, len(r.t.Devices))
	for i, d := range r.t.Devices {
		names[i] = d.Name
	}
	r.unknown(re.Event, "device", names)
	return false
}

func (r *scenarioResolver) group(re *ResolvedEvent) bool {
	t := re.Event.Target
	if slices.Contains(r.groups[t.Kind], t.Name) {
		re.Links = r.t.Groups[t.Name]
		return true
	}
	r.unknown(re.Event, strings.ReplaceAll(string(t.Kind), "_", " "), r.groups[t.Kind])
	return false
}
