package starlark

import (
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"

	"patchbay/lang"
	"patchbay/stdlib"
)

// builder collects the design while a script runs. It lives in the thread
// and is only reached through builtins, so scripts cannot mutate a design
// except by declaring.
type builder struct {
	design *lang.Design
	values map[lang.Ref]*Resource
	ranges func(thread *starlark.Thread) lang.Range
}

const builderKey = "patchbay.builder"

// add records a resource and returns its script value.
func (b *builder) add(res lang.Resource, attrs starlark.StringDict) (*Resource, error) {
	if err := b.design.Add(res); err != nil {
		return nil, err
	}
	v := newResource(res, attrs)
	b.values[res.Ref()] = v
	return v, nil
}

func (b *builder) value(r lang.Ref) starlark.Value {
	if v, ok := b.values[r]; ok {
		return v
	}
	return starlark.None
}

func cat() *stdlib.Catalog { return stdlib.Default() }

// builtins is every function the language adds to Starlark, in the order
// `patchbay doc` lists them.
var builtins []*builtin

func init() {
	builtins = []*builtin{
		{name: "vpc", summary: "An AWS VPC.", returns: "vpc", impl: vpcFn, params: []param{
			{name: "name", typ: "string", required: true, doc: "unique name"},
			{name: "region", typ: "AWS region", required: true, doc: "e.g. us-east-1"},
			{name: "cidr", typ: "cidr or list of cidr", required: true, doc: "IPv4 CIDR blocks"},
			{name: "ipv6_cidr", typ: "cidr or list of cidr", def: "None", doc: "IPv6 CIDR blocks"},
			{name: "mtu", typ: "int", def: "9001", doc: "largest packet the VPC's hosts send"},
		}},
		{name: "route_table", summary: "A VPC route table with static routes.", returns: "route_table", impl: routeTableFn, params: []param{
			{name: "name", typ: "string", required: true, doc: "unique within the VPC"},
			{name: "vpc", typ: "vpc", required: true},
			{name: "routes", typ: "list of route", def: "[]", doc: "targets: transit_gateway, vpn_gateway or core_network"},
		}},
		{name: "gcp_vpc", summary: "A Google Cloud VPC network, the peer side of a multicloud Interconnect.", returns: "gcp_vpc", impl: gcpVPCFn, params: []param{
			{name: "name", typ: "string", required: true},
			{name: "project", typ: "string", required: true, doc: "Google Cloud project id"},
			{name: "region", typ: "Google Cloud region", required: true, doc: "e.g. us-east4"},
			{name: "cidr", typ: "cidr or list of cidr", required: true, doc: "IPv4 subnet ranges"},
			{name: "ipv6_cidr", typ: "cidr or list of cidr", def: "None"},
			{name: "mtu", typ: "int", def: "1460", doc: "VPC network MTU (1300-8896)"},
			{name: "asn", typ: "int", def: "16550", doc: "ASN of the Cloud Router that peers with AWS"},
		}},
		{name: "site", summary: "An on-premises site reached over a last-mile connection.", returns: "site", impl: siteFn, params: []param{
			{name: "name", typ: "string", required: true},
			{name: "cidr", typ: "cidr or list of cidr", required: true, doc: "IPv4 prefixes the site advertises"},
			{name: "asn", typ: "int", required: true, doc: "the customer router's ASN"},
			{name: "ipv6_cidr", typ: "cidr or list of cidr", def: "None"},
			{name: "mtu", typ: "int", def: "1500"},
		}},
		{name: "vpn_gateway", summary: "A virtual private gateway, attached to one VPC.", returns: "vpn_gateway", impl: vgwFn, params: []param{
			{name: "vpc", typ: "vpc", required: true},
			{name: "name", typ: "string", def: "<vpc>-vgw"},
			{name: "asn", typ: "int", def: "64512", doc: "Amazon-side ASN"},
		}},
		{name: "dx_gateway", summary: "A Direct Connect gateway.", returns: "dx_gateway", impl: dxgwFn, params: []param{
			{name: "name", typ: "string", required: true},
			{name: "asn", typ: "int", def: "64512", doc: "Amazon-side ASN"},
		}},
		{name: "transit_gateway", summary: "A Transit Gateway in one region.", returns: "transit_gateway", impl: tgwFn, params: []param{
			{name: "name", typ: "string", required: true},
			{name: "region", typ: "AWS region", required: true},
			{name: "asn", typ: "int", def: "64512", doc: "Amazon-side ASN"},
			{name: "cidr_blocks", typ: "cidr or list of cidr", def: "[]"},
			{name: "default_association", typ: "bool", def: "True", doc: "associate new attachments with the default route table"},
			{name: "default_propagation", typ: "bool", def: "True", doc: "propagate new attachments to the default route table"},
		}},
		{name: "tgw_route_table", summary: "A Transit Gateway route table.", returns: "tgw_route_table", impl: tgwRouteTableFn, params: []param{
			{name: "name", typ: "string", required: true, doc: "unique within the Transit Gateway"},
			{name: "transit_gateway", typ: "transit_gateway", required: true},
			{name: "routes", typ: "list of route", def: "[]", doc: "targets: attachments, or blackhole"},
			{name: "associations", typ: "list of attachment | interconnect", def: "[]"},
			{name: "propagations", typ: "list of attachment | interconnect", def: "[]"},
		}},
		{name: "route", summary: "A static route, for route_table and tgw_route_table.", returns: "route", impl: routeFn, params: []param{
			{name: "destination", typ: "cidr", required: true},
			{name: "target", typ: "resource", def: "None"},
			{name: "blackhole", typ: "bool", def: "False", doc: "drop matching traffic"},
		}},
		{name: "core_network", summary: "An AWS Cloud WAN core network and its policy.", returns: "core_network", impl: coreNetworkFn, params: []param{
			{name: "name", typ: "string", required: true},
			{name: "edges", typ: "list of edge", required: true, doc: "one core network edge per region"},
			{name: "segments", typ: "list of segment", required: true},
			{name: "asn_ranges", typ: "list of string", def: `["64512-65534"]`, doc: `edge ASN pool, "low-high"`},
			{name: "network_function_groups", typ: "list of string", def: "[]"},
			{name: "actions", typ: "list of share | send_to | send_via", def: "[]", doc: "segment actions (routes: create_route)"},
		}},
		{name: "edge", summary: "A Cloud WAN core network edge.", returns: "edge", impl: edgeFn, params: []param{
			{name: "region", typ: "AWS region", required: true},
			{name: "asn", typ: "int", def: "next free in asn_ranges"},
		}},
		{name: "segment", summary: "A Cloud WAN segment.", returns: "segment", impl: segmentFn, params: []param{
			{name: "name", typ: "string", required: true},
			{name: "isolate_attachments", typ: "bool", def: "False", doc: "attachments in the segment do not reach each other"},
			{name: "require_attachment_acceptance", typ: "bool", def: "False"},
			{name: "edge_regions", typ: "list of string", def: "every edge"},
		}},
		{name: "share", summary: "Segment action: share routes between segments (both ways).", returns: "segment_action", impl: shareFn, params: []param{
			{name: "segment", typ: "string", required: true},
			{name: "share_with", typ: `list of string, or "*"`, required: true},
		}},
		{name: "send_to", summary: "Segment action: send the segment's egress to a network function group.", returns: "segment_action", impl: sendToFn, params: []param{
			{name: "segment", typ: "string", required: true},
			{name: "via", typ: "string or list of string", required: true, doc: "network function groups"},
		}},
		{name: "send_via", summary: "Segment action: send traffic between segments through a network function group.", returns: "segment_action", impl: sendViaFn, params: []param{
			{name: "segment", typ: "string", required: true},
			{name: "when_sent_to", typ: "list of string", required: true},
			{name: "via", typ: "string or list of string", required: true},
			{name: "mode", typ: "string", def: `"single-hop"`, doc: "single-hop or dual-hop"},
		}},
		{name: "create_route", summary: "Segment action: a static route in a Cloud WAN segment.", returns: "None", impl: createRouteFn, params: []param{
			{name: "core_network", typ: "core_network", required: true},
			{name: "segment", typ: "string", required: true},
			{name: "destinations", typ: "cidr or list of cidr", required: true},
			{name: "attachment", typ: "attachment", def: "None"},
			{name: "blackhole", typ: "bool", def: "False"},
		}},
		{name: "attach", summary: "Attach two resources (VPC to TGW or Cloud WAN, DX gateway to VGW/TGW/Cloud WAN, TGW to Cloud WAN, TGW peering).", returns: "attachment", impl: attachFn, params: []param{
			{name: "a", typ: "resource", required: true},
			{name: "b", typ: "resource", required: true},
			{name: "name", typ: "string", def: "<a>-<b>"},
			{name: "segment", typ: "string", def: "None", doc: "Cloud WAN segment (required when one end is a core_network)"},
			{name: "allowed_prefixes", typ: "cidr or list of cidr", def: "None", doc: "DX gateway associations: prefixes advertised to on-premises"},
		}},
		{name: "interconnect", summary: "An AWS Interconnect – multicloud connection to another cloud.", returns: "interconnect", impl: interconnectFn, params: []param{
			{name: "name", typ: "string", required: true},
			{name: "provider", typ: "string", required: true, doc: "gcp (azure and oci are known but not offered)"},
			{name: "aws_region", typ: "AWS region", required: true},
			{name: "peer_region", typ: "region of provider", required: true},
			{name: "bandwidth", typ: "bandwidth", required: true, doc: "e.g. 10Gbps"},
			{name: "attach_to", typ: "dx_gateway | transit_gateway | core_network", required: true},
			{name: "peer", typ: "gcp_vpc", required: true, doc: "the network on the other cloud"},
			{name: "segment", typ: "string", def: "None", doc: "Cloud WAN segment when attach_to is a core_network"},
			{name: "mtu", typ: "int", def: "highest both support", doc: "requested MTU"},
		}},
		{name: "last_mile", summary: "An AWS Interconnect – last mile connection from a site through a partner.", returns: "last_mile", impl: lastMileFn, params: []param{
			{name: "name", typ: "string", required: true},
			{name: "partner", typ: "string", required: true, doc: "lumen (att, megaport planned)"},
			{name: "region", typ: "AWS region", required: true},
			{name: "bandwidth", typ: "bandwidth", required: true, doc: "1, 2, 5, 10, 25, 50 or 100 Gbps"},
			{name: "site", typ: "site", required: true},
			{name: "attach_to", typ: "dx_gateway", required: true},
			{name: "macsec", typ: "bool", def: "True"},
		}},
		{name: "monitor", summary: "A network synthetic monitor probing between two networks.", returns: "monitor", impl: monitorFn, params: []param{
			{name: "name", typ: "string", required: true},
			{name: "source", typ: "vpc | gcp_vpc | site", required: true},
			{name: "destination", typ: "vpc | gcp_vpc | site", required: true},
			{name: "interval", typ: "duration", def: `"30s"`, doc: "aggregation period: 30s or 60s"},
		}},
		{name: "cidrsubnet", summary: "The netnum-th subnet of prefix, newbits longer.", returns: "string", impl: cidrsubnetFn, params: []param{
			{name: "prefix", typ: "cidr", required: true},
			{name: "newbits", typ: "int", required: true},
			{name: "netnum", typ: "int", required: true},
		}},
		{name: "cidrsubnets", summary: "Consecutive subnets of prefix, one per newbits value, each aligned.", returns: "list of string", impl: cidrsubnetsFn, params: []param{
			{name: "prefix", typ: "cidr", required: true},
			{name: "newbits", typ: "int...", variadic: true},
		}},
		{name: "cidrhost", summary: "The hostnum-th address of prefix (negative counts from the end).", returns: "string", impl: cidrhostFn, params: []param{
			{name: "prefix", typ: "cidr", required: true},
			{name: "hostnum", typ: "int", required: true},
		}},
		{name: "cidrnetmask", summary: "The dotted netmask of an IPv4 prefix.", returns: "string", impl: cidrnetmaskFn, params: []param{
			{name: "prefix", typ: "cidr", required: true},
		}},
		{name: "cidrsplit", summary: "Split prefix into n equal subnets.", returns: "list of string", impl: cidrsplitFn, params: []param{
			{name: "prefix", typ: "cidr", required: true},
			{name: "n", typ: "int", required: true},
		}},
		{name: "cidr_contains", summary: "Whether outer contains every address of inner (a prefix or an address).", returns: "bool", impl: cidrContainsFn, params: []param{
			{name: "outer", typ: "cidr", required: true},
			{name: "inner", typ: "cidr or address", required: true},
		}},
		{name: "cidr_overlaps", summary: "Whether two prefixes share any address.", returns: "bool", impl: cidrOverlapsFn, params: []param{
			{name: "a", typ: "cidr", required: true},
			{name: "b", typ: "cidr", required: true},
		}},
	}
}

// predeclared returns the builtins as Starlark values.
func predeclared() starlark.StringDict {
	d := make(starlark.StringDict, len(builtins)+1)
	d["struct"] = starlark.NewBuiltin("struct", starlarkstruct.Make)
	for _, fn := range builtins {
		d[fn.name] = starlark.NewBuiltin(fn.name, fn.call)
	}
	return d
}

func (fn *builtin) call(thread *starlark.Thread, _ *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	b, _ := thread.Local(builderKey).(*builder)
	if b == nil {
		return nil, fmt.Errorf("%s: not available here", fn.name)
	}
	c, err := fn.bind(thread, b, args, kwargs)
	if err != nil {
		return nil, err
	}
	return fn.impl(c)
}

// here is the declaration's source range: the call site of the builtin.
func (c *call) here() lang.Range { return c.b.ranges(c.thread) }

func vpcFn(c *call) (starlark.Value, error) {
	name, err := c.name("name")
	if err != nil {
		return nil, err
	}
	region, err := c.region("region", "aws")
	if err != nil {
		return nil, err
	}
	v4, err := c.prefixes("cidr", 4)
	if err != nil {
		return nil, err
	}
	if len(v4) == 0 {
		return nil, c.failf("cidr", "want at least one IPv4 CIDR block")
	}
	v6, err := c.prefixes("ipv6_cidr", 6)
	if err != nil {
		return nil, err
	}
	mtu, err := c.mtu("mtu", cat().Int("vpc.mtu"))
	if err != nil {
		return nil, err
	}
	v := &lang.VPC{Meta: lang.Meta{Name: name, Range: c.here()}, Region: region, CIDRs: v4, IPv6: v6, MTU: mtu}
	return c.b.add(v, starlark.StringDict{
		"region": starlark.String(region), "cidr": firstPrefix(v4), "cidrs": prefixTuple(v4),
		"ipv6_cidr": firstPrefix(v6), "ipv6_cidrs": prefixTuple(v6), "mtu": starlark.MakeInt(mtu),
	})
}

func gcpVPCFn(c *call) (starlark.Value, error) {
	name, err := c.name("name")
	if err != nil {
		return nil, err
	}
	project, err := c.str("project", "")
	if err != nil {
		return nil, err
	}
	if project == "" {
		return nil, c.failf("project", "must not be empty")
	}
	region, err := c.region("region", "gcp")
	if err != nil {
		return nil, err
	}
	v4, err := c.prefixes("cidr", 4)
	if err != nil {
		return nil, err
	}
	if len(v4) == 0 {
		return nil, c.failf("cidr", "want at least one IPv4 range")
	}
	v6, err := c.prefixes("ipv6_cidr", 6)
	if err != nil {
		return nil, err
	}
	mtu, err := c.mtu("mtu", cat().Int("gcp_vpc.mtu"))
	if err != nil {
		return nil, err
	}
	asn, err := c.asn("asn", cat().Int("gcp.peer_asn"))
	if err != nil {
		return nil, err
	}
	g := &lang.GCPVPC{Meta: lang.Meta{Name: name, Range: c.here()}, Project: project, Region: region, CIDRs: v4, IPv6: v6, MTU: mtu, ASN: asn}
	return c.b.add(g, starlark.StringDict{
		"project": starlark.String(project), "region": starlark.String(region),
		"cidr": firstPrefix(v4), "cidrs": prefixTuple(v4), "ipv6_cidr": firstPrefix(v6), "ipv6_cidrs": prefixTuple(v6),
		"mtu": starlark.MakeInt(mtu), "asn": starlark.MakeUint64(uint64(asn)),
	})
}

func siteFn(c *call) (starlark.Value, error) {
	name, err := c.name("name")
	if err != nil {
		return nil, err
	}
	v4, err := c.prefixes("cidr", 4)
	if err != nil {
		return nil, err
	}
	if len(v4) == 0 {
		return nil, c.failf("cidr", "want at least one IPv4 prefix")
	}
	v6, err := c.prefixes("ipv6_cidr", 6)
	if err != nil {
		return nil, err
	}
	asn, err := c.asn("asn", 0)
	if err != nil {
		return nil, err
	}
	mtu, err := c.mtu("mtu", cat().Int("site.mtu"))
	if err != nil {
		return nil, err
	}
	s := &lang.Site{Meta: lang.Meta{Name: name, Range: c.here()}, CIDRs: v4, IPv6: v6, ASN: asn, MTU: mtu}
	return c.b.add(s, starlark.StringDict{
		"cidr": firstPrefix(v4), "cidrs": prefixTuple(v4), "ipv6_cidr": firstPrefix(v6), "ipv6_cidrs": prefixTuple(v6),
		"asn": starlark.MakeUint64(uint64(asn)), "mtu": starlark.MakeInt(mtu),
	})
}

func vgwFn(c *call) (starlark.Value, error) {
	vpc, err := c.resource("vpc", lang.KindVPC)
	if err != nil {
		return nil, err
	}
	name := vpc.res.Ref().Name + "-vgw"
	if c.has("name") {
		if name, err = c.name("name"); err != nil {
			return nil, err
		}
	}
	asn, err := c.asn("asn", cat().Int("vpn_gateway.asn"))
	if err != nil {
		return nil, err
	}
	here := c.here()
	g := &lang.VPNGateway{Meta: lang.Meta{Name: name, Range: here}, ASN: asn}
	v, err := c.b.add(g, starlark.StringDict{"asn": starlark.MakeUint64(uint64(asn)), "vpc": vpc})
	if err != nil {
		return nil, err
	}
	// The VGW is attached to its VPC at creation, as the console does.
	att := &lang.Attachment{Meta: lang.Meta{Name: name, Range: here}, Kind: lang.AttachVGWVPC, A: g.Ref(), B: vpc.res.Ref()}
	if _, err := c.b.add(att, attachmentAttrs(c.b, att)); err != nil {
		return nil, err
	}
	return v, nil
}

func dxgwFn(c *call) (starlark.Value, error) {
	name, err := c.name("name")
	if err != nil {
		return nil, err
	}
	asn, err := c.asn("asn", cat().Int("dx_gateway.asn"))
	if err != nil {
		return nil, err
	}
	g := &lang.DXGateway{Meta: lang.Meta{Name: name, Range: c.here()}, ASN: asn}
	return c.b.add(g, starlark.StringDict{"asn": starlark.MakeUint64(uint64(asn))})
}

func tgwFn(c *call) (starlark.Value, error) {
	name, err := c.name("name")
	if err != nil {
		return nil, err
	}
	region, err := c.region("region", "aws")
	if err != nil {
		return nil, err
	}
	asn, err := c.asn("asn", cat().Int("transit_gateway.asn"))
	if err != nil {
		return nil, err
	}
	blocks, err := c.prefixes("cidr_blocks", 0)
	if err != nil {
		return nil, err
	}
	assoc, err := c.boolean("default_association", true)
	if err != nil {
		return nil, err
	}
	prop, err := c.boolean("default_propagation", true)
	if err != nil {
		return nil, err
	}
	g := &lang.TransitGateway{Meta: lang.Meta{Name: name, Range: c.here()}, Region: region, ASN: asn, CIDRBlocks: blocks,
		DefaultAssociation: assoc, DefaultPropagation: prop}
	return c.b.add(g, starlark.StringDict{
		"region": starlark.String(region), "asn": starlark.MakeUint64(uint64(asn)), "cidr_blocks": prefixTuple(blocks),
		"default_association": starlark.Bool(assoc), "default_propagation": starlark.Bool(prop),
	})
}

func routeFn(c *call) (starlark.Value, error) {
	s, err := c.str("destination", "")
	if err != nil {
		return nil, err
	}
	dst, err := stdlib.ParsePrefix(s)
	if err != nil {
		return nil, c.fail("destination", err)
	}
	bh, err := c.boolean("blackhole", false)
	if err != nil {
		return nil, err
	}
	r := lang.Route{Destination: dst, Blackhole: bh, Range: c.here()}
	var target starlark.Value = starlark.None
	if v := c.get("target"); v != nil {
		res, ok := v.(*Resource)
		if !ok {
			return nil, c.failf("target", "want a resource, got %s", typeName(v))
		}
		r.Target, target = res.res.Ref(), res
	}
	if bh == !r.Target.IsZero() {
		return nil, c.failf("target", "give either a target or blackhole = True")
	}
	return &spec{typ: "route", payload: r, attrs: starlark.StringDict{
		"destination": starlark.String(dst.String()), "target": target, "blackhole": starlark.Bool(bh),
	}}, nil
}

// routes unpacks a list of route() values, checking each target's kind.
func (c *call) routes(p string, targets ...lang.Kind) ([]lang.Route, error) {
	vs, err := c.list(p)
	if err != nil {
		return nil, err
	}
	out := make([]lang.Route, 0, len(vs))
	for i, v := range vs {
		s, ok := v.(*spec)
		if !ok || s.typ != "route" {
			return nil, c.failf(p, "element %d: want a route(), got %s", i, typeName(v))
		}
		r := s.payload.(lang.Route)
		if !r.Target.IsZero() && !kindIn(r.Target.Kind, targets) {
			return nil, c.failf(p, "element %d: a route here targets %s, got %s %q", i, lang.OrList(targets), r.Target.Kind, r.Target.Name)
		}
		out = append(out, r)
	}
	return out, nil
}

func kindIn(k lang.Kind, ks []lang.Kind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

func routeTableFn(c *call) (starlark.Value, error) {
	name, err := c.name("name")
	if err != nil {
		return nil, err
	}
	vpc, err := c.resource("vpc", lang.KindVPC)
	if err != nil {
		return nil, err
	}
	routes, err := c.routes("routes", lang.KindTransitGW, lang.KindVPNGateway, lang.KindCoreNetwork)
	if err != nil {
		return nil, err
	}
	t := &lang.RouteTable{Meta: lang.Meta{Name: name, Range: c.here()}, VPC: vpc.res.Ref(), Routes: routes}
	return c.b.add(t, starlark.StringDict{"vpc": vpc, "routes": starlark.MakeInt(len(routes))})
}

// refs unpacks a list of resources of the given kinds.
func (c *call) refs(p string, kinds ...lang.Kind) ([]lang.Ref, error) {
	vs, err := c.list(p)
	if err != nil {
		return nil, err
	}
	out := make([]lang.Ref, 0, len(vs))
	for i, v := range vs {
		r, ok := v.(*Resource)
		if !ok || !kindIn(r.res.Ref().Kind, kinds) {
			return nil, c.failf(p, "element %d: want %s, got %s", i, lang.OrList(kinds), typeName(v))
		}
		out = append(out, r.res.Ref())
	}
	return out, nil
}

func tgwRouteTableFn(c *call) (starlark.Value, error) {
	name, err := c.name("name")
	if err != nil {
		return nil, err
	}
	tgw, err := c.resource("transit_gateway", lang.KindTransitGW)
	if err != nil {
		return nil, err
	}
	routes, err := c.routes("routes", lang.KindAttachment, lang.KindInterconnect)
	if err != nil {
		return nil, err
	}
	assoc, err := c.refs("associations", lang.KindAttachment, lang.KindInterconnect)
	if err != nil {
		return nil, err
	}
	prop, err := c.refs("propagations", lang.KindAttachment, lang.KindInterconnect)
	if err != nil {
		return nil, err
	}
	t := &lang.TGWRouteTable{Meta: lang.Meta{Name: name, Range: c.here()}, TGW: tgw.res.Ref(), Routes: routes,
		Associations: assoc, Propagations: prop}
	return c.b.add(t, starlark.StringDict{"transit_gateway": tgw})
}

func edgeFn(c *call) (starlark.Value, error) {
	region, err := c.region("region", "aws")
	if err != nil {
		return nil, err
	}
	asn, err := c.asn("asn", 0)
	if err != nil {
		return nil, err
	}
	e := lang.Edge{Region: region, ASN: asn, Range: c.here()}
	var asnVal starlark.Value = starlark.None
	if asn != 0 {
		asnVal = starlark.MakeUint64(uint64(asn))
	}
	return &spec{typ: "edge", payload: e, attrs: starlark.StringDict{"region": starlark.String(region), "asn": asnVal}}, nil
}

func segmentFn(c *call) (starlark.Value, error) {
	name, err := c.name("name")
	if err != nil {
		return nil, err
	}
	iso, err := c.boolean("isolate_attachments", false)
	if err != nil {
		return nil, err
	}
	acc, err := c.boolean("require_attachment_acceptance", false)
	if err != nil {
		return nil, err
	}
	regions, err := c.strs("edge_regions")
	if err != nil {
		return nil, err
	}
	s := lang.Segment{Name: name, IsolateAttachments: iso, RequireAcceptance: acc, EdgeRegions: regions, Range: c.here()}
	return &spec{typ: "segment", payload: s, attrs: starlark.StringDict{
		"name": starlark.String(name), "isolate_attachments": starlark.Bool(iso),
		"require_attachment_acceptance": starlark.Bool(acc), "edge_regions": strTuple(regions),
	}}, nil
}

func actionSpec(a lang.SegmentAction) *spec {
	return &spec{typ: "segment_action", payload: a, attrs: starlark.StringDict{
		"action": starlark.String(a.Action), "segment": starlark.String(a.Segment),
	}}
}

func shareFn(c *call) (starlark.Value, error) {
	seg, err := c.str("segment", "")
	if err != nil {
		return nil, err
	}
	with, err := c.strs("share_with")
	if err != nil {
		return nil, err
	}
	if len(with) == 0 {
		return nil, c.failf("share_with", "want at least one segment, or \"*\"")
	}
	return actionSpec(lang.SegmentAction{Action: lang.ActionShare, Segment: seg, ShareWith: with, Range: c.here()}), nil
}

func sendToFn(c *call) (starlark.Value, error) {
	seg, err := c.str("segment", "")
	if err != nil {
		return nil, err
	}
	via, err := c.strs("via")
	if err != nil {
		return nil, err
	}
	return actionSpec(lang.SegmentAction{Action: lang.ActionSendTo, Segment: seg, Via: via, Range: c.here()}), nil
}

func sendViaFn(c *call) (starlark.Value, error) {
	seg, err := c.str("segment", "")
	if err != nil {
		return nil, err
	}
	to, err := c.strs("when_sent_to")
	if err != nil {
		return nil, err
	}
	via, err := c.strs("via")
	if err != nil {
		return nil, err
	}
	mode, err := c.str("mode", "single-hop")
	if err != nil {
		return nil, err
	}
	if mode != "single-hop" && mode != "dual-hop" {
		return nil, c.failf("mode", "want \"single-hop\" or \"dual-hop\", got %q", mode)
	}
	return actionSpec(lang.SegmentAction{Action: lang.ActionSendVia, Segment: seg, WhenSentTo: to, Via: via, Mode: mode, Range: c.here()}), nil
}

func parseASNRange(s string) (lang.ASNRange, error) {
	lo, hi, ok := strings.Cut(s, "-")
	if !ok {
		hi = lo
	}
	l, err1 := strconv.ParseUint(strings.TrimSpace(lo), 10, 32)
	h, err2 := strconv.ParseUint(strings.TrimSpace(hi), 10, 32)
	if err1 != nil || err2 != nil || l == 0 || l > h {
		return lang.ASNRange{}, fmt.Errorf("invalid ASN range %q: want \"low-high\" with 1 <= low <= high <= 4294967295", s)
	}
	return lang.ASNRange{Low: uint32(l), High: uint32(h)}, nil
}

func coreNetworkFn(c *call) (starlark.Value, error) {
	name, err := c.name("name")
	if err != nil {
		return nil, err
	}
	rangeStrs, err := c.strs("asn_ranges")
	if err != nil {
		return nil, err
	}
	if rangeStrs == nil {
		rangeStrs = []string{"64512-65534"}
	}
	var ranges []lang.ASNRange
	for _, s := range rangeStrs {
		r, err := parseASNRange(s)
		if err != nil {
			return nil, c.fail("asn_ranges", err)
		}
		ranges = append(ranges, r)
	}
	cn := &lang.CoreNetwork{Meta: lang.Meta{Name: name, Range: c.here()}, ASNRanges: ranges}
	if cn.NetworkFunctionGroups, err = c.strs("network_function_groups"); err != nil {
		return nil, err
	}
	edges, err := c.list("edges")
	if err != nil {
		return nil, err
	}
	used := map[uint32]bool{}
	for i, v := range edges {
		s, ok := v.(*spec)
		if !ok || s.typ != "edge" {
			return nil, c.failf("edges", "element %d: want an edge(), got %s", i, typeName(v))
		}
		e := s.payload.(lang.Edge)
		if cn.Edge(e.Region) != nil {
			return nil, c.failf("edges", "two edges in region %s: a core network has one edge per region", e.Region)
		}
		used[e.ASN] = true
		cn.Edges = append(cn.Edges, e)
	}
	if len(cn.Edges) == 0 {
		return nil, c.failf("edges", "want at least one edge()")
	}
	// Like Cloud WAN, give edges without an ASN the next free one of the pool.
	for i := range cn.Edges {
		if cn.Edges[i].ASN != 0 {
			continue
		}
		asn, ok := nextASN(ranges, used)
		if !ok {
			return nil, c.failf("asn_ranges", "no free ASN left for the edge in %s", cn.Edges[i].Region)
		}
		used[asn] = true
		cn.Edges[i].ASN = asn
	}
	segs, err := c.list("segments")
	if err != nil {
		return nil, err
	}
	for i, v := range segs {
		s, ok := v.(*spec)
		if !ok || s.typ != "segment" {
			return nil, c.failf("segments", "element %d: want a segment(), got %s", i, typeName(v))
		}
		seg := s.payload.(lang.Segment)
		if cn.Segment(seg.Name) != nil {
			return nil, c.failf("segments", "segment %q is declared twice", seg.Name)
		}
		cn.Segments = append(cn.Segments, seg)
	}
	if len(cn.Segments) == 0 {
		return nil, c.failf("segments", "want at least one segment()")
	}
	actions, err := c.list("actions")
	if err != nil {
		return nil, err
	}
	for i, v := range actions {
		s, ok := v.(*spec)
		if !ok || s.typ != "segment_action" {
			return nil, c.failf("actions", "element %d: want share(), send_to() or send_via(), got %s", i, typeName(v))
		}
		a := s.payload.(lang.SegmentAction)
		if cn.Segment(a.Segment) == nil {
			return nil, c.failf("actions", "element %d: unknown segment %q%s", i, a.Segment, didYouMean(a.Segment, segmentNames(cn)))
		}
		cn.Actions = append(cn.Actions, a)
	}
	edgeRegions := make([]string, len(cn.Edges))
	for i, e := range cn.Edges {
		edgeRegions[i] = e.Region
	}
	return c.b.add(cn, starlark.StringDict{"edge_regions": strTuple(edgeRegions), "segments": strTuple(segmentNames(cn))})
}

func segmentNames(cn *lang.CoreNetwork) []string {
	out := make([]string, len(cn.Segments))
	for i, s := range cn.Segments {
		out[i] = s.Name
	}
	return out
}

func didYouMean(s string, cands []string) string {
	if n := lang.Nearest(s, cands); n != "" {
		return fmt.Sprintf(" (did you mean %q?)", n)
	}
	return ""
}

func nextASN(ranges []lang.ASNRange, used map[uint32]bool) (uint32, bool) {
	for _, r := range ranges {
		for a := uint64(r.Low); a <= uint64(r.High); a++ {
			if !used[uint32(a)] {
				return uint32(a), true
			}
			if a-uint64(r.Low) > 1<<16 {
				break // a pool this crowded is a design problem, not a search problem
			}
		}
	}
	return 0, false
}

// segmentArg checks an optional segment name against a core network.
func (c *call) segmentArg(p string, cn *Resource) (string, error) {
	seg, err := c.str(p, "")
	if err != nil {
		return "", err
	}
	if cn == nil {
		if seg != "" {
			return "", c.failf(p, "only applies when attaching to a core_network")
		}
		return "", nil
	}
	core := cn.res.(*lang.CoreNetwork)
	if seg == "" {
		return "", c.failf(p, "required when attaching to core_network %q (segments: %s)", core.Name, strings.Join(segmentNames(core), ", "))
	}
	if core.Segment(seg) == nil {
		return "", c.failf(p, "core_network %q has no segment %q%s", core.Name, seg, didYouMean(seg, segmentNames(core)))
	}
	return seg, nil
}

func createRouteFn(c *call) (starlark.Value, error) {
	cn, err := c.resource("core_network", lang.KindCoreNetwork)
	if err != nil {
		return nil, err
	}
	seg, err := c.segmentArg("segment", cn)
	if err != nil {
		return nil, err
	}
	dsts, err := c.prefixes("destinations", 0)
	if err != nil {
		return nil, err
	}
	att, err := c.resource("attachment", lang.KindAttachment)
	if err != nil {
		return nil, err
	}
	bh, err := c.boolean("blackhole", false)
	if err != nil {
		return nil, err
	}
	if bh == (att != nil) {
		return nil, c.failf("attachment", "give either an attachment or blackhole = True")
	}
	a := lang.SegmentAction{Action: lang.ActionCreateRoute, Segment: seg, Destinations: dsts, Blackhole: bh, Range: c.here()}
	if att != nil {
		a.Target = att.res.Ref()
	}
	core := cn.res.(*lang.CoreNetwork)
	core.Actions = append(core.Actions, a)
	return starlark.None, nil
}

func attachmentAttrs(b *builder, a *lang.Attachment) starlark.StringDict {
	seg := starlark.Value(starlark.None)
	if a.Segment != "" {
		seg = starlark.String(a.Segment)
	}
	return starlark.StringDict{"type": starlark.String(a.Kind), "a": b.value(a.A), "b": b.value(a.B), "segment": seg}
}

func attachFn(c *call) (starlark.Value, error) {
	x, okx := c.get("a").(*Resource)
	if !okx {
		return nil, c.failf("a", "want a resource, got %s", typeName(c.get("a")))
	}
	y, oky := c.get("b").(*Resource)
	if !oky {
		return nil, c.failf("b", "want a resource, got %s", typeName(c.get("b")))
	}
	kind, swapped, needsSeg, err := lang.ClassifyAttachment(x.res.Ref().Kind, y.res.Ref().Kind)
	if err != nil {
		return nil, c.fail("b", err)
	}
	if x == y {
		return nil, c.failf("b", "cannot attach %s to itself", typeName(x))
	}
	name := x.res.Ref().Name + "-" + y.res.Ref().Name
	if c.has("name") {
		if name, err = c.name("name"); err != nil {
			return nil, err
		}
	}
	if swapped {
		x, y = y, x
	}
	var cn *Resource
	if needsSeg {
		cn = y // the core network is always the second end
	}
	seg, err := c.segmentArg("segment", cn)
	if err != nil {
		return nil, err
	}
	allowed, err := c.prefixes("allowed_prefixes", 0)
	if err != nil {
		return nil, err
	}
	if allowed != nil && x.res.Ref().Kind != lang.KindDXGateway {
		return nil, c.failf("allowed_prefixes", "only applies to Direct Connect gateway associations")
	}
	a := &lang.Attachment{Meta: lang.Meta{Name: name, Range: c.here()}, Kind: kind, A: x.res.Ref(), B: y.res.Ref(),
		Segment: seg, AllowedPrefixes: allowed}
	v, err := c.b.add(a, attachmentAttrs(c.b, a))
	if err != nil {
		return nil, &hinted{err: err, hint: "pass name = … to tell two attachments between the same resources apart"}
	}
	return v, nil
}

func interconnectFn(c *call) (starlark.Value, error) {
	name, err := c.name("name")
	if err != nil {
		return nil, err
	}
	provider, err := c.str("provider", "")
	if err != nil {
		return nil, err
	}
	if _, ok := cat().Provider(provider); !ok {
		e := &argError{fn: c.fn.name, param: "provider", index: c.index("provider"), err: fmt.Errorf("unknown provider %q", provider),
			hint: "known providers: " + strings.Join(cat().ProviderNames(), ", ")}
		return nil, e
	}
	awsRegion, err := c.region("aws_region", "aws")
	if err != nil {
		return nil, err
	}
	peerRegion, err := c.region("peer_region", provider)
	if err != nil {
		return nil, err
	}
	bw, err := c.bandwidth("bandwidth")
	if err != nil {
		return nil, err
	}
	at, err := c.resource("attach_to", lang.InterconnectAttachKinds...)
	if err != nil {
		return nil, err
	}
	var cn *Resource
	if at.res.Ref().Kind == lang.KindCoreNetwork {
		cn = at
	}
	seg, err := c.segmentArg("segment", cn)
	if err != nil {
		return nil, err
	}
	peer, err := c.resource("peer", lang.KindGCPVPC)
	if err != nil {
		return nil, err
	}
	mtu := 0
	if c.has("mtu") {
		if mtu, err = c.mtu("mtu", 0); err != nil {
			return nil, err
		}
	}
	ic := &lang.Interconnect{Meta: lang.Meta{Name: name, Range: c.here()}, Provider: provider, AWSRegion: awsRegion,
		PeerRegion: peerRegion, Bandwidth: bw, AttachTo: at.res.Ref(), Segment: seg, Peer: peer.res.Ref(), MTU: mtu}
	return c.b.add(ic, starlark.StringDict{
		"provider": starlark.String(provider), "aws_region": starlark.String(awsRegion), "peer_region": starlark.String(peerRegion),
		"bandwidth": starlark.String(bw.String()), "attach_to": at, "peer": peer,
	})
}

func lastMileFn(c *call) (starlark.Value, error) {
	name, err := c.name("name")
	if err != nil {
		return nil, err
	}
	partner, err := c.str("partner", "")
	if err != nil {
		return nil, err
	}
	if _, ok := cat().Partner(partner); !ok {
		hint := "known partners: " + strings.Join(cat().PartnerNames(), ", ")
		if n := lang.Nearest(partner, cat().PartnerNames()); n != "" {
			hint = fmt.Sprintf("did you mean %q?", n)
		}
		return nil, &argError{fn: c.fn.name, param: "partner", index: c.index("partner"), err: fmt.Errorf("unknown partner %q", partner), hint: hint}
	}
	region, err := c.region("region", "aws")
	if err != nil {
		return nil, err
	}
	bw, err := c.bandwidth("bandwidth")
	if err != nil {
		return nil, err
	}
	site, err := c.resource("site", lang.KindSite)
	if err != nil {
		return nil, err
	}
	at, err := c.resource("attach_to", lang.LastMileAttachKinds...)
	if err != nil {
		return nil, err
	}
	macsec, err := c.boolean("macsec", true)
	if err != nil {
		return nil, err
	}
	lm := &lang.LastMile{Meta: lang.Meta{Name: name, Range: c.here()}, Partner: partner, Region: region, Bandwidth: bw,
		Site: site.res.Ref(), AttachTo: at.res.Ref(), MACsec: macsec}
	return c.b.add(lm, starlark.StringDict{
		"partner": starlark.String(partner), "region": starlark.String(region), "bandwidth": starlark.String(bw.String()),
		"site": site, "attach_to": at, "macsec": starlark.Bool(macsec),
	})
}

func monitorFn(c *call) (starlark.Value, error) {
	name, err := c.name("name")
	if err != nil {
		return nil, err
	}
	src, err := c.resource("source", lang.KindVPC, lang.KindGCPVPC, lang.KindSite)
	if err != nil {
		return nil, err
	}
	dst, err := c.resource("destination", lang.KindVPC, lang.KindGCPVPC, lang.KindSite)
	if err != nil {
		return nil, err
	}
	if src == dst {
		return nil, c.failf("destination", "source and destination are the same network")
	}
	iv, err := c.duration("interval", 30*time.Second)
	if err != nil {
		return nil, err
	}
	if iv != 30*time.Second && iv != 60*time.Second {
		return nil, c.failf("interval", "want \"30s\" or \"60s\" (the aggregation periods Network Synthetic Monitor offers), got %q", stdlib.FormatDuration(iv))
	}
	m := &lang.Monitor{Meta: lang.Meta{Name: name, Range: c.here()}, From: src.res.Ref(), To: dst.res.Ref(), Interval: stdlib.FormatDuration(iv)}
	return c.b.add(m, starlark.StringDict{"source": src, "destination": dst, "interval": starlark.String(m.Interval)})
}

// CIDR functions: thin wrappers over stdlib, which the HCL front-end shares.

func (c *call) prefix(p string) (netip.Prefix, error) {
	s, err := c.str(p, "")
	if err != nil {
		return netip.Prefix{}, err
	}
	pfx, err := stdlib.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, c.fail(p, err)
	}
	return pfx, nil
}

func cidrsubnetFn(c *call) (starlark.Value, error) {
	p, err := c.prefix("prefix")
	if err != nil {
		return nil, err
	}
	nb, err := c.integer("newbits", 0, 0, 128)
	if err != nil {
		return nil, err
	}
	nn, err := c.integer("netnum", 0, 0, math.MaxInt64)
	if err != nil {
		return nil, err
	}
	r, err := stdlib.CIDRSubnet(p, int(nb), nn)
	if err != nil {
		return nil, c.fail("", err)
	}
	return starlark.String(r.String()), nil
}

func cidrsubnetsFn(c *call) (starlark.Value, error) {
	p, err := c.prefix("prefix")
	if err != nil {
		return nil, err
	}
	nbs := make([]int, len(c.rest))
	for i, v := range c.rest {
		n, ok := v.(starlark.Int)
		if !ok {
			return nil, c.failf("newbits", "argument %d: want an integer, got %s", i+2, typeName(v))
		}
		x, exact := n.Int64()
		if !exact || x < 0 || x > 128 {
			return nil, c.failf("newbits", "argument %d: want an integer 0-128, got %s", i+2, v)
		}
		nbs[i] = int(x)
	}
	rs, err := stdlib.CIDRSubnets(p, nbs...)
	if err != nil {
		return nil, c.fail("", err)
	}
	out := make([]starlark.Value, len(rs))
	for i, r := range rs {
		out[i] = starlark.String(r.String())
	}
	return starlark.NewList(out), nil
}

func cidrhostFn(c *call) (starlark.Value, error) {
	p, err := c.prefix("prefix")
	if err != nil {
		return nil, err
	}
	n, err := c.integer("hostnum", 0, math.MinInt64, math.MaxInt64)
	if err != nil {
		return nil, err
	}
	a, err := stdlib.CIDRHost(p, n)
	if err != nil {
		return nil, c.fail("hostnum", err)
	}
	return starlark.String(a.String()), nil
}

func cidrnetmaskFn(c *call) (starlark.Value, error) {
	p, err := c.prefix("prefix")
	if err != nil {
		return nil, err
	}
	m, err := stdlib.CIDRNetmask(p)
	if err != nil {
		return nil, c.fail("prefix", err)
	}
	return starlark.String(m.String()), nil
}

func cidrsplitFn(c *call) (starlark.Value, error) {
	p, err := c.prefix("prefix")
	if err != nil {
		return nil, err
	}
	n, err := c.integer("n", 0, 1, 1<<16)
	if err != nil {
		return nil, err
	}
	rs, err := stdlib.CIDRSplit(p, int(n))
	if err != nil {
		return nil, c.fail("n", err)
	}
	out := make([]starlark.Value, len(rs))
	for i, r := range rs {
		out[i] = starlark.String(r.String())
	}
	return starlark.NewList(out), nil
}

func cidrContainsFn(c *call) (starlark.Value, error) {
	outer, err := c.prefix("outer")
	if err != nil {
		return nil, err
	}
	s, err := c.str("inner", "")
	if err != nil {
		return nil, err
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return starlark.Bool(outer.Masked().Contains(a)), nil
	}
	inner, err := c.prefix("inner")
	if err != nil {
		return nil, err
	}
	return starlark.Bool(stdlib.PrefixContains(outer, inner)), nil
}

func cidrOverlapsFn(c *call) (starlark.Value, error) {
	a, err := c.prefix("a")
	if err != nil {
		return nil, err
	}
	b, err := c.prefix("b")
	if err != nil {
		return nil, err
	}
	return starlark.Bool(stdlib.PrefixOverlaps(a, b)), nil
}
