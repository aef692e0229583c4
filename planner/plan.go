// Package planner turns a Design into a Plan: references resolved, the
// topology as a graph, and the structure the managed services would build
// (Interconnect channels over facilities, last-mile connections, BGP
// sessions, Transit Gateway default route tables, Cloud WAN edge mesh).
package planner

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"

	"patchbay/lang"
	"patchbay/stdlib"
)

// Plan is a Design with everything derived from it.
type Plan struct {
	Design        *lang.Design
	Interconnects []*InterconnectPlan
	LastMiles     []*LastMilePlan
	Sessions      []*Session
	TGWTables     []*TGWTablePlan
	CoreNetworks  []*CoreNetworkPlan
	Summary       GraphSummary
	Findings      lang.Diagnostics

	// graph is the resources and what joins them; Summary describes it
	// and the topology, not the graph, is what routing follows.
	graph places
	// topo is derived on first use (Topology): validating a design
	// without paths to check reads none of it, and it is a third of
	// planning a large one.
	topo        *Topology
	topoOnce    sync.Once
	scenarios   []*ResolvedScenario
	links       links
	unaddressed int // connections the allocator could not address
}

// Side is one end of a derived link.
type Side struct {
	Device  string     `json:"device"`
	ASN     uint32     `json:"asn"`
	Address netip.Addr `json:"address"`
	// RouterID is the device's BGP Identifier, one for all its sessions
	// (RFC 4271 §4.2: "the same for every local interface and BGP peer"):
	// the lowest IPv4 address it peers from (estimated; routers pick an
	// interface or loopback address by their own rules).
	RouterID netip.Addr `json:"router_id"`
}

// Channel is one LAG of an Interconnect, between one router of each
// provider in one facility each (the open specification's Channel with its
// L3 Feature).
type Channel struct {
	Name          string       `json:"name"`
	Index         int          `json:"index"`
	AWSFacility   string       `json:"aws_facility"`
	PeerFacility  string       `json:"peer_facility"`
	AWS           Side         `json:"aws"`
	Peer          Side         `json:"peer"`
	VLAN          int          `json:"vlan"`
	Subnet        netip.Prefix `json:"subnet"`
	MTU           int          `json:"mtu"`
	MACsecManager string       `json:"macsec_manager"`
	// MACsecCipher is the suite the manager runs: the declared one, else
	// the catalog's.
	MACsecCipher string `json:"macsec_cipher"`
	// PortSpeed is the standard port each member link needs (see
	// portSpeed); "" when none is large enough.
	PortSpeed string `json:"port_speed,omitempty"`
	// Session is the IPv4 BGP session; IPv6Session the IPv6 one over
	// IPv6Subnet's addresses, when the peer network has IPv6.
	Session     string       `json:"session"`
	IPv6Session string       `json:"ipv6_session,omitempty"`
	IPv6Subnet  netip.Prefix `json:"ipv6_subnet,omitzero"`
}

// InterconnectPlan is what one multicloud Interconnect becomes.
type InterconnectPlan struct {
	Declared     *lang.Interconnect `json:"-"`
	Interconnect lang.Ref           `json:"interconnect"`
	Environment  string             `json:"environment"`
	Provider     string             `json:"provider"`
	AWSRegion    string             `json:"aws_region"`
	PeerRegion   string             `json:"peer_region"`
	Bandwidth    string             `json:"bandwidth"`
	AWSASN       uint32             `json:"aws_asn"`
	PeerASN      uint32             `json:"peer_asn"`
	MTU          int                `json:"mtu"`
	IPv6         bool               `json:"ipv6"`
	Facilities   []string           `json:"facilities"`
	Channels     []*Channel         `json:"channels"`
	Monitor      string             `json:"monitor"`
}

// Connection is one of the redundant last-mile connections.
type Connection struct {
	Name     string       `json:"name"`
	Index    int          `json:"index"`
	Location string       `json:"location"`
	AWS      Side         `json:"aws"`
	Customer Side         `json:"customer"`
	VLAN     int          `json:"vlan"`
	Subnet   netip.Prefix `json:"subnet"`
	MTU      int          `json:"mtu"`
	// MACsec is the mode.
	MACsec stdlib.MACsecMode `json:"macsec"`
	// MACsecCipher is "" when MACsec is off (no_encrypt): no suite runs.
	MACsecCipher string `json:"macsec_cipher,omitempty"`
	PortSpeed    string `json:"port_speed,omitempty"`
	// Session and IPv6Session are as a Channel's: the IPv6 one when the
	// site has IPv6.
	Session     string       `json:"session"`
	IPv6Session string       `json:"ipv6_session,omitempty"`
	IPv6Subnet  netip.Prefix `json:"ipv6_subnet,omitzero"`
}

// LastMilePlan is what one last-mile connection request becomes.
type LastMilePlan struct {
	LastMile    lang.Ref      `json:"last_mile"`
	Partner     string        `json:"partner"`
	Region      string        `json:"region"`
	Bandwidth   string        `json:"bandwidth"`
	VIF         string        `json:"vif"`
	MTU         int           `json:"mtu"`
	Locations   []string      `json:"locations"`
	Connections []*Connection `json:"connections"`
}

// Session is a derived eBGP session. Each carries one address family:
// Direct Connect runs "a single IPv4 BGP peering session and a single IPv6
// BGP peering session" per virtual interface and "Multi-protocol BGP is
// not supported"
// (https://docs.aws.amazon.com/directconnect/latest/UserGuide/add-peer-to-vif.html, read 2026-12),
// so a dual-stack channel or connection has two, named after it and with
// "/ipv6" after the name, both Over it.
type Session struct {
	Name          string   `json:"name"`
	Over          string   `json:"over"`
	Local         Side     `json:"local"`
	Peer          Side     `json:"peer"`
	HoldTime      int      `json:"hold_time"`
	Keepalive     int      `json:"keepalive"`
	BFD           *BFD     `json:"bfd,omitempty"`
	AddressFamily []string `json:"address_families"`
	MultihopTTL   int      `json:"ttl"`
}

// BFD is the detection a session runs.
type BFD struct {
	MinIntervalMS int `json:"min_interval_ms"`
	Multiplier    int `json:"multiplier"`
	DetectionMS   int `json:"detection_ms"`
}

// TGWTablePlan is a Transit Gateway route table after default association
// and propagation have been applied.
type TGWTablePlan struct {
	Table        string     `json:"table"`
	TGW          lang.Ref   `json:"transit_gateway"`
	Default      bool       `json:"default"`
	Associations []lang.Ref `json:"associations"`
	Propagations []lang.Ref `json:"propagations"`
	StaticRoutes int        `json:"static_routes"`

	// associated and propagated are the resources Associations and
	// Propagations name, when planning made the table from them: a hub's
	// default table has thousands, each a lookup by name otherwise.
	associated, propagated []lang.Resource
	// declared is the design's table, nil for a gateway's default one.
	declared *lang.TGWRouteTable
}

// CoreNetworkPlan is a Cloud WAN core network's edges and their full mesh.
type CoreNetworkPlan struct {
	CoreNetwork lang.Ref    `json:"core_network"`
	Edges       []lang.Edge `json:"edges"`
	Mesh        [][2]string `json:"mesh"`
	Attachments int         `json:"attachments"`
}

// Option adjusts planning.
type Option func(*options)

type options struct {
	quotas map[string]int64
}

// WithQuota overrides a service limit of the catalog (for an account whose
// limit was raised). Unknown keys are reported by CheckQuotaKey.
func WithQuota(key string, value int64) Option {
	return func(o *options) { o.quotas[key] = value }
}

// CheckQuotaKey reports whether key names a quota of the catalog.
func CheckQuotaKey(key string) error {
	if _, ok := cat().Quota(key); ok {
		return nil
	}
	keys := make([]string, len(cat().Quotas))
	for i, q := range cat().Quotas {
		keys[i] = q.Key
	}
	return fmt.Errorf("no quota %q; known quotas: %s", key, strings.Join(keys, ", "))
}

// CheckQuota reports whether --quota key=value can stand for an account's
// limit: key names a quota of the catalog, and value raises it only if AWS
// raises it on request. A limit AWS does not raise is the same for every
// account, so a higher value would pass designs AWS refuses; a lower one
// is a stricter check, and allowed.
func CheckQuota(key string, value int64) error {
	if err := CheckQuotaKey(key); err != nil {
		return err
	}
	if q, _ := cat().Quota(key); !q.CanRaise() && value > q.Value {
		return fmt.Errorf("%s is %d and AWS does not raise it (%s, %s): a value may lower it, not raise it", key, q.Value, q.Source, q.Date)
	}
	return nil
}

// New plans a design and validates it. Problems it finds are in
// Plan.Findings; it fails only on designs no front-end should produce
// (dangling references).
func New(d *lang.Design, opts ...Option) (*Plan, error) {
	o := options{quotas: map[string]int64{}}
	for _, opt := range opts {
		opt(&o)
	}
	p := &Plan{Design: d}
	ends, ds := resolve(d)
	if ds.HasErrors() {
		return nil, ds
	}
	p.links = newLinks(d, ends)
	p.buildGraph()
	a := newAllocator()
	for _, ic := range d.Interconnects {
		p.deriveInterconnect(ic, a)
	}
	for _, lm := range d.LastMiles {
		p.deriveLastMile(lm, a)
	}
	if p.unaddressed > 1 {
		f := &p.Findings[len(p.Findings)-1]
		f.Summary += fmt.Sprintf(" (%d connections in all could not be addressed)", p.unaddressed)
	}
	p.assignRouterIDs()
	p.deriveTGWTables()
	p.deriveCoreNetworks()
	p.resolveScenarios()
	p.summarise()
	p.validate(o.quotas)
	p.Findings.Sort()
	return p, nil
}

// Resource returns the declared resource a reference names.
func (p *Plan) Resource(r lang.Ref) (lang.Resource, bool) { return p.Design.Lookup(r) }

// Topology is the design as devices, links, routing tables and the
// relations between them, from which every route follows.
func (p *Plan) Topology() *Topology {
	p.topoOnce.Do(p.deriveTopology)
	return p.topo
}

// resolve checks that every reference names a declared resource of an
// allowed kind. The Starlark front-end guarantees it; this keeps the planner
// honest for any other producer of Designs.
// It returns, by Seq, the ends of every attachment and each route table's
// VPC (first), nil where a reference dangles: the planner asks for them
// again and again.
func resolve(d *lang.Design) ([][2]lang.Resource, lang.Diagnostics) {
	var ds lang.Diagnostics
	ends := make([][2]lang.Resource, d.Len())
	// Routes name the same target again and again: remember the last.
	var last lang.Ref
	var lastRes lang.Resource
	check := func(from lang.Resource, r lang.Ref, what string, kinds ...lang.Kind) lang.Resource {
		x, ok := lastRes, lastRes != nil && r == last
		if !ok {
			x, ok = d.Lookup(r)
			if ok {
				last, lastRes = r, x
			}
		}
		if !ok {
			ds = append(ds, lang.Diagnostic{Rule: "reference", Range: from.Source(),
				Summary: fmt.Sprintf("%s: %s refers to %s, which is not declared", from.Ref(), what, r)})
			return nil
		}
		if len(kinds) > 0 && !slices.Contains(kinds, x.Ref().Kind) {
			ds = append(ds, lang.Diagnostic{Rule: "reference", Range: from.Source(),
				Summary: fmt.Sprintf("%s: %s must be %s, not %s", from.Ref(), what, lang.OrList(kinds), r.Kind)})
		}
		return x
	}
	for _, a := range d.Attachments {
		ends[a.Seq()] = [2]lang.Resource{check(a, a.A, "a"), check(a, a.B, "b")}
		if kind, swapped, _, err := lang.ClassifyAttachment(a.A.Kind, a.B.Kind); err != nil || swapped || kind != a.Kind {
			ds = append(ds, lang.Diagnostic{Rule: "reference", Range: a.Source(),
				Summary: fmt.Sprintf("%s: a %s attachment cannot join %s and %s", a.Ref(), a.Kind, a.A, a.B)})
		}
	}
	for _, t := range d.RouteTables {
		ends[t.Seq()][0] = check(t, t.VPC, "vpc", lang.KindVPC)
		for _, r := range t.Routes {
			if !r.Target.IsZero() {
				check(t, r.Target, "route target", lang.KindTransitGW, lang.KindVPNGateway, lang.KindCoreNetwork)
			}
		}
	}
	for _, t := range d.TGWRouteTables {
		check(t, t.TGW, "transit_gateway", lang.KindTransitGW)
		for _, r := range slices.Concat(t.Associations, t.Propagations) {
			check(t, r, "association or propagation", lang.KindAttachment, lang.KindInterconnect)
		}
		for _, r := range t.Routes {
			if !r.Target.IsZero() {
				check(t, r.Target, "route target", lang.KindAttachment, lang.KindInterconnect)
			}
		}
	}
	for _, ic := range d.Interconnects {
		check(ic, ic.AttachTo, "attach_to", lang.InterconnectAttachKinds...)
		check(ic, ic.Peer, "peer", lang.KindGCPVPC)
	}
	for _, lm := range d.LastMiles {
		check(lm, lm.AttachTo, "attach_to", lang.LastMileAttachKinds...)
		check(lm, lm.Site, "site", lang.KindSite)
	}
	for _, m := range d.Monitors {
		check(m, m.From, "source", lang.KindVPC, lang.KindGCPVPC, lang.KindSite)
		check(m, m.To, "destination", lang.KindVPC, lang.KindGCPVPC, lang.KindSite)
	}
	for _, o := range d.Objectives {
		check(o, o.From, "source", lang.KindVPC, lang.KindGCPVPC, lang.KindSite)
		check(o, o.To, "destination", lang.KindVPC, lang.KindGCPVPC, lang.KindSite)
	}
	for _, cn := range d.CoreNetworks {
		for _, a := range cn.Actions {
			if !a.Target.IsZero() {
				check(cn, a.Target, "create-route target", lang.KindAttachment)
			}
		}
	}
	return ends, ds
}

func cat() *stdlib.Catalog { return stdlib.Default() }
