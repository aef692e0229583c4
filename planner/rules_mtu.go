package planner

import (
	"fmt"

	"patchbay/lang"
)

var ruleMTU = register(&Rule{
	ID: "mtu-mismatch", Severity: lang.SevError,
	Summary: "The MTUs at the two ends of an Interconnect differ, or a path is narrower than what a network sends.",
	Explain: `Two checks share this rule.

Error — the two ends of an AWS Interconnect differ: the announcement requires the MTU to match
between the VPCs on both sides. A VPC that reaches the Google Cloud network (its route tables hold
it) with a different MTU sends packets the other side cannot take, or wastes the jumbo frames it
could use.

Warning — path MTU: a network sends packets larger than the smallest MTU on a path it uses.
A VPC's static route to its virtual private gateway is such a path: "Jumbo frames apply only to
propagated routes from Direct Connect. If you add static routes to a route table that point to
your virtual private gateway, then traffic routed through the static routes is sent using 1500
MTU" (Direct Connect user guide, virtual interface parameters); propagate the gateway's routes
(route_table(…, propagations = [vgw])) to keep jumbo frames.
The hops patchbay knows: VPC and Direct Connect attachments of a Transit Gateway 8500, Cloud WAN
8500, a private VIF 8500 (9001 in older editions of the Direct Connect guide), a transit VIF 8500, and an Interconnect's negotiated MTU.
A Transit Gateway or Cloud WAN edge drops larger packets and, since November 2024, answers with
ICMP "fragmentation needed" (ICMPv6 "packet too big"), so senders doing path-MTU discovery shrink
their packets after a round trip ("Performance and metrics enhancements for AWS Transit Gateway and
AWS Cloud WAN", AWS networking blog); UDP senders without it, and anything whose ICMP a security
group or network ACL blocks, lose their big packets.

Fix: set mtu on the network to the smallest MTU of its paths (for example mtu = 8500 on VPCs
attached to a Transit Gateway), or give the Interconnect an mtu both ends support.`,
	check: func(v *validator, rule *Rule) {
		d := v.p.Design
		for _, ic := range d.Interconnects {
			peer := v.reach.network(ic.Peer)
			for _, e := range v.reach.vpcsReaching(peer) {
				if e.net.MaxMTU() != peer.MaxMTU() {
					v.report(rule, finding{at: e.net.Source(),
						summary: fmt.Sprintf("%s has MTU %d but %s, across %s, has %d: the MTU must match between the VPCs", e.net.Ref(), e.net.MaxMTU(), peer.Ref(), ic.Ref(), peer.MaxMTU()),
						related: related(peer, fmt.Sprintf("%s declared here", peer.Ref())),
						hint:    fmt.Sprintf("set the same mtu on both, e.g. mtu = %d", min(e.net.MaxMTU(), peer.MaxMTU()))})
				}
			}
		}

		// A static route to a virtual private gateway sends at 1500: "Jumbo
		// frames apply only to propagated routes from Direct Connect"
		// (direct_connect.static_route_mtu). Said once a VPC, at its first.
		staticMTU := int(cat().Int("direct_connect.static_route_mtu"))
		warned := map[lang.Ref]bool{}
		// The gateways attached to a VPC that a Direct Connect gateway
		// reaches: a route to another is route-invalid's, and one the
		// Direct Connect gateway does not reach carries nothing over it.
		onDX := map[[2]lang.Ref]bool{}
		dxgw := map[lang.Ref]bool{}
		for _, a := range d.Attachments {
			if a.Kind == lang.AttachDXGWVGW {
				dxgw[a.B] = true
			}
		}
		for _, a := range d.Attachments {
			if a.Kind == lang.AttachVGWVPC && dxgw[a.A] {
				onDX[[2]lang.Ref{a.B, a.A}] = true
			}
		}
		for _, t := range d.RouteTables {
			x, _ := d.Lookup(t.VPC)
			vpc, ok := x.(*lang.VPC)
			if !ok || vpc.MaxMTU() <= staticMTU || warned[t.VPC] {
				continue
			}
			for _, r := range t.Routes {
				if r.Target.Kind != lang.KindVPNGateway || !onDX[[2]lang.Ref{t.VPC, r.Target}] {
					continue
				}
				warned[t.VPC] = true
				v.report(rule, finding{sev: sevPtr(lang.SevWarning), at: r.Range,
					summary: fmt.Sprintf("%s sends packets of up to %d bytes, but its static route to %s in %s sends at most %d: Direct Connect carries jumbo frames only on routes propagated from it", vpc.Ref(), vpc.MaxMTU(), r.Destination, t.Ref(), staticMTU),
					related: related(vpc, fmt.Sprintf("%s declared here", vpc.Ref())),
					hint:    fmt.Sprintf("drop the static route and let the table propagate %s's routes (propagations), or set mtu = %d on %s", r.Target, staticMTU, vpc.Ref())})
				break
			}
		}

		// Path MTU: in each domain a user reaches every route through its own
		// hop and the route's hop. Keep, per network, the narrowest path.
		type narrowest struct {
			mtu int
			via lang.Resource
			dom *domain
		}
		worst := map[lang.Network]narrowest{}
		var order []lang.Network
		for _, dom := range v.reach.domains {
			// The two narrowest route hops, so each user can skip its own.
			var first, second exported
			for _, r := range dom.routes {
				switch {
				case first.net == nil || r.hop.mtu < first.hop.mtu:
					first, second = r, first
				case second.net == nil || r.hop.mtu < second.hop.mtu:
					second = r
				}
			}
			for _, u := range dom.users {
				other := first
				if other.net == u.net {
					other = second
				}
				if other.net == nil {
					continue
				}
				path := tighter(u.hop, other.hop)
				if u.net.MaxMTU() <= path.mtu {
					continue
				}
				w, seen := worst[u.net]
				if !seen {
					order = append(order, u.net)
				}
				if !seen || path.mtu < w.mtu {
					worst[u.net] = narrowest{path.mtu, path.via, dom}
				}
			}
		}
		for _, n := range order {
			w := worst[n]
			via := "a hop"
			rel := []lang.Related(nil)
			if w.via != nil {
				via = w.via.Ref().String()
				rel = related(w.via, fmt.Sprintf("the %d-byte hop", w.mtu))
			}
			detail := ""
			switch w.dom.at.(type) {
			case *lang.TransitGateway, *lang.CoreNetwork:
				detail = "the gateway drops larger packets and answers with ICMP \"fragmentation needed\" (ICMPv6 \"packet too big\"): senders doing path-MTU discovery adapt, others lose them"
			}
			v.report(rule, finding{sev: sevPtr(lang.SevWarning), at: n.Source(),
				summary: fmt.Sprintf("%s sends packets of up to %d bytes, but its path through %s is limited to %d by %s", n.Ref(), n.MaxMTU(), w.dom.name, w.mtu, via),
				detail:  detail, related: rel, hint: fmt.Sprintf("set mtu = %d on %s", w.mtu, n.Ref())})
		}
	},
})
