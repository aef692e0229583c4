package offer

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"patchbay/stdlib"
)

// How products become rows. The services, components and dimensions are
// the ones planner/cost asks the catalog for (transit_gateway,
// cloud_wan, direct_connect and data_transfer). Cloud WAN attachments are
// priced by attachment_type (vpc, connect, transit_gateway_route_table,
// direct_connect_gateway), as the pricer asks; the VPC attachment's price
// is also written without a type, the row asked for where a service prices
// every type alike (Transit Gateway attachments, data processing).
//
// The attribute names and values are AWS's, as its offer files write them
// (checked 2026-12-04 against the AWSCloudWAN CSV as mirrored, without its
// metadata rows, at https://huggingface.co/datasets/labofsahil/aws-pricing-dataset, the
// Transit Gateway, Direct Connect and Data Transfer filters of Infracost,
// https://github.com/infracost/infracost/tree/master/internal/resources/aws,
// and the Direct Connect FAQ's usage types, https://aws.amazon.com/directconnect/faqs/):
//
//   - AmazonVPC: usagetype "[PREFIX-]TransitGateway-Hours" (attachment hours)
//     and "[PREFIX-]TransitGateway-Bytes" (data processed), operation
//     TransitGatewayVPC, …VPN, …DirectConnect, …Peering, …Connect, regionCode.
//   - AWSCloudWAN: usagetype "PREFIX-CloudWAN-Attachment-Hours" and
//     "PREFIX-CloudWAN-Bytes", attachmentType VPC, Connect, …, operation
//     CloudWANVPC, …, regionCode (all seen in the mirrored file). The core
//     network edge's hourly product was not in the part of the file seen:
//     it is recognised by "CoreNetworkEdge" in its usagetype or "core
//     network edge" in its group description, a guess the fixture follows.
//   - AWSDirectConnect: usagetype "PREFIX-LOCATION-PortUsage:1G" (dedicated
//     ports), "PREFIX-LOCATION-HCPortUsage:500M" (hosted connections),
//     "PREFIX-LOCATION-DataXfer-Out…" (data transfer out, from the region in
//     fromLocation to the Direct Connect location), capacity, connectionType.
//   - AWSDataTransfer: transferType "InterRegion Outbound" between
//     fromRegionCode/fromLocation and toRegionCode/toLocation, and
//     "IntraRegion" (between Availability Zones).

// why says why a product gave no rows.
type why int

const (
	notPriced     why = iota // not a component patchbay prices
	unknownRegion            // a region patchbay's catalog does not have
)

func mapOffer(o Offer, products map[string]*product, order []string) *Result {
	res := &Result{Offer: o, Skipped: map[string]int{}}
	byKey := map[string]int{}
	add := func(r stdlib.PriceRow) {
		r.Provider, r.Date, r.Status = "aws", o.Date, stdlib.Published
		if r.Source == "" {
			r.Source = o.Description
		}
		if i, ok := byKey[r.Key()]; ok {
			if *res.Rows[i].Price != *r.Price {
				res.Conflicts++
				if *r.Price < *res.Rows[i].Price {
					res.Rows[i] = r
				}
			}
			return
		}
		byKey[r.Key()] = len(res.Rows)
		res.Rows = append(res.Rows, r)
	}
	mapper := map[string]func(*product, string) ([]stdlib.PriceRow, why){
		"AmazonVPC":        mapVPC,
		"AWSCloudWAN":      mapCloudWAN,
		"AWSDirectConnect": mapDirectConnect,
		"AWSDataTransfer":  mapDataTransfer,
	}[o.Code]
	for _, sku := range order {
		p := products[sku]
		rt, ok := firstTier(p.rates)
		var rows []stdlib.PriceRow
		reason := notPriced
		if unit := unitOf(rt.unit); ok && unit != "" {
			rows, reason = mapper(p, unit)
		}
		if len(rows) == 0 {
			fam := p.family
			if fam == "" {
				fam = "(none)"
			}
			res.Skipped[fam]++
			if reason == unknownRegion {
				res.UnknownRegion++
			}
			continue
		}
		for _, r := range rows {
			price := rt.usd
			r.Price = &price
			add(r)
		}
	}
	for _, r := range dxRegionRows(res.Rows, o.Description) {
		if _, ok := byKey[r.Key()]; !ok {
			add(r)
		}
	}
	slices.SortFunc(res.Rows, compareRows)
	return res
}

// firstTier picks the price of the tier that starts at 0 (the first GB or
// hour): a catalog row holds one price, and a design's usage is rarely
// large enough to reach the next tier. Rates in another currency only are
// not prices patchbay can use.
func firstTier(rates []rate) (rate, bool) {
	var best rate
	found := false
	for _, r := range rates {
		if !r.hasUS {
			continue
		}
		if !found || r.begin < best.begin || (r.begin == best.begin && r.code < best.code) {
			best, found = r, true
		}
	}
	return best, found
}

func unitOf(u string) string {
	switch fold(u) {
	case "hrs", "hr", "hour", "hours":
		return "h"
	case "gb", "gigabytes", "gigabyte":
		return "GB"
	case "gib":
		return "GiB"
	}
	return ""
}

func compareRows(a, b stdlib.PriceRow) int {
	return cmp.Or(
		cmp.Compare(a.Service, b.Service),
		cmp.Compare(a.Component, b.Component),
		cmp.Compare(a.Region, b.Region),
		cmp.Compare(a.RegionPair, b.RegionPair),
		cmp.Compare(a.Location, b.Location),
		cmp.Compare(bps(a.Capacity), bps(b.Capacity)),
		cmp.Compare(a.Capacity, b.Capacity),
		cmp.Compare(a.AttachmentType, b.AttachmentType),
	)
}

func bps(s string) uint64 {
	b, _ := stdlib.ParseBandwidth(s)
	return uint64(b)
}

// regionNames maps the location names offer files use to region codes.
// AWS's files name European regions both "EU (Frankfurt)" and, as the
// console does, "Europe (Frankfurt)".
func regionNames() map[string]string {
	m := map[string]string{}
	for _, r := range stdlib.Default().Regions {
		if r.Provider != "aws" {
			continue
		}
		m[r.Name] = r.Code
		if rest, ok := strings.CutPrefix(r.Name, "Europe ("); ok {
			m["EU ("+rest] = r.Code
		}
	}
	return m
}

var names = regionNames()

// region resolves a region from a code attribute or, failing that, a
// location name; known is false for a region patchbay does not have,
// and code is "" when the product names none.
func region(a map[string]string, codeKey, nameKey string) (code string, known bool) {
	if c := strings.TrimSpace(a[codeKey]); c != "" {
		_, ok := stdlib.Default().Region("aws", c)
		return c, ok
	}
	if n := strings.TrimSpace(a[nameKey]); n != "" {
		c, ok := names[n]
		return c, ok
	}
	return "", false
}

// ownRegion is a product's region, for products priced in one region.
func ownRegion(a map[string]string) (string, why, bool) {
	if lt := fold(a["locationtype"]); lt != "" && lt != "awsregion" && a["regioncode"] == "" {
		return "", notPriced, false // a Local Zone, Wavelength Zone, Outpost…
	}
	c, ok := region(a, "regioncode", "location")
	switch {
	case c == "":
		return "", notPriced, false
	case !ok:
		return "", unknownRegion, false
	}
	return c, notPriced, true
}

// attachmentType names an attachment type the way catalog rows do, from
// the product's attachmentType or else its operation without the
// service's prefix ("TransitGatewayPeering" → "peering").
func attachmentType(a map[string]string, opPrefix string) string {
	s := a["attachmenttype"]
	if s == "" {
		op := a["operation"]
		if len(op) > len(opPrefix) && strings.EqualFold(op[:len(opPrefix)], opPrefix) {
			s = op[len(opPrefix):]
		}
	}
	k := strings.NewReplacer("-", "", "_", "", " ", "").Replace(strings.ToLower(s))
	switch k {
	case "":
		return ""
	case "vpc":
		return "vpc"
	case "vpn", "sitetositevpn":
		return "vpn"
	case "directconnect", "directconnectgateway", "dxgateway":
		return "direct_connect_gateway"
	case "peering", "tgwpeering", "transitgatewaypeering":
		return "peering"
	case "connect":
		return "connect"
	case "transitgatewayroutetable", "tgwroutetable":
		return "transit_gateway_route_table"
	}
	var b strings.Builder
	for _, c := range strings.ToLower(s) {
		switch {
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
			b.WriteRune(c)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "_"):
			b.WriteByte('_')
		}
	}
	return strings.TrimSuffix(b.String(), "_")
}

// typed returns the row with its attachment type and, for a VPC
// attachment or none, the row without one, which is what the pricer asks.
func typed(base stdlib.PriceRow, typ string) []stdlib.PriceRow {
	var rows []stdlib.PriceRow
	if typ != "" {
		t := base
		t.AttachmentType = typ
		rows = append(rows, t)
	}
	if typ == "" || typ == "vpc" {
		rows = append(rows, base)
	}
	return rows
}

func mapVPC(p *product, unit string) ([]stdlib.PriceRow, why) {
	ut := p.attrs["usagetype"]
	var comp, want string
	switch {
	case strings.HasSuffix(ut, "TransitGateway-Hours"):
		comp, want = "attachment", "h"
	case strings.HasSuffix(ut, "TransitGateway-Bytes"):
		comp, want = "data_processing", "GB"
	default:
		return nil, notPriced
	}
	base, w, ok := regionalRow(p, "transit_gateway", comp, unit, want)
	if !ok {
		return nil, w
	}
	return typed(base, attachmentType(p.attrs, "TransitGateway")), notPriced
}

// regionalRow is the row of a component priced in the product's own
// Region, when the offer's unit is the one the component is billed in
// (want); ok is false otherwise, with why.
func regionalRow(p *product, service, comp, unit, want string) (stdlib.PriceRow, why, bool) {
	if unit != want {
		return stdlib.PriceRow{}, notPriced, false
	}
	reg, w, ok := ownRegion(p.attrs)
	if !ok {
		return stdlib.PriceRow{}, w, false
	}
	return stdlib.PriceRow{Service: service, Component: comp, Region: reg, Unit: unit}, notPriced, true
}

func mapCloudWAN(p *product, unit string) ([]stdlib.PriceRow, why) {
	ut := p.attrs["usagetype"]
	var comp, want string
	switch {
	case strings.Contains(strings.ToLower(ut), "corenetworkedge") ||
		strings.Contains(strings.ToLower(p.attrs["groupdescription"]), "core network edge"):
		comp, want = "core_network_edge", "h"
	case strings.HasSuffix(ut, "CloudWAN-Attachment-Hours"):
		comp, want = "attachment", "h"
	case strings.HasSuffix(ut, "CloudWAN-Bytes"):
		comp, want = "data_processing", "GB"
	default:
		return nil, notPriced
	}
	base, w, ok := regionalRow(p, "cloud_wan", comp, unit, want)
	if !ok {
		return nil, w
	}
	if comp == "core_network_edge" {
		return []stdlib.PriceRow{base}, notPriced
	}
	return typed(base, attachmentType(p.attrs, "CloudWAN")), notPriced
}

// dxLocation is the Direct Connect location code in a usage type
// ("USE1-EqDC2-PortUsage:1G" → "EqDC2"): the segment before the one that
// starts with marker, after the region prefix.
func dxLocation(ut, marker string) string {
	base, _, _ := strings.Cut(ut, ":")
	segs := strings.Split(base, "-")
	for i, s := range segs {
		if strings.HasPrefix(s, marker) && i >= 2 {
			return segs[i-1]
		}
	}
	return ""
}

// capacity reads a port size ("1G", "500M", "HC-10G") as the catalog
// writes it ("1Gbps").
func capacity(a map[string]string) string {
	s := a["capacity"]
	if s == "" {
		_, s, _ = strings.Cut(a["usagetype"], ":")
	}
	s = strings.TrimSpace(s)
	if len(s) > 3 && strings.EqualFold(s[:3], "HC-") {
		s = s[3:]
	}
	b, err := stdlib.ParseBandwidth(s)
	if err != nil {
		if b, err = stdlib.ParseBandwidth(s + "bps"); err != nil {
			return ""
		}
	}
	if b == 0 {
		return ""
	}
	return b.String()
}

func mapDirectConnect(p *product, unit string) ([]stdlib.PriceRow, why) {
	ut := p.attrs["usagetype"]
	conn := fold(p.attrs["connectiontype"])
	switch {
	case strings.Contains(ut, "DataXfer-Out"):
		if unit != "GB" {
			return nil, notPriced
		}
		from, known := region(p.attrs, "fromregioncode", "fromlocation")
		if from == "" {
			var w why
			var ok bool
			if from, w, ok = ownRegion(p.attrs); !ok {
				return nil, w
			}
			known = true
		}
		if !known {
			return nil, unknownRegion
		}
		loc := dxLocation(ut, "DataXfer")
		if loc == "" {
			return []stdlib.PriceRow{{Service: "direct_connect", Component: "data_transfer_out", Region: from, Unit: unit}}, notPriced
		}
		return []stdlib.PriceRow{{Service: "direct_connect", Component: "data_transfer_out", Region: from, Location: loc, Unit: unit}}, notPriced
	case strings.Contains(ut, "HCPortUsage") || conn == "hosted":
		return port(p, unit, "hosted_connection", "HCPortUsage")
	case strings.Contains(ut, "PortUsage") || conn == "dedicated":
		return port(p, unit, "dedicated_port", "PortUsage")
	}
	return nil, notPriced
}

func port(p *product, unit, comp, marker string) ([]stdlib.PriceRow, why) {
	c, loc := capacity(p.attrs), dxLocation(p.attrs["usagetype"], marker)
	if unit != "h" || c == "" || loc == "" {
		return nil, notPriced
	}
	return []stdlib.PriceRow{{Service: "direct_connect", Component: comp, Location: loc, Capacity: c, Unit: unit}}, notPriced
}

// dxRegionRows adds, for each region with transfer-out prices per Direct
// Connect location only, the row the pricer asks for (by region, without
// a location): the lowest of those prices, which is the rate to the
// locations nearest the region, where a last mile from the region's metro
// lands. Each says so in its source.
func dxRegionRows(rows []stdlib.PriceRow, desc string) []stdlib.PriceRow {
	type agg struct {
		min float64
		n   int
	}
	by := map[string]*agg{}
	for _, r := range rows {
		if r.Service != "direct_connect" || r.Component != "data_transfer_out" || r.Location == "" {
			continue
		}
		a := by[r.Region]
		if a == nil {
			a = &agg{min: *r.Price}
			by[r.Region] = a
		}
		a.min = min(a.min, *r.Price)
		a.n++
	}
	var out []stdlib.PriceRow
	for _, reg := range slices.Sorted(maps.Keys(by)) {
		a := by[reg]
		price := a.min
		out = append(out, stdlib.PriceRow{Service: "direct_connect", Component: "data_transfer_out", Region: reg, Unit: "GB", Price: &price,
			Source: fmt.Sprintf("%s; the lowest of %d Direct Connect locations' rates from %s (those nearest the region)", desc, a.n, reg)})
	}
	return out
}

func mapDataTransfer(p *product, unit string) ([]stdlib.PriceRow, why) {
	if unit != "GB" {
		return nil, notPriced
	}
	from, fromKnown := region(p.attrs, "fromregioncode", "fromlocation")
	switch fold(p.attrs["transfertype"]) {
	case "interregionoutbound":
		to, toKnown := region(p.attrs, "toregioncode", "tolocation")
		switch {
		case from == "" || to == "":
			return nil, notPriced
		case !fromKnown || !toKnown:
			return nil, unknownRegion
		case from == to:
			return nil, notPriced
		}
		return []stdlib.PriceRow{{Service: "data_transfer", Component: "inter_region", RegionPair: from + ">" + to, Unit: unit}}, notPriced
	case "intraregion":
		switch {
		case from == "":
			return nil, notPriced
		case !fromKnown:
			return nil, unknownRegion
		}
		return []stdlib.PriceRow{{Service: "data_transfer", Component: "inter_az", Region: from, Unit: unit}}, notPriced
	}
	return nil, notPriced
}

// MarshalRows writes rows as catalog lines (JSON Lines), after a comment
// naming where they come from.
func MarshalRows(comment string, rows []stdlib.PriceRow) ([]byte, error) {
	var b strings.Builder
	for _, line := range strings.Split(comment, "\n") {
		if line != "" {
			b.WriteString("# " + line + "\n")
		}
	}
	for _, r := range rows {
		r.File, r.Line = "", 0
		line, err := marshalRow(r)
		if err != nil {
			return nil, err
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	return []byte(b.String()), nil
}

// Merge joins the rows of several offer files (names are where each was
// read) in catalog order. A catalog prices each thing once, so two files
// pricing the same thing — two versions of one offer, say — are an error.
func Merge(names []string, results []*Result) ([]stdlib.PriceRow, error) {
	var rows []stdlib.PriceRow
	first := map[string]string{}
	for i, r := range results {
		for _, row := range r.Rows {
			if prev, dup := first[row.Key()]; dup {
				return nil, fmt.Errorf("%s prices %s again (first in %s): import each offer once", names[i], row.ID(), prev)
			}
			first[row.Key()] = names[i]
			rows = append(rows, row)
		}
	}
	slices.SortFunc(rows, compareRows)
	return rows, nil
}
