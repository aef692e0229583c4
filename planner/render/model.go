// Package render draws a Plan: a deterministic DOT writer of our own and a
// Mermaid flowchart, from one model of nodes, edges and clusters, so both
// formats show the same thing. Clusters go cloud → region → facility.
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

// Node is one box of the drawing.
type Node struct {
	ID      string
	Kind    string // a resource kind, or "router", "group"
	Label   string
	Cluster []string // outermost first: cloud, region, facility
	Finding lang.Severity
	Rules   []string // rules of the findings on the resource
	HasFind bool
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
}

// Model is a drawing before it is written.
type Model struct {
	Nodes     []*Node
	Edges     []*Edge
	Direction string
	byID      map[string]*Node
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
	m := &Model{Direction: "LR", byID: map[string]*Node{}}
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
			add(v, fmt.Sprintf("%s\n%s\nMTU %d", v.Name, joinPrefixes(v.CIDRs), v.MTU), "aws", v.Region)
		}
	}
	for _, v := range d.GCPVPCs {
		add(v, fmt.Sprintf("%s\n%s\nMTU %d", v.Name, joinPrefixes(v.CIDRs), v.MTU), "gcp", v.Region)
	}
	for _, s := range d.Sites {
		add(s, fmt.Sprintf("%s\n%s\nAS%d", s.Name, joinPrefixes(s.CIDRs), s.ASN), "onprem")
	}
	for _, g := range d.VPNGateways {
		region := ""
		for _, a := range p.AttachmentsOf(g.Ref()) {
			if x, ok := lookup(p, a.B).(*lang.VPC); ok {
				region = x.Region
			}
		}
		add(g, fmt.Sprintf("%s\nVGW AS%d", g.Name, g.ASN), "aws", region)
	}
	for _, g := range d.DXGateways {
		add(g, fmt.Sprintf("%s\nDX gateway AS%d", g.Name, g.ASN), "aws")
	}
	for _, g := range d.TransitGateways {
		add(g, fmt.Sprintf("%s\nTGW AS%d", g.Name, g.ASN), "aws", g.Region)
	}
	for _, cn := range d.CoreNetworks {
		var regions []string
		for _, e := range cn.Edges {
			regions = append(regions, e.Region)
		}
		add(cn, fmt.Sprintf("%s\nCloud WAN\n%s", cn.Name, strings.Join(regions, ", ")), "aws")
	}
	for _, a := range d.Attachments {
		label := string(a.Kind)
		if a.Segment != "" {
			label += "\nsegment " + a.Segment
		}
		if x, ok := lookup(p, a.A).(*lang.VPC); ok && x.MTU > 8500 && (a.Kind == lang.AttachVPCTGW || a.Kind == lang.AttachVPCCloudWAN) {
			label += "\nMTU 8500" // where the path shrinks
		}
		from, to := nodeOf(a.A), nodeOf(a.B)
		if from == to {
			continue
		}
		if strings.HasPrefix(from, "group.") && m.hasEdge(from, to) {
			continue // one edge from a group
		}
		m.edge(&Edge{From: from, To: to, Label: label})
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

	for _, ip := range p.Interconnects {
		ic := ip.Declared
		peer := nodeOf(ic.Peer)
		if o.Collapse {
			add(ic, fmt.Sprintf("%s\n%s %s\n%d channels", ic.Name, ip.Provider, ip.Bandwidth, len(ip.Channels)), "aws", ic.AWSRegion)
			m.edge(&Edge{From: nodeOf(ic.AttachTo), To: ic.Ref().String(), Label: fmt.Sprintf("AS%d", ip.AWSASN)})
			m.edge(&Edge{From: ic.Ref().String(), To: peer, Label: fmt.Sprintf("%s, MTU %d\nAS%d ↔ AS%d", ip.Bandwidth, ip.MTU, ip.AWSASN, ip.PeerASN)})
			continue
		}
		for _, c := range ip.Channels {
			awsFac, peerFac := facility(c.AWSFacility), facility(c.PeerFacility)
			a := m.node(&Node{ID: c.AWS.Device, Kind: "router", Label: lastPart(c.AWS.Device), Cluster: []string{"aws", ic.AWSRegion, awsFac}})
			b := m.node(&Node{ID: c.Peer.Device, Kind: "router", Label: lastPart(c.Peer.Device), Cluster: []string{ic.Provider, ic.PeerRegion, peerFac}})
			if !m.hasEdge(nodeOf(ic.AttachTo), a.ID) {
				m.edge(&Edge{From: nodeOf(ic.AttachTo), To: a.ID, Label: ic.Name + " " + ip.Bandwidth})
			}
			m.edge(&Edge{From: a.ID, To: b.ID, Link: c.Name, Sessions: sessions(c.Name), families: families(c.Name),
				Label: fmt.Sprintf("ch%d VLAN %d, MACsec\nAS%d ↔ AS%d, MTU %d", c.Index, c.VLAN, c.AWS.ASN, c.Peer.ASN, c.MTU)})
			if !m.hasEdge(b.ID, peer) {
				m.edge(&Edge{From: b.ID, To: peer})
			}
		}
	}
	for _, lp := range p.LastMiles {
		lm := lookup(p, lp.LastMile).(*lang.LastMile)
		if o.Collapse {
			add(lm, fmt.Sprintf("%s\n%s %s\n%d connections", lm.Name, lp.Partner, lp.Bandwidth, len(lp.Connections)), "aws", lm.Region)
			m.edge(&Edge{From: nodeOf(lm.Site), To: lm.Ref().String(), Label: fmt.Sprintf("%s, MTU %d", lp.Bandwidth, lp.MTU)})
			m.edge(&Edge{From: lm.Ref().String(), To: nodeOf(lm.AttachTo)})
			continue
		}
		for _, c := range lp.Connections {
			a := m.node(&Node{ID: c.AWS.Device, Kind: "router", Label: lastPart(c.AWS.Device), Cluster: []string{"aws", lm.Region, facility(c.Location)}})
			cr := m.node(&Node{ID: c.Customer.Device, Kind: "router", Label: c.Customer.Device, Cluster: []string{"onprem"}})
			macsec := ""
			if c.MACsec != "no_encrypt" {
				macsec = ", MACsec"
			}
			m.edge(&Edge{From: cr.ID, To: a.ID, Link: c.Name, Sessions: sessions(c.Name), families: families(c.Name),
				Label: fmt.Sprintf("conn%d VLAN %d%s\nAS%d ↔ AS%d, MTU %d", c.Index, c.VLAN, macsec, c.Customer.ASN, c.AWS.ASN, c.MTU)})
			if !m.hasEdge(a.ID, nodeOf(lm.AttachTo)) {
				m.edge(&Edge{From: a.ID, To: nodeOf(lm.AttachTo), Label: lm.Name + " " + lp.Bandwidth})
			}
			if !m.hasEdge(nodeOf(lm.Site), cr.ID) {
				m.edge(&Edge{From: nodeOf(lm.Site), To: cr.ID})
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
