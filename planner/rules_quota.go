package planner

import (
	"fmt"

	"patchbay/lang"
)

var _ = register(&Rule{
	ID: "quota-exceeded", Severity: lang.SevError,
	Summary: "A resource goes over a service quota.",
	Explain: `The design needs more than an AWS quota allows (defaults from the catalog; pass
--quota KEY=N when your account's limit was raised):
- dx_gateway.transit_gateways (6) and dx_gateway.vpn_gateways (20) per Direct Connect gateway;
- transit_gateway.route_tables (20), transit_gateway.routes (10,000, static and propagated across
  all tables) and transit_gateway.attachments (5,000);
- core_network.segments (40);
- vpc.transit_gateways (5, not adjustable): Transit Gateways one VPC attaches to;
  transit_gateway.peering_attachments (50) and transit_gateway.cidr_blocks (5, not adjustable)
  per Transit Gateway (Transit Gateway quotas,
  https://docs.aws.amazon.com/vpc/latest/tgw/transit-gateway-quotas.html, checked 2026-12);
- vpc.ipv4_cidr_blocks (5): IPv4 CIDR blocks of one VPC, the primary included (Amazon VPC
  quotas, https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html, checked
  2026-12);
- bgp.prefixes_from_onprem (100 for IPv4 and 100 for IPv6): an on-premises router that advertises
  more than that on one BGP session over a private or transit VIF takes the session down — it goes
  idle;
- bgp.prefixes_to_onprem_per_tgw (200): allowed prefixes a Transit Gateway association advertises
  over a transit VIF.

Fix: summarise prefixes (advertise one aggregate instead of many), spread the load over more
gateways, or request a quota increase and pass it with --quota (the hint says when AWS does not
raise a quota).`,
	check: func(v *validator, rule *Rule) {
		d := v.p.Design
		over := func(r lang.Resource, key string, n int, what string) {
			if limit := v.quota(key); int64(n) > limit {
				hint := fmt.Sprintf("reduce it, or pass --quota %s=N if your account's limit is higher", key)
				if q, _ := cat().Quota(key); !q.CanRaise() {
					hint = "reduce it: AWS does not raise this quota"
				}
				v.report(rule, finding{at: r.Source(), summary: fmt.Sprintf("%s: %d %s, over the quota of %d (%s)", r.Ref(), n, what, limit, key),
					hint: hint})
			}
		}
		for _, g := range d.DXGateways {
			tgws, vgws := 0, 0
			for _, a := range v.p.adjacent(g.Ref()) {
				switch a.Kind {
				case lang.AttachDXGWTGW:
					tgws++
				case lang.AttachDXGWVGW:
					vgws++
				}
			}
			over(g, "dx_gateway.transit_gateways", tgws, "Transit Gateways associated")
			over(g, "dx_gateway.vpn_gateways", vgws, "virtual private gateways associated")
		}
		tables := map[lang.Ref][]*TGWTablePlan{}
		for _, t := range v.p.TGWTables {
			tables[t.TGW] = append(tables[t.TGW], t)
		}
		for _, g := range d.TransitGateways {
			over(g, "transit_gateway.route_tables", len(tables[g.Ref()]), "route tables")
			over(g, "transit_gateway.attachments", len(v.p.tgwAttachments(g.Ref())), "attachments")
			routes := 0
			for _, t := range tables[g.Ref()] {
				routes += t.StaticRoutes
				for _, a := range t.Propagations {
					for _, e := range v.reach.exportsInto(a, g.Ref()) {
						v4, v6 := e.net.Addresses()
						routes += len(v4) + len(v6)
					}
				}
			}
			over(g, "transit_gateway.routes", routes, "routes across its route tables")
		}
		for _, cn := range d.CoreNetworks {
			over(cn, "core_network.segments", len(cn.Segments), "segments")
		}
		tgwsOf, peerings := map[lang.Ref]int{}, map[lang.Ref]int{}
		for _, a := range d.Attachments {
			switch a.Kind {
			case lang.AttachVPCTGW:
				tgwsOf[a.A]++
			case lang.AttachTGWPeering:
				peerings[a.A]++
				peerings[a.B]++
			}
		}
		for _, vpc := range d.VPCs {
			over(vpc, "vpc.transit_gateways", tgwsOf[vpc.Ref()], "Transit Gateways attached")
			over(vpc, "vpc.ipv4_cidr_blocks", len(vpc.CIDRs), "IPv4 CIDR blocks")
		}
		for _, g := range d.TransitGateways {
			over(g, "transit_gateway.peering_attachments", peerings[g.Ref()], "peering attachments")
			over(g, "transit_gateway.cidr_blocks", len(g.CIDRBlocks), "CIDR blocks")
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
						related: related(lm, "the connection"), hint: "advertise aggregates instead of individual prefixes"})
				}
			}
		}
		for _, a := range d.Attachments {
			if a.Kind == lang.AttachDXGWTGW {
				over(a, "bgp.prefixes_to_onprem_per_tgw", len(a.AllowedPrefixes), "allowed prefixes advertised to on-premises")
			}
		}
	},
})
