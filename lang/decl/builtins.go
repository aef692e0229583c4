package decl

import (
	"fmt"
	"slices"
	"strings"

	"go.starlark.net/starlark"

	"patchbay/lang"
	"patchbay/stdlib"
)

// Builder collects a design from declarations. Both front-ends drive the
// same builtins through it — Starlark by calling them, HCL by turning each
// block into a call — so a design means the same in either language.
// Scripts reach it only through builtins, so they cannot change a design
// except by declaring.
type Builder struct {
	design *lang.Design
	// values are the script values of the resources by their Seq, which
	// the design numbers from 0 as they are added: one map, the design's,
	// finds both.
	values []*Resource
	spare  *call // reused by the next call: a design makes a call per declaration
	max    int   // resources at most; 0 means MaxResources
	// read reads a file a declaration names, relative to the file
	// declaring at from, through the front-end's sandbox; nil where the
	// front-end reads none.
	read func(from lang.Range, path string) (display string, data []byte, err error)
}

// SetReader gives the builtins that read a file (core_network_from_policy)
// the front-end's sandboxed reader: path is relative to the file of the
// declaration at from; display is how the file appears in diagnostics.
func (b *Builder) SetReader(read func(from lang.Range, path string) (display string, data []byte, err error)) {
	b.read = read
}

// NewBuilder starts an empty design.
func NewBuilder() *Builder {
	return &Builder{design: lang.NewDesign()}
}

// Design is what has been declared so far.
func (b *Builder) Design() *lang.Design { return b.design }

// Call runs the builtin name with arguments, declaring at the given range.
// Errors about one argument are *ArgError.
func (b *Builder) Call(name string, args starlark.Tuple, kwargs []starlark.Tuple, at lang.Range) (starlark.Value, error) {
	fn, ok := byName[name]
	if !ok {
		return nil, fmt.Errorf("no builtin %q", name)
	}
	// No builtin keeps its call or calls back into the script, so one call
	// serves them all; spare is taken while in use all the same.
	c := b.spare
	b.spare = nil
	if c == nil {
		c = new(call)
	}
	c.fn, c.at, c.b = fn, at, b
	defer func() {
		// Holds no values of the script once done. Only the parameters fn
		// has were set: clearing all of call again, as often as builtins
		// run, cost more than binding.
		clear(c.vals[:len(fn.params)])
		c.fn, c.at, c.b, c.rest, c.err = nil, lang.Range{}, nil, nil, nil
		b.spare = c
	}()
	if err := fn.bind(c, args, kwargs); err != nil {
		return nil, err
	}
	return fn.impl(c)
}

// Value is the script value of a declared resource.
func (b *Builder) Value(r lang.Ref) (*Resource, bool) {
	res, ok := b.design.Lookup(r)
	if !ok {
		return nil, false
	}
	if n := res.Seq(); n < len(b.values) && b.values[n] != nil && b.values[n].res == res {
		return b.values[n], true
	}
	return nil, false
}

// MaxResources bounds a design, so a runaway loop that declares stops
// within a second or two; three times the largest benchmark design (10,000
// VPCs with their attachments and route tables).
const MaxResources = 100_000

// SetMaxResources raises (or lowers) the bound on the design's size from
// MaxResources to n, for a design known to be that large; n <= 0 restores
// MaxResources.
func (b *Builder) SetMaxResources(n int) { b.max = max(n, 0) }

// add records a resource and returns its script value.
func (b *Builder) add(res lang.Resource, attrs attrs) (*Resource, error) {
	return b.addValue(res, &Resource{res: res, attrs: attrs})
}

// addMade records a resource whose attributes made makes when read.
func (b *Builder) addMade(res lang.Resource, made func(b *Builder, res lang.Resource) attrs) (*Resource, error) {
	return b.addValue(res, &Resource{res: res, made: made, b: b})
}

func (b *Builder) addValue(res lang.Resource, v *Resource) (*Resource, error) {
	limit := MaxResources
	if b.max > 0 {
		limit = b.max
	}
	if b.design.Len() >= limit {
		return nil, fmt.Errorf("the design has reached %d resources, the most patchbay plans: is a loop declaring without end?", limit)
	}
	if err := b.design.Add(res); err != nil {
		return nil, err
	}
	n := res.Seq()
	if n >= len(b.values) {
		b.values = slices.Grow(b.values, n+1-len(b.values))[:n+1]
	}
	b.values[n] = v
	return v, nil
}

func (b *Builder) value(r lang.Ref) starlark.Value {
	if v, ok := b.Value(r); ok {
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
		{name: "route_table", summary: "A VPC route table: static routes, and the virtual private gateways whose routes it propagates.", returns: "route_table", impl: routeTableFn, params: []param{
			{name: "name", typ: "string", required: true, doc: "unique within the VPC"},
			{name: "vpc", typ: "vpc", required: true},
			{name: "routes", typ: "list of route", def: "[]", doc: "targets: transit_gateway, vpn_gateway or core_network"},
			{name: "propagations", typ: "list of vpn_gateway", def: "[]", doc: "route propagation: the table takes the gateway's routes but those inside the VPC's CIDRs (the local route wins), and they keep Direct Connect's jumbo frames (a static route to the gateway sends at 1500)"},
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
			{name: "multipath", typ: "bool", def: "True", doc: "the router shares traffic over equal BGP paths from AWS (active/active); False installs one, chosen by lowest BGP identifier"},
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
		{name: "core_network_from_policy", summary: "An AWS Cloud WAN core network read from its policy document (version 2021.12, JSON).", returns: "core_network", impl: coreNetworkFromPolicyFn, params: []param{
			{name: "name", typ: "string", required: true},
			{name: "policy", typ: "string", required: true, doc: "the policy document's file, relative to this one, inside the project; checked against the policy reference, errors at its line and column"},
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
			{name: "segment", typ: "string", def: "None", doc: "Cloud WAN segment (required when one end is a core_network, unless network_function_group is given)"},
			{name: "network_function_group", typ: "string", def: "None", doc: "put a VPC's core network attachment in this network function group instead of a segment"},
			{name: "allowed_prefixes", typ: "cidr or list of cidr", def: "None", doc: "DX gateway associations: towards a Transit Gateway the prefixes advertised to on-premises; towards a VPN gateway, or on a core network attachment, a filter on what is advertised"},
		}},
		{name: "interconnect", summary: "An AWS Interconnect – multicloud connection to another cloud.", returns: "interconnect", impl: interconnectFn, params: []param{
			{name: "name", typ: "string", required: true},
			{name: "provider", typ: "string", required: true, doc: "gcp (azure and oci are known but not offered)"},
			{name: "aws_region", typ: "AWS region", required: true},
			{name: "peer_region", typ: "region of provider", required: true},
			{name: "bandwidth", typ: "bandwidth", required: true, doc: "e.g. 10Gbps"},
			{name: "attach_to", typ: "dx_gateway | transit_gateway | core_network", required: true, doc: "a dx_gateway: the Interconnect API's only attach point (a TGW or core network is refused by attach-invalid)"},
			{name: "peer", typ: "gcp_vpc", required: true, doc: "the network on the other cloud"},
			{name: "segment", typ: "string", def: "None", doc: "Cloud WAN segment when attach_to is a core_network"},
			{name: "mtu", typ: "int", def: "highest both support", doc: "requested MTU"},
			{name: "devices", typ: "list of string", def: "spread over fac-a and fac-b", doc: `AWS routers, one channel each, as "FACILITY/ROUTER"`},
			{name: "macsec_cipher", typ: "string", def: "None", doc: macsecCipherDoc("interconnect.macsec_cipher")},
		}},
		{name: "last_mile", summary: "An AWS Interconnect – last mile connection from a site through a partner.", returns: "last_mile", impl: lastMileFn, params: []param{
			{name: "name", typ: "string", required: true},
			{name: "partner", typ: "string", required: true, doc: "lumen (att, megaport planned)"},
			{name: "region", typ: "AWS region", required: true},
			{name: "bandwidth", typ: "bandwidth", required: true, doc: "1, 2, 5, 10, 25, 50 or 100 Gbps"},
			{name: "site", typ: "site", required: true},
			{name: "attach_to", typ: "dx_gateway", required: true},
			{name: "macsec", typ: "bool", def: "True"},
			{name: "bfd", typ: "bool", def: "True", doc: "the customer's router runs BFD on its sessions; without it only the BGP hold timer detects a failure"},
			{name: "macsec_mode", typ: "string", def: "None", doc: fmt.Sprintf("no_encrypt, should_encrypt (traffic in the clear when MKA cannot agree) or must_encrypt (the connection goes down instead); None: %s, or no_encrypt with macsec = False", cat().Text("last_mile.macsec_mode"))},
			{name: "macsec_cipher", typ: "string", def: "None", doc: macsecCipherDoc("last_mile.macsec_cipher")},
		}},
		{name: "monitor", summary: "A network synthetic monitor probing between two networks.", returns: "monitor", impl: monitorFn, params: []param{
			{name: "name", typ: "string", required: true},
			{name: "source", typ: "vpc | gcp_vpc | site", required: true},
			{name: "destination", typ: "vpc | gcp_vpc | site", required: true},
			{name: "interval", typ: "duration", def: `"30s"`, doc: "aggregation period: 30s or 60s"},
		}},
		{name: "objective", summary: "A service objective for traffic between two networks: at most max_blackout without delivery (detection and convergence) and at least min_bandwidth after routing settles, through every single failure; `patchbay sweep` reports each failure that breaks one and exits 1.", returns: "objective", impl: objectiveFn, params: []param{
			{name: "source", typ: "vpc | gcp_vpc | site | flow", required: true, doc: "a network, or a flow() whose networks and name the objective takes"},
			{name: "destination", typ: "vpc | gcp_vpc | site", def: "None", doc: "not the source; left out when source is a flow()"},
			{name: "max_blackout", typ: "duration", def: "None", doc: `longest time without delivery after a failure, e.g. "1s"; "0s": delivery never stops`},
			{name: "min_bandwidth", typ: "bandwidth", def: "None", doc: "capacity left once routing settles, e.g. 4Gbps; give this, max_blackout or both"},
			{name: "name", typ: "string", def: `"<source>-><destination>"`, doc: "the networks' names, or the flow's name; unique among objectives"},
		}},
		{name: "scenario", summary: "A simulation run of the design: traffic, probes and timed events, for `patchbay sim`.", returns: "scenario", impl: scenarioFn, params: []param{
			{name: "name", typ: "string", required: true},
			{name: "duration", typ: "duration", def: `"5m"`, doc: "how long the run lasts, at most 30d"},
			{name: "flows", typ: "list of flow", def: "[]", doc: "names unique within the scenario"},
			{name: "probes", typ: "list of probe", def: "[]", doc: "names unique within the scenario"},
			{name: "events", typ: "list of event", def: "[]", doc: `at() values, each within the duration: at("60s", fail(facility = "us-east-1/fac-a"))`},
		}},
		{name: "flow", summary: "Scenario traffic: a steady aggregate from one network to another.", returns: "flow", impl: flowFn, params: []param{
			{name: "source", typ: "vpc | gcp_vpc | site", required: true},
			{name: "destination", typ: "vpc | gcp_vpc | site", required: true, doc: "not the source"},
			{name: "rate", typ: "bandwidth", def: `"1Gbps"`},
			{name: "packet_size", typ: "int", def: "1500", doc: "bytes per IP packet, headers included (64-9216)"},
			{name: "name", typ: "string", def: `"<source>-><destination>"`, doc: "the networks' names"},
			{name: "start", typ: "duration", def: `"0s"`, doc: "from the start of the scenario"},
			{name: "stop", typ: "duration", def: "None", doc: "after start; None or \"0s\" runs until the end"},
		}},
		{name: "probe", summary: "A scenario probe: one packet every interval, timed there and back, like Network Synthetic Monitor.", returns: "probe", impl: probeFn, params: []param{
			{name: "source", typ: "vpc | gcp_vpc | site", required: true},
			{name: "destination", typ: "vpc | gcp_vpc | site", required: true, doc: "not the source"},
			{name: "interval", typ: "duration", def: `"1s"`, doc: "100ms-1h"},
			{name: "packet_size", typ: "int", def: "64", doc: "bytes (64-9216)"},
			{name: "name", typ: "string", def: `"<source>-><destination>"`},
		}},
		{name: "at", summary: "A scenario event: an action at a time from the start of the scenario.", returns: "event", impl: atFn, params: []param{
			{name: "time", typ: "duration", required: true, doc: `e.g. "60s"; within the scenario's duration`},
			{name: "event", typ: "event_action", required: true, doc: eventActionList},
		}},
		{name: "fail", summary: `Event action: take down one link, channel, facility or device (give exactly one, by keyword). fail("message") with a positional message still stops the script, as Starlark's fail does.`, returns: "event_action", impl: failFn, params: []param{
			{name: "link", typ: "string", def: "None", doc: `a member link, e.g. "aws-gcp-use1/ch1/m1"`},
			{name: "channel", typ: "string", def: "None", doc: `an Interconnect channel or last-mile connection, e.g. "aws-gcp-use1/ch1", "hq/conn1"`},
			{name: "facility", typ: "string", def: "None", doc: `every link in a facility or partner location, e.g. "us-east-1/fac-a"`},
			{name: "device", typ: "string or resource", def: "None", doc: `a router ("us-east-1/fac-a/aws-r1", "nyc-hq/router"), or a gateway or network resource`},
		}},
		{name: "restore", summary: "Event action: bring back what fail() took down (give exactly one target).", returns: "event_action", impl: restoreFn, params: []param{
			{name: "link", typ: "string", def: "None"},
			{name: "channel", typ: "string", def: "None"},
			{name: "facility", typ: "string", def: "None"},
			{name: "device", typ: "string or resource", def: "None"},
		}},
		{name: "set_bandwidth", summary: "Event action: change the capacity of a link, a channel, or every channel of an Interconnect or last mile (give exactly one target).", returns: "event_action", impl: setBandwidthFn, params: []param{
			{name: "bandwidth", typ: "bandwidth", required: true, doc: "e.g. 10Gbps"},
			{name: "link", typ: "string", def: "None"},
			{name: "channel", typ: "string", def: "None"},
			{name: "interconnect", typ: "interconnect or its name", def: "None"},
			{name: "last_mile", typ: "last_mile or its name", def: "None"},
		}},
		{name: "maintenance", summary: "Event action: a maintenance window that takes a device out for a while.", returns: "event_action", impl: maintenanceFn, params: []param{
			{name: "device", typ: "string or resource", required: true, doc: `a router ("eu-west-2/fac-a/aws-r1"), or a gateway or network resource`},
			{name: "duration", typ: "duration", def: `"30m"`, doc: "how long the device is out"},
		}},
		{name: "advertise", summary: "Event action: change what the far end of a channel or connection — the customer's router or the partner cloud's — advertises to AWS over BGP from that moment: AS-path prepending, communities (AWS reads 7224:7100 low, 7224:7200 medium, 7224:7300 high local preference), MED, and extra /24s from 198.18.0.0/15 (a prefix flood; AWS accepts at most 100 prefixes per last-mile session). Each advertise() replaces the whole policy: advertise(channel) alone goes back to plain advertising.", returns: "event_action", impl: advertiseFn, params: []param{
			{name: "channel", typ: "string", required: true, doc: channelDoc},
			{name: "prepend", typ: "int", def: "0", doc: "extra copies of the far end's own ASN on the AS path (0-10)"},
			{name: "communities", typ: "list of string", def: "[]", doc: `"ASN:VALUE", each 0-65535, e.g. "7224:7300"`},
			{name: "med", typ: "int", def: "0", doc: "MULTI_EXIT_DISC (0-4294967295); lower is preferred"},
			{name: "extra_prefixes", typ: "int", def: "0", doc: "/24s of 198.18.0.0/15 announced besides the network's own (0-512)"},
		}},
		{name: "rotate_key", summary: "Event action: the channel's MACsec manager installs a new CAK/CKN on both ends and MKA moves to it; the previous key stays until removed. The open specification's rules are checked when the scenario runs: only the manager rotates, one channel of an interconnect at a time, a two-hour bake after each rotation, at most two keys per channel.", returns: "event_action", impl: rotateKeyFn, params: []param{
			{name: "channel", typ: "string", required: true, doc: channelDoc},
			{name: "by", typ: "string", def: `"aws"`, doc: "who rotates: aws, gcp (the partner cloud) or customer (the site's end of a last-mile connection)"},
		}},
		{name: "remove_key", summary: "Event action: deletes the previous key (the active one cannot be deleted: the run reports the attempt).", returns: "event_action", impl: removeKeyFn, params: []param{
			{name: "channel", typ: "string", required: true, doc: channelDoc},
			{name: "key", typ: "string", def: `"previous"`, doc: "previous, or active to rehearse the refused deletion"},
		}},
		{name: "mismatch_key", summary: "Event action: gives the far end a different CAK (or CKN) than the AWS end, as a misconfiguration would; MKA stops agreeing within its 6 s live-peer lifetime, and then must_encrypt takes the link down while should_encrypt carries traffic in the clear.", returns: "event_action", impl: mismatchKeyFn, params: []param{
			{name: "channel", typ: "string", required: true, doc: channelDoc},
			{name: "key", typ: "string", def: `"cak"`, doc: "cak or ckn: which one the far end gets wrong"},
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

// channelDoc documents the channel of the actions that take only one.
const channelDoc = `an Interconnect channel or last-mile connection, e.g. "aws-gcp-use1/ch1", "hq/conn1"`

// macsecCipherDoc documents a macsec_cipher parameter with the catalog's
// default, so the reference cannot drift from what the planner assumes.
func macsecCipherDoc(key string) string {
	return fmt.Sprintf("MACsec cipher suite, any case: %s; AWS supports %s; None: %s",
		strings.Join(stdlib.MACsecCiphers(), ", "), cat().MACsecSupport(), cat().Text(key))
}

// byName indexes builtins.
var byName = map[string]*builtin{}

func init() {
	for _, fn := range builtins {
		if len(fn.params) > maxParams {
			panic(fmt.Sprintf("decl: %s has %d parameters, more than maxParams", fn.name, len(fn.params)))
		}
		byName[fn.name] = fn
	}
}

// Names lists the builtins in reference order.
func Names() []string {
	out := make([]string, len(builtins))
	for i, fn := range builtins {
		out[i] = fn.name
	}
	return out
}

// here is the declaration's source range.
func (c *call) here() lang.Range { return c.at }

// meta names a resource declared here.
func (c *call) meta(name string) lang.Meta { return lang.Meta{Name: name, Range: c.here()} }
