package cost

import (
	"fmt"
	"slices"

	"patchbay/lang"
	"patchbay/stdlib"
)

// Tier is an Interconnect's geographic price tier: 1 when every network it
// serves is in its own region, up to 5 for the farthest. AWS publishes the
// tiers' existence and a few prices, not the rule; patchbay's rule (marked
// estimated in reports) is: 1 same region, 2 same continent, 3 neighbouring
// continents (North America, or Europe and the Middle East), 4 across the
// Atlantic (North America and Europe), 5 anything farther.
func Tier(from, to string) int {
	if from == to {
		return 1
	}
	a, b := geo(from), geo(to)
	pair := func(x, y string) bool { return (a == x && b == y) || (a == y && b == x) }
	switch {
	case a == b:
		return 2
	case pair("us", "ca"), pair("eu", "me"):
		return 3
	case pair("us", "eu"), pair("ca", "eu"):
		return 4
	}
	return 5
}

// servedRegions are the regions whose paths an Interconnect's price tier
// must cover: its TGW's region; the edges of its Cloud WAN segment; or,
// behind a DX gateway, the TGWs' regions, the VPCs' behind VGWs and the
// edges of the Cloud WAN segment the DX gateway is attached to.
func (c *pricer) servedRegions(ic *lang.Interconnect) []string {
	var out []string
	switch at := c.lookup(ic.AttachTo).(type) {
	case *lang.TransitGateway:
		out = append(out, at.Region)
	case *lang.CoreNetwork:
		out = segmentEdges(at, ic.Segment)
	case *lang.DXGateway:
		for _, a := range c.p.AttachmentsOf(at.Ref()) {
			switch b := c.lookup(a.B).(type) {
			case *lang.TransitGateway:
				out = append(out, b.Region)
			case *lang.VPNGateway:
				for _, va := range c.p.AttachmentsOf(b.Ref()) {
					if vpc, ok := c.lookup(va.B).(*lang.VPC); ok {
						out = append(out, vpc.Region)
					}
				}
			case *lang.CoreNetwork:
				out = append(out, segmentEdges(b, a.Segment)...)
			}
		}
	}
	if len(out) == 0 {
		out = append(out, ic.AWSRegion) // nothing attached yet: priced as local
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// segmentEdges are the regions of the edges that segment of cn spans:
// every edge unless the segment names some (edge_regions).
func segmentEdges(cn *lang.CoreNetwork, segment string) []string {
	var out []string
	seg := cn.Segment(segment)
	for _, e := range cn.Edges {
		if seg == nil || seg.Spans(e.Region) {
			out = append(out, e.Region)
		}
	}
	return out
}

// InterconnectTier is the lowest tier that covers every served region.
func (c *pricer) interconnectTier(ic *lang.Interconnect) (int, string) {
	tier, farthest := 1, ic.AWSRegion
	for _, r := range c.servedRegions(ic) {
		if t := Tier(ic.AWSRegion, r); t > tier {
			tier, farthest = t, r
		}
	}
	return tier, farthest
}

func (c *pricer) interconnects() {
	free := map[[2]string]bool{} // one free 500 Mbps tier-1 connection per region and provider
	halfGig, _ := stdlib.ParseBandwidth("500Mbps")
	for _, ic := range c.p.Design.Interconnects {
		tier, farthest := c.interconnectTier(ic)
		note := fmt.Sprintf("tier %d", tier)
		if tier > 1 {
			note += " (reaches " + farthest + ")"
		}
		q := stdlib.PriceQuery{Provider: "aws", Service: "interconnect", Component: "connection", Region: ic.AWSRegion, Capacity: ic.Bandwidth.String(), Tier: tier}
		key := [2]string{ic.AWSRegion, ic.Provider}
		if ic.Bandwidth == halfGig && tier == 1 && !free[key] {
			free[key] = true
			q = stdlib.PriceQuery{Provider: "aws", Service: "interconnect", Component: "free_allowance", Region: "*", Capacity: "500Mbps", Tier: 1}
			note += ", the free 500 Mbps tier-1 connection of " + ic.AWSRegion + " for " + ic.Provider
		}
		// The tier rule is patchbay's own reading, so a tier above 1 is an estimate.
		var mapping stdlib.Status
		if tier > 1 {
			mapping = stdlib.Estimated
		}
		c.add(ic.Ref(), "aws", "connection "+ic.Bandwidth.String(), q, 1, true, mapping, note)
		c.add(ic.Ref(), "aws", "included synthetic monitor", stdlib.PriceQuery{Provider: "aws", Service: "cloudwatch", Component: "synthetic_monitor_included", Region: "*"}, 1, true, "", "")
		if ic.Provider != "gcp" {
			continue
		}
		// Google's side of AWS Interconnect is Google's own product,
		// "Partner Cross-Cloud Interconnect for AWS": a transport of the
		// connection's bandwidth, created from AWS's activation key
		// (https://cloud.google.com/network-connectivity/docs/interconnect/concepts/partner-cci-for-aws-overview,
		// read 2026-12-04). It is not a customer-ordered Cross-Cloud
		// Interconnect port with VLAN attachments, so those prices would be a
		// proxy; AWS's pricing page covers "the AWS side of your Interconnect
		// only" (https://docs.aws.amazon.com/interconnect/latest/userguide/pricing-title.html).
		// The catalog row carries Google's price when one is published.
		c.add(ic.Peer, "gcp", "Partner Cross-Cloud Interconnect transport "+ic.Bandwidth.String(),
			stdlib.PriceQuery{Provider: "gcp", Service: "partner_cci_aws", Component: "transport", Region: ic.PeerRegion, Capacity: ic.Bandwidth.String()},
			1, true, "", "for "+ic.Ref().String())
		if gib := c.o.Usage.value(ic.Ref(), "monthly_egress_gib"); gib > 0 {
			c.add(ic.Ref(), "gcp", "egress to AWS", stdlib.PriceQuery{Provider: "gcp", Service: "interconnect", Component: "egress", RegionPair: ic.PeerRegion + ">" + ic.AWSRegion},
				c.o.Usage.scaled(gib, c.hours), false, "", "")
		}
	}
}
