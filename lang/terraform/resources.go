package terraform

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"patchbay/lang"
	"patchbay/lang/cloudwan"
)

const hclsyntaxComment = hclsyntax.TokenComment

// end is the end of attachment a of the kind k; the zero Ref when none.
func end(a *lang.Attachment, k lang.Kind) lang.Ref {
	switch {
	case a.A.Kind == k:
		return a.A
	case a.B.Kind == k:
		return a.B
	}
	return lang.Ref{}
}

func (w *writer) vpcs() {
	for _, v := range w.d.VPCs {
		n := name(v.Name)
		w.vpcRegion[v.Ref()] = v.Region
		b := w.resource("aws_vpc", n)
		b.SetAttributeRaw("provider", w.provider(v.Region))
		b.SetAttributeValue("cidr_block", cty.StringVal(v.CIDRs[0].String()))
		t := tags("Name", v.Name)
		if len(v.IPv6) > 0 {
			// AWS allocates a VPC's IPv6 block from Amazon's pool (or an
			// IPAM pool); the design's prefix is where it plans it, kept
			// in a tag so that an import, and a reader, still see it.
			b.SetAttributeValue("assign_generated_ipv6_cidr_block", cty.True)
			var ps []string
			for _, p := range v.IPv6 {
				ps = append(ps, p.String())
			}
			t = tags("Name", v.Name, ipv6Tag, strings.Join(ps, " "))
		}
		b.SetAttributeValue("tags", t)
		for i, c := range v.CIDRs[1:] {
			a := w.resource("aws_vpc_ipv4_cidr_block_association", fmt.Sprintf("%s_%d", n, i+2))
			a.SetAttributeRaw("provider", w.provider(v.Region))
			a.SetAttributeRaw("vpc_id", ref("aws_vpc", n, "id"))
			a.SetAttributeValue("cidr_block", cty.StringVal(c.String()))
		}
		// Attachments to a Transit Gateway or a core network need subnets,
		// which the design does not model.
		w.output("vpc_"+n+"_id", ref("aws_vpc", n, "id"), "the ID of VPC "+v.Name)
	}
}

// vpcOfVGW is the VPC a VPN gateway serves, from its vgw-vpc attachment.
func (w *writer) vpcOfVGW(g lang.Ref) lang.Ref {
	for _, a := range w.d.Attachments {
		if a.Kind == lang.AttachVGWVPC && end(a, lang.KindVPNGateway) == g {
			return end(a, lang.KindVPC)
		}
	}
	return lang.Ref{}
}

func (w *writer) gateways() {
	for _, g := range w.d.VPNGateways {
		n := name(g.Name)
		b := w.resource("aws_vpn_gateway", n)
		if v := w.vpcOfVGW(g.Ref()); v.Name != "" {
			b.SetAttributeRaw("provider", w.provider(w.vpcRegion[v]))
			b.SetAttributeRaw("vpc_id", ref("aws_vpc", name(v.Name), "id"))
		}
		b.SetAttributeValue("amazon_side_asn", cty.StringVal(fmt.Sprint(g.ASN)))
		b.SetAttributeValue("tags", tags("Name", g.Name))
	}
	for _, g := range w.d.DXGateways {
		n := name(g.Name)
		b := w.resource("aws_dx_gateway", n)
		b.SetAttributeValue("name", cty.StringVal(g.Name))
		b.SetAttributeValue("amazon_side_asn", cty.StringVal(fmt.Sprint(g.ASN)))
		w.output("dx_gateway_"+n+"_id", ref("aws_dx_gateway", n, "id"), "the ID of Direct Connect gateway "+g.Name)
	}
}

func (w *writer) transitGateways() {
	enable := func(on bool) cty.Value {
		if on {
			return cty.StringVal("enable")
		}
		return cty.StringVal("disable")
	}
	for _, g := range w.d.TransitGateways {
		n := name(g.Name)
		b := w.resource("aws_ec2_transit_gateway", n)
		b.SetAttributeRaw("provider", w.provider(g.Region))
		b.SetAttributeValue("amazon_side_asn", cty.NumberUIntVal(uint64(g.ASN)))
		b.SetAttributeValue("default_route_table_association", enable(g.DefaultAssociation))
		b.SetAttributeValue("default_route_table_propagation", enable(g.DefaultPropagation))
		if len(g.CIDRBlocks) > 0 {
			var cs []string
			for _, c := range g.CIDRBlocks {
				cs = append(cs, c.String())
			}
			b.SetAttributeValue("transit_gateway_cidr_blocks", strs(cs))
		}
		b.SetAttributeValue("tags", tags("Name", g.Name))
		w.output("transit_gateway_"+n+"_id", ref("aws_ec2_transit_gateway", n, "id"), "the ID of Transit Gateway "+g.Name)
	}
	for _, t := range w.d.TGWRouteTables {
		g := w.tgw(t.TGW)
		n := name(t.TGW.Name + "_" + t.Name)
		b := w.resource("aws_ec2_transit_gateway_route_table", n)
		b.SetAttributeRaw("provider", w.provider(g.Region))
		b.SetAttributeRaw("transit_gateway_id", ref("aws_ec2_transit_gateway", name(g.Name), "id"))
		b.SetAttributeValue("tags", tags("Name", t.Name))
	}
}

func (w *writer) tgw(r lang.Ref) *lang.TransitGateway {
	for _, g := range w.d.TransitGateways {
		if g.Ref() == r {
			return g
		}
	}
	return &lang.TransitGateway{}
}

func (w *writer) coreNetworks() {
	for _, cn := range w.d.CoreNetworks {
		n := name(cn.Name)
		g := w.resource("aws_networkmanager_global_network", n)
		g.SetAttributeValue("description", cty.StringVal("the global network of core network "+cn.Name))
		c := w.resource("aws_networkmanager_core_network", n)
		c.SetAttributeRaw("global_network_id", ref("aws_networkmanager_global_network", n, "id"))
		c.SetAttributeValue("tags", tags("Name", cn.Name))
		policyFile := "cloudwan-" + n + ".json"
		w.files[policyFile] = cloudwan.Export(w.d, cn).JSON()
		p := w.resource("aws_networkmanager_core_network_policy_attachment", n)
		p.SetAttributeRaw("core_network_id", ref("aws_networkmanager_core_network", n, "id"))
		p.SetAttributeRaw("policy_document", hclwrite.TokensForFunctionCall("file",
			hclwrite.TokensForFunctionCall("format", hclwrite.TokensForValue(cty.StringVal("%s/"+policyFile)), ref("path", "module"))))
		w.output("core_network_"+n+"_id", ref("aws_networkmanager_core_network", n, "id"), "the ID of core network "+cn.Name)
	}
}

// attachmentTags are the tags that place an attachment of a core network
// by the exported policy's rules.
func attachmentTags(a *lang.Attachment) cty.Value {
	if a.NetworkFunctionGroup != "" {
		return tags("Name", a.Name, cloudwan.GroupTag, a.NetworkFunctionGroup)
	}
	return tags("Name", a.Name, cloudwan.SegmentTag, a.Segment)
}

// gcpName is a Google Cloud resource name for a design name: lower case
// letters, digits and hyphens, starting with a letter (RFC 1035).
func gcpName(s string) string {
	n := strings.Trim(regexp.MustCompile(`[^a-z0-9-]+`).ReplaceAllString(strings.ToLower(s), "-"), "-")
	if n == "" || n[0] < 'a' || n[0] > 'z' {
		n = "n-" + n
	}
	// Google's names are at most 63 characters (RFC 1035 labels, as the
	// google_compute_network reference says), and a subnetwork adds
	// "-N" to its network's: a longer one keeps its start and ends in a
	// hash of the whole name, so two long names stay apart.
	if len(n) > gcpNameMax {
		h := sha256.Sum256([]byte(s))
		n = strings.TrimRight(n[:gcpNameMax-9], "-") + "-" + hex.EncodeToString(h[:4])
	}
	return n
}

// gcpNameMax leaves a network's name room for a subnetwork's "-NN".
const gcpNameMax = 60

func (w *writer) subnets(v lang.Ref) hclwrite.Tokens {
	vn := "subnet_ids_" + name(v.Name)
	w.variable(vn, "list(string)", "the subnets of VPC "+v.Name+" (one per Availability Zone) that its attachments use")
	return ref("var", vn)
}

func (w *writer) attachments() {
	// A Transit Gateway's peering with a core network, by gateway and
	// core network: the gateway's attachments to the core network, one for
	// each of its route tables, are route table attachments on that one
	// peering (cloudwan-peerings.html; the planner's attach-invalid), so
	// it is written once, named after the first.
	w.wanPeerings = map[[2]lang.Ref]string{}
	for _, a := range w.d.Attachments {
		n := name(a.Name)
		switch a.Kind {
		case lang.AttachVPCTGW:
			v, g := end(a, lang.KindVPC), w.tgw(end(a, lang.KindTransitGW))
			b := w.resource("aws_ec2_transit_gateway_vpc_attachment", n)
			b.SetAttributeRaw("provider", w.provider(g.Region))
			b.SetAttributeRaw("subnet_ids", w.subnets(v))
			b.SetAttributeRaw("transit_gateway_id", ref("aws_ec2_transit_gateway", name(g.Name), "id"))
			b.SetAttributeRaw("vpc_id", ref("aws_vpc", name(v.Name), "id"))
			// The design's route tables say where it is associated and
			// propagates, not the gateway's defaults.
			if !g.DefaultAssociation || len(w.tablesOf(a.Ref(), true)) > 0 {
				b.SetAttributeValue("transit_gateway_default_route_table_association", cty.False)
			}
			if !g.DefaultPropagation || len(w.tablesOf(a.Ref(), false)) > 0 {
				b.SetAttributeValue("transit_gateway_default_route_table_propagation", cty.False)
			}
			b.SetAttributeValue("tags", tags("Name", a.Name))
		case lang.AttachDXGWVGW, lang.AttachDXGWTGW:
			dx := end(a, lang.KindDXGateway)
			b := w.resource("aws_dx_gateway_association", n)
			// The association is made in the associated gateway's Region:
			// the provider finds the gateway, and from version 6.5 the
			// Transit Gateway's attachment, with that Region's client
			// (https://github.com/hashicorp/terraform-provider-aws/issues/21608,
			// read 2026-12).
			if g := end(a, lang.KindVPNGateway); g.Name != "" {
				b.SetAttributeRaw("provider", w.provider(w.vpcRegion[w.vpcOfVGW(g)]))
				b.SetAttributeRaw("dx_gateway_id", ref("aws_dx_gateway", name(dx.Name), "id"))
				b.SetAttributeRaw("associated_gateway_id", ref("aws_vpn_gateway", name(g.Name), "id"))
			} else {
				tg := w.tgw(end(a, lang.KindTransitGW))
				b.SetAttributeRaw("provider", w.provider(tg.Region))
				b.SetAttributeRaw("dx_gateway_id", ref("aws_dx_gateway", name(dx.Name), "id"))
				b.SetAttributeRaw("associated_gateway_id", ref("aws_ec2_transit_gateway", name(tg.Name), "id"))
			}
			if len(a.AllowedPrefixes) > 0 {
				var ps []string
				for _, p := range a.AllowedPrefixes {
					ps = append(ps, p.String())
				}
				b.SetAttributeValue("allowed_prefixes", strs(ps))
			}
		case lang.AttachVPCCloudWAN:
			v, cn := end(a, lang.KindVPC), end(a, lang.KindCoreNetwork)
			b := w.resource("aws_networkmanager_vpc_attachment", n)
			b.SetAttributeRaw("core_network_id", ref("aws_networkmanager_core_network_policy_attachment", name(cn.Name), "core_network_id"))
			b.SetAttributeRaw("subnet_arns", w.subnetARNs(v))
			b.SetAttributeRaw("vpc_arn", ref("aws_vpc", name(v.Name), "arn"))
			b.SetAttributeValue("tags", attachmentTags(a))
			w.accept(a, cn, "aws_networkmanager_vpc_attachment", n)
		case lang.AttachDXGWWAN:
			dx, cn := end(a, lang.KindDXGateway), end(a, lang.KindCoreNetwork)
			b := w.resource("aws_networkmanager_dx_gateway_attachment", n)
			b.SetAttributeRaw("core_network_id", ref("aws_networkmanager_core_network_policy_attachment", name(cn.Name), "core_network_id"))
			// aws_dx_gateway has no ARN attribute: it is built from the
			// owner and the ID, as the provider's own example does.
			b.SetAttributeRaw("direct_connect_gateway_arn", hclwrite.TokensForFunctionCall("format",
				hclwrite.TokensForValue(cty.StringVal("arn:aws:directconnect::%s:dx-gateway/%s")),
				ref("aws_dx_gateway", name(dx.Name), "owner_account_id"), ref("aws_dx_gateway", name(dx.Name), "id")))
			b.SetAttributeValue("edge_locations", strs(w.edgesOf(cn)))
			b.SetAttributeValue("tags", attachmentTags(a))
			w.accept(a, cn, "aws_networkmanager_dx_gateway_attachment", n)
			// A DX gateway attachment to a core network takes no allowed
			// prefixes: CreateDirectConnectGatewayAttachment has a core
			// network, the gateway's ARN, edge locations, a routing policy
			// label and tags
			// (https://docs.aws.amazon.com/networkmanager/latest/APIReference/API_CreateDirectConnectGatewayAttachment.html),
			// and the provider's resource the first three and tags
			// (https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/networkmanager_dx_gateway_attachment,
			// both read 2026-12). Only a routing policy, in a policy of
			// version 2025.11, narrows what the segment advertises, and the
			// export writes 2021.12: say so rather than drop the prefixes.
			if len(a.AllowedPrefixes) > 0 {
				var ps []string
				for _, p := range a.AllowedPrefixes {
					ps = append(ps, p.String())
				}
				w.comment(fmt.Sprintf("%s: the design advertises only %s from segment %q to DX gateway %s. A DX gateway\n"+
					"attachment to Cloud WAN takes no allowed prefixes (neither the API nor aws_networkmanager_dx_gateway_attachment\n"+
					"has them): Cloud WAN advertises the segment's routes to the gateway. To narrow them by hand, write the policy\n"+
					"(cloudwan-%s.json) as version 2025.11 with an outbound routing policy that allows only these prefixes,\n"+
					"associated with the attachment by an attachment-routing-policy-rules rule on its routing policy label\n"+
					"(https://docs.aws.amazon.com/network-manager/latest/cloudwan/cloudwan-route-policy.html).",
					n, strings.Join(ps, ", "), a.Segment, dx.Name, name(cn.Name)))
			}
		case lang.AttachTGWCloudWAN:
			w.wanAttachment(a, n)
		case lang.AttachTGWPeering:
			ga, gb := w.tgw(a.A), w.tgw(a.B)
			b := w.resource("aws_ec2_transit_gateway_peering_attachment", n)
			b.SetAttributeRaw("provider", w.provider(ga.Region))
			b.SetAttributeValue("peer_region", cty.StringVal(gb.Region))
			b.SetAttributeRaw("peer_transit_gateway_id", ref("aws_ec2_transit_gateway", name(gb.Name), "id"))
			b.SetAttributeRaw("transit_gateway_id", ref("aws_ec2_transit_gateway", name(ga.Name), "id"))
			b.SetAttributeValue("tags", tags("Name", a.Name))
			acc := w.resource("aws_ec2_transit_gateway_peering_attachment_accepter", n)
			acc.SetAttributeRaw("provider", w.provider(gb.Region))
			if ga.Region != gb.Region {
				acc.SetAttributeRaw("transit_gateway_attachment_id", ref("aws_ec2_transit_gateway_peering_attachment", n, "id"))
				break
			}
			// Between two gateways of one Region AWS makes an attachment
			// for each side, so the accepting side's is looked up by its
			// gateway once the request exists, as the provider's
			// intra-region peering example does
			// (hashicorp/terraform-provider-aws,
			// examples/transit-gateway-intra-region-peering, read 2026-12).
			acc.SetAttributeRaw("transit_gateway_attachment_id", ref("data", "aws_ec2_transit_gateway_peering_attachment", n, "id"))
			w.main.AppendNewline()
			d := w.main.AppendNewBlock("data", []string{"aws_ec2_transit_gateway_peering_attachment", n}).Body()
			d.SetAttributeRaw("provider", w.provider(gb.Region))
			f := d.AppendNewBlock("filter", nil).Body()
			f.SetAttributeValue("name", cty.StringVal("transit-gateway-id"))
			f.SetAttributeRaw("values", hclwrite.TokensForTuple([]hclwrite.Tokens{ref("aws_ec2_transit_gateway", name(gb.Name), "id")}))
			d.SetAttributeRaw("depends_on", hclwrite.TokensForTuple([]hclwrite.Tokens{ref("aws_ec2_transit_gateway_peering_attachment", n)}))
		}
		// A VGW's attachment to its VPC is the gateway's vpc_id.
	}
}

// accept accepts attachment a of type typ when its segment requires
// acceptance: the design has it attached, and a segment with
// require-attachment-acceptance holds it pending until the core network's
// owner accepts it
// (https://docs.aws.amazon.com/network-manager/latest/cloudwan/cloudwan-policies-json.html,
// read 2026-12).
func (w *writer) accept(a *lang.Attachment, cn lang.Ref, typ, n string) {
	if !w.accepted(a) {
		return
	}
	b := w.resource("aws_networkmanager_attachment_accepter", n)
	b.SetAttributeRaw("attachment_id", ref(typ, n, "id"))
	b.SetAttributeRaw("attachment_type", ref(typ, n, "attachment_type"))
}

// wanAttachment writes a, a Transit Gateway's attachment to a core
// network, as AWS builds one: the gateway's one peering with the core
// network, with the policy table associated with the peering's attachment
// on the gateway ("You first need to create the peering connection and
// associate a policy table to the transit gateway peering attachment"),
// and on it a route table attachment of the gateway's route table that a
// is associated with, which the attachment policy puts in a's segment by
// its tags ("You can use route table attachments on the peering
// connection to selectively exchange routes between a specific transit
// gateway route table and a Cloud WAN network segment",
// https://docs.aws.amazon.com/network-manager/latest/cloudwan/cloudwan-peerings.html;
// the provider's aws_networkmanager_transit_gateway_peering,
// aws_ec2_transit_gateway_policy_table_association and
// aws_networkmanager_transit_gateway_route_table_attachment pages; all
// read 2026-12). The peering and its policy table are named after the
// gateway's first attachment to that core network.
func (w *writer) wanAttachment(a *lang.Attachment, n string) {
	g, cn := w.tgw(end(a, lang.KindTransitGW)), end(a, lang.KindCoreNetwork)
	key := [2]lang.Ref{g.Ref(), cn}
	peering, ok := w.wanPeerings[key]
	if !ok {
		peering, w.wanPeerings[key] = n, n
		pt := w.resource("aws_ec2_transit_gateway_policy_table", n)
		pt.SetAttributeRaw("provider", w.provider(g.Region))
		pt.SetAttributeRaw("transit_gateway_id", ref("aws_ec2_transit_gateway", name(g.Name), "id"))
		pt.SetAttributeValue("tags", tags("Name", g.Name+" to "+cn.Name))
		p := w.resource("aws_networkmanager_transit_gateway_peering", n)
		p.SetAttributeRaw("core_network_id", ref("aws_networkmanager_core_network_policy_attachment", name(cn.Name), "core_network_id"))
		p.SetAttributeRaw("transit_gateway_arn", ref("aws_ec2_transit_gateway", name(g.Name), "arn"))
		p.SetAttributeRaw("depends_on", hclwrite.TokensForTuple([]hclwrite.Tokens{ref("aws_ec2_transit_gateway_policy_table", n)}))
		pa := w.resource("aws_ec2_transit_gateway_policy_table_association", n)
		pa.SetAttributeRaw("provider", w.provider(g.Region))
		pa.SetAttributeRaw("transit_gateway_attachment_id", ref("aws_networkmanager_transit_gateway_peering", n, "transit_gateway_peering_attachment_id"))
		pa.SetAttributeRaw("transit_gateway_policy_table_id", ref("aws_ec2_transit_gateway_policy_table", n, "id"))
	}
	// The route table it goes with: the design's table associated with
	// it, or else the gateway's default route table, which AWS makes and
	// gives only an ID (association_default_route_table_id), its ARN
	// built from the Region, the owner and that ID as EC2's ARNs are.
	var arn hclwrite.Tokens
	var table string
	var own bool
	t := w.associated(a.Ref())
	switch {
	case t != nil:
		arn = ref("aws_ec2_transit_gateway_route_table", name(t.TGW.Name+"_"+t.Name), "arn")
		table, own = "route table "+t.Name, slices.Contains(t.Propagations, a.Ref())
	case g.DefaultAssociation:
		arn = hclwrite.TokensForFunctionCall("format",
			hclwrite.TokensForValue(cty.StringVal("arn:aws:ec2:%s:%s:transit-gateway-route-table/%s")), hclwrite.TokensForValue(cty.StringVal(g.Region)),
			ref("aws_ec2_transit_gateway", name(g.Name), "owner_id"), ref("aws_ec2_transit_gateway", name(g.Name), "association_default_route_table_id"))
		table, own = "the gateway's default route table", g.DefaultPropagation
	default:
		w.comment(fmt.Sprintf("%s: no route table of Transit Gateway %s is associated with it, and the gateway associates\n"+
			"nothing with its default route table, so it has no route table attachment on peering %s to write.", n, g.Name, peering))
		return
	}
	b := w.resource("aws_networkmanager_transit_gateway_route_table_attachment", n)
	b.SetAttributeRaw("peering_id", ref("aws_networkmanager_transit_gateway_peering", peering, "id"))
	b.SetAttributeRaw("transit_gateway_route_table_arn", arn)
	b.SetAttributeValue("tags", attachmentTags(a))
	b.SetAttributeRaw("depends_on", hclwrite.TokensForTuple([]hclwrite.Tokens{ref("aws_ec2_transit_gateway_policy_table_association", peering)}))
	w.accept(a, cn, "aws_networkmanager_transit_gateway_route_table_attachment", n)
	var others []string
	for _, x := range w.d.TGWRouteTables {
		if x != t && slices.Contains(x.Propagations, a.Ref()) {
			others = append(others, "route table "+x.Name)
		}
	}
	if len(others) > 0 || !own {
		if own {
			others = append([]string{table}, others...)
		}
		into := "no route table"
		if len(others) > 0 {
			into = strings.Join(others, ", ")
		}
		w.comment(fmt.Sprintf("%s: its route table attachment exchanges routes between segment %q and %s alone;\n"+
			"the design has the segment's routes propagate into %s.", n, a.Segment, table, into))
	}
}

// wanRouteTarget is the attachment ID and wait of a route in table t to
// att, a Transit Gateway's attachment to a core network: the peering's
// attachment on the gateway, once att's route table attachment exists,
// when att's route table attachment is t's; nil otherwise.
func (w *writer) wanRouteTarget(att lang.Ref, t *lang.TGWRouteTable) (id, wait hclwrite.Tokens) {
	x, _ := w.d.Lookup(att)
	a := x.(*lang.Attachment)
	g, cn := end(a, lang.KindTransitGW), end(a, lang.KindCoreNetwork)
	p, ok := w.wanPeerings[[2]lang.Ref{g, cn}]
	if !ok || w.associated(att) != t {
		return nil, nil
	}
	return ref("aws_networkmanager_transit_gateway_peering", p, "transit_gateway_peering_attachment_id"),
		hclwrite.TokensForTuple([]hclwrite.Tokens{ref("aws_networkmanager_transit_gateway_route_table_attachment", name(a.Name))})
}

// toCoreNetwork says whether r is a Transit Gateway's attachment to a
// core network.
func (w *writer) toCoreNetwork(r lang.Ref) bool {
	x, _ := w.d.Lookup(r)
	a, ok := x.(*lang.Attachment)
	return ok && a.Kind == lang.AttachTGWCloudWAN
}

// associated is the route table of the design that attachment a is
// associated with, nil for none.
func (w *writer) associated(a lang.Ref) *lang.TGWRouteTable {
	for _, t := range w.d.TGWRouteTables {
		if slices.Contains(t.Associations, a) {
			return t
		}
	}
	return nil
}

// accepted says whether a, an attachment to a core network, waits for
// acceptance: its segment requires it.
func (w *writer) accepted(a *lang.Attachment) bool {
	r, _ := w.d.Lookup(end(a, lang.KindCoreNetwork))
	c, ok := r.(*lang.CoreNetwork)
	if !ok {
		return false
	}
	s := c.Segment(a.Segment)
	return s != nil && s.RequireAcceptance
}

func (w *writer) subnetARNs(v lang.Ref) hclwrite.Tokens {
	vn := "subnet_arns_" + name(v.Name)
	w.variable(vn, "list(string)", "the ARNs of the subnets of VPC "+v.Name+" (one per Availability Zone) that its core network attachment uses")
	return ref("var", vn)
}

func (w *writer) edgesOf(r lang.Ref) []string {
	for _, cn := range w.d.CoreNetworks {
		if cn.Ref() == r {
			var out []string
			for _, e := range cn.Edges {
				out = append(out, e.Region)
			}
			return out
		}
	}
	return nil
}

// tablesOf lists the TGW route tables attachment a is associated with
// (assoc) or propagates to.
func (w *writer) tablesOf(a lang.Ref, assoc bool) []*lang.TGWRouteTable {
	var out []*lang.TGWRouteTable
	for _, t := range w.d.TGWRouteTables {
		list := t.Propagations
		if assoc {
			list = t.Associations
		}
		for _, r := range list {
			if r == a {
				out = append(out, t)
			}
		}
	}
	return out
}

// attachmentID is the Terraform ID of attachment r as gateway on sees it,
// and what a use of it must wait for besides (nil: nothing). An
// attachment to a core network has none here: its route table attachment
// (wanAttachment) stands for its table's association and propagation, and
// a route to it goes to the peering's attachment (wanRouteTarget).
func (w *writer) attachmentID(r lang.Ref, on *lang.TransitGateway) (id, wait hclwrite.Tokens) {
	for _, a := range w.d.Attachments {
		if a.Ref() != r {
			continue
		}
		switch a.Kind {
		case lang.AttachVPCTGW:
			return ref("aws_ec2_transit_gateway_vpc_attachment", name(a.Name), "id"), nil
		case lang.AttachTGWPeering:
			n := name(a.Name)
			// A table that associates the peering or routes to it must
			// wait for the acceptance, or AWS answers that the attachment
			// is in an invalid state (hashicorp/terraform-provider-aws
			// issues 14228 and 26754, read 2026-12). The accepter's ID is
			// the accepting side's attachment: between Regions the one
			// attachment both sides share, in one Region the requesting
			// side has an attachment of its own.
			if ga, gb := w.tgw(a.A), w.tgw(a.B); ga.Region == gb.Region && on == ga {
				return ref("aws_ec2_transit_gateway_peering_attachment", n, "id"),
					hclwrite.TokensForTuple([]hclwrite.Tokens{ref("aws_ec2_transit_gateway_peering_attachment_accepter", n)})
			}
			return ref("aws_ec2_transit_gateway_peering_attachment_accepter", n, "id"), nil
		case lang.AttachDXGWTGW:
			// A DX gateway association's attachment is the
			// association's, found by the data source.
			return ref("data", "aws_ec2_transit_gateway_dx_gateway_attachment", name(a.Name), "id"), nil
		}
	}
	return nil, nil
}

// vpcAttachment is depends_on for a route from VPC v to target: the
// attachment of v to target, and its accepter when it has one; nil when
// the route needs no attachment.
func (w *writer) vpcAttachment(v, target lang.Ref) hclwrite.Tokens {
	for _, a := range w.d.Attachments {
		var typ string
		switch {
		case a.Kind == lang.AttachVPCTGW && target.Kind == lang.KindTransitGW:
			typ = "aws_ec2_transit_gateway_vpc_attachment"
		case a.Kind == lang.AttachVPCCloudWAN && target.Kind == lang.KindCoreNetwork:
			typ = "aws_networkmanager_vpc_attachment"
		default:
			continue
		}
		if end(a, lang.KindVPC) != v || end(a, target.Kind) != target {
			continue
		}
		n := name(a.Name)
		deps := []hclwrite.Tokens{ref(typ, n)}
		if w.accepted(a) {
			deps = append(deps, ref("aws_networkmanager_attachment_accepter", n))
		}
		return hclwrite.TokensForTuple(deps)
	}
	return nil
}

func (w *writer) routeTables() {
	dxData := map[string]bool{}
	for _, t := range w.d.TGWRouteTables {
		g := w.tgw(t.TGW)
		tn := name(t.TGW.Name + "_" + t.Name)
		for _, kind := range []struct {
			typ  string
			refs []lang.Ref
		}{{"aws_ec2_transit_gateway_route_table_association", t.Associations}, {"aws_ec2_transit_gateway_route_table_propagation", t.Propagations}} {
			for _, r := range kind.refs {
				id, wait := w.attachmentID(r, g)
				if id == nil {
					continue
				}
				w.dxAttachmentData(r, g, dxData)
				b := w.resource(kind.typ, tn+"_"+name(r.Name))
				b.SetAttributeRaw("provider", w.provider(g.Region))
				b.SetAttributeRaw("transit_gateway_attachment_id", id)
				b.SetAttributeRaw("transit_gateway_route_table_id", ref("aws_ec2_transit_gateway_route_table", tn, "id"))
				if wait != nil {
					b.SetAttributeRaw("depends_on", wait)
				}
			}
		}
		for i, rt := range t.Routes {
			rn := fmt.Sprintf("%s_%d", tn, i+1)
			id, wait := w.attachmentID(rt.Target, g)
			if w.toCoreNetwork(rt.Target) {
				// The gateway's side of its one peering with the core
				// network is the same for all its tables: a route to it
				// goes to the segment of this table's route table
				// attachment, so it is the design's route only when the
				// attachment it names is that one.
				if id, wait = w.wanRouteTarget(rt.Target, t); id == nil {
					w.comment(fmt.Sprintf("aws_ec2_transit_gateway_route.%s: the route to %s in %s goes to %s, which is not this table's\n"+
						"route table attachment to the core network: the peering's attachment, all a route can name, is the gateway's for\n"+
						"every table; not written.", rn, rt.Destination, t.Name, rt.Target.Name))
					continue
				}
			}
			if !rt.Blackhole && id == nil {
				// A route with neither a target nor a blackhole is no
				// route AWS takes.
				w.comment(fmt.Sprintf("aws_ec2_transit_gateway_route.%s: the route to %s in %s goes to %s, which has no Transit Gateway\n"+
					"attachment in this configuration; not written.", rn, rt.Destination, t.Name, rt.Target))
				continue
			}
			b := w.resource("aws_ec2_transit_gateway_route", rn)
			b.SetAttributeRaw("provider", w.provider(g.Region))
			b.SetAttributeValue("destination_cidr_block", cty.StringVal(rt.Destination.String()))
			b.SetAttributeRaw("transit_gateway_route_table_id", ref("aws_ec2_transit_gateway_route_table", tn, "id"))
			if rt.Blackhole {
				b.SetAttributeValue("blackhole", cty.True)
				continue
			}
			w.dxAttachmentData(rt.Target, g, dxData)
			b.SetAttributeRaw("transit_gateway_attachment_id", id)
			if wait != nil {
				b.SetAttributeRaw("depends_on", wait)
			}
		}
	}
	for _, rt := range w.d.RouteTables {
		region := w.vpcRegion[rt.VPC]
		tn := name(rt.VPC.Name + "_" + rt.Name)
		b := w.resource("aws_route_table", tn)
		b.SetAttributeRaw("provider", w.provider(region))
		b.SetAttributeRaw("vpc_id", ref("aws_vpc", name(rt.VPC.Name), "id"))
		if len(rt.Propagations) > 0 {
			gws := make([]hclwrite.Tokens, len(rt.Propagations))
			for i, g := range rt.Propagations {
				gws[i] = ref("aws_vpn_gateway", name(g.Name), "id")
			}
			b.SetAttributeRaw("propagating_vgws", hclwrite.TokensForTuple(gws))
		}
		b.SetAttributeValue("tags", tags("Name", rt.Name))
		for i, r := range rt.Routes {
			rb := w.resource("aws_route", fmt.Sprintf("%s_%d", tn, i+1))
			rb.SetAttributeRaw("provider", w.provider(region))
			rb.SetAttributeRaw("route_table_id", ref("aws_route_table", tn, "id"))
			if r.Destination.Addr().Is4() {
				rb.SetAttributeValue("destination_cidr_block", cty.StringVal(r.Destination.String()))
			} else {
				rb.SetAttributeValue("destination_ipv6_cidr_block", cty.StringVal(r.Destination.String()))
			}
			switch r.Target.Kind {
			case lang.KindTransitGW:
				rb.SetAttributeRaw("transit_gateway_id", ref("aws_ec2_transit_gateway", name(r.Target.Name), "id"))
			case lang.KindVPNGateway:
				rb.SetAttributeRaw("gateway_id", ref("aws_vpn_gateway", name(r.Target.Name), "id"))
			case lang.KindCoreNetwork:
				rb.SetAttributeRaw("core_network_arn", ref("aws_networkmanager_core_network", name(r.Target.Name), "arn"))
			}
			// A route to a Transit Gateway or core network the VPC is not
			// yet attached to is refused (InvalidTransitGatewayID.NotFound,
			// hashicorp/terraform-provider-aws issue 9222, read 2026-12):
			// it waits for the attachment, and its acceptance.
			if dep := w.vpcAttachment(rt.VPC, r.Target); dep != nil {
				rb.SetAttributeRaw("depends_on", dep)
			}
		}
	}
}

// dxAttachmentData declares, once, the data source that finds the
// Transit Gateway attachment a DX gateway association makes.
func (w *writer) dxAttachmentData(r lang.Ref, g *lang.TransitGateway, done map[string]bool) {
	for _, a := range w.d.Attachments {
		if a.Ref() != r || a.Kind != lang.AttachDXGWTGW || done[a.Name] {
			continue
		}
		done[a.Name] = true
		w.main.AppendNewline()
		b := w.main.AppendNewBlock("data", []string{"aws_ec2_transit_gateway_dx_gateway_attachment", name(a.Name)}).Body()
		b.SetAttributeRaw("provider", w.provider(g.Region))
		b.SetAttributeRaw("transit_gateway_id", ref("aws_ec2_transit_gateway", name(g.Name), "id"))
		b.SetAttributeRaw("dx_gateway_id", ref("aws_dx_gateway_association", name(a.Name), "dx_gateway_id"))
	}
}

func (w *writer) google() {
	for _, g := range w.d.GCPVPCs {
		n := name(g.Name)
		b := w.main
		if len(b.Blocks()) > 0 {
			b.AppendNewline()
		}
		net := b.AppendNewBlock("resource", []string{"google_compute_network", n}).Body()
		net.SetAttributeValue("name", cty.StringVal(gcpName(g.Name)))
		net.SetAttributeValue("project", cty.StringVal(g.Project))
		net.SetAttributeValue("auto_create_subnetworks", cty.False)
		net.SetAttributeValue("routing_mode", cty.StringVal("GLOBAL"))
		net.SetAttributeValue("mtu", cty.NumberIntVal(int64(g.MTU)))
		if len(g.IPv6) > 0 {
			// The design's IPv6 range of a Google Cloud network is its
			// internal ULA range, one /48 in fd20::/20, which the network
			// can be given.
			net.SetAttributeValue("enable_ula_internal_ipv6", cty.True)
			net.SetAttributeValue("internal_ipv6_range", cty.StringVal(g.IPv6[0].String()))
		}
		for i, c := range g.CIDRs {
			s := w.resource("google_compute_subnetwork", fmt.Sprintf("%s_%d", n, i+1))
			s.SetAttributeValue("name", cty.StringVal(fmt.Sprintf("%s-%d", gcpName(g.Name), i+1)))
			s.SetAttributeValue("project", cty.StringVal(g.Project))
			s.SetAttributeValue("region", cty.StringVal(g.Region))
			s.SetAttributeValue("ip_cidr_range", cty.StringVal(c.String()))
			s.SetAttributeRaw("network", ref("google_compute_network", n, "id"))
			if len(g.IPv6) > 0 {
				// Each subnetwork takes a /64 of the network's ULA range.
				s.SetAttributeValue("stack_type", cty.StringVal("IPV4_IPV6"))
				s.SetAttributeValue("ipv6_access_type", cty.StringVal("INTERNAL"))
			}
		}
		w.output("google_network_"+n+"_id", ref("google_compute_network", n, "id"), "the ID of Google Cloud VPC network "+g.Name)
	}
}

// byHand says what the providers cannot create, and where it goes.
func (w *writer) byHand() {
	for _, ic := range w.d.Interconnects {
		w.comment(fmt.Sprintf("AWS Interconnect %s (%s, %s to %s, %s) is not written here: create it with the AWS\n"+
			"Interconnect API or console, or CloudFormation's AWS::Interconnect::Connection (attach point %s %s,\n"+
			"bandwidth %s), and accept it on Google Cloud's side with a Partner Cross-Cloud Interconnect\n"+
			"transport (google_network_connectivity_transport, hashicorp/google-beta, in %s); the channels, VLANs, BGP sessions and\n"+
			"MACsec are the service's.",
			ic.Name, ic.Provider, ic.AWSRegion, ic.PeerRegion, ic.Bandwidth, ic.AttachTo.Kind, ic.AttachTo.Name, ic.Bandwidth, ic.PeerRegion))
	}
	for _, lm := range w.d.LastMiles {
		// A DX gateway associated with a Transit Gateway or attached to a
		// core network takes transit VIFs only: "You cannot attach a
		// Direct Connect gateway to a transit gateway when the Direct
		// Connect gateway is already ... attached to a private virtual
		// interface" (Direct Connect user guide, transit gateway
		// associations, read 2026-12).
		vif, accepter := "private", "aws_dx_hosted_private_virtual_interface_accepter"
		for _, a := range w.d.Attachments {
			if (a.Kind == lang.AttachDXGWTGW || a.Kind == lang.AttachDXGWWAN) && end(a, lang.KindDXGateway) == lm.AttachTo {
				vif, accepter = "transit", "aws_dx_hosted_transit_virtual_interface_accepter"
			}
		}
		w.comment(fmt.Sprintf("Last mile %s (%s in %s, %s, site %s) is not a resource of the hashicorp/aws provider:\n"+
			"order it from %s and accept its connections' %s VIFs on %s %s (%s\n"+
			"accepts a VIF by its ID once the partner has created it).",
			lm.Name, lm.Partner, lm.Region, lm.Bandwidth, lm.Site.Name, lm.Partner, vif, lm.AttachTo.Kind, lm.AttachTo.Name, accepter))
	}
	for _, s := range w.d.Sites {
		w.comment(fmt.Sprintf("Site %s (AS%d) is on-premises: nothing to create here.", s.Name, s.ASN))
	}
}
