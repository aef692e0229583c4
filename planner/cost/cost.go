// Package cost prices a Plan from the offline price catalog: hourly
// components from the design, usage components from a usage file, for a
// month of 730 hours or a shorter period. Every number points at the
// catalog row it came from; what has no known price is listed as unpriced
// and kept out of totals, never counted as free.
package cost

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"patchbay/lang"
	"patchbay/planner"
	"patchbay/stdlib"
)

// HoursPerMonth is the month both clouds bill by.
const HoursPerMonth = 730

// estimatedBand is how far an estimated price may be off either way, for
// the total's range.
const estimatedBand = 0.25

// Options configure pricing.
type Options struct {
	Prices *stdlib.PriceBook // nil: the built-in catalog
	Usage  *Usage            // nil: no usage components
	Hours  float64           // 0: a month
}

// Line is one priced component of one resource.
type Line struct {
	Resource  string        `json:"resource"`
	Cloud     string        `json:"cloud"`
	Component string        `json:"component"`
	Quantity  float64       `json:"quantity"`
	Unit      string        `json:"unit"`
	UnitPrice *float64      `json:"unit_price"`
	Hourly    *float64      `json:"hourly,omitempty"`  // hourly components only
	Cost      *float64      `json:"cost"`              // for the period; null when unpriced
	Status    stdlib.Status `json:"status"`            // the price row's status, or "estimated" when the mapping is
	Price     string        `json:"price_id"`          // the catalog row, "" when none matched
	Catalog   string        `json:"catalog,omitempty"` // where that row is: file:line
	Date      string        `json:"date,omitempty"`    // the row's effective date
	Source    string        `json:"source"`
	Note      string        `json:"note,omitempty"`
}

// Unpriced reports whether the line has no price.
func (l Line) Unpriced() bool { return l.Cost == nil }

// Totals sums what is priced.
type Totals struct {
	Cost     float64            `json:"cost"`
	Low      float64            `json:"low"`  // with estimated prices 25% lower
	High     float64            `json:"high"` // and 25% higher
	ByCloud  map[string]float64 `json:"by_cloud"`
	Unpriced int                `json:"unpriced"`
}

// Report is a priced plan; its JSON is schema patchbay.cost/v1.
type Report struct {
	Schema string  `json:"schema"`
	Hours  float64 `json:"hours"`
	Lines  []Line  `json:"lines"`
	Totals Totals  `json:"totals"`
}

type pricer struct {
	p     *planner.Plan
	o     Options
	hours float64
	lines []Line
}

// Price prices a plan.
func Price(p *planner.Plan, o Options) (*Report, error) {
	if o.Prices == nil {
		o.Prices = stdlib.DefaultPrices()
	}
	if o.Usage == nil {
		o.Usage = &Usage{}
	}
	hours := o.Hours
	if hours == 0 {
		hours = HoursPerMonth
	}
	c := &pricer{p: p, o: o, hours: hours}
	if err := o.Usage.check(p.Design); err != nil {
		return nil, err
	}
	c.transitGateways()
	c.cloudWAN()
	c.directConnect()
	c.interconnects()
	c.lastMiles()
	c.monitors()
	c.peerings()
	r := &Report{Schema: "patchbay.cost/v1", Hours: hours, Lines: c.lines, Totals: Totals{ByCloud: map[string]float64{}}}
	if r.Lines == nil {
		r.Lines = []Line{}
	}
	for _, l := range r.Lines {
		if l.Unpriced() {
			r.Totals.Unpriced++
			continue
		}
		r.Totals.Cost += *l.Cost
		r.Totals.ByCloud[l.Cloud] += *l.Cost
		band := 0.0
		if l.Status == stdlib.Estimated {
			band = estimatedBand
		}
		r.Totals.Low += *l.Cost * (1 - band)
		r.Totals.High += *l.Cost * (1 + band)
	}
	return r, nil
}

// add prices quantity units of a component with the row q finds. hourly
// says the quantity is a count of things billed by the hour (so the cost is
// count × hours × price); otherwise it is a usage amount for the period.
func (c *pricer) add(res lang.Ref, cloud, component string, q stdlib.PriceQuery, count float64, hourly bool, mapping stdlib.Status, note string) {
	l := Line{Resource: res.String(), Cloud: cloud, Component: component, Note: note}
	row, ok := c.o.Prices.Find(q)
	l.Quantity = count
	switch {
	case !ok:
		l.Status, l.Source = stdlib.Unknown, "no catalog row for "+queryString(q)
		l.Unit = map[bool]string{true: "h", false: "GB"}[hourly]
	case hourly != (row.Unit == "h"):
		// A per-GB row for an hourly component (or the reverse) would price
		// nonsense: say so instead.
		l.Status, l.Price, l.Source = stdlib.Unknown, row.ID(), fmt.Sprintf("%s is priced per %s, but this component is billed %s", row.ID(), row.Unit, map[bool]string{true: "by the hour", false: "by usage"}[hourly])
		l.Unit = map[bool]string{true: "h", false: "GB"}[hourly]
	default:
		l.Price, l.Source, l.Status, l.Unit = row.ID(), row.Source, row.Status, row.Unit
		l.Catalog, l.Date = fmt.Sprintf("%s:%d", row.File, row.Line), row.Date
		if row.Price != nil {
			price := *row.Price
			l.UnitPrice = &price
			amount := count
			if hourly {
				h := float64(int64(count*price*1e4+0.5)) / 1e4 // to a hundredth of a cent
				l.Hourly = &h
				amount = count * c.hours
			}
			cost := round(amount * price)
			l.Cost = &cost
		}
	}
	if mapping == stdlib.Estimated && l.Status != stdlib.Unknown {
		l.Status = stdlib.Estimated
	}
	c.lines = append(c.lines, l)
}

// round gives cents, half a cent away from zero as bills show. Rounding to
// a nanodollar first keeps binary floating point from turning $0.145 into
// $0.1449999… and so into $0.14.
func round(x float64) float64 {
	return math.Round(math.Round(x*1e9)/1e7) / 100
}

func queryString(q stdlib.PriceQuery) string {
	r := stdlib.PriceRow{Provider: q.Provider, Service: q.Service, Component: q.Component, Region: q.Region,
		RegionPair: q.RegionPair, Location: q.Location, Capacity: q.Capacity, Tier: q.Tier, AttachmentType: q.AttachmentType}
	return r.ID()
}

func (c *pricer) lookup(r lang.Ref) lang.Resource {
	x, _ := c.p.Resource(r)
	return x
}

func (c *pricer) transitGateways() {
	for _, g := range c.p.Design.TransitGateways {
		// Every attachment counts, an Interconnect attached to the TGW too
		// (as for Cloud WAN); a peering is one attachment on each TGW, and
		// its attachments to one core network, one for each of its route
		// tables, are one peering (the core network bills each route table
		// attachment: cloudWAN).
		n := c.p.BilledAttachments(g)
		if n > 0 {
			c.add(g.Ref(), "aws", "attachments", stdlib.PriceQuery{Provider: "aws", Service: "transit_gateway", Component: "attachment", Region: g.Region},
				float64(n), true, "", fmt.Sprintf("%d attachments", n))
		}
		if gb := c.o.Usage.value(g.Ref(), "monthly_data_processed_gb"); gb > 0 {
			c.add(g.Ref(), "aws", "data processing", stdlib.PriceQuery{Provider: "aws", Service: "transit_gateway", Component: "data_processing", Region: g.Region},
				c.o.Usage.scaled(gb, c.hours), false, "", "")
		}
	}
}

func (c *pricer) cloudWAN() {
	for _, cn := range c.p.Design.CoreNetworks {
		for _, e := range cn.Edges {
			c.add(cn.Ref(), "aws", "core network edge in "+e.Region, stdlib.PriceQuery{Provider: "aws", Service: "cloud_wan", Component: "core_network_edge", Region: e.Region},
				1, true, "", "")
		}
		// Cloud WAN bills each attachment by the hour at its type's rate:
		// the AWSCloudWAN offer file prices CloudWAN-Attachment-Hours per
		// "Attachment Type" (VPC, Connect, ...) and region
		// (https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AWSCloudWAN/current/index.csv;
		// https://aws.amazon.com/cloud-wan/pricing/, read 2026-12-04).
		type group struct{ region, kind string }
		count := map[group]int{}
		for _, a := range c.p.AttachmentsOf(cn.Ref()) {
			count[group{attachRegion(c, a), cloudWANAttachmentType(a.Kind)}]++
		}
		for _, ic := range c.p.Design.Interconnects {
			if ic.AttachTo == cn.Ref() {
				// attach-invalid refuses this; priced as the DX gateway
				// attachment it would need.
				count[group{"*", "direct_connect_gateway"}]++
			}
		}
		groups := slices.SortedFunc(maps.Keys(count), func(a, b group) int {
			return cmp.Or(cmp.Compare(a.region, b.region), cmp.Compare(a.kind, b.kind))
		})
		for _, g := range groups {
			where := " in " + g.region
			if g.region == "*" {
				where = ""
			}
			c.add(cn.Ref(), "aws", attachmentLabel[g.kind]+" attachments"+where, stdlib.PriceQuery{Provider: "aws", Service: "cloud_wan", Component: "attachment", Region: g.region, AttachmentType: g.kind},
				float64(count[g]), true, "", "")
		}
		if gb := c.o.Usage.value(cn.Ref(), "monthly_data_processed_gb"); gb > 0 {
			c.add(cn.Ref(), "aws", "data processing", stdlib.PriceQuery{Provider: "aws", Service: "cloud_wan", Component: "data_processing", Region: cn.Edges[0].Region},
				c.o.Usage.scaled(gb, c.hours), false, "", "")
		}
	}
}

// cloudWANAttachmentType is the catalog's attachment_type for an attachment
// of this kind: AWS's "Attachment Type" in snake case (VPC → vpc,
// TransitGatewayRouteTable → transit_gateway_route_table), as
// patchbay catalog import aws-offer writes it.
func cloudWANAttachmentType(k lang.AttachmentKind) string {
	switch k {
	case lang.AttachTGWCloudWAN:
		return "transit_gateway_route_table"
	case lang.AttachDXGWWAN:
		return "direct_connect_gateway"
	}
	return "vpc"
}

var attachmentLabel = map[string]string{"vpc": "VPC", "transit_gateway_route_table": "TGW route table", "direct_connect_gateway": "DX gateway"}

// attachRegion is where a Cloud WAN attachment is billed: its VPC's or
// TGW's region ("*" for a DX gateway, which has none).
func attachRegion(c *pricer, a *lang.Attachment) string {
	switch x := c.lookup(a.A).(type) {
	case *lang.VPC:
		return x.Region
	case *lang.TransitGateway:
		return x.Region
	}
	return "*"
}

func (c *pricer) directConnect() {
	for _, g := range c.p.Design.DXGateways {
		c.add(g.Ref(), "aws", "gateway", stdlib.PriceQuery{Provider: "aws", Service: "direct_connect", Component: "gateway", Region: "*"}, 1, true, "", "")
	}
}

func (c *pricer) lastMiles() {
	for _, lm := range c.p.Design.LastMiles {
		// AWS Interconnect, last mile included, has "no separate charges
		// for the data transferred"
		// (https://docs.aws.amazon.com/interconnect/latest/userguide/pricing-title.html,
		// read 2026-12-04): one hourly fee, no Direct Connect transfer-out line.
		c.add(lm.Ref(), "aws", "last mile "+lm.Bandwidth.String(), stdlib.PriceQuery{Provider: "aws", Service: "interconnect", Component: "last_mile", Region: lm.Region, Capacity: lm.Bandwidth.String()},
			1, true, "", "")
		// The partner's circuit to the site is the partner's product, priced
		// "independently of AWS" (same page): a line of its own, priced
		// when the catalog has the partner's rate.
		c.add(lm.Ref(), "partner", lm.Partner+" access circuit "+lm.Bandwidth.String(), stdlib.PriceQuery{Provider: "partner", Service: "last_mile", Component: lm.Partner, Region: lm.Region, Capacity: lm.Bandwidth.String()},
			1, true, "", "")
	}
}

func (c *pricer) monitors() {
	for _, m := range c.p.Design.Monitors {
		c.add(m.Ref(), "aws", "synthetic monitor", stdlib.PriceQuery{Provider: "aws", Service: "cloudwatch", Component: "synthetic_monitor", Region: "*"}, 1, true, "", "")
	}
}

// peerings prices inter-region transfer over TGW peering attachments, each
// direction at its source region's rate: AWS charges data transfer
// between regions to the region it leaves
// (https://aws.amazon.com/ec2/pricing/on-demand/#Data_Transfer_within_the_same_AWS_Region
// and "Data Transfer OUT From Amazon EC2 To ... another AWS Region";
// https://aws.amazon.com/transit-gateway/pricing/ peering example, read
// 2026-12-04), so a flow's two directions are two lines.
func (c *pricer) peerings() {
	for _, a := range c.p.Design.Attachments {
		if a.Kind != lang.AttachTGWPeering {
			continue
		}
		first, second := c.lookup(a.A).(*lang.TransitGateway), c.lookup(a.B).(*lang.TransitGateway)
		for _, dir := range []struct {
			key      string
			from, to *lang.TransitGateway
		}{
			{"monthly_inter_region_gb", first, second},
			{"monthly_inter_region_gb_return", second, first},
		} {
			gb := c.o.Usage.value(a.Ref(), dir.key)
			if gb <= 0 {
				continue
			}
			q := stdlib.PriceQuery{Provider: "aws", Service: "data_transfer", Component: "inter_region", RegionPair: dir.from.Region + ">" + dir.to.Region}
			if dir.from.Region == dir.to.Region {
				q = stdlib.PriceQuery{Provider: "aws", Service: "data_transfer", Component: "inter_az", Region: dir.from.Region}
			}
			c.add(a.Ref(), "aws", "transfer "+dir.from.Region+" → "+dir.to.Region, q, c.o.Usage.scaled(gb, c.hours), false, "", "")
		}
	}
}

// geo is a region's continent as AWS names it (us, ca, eu, ap, sa, me, af).
func geo(region string) string {
	g, _, _ := strings.Cut(region, "-")
	return g
}
