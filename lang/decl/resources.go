package decl

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"go.starlark.net/starlark"

	"patchbay/lang"
	"patchbay/stdlib"
)

// addressing reads the arguments every network shares: IPv4 CIDRs (at
// least one), optional IPv6 CIDRs and an MTU.
func (c *call) addressing(mtuDefault string) (v4, v6 []netip.Prefix, mtu int) {
	v4 = c.prefixes("cidr", 4)
	if c.err == nil && len(v4) == 0 {
		c.failf("cidr", "want at least one IPv4 CIDR block")
	}
	v6 = c.prefixes("ipv6_cidr", 6)
	mtu = c.mtu("mtu", cat().Int(mtuDefault))
	// "IPv6 requires that every link in the Internet have an MTU of 1280
	// octets or greater" (RFC 8200 §5): a network with IPv6 blocks sends
	// at least that.
	if c.err == nil && len(v6) > 0 && mtu < 1280 {
		c.failf("mtu", "%d is below 1280, the least MTU an IPv6 network has (RFC 8200 §5), and the network has ipv6_cidr", mtu)
	}
	return v4, v6, mtu
}

// addressAttrs are the attributes of what addressing read.
func addressAttrs(v4, v6 []netip.Prefix, mtu int) attrs {
	// Room for the attributes of the network's kind, appended by the caller.
	as := make(attrs, 0, 8)
	t4, t6 := prefixTuple(v4), prefixTuple(v6)
	return append(as,
		attr{"cidr", firstOf(t4)}, attr{"cidrs", t4},
		attr{"ipv6_cidr", firstOf(t6)}, attr{"ipv6_cidrs", t6}, attr{"mtu", starlark.MakeInt(mtu)})
}

func asnValue(asn uint32) starlark.Value { return starlark.MakeUint64(uint64(asn)) }

func vpcFn(c *call) (starlark.Value, error) {
	name := c.name("name")
	region := c.region("region", "aws")
	v4, v6, mtu := c.addressing("vpc.mtu")
	if c.err != nil {
		return nil, c.err
	}
	return c.b.addMade(&lang.VPC{Meta: c.meta(name), Region: region, CIDRs: v4, IPv6: v6, MTU: mtu}, vpcAttrs)
}

func vpcAttrs(_ *Builder, res lang.Resource) attrs {
	v := res.(*lang.VPC)
	return append(addressAttrs(v.CIDRs, v.IPv6, v.MTU), attr{"region", starlark.String(v.Region)})
}

func gcpVPCFn(c *call) (starlark.Value, error) {
	name := c.name("name")
	project := c.str("project", "")
	if c.err == nil && project == "" {
		c.failf("project", "must not be empty")
	}
	region := c.region("region", "gcp")
	v4, v6, mtu := c.addressing("gcp_vpc.mtu")
	if lo, hi := int(cat().Int("gcp_vpc.min_mtu")), int(cat().Int("gcp_vpc.max_mtu")); c.err == nil && (mtu < lo || mtu > hi) {
		c.failf("mtu", "%d is outside what a Google Cloud VPC network allows (%d-%d)", mtu, lo, hi)
	}
	asn := c.asn("asn", cat().Int("gcp.peer_asn"))
	if c.err != nil {
		return nil, c.err
	}
	as := append(addressAttrs(v4, v6, mtu), attr{"project", starlark.String(project)}, attr{"region", starlark.String(region)}, attr{"asn", asnValue(asn)})
	return c.b.add(&lang.GCPVPC{Meta: c.meta(name), Project: project, Region: region, CIDRs: v4, IPv6: v6, MTU: mtu, ASN: asn}, as)
}

func siteFn(c *call) (starlark.Value, error) {
	name := c.name("name")
	v4, v6, mtu := c.addressing("site.mtu")
	asn := c.asn("asn", 0)
	multipath := c.boolean("multipath", true)
	if c.err != nil {
		return nil, c.err
	}
	as := append(addressAttrs(v4, v6, mtu), attr{"asn", asnValue(asn)}, attr{"multipath", starlark.Bool(multipath)})
	return c.b.add(&lang.Site{Meta: c.meta(name), CIDRs: v4, IPv6: v6, ASN: asn, MTU: mtu, SinglePath: !multipath}, as)
}

func vgwFn(c *call) (starlark.Value, error) {
	vpc := c.resource("vpc", lang.KindVPC)
	name := ""
	if vpc != nil {
		name = vpc.res.Ref().Name + "-vgw"
	}
	if c.has("name") {
		name = c.name("name")
	}
	asn := c.asn("asn", cat().Int("vpn_gateway.asn"))
	if c.err != nil {
		return nil, c.err
	}
	g := &lang.VPNGateway{Meta: c.meta(name), ASN: asn}
	v, err := c.b.add(g, attrs{{"asn", asnValue(asn)}, {"vpc", vpc}})
	if err != nil {
		return nil, err
	}
	// The VGW is attached to its VPC at creation, as the console does.
	att := &lang.Attachment{Meta: c.meta(name), Kind: lang.AttachVGWVPC, A: g.Ref(), B: vpc.res.Ref()}
	if _, err := c.b.addMade(att, attachmentAttrs); err != nil {
		return nil, err
	}
	return v, nil
}

func dxgwFn(c *call) (starlark.Value, error) {
	name := c.name("name")
	asn := c.asn("asn", cat().Int("dx_gateway.asn"))
	if c.err != nil {
		return nil, c.err
	}
	return c.b.add(&lang.DXGateway{Meta: c.meta(name), ASN: asn}, attrs{{"asn", asnValue(asn)}})
}

func tgwFn(c *call) (starlark.Value, error) {
	g := &lang.TransitGateway{
		Meta:               c.meta(c.name("name")),
		Region:             c.region("region", "aws"),
		ASN:                c.asn("asn", cat().Int("transit_gateway.asn")),
		CIDRBlocks:         c.prefixes("cidr_blocks", 0),
		DefaultAssociation: c.boolean("default_association", true),
		DefaultPropagation: c.boolean("default_propagation", true),
	}
	if c.err != nil {
		return nil, c.err
	}
	return c.b.add(g, attrs{
		{"region", starlark.String(g.Region)}, {"asn", asnValue(g.ASN)}, {"cidr_blocks", prefixTuple(g.CIDRBlocks)},
		{"default_association", starlark.Bool(g.DefaultAssociation)}, {"default_propagation", starlark.Bool(g.DefaultPropagation)},
	})
}

func routeFn(c *call) (starlark.Value, error) {
	r := &route{Destination: c.prefix("destination"), Blackhole: c.boolean("blackhole", false), Range: c.here()}
	if v := c.get("target"); v != nil {
		res, ok := v.(*Resource)
		if !ok {
			c.failf("target", "want a resource, got %s", typeName(v))
		} else {
			r.target = res
		}
	}
	if c.err == nil && r.Blackhole == (r.target != nil) {
		c.failf("target", "give either a target or blackhole = True")
	}
	if c.err != nil {
		return nil, c.err
	}
	return r, nil
}

// route is a route() value: what the route is made of, in one allocation
// of 80 bytes, its attributes made when read. Designs declare routes by the
// hundred thousand and scripts seldom read one back; a general spec around
// a lang.Route took 224.
type route struct {
	Destination netip.Prefix
	Range       lang.Range
	target      *Resource // nil for a blackhole route
	Blackhole   bool
}

var _ starlark.HasAttrs = (*route)(nil)

func (r *route) String() string        { return "route(…)" }
func (r *route) Type() string          { return "route" }
func (r *route) Freeze()               {}
func (r *route) Truth() starlark.Bool  { return true }
func (r *route) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable: route") }
func (r *route) AttrNames() []string   { return r.attrs().names() }
func (r *route) Attr(name string) (starlark.Value, error) {
	v, _ := r.attrs().get(name)
	return v, nil
}

func (r *route) attrs() attrs {
	var target starlark.Value = starlark.None
	if r.target != nil {
		target = r.target
	}
	return attrs{{"destination", starlark.String(r.Destination.String())}, {"target", target}, {"blackhole", starlark.Bool(r.Blackhole)}}
}

func isRoute(v starlark.Value) bool {
	_, ok := v.(*route)
	return ok
}

// routes unpacks a list of route() values (checked all first, as specs
// does), checking each target's kind.
func (c *call) routes(p string, targets ...lang.Kind) []lang.Route {
	it := c.indexable(p)
	if it == nil || it.Len() == 0 {
		return nil
	}
	for i := range it.Len() {
		if v := it.Index(i); !isRoute(v) {
			c.failf(p, "element %d: want a route(), got %s", i, typeName(v))
			return nil
		}
	}
	rs := make([]lang.Route, it.Len())
	for i := range rs {
		r := it.Index(i).(*route)
		rs[i] = lang.Route{Destination: r.Destination, Blackhole: r.Blackhole, Range: r.Range}
		if r.target != nil {
			rs[i].Target = r.target.res.Ref()
		}
		if t := rs[i].Target; !t.IsZero() && !slices.Contains(targets, t.Kind) {
			c.failf(p, "element %d: a route here targets %s, got %s %q", i, lang.OrList(targets), t.Kind, t.Name)
		}
	}
	return rs
}

func routeTableFn(c *call) (starlark.Value, error) {
	name := c.name("name")
	vpc := c.resource("vpc", lang.KindVPC)
	routes := c.routes("routes", lang.KindTransitGW, lang.KindVPNGateway, lang.KindCoreNetwork)
	props := c.refs("propagations", lang.KindVPNGateway)
	if c.err != nil {
		return nil, c.err
	}
	return c.b.addMade(&lang.RouteTable{Meta: c.meta(name), VPC: vpc.res.Ref(), Routes: routes, Propagations: props}, routeTableAttrs)
}

func routeTableAttrs(b *Builder, res lang.Resource) attrs {
	t := res.(*lang.RouteTable)
	return attrs{{"vpc", b.value(t.VPC)}, {"routes", starlark.MakeInt(len(t.Routes))}}
}

func tgwRouteTableFn(c *call) (starlark.Value, error) {
	name := c.name("name")
	tgw := c.resource("transit_gateway", lang.KindTransitGW)
	t := &lang.TGWRouteTable{
		Meta:         c.meta(name),
		TGW:          refOf(tgw),
		Routes:       c.routes("routes", lang.KindAttachment, lang.KindInterconnect),
		Associations: c.refs("associations", lang.KindAttachment, lang.KindInterconnect),
		Propagations: c.refs("propagations", lang.KindAttachment, lang.KindInterconnect),
	}
	if c.err != nil {
		return nil, c.err
	}
	return c.b.add(t, attrs{{"transit_gateway", tgw}})
}

// segmentArg checks an optional segment name against a core network.
func (c *call) segmentArg(p string, cn *Resource) string {
	seg := c.str(p, "")
	if c.err != nil {
		return ""
	}
	if cn == nil {
		if seg != "" {
			c.failf(p, "only applies when attaching to a core_network")
		}
		return ""
	}
	core := cn.res.(*lang.CoreNetwork)
	if seg == "" {
		c.failf(p, "required when attaching to core_network %q (segments: %s)", core.Name, strings.Join(core.SegmentNames(), ", "))
	} else if core.Segment(seg) == nil {
		c.failf(p, "core_network %q has no segment %q%s", core.Name, seg, didYouMean(seg, core.SegmentNames()))
	}
	return seg
}

// nfgArg checks a network function group for an attachment: a core
// network attachment of a VPC, to a group the policy declares, and no
// segment with it — "You can associate an attachment either with a segment
// or with a network function group, but it can't be associated with both"
// (https://docs.aws.amazon.com/network-manager/latest/cloudwan/cloudwan-policy-service-insertion.html,
// checked 2026-12). AWS also accepts Connect, VPN, Direct Connect gateway
// and TGW route table attachments in a group; patchbay models VPCs only.
func (c *call) nfgArg(nfg string, kind lang.AttachmentKind, cn *Resource) string {
	switch {
	case cn == nil:
		c.failf("network_function_group", "only applies when attaching to a core_network")
	case kind != lang.AttachVPCCloudWAN:
		c.failf("network_function_group", "patchbay models network function groups of VPC attachments only (AWS also accepts Connect, VPN, Direct Connect gateway and TGW route table attachments)")
	case c.has("segment"):
		c.failf("segment", "an attachment is in a segment or in a network function group, not both")
	default:
		core := cn.res.(*lang.CoreNetwork)
		if !slices.Contains(core.NetworkFunctionGroups, nfg) {
			c.failf("network_function_group", "core_network %q has no network function group %q%s", core.Name, nfg, didYouMean(nfg, core.NetworkFunctionGroups))
		}
	}
	return ""
}

func (c *call) anyResource(p string) *Resource {
	v := c.get(p)
	r, ok := v.(*Resource)
	if !ok {
		c.failf(p, "want a resource, got %s", typeName(v))
	}
	return r
}

func attachmentAttrs(b *Builder, res lang.Resource) attrs {
	a := res.(*lang.Attachment)
	seg := starlark.Value(starlark.None)
	if a.Segment != "" {
		seg = starlark.String(a.Segment)
	}
	nfg := starlark.Value(starlark.None)
	if a.NetworkFunctionGroup != "" {
		nfg = starlark.String(a.NetworkFunctionGroup)
	}
	return attrs{{"type", starlark.String(a.Kind)}, {"a", b.value(a.A)}, {"b", b.value(a.B)}, {"segment", seg}, {"network_function_group", nfg}}
}

func attachFn(c *call) (starlark.Value, error) {
	x, y := c.anyResource("a"), c.anyResource("b")
	if c.err != nil {
		return nil, c.err
	}
	kind, swapped, needsSeg, err := lang.ClassifyAttachment(x.res.Ref().Kind, y.res.Ref().Kind)
	switch {
	case err != nil:
		c.fail("b", err)
	case x == y:
		c.failf("b", "cannot attach %s to itself", typeName(x))
	}
	name := x.res.Ref().Name + "-" + y.res.Ref().Name
	if c.has("name") {
		name = c.name("name")
	}
	if swapped {
		x, y = y, x
	}
	var cn *Resource
	if needsSeg {
		cn = y // the core network is always the second end
	}
	nfg := c.str("network_function_group", "")
	var seg string
	if nfg != "" && c.err == nil {
		seg = c.nfgArg(nfg, kind, cn)
	} else {
		seg = c.segmentArg("segment", cn)
	}
	allowed := c.prefixes("allowed_prefixes", 0)
	if allowed != nil && x.res.Ref().Kind != lang.KindDXGateway {
		c.failf("allowed_prefixes", "only applies to Direct Connect gateway associations")
	}
	if c.err != nil {
		return nil, c.err
	}
	a := &lang.Attachment{Meta: c.meta(name), Kind: kind, A: x.res.Ref(), B: y.res.Ref(), Segment: seg, AllowedPrefixes: allowed, NetworkFunctionGroup: nfg}
	v, err := c.b.addMade(a, attachmentAttrs)
	if err != nil {
		return nil, &Hinted{Err: err, Hint: "pass name = … to tell two attachments between the same resources apart"}
	}
	return v, nil
}

func interconnectFn(c *call) (starlark.Value, error) {
	name := c.name("name")
	provider := c.str("provider", "")
	c.oneOf("provider", "provider", provider, cat().ProviderNames())
	awsRegion := c.region("aws_region", "aws")
	peerRegion := c.region("peer_region", provider)
	bw := c.bandwidth("bandwidth")
	at := c.resource("attach_to", lang.InterconnectAttachKinds...)
	var cn *Resource
	if at != nil && at.res.Ref().Kind == lang.KindCoreNetwork {
		cn = at
	}
	seg := c.segmentArg("segment", cn)
	peer := c.resource("peer", lang.KindGCPVPC)
	mtu := 0
	if c.has("mtu") {
		mtu = c.mtu("mtu", 0)
		// With a peer network that has IPv6 the channels carry IPv6
		// sessions and traffic, and an IPv6 link's MTU is at least 1280
		// (RFC 8200 §5).
		if peer != nil && c.err == nil && isV6Peer(peer) && mtu < 1280 {
			c.failf("mtu", "%d is below 1280, the least MTU an IPv6 link has (RFC 8200 §5), and the peer network has IPv6", mtu)
		}
	}
	devices := c.strs("devices")
	if c.err == nil && devices != nil {
		c.checkDevices("devices", devices)
	}
	cipher := c.macsecCipher("macsec_cipher")
	if c.err != nil {
		return nil, c.err
	}
	ic := &lang.Interconnect{Meta: c.meta(name), Provider: provider, AWSRegion: awsRegion, PeerRegion: peerRegion,
		Bandwidth: bw, AttachTo: at.res.Ref(), Segment: seg, Peer: peer.res.Ref(), MTU: mtu, Devices: devices, MACsecCipher: cipher}
	return c.b.add(ic, attrs{
		{"provider", starlark.String(provider)}, {"aws_region", starlark.String(awsRegion)}, {"peer_region", starlark.String(peerRegion)},
		{"bandwidth", starlark.String(bw.String())}, {"attach_to", at}, {"peer", peer}, {"macsec_cipher", noneIfEmpty(cipher)},
	})
}

func lastMileFn(c *call) (starlark.Value, error) {
	name := c.name("name")
	partner := c.str("partner", "")
	c.oneOf("partner", "partner", partner, cat().PartnerNames())
	lm := &lang.LastMile{
		Meta:      c.meta(name),
		Partner:   partner,
		Region:    c.region("region", "aws"),
		Bandwidth: c.bandwidth("bandwidth"),
		Site:      refOf(c.resource("site", lang.KindSite)),
		AttachTo:  refOf(c.resource("attach_to", lang.LastMileAttachKinds...)),
		MACsec:    c.boolean("macsec", true),
		BFD:       c.boolean("bfd", true),
	}
	if c.has("macsec_mode") {
		mode := c.str("macsec_mode", "")
		c.oneOf("macsec_mode", "MACsec mode", mode, stdlib.MACsecModes())
		lm.MACsecMode = stdlib.MACsecMode(mode)
	}
	if c.err == nil && !lm.MACsec && lm.MACsecMode.Encrypts() {
		c.failHint("macsec_mode", fmt.Errorf("%q encrypts, but macsec = False turns MACsec off", lm.MACsecMode),
			`leave out macsec = False, or set macsec_mode = "no_encrypt"`)
	}
	lm.MACsecCipher = c.macsecCipher("macsec_cipher")
	if c.err != nil {
		return nil, c.err
	}
	return c.b.add(lm, attrs{
		{"partner", starlark.String(partner)}, {"region", starlark.String(lm.Region)}, {"bandwidth", starlark.String(lm.Bandwidth.String())},
		{"site", c.b.value(lm.Site)}, {"attach_to", c.b.value(lm.AttachTo)}, {"macsec", starlark.Bool(lm.MACsec)},
		{"bfd", starlark.Bool(lm.BFD)}, {"macsec_mode", noneIfEmpty(lm.MACsecMode.String())}, {"macsec_cipher", noneIfEmpty(lm.MACsecCipher)},
	})
}

// macsecCipher reads an optional cipher suite written in any case, and
// keeps it canonical so the planner and the simulator compare suites as
// strings. Whether AWS supports it on the link's port is the planner's
// check (rule macsec-cipher): the port speed is derived there.
func (c *call) macsecCipher(p string) string {
	if !c.has(p) {
		return ""
	}
	s := c.str(p, "")
	if c.err != nil {
		return ""
	}
	canon, ok := stdlib.CanonicalMACsecCipher(s)
	if !ok {
		suites := stdlib.MACsecCiphers()
		hint := "cipher suites: " + strings.Join(suites, ", ")
		if near := lang.Nearest(canon, suites); near != "" {
			hint = fmt.Sprintf("did you mean %q?", near)
		}
		c.failHint(p, fmt.Errorf("unknown MACsec cipher suite %q", s), hint)
	}
	return canon
}

// noneIfEmpty is an optional string argument's attribute: None when it was
// not given, so scripts can tell a choice from the catalog's default.
func noneIfEmpty(s string) starlark.Value {
	if s == "" {
		return starlark.None
	}
	return starlark.String(s)
}

func monitorFn(c *call) (starlark.Value, error) {
	name := c.name("name")
	src := c.resource("source", lang.KindVPC, lang.KindGCPVPC, lang.KindSite)
	dst := c.resource("destination", lang.KindVPC, lang.KindGCPVPC, lang.KindSite)
	if c.err == nil && src == dst {
		c.failf("destination", "source and destination are the same network")
	}
	iv := c.duration("interval", 30*time.Second)
	if c.err == nil && iv != 30*time.Second && iv != 60*time.Second {
		c.failf("interval", "want \"30s\" or \"60s\" (the aggregation periods Network Synthetic Monitor offers), got %q", stdlib.FormatDuration(iv))
	}
	if c.err != nil {
		return nil, c.err
	}
	m := &lang.Monitor{Meta: c.meta(name), From: src.res.Ref(), To: dst.res.Ref(), Interval: stdlib.FormatDuration(iv)}
	return c.b.add(m, attrs{{"source", src}, {"destination", dst}, {"interval", starlark.String(m.Interval)}})
}

// checkDevices wants distinct "FACILITY/ROUTER" names, at least one.
func (c *call) checkDevices(p string, devices []string) {
	if len(devices) == 0 {
		c.failf(p, "want at least one device")
	}
	seen := map[string]bool{}
	for _, d := range devices {
		f, r, ok := strings.Cut(d, "/")
		if !ok || checkName(f) != nil || checkName(r) != nil {
			c.failf(p, "device %q: want \"FACILITY/ROUTER\", e.g. \"fac-a/r1\"", d)
			return
		}
		if seen[d] {
			c.failf(p, "device %q is listed twice: each channel needs its own router", d)
			return
		}
		seen[d] = true
	}
}

func didYouMean(s string, cands []string) string {
	if n := lang.Nearest(s, cands); n != "" {
		return fmt.Sprintf(" (did you mean %q?)", n)
	}
	return ""
}

// isV6Peer says whether an Interconnect's peer network has IPv6 blocks.
func isV6Peer(peer *Resource) bool {
	g, ok := peer.Declared().(*lang.GCPVPC)
	return ok && len(g.IPv6) > 0
}
