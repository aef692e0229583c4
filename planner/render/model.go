// Package render draws a Plan: a deterministic DOT writer of our own, a
// Mermaid flowchart and graph JSON, from one model of nodes, edges and
// clusters, so every format shows the same thing. Clusters go cloud →
// Region (→ facility, for a partner cloud); AWS routers sit in their
// Direct Connect location's cluster under the cloud.
package render

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"patchbay/lang"
	"patchbay/planner"
)

// Options shape a drawing.
type Options struct {
	// Direction is LR (left to right, the default) or TB.
	Direction string
	// Collapse draws each Interconnect and last mile as one edge instead of
	// its channels or connections across facilities.
	Collapse bool
	// GroupAbove folds the VPCs on one Transit Gateway into a single node
	// with a count when there are more than this many; 0 means 12.
	GroupAbove int
	// Overlay colours links and sessions with the state at a moment; nil
	// draws the design as planned.
	Overlay Overlay
	// Caption names what the drawing shows (design, scenario, moment or
	// failure); it heads the legend.
	Caption string
	// Details moves each channel's and connection's VLAN, subnets, ASNs,
	// MTU and MACsec from its edge label into a table beside the graph,
	// leaving the edge its short name.
	Details bool
}

// Overlay is what a simulation knows at one moment. Rendering asks it about
// links (channel and connection names) and BGP sessions, and never imports
// the simulator.
type Overlay interface {
	// LinkUp reports a link's state; known is false when it has none.
	LinkUp(link string) (up, known bool)
	// SessionUp reports a BGP session's state.
	SessionUp(session string) (up, known bool)
}

// DeviceOverlay is an Overlay that also knows devices (routers by their
// planned names, Transit Gateways and Cloud WAN edges by their node ids)
// and facilities ("us-east-1/fac-a"), so a drawing marks what failed
// itself and not only the links it took down.
type DeviceOverlay interface {
	Overlay
	DeviceUp(device string) (up, known bool)
	FacilityUp(facility string) (up, known bool)
}

// Attr is one attribute of a node or an edge, for graph.json: ordered, so
// output is the same every time.
type Attr struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Node is one box of the drawing.
type Node struct {
	ID      string
	Kind    string // a resource kind, or "router", "group"
	Label   string
	Cluster []string // outermost first: cloud, region, facility
	Finding lang.Severity
	Rules   []string // rules of the findings on the resource
	HasFind bool
	// Table, when set, is drawn instead of Label as an HTML-like table:
	// a header row, then one row per entry (a Cloud WAN core network's
	// segments).
	Table  [][]string
	Failed bool // from a DeviceOverlay
	// Facility is a router's facility as the plan names it; FacilityDown
	// is true when a DeviceOverlay says it failed.
	Facility     string
	FacilityDown bool
	Attrs        []Attr
}

// Edge joins two nodes.
type Edge struct {
	From, To string
	Label    string
	Link     string // channel or connection name, for overlays
	// Sessions are the BGP sessions over Link, one per address family
	// (IPv4, then IPv6), and families their families' names.
	Sessions []string
	families []string
	Down     bool // from the overlay
	BGPDown  bool // some session over Link is not established
	// Kind is what the edge is: an attachment's kind, "channel",
	// "connection", "uplink" (a router to what it serves) or "mesh"
	// (between two edges of one core network).
	Kind  string
	Attrs []Attr
}

// Model is a drawing before it is written.
type Model struct {
	Nodes     []*Node
	Edges     []*Edge
	Direction string
	Caption   string
	// Details are the rows of the channel table (Options.Details): a
	// header, then one row per channel or connection.
	Details [][]string
	// Overlaid is true when an overlay coloured the drawing, so the
	// legend explains red and dashed lines.
	Overlaid bool
	byID     map[string]*Node
}

var cloudLabel = map[string]string{"aws": "AWS", "gcp": "Google Cloud", "onprem": "On-premises"}

func (m *Model) node(n *Node) *Node {
	if old, ok := m.byID[n.ID]; ok {
		return old
	}
	m.byID[n.ID] = n
	m.Nodes = append(m.Nodes, n)
	return n
}

func (m *Model) edge(e *Edge) { m.Edges = append(m.Edges, e) }

// Build lays out a plan as a model.
func Build(p *planner.Plan, o Options) *Model {
	if o.GroupAbove == 0 {
		o.GroupAbove = 12
	}
	m := &Model{Direction: "LR", Caption: o.Caption, Overlaid: o.Overlay != nil, byID: map[string]*Node{}}
	if o.Direction == "TB" {
		m.Direction = "TB"
	}
	d := p.Design
	// A finding belongs to the resources declared where it points.
	declaredAt := map[lang.Range][]string{}
	for _, r := range d.All() {
		declaredAt[r.Source()] = append(declaredAt[r.Source()], r.Ref().String())
	}
	findings := map[string][]lang.Diagnostic{}
	for _, f := range p.Findings {
		for _, id := range declaredAt[f.Range] {
			findings[id] = append(findings[id], f)
		}
	}
	add := func(r lang.Resource, label string, cluster ...string) *Node {
		n := &Node{ID: r.Ref().String(), Kind: string(r.Ref().Kind), Label: label, Cluster: cluster}
		for _, f := range findings[n.ID] {
			if !n.HasFind || f.Severity < n.Finding {
				n.Finding = f.Severity
			}
			n.HasFind = true
			if !slices.Contains(n.Rules, f.Rule) {
				n.Rules = append(n.Rules, f.Rule)
			}
		}
		return m.node(n)
	}

	// VPCs on a TGW beyond the threshold become one node with a count.
	grouped := map[lang.Ref]string{}
	for _, g := range d.TransitGateways {
		var vpcs []lang.Ref
		for _, a := range p.AttachmentsOf(g.Ref()) {
			if a.Kind == lang.AttachVPCTGW {
				vpcs = append(vpcs, a.A)
			}
		}
		if len(vpcs) > o.GroupAbove {
			id := "group." + g.Name
			m.node(&Node{ID: id, Kind: "group", Label: fmt.Sprintf("%d VPCs\non %s", len(vpcs), g.Name), Cluster: []string{"aws", g.Region}})
			for _, v := range vpcs {
				grouped[v] = id
			}
		}
	}
	nodeOf := func(r lang.Ref) string {
		if id, ok := grouped[r]; ok {
			return id
		}
		return r.String()
	}

	for _, v := range d.VPCs {
		if _, ok := grouped[v.Ref()]; !ok {
			n := add(v, fmt.Sprintf("%s\n%s\nMTU %d", v.Name, joinPrefixes(v.CIDRs), v.MTU), "aws", v.Region)
			n.Attrs = []Attr{{"region", v.Region}, {"cidrs", joinPrefixes(v.CIDRs)}, {"mtu", fmt.Sprint(v.MTU)}}
		}
	}
	for _, v := range d.GCPVPCs {
		n := add(v, fmt.Sprintf("%s\n%s\nMTU %d", v.Name, joinPrefixes(v.CIDRs), v.MTU), "gcp", v.Region)
		n.Attrs = []Attr{{"region", v.Region}, {"cidrs", joinPrefixes(v.CIDRs)}, {"mtu", fmt.Sprint(v.MTU)}}
	}
	for _, s := range d.Sites {
		n := add(s, fmt.Sprintf("%s\n%s\nAS%d", s.Name, joinPrefixes(s.CIDRs), s.ASN), "onprem")
		n.Attrs = []Attr{{"cidrs", joinPrefixes(s.CIDRs)}, {"asn", fmt.Sprint(s.ASN)}}
	}
	for _, g := range d.VPNGateways {
		region := ""
		for _, a := range p.AttachmentsOf(g.Ref()) {
			if x, ok := lookup(p, a.B).(*lang.VPC); ok {
				region = x.Region
			}
		}
		add(g, fmt.Sprintf("%s\nVGW AS%d", g.Name, g.ASN), "aws", region).Attrs = []Attr{{"region", region}, {"asn", fmt.Sprint(g.ASN)}}
	}
	for _, g := range d.DXGateways {
		add(g, fmt.Sprintf("%s\nDX gateway AS%d", g.Name, g.ASN), "aws").Attrs = []Attr{{"asn", fmt.Sprint(g.ASN)}}
	}
	for _, g := range d.TransitGateways {
		add(g, fmt.Sprintf("%s\nTGW AS%d", g.Name, g.ASN), "aws", g.Region).Attrs = []Attr{{"region", g.Region}, {"asn", fmt.Sprint(g.ASN)}}
	}
	// A core network is drawn as AWS describes it: a global network whose
	// core network edges (one per Region of the policy) carry the traffic
	// of attachments in their Region and are meshed with each other, and
	// whose segments are routing domains across the edges. The core
	// network's own node is a table of its segments; each edge is a node of
	// its own in its Region, the same id the simulator gives the device.
	edgeOf := map[lang.Ref]map[string]string{}
	for _, cn := range d.CoreNetworks {
		var regions []string
		for _, e := range cn.Edges {
			regions = append(regions, e.Region)
		}
		n := add(cn, fmt.Sprintf("%s\nCloud WAN core network", cn.Name), "aws")
		n.Table = [][]string{{cn.Name + ": Cloud WAN core network", "edges"}}
		for _, sg := range cn.Segments {
			edges := "all"
			if len(sg.EdgeRegions) > 0 {
				edges = strings.Join(sg.EdgeRegions, ", ")
			}
			name := "segment " + sg.Name
			if sg.IsolateAttachments {
				name += " (isolated)"
			}
			n.Table = append(n.Table, []string{name, edges})
		}
		var segs []string
		for _, sg := range cn.Segments {
			segs = append(segs, sg.Name)
		}
		n.Attrs = []Attr{{"edges", strings.Join(regions, ", ")}, {"segments", strings.Join(segs, ", ")}}
		edgeOf[cn.Ref()] = map[string]string{}
		var ids []string
		for _, e := range cn.Edges {
			id := cn.Ref().String() + "/" + e.Region
			label := e.Region + " edge"
			if e.ASN != 0 {
				label += fmt.Sprintf("\nAS%d", e.ASN)
			}
			en := m.node(&Node{ID: id, Kind: "core_network_edge", Label: label, Cluster: []string{"aws", e.Region},
				Attrs: []Attr{{"core_network", cn.Name}, {"region", e.Region}, {"asn", fmt.Sprint(e.ASN)}}})
			edgeOf[cn.Ref()][e.Region] = en.ID
			m.edge(&Edge{From: n.ID, To: id, Kind: "edge"})
			ids = append(ids, id)
		}
		for i := range ids {
			for _, j := range ids[i+1:] {
				m.edge(&Edge{From: ids[i], To: j, Kind: "mesh"})
			}
		}
	}
	// regionOf is the Region an attachment's other end lives in, which
	// picks the core network edge it attaches to; "" for a global one (a
	// DX gateway), which is drawn to the core network itself.
	regionOf := func(r lang.Ref) string {
		switch x := lookup(p, r).(type) {
		case *lang.VPC:
			return x.Region
		case *lang.TransitGateway:
			return x.Region
		}
		return ""
	}
	for _, a := range d.Attachments {
		// The kind of an attachment is plain from its ends' shapes; a
		// label says only what they do not: the segment, and where the
		// path's MTU shrinks. The kind stays in the tooltip.
		var lines []string
		if a.Segment != "" {
			lines = append(lines, "segment "+a.Segment)
		}
		if x, ok := lookup(p, a.A).(*lang.VPC); ok && x.MTU > 8500 && (a.Kind == lang.AttachVPCTGW || a.Kind == lang.AttachVPCCloudWAN) {
			lines = append(lines, "MTU 8500")
		}
		label := strings.Join(lines, "\n")
		from, to := nodeOf(a.A), nodeOf(a.B)
		if a.Kind == lang.AttachVGWVPC {
			// Networks come first in a drawing's ranks, as a VPC does on a
			// TGW: a VGW after its VPC keeps the AWS side as shallow as the
			// gateways, and the partner cloud beside it, not under it.
			from, to = to, from
		}
		if e, ok := edgeOf[a.B][regionOf(a.A)]; ok {
			to = e
		}
		if from == to {
			continue
		}
		if strings.HasPrefix(from, "group.") && m.hasEdge(from, to) {
			continue // one edge from a group
		}
		attrs := []Attr{{"attachment", a.Name}}
		if a.Segment != "" {
			attrs = append(attrs, Attr{"segment", a.Segment})
		}
		m.edge(&Edge{From: from, To: to, Label: label, Kind: string(a.Kind), Attrs: attrs})
	}

	byLink := map[string][]*planner.Session{}
	for _, s := range p.Sessions {
		byLink[s.Over] = append(byLink[s.Over], s)
	}
	sessions := func(link string) []string {
		var out []string
		for _, s := range byLink[link] {
			out = append(out, s.Name)
		}
		return out
	}
	families := func(link string) []string {
		var out []string
		for _, s := range byLink[link] {
			out = append(out, familyName(s.AddressFamily))
		}
		return out
	}

	// An AWS router's cluster is its Direct Connect location, under AWS
	// and not inside the Region: a location is a colocation facility
	// associated with a Region, not part of it, and drawn inside it the DX
	// gateway between the routers and the Region's gateways had to sit
	// outside the Region's box, its edges tangled around it.
	awsFacility := func(fac, region string) []string { return []string{"aws", fac + " (" + region + ")"} }
	for _, ip := range p.Interconnects {
		ic := ip.Declared
		peer := nodeOf(ic.Peer)
		if o.Collapse {
			add(ic, fmt.Sprintf("%s\n%s %s\n%d channels", ic.Name, ip.Provider, ip.Bandwidth, len(ip.Channels)), "aws", ic.AWSRegion)
			m.edge(&Edge{From: nodeOf(ic.AttachTo), To: ic.Ref().String(), Label: fmt.Sprintf("AS%d", ip.AWSASN), Kind: "uplink"})
			m.edge(&Edge{From: ic.Ref().String(), To: peer, Label: fmt.Sprintf("%s, MTU %d\nAS%d ↔ AS%d", ip.Bandwidth, ip.MTU, ip.AWSASN, ip.PeerASN), Kind: "interconnect",
				Attrs: []Attr{{"bandwidth", ip.Bandwidth}, {"mtu", fmt.Sprint(ip.MTU)}, {"aws_asn", fmt.Sprint(ip.AWSASN)}, {"peer_asn", fmt.Sprint(ip.PeerASN)}, {"channels", fmt.Sprint(len(ip.Channels))}}})
			continue
		}
		for _, c := range ip.Channels {
			awsFac, peerFac := facility(c.AWSFacility), facility(c.PeerFacility)
			a := m.node(&Node{ID: c.AWS.Device, Kind: "router", Label: lastPart(c.AWS.Device), Cluster: awsFacility(awsFac, ic.AWSRegion), Facility: c.AWSFacility})
			b := m.node(&Node{ID: c.Peer.Device, Kind: "router", Label: lastPart(c.Peer.Device), Cluster: []string{ic.Provider, ic.PeerRegion, peerFac}, Facility: c.PeerFacility})
			attach := nodeOf(ic.AttachTo)
			if !m.hasEdge(attach, a.ID) {
				// One label says what the routers serve; repeated on each
				// of the edges fanning into a DX gateway they stacked up
				// and crossed.
				label := ""
				if !m.hasEdgeFrom(attach, "uplink") {
					label = ic.Name + " " + ip.Bandwidth
				}
				m.edge(&Edge{From: attach, To: a.ID, Label: label, Kind: "uplink", Attrs: []Attr{{"interconnect", ic.Name}, {"bandwidth", ip.Bandwidth}}})
			}
			attrs := []Attr{{"vlan", fmt.Sprint(c.VLAN)}, {"subnet", c.Subnet.String()}, {"aws_asn", fmt.Sprint(c.AWS.ASN)}, {"peer_asn", fmt.Sprint(c.Peer.ASN)}, {"mtu", fmt.Sprint(c.MTU)}, {"macsec", c.MACsecCipher}}
			if c.IPv6Subnet.IsValid() {
				attrs = append(attrs, Attr{"ipv6_subnet", c.IPv6Subnet.String()})
			}
			label := fmt.Sprintf("ch%d VLAN %d, MACsec\nAS%d ↔ AS%d\nMTU %d", c.Index, c.VLAN, c.AWS.ASN, c.Peer.ASN, c.MTU)
			if o.Details {
				label = fmt.Sprintf("ch%d", c.Index)
				m.detail(label, ic.Name, c.VLAN, c.Subnet, c.IPv6Subnet, c.AWS.ASN, c.Peer.ASN, c.MTU, "MACsec "+c.MACsecCipher)
			}
			m.edge(&Edge{From: a.ID, To: b.ID, Link: c.Name, Sessions: sessions(c.Name), families: families(c.Name), Kind: "channel", Attrs: attrs, Label: label})
			if !m.hasEdge(b.ID, peer) {
				m.edge(&Edge{From: b.ID, To: peer, Kind: "uplink"})
			}
		}
	}
	for _, lp := range p.LastMiles {
		lm := lookup(p, lp.LastMile).(*lang.LastMile)
		if o.Collapse {
			add(lm, fmt.Sprintf("%s\n%s %s\n%d connections", lm.Name, lp.Partner, lp.Bandwidth, len(lp.Connections)), "aws", lm.Region)
			m.edge(&Edge{From: nodeOf(lm.Site), To: lm.Ref().String(), Label: fmt.Sprintf("%s, MTU %d", lp.Bandwidth, lp.MTU), Kind: "last_mile",
				Attrs: []Attr{{"bandwidth", lp.Bandwidth}, {"mtu", fmt.Sprint(lp.MTU)}, {"connections", fmt.Sprint(len(lp.Connections))}}})
			m.edge(&Edge{From: lm.Ref().String(), To: nodeOf(lm.AttachTo), Kind: "uplink"})
			continue
		}
		for _, c := range lp.Connections {
			a := m.node(&Node{ID: c.AWS.Device, Kind: "router", Label: lastPart(c.AWS.Device), Cluster: awsFacility(facility(c.Location), lm.Region), Facility: c.Location})
			cr := m.node(&Node{ID: c.Customer.Device, Kind: "router", Label: c.Customer.Device, Cluster: []string{"onprem"}})
			macsec := ""
			if c.MACsec.Encrypts() {
				macsec = ", MACsec"
			}
			attrs := []Attr{{"vlan", fmt.Sprint(c.VLAN)}, {"subnet", c.Subnet.String()}, {"customer_asn", fmt.Sprint(c.Customer.ASN)}, {"aws_asn", fmt.Sprint(c.AWS.ASN)}, {"mtu", fmt.Sprint(c.MTU)}, {"macsec", c.MACsec.String()}}
			if c.IPv6Subnet.IsValid() {
				attrs = append(attrs, Attr{"ipv6_subnet", c.IPv6Subnet.String()})
			}
			label := fmt.Sprintf("conn%d VLAN %d%s\nAS%d ↔ AS%d\nMTU %d", c.Index, c.VLAN, macsec, c.Customer.ASN, c.AWS.ASN, c.MTU)
			if o.Details {
				label = fmt.Sprintf("conn%d", c.Index)
				m.detail(label, lm.Name, c.VLAN, c.Subnet, c.IPv6Subnet, c.Customer.ASN, c.AWS.ASN, c.MTU, strings.TrimSpace("MACsec "+c.MACsec.String()+" "+c.MACsecCipher))
			}
			m.edge(&Edge{From: cr.ID, To: a.ID, Link: c.Name, Sessions: sessions(c.Name), families: families(c.Name), Kind: "connection", Attrs: attrs, Label: label})
			attach := nodeOf(lm.AttachTo)
			if !m.hasEdge(a.ID, attach) {
				label := ""
				if !m.hasEdgeTo(attach, "uplink") {
					label = lm.Name + " " + lp.Bandwidth
				}
				m.edge(&Edge{From: a.ID, To: attach, Label: label, Kind: "uplink", Attrs: []Attr{{"last_mile", lm.Name}, {"bandwidth", lp.Bandwidth}}})
			}
			if !m.hasEdge(nodeOf(lm.Site), cr.ID) {
				m.edge(&Edge{From: nodeOf(lm.Site), To: cr.ID, Kind: "uplink"})
			}
		}
	}
	if do, ok := o.Overlay.(DeviceOverlay); ok {
		for _, n := range m.Nodes {
			if up, known := do.DeviceUp(n.ID); known && !up {
				n.Failed = true
			}
			if n.Facility != "" {
				if up, known := do.FacilityUp(n.Facility); known && !up {
					n.FacilityDown = true
				}
			}
		}
	}
	for _, e := range m.Edges {
		if o.Overlay != nil && e.Link != "" {
			if up, known := o.Overlay.LinkUp(e.Link); known && !up {
				e.Down = true
			}
		}
		// A dual-stack link's two sessions fail apart (a prefix limit on
		// one family leaves the other up), so its label names them and
		// says which is down; a dashed line alone could not.
		var fams []string
		for i, s := range e.Sessions {
			f := e.families[i]
			if o.Overlay != nil {
				if up, known := o.Overlay.SessionUp(s); known && !up {
					e.BGPDown = true
					f += " down"
				}
			}
			fams = append(fams, f)
		}
		if len(fams) > 1 {
			e.Label += "\nBGP " + strings.Join(fams, ", ")
		}
	}
	m.sort()
	return m
}

func (m *Model) hasEdgeFrom(from, kind string) bool {
	return slices.ContainsFunc(m.Edges, func(e *Edge) bool { return e.From == from && e.Kind == kind })
}

func (m *Model) hasEdgeTo(to, kind string) bool {
	return slices.ContainsFunc(m.Edges, func(e *Edge) bool { return e.To == to && e.Kind == kind })
}

// detail adds a row to the channel table of Options.Details.
func (m *Model) detail(name, of string, vlan int, v4, v6 netip.Prefix, asnA, asnB uint32, mtu int, macsec string) {
	if len(m.Details) == 0 {
		m.Details = [][]string{{"link", "of", "VLAN", "subnets", "ASNs", "MTU", "MACsec"}}
	}
	subnets := v4.String()
	if v6.IsValid() {
		subnets += ", " + v6.String()
	}
	m.Details = append(m.Details, []string{name, of, fmt.Sprint(vlan), subnets, fmt.Sprintf("AS%d ↔ AS%d", asnA, asnB), fmt.Sprint(mtu), strings.TrimPrefix(macsec, "MACsec ")})
}

func (m *Model) hasEdge(from, to string) bool {
	return slices.ContainsFunc(m.Edges, func(e *Edge) bool { return e.From == from && e.To == to })
}

// sort orders nodes by cluster path then id, edges by ends: output never
// depends on map order or declaration accidents.
func (m *Model) sort() {
	slices.SortStableFunc(m.Nodes, func(a, b *Node) int {
		return cmp.Or(slices.Compare(a.Cluster, b.Cluster), strings.Compare(a.ID, b.ID))
	})
	slices.SortStableFunc(m.Edges, func(a, b *Edge) int {
		return cmp.Or(strings.Compare(a.From, b.From), strings.Compare(a.To, b.To), strings.Compare(a.Link, b.Link))
	})
}

// familyName is how a drawing names a session's address family.
func familyName(af []string) string {
	switch {
	case slices.Equal(af, []string{"ipv4-unicast"}):
		return "IPv4"
	case slices.Equal(af, []string{"ipv6-unicast"}):
		return "IPv6"
	}
	return strings.Join(af, "+")
}

func lookup(p *planner.Plan, r lang.Ref) lang.Resource {
	x, _ := p.Resource(r)
	return x
}

func joinPrefixes(ps []netip.Prefix) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, ", ")
}

func facility(id string) string {
	_, f, _ := strings.Cut(id, "/")
	return f
}

func lastPart(id string) string {
	return id[strings.LastIndexByte(id, '/')+1:]
}
