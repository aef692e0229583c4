package planner

import (
	"fmt"
	"net/netip"
	"slices"

	"patchbay/lang"
)

// edgeIn reports whether a core network has an edge in region (and, for a
// segment limited to some edges, whether the segment reaches it).
func edgeIn(cn *lang.CoreNetwork, region, segment string) bool {
	if cn.Edge(region) == nil {
		return false
	}
	s := cn.Segment(segment)
	return s == nil || s.Spans(region)
}

// noEdge explains why edgeIn failed.
func noEdge(cn *lang.CoreNetwork, region, segment string) string {
	if cn.Edge(region) != nil {
		return fmt.Sprintf("segment %s does not extend to %s (its edge_regions: %v)", segment, region, cn.Segment(segment).EdgeRegions)
	}
	return fmt.Sprintf("%s has no edge in %s", cn.Ref(), region)
}

func edgeRegions(cn *lang.CoreNetwork) []string {
	out := make([]string, len(cn.Edges))
	for i, e := range cn.Edges {
		out[i] = e.Region
	}
	return out
}

var _ = register(&Rule{
	ID: "attach-invalid", Severity: lang.SevError,
	Summary: "An attachment AWS would refuse.",
	Explain: `The resources cannot be attached this way:
- an Interconnect or last mile whose attach point is not a Direct Connect gateway: "Currently,
  the only supported type of AttachPoint is a DirectConnect Gateway" (AWS Interconnect API
  reference, AttachPoint). Reach a Transit Gateway or a Cloud WAN core network through the DX
  gateway: associate it with the TGW (allowed_prefixes) or attach it to the core network;
- a VPC or TGW attached to a Cloud WAN core network that has no edge in its region (or whose
  segment does not extend to that region);
- a VPC attached to a Transit Gateway in another region (VPC attachments are regional);
- a virtual private gateway attached to more than one VPC, or a VPC with two of them;
- a virtual private gateway associated with two Direct Connect gateways: it "must not be
  associated with another Direct Connect gateway" (Direct Connect API reference,
  CreateDirectConnectGatewayAssociation);
- (a warning) a virtual private gateway's association whose allowed_prefixes leave out one of
  its VPC's CIDR blocks: they must be "the same or wider than the VPC CIDR block", and a
  narrower or other prefix means "you do not receive any route" for that block (Direct Connect
  user guide, allowed prefixes interactions);
- an Interconnect whose peer network is not in its peer_region;
- a Direct Connect gateway associated with virtual private gateways (private VIFs) and with
  Transit Gateways or Cloud WAN (transit VIFs) at once;
- a Direct Connect gateway associated with a Transit Gateway without allowed_prefixes: the list
  "is required when you create an association to a transit gateway" (Direct Connect API
  reference, CreateDirectConnectGatewayAssociation), and it is what the association advertises;
- a Direct Connect gateway attached to a Cloud WAN core network and also associated with a
  Transit Gateway: while attached to a core network it "can't be used for any other gateway
  types" (Cloud WAN, Direct Connect gateway attachments,
  https://docs.aws.amazon.com/network-manager/latest/cloudwan/cloudwan-dxattach-about.html,
  checked 2026-12);
- the same two resources attached twice (but a Transit Gateway may attach to a core network once
  for each of its route tables: each attachment of the two is the route table attachment, on
  the one peering between them, of the table it is associated with, so two on one table, or on
  none, are the same twice).

Fix: attach within the region, add a core network edge in the region, or go through a Direct
Connect gateway.`,
	check: func(v *validator, rule *Rule) {
		d := v.p.Design
		lookup := func(r lang.Ref) lang.Resource { x, _ := d.Lookup(r); return x }
		// wanEdge checks that what attaches to a core network from region
		// has an edge there that its segment reaches.
		wanEdge := func(at lang.Range, what lang.Resource, region string, cn *lang.CoreNetwork, segment string) {
			if !edgeIn(cn, region, segment) {
				v.report(rule, finding{at: at, summary: fmt.Sprintf("%s in %s attaches to %s segment %s, but %s", what.Ref(), region, cn.Ref(), segment, noEdge(cn, region, segment)),
					related: related(cn, fmt.Sprintf("edges: %v", edgeRegions(cn))), hint: fmt.Sprintf("add edge(%q) to the core network, or the region to the segment's edge_regions", region)})
			}
		}
		for _, ic := range d.Interconnects {
			if peer, ok := lookup(ic.Peer).(*lang.GCPVPC); ok && ic.Provider == "gcp" && peer.Region != ic.PeerRegion {
				v.report(rule, finding{at: ic.Source(), summary: fmt.Sprintf("%s lands in %s but its peer %s is in %s", ic.Ref(), ic.PeerRegion, peer.Ref(), peer.Region),
					related: related(peer, "the peer network"), hint: "the peer network must be in the Interconnect's peer_region"})
			}
			// "Currently, the only supported type of AttachPoint is a
			// DirectConnect Gateway" (AWS Interconnect API reference,
			// AttachPoint, https://docs.aws.amazon.com/interconnect/latest/api/API_AttachPoint.html,
			// checked 2026-12; CloudFormation's AWS::Interconnect::Connection
			// AttachPoint says the same). Nothing there or in the user guide
			// calls TGW or Cloud WAN attach points a preview, so they are errors.
			switch at := lookup(ic.AttachTo).(type) {
			case *lang.TransitGateway:
				v.report(rule, finding{at: ic.Source(), summary: fmt.Sprintf("%s attaches directly to %s: the AWS Interconnect API accepts only a Direct Connect gateway as attach point", ic.Ref(), at.Ref()),
					related: related(at, "the Transit Gateway"), hint: fmt.Sprintf("attach_to a dx_gateway and associate that gateway with %s (attach(dxgw, %s, allowed_prefixes = [...]))", at.Ref(), at.Name)})
			case *lang.CoreNetwork:
				v.report(rule, finding{at: ic.Source(), summary: fmt.Sprintf("%s attaches directly to %s: the AWS Interconnect API accepts only a Direct Connect gateway as attach point", ic.Ref(), at.Ref()),
					related: related(at, "the core network"), hint: fmt.Sprintf("attach_to a dx_gateway and attach that gateway to %s (attach(dxgw, %s, segment = %q, allowed_prefixes = [...]))", at.Ref(), at.Name, ic.Segment)})
			}
		}
		// Keyed by the ends' Seq, one resource per reference: resolve has
		// checked that the kind is the one the ends' kinds make, so the
		// ends alone tell attachments apart, in one integer.
		seen := make(map[uint64]*lang.Attachment, len(d.Attachments))
		type tgwWAN struct {
			tgw, wan lang.Ref
			table    string
		}
		tgwWANs := map[tgwWAN]*lang.Attachment{}
		vgwVPCs := map[lang.Ref][]*lang.Attachment{}
		vpcVGWs := map[lang.Ref][]*lang.Attachment{}
		vgwDXGWs := map[lang.Ref][]*lang.Attachment{}
		for _, a := range d.Attachments {
			x, y := v.p.endsOf(a)
			key := uint64(x.Seq())<<32 | uint64(y.Seq())
			if a.Kind == lang.AttachTGWCloudWAN {
				// A Transit Gateway reaches a core network over one
				// peering, with the edge in its Region, and each of its
				// route tables over a route table attachment of its own on
				// that peering, which the attachment policy puts in a
				// segment ("You can use route table attachments on the
				// peering connection to selectively exchange routes between
				// a specific transit gateway route table and a Cloud WAN
				// network segment",
				// https://docs.aws.amazon.com/network-manager/latest/cloudwan/cloudwan-peerings.html,
				// read 2026-12; CreateTransitGatewayRouteTableAttachment
				// takes a peering and a route table). An attachment of the
				// two stands for the route table attachment of the table it
				// is associated with, so a gateway may have one for each of
				// its tables, and two on one table (or on none) attach the
				// two again.
				k := tgwWAN{x.Ref(), y.Ref(), ""}
				if t := v.p.associatedTable(x.Ref(), a.Ref()); t != nil {
					k.table = t.Table
				}
				if first, dup := tgwWANs[k]; dup {
					on := "on no route table of " + x.Ref().String()
					if k.table != "" {
						on = "on route table " + k.table
					}
					v.report(rule, finding{at: a.Source(), summary: fmt.Sprintf("%s attaches %s and %s again, %s: each attachment of the two is the route table attachment of the table it is associated with", a.Ref(), a.A, a.B, on),
						related: related(first, "first attached here"), hint: "associate each of the gateway's attachments to the core network with a route table of its own"})
				} else {
					tgwWANs[k] = a
				}
			} else if first, dup := seen[key]; dup {
				v.report(rule, finding{at: a.Source(), summary: fmt.Sprintf("%s attaches %s and %s again", a.Ref(), a.A, a.B), related: related(first, "first attached here")})
			} else {
				seen[key] = a
			}
			switch a.Kind {
			case lang.AttachVPCTGW:
				vpc, tgw := x.(*lang.VPC), y.(*lang.TransitGateway)
				if vpc.Region != tgw.Region {
					v.report(rule, finding{at: a.Source(), summary: fmt.Sprintf("%s in %s cannot attach to %s in %s: VPC attachments are regional", vpc.Ref(), vpc.Region, tgw.Ref(), tgw.Region),
						related: related(tgw, "the Transit Gateway"), hint: "attach to a TGW in the VPC's region and peer the TGWs"})
				}
			case lang.AttachVPCCloudWAN:
				wanEdge(a.Source(), x, x.(*lang.VPC).Region, y.(*lang.CoreNetwork), a.Segment)
			case lang.AttachTGWCloudWAN:
				wanEdge(a.Source(), x, x.(*lang.TransitGateway).Region, y.(*lang.CoreNetwork), a.Segment)
			case lang.AttachVGWVPC:
				vgwVPCs[a.A] = append(vgwVPCs[a.A], a)
				vpcVGWs[a.B] = append(vpcVGWs[a.B], a)
			case lang.AttachDXGWVGW:
				vgwDXGWs[a.B] = append(vgwDXGWs[a.B], a)
			case lang.AttachDXGWTGW:
				// "This parameter is required when you create an association
				// to a transit gateway" (Direct Connect API reference,
				// CreateDirectConnectGatewayAssociation, addAllowedPrefixesToDirectConnectGateway,
				// https://docs.aws.amazon.com/directconnect/latest/APIReference/API_CreateDirectConnectGatewayAssociation.html,
				// checked 2026-12). For a virtual private gateway it may be
				// left out: the VPC's CIDR is advertised.
				if len(a.AllowedPrefixes) == 0 {
					v.report(rule, finding{at: a.Source(), summary: fmt.Sprintf("%s associates %s with %s without allowed_prefixes: AWS requires the list for a Transit Gateway association, and it is what the association advertises to on-premises", a.Ref(), x.Ref(), y.Ref()),
						related: related(y, "the Transit Gateway"), hint: "list the prefixes to advertise, e.g. allowed_prefixes = [\"10.0.0.0/14\"] covering the VPCs behind the Transit Gateway"})
				}
			}
		}
		for _, g := range d.VPNGateways {
			if atts := vgwVPCs[g.Ref()]; len(atts) > 1 {
				v.report(rule, finding{at: atts[1].Source(), summary: fmt.Sprintf("%s is attached to %s and %s: a virtual private gateway serves one VPC", g.Ref(), atts[0].B, atts[1].B),
					related: related(atts[0], "first attached here")})
			}
		}
		for _, g := range d.VPNGateways {
			atts := vgwDXGWs[g.Ref()]
			// "The virtual private gateway must be attached to a VPC and
			// must not be associated with another Direct Connect gateway"
			// (Direct Connect API reference, CreateDirectConnectGatewayAssociation,
			// https://docs.aws.amazon.com/directconnect/latest/APIReference/API_CreateDirectConnectGatewayAssociation.html,
			// checked 2026-12).
			if len(atts) > 1 {
				v.report(rule, finding{at: atts[1].Source(), summary: fmt.Sprintf("%s is associated with %s and %s: a virtual private gateway is associated with one Direct Connect gateway", g.Ref(), atts[0].A, atts[1].A),
					related: related(atts[0], "first associated here"), hint: "associate the other Direct Connect gateway with a Transit Gateway the VPC attaches to, or use one Direct Connect gateway"})
			}
			// "You must set the prefixes to a range that is the same or
			// wider than the VPC CIDR block"; with a narrower one "you do
			// not receive any route" (Direct Connect user guide, Allowed
			// prefixes interactions,
			// https://docs.aws.amazon.com/directconnect/latest/UserGuide/allowed-to-prefixes.html,
			// checked 2026-12). AWS takes the list, so a warning.
			for _, a := range atts {
				if len(a.AllowedPrefixes) == 0 {
					continue // the VPC's CIDRs are advertised
				}
				for _, va := range vgwVPCs[g.Ref()] {
					vpc, ok := lookup(va.B).(*lang.VPC)
					if !ok {
						continue
					}
					for _, c := range slices.Concat(vpc.CIDRs, vpc.IPv6) {
						if !slices.ContainsFunc(a.AllowedPrefixes, func(p netip.Prefix) bool { return within(c, p) }) {
							v.report(rule, finding{sev: sevPtr(lang.SevWarning), at: a.Source(), summary: fmt.Sprintf("%s's allowed_prefixes %v leave out %s of %s: AWS advertises a VPC block only when an allowed prefix is the same or wider, so %s is not reached over %s", a.Ref(), a.AllowedPrefixes, c, vpc.Ref(), c, a.A),
								related: related(vpc, "the VPC"), hint: fmt.Sprintf("add %s (or a wider prefix) to allowed_prefixes", c)})
						}
					}
				}
			}
		}
		for _, vpc := range d.VPCs {
			if atts := vpcVGWs[vpc.Ref()]; len(atts) > 1 {
				v.report(rule, finding{at: atts[1].Source(), summary: fmt.Sprintf("%s has two virtual private gateways, %s and %s: a VPC has at most one", vpc.Ref(), atts[0].A, atts[1].A),
					related: related(atts[0], "the first one")})
			}
		}
		for _, g := range d.DXGateways {
			var private, transit, wan, tgw *lang.Attachment
			for _, a := range v.p.adjacent(g.Ref()) {
				switch a.Kind {
				case lang.AttachDXGWVGW:
					private = cmpFirst(private, a)
				case lang.AttachDXGWTGW:
					transit = cmpFirst(transit, a)
					tgw = cmpFirst(tgw, a)
				case lang.AttachDXGWWAN:
					transit = cmpFirst(transit, a)
					wan = cmpFirst(wan, a)
				}
			}
			if wan != nil && tgw != nil {
				// "A Direct Connect gateway that's attached to a core network
				// can't be used for any other gateway types" while associated
				// (Cloud WAN docs, Direct Connect gateway attachments,
				// https://docs.aws.amazon.com/network-manager/latest/cloudwan/cloudwan-dxattach-about.html, checked 2026-12).
				v.report(rule, finding{at: tgw.Source(), summary: fmt.Sprintf("%s is attached to %s, so it cannot also be associated with %s: a Direct Connect gateway attached to a Cloud WAN core network serves no other gateway", g.Ref(), wan.B, tgw.B),
					related: related(wan, "the core network attachment"), hint: "use a second Direct Connect gateway for the Transit Gateway, or attach the Transit Gateway to the core network"})
			}
			if private != nil && transit != nil {
				v.report(rule, finding{at: g.Source(), summary: fmt.Sprintf("%s is associated with %s and %s: a Direct Connect gateway serves virtual private gateways (private VIFs) or Transit Gateways and Cloud WAN (transit VIFs), not both", g.Ref(), private.B, transit.B),
					related: append(related(private, "private association"), related(transit, "transit association")...), hint: "use two Direct Connect gateways"})
			}
		}
	},
})

func cmpFirst(a, b *lang.Attachment) *lang.Attachment {
	if a == nil {
		return b
	}
	return a
}

var _ = register(&Rule{
	ID: "route-invalid", Severity: lang.SevError,
	Summary: "A route, association or propagation that points at something it cannot use.",
	Explain: `A routing entry is wrong:
- a VPC route whose target (Transit Gateway, virtual private gateway, core network) is not
  attached to that VPC, or a VPC route that is a blackhole, or a VPC route table propagating a
  virtual private gateway of another VPC;
- a Transit Gateway route, association or propagation naming an attachment of another TGW;
- two static routes for one destination in a Transit Gateway route table (it holds one: "Destination
  Cidr cannot overlap for static routes", AWS CDK reference, TransitGatewayRouteProps);
- an attachment associated with two route tables of one TGW (each is associated with exactly one);
- a propagation of a peering attachment (peering takes static routes only);
- a Cloud WAN create-route whose attachment is not in that segment of that core network;
- (warning) a static route — a blackhole, or one to another attachment — as specific as a
  destination the table learns dynamically (a TGW propagation, a Cloud WAN segment's attachments
  and sharing): the static route wins and silently takes that traffic.

Fix: attach the target first, move the entry to the right table, or narrow the blackhole.`,
	check: func(v *validator, rule *Rule) {
		d := v.p.Design
		// A VPC has a few attachments, its target may have thousands:
		// look from the VPC's side.
		attached := func(adj []*lang.Attachment, vpc, target lang.Ref) bool {
			for _, a := range adj {
				if a.A == vpc && a.B == target || a.B == vpc && a.A == target {
					return true
				}
			}
			return false
		}
		for _, t := range d.RouteTables {
			adj := v.p.attachedTo(v.p.vpcOf(t))
			for _, r := range t.Routes {
				if r.Blackhole {
					v.report(rule, finding{at: r.Range, summary: fmt.Sprintf("route to %s in %s is a blackhole: a VPC route table cannot have one (AWS shows blackhole only for a route whose target was deleted)", r.Destination, t.Ref()),
						hint: "drop the route, or blackhole in the Transit Gateway or Cloud WAN"})
				}
				if !r.Target.IsZero() && !attached(adj, t.VPC, r.Target) {
					v.report(rule, finding{at: r.Range, summary: fmt.Sprintf("route to %s in %s targets %s, which is not attached to %s", r.Destination, t.Ref(), r.Target, t.VPC),
						hint: fmt.Sprintf("attach(%s, …) first", t.VPC.Name)})
				}
			}
			for _, g := range t.Propagations {
				if !attached(adj, t.VPC, g) {
					v.report(rule, finding{at: t.Source(), summary: fmt.Sprintf("%s propagates %s, which is not attached to %s: a route table takes the routes of its own VPC's gateway", t.Ref(), g, t.VPC),
						hint: fmt.Sprintf("propagate the gateway attached to %s", t.VPC.Name)})
				}
			}
		}
		onTGW := func(tgw lang.Ref, r lang.Ref) bool {
			x, _ := d.Lookup(r)
			switch a := x.(type) {
			case *lang.Attachment:
				return a.A == tgw || a.B == tgw
			case *lang.Interconnect:
				return a.AttachTo == tgw
			}
			return false
		}
		// Per Transit Gateway: each side of a peering associates it with a
		// table of its own (DOMAIN §8; Transit Gateway guide, peering attachments).
		type tgwAtt struct{ tgw, att lang.Ref }
		assoc := map[tgwAtt]*lang.TGWRouteTable{}
		for _, t := range d.TGWRouteTables {
			// One static route for a destination in a table: "Destination
			// Cidr cannot overlap for static routes but is allowed for
			// propagated routes" (AWS CDK reference, TransitGatewayRouteProps,
			// https://docs.aws.amazon.com/cdk/api/v2/docs/@aws-cdk_aws-ec2-alpha.TransitGatewayRouteProps.html;
			// the quotas page's "Static routes for a prefix to a single
			// attachment": 1; both read 2026-12). Two would otherwise share
			// the traffic, which AWS offers static routes no way to do.
			first := map[netip.Prefix]lang.Range{}
			for _, r := range t.Routes {
				if !r.Target.IsZero() && !onTGW(t.TGW, r.Target) {
					v.report(rule, finding{at: r.Range, summary: fmt.Sprintf("route to %s in %s targets %s, which is not attached to %s", r.Destination, t.Ref(), r.Target, t.TGW)})
				}
				dst := r.Destination.Masked()
				if f, dup := first[dst]; dup {
					v.report(rule, finding{at: r.Range, summary: fmt.Sprintf("route to %s in %s again: a Transit Gateway route table holds one static route for a destination", dst, t.Ref()),
						related: []lang.Related{{Range: f, Message: "the first route to " + dst.String()}}, hint: "keep one route, or make one of them more specific"})
				} else {
					first[dst] = r.Range
				}
			}
			for _, a := range t.Associations {
				if !onTGW(t.TGW, a) {
					v.report(rule, finding{at: t.Source(), summary: fmt.Sprintf("%s associates %s, which is not attached to %s", t.Ref(), a, t.TGW)})
				} else if first, dup := assoc[tgwAtt{t.TGW, a}]; dup {
					v.report(rule, finding{at: t.Source(), summary: fmt.Sprintf("%s is associated with %s and %s: an attachment is associated with exactly one route table", a, first.Ref(), t.Ref()),
						related: related(first, "first associated here")})
				} else {
					assoc[tgwAtt{t.TGW, a}] = t
				}
			}
			for _, a := range t.Propagations {
				switch {
				case !onTGW(t.TGW, a):
					v.report(rule, finding{at: t.Source(), summary: fmt.Sprintf("%s propagates %s, which is not attached to %s", t.Ref(), a, t.TGW)})
				case v.p.isPeering(a):
					v.report(rule, finding{at: t.Source(), summary: fmt.Sprintf("%s propagates peering %s: peering attachments take static routes only", t.Ref(), a),
						hint: "add route(…, target = the peering attachment) instead"})
				}
			}
		}
		// Static routes hiding what a table would otherwise reach: a static
		// route wins over a propagated one of the same length, so one as
		// specific as a propagated network's prefix, going elsewhere or
		// nowhere, takes that network's traffic.
		hides := func(at lang.Range, table string, dst netip.Prefix, blackhole bool, target lang.Ref, learned, towards []exported) {
			dst = dst.Masked()
			goesTo := map[lang.Network]bool{}
			for _, e := range towards {
				goesTo[e.net] = true
			}
			what, does := "blackhole "+dst.String(), "drops traffic for"
			if !blackhole {
				what, does = fmt.Sprintf("static route %s to %s", dst, target), "sends elsewhere traffic for"
			}
			for _, e := range learned {
				if goesTo[e.net] {
					continue
				}
				v4, v6 := e.net.Addresses()
				for _, p := range slices.Concat(v4, v6) {
					if p.Masked().Overlaps(dst) && dst.Bits() >= p.Bits() {
						v.report(rule, finding{sev: sevPtr(lang.SevWarning), at: at,
							summary: fmt.Sprintf("%s in %s %s %s (%s), which the table learns dynamically", what, table, does, e.net.Ref(), p),
							related: related(e.net, "the hidden network"), hint: "make the static route less specific than the networks the table should reach"})
					}
				}
			}
		}
		for _, t := range d.TGWRouteTables {
			var props []exported
			for _, a := range t.Propagations {
				props = append(props, v.reach.exportsInto(a, t.TGW)...)
			}
			for _, r := range t.Routes {
				hides(r.Range, t.Ref().String(), r.Destination, r.Blackhole, r.Target, props, v.reach.exportsInto(r.Target, t.TGW))
			}
		}
		for _, cn := range d.CoreNetworks {
			for _, act := range cn.Actions {
				if act.Action != lang.ActionCreateRoute {
					continue
				}
				dom := v.reach.segDomain[segKey{cn.Ref(), act.Segment}]
				var towards []exported
				if !act.Target.IsZero() {
					towards = v.reach.exportsOfWANAttachment(act.Target)
				}
				for _, dst := range act.Destinations {
					hides(act.Range, fmt.Sprintf("%s segment %s", cn.Ref(), act.Segment), dst, act.Blackhole, act.Target, dom.routes, towards)
				}
			}
		}
		for _, cn := range d.CoreNetworks {
			for _, act := range cn.Actions {
				if act.Action != lang.ActionCreateRoute || act.Target.IsZero() {
					continue
				}
				x, _ := d.Lookup(act.Target)
				a := x.(*lang.Attachment)
				if a.B != cn.Ref() || a.Segment != act.Segment {
					v.report(rule, finding{at: act.Range, summary: fmt.Sprintf("create-route in %s segment %s targets %s, which is not in that segment", cn.Ref(), act.Segment, a.Ref()),
						related: related(a, "the attachment")})
				}
			}
		}
	},
})
