package planner

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"patchbay/lang"
)

func amazonSideRanges() string { return strings.Join(cat().ASNRangesOf("amazon_side"), " or ") }

var _ = register(&Rule{
	ID: "asn-invalid", Severity: lang.SevError,
	Summary: "An ASN is outside the range its resource allows, or reserved.",
	Explain: `Amazon-side ASNs (Transit Gateway, Direct Connect gateway, virtual private gateway) must be
private: 64512–65534 or 4200000000–4294967294. A Cloud WAN policy's asn_ranges must lie in those
ranges too, and every core network edge's ASN must come from its policy's asn_ranges. A range
"LOW-HIGH" includes both ends: the policy reference allows "only from 64512 to 65534 and
4200000000 to 4294967294" and writes that whole block as "64512-65534", which only holds with
65534 included (https://docs.aws.amazon.com/network-manager/latest/cloudwan/cloudwan-policies-json.html,
checked 2026-12); an edge without an asn gets the lowest free ASN of the ranges, in order. No ASN may
be reserved: 0 and 4294967295 are errors, outside the customer-side range Direct Connect accepts
("1 to 4,294,967,294", Direct Connect user guide, BGP-specific settings); 23456 (AS_TRANS), 64496–64511
and 65536–65551 (documentation) and 65535 are warnings for a site, since Direct Connect accepts them
but they are not for use on a network, and errors for a Google Cloud Router, whose ASN is private
(or 16550 on a partner's interconnect), as is any other public ASN there ("Must be an RFC6996
private ASN", Compute Engine API, routers, bgp.asn); and 7224 is Amazon's own ASN, which on-premises routers and other
clouds must not use.

Fix: choose a private ASN in the allowed range.`,
	check: func(v *validator, rule *Rule) {
		d := v.p.Design
		amazon := func(r lang.Resource, asn uint32) {
			if !cat().ASNIn("amazon_side", asn) {
				v.report(rule, finding{at: r.Source(), summary: fmt.Sprintf("%s: Amazon-side ASN %d is outside %s", r.Ref(), asn, amazonSideRanges()),
					hint: "the default is 64512"})
			}
		}
		for _, g := range d.TransitGateways {
			amazon(g, g.ASN)
		}
		for _, g := range d.DXGateways {
			amazon(g, g.ASN)
		}
		for _, g := range d.VPNGateways {
			amazon(g, g.ASN)
		}
		// dx: Direct Connect takes the ASN (a site's). A Google Cloud
		// Router's "Must be an RFC6996 private ASN, either 16-bit or
		// 32-bit" (Compute Engine API, routers, bgp.asn,
		// https://cloud.google.com/compute/docs/reference/rest/v1/routers,
		// read 2026-12), or be the 16550 Google requires on a partner's
		// interconnect, the catalog's default (gcp.peer_asn): a reserved
		// or another public one is an error there.
		partner := uint32(cat().Int("gcp.peer_asn"))
		customer := func(r lang.Resource, asn uint32, dx bool) {
			switch {
			case asn == 0 || asn == math.MaxUint32:
				// "Customer-side ASN range: 1 to 4,294,967,294" (Direct
				// Connect user guide, BGP-specific settings,
				// https://docs.aws.amazon.com/directconnect/latest/UserGuide/bgp-specific-settings.html,
				// checked 2026-12).
				v.report(rule, finding{at: r.Source(), summary: fmt.Sprintf("%s: ASN %d is reserved, and outside the customer-side range Direct Connect accepts, 1 to 4294967294", r.Ref(), asn),
					hint: "use a private ASN (64512-65534) or your own public ASN"})
			case cat().ASNIn("reserved", asn) && !dx:
				v.report(rule, finding{at: r.Source(), summary: fmt.Sprintf("%s: ASN %d is reserved (%s)", r.Ref(), asn, reservedFor(asn)),
					hint: "use a private ASN (64512-65534 or 4200000000-4294967294)"})
			case cat().ASNIn("reserved", asn):
				// Direct Connect takes it, so a warning: a router may not.
				v.report(rule, finding{sev: sevPtr(lang.SevWarning), at: r.Source(), summary: fmt.Sprintf("%s: ASN %d is reserved (%s); Direct Connect accepts it, but it is not for use on a network", r.Ref(), asn, reservedFor(asn)),
					hint: "use a private ASN (64512-65534) or your own public ASN"})
			case cat().ASNIn("amazon_reserved", asn):
				v.report(rule, finding{at: r.Source(), summary: fmt.Sprintf("%s: ASN %d is Amazon's own", r.Ref(), asn), hint: "use a private ASN (64512-65534) or your own public ASN"})
			case !dx && asn != partner && !cat().ASNIn("private", asn):
				v.report(rule, finding{at: r.Source(), summary: fmt.Sprintf("%s: ASN %d is public: a Cloud Router's ASN is a private one (RFC 6996), or %d on a partner's interconnect", r.Ref(), asn, partner),
					hint: fmt.Sprintf("leave asn out (%d), or use a private ASN (64512-65534 or 4200000000-4294967294)", partner)})
			}
		}
		for _, s := range d.Sites {
			customer(s, s.ASN, true)
		}
		for _, g := range d.GCPVPCs {
			customer(g, g.ASN, false)
		}
		for _, cn := range d.CoreNetworks {
			for _, r := range cn.ASNRanges {
				if !cat().ASNIn("cloud_wan_policy", r.Low) || !cat().ASNIn("cloud_wan_policy", r.High) || !sameRange(r) {
					v.report(rule, finding{at: cn.Source(), summary: fmt.Sprintf("%s: asn_ranges %s is outside %s", cn.Ref(), r, strings.Join(cat().ASNRangesOf("cloud_wan_policy"), " or "))})
				}
			}
			for _, e := range cn.Edges {
				in := false
				for _, r := range cn.ASNRanges {
					in = in || r.Contains(e.ASN)
				}
				if !in {
					ranges := make([]string, len(cn.ASNRanges))
					for i, r := range cn.ASNRanges {
						ranges[i] = r.String()
					}
					v.report(rule, finding{at: e.Range, summary: fmt.Sprintf("%s: the edge in %s has ASN %d, outside the policy's asn_ranges %s", cn.Ref(), e.Region, e.ASN, strings.Join(ranges, ", "))})
				}
			}
		}
	},
})

// reservedFor is what the catalog says an ASN is reserved for.
func reservedFor(asn uint32) string {
	for _, row := range cat().ASNRanges {
		if row.Use == "reserved" && asn >= row.Low && asn <= row.High {
			return row.Source
		}
	}
	return "reserved"
}

// sameRange reports whether both ends of r lie in one catalog range, so a
// range cannot straddle the gap between the 16- and 32-bit private blocks.
func sameRange(r lang.ASNRange) bool {
	for _, row := range cat().ASNRanges {
		if row.Use == "cloud_wan_policy" && r.Low >= row.Low && r.High <= row.High {
			return true
		}
	}
	return false
}

var _ = register(&Rule{
	ID: "asn-conflict", Severity: lang.SevError,
	Summary: "Two BGP neighbours, or two resources that must differ, share an ASN.",
	Explain: `eBGP needs different AS numbers on the two ends of a session, and AWS requires some
resources to differ:
- a Transit Gateway and the Direct Connect gateway it is associated with;
- an Interconnect's AWS side (its DX gateway, TGW or Cloud WAN edge) and the peer's Cloud Router;
- a last-mile site's router and every Amazon-side ASN on its path (the Direct Connect gateway, the
  Transit Gateways and virtual private gateways associated with it, and for a Cloud WAN core network
  attached to it every edge and every Transit Gateway peered with the core network, whose ASNs the
  routes carry);
- two Transit Gateways in different regions associated with one Direct Connect gateway ("If you
  connect to multiple transit gateways that are in different Regions, use unique ASNs for each
  transit gateway", Direct Connect user guide; two in one region may share one);
- a Cloud WAN edge and the Transit Gateway or Direct Connect gateway attached to it, and two edges
  of one core network.

Fix: give one of them another private ASN.`,
	check: func(v *validator, rule *Rule) {
		d := v.p.Design
		clash := func(at, other lang.Resource, asn uint32, what string) {
			v.report(rule, finding{at: at.Source(), summary: fmt.Sprintf("%s and %s both use ASN %d: %s", at.Ref(), other.Ref(), asn, what),
				related: related(other, fmt.Sprintf("%s declared here", other.Ref()))})
		}
		peered := map[[2]lang.Ref]bool{}
		for _, a := range d.Attachments {
			x, y := v.p.endsOf(a)
			switch a.Kind {
			case lang.AttachDXGWTGW:
				if dx, tgw := x.(*lang.DXGateway), y.(*lang.TransitGateway); dx.ASN == tgw.ASN {
					clash(tgw, dx, tgw.ASN, "a Transit Gateway and its Direct Connect gateway must differ")
				}
			case lang.AttachTGWCloudWAN, lang.AttachDXGWWAN:
				cn := y.(*lang.CoreNetwork)
				// A Transit Gateway's attachments to one core network, one
				// for each of its route tables, share one peering: the clash
				// is said once.
				k := [2]lang.Ref{x.Ref(), cn.Ref()}
				if peered[k] {
					continue
				}
				peered[k] = true
				asn := asnOf(x)
				for _, e := range cn.Edges {
					if e.ASN == asn {
						clash(x, cn, asn, fmt.Sprintf("it peers with the core network's edge in %s", e.Region))
					}
				}
			}
		}
		for _, ic := range v.p.Interconnects {
			res, _ := d.Lookup(ic.Interconnect)
			if ic.AWSASN != 0 && ic.AWSASN == ic.PeerASN {
				peer, _ := d.Lookup(res.(*lang.Interconnect).Peer)
				clash(res, peer, ic.AWSASN, "the two ends of every channel's eBGP session must differ")
			}
		}
		// A customer router rejects routes whose AS path holds its own ASN,
		// so it must differ from every Amazon-side ASN on the path: the DX
		// gateway, the TGWs and VGWs behind it, and a core network's edges
		// and the TGWs peered with it. A site reached by several last
		// miles through one DX gateway meets each clash once.
		type siteClash struct {
			site, other lang.Ref
			what        string
		}
		seen := map[siteClash]bool{}
		clashSite := func(site, other lang.Resource, asn uint32, what string) {
			if k := (siteClash{site.Ref(), other.Ref(), what}); !seen[k] {
				seen[k] = true
				clash(site, other, asn, what)
			}
		}
		for _, lm := range d.LastMiles {
			site, _ := d.Lookup(lm.Site)
			s := site.(*lang.Site)
			dx, _ := d.Lookup(lm.AttachTo)
			if g := dx.(*lang.DXGateway); s.ASN == g.ASN {
				clashSite(site, dx, s.ASN, "the customer router and the Direct Connect gateway are eBGP neighbours")
			}
			for _, a := range v.p.adjacent(lm.AttachTo) {
				behind, _ := d.Lookup(a.B)
				if asnOf(behind) == s.ASN && asnOf(behind) != 0 {
					clashSite(site, behind, s.ASN, fmt.Sprintf("%s is on the AS path to the site, whose router would drop the routes as a loop", behind.Ref()))
				}
				cn, ok := behind.(*lang.CoreNetwork)
				if !ok {
					continue
				}
				// Routes from another edge carry its ASN, and those from a
				// peered Transit Gateway the gateway's.
				for _, e := range cn.Edges {
					if e.ASN == s.ASN {
						clashSite(site, cn, s.ASN, fmt.Sprintf("the core network's edge in %s is on the AS path to the site, whose router would drop the routes as a loop", e.Region))
					}
				}
				for _, p := range d.Attachments {
					if p.Kind != lang.AttachTGWCloudWAN {
						continue
					}
					if tgw, wan := v.p.endsOf(p); wan == lang.Resource(cn) && asnOf(tgw) == s.ASN {
						clashSite(site, tgw, s.ASN, fmt.Sprintf("%s, peered with %s, is on the AS path to the site, whose router would drop the routes as a loop", tgw.Ref(), cn.Ref()))
					}
				}
			}
		}
		// Two TGWs in different regions with one ASN behind one DX
		// gateway: "If you connect to multiple transit gateways that are in
		// different Regions, use unique ASNs for each transit gateway"
		// (Direct Connect user guide, Direct Connect gateways and transit
		// gateway associations,
		// https://docs.aws.amazon.com/directconnect/latest/UserGuide/direct-connect-transit-gateways.html,
		// checked 2026-12). The guide asks nothing of two in one region.
		for _, g := range d.DXGateways {
			byASN := map[uint32][]*lang.TransitGateway{}
			for _, a := range v.p.adjacent(g.Ref()) {
				if a.Kind != lang.AttachDXGWTGW {
					continue
				}
				x, _ := d.Lookup(a.B)
				tgw := x.(*lang.TransitGateway)
				asn := asnOf(tgw)
				if i := slices.IndexFunc(byASN[asn], func(o *lang.TransitGateway) bool { return o.Region != tgw.Region }); i >= 0 {
					clash(tgw, byASN[asn][i], asn, fmt.Sprintf("Transit Gateways in different regions associated with one Direct Connect gateway (%s) must differ", g.Ref()))
				}
				byASN[asn] = append(byASN[asn], tgw)
			}
		}
		for _, cn := range d.CoreNetworks {
			for i, e := range cn.Edges {
				for _, f := range cn.Edges[:i] {
					if e.ASN == f.ASN {
						v.report(rule, finding{at: e.Range, summary: fmt.Sprintf("%s: the edges in %s and %s both use ASN %d", cn.Ref(), f.Region, e.Region, e.ASN),
							related: []lang.Related{{Range: f.Range, Message: "the other edge"}}})
					}
				}
			}
		}
	},
})

func asnOf(r lang.Resource) uint32 {
	switch x := r.(type) {
	case *lang.TransitGateway:
		return x.ASN
	case *lang.DXGateway:
		return x.ASN
	case *lang.VPNGateway:
		return x.ASN
	}
	return 0
}
