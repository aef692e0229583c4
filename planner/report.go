package planner

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/netip"
	"slices"
	"strings"
	"text/tabwriter"

	"patchbay/lang"
	"patchbay/stdlib"
)

// SchemaVersion names the JSON plan format; it changes only when a field
// changes meaning or disappears (docs/json.md).
const SchemaVersion = "patchbay.plan/v1"

// Derived groups what the planner built from the design.
type Derived struct {
	Interconnects  []*InterconnectPlan `json:"interconnects"`
	LastMiles      []*LastMilePlan     `json:"last_miles"`
	Sessions       []*Session          `json:"bgp_sessions"`
	TGWRouteTables []*TGWTablePlan     `json:"tgw_route_tables"`
	CoreNetworks   []*CoreNetworkPlan  `json:"core_networks"`
}

// Totals counts what a report shows at a glance.
type Totals struct {
	Resources int `json:"resources"`
	Errors    int `json:"errors"`
	Warnings  int `json:"warnings"`
	Infos     int `json:"infos"`
}

// Report is the JSON document `patchbay plan --format json` prints.
type Report struct {
	Schema    string           `json:"schema"`
	Files     []string         `json:"files"`
	Totals    Totals           `json:"totals"`
	Resources *lang.Design     `json:"resources"`
	Derived   Derived          `json:"derived"`
	Graph     GraphSummary     `json:"graph"`
	Findings  lang.Diagnostics `json:"findings"`
}

// Report assembles the JSON form of the plan.
func (p *Plan) Report() *Report {
	t := Count(p.Findings)
	t.Resources = p.Design.Len()
	return &Report{
		Schema:    SchemaVersion,
		Files:     slices.Sorted(maps.Keys(p.Design.Files)),
		Totals:    t,
		Resources: p.Design,
		Derived: Derived{
			Interconnects: nz(p.Interconnects), LastMiles: nz(p.LastMiles), Sessions: nz(p.Sessions),
			TGWRouteTables: nz(p.TGWTables), CoreNetworks: nz(p.CoreNetworks),
		},
		Graph:    p.Summary,
		Findings: p.Findings,
	}
}

// subnets is a link's /30, and its IPv6 session's /125 when it has one
// (whose addresses the session lines show).
func subnets(v4, v6 netip.Prefix) string {
	if !v6.IsValid() {
		return v4.String()
	}
	return v4.String() + " " + v6.String()
}

func nz[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// WriteJSON writes the report, indented, ending in a newline.
func (p *Plan) WriteJSON(w io.Writer) error {
	b, err := json.MarshalIndent(p.Report(), "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// WriteText writes the plan for people: resources by kind, the derived
// structure, the graph in numbers, then the findings.
func (p *Plan) WriteText(w io.Writer) error {
	var b strings.Builder
	d := p.Design
	fmt.Fprintf(&b, "Resources (%d)\n", d.Len())
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	for _, r := range d.All() {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", r.Ref().Kind, r.Ref().Name, describe(r), r.Source())
	}
	tw.Flush()

	for _, ip := range p.Interconnects {
		fmt.Fprintf(&b, "\nInterconnect %s: AWS %s ↔ %s %s, %s, AS%d ↔ AS%d, MTU %d, monitor %s\n",
			ip.Interconnect.Name, ip.AWSRegion, ip.Provider, ip.PeerRegion, ip.Bandwidth, ip.AWSASN, ip.PeerASN, ip.MTU, ip.Monitor)
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "  channel\tAWS device\tpeer device\tVLAN\tsubnet\tAWS address\tpeer address\tport\tMACsec manager, cipher\n")
		for _, c := range ip.Channels {
			fmt.Fprintf(tw, "  ch%d\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s, %s\n", c.Index, c.AWS.Device, c.Peer.Device, c.VLAN, subnets(c.Subnet, c.IPv6Subnet), c.AWS.Address, c.Peer.Address,
				orDash(c.PortSpeed), c.MACsecManager, c.MACsecCipher)
		}
		tw.Flush()
	}
	for _, lp := range p.LastMiles {
		fmt.Fprintf(&b, "\nLast mile %s: %s in %s, %s, %s VIF, MTU %d\n", lp.LastMile.Name, lp.Partner, lp.Region, lp.Bandwidth, lp.VIF, lp.MTU)
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "  connection\tAWS device\tcustomer device\tVLAN\tsubnet\tAWS address\tcustomer address\tport\tMACsec\n")
		for _, c := range lp.Connections {
			macsec := c.MACsec.String()
			if c.MACsecCipher != "" {
				macsec += ", " + c.MACsecCipher
			}
			fmt.Fprintf(tw, "  conn%d\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\n", c.Index, c.AWS.Device, c.Customer.Device, c.VLAN, subnets(c.Subnet, c.IPv6Subnet), c.AWS.Address, c.Customer.Address,
				orDash(c.PortSpeed), macsec)
		}
		tw.Flush()
	}
	if len(p.Sessions) > 0 {
		fmt.Fprintf(&b, "\nBGP sessions (%d)\n", len(p.Sessions))
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		for _, s := range p.Sessions {
			bfd := "no BFD"
			if s.BFD != nil {
				bfd = fmt.Sprintf("BFD %dms×%d", s.BFD.MinIntervalMS, s.BFD.Multiplier)
			}
			fmt.Fprintf(tw, "  %s\tAS%d %s\t↔ AS%d %s\thold %ds\t%s\t%s\n", s.Name, s.Local.ASN, s.Local.Address, s.Peer.ASN, s.Peer.Address, s.HoldTime, bfd, strings.Join(s.AddressFamily, ","))
		}
		tw.Flush()
	}
	if len(p.TGWTables) > 0 {
		fmt.Fprintf(&b, "\nTransit Gateway route tables\n")
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		for _, t := range p.TGWTables {
			def := ""
			if t.Default {
				def = " (default)"
			}
			fmt.Fprintf(tw, "  %s%s\t%d associated\t%d propagating\t%d static routes\n", t.Table, def, len(t.Associations), len(t.Propagations), t.StaticRoutes)
		}
		tw.Flush()
	}
	for _, cp := range p.CoreNetworks {
		regions := make([]string, len(cp.Edges))
		for i, e := range cp.Edges {
			regions[i] = fmt.Sprintf("%s (AS%d)", e.Region, e.ASN)
		}
		fmt.Fprintf(&b, "\nCore network %s: edges %s; %d edge peerings; %d attachments\n", cp.CoreNetwork.Name, strings.Join(regions, ", "), len(cp.Mesh), cp.Attachments)
	}

	s := p.Summary
	fmt.Fprintf(&b, "\nGraph: %d vertices, %d edges, %d connected component%s (largest %d)\n", s.Vertices, s.Edges, s.Components, plural(s.Components), s.LargestComponent)
	if n := len(s.Isolated); n > 0 {
		shown := s.Isolated[:min(n, 10)]
		more := ""
		if n > len(shown) {
			more = fmt.Sprintf(" and %d more", n-len(shown))
		}
		fmt.Fprintf(&b, "  attached to nothing: %s%s\n", strings.Join(shown, ", "), more)
	}
	if len(p.Findings) == 0 {
		b.WriteString("\nFindings: none\n")
	} else {
		fmt.Fprintf(&b, "\nFindings (%d)\n", len(p.Findings))
		if err := lang.WriteDiagnostics(&b, p.Findings, p.Design.Files); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// orDash stands in for an empty column, which would shift the rest.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func prefixes(ps []netip.Prefix) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, ",")
}

// describe is the one-line summary of a resource in the text plan.
func describe(r lang.Resource) string {
	switch x := r.(type) {
	case *lang.VPC:
		s := fmt.Sprintf("%s %s", x.Region, prefixes(x.CIDRs))
		if len(x.IPv6) > 0 {
			s += " " + prefixes(x.IPv6)
		}
		return s + fmt.Sprintf(" mtu %d", x.MTU)
	case *lang.RouteTable:
		s := fmt.Sprintf("%s, %d routes", x.VPC, len(x.Routes))
		for _, g := range x.Propagations {
			s += ", propagates " + g.String()
		}
		return s
	case *lang.GCPVPC:
		s := fmt.Sprintf("%s %s %s", x.Project, x.Region, prefixes(x.CIDRs))
		if len(x.IPv6) > 0 {
			s += " " + prefixes(x.IPv6)
		}
		return s + fmt.Sprintf(" mtu %d AS%d", x.MTU, x.ASN)
	case *lang.Site:
		return fmt.Sprintf("%s AS%d mtu %d", prefixes(x.CIDRs), x.ASN, x.MTU)
	case *lang.VPNGateway:
		return fmt.Sprintf("AS%d", x.ASN)
	case *lang.DXGateway:
		return fmt.Sprintf("AS%d", x.ASN)
	case *lang.TransitGateway:
		return fmt.Sprintf("%s AS%d", x.Region, x.ASN)
	case *lang.TGWRouteTable:
		return fmt.Sprintf("%s, %d routes, %d associated, %d propagating", x.TGW, len(x.Routes), len(x.Associations), len(x.Propagations))
	case *lang.CoreNetwork:
		s := fmt.Sprintf("%d edges, %d segments, %d actions", len(x.Edges), len(x.Segments), len(x.Actions))
		if n := len(x.NetworkFunctionGroups); n > 0 {
			s += fmt.Sprintf(", %d network function groups", n)
		}
		return s
	case *lang.Attachment:
		s := fmt.Sprintf("%s %s ↔ %s", x.Kind, x.A, x.B)
		if x.Segment != "" {
			s += " segment " + x.Segment
		}
		if x.NetworkFunctionGroup != "" {
			s += " network function group " + x.NetworkFunctionGroup
		}
		return s
	case *lang.Interconnect:
		return fmt.Sprintf("%s %s ↔ %s %s via %s to %s", x.Provider, x.AWSRegion, x.PeerRegion, x.Bandwidth, x.AttachTo, x.Peer)
	case *lang.LastMile:
		return fmt.Sprintf("%s %s %s %s via %s", x.Partner, x.Region, x.Bandwidth, x.Site, x.AttachTo)
	case *lang.Monitor:
		return fmt.Sprintf("%s → %s every %s", x.From, x.To, x.Interval)
	case *lang.Scenario:
		return fmt.Sprintf("%s, %d flow%s, %d probe%s, %d event%s", stdlib.FormatDuration(x.Duration),
			len(x.Flows), plural(len(x.Flows)), len(x.Probes), plural(len(x.Probes)), len(x.Events), plural(len(x.Events)))
	case *lang.Objective:
		s := fmt.Sprintf("%s → %s", x.From, x.To)
		if x.MaxBlackout > 0 || x.NoBlackout {
			s += ", blackout ≤ " + stdlib.FormatDuration(x.MaxBlackout)
		}
		if x.MinBandwidth > 0 {
			s += ", bandwidth ≥ " + x.MinBandwidth.String()
		}
		return s
	}
	return ""
}

// FindingsReport is the JSON document `patchbay validate --format json` prints.
type FindingsReport struct {
	Schema   string           `json:"schema"`
	Files    []string         `json:"files"`
	Totals   Totals           `json:"totals"`
	Findings lang.Diagnostics `json:"findings"`
}

// WriteFindingsJSON writes the findings alone.
func (p *Plan) WriteFindingsJSON(w io.Writer) error {
	r := p.Report()
	b, err := json.MarshalIndent(FindingsReport{Schema: "patchbay.validate/v1", Files: r.Files, Totals: r.Totals, Findings: r.Findings}, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// WriteFindingsText writes the findings in the diagnostic style, then a
// one-line count.
func (p *Plan) WriteFindingsText(w io.Writer) error {
	var b strings.Builder
	if err := lang.WriteDiagnostics(&b, p.Findings, p.Design.Files); err != nil {
		return err
	}
	t := p.Report().Totals
	if len(p.Findings) > 0 {
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "%d error%s, %d warning%s, %d info%s in %d resources\n", t.Errors, plural(t.Errors), t.Warnings, plural(t.Warnings), t.Infos, plural(t.Infos), t.Resources)
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteErrorsJSON writes the document a command prints with --format json
// when the design could not be read: schema patchbay.errors/v1.
func WriteErrorsJSON(w io.Writer, files lang.Sources, ds lang.Diagnostics) error {
	b, err := json.MarshalIndent(FindingsReport{Schema: "patchbay.errors/v1", Files: slices.Sorted(maps.Keys(files)), Totals: Count(ds), Findings: ds}, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// Count tallies diagnostics by severity; Resources is the caller's to
// fill.
func Count(ds lang.Diagnostics) Totals {
	var t Totals
	for _, d := range ds {
		switch d.Severity {
		case lang.SevError:
			t.Errors++
		case lang.SevWarning:
			t.Warnings++
		default:
			t.Infos++
		}
	}
	return t
}
