package planner

import (
	"fmt"

	"patchbay/lang"
)

var _ = register(&Rule{
	ID: "quota-exceeded", Severity: lang.SevError,
	Summary: "A resource goes over a service quota.",
	Explain: `The design needs more than an AWS quota allows (defaults from the catalog; pass
--quota KEY=N when your account's limit was raised; AWS does not raise the ones marked
"not adjustable"):
- Transit Gateway quotas
  (https://docs.aws.amazon.com/vpc/latest/tgw/transit-gateway-quotas.html, checked 2026-12):
  transit_gateway.route_tables (20, the default table included), transit_gateway.routes
  (10,000, static and propagated across all its route tables; raised through your Solutions
  Architect or TAM), transit_gateway.attachments (5,000, not adjustable), transit_gateway.peering_attachments
  (50), transit_gateway.cidr_blocks (5, not adjustable) and transit_gateway.dx_gateways (20
  Direct Connect gateways associated, not adjustable) per Transit Gateway;
  transit_gateway.peerings_between (1, not adjustable): peering attachments between the same two
  Transit Gateways, in either direction (a Transit Gateway's attachments to a Cloud WAN core
  network are route table attachments on the one peering between them, so they never go over
  it); vpc.transit_gateways (5, not adjustable): Transit Gateways one VPC attaches to;
- Direct Connect quotas
  (https://docs.aws.amazon.com/directconnect/latest/UserGuide/limits.html, checked 2026-12):
  dx_gateway.transit_gateways (6, not adjustable) and dx_gateway.vpn_gateways (20, not
  adjustable) per Direct Connect gateway; bgp.prefixes_from_onprem (100 for IPv4 and 100 for
  IPv6, counted per family; up to 1,000 each with prefix controls through your Solutions
  Architect or TAM): an on-premises router that advertises more on one BGP session over a
  private or transit VIF takes the session down — it goes idle;
  bgp.prefixes_to_onprem_per_tgw (200, IPv4 and IPv6 combined; raised through your Solutions
  Architect or TAM): allowed prefixes a Transit Gateway association advertises over a transit
  VIF;
- Cloud WAN quotas
  (https://docs.aws.amazon.com/network-manager/latest/cloudwan/cloudwan-quotas.html, checked
  2026-12): core_network.segments (40, not adjustable); core_network.attachments (5,000; every
  attachment, an Interconnect attached to the core network included);
  core_network.dx_attachments (40): Direct Connect gateway attachments of one core network;
  dx_gateway.core_network_attachments (1, not adjustable): core network attachments of one
  Direct Connect gateway; vpc.core_network_attachments (5, not adjustable): core network
  attachments of one VPC;
- Amazon VPC quotas
  (https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html, checked 2026-12):
  vpc.ipv4_cidr_blocks (5, the primary included; adjustable up to 50) and vpc.ipv6_cidr_blocks
  (5) per VPC.

Fix: summarise prefixes (advertise one aggregate instead of many), spread the load over more
gateways, or request a quota increase and pass it with --quota (the hint says when AWS does not
raise a quota).`,
	check: func(v *validator, rule *Rule) {
		d := v.p.Design
		hintFor := func(key string) string {
			if q, _ := cat().Quota(key); !q.CanRaise() {
				return "reduce it: AWS does not raise this quota"
			}
			return fmt.Sprintf("reduce it, or pass --quota %s=N if your account's limit is higher", key)
		}
		over := func(r lang.Resource, key string, n int, what string) {
			if limit := v.quota(key); int64(n) > limit {
				v.report(rule, finding{at: r.Source(), summary: fmt.Sprintf("%s: %d %s, over the quota of %d (%s)", r.Ref(), n, what, limit, key),
					hint: hintFor(key)})
			}
		}
		for _, g := range d.DXGateways {
			tgws, vgws, wans := 0, 0, 0
			for _, a := range v.p.adjacent(g.Ref()) {
				switch a.Kind {
				case lang.AttachDXGWTGW:
					tgws++
				case lang.AttachDXGWVGW:
					vgws++
				case lang.AttachDXGWWAN:
					wans++
				}
			}
			over(g, "dx_gateway.transit_gateways", tgws, "Transit Gateways associated")
			over(g, "dx_gateway.vpn_gateways", vgws, "virtual private gateways associated")
			over(g, "dx_gateway.core_network_attachments", wans, "core network attachments")
		}
		tables := map[lang.Ref][]*TGWTablePlan{}
		for _, t := range v.p.TGWTables {
			tables[t.TGW] = append(tables[t.TGW], t)
		}
		for _, g := range d.TransitGateways {
			over(g, "transit_gateway.route_tables", len(tables[g.Ref()]), "route tables")
			over(g, "transit_gateway.attachments", v.p.BilledAttachments(g), "attachments")
			routes := 0
			for _, t := range tables[g.Ref()] {
				routes += t.StaticRoutes
				// The table's routes are what its propagations export.
				for _, e := range v.reach.tgwDomain[t].routes {
					v4, v6 := e.net.Addresses()
					routes += len(v4) + len(v6)
				}
			}
			over(g, "transit_gateway.routes", routes, "routes across its route tables")
			dxgws := map[lang.Ref]bool{}
			for _, a := range v.p.adjacent(g.Ref()) {
				if a.Kind == lang.AttachDXGWTGW {
					dxgws[a.A] = true
				}
			}
			over(g, "transit_gateway.dx_gateways", len(dxgws), "Direct Connect gateways associated")
		}
		for _, cn := range d.CoreNetworks {
			over(cn, "core_network.segments", len(cn.Segments), "segments")
			// Every attachment counts, an Interconnect attached to the core
			// network too (as the cost model counts them).
			atts, dx := len(v.p.adjacent(cn.Ref())), 0
			for _, a := range v.p.adjacent(cn.Ref()) {
				if a.Kind == lang.AttachDXGWWAN {
					dx++
				}
			}
			for _, ic := range d.Interconnects {
				if ic.AttachTo == cn.Ref() {
					atts++
				}
			}
			over(cn, "core_network.attachments", atts, "attachments")
			over(cn, "core_network.dx_attachments", dx, "Direct Connect gateway attachments")
		}
		// By Seq: every VPC has a count, and a map by Ref hashes its two strings.
		tgwsOf, wansOf, peerings := make([]int32, d.Len()), make([]int32, d.Len()), make([]int32, d.Len())
		// Peering attachments between the same two Transit Gateways (either
		// order), in declaration order: the quota is per pair. A Transit
		// Gateway's attachments to a core network are route table
		// attachments on the one peering between the two (attach-invalid),
		// so they never make a second.
		type pair struct{ x, y lang.Ref }
		var pairs []pair
		between := map[pair][]*lang.Attachment{}
		for _, a := range d.Attachments {
			x, y := v.p.endsOf(a)
			switch a.Kind {
			case lang.AttachVPCTGW:
				tgwsOf[x.Seq()]++
			case lang.AttachVPCCloudWAN:
				wansOf[x.Seq()]++
			case lang.AttachTGWPeering:
				peerings[x.Seq()]++
				peerings[y.Seq()]++
			}
			if a.Kind == lang.AttachTGWPeering {
				k := pair{a.A, a.B}
				if a.B.String() < a.A.String() {
					k = pair{a.B, a.A}
				}
				if between[k] == nil {
					pairs = append(pairs, k)
				}
				between[k] = append(between[k], a)
			}
		}
		for _, vpc := range d.VPCs {
			over(vpc, "vpc.transit_gateways", int(tgwsOf[vpc.Seq()]), "Transit Gateways attached")
			over(vpc, "vpc.ipv4_cidr_blocks", len(vpc.CIDRs), "IPv4 CIDR blocks")
			over(vpc, "vpc.ipv6_cidr_blocks", len(vpc.IPv6), "IPv6 CIDR blocks")
			over(vpc, "vpc.core_network_attachments", int(wansOf[vpc.Seq()]), "core network attachments")
		}
		for _, g := range d.TransitGateways {
			over(g, "transit_gateway.peering_attachments", int(peerings[g.Seq()]), "peering attachments")
			over(g, "transit_gateway.cidr_blocks", len(g.CIDRBlocks), "CIDR blocks")
		}
		const betweenKey = "transit_gateway.peerings_between"
		for _, k := range pairs {
			atts := between[k]
			// Reported on the first attachment past the quota, the one that
			// goes over it.
			if limit := v.quota(betweenKey); int64(len(atts)) > limit {
				first := atts[max(limit, 0)]
				v.report(rule, finding{at: first.Source(),
					summary: fmt.Sprintf("%s: %d peering attachments between %s and %s, over the quota of %d (%s)", first.Ref(), len(atts), k.x, k.y, limit, betweenKey),
					related: related(atts[0], "the first peering attachment between them"), hint: hintFor(betweenKey) + "; one peering carries every route between them"})
			}
		}
		for _, lm := range d.LastMiles {
			s := v.reach.network(lm.Site)
			v4, v6 := s.Addresses()
			// The limit holds for each address family on its own.
			limit := v.quota("bgp.prefixes_from_onprem")
			for _, fam := range []struct {
				name string
				n    int
			}{{"IPv4", len(v4)}, {"IPv6", len(v6)}} {
				if int64(fam.n) > limit {
					v.report(rule, finding{at: s.Source(),
						summary: fmt.Sprintf("%s advertises %d %s prefixes on each BGP session of %s, over the limit of %d: the sessions would go idle", s.Ref(), fam.n, fam.name, lm.Ref(), limit),
						related: related(lm, "the connection"), hint: "advertise aggregates instead of individual prefixes, or pass --quota bgp.prefixes_from_onprem=N if AWS raised it for your account"})
				}
			}
		}
		for _, a := range d.Attachments {
			if a.Kind == lang.AttachDXGWTGW {
				// IPv4 and IPv6 prefixes together: the quota is their
				// combined total.
				over(a, "bgp.prefixes_to_onprem_per_tgw", len(a.AllowedPrefixes), "allowed prefixes (IPv4 and IPv6 combined) advertised to on-premises")
			}
		}
	},
})
