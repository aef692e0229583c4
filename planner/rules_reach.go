package planner

import (
	"fmt"
	"net/netip"
	"strings"

	"patchbay/lang"
)

// The reachability rules read the derived tables: what `validate` proves
// is what the simulator does with nothing failed, since both follow the
// same topology.

var ruleUnreachable = register(&Rule{
	ID: "unreachable", Severity: lang.SevError,
	Summary: "An objective, scenario flow or monitor has no forwarding path, one way or both, with nothing failed.",
	Explain: `Every objective(), every scenario flow and probe, and every monitor() promises traffic between
two networks. patchbay follows a packet each way through the tables it derived (VPC route tables,
Transit Gateway route tables with their associations and propagations, Cloud WAN segments with
sharing, isolation and create-route, Direct Connect gateway associations with their allowed
prefixes, the BGP sessions of every Interconnect and last mile) with every link up, exactly as the
simulator forwards, and reports the first place where the packet stops:

- a table with no route to the destination (a missing propagation or static route, an isolated
  segment, a Transit Gateway peering without static routes, an allowed-prefix list that leaves the
  destination out);
- a blackhole route;
- an attachment associated with no route table;
- another network that holds the same addresses and takes the packet ("delivered to the wrong
  network");
- a routing loop.

The finding points at the objective, flow, probe or monitor, and its related location at the
declaration to change: the table without the route, the blackhole, the overlapping network.
patchbay trace FILE SRC DST shows the whole path hop by hop.

Fix: add the propagation, association, share or static route the hint names, or correct the
objective.`,
	check: func(v *validator, rule *Rule) {
		v.checkPaths(rule)
	},
})

var ruleTGWPeeringRoutes = register(&Rule{
	ID: "tgw-peering-routes", Severity: lang.SevError,
	Summary: "A Transit Gateway peering attachment that no static route points over, or that its far side associates with no route table: what is sent over it goes nowhere.",
	Explain: `Transit Gateway peering attachments support static routes only: neither side propagates
anything over a peering, so a peering carries traffic only towards the prefixes that a static
route in one of the two Transit Gateways' route tables sends over it (AWS Transit Gateway guide,
"Transit gateway peering attachments",
https://docs.aws.amazon.com/vpc/latest/tgw/tgw-peering.html, checked 2026-12).

Each side associates the peering attachment with one of its own route tables and adds its own
static routes. So:
- a peering over which no static route points on either side carries nothing; it still costs an
  attachment hour on each side;
- traffic one side sends over a peering that the other side has associated with no route table
  (and whose Transit Gateway associates nothing by default) arrives with no table to route it,
  and is dropped.

Fix: add route("10.x.0.0/16", target = peering) to a tgw_route_table on each side, and
associate the peering with a table on each side (associations = [peering]), or remove the
peering.`,
	check: func(v *validator, rule *Rule) {
		d := v.p.Design
		// side is one Transit Gateway's view of a peering attachment: a
		// static route of its tables over it, and a table of its own
		// that the attachment is associated with.
		type side struct {
			route, assoc *lang.TGWRouteTable
		}
		sides := map[[2]lang.Ref]*side{} // by attachment and Transit Gateway
		at := func(att, tgw lang.Ref) *side {
			k := [2]lang.Ref{att, tgw}
			if sides[k] == nil {
				sides[k] = &side{}
			}
			return sides[k]
		}
		for _, t := range d.TGWRouteTables {
			for _, r := range t.Routes {
				if !r.Target.IsZero() && v.p.isPeering(r.Target) && at(r.Target, t.TGW).route == nil {
					at(r.Target, t.TGW).route = t
				}
			}
			for _, r := range t.Associations {
				if v.p.isPeering(r) {
					at(r, t.TGW).assoc = t
				}
			}
		}
		byDefault := func(tgw lang.Ref) bool {
			x, _ := d.Lookup(tgw)
			g, ok := x.(*lang.TransitGateway)
			return ok && g.DefaultAssociation
		}
		for _, a := range d.Attachments {
			if a.Kind != lang.AttachTGWPeering {
				continue
			}
			ends := [2]*side{at(a.Ref(), a.A), at(a.Ref(), a.B)}
			if ends[0].route == nil && ends[1].route == nil {
				v.report(rule, finding{at: a.Source(),
					summary: fmt.Sprintf("no static route points over the peering %s between %s and %s: peering attachments propagate nothing, so no traffic crosses it", a.Name, a.A, a.B),
					hint:    fmt.Sprintf("add a static route with target = %s to a route table of %s for the far side's prefixes, and one of %s for the way back", a.Name, a.A.Name, a.B.Name)})
				continue
			}
			// A side that routes over the peering while the other does not
			// may well have the replies come back another way (a VPN, a
			// second peering): unreachable says when a promised pair of
			// networks cannot talk. What one side sends into a table-less
			// attachment is lost whatever else the design holds.
			tgws := [2]lang.Ref{a.A, a.B}
			for i, e := range ends {
				far, farTGW := ends[1-i], tgws[1-i]
				if e.route != nil && far.assoc == nil && !byDefault(farTGW) {
					v.report(rule, finding{at: a.Source(),
						summary: fmt.Sprintf("%s sends traffic over the peering %s, but %s associates it with no route table: what arrives there has no table to route it and is dropped", tgws[i], a.Name, farTGW),
						related: related(e.route, "the route over the peering"),
						hint:    fmt.Sprintf("add %s to the associations of a tgw_route_table of %s", a.Name, farTGW.Name)})
				}
			}
		}
	},
})

// promise is one pair of networks the design says must talk, and where it
// says so.
type promise struct {
	what     string // "objective x", "flow a->b of scenario s"
	from, to lang.Ref
	size     int // the packet size to check the path MTU with; 0: none
	at       lang.Range
	// oneWay: traffic goes from → to, and the way back only carries its
	// acknowledgements (a flow); a probe, monitor or objective needs both.
	oneWay bool
}

func (v *validator) promises() []promise {
	d := v.p.Design
	var out []promise
	for _, o := range d.Objectives {
		out = append(out, promise{what: "objective " + o.Name, from: o.From, to: o.To, at: o.Source()})
	}
	for _, m := range d.Monitors {
		out = append(out, promise{what: "monitor " + m.Name, from: m.From, to: m.To, at: m.Source()})
	}
	for _, sc := range d.Scenarios {
		for _, f := range sc.Flows {
			out = append(out, promise{what: fmt.Sprintf("flow %s of scenario %s", f.Name, sc.Name), from: f.From, to: f.To, size: f.PacketSize, at: f.Range, oneWay: true})
		}
		for _, pr := range sc.Probes {
			out = append(out, promise{what: fmt.Sprintf("probe %s of scenario %s", pr.Name, sc.Name), from: pr.From, to: pr.To, size: pr.PacketSize, at: pr.Range})
		}
	}
	return out
}

// checkPaths traces every promise both ways: to a host of every prefix of
// the destination, in every address family the two networks share, with
// small packets for reachability; then at its packet size, for the path
// MTU.
func (v *validator) checkPaths(rule *Rule) {
	promises := v.promises()
	if len(promises) == 0 {
		return // no path to check: the topology need not be derived
	}
	topo := v.p.Topology()
	// Many promises share their ends (a scenario of thousands of flows
	// between two networks): each way is traced once.
	type way struct {
		from, to lang.Ref
		size     int
	}
	unreachable := map[way]*TraceResult{}
	traced := map[way]*TraceResult{}
	// The path MTU and the address family are the existing rules' concern.
	for _, pr := range promises {
		src, okSrc := topo.Endpoints[pr.from]
		dst, okDst := topo.Endpoints[pr.to]
		if !okSrc || !okDst {
			continue // not a network: the scenario-target and reference checks say so
		}
		if _, _, ok := commonAddresses(src, dst); !ok {
			v.report(ruleIPVersion, finding{at: pr.at,
				summary: fmt.Sprintf("%s: %s and %s have no address family in common, so no packet can go between them", pr.what, pr.from, pr.to),
				hint:    "give both networks IPv4 CIDRs, or both IPv6 ones"})
			continue
		}
		for _, dir := range [][2]lang.Ref{{pr.from, pr.to}, {pr.to, pr.from}} {
			w := way{from: dir[0], to: dir[1]}
			res, seen := unreachable[w]
			if !seen {
				res = v.firstUnreachable(dir[0], dir[1])
				unreachable[w] = res
			}
			if res != nil {
				f, _ := v.pathFinding(pr, res)
				if pr.oneWay && dir[0] != pr.from {
					f.sev = sevPtr(lang.SevWarning)
					f.summary = "return path of " + f.summary
				}
				v.report(rule, f)
				continue
			}
			// A flow's packets go its own way; the way back carries its
			// acknowledgements, whose size it does not say.
			if pr.size <= 64 || dir[0] != pr.from {
				continue
			}
			w.size = pr.size
			big, seen := traced[w]
			if !seen {
				big, _ = topo.Trace(dir[0], dir[1], TraceOptions{Size: pr.size})
				traced[w] = big
			}
			for _, p := range big.Paths {
				if p.Outcome == OutcomeTooBig || p.Outcome == OutcomeSourceTooBig {
					f := finding{sev: sevPtr(lang.SevWarning), at: pr.at,
						summary: fmt.Sprintf("%s: %d-byte packets from %s to %s are dropped: %s", pr.what, pr.size, dir[0], dir[1], p.Detail),
						hint:    fmt.Sprintf("send packets of at most %d bytes, or clamp the MSS", max(p.MTU, 0))}
					if p.Outcome == OutcomeSourceTooBig {
						f.hint = "raise the source network's mtu, or send smaller packets"
					}
					if !p.Blame.IsZero() {
						f.related = []lang.Related{{Range: p.Blame, Message: "the narrowest hop is declared here"}}
					}
					v.report(ruleMTU, f)
					break
				}
			}
		}
	}
}

// firstUnreachable traces from one network to a host of each prefix of
// another, in each family the source can send, and returns the first trace
// that loses traffic, nil when every prefix is reached.
func (v *validator) firstUnreachable(from, to lang.Ref) *TraceResult {
	topo := v.p.Topology()
	src, dst := topo.Endpoints[from], topo.Endpoints[to]
	nw, ok := v.p.Design.Lookup(to)
	if !ok {
		return nil
	}
	v4, v6 := nw.(lang.Network).Addresses()
	var targets []netip.Prefix
	if src.V4.IsValid() {
		targets = append(targets, v4...)
	}
	if src.V6.IsValid() {
		targets = append(targets, v6...)
	}
	for _, p := range targets {
		host := hostIn([]netip.Prefix{p})
		if !host.IsValid() {
			continue
		}
		res, err := topo.TraceToAddress(from, dst.Network, host, TraceOptions{})
		if err == nil && res.Delivered() < 1-1e-9 {
			return res
		}
	}
	return nil
}

// pathFinding describes the first way a traced packet fails, if it does.
func (v *validator) pathFinding(pr promise, res *TraceResult) (finding, bool) {
	lost := 1 - res.Delivered()
	if lost < 1e-9 {
		return finding{}, false
	}
	var p *TracePath
	for i := range res.Paths {
		if res.Paths[i].Outcome != OutcomeDelivered {
			p = &res.Paths[i]
			break
		}
	}
	// A network without route tables of its own forwards by what its
	// gateway's table gives it: the route is missing there.
	if p.Outcome == OutcomeNoRoute && p.Stop != nil && p.Stop.Device.Role == RoleNetwork {
		for _, r := range p.Stop.Inbound(v.p.Topology()) {
			if r.Tag == TagGateway {
				q := *p
				q.Detail = fmt.Sprintf("%s has no route to %s, and %s forwards by what it learns from it", r.From, res.Dst, p.Stop.Device.Name)
				q.Where, q.Stop, q.Blame = r.From.String(), r.From, r.From.Source
				p = &q
				break
			}
		}
	}
	// A VPC without route tables of its own, attached through an
	// attachment associated with no route table, learns nothing over it:
	// that is the cause. (With route tables, its static routes lead to the
	// gateway, and the trace stops there as not-associated.)
	if p.Outcome == OutcomeNoRoute && p.Stop != nil && p.Stop.Device.Role == RoleNetwork && !p.Stop.explicit {
		for _, i := range p.Stop.Device.Ifaces {
			if peer := i.Peer(); peer.Table == nil && (peer.Device.Role == RoleTGW || peer.Device.Role == RoleCloudWAN) {
				q := *p
				q.Outcome = OutcomeNotAssociated
				q.Detail = fmt.Sprintf("%s has no route to %s: its %s is associated with no route table on %s, so it learns nothing over it",
					p.Stop.Device.Name, res.Dst, i.Link.Name, peer.Device.Name)
				q.Blame = i.Link.Source
				p = &q
				break
			}
		}
	}
	share := ""
	if lost < 1-1e-9 {
		share = fmt.Sprintf(" (%.0f%% of the traffic, on %d of the equal-cost paths)", 100*lost, countFailed(res))
	}
	f := finding{at: pr.at,
		summary: fmt.Sprintf("%s: traffic from %s to %s does not arrive%s: %s", pr.what, res.From, res.To, share, p.Detail),
		detail:  "path: " + describeHops(p.Hops),
		hint:    hintFor(p, res)}
	if !p.Blame.IsZero() {
		f.related = []lang.Related{{Range: p.Blame, Message: blameMessage(p)}}
	}
	return f, true
}

func countFailed(res *TraceResult) int {
	n := 0
	for _, p := range res.Paths {
		if p.Outcome != OutcomeDelivered {
			n++
		}
	}
	return n
}

func describeHops(hs []TraceHop) string {
	parts := make([]string, len(hs))
	for i, h := range hs {
		parts[i] = h.Table
	}
	return strings.Join(parts, " → ")
}

func blameMessage(p *TracePath) string {
	switch p.Outcome {
	case OutcomeBlackhole:
		return "the blackhole route"
	case OutcomeWrongNetwork:
		return "the network that takes the packets"
	case OutcomeNotAssociated:
		return "the attachment associated with no route table"
	}
	return "the table without a route: " + p.Where
}

// hintFor says what to change, from the kind of table the packet stopped in.
func hintFor(p *TracePath, res *TraceResult) string {
	switch p.Outcome {
	case OutcomeBlackhole:
		return "remove or narrow the blackhole route, or give the destination other addresses"
	case OutcomeWrongNetwork:
		return "the destination's addresses overlap another network's that the packet reaches first; renumber one of them (see cidr-overlap)"
	case OutcomeNotAssociated:
		return "associate the attachment with a route table"
	case OutcomeLoop:
		return "two tables send the destination to each other: check the static routes on the path"
	}
	if p.Stop == nil {
		return ""
	}
	switch p.Stop.Device.Role {
	case RoleNetwork:
		if len(p.Stop.Device.Ifaces) == 0 {
			switch {
			case strings.HasPrefix(p.Stop.Device.Name, string(lang.KindGCPVPC)+"."):
				return fmt.Sprintf("%s is the peer of no Interconnect: connect it with interconnect(…, peer = …) to what leads to %s", p.Stop.Device.Name, res.To)
			}
			return fmt.Sprintf("%s is attached to nothing: attach it to a Transit Gateway, a core network segment or a virtual private gateway that leads to %s", p.Stop.Device.Name, res.To)
		}
		return fmt.Sprintf("add a route to %s in a route_table of %s (target its Transit Gateway, core network or virtual private gateway)", res.Dst, p.Stop.Device.Name)
	case RoleTGW:
		return fmt.Sprintf("propagate the attachment that leads to %s into %s, or add a static route there; over a peering attachment only static routes cross", res.To, p.Stop)
	case RoleCloudWAN:
		if strings.HasSuffix(p.Stop.Name, "/isolated") {
			return "the segment isolates its attachments from each other: share it with the destination's segment, or add a create-route"
		}
		if strings.HasPrefix(res.To, string(lang.KindVPC)+".") {
			return fmt.Sprintf("attach %s to this segment, or share its segment with this one", res.To)
		}
		return fmt.Sprintf("share this segment with the segment of the Interconnect, last mile or Direct Connect gateway that leads to %s", res.To)
	case RoleCustomer:
		if len(p.Stop.Device.Ifaces) == 1 {
			return fmt.Sprintf("the site has no last mile: connect it with last_mile(…, site = …) to what leads to %s", res.To)
		}
		return "check what the Direct Connect gateway association advertises (its allowed prefixes) and that the destination reaches the gateway the last mile attaches to"
	case RoleAWSEdge, RolePeerRouter, RoleDXGW, RoleVGW:
		return "check what the Direct Connect gateway association advertises (its allowed prefixes) and that the destination reaches the gateway the connection attaches to; a DX gateway never passes routes between its own connections"
	}
	return ""
}
