package lang

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"patchbay/stdlib"
)

// Kind names a resource type. The names are the Starlark builtins and the HCL
// block types, so a reference reads the same in both languages.
type Kind string

const (
	KindVPC           Kind = "vpc"
	KindRouteTable    Kind = "route_table"
	KindGCPVPC        Kind = "gcp_vpc"
	KindSite          Kind = "site"
	KindVPNGateway    Kind = "vpn_gateway"
	KindDXGateway     Kind = "dx_gateway"
	KindTransitGW     Kind = "transit_gateway"
	KindTGWRouteTable Kind = "tgw_route_table"
	KindCoreNetwork   Kind = "core_network"
	KindAttachment    Kind = "attachment"
	KindInterconnect  Kind = "interconnect"
	KindLastMile      Kind = "last_mile"
	KindMonitor       Kind = "monitor"
)

// Kinds lists every kind in the order reports print them: networks first,
// then gateways, then what connects them.
var Kinds = []Kind{
	KindVPC, KindRouteTable, KindGCPVPC, KindSite, KindVPNGateway, KindDXGateway,
	KindTransitGW, KindTGWRouteTable, KindCoreNetwork, KindAttachment,
	KindInterconnect, KindLastMile, KindMonitor, KindScenario, KindObjective,
}

// Ref names a resource by kind and name. It is comparable and prints as the
// address both languages use ("vpc.payments").
type Ref struct {
	Kind Kind
	Name string
}

func (r Ref) String() string {
	if r.Kind == "" {
		return ""
	}
	return string(r.Kind) + "." + r.Name
}

// IsZero reports whether r refers to nothing.
func (r Ref) IsZero() bool { return r.Kind == "" }

func (r Ref) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

func (r *Ref) UnmarshalText(b []byte) error {
	k, n, ok := strings.Cut(string(b), ".")
	if !ok && len(b) > 0 {
		return fmt.Errorf("reference %q: want kind.name", b)
	}
	*r = Ref{Kind(k), n}
	return nil
}

// Resource is anything a design declares.
type Resource interface {
	Ref() Ref
	Source() Range
	// Seq is the declaration's place in the order the script ran, across
	// files: "declared later" means a larger Seq, wherever the file.
	Seq() int
	setSeq(int)
}

// Meta is what every resource has: its name and where it was declared.
type Meta struct {
	Name  string `json:"name"`
	Range Range  `json:"source"`
	seq   int
}

func (m *Meta) Source() Range { return m.Range }
func (m *Meta) Seq() int      { return m.seq }
func (m *Meta) setSeq(n int)  { m.seq = n }

// Network is a resource that owns address space: AWS VPCs, Google Cloud VPCs
// and on-premises sites. Overlap and path checks work on networks.
type Network interface {
	Resource
	Addresses() (v4, v6 []netip.Prefix)
	MaxMTU() int
}

// VPC is an AWS VPC.
type VPC struct {
	Meta
	Region string         `json:"region"`
	CIDRs  []netip.Prefix `json:"cidrs"`
	IPv6   []netip.Prefix `json:"ipv6_cidrs,omitempty"`
	MTU    int            `json:"mtu"`
}

func (v *VPC) Ref() Ref                           { return Ref{KindVPC, v.Name} }
func (v *VPC) Addresses() (v4, v6 []netip.Prefix) { return v.CIDRs, v.IPv6 }
func (v *VPC) MaxMTU() int                        { return v.MTU }

// Route is one entry of a VPC or TGW route table. Exactly one of Target and
// Blackhole is set.
type Route struct {
	Destination netip.Prefix `json:"destination"`
	Target      Ref          `json:"target,omitzero"`
	Blackhole   bool         `json:"blackhole,omitempty"`
	Range       Range        `json:"source"`
}

// RouteTable is a VPC route table. Its name is unique within its VPC.
type RouteTable struct {
	Meta
	VPC    Ref     `json:"vpc"`
	Routes []Route `json:"routes,omitempty"`
	// Propagations are the virtual private gateways whose routes the
	// table takes (route propagation): what Direct Connect brings them,
	// behind the table's static routes for the same prefix.
	Propagations []Ref `json:"propagations,omitempty"`
}

func (t *RouteTable) Ref() Ref { return Ref{KindRouteTable, t.VPC.Name + "/" + t.Name} }

// GCPVPC is a Google Cloud VPC network (the peer side of a multicloud Interconnect).
type GCPVPC struct {
	Meta
	Project string         `json:"project"`
	Region  string         `json:"region"`
	CIDRs   []netip.Prefix `json:"cidrs"`
	IPv6    []netip.Prefix `json:"ipv6_cidrs,omitempty"`
	MTU     int            `json:"mtu"`
	ASN     uint32         `json:"asn"`
}

func (g *GCPVPC) Ref() Ref                           { return Ref{KindGCPVPC, g.Name} }
func (g *GCPVPC) Addresses() (v4, v6 []netip.Prefix) { return g.CIDRs, g.IPv6 }
func (g *GCPVPC) MaxMTU() int                        { return g.MTU }

// Site is an on-premises network reached over a last-mile connection. Its
// CIDRs are what its routers advertise.
type Site struct {
	Meta
	CIDRs []netip.Prefix `json:"cidrs"`
	IPv6  []netip.Prefix `json:"ipv6_cidrs,omitempty"`
	ASN   uint32         `json:"asn"`
	MTU   int            `json:"mtu"`
	// SinglePath: the site's router installs one best path per prefix
	// (BGP multipath off), not every equal one from AWS's AS.
	SinglePath bool `json:"single_path,omitempty"`
}

func (s *Site) Ref() Ref                           { return Ref{KindSite, s.Name} }
func (s *Site) Addresses() (v4, v6 []netip.Prefix) { return s.CIDRs, s.IPv6 }
func (s *Site) MaxMTU() int                        { return s.MTU }

// VPNGateway is a virtual private gateway; it serves at most one VPC.
type VPNGateway struct {
	Meta
	ASN uint32 `json:"asn"`
}

func (g *VPNGateway) Ref() Ref { return Ref{KindVPNGateway, g.Name} }

// DXGateway is a Direct Connect gateway: a global control-plane object that
// joins VIFs and Interconnects to VGWs, TGWs or Cloud WAN.
type DXGateway struct {
	Meta
	ASN uint32 `json:"asn"`
}

func (g *DXGateway) Ref() Ref { return Ref{KindDXGateway, g.Name} }

// TransitGateway is a regional AWS Transit Gateway.
type TransitGateway struct {
	Meta
	Region             string         `json:"region"`
	ASN                uint32         `json:"asn"`
	CIDRBlocks         []netip.Prefix `json:"cidr_blocks,omitempty"`
	DefaultAssociation bool           `json:"default_association"`
	DefaultPropagation bool           `json:"default_propagation"`
}

func (g *TransitGateway) Ref() Ref { return Ref{KindTransitGW, g.Name} }

// TGWRouteTable is a Transit Gateway route table. Each attachment is
// associated with at most one table and may propagate to several.
type TGWRouteTable struct {
	Meta
	TGW          Ref     `json:"transit_gateway"`
	Routes       []Route `json:"routes,omitempty"`
	Associations []Ref   `json:"associations,omitempty"`
	Propagations []Ref   `json:"propagations,omitempty"`
}

func (t *TGWRouteTable) Ref() Ref { return Ref{KindTGWRouteTable, t.TGW.Name + "/" + t.Name} }

// ASNRange is an inclusive range of BGP AS numbers.
type ASNRange struct {
	Low, High uint32
}

func (a ASNRange) Contains(asn uint32) bool     { return asn >= a.Low && asn <= a.High }
func (a ASNRange) String() string               { return fmt.Sprintf("%d-%d", a.Low, a.High) }
func (a ASNRange) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// Edge is a Cloud WAN core network edge (one per region).
type Edge struct {
	Region string `json:"region"`
	ASN    uint32 `json:"asn"`
	Range  Range  `json:"source"`
}

// Segment is a Cloud WAN segment: a routing domain across the edges.
type Segment struct {
	Name               string   `json:"name"`
	EdgeRegions        []string `json:"edge_regions,omitempty"` // empty: every edge
	IsolateAttachments bool     `json:"isolate_attachments"`
	RequireAcceptance  bool     `json:"require_attachment_acceptance"`
	Range              Range    `json:"source"`
}

// SegmentActionKind is one of the Cloud WAN policy's segment actions.
type SegmentActionKind string

const (
	ActionShare       SegmentActionKind = "share"
	ActionSendTo      SegmentActionKind = "send-to"
	ActionSendVia     SegmentActionKind = "send-via"
	ActionCreateRoute SegmentActionKind = "create-route"
)

// SegmentAction is one segment action of a core network policy.
type SegmentAction struct {
	Action       SegmentActionKind `json:"action"`
	Segment      string            `json:"segment"`
	ShareWith    []string          `json:"share_with,omitempty"`   // share; "*" means every segment
	Via          []string          `json:"via,omitempty"`          // send-to / send-via: network function groups
	WhenSentTo   []string          `json:"when_sent_to,omitempty"` // send-via
	Mode         string            `json:"mode,omitempty"`         // send-via: single-hop | dual-hop
	Destinations []netip.Prefix    `json:"destinations,omitempty"` // create-route
	Target       Ref               `json:"target,omitzero"`        // create-route: an attachment
	Blackhole    bool              `json:"blackhole,omitempty"`    // create-route
	Range        Range             `json:"source"`
}

// CoreNetwork is an AWS Cloud WAN core network with its policy.
type CoreNetwork struct {
	Meta
	ASNRanges             []ASNRange      `json:"asn_ranges"`
	Edges                 []Edge          `json:"edges"`
	Segments              []Segment       `json:"segments"`
	NetworkFunctionGroups []string        `json:"network_function_groups,omitempty"`
	Actions               []SegmentAction `json:"segment_actions,omitempty"`
}

func (c *CoreNetwork) Ref() Ref { return Ref{KindCoreNetwork, c.Name} }

// Segment returns the segment with the given name, or nil.
func (c *CoreNetwork) Segment(name string) *Segment {
	for i := range c.Segments {
		if c.Segments[i].Name == name {
			return &c.Segments[i]
		}
	}
	return nil
}

// SegmentNames lists the segments' names in declaration order.
func (c *CoreNetwork) SegmentNames() []string {
	out := make([]string, len(c.Segments))
	for i, s := range c.Segments {
		out[i] = s.Name
	}
	return out
}

// Spans reports whether the segment reaches the edge in region: every
// edge, unless it names some (EdgeRegions).
func (s *Segment) Spans(region string) bool {
	return len(s.EdgeRegions) == 0 || slices.Contains(s.EdgeRegions, region)
}

// Edge returns the edge in region, or nil.
func (c *CoreNetwork) Edge(region string) *Edge {
	for i := range c.Edges {
		if c.Edges[i].Region == region {
			return &c.Edges[i]
		}
	}
	return nil
}

// AttachmentKind says what an attachment joins; the two ends are stored in
// the order the kind's name gives.
type AttachmentKind string

const (
	AttachVPCTGW      AttachmentKind = "vpc-tgw"
	AttachVPCCloudWAN AttachmentKind = "vpc-cloudwan"
	AttachVGWVPC      AttachmentKind = "vgw-vpc"
	AttachDXGWVGW     AttachmentKind = "dxgw-vgw"
	AttachDXGWTGW     AttachmentKind = "dxgw-tgw"
	AttachDXGWWAN     AttachmentKind = "dxgw-cloudwan"
	AttachTGWCloudWAN AttachmentKind = "tgw-cloudwan"
	AttachTGWPeering  AttachmentKind = "tgw-peering"
)

// Attachment joins two resources. A is the first kind of the pair, B the second.
type Attachment struct {
	Meta
	Kind            AttachmentKind `json:"kind"`
	A               Ref            `json:"a"`
	B               Ref            `json:"b"`
	Segment         string         `json:"segment,omitempty"`
	AllowedPrefixes []netip.Prefix `json:"allowed_prefixes,omitempty"`
	// NetworkFunctionGroup puts a VPC attachment of a core network in one
	// of its network function groups instead of a segment.
	NetworkFunctionGroup string `json:"network_function_group,omitempty"`
}

func (a *Attachment) Ref() Ref { return Ref{KindAttachment, a.Name} }

// Other returns the end of a that is not r.
func (a *Attachment) Other(r Ref) Ref {
	if a.A == r {
		return a.B
	}
	return a.A
}

// Interconnect is an AWS Interconnect – multicloud connection.
type Interconnect struct {
	Meta
	Provider   string           `json:"provider"`
	AWSRegion  string           `json:"aws_region"`
	PeerRegion string           `json:"peer_region"`
	Bandwidth  stdlib.Bandwidth `json:"bandwidth"`
	AttachTo   Ref              `json:"attach_to"`
	Segment    string           `json:"segment,omitempty"`
	Peer       Ref              `json:"peer"`
	MTU        int              `json:"mtu,omitempty"` // requested; 0 negotiates the highest both support
	// Devices places the channels on AWS routers ("fac-a/r1"), one channel
	// each; empty lets the planner spread them over two facilities.
	Devices []string `json:"devices,omitempty"`
	// MACsecCipher is the cipher suite of the channels' MACsec, one of
	// GCM-AES-128, GCM-AES-256, GCM-AES-XPN-128, GCM-AES-XPN-256; AWS as
	// the manager picks it, so "" means the catalog's default.
	MACsecCipher string `json:"macsec_cipher,omitempty"`
}

func (i *Interconnect) Ref() Ref { return Ref{KindInterconnect, i.Name} }

// LastMile is an AWS Interconnect – last mile connection from a site through a partner.
type LastMile struct {
	Meta
	Partner   string           `json:"partner"`
	Region    string           `json:"region"`
	Bandwidth stdlib.Bandwidth `json:"bandwidth"`
	Site      Ref              `json:"site"`
	AttachTo  Ref              `json:"attach_to"`
	MACsec    bool             `json:"macsec"`
	// BFD is whether the customer's router runs BFD on the sessions; AWS
	// always offers it, so without it only the BGP hold timer detects a
	// failure.
	BFD bool `json:"bfd"`
	// MACsecMode is no_encrypt, should_encrypt or must_encrypt; "" means
	// the catalog's default when MACsec is on.
	MACsecMode stdlib.MACsecMode `json:"macsec_mode,omitempty"`
	// MACsecCipher as for Interconnect; "" means the catalog's default.
	MACsecCipher string `json:"macsec_cipher,omitempty"`
}

func (l *LastMile) Ref() Ref { return Ref{KindLastMile, l.Name} }

// Monitor is a network synthetic monitor probing between two networks.
type Monitor struct {
	Meta
	From     Ref    `json:"from"`
	To       Ref    `json:"to"`
	Interval string `json:"interval"`
}

func (m *Monitor) Ref() Ref { return Ref{KindMonitor, m.Name} }
