package terraform_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"patchbay/lang"
	"patchbay/lang/terraform"
	"patchbay/planner/plantest"
)

// TestImportShow: a state and a plan of a multi-region network (Transit
// Gateways and their tables, a DX gateway association, a Cloud WAN core
// network with its policy and an attachment), written from the format's
// documentation, import into a design that plans, whose findings point
// at the generated file, and whose comment lists what was skipped.
func TestImportShow(t *testing.T) {
	for _, tc := range []struct {
		file string
		want []string
	}{
		{"state.json", []string{
			`web = vpc("web", region = "us-east-1", cidr = ["10.1.0.0/16", "10.3.0.0/16"])`,
			`api = vpc("api", region = "eu-west-2", cidr = ["10.2.0.0/16"])`,
			`hub_use1 = transit_gateway("hub-use1", region = "us-east-1", asn = 64520, default_association = False, default_propagation = False)`,
			`onprem = dx_gateway("onprem", asn = 64512)`,
			`wan = core_network(`,
			`web_hub = attach(web, hub_use1, name = "web-hub")`,
			`attach(onprem, hub_use1, allowed_prefixes = ["10.1.0.0/16", "10.3.0.0/16"])`,
			`attach(api, wan, segment = "prod")`,
			`tgw_route_table("spokes", transit_gateway = hub_use1, associations = [web_hub], propagations = [web_hub], routes = [route("10.99.0.0/16", blackhole = True)])`,
			`#   aws_instance.bastion: patchbay does not model aws_instance`,
		}},
		{"plan.json", []string{
			`web = vpc("web", region = "us-east-1", cidr = ["10.1.0.0/16"])`,
			`hub_euw2 = transit_gateway("hub-euw2", region = "eu-west-2", asn = 64521, default_association = True, default_propagation = True)`,
			`api_hub = attach(api, hub_euw2, name = "api-hub")`,
			`attach(onprem, hub_use1, allowed_prefixes = ["10.0.0.0/14"])`,
		}},
	} {
		data, err := os.ReadFile(filepath.Join("testdata", "show", tc.file))
		if err != nil {
			t.Fatal(err)
		}
		star, err := terraform.Import(tc.file, data)
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		for _, w := range tc.want {
			if !strings.Contains(string(star), w) {
				t.Errorf("%s: the import lacks %s:\n%s", tc.file, w, star)
			}
		}
		// The state's accepter comes before its attachment and has its
		// ID: it is part of the attachment, not a resource of its own.
		if strings.Contains(string(star), "aws_networkmanager_attachment_accepter") {
			t.Errorf("%s: the accepter was not taken as its attachment's:\n%s", tc.file, star)
		}
		out := filepath.Join(t.TempDir(), strings.TrimSuffix(tc.file, ".json")+".star")
		if err := os.WriteFile(out, star, 0o644); err != nil {
			t.Fatal(err)
		}
		p := plantest.File(t, out)
		for _, f := range p.Findings {
			if f.Severity == lang.SevError {
				t.Errorf("%s: %s", tc.file, f.Error())
			}
			if f.Range.File != "" && f.Range.File != out {
				t.Errorf("%s: a finding at %s, not in the generated file", tc.file, f.Range)
			}
		}
	}
}

// FuzzImport: the reader refuses or accepts what it is given, never
// panics, and what it accepts is Starlark patchbay formats.
func FuzzImport(f *testing.F) {
	for _, n := range []string{"plan.json"} {
		if data, err := os.ReadFile(filepath.Join("testdata", "show", n)); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(oneRegionPeeringState()))
	f.Add([]byte(oneRegionPeeringPlan()))
	f.Add([]byte(`{"format_version": "1.0", "values": {"root_module": {"resources": [{"address": "aws_vpc.web", "mode": "managed", "type": "aws_vpc", "name": "web", "values": {"id": "vpc-1", "arn": "arn:aws:ec2:us-east-1:1:vpc/vpc-1", "cidr_block": "10.1.0.0/16"}}]}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = terraform.Import("show.json", data)
	})
}

// TestImportPeeringInOneRegionFromState: in a state of two Transit
// Gateways of one Region peered, the accepter's attachment ID is the
// accepting side's own (AWS makes one for each side), which that side's
// table associates and routes to; the accepter's attributes name both
// gateways (transit_gateway_id and peer_transit_gateway_id, the
// provider's attribute reference for
// aws_ec2_transit_gateway_peering_attachment_accepter). The import takes
// the accepter as the peering's other end, so both tables keep the
// peering, where the accepting side's lost it as "not in the import".
func TestImportPeeringInOneRegionFromState(t *testing.T) {
	state := oneRegionPeeringState()
	star, err := terraform.Import("state.json", []byte(state))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{
		`p = attach(a, b, name = "p")`,
		`tgw_route_table("main", transit_gateway = a, associations = [xa, p], propagations = [xa], routes = [route("10.2.0.0/16", p)])`,
		`tgw_route_table("main", transit_gateway = b, associations = [xb, p], propagations = [xb], routes = [route("10.1.0.0/16", p)])`,
	} {
		if !strings.Contains(string(star), w) {
			t.Errorf("the import lacks %s:\n%s", w, star)
		}
	}
	if strings.Contains(string(star), "Not imported") {
		t.Errorf("the import left something out:\n%s", star)
	}
	// A second peering between the same two gateways: which one the
	// accepter accepts is not guessed, and the import says so.
	second := strings.Replace(state, `"resources": [`, `"resources": [`+stateResource("aws_ec2_transit_gateway_peering_attachment", "q", `{"id": "tgw-attach-qa", "transit_gateway_id": "tgw-a", "peer_transit_gateway_id": "tgw-b", "peer_region": "us-east-1", "tags": {"Name": "q"}}`)+",", 1)
	star, err = terraform.Import("state.json", []byte(second))
	if err != nil {
		t.Fatal(err)
	}
	if w := "aws_ec2_transit_gateway_peering_attachment_accepter.p: the peering it accepts is not in the import, or more than one peering joins its gateways"; !strings.Contains(string(star), w) {
		t.Errorf("the import does not say %q:\n%s", w, star)
	}
}

// TestImportPeeringInOneRegionFromPlan: in a plan of the same network,
// nothing has an ID yet, and the accepter names the accepting side's
// attachment through the data source that finds it (the export's, and the
// provider's intra-region peering example's: it waits for the peering and
// filters on the accepting gateway), which a plan holds only in its
// configuration. The import follows the data source to the peering.
func TestImportPeeringInOneRegionFromPlan(t *testing.T) {
	plan := oneRegionPeeringPlan()
	for _, c := range []struct {
		name string
		plan string
	}{
		{"the data source waits for the peering", plan},
		{"the data source waits for the peering and a gateway, and filters on nothing", strings.Replace(strings.Replace(plan,
			`"depends_on": ["aws_ec2_transit_gateway_peering_attachment.p"]`, `"depends_on": ["aws_ec2_transit_gateway.b", "aws_ec2_transit_gateway_peering_attachment.p"]`, 1),
			`"values": {"references": ["aws_ec2_transit_gateway.b.id", "aws_ec2_transit_gateway.b"]}`, `"values": {"constant_value": ["tgw-b"]}`, 1)},
		// Without depends_on, the one peering whose peer is the gateway
		// the filter names, or the peering whose attribute it names.
		{"the data source filters on the gateway", strings.Replace(plan, `"depends_on": ["aws_ec2_transit_gateway_peering_attachment.p"]`, `"depends_on": []`, 1)},
		{"the data source filters on the peering's peer", strings.Replace(strings.Replace(plan, `"depends_on": ["aws_ec2_transit_gateway_peering_attachment.p"]`, `"depends_on": []`, 1),
			`"values": {"references": ["aws_ec2_transit_gateway.b.id", "aws_ec2_transit_gateway.b"]}`, `"values": {"references": ["aws_ec2_transit_gateway_peering_attachment.p.peer_transit_gateway_id", "aws_ec2_transit_gateway_peering_attachment.p"]}`, 1)},
	} {
		star, err := terraform.Import("plan.json", []byte(c.plan))
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range []string{
			`p = attach(a, b, name = "p")`,
			`tgw_route_table("main", transit_gateway = b, associations = [xb, p], propagations = [xb], routes = [route("10.1.0.0/16", p)])`,
		} {
			if !strings.Contains(string(star), w) {
				t.Errorf("%s: the import lacks %s:\n%s", c.name, w, star)
			}
		}
		if strings.Contains(string(star), "Not imported") {
			t.Errorf("%s: the import left something out:\n%s", c.name, star)
		}
	}
}

// stateResource is a managed resource of a state's JSON.
func stateResource(typ, name string, values string) string {
	return fmt.Sprintf(`{"address": "%s.%s", "mode": "managed", "type": "%s", "name": "%s", "provider_name": "registry.terraform.io/hashicorp/aws", "values": %s}`, typ, name, typ, name, values)
}

// oneRegionPeeringState is the state of TestImportPeeringInOneRegionFromState.
func oneRegionPeeringState() string {
	res := stateResource
	const arn = "arn:aws:ec2:us-east-1:111122223333:"
	resources := []string{
		res("aws_vpc", "va", `{"id": "vpc-a", "arn": "`+arn+`vpc/vpc-a", "cidr_block": "10.1.0.0/16", "tags": {"Name": "va"}}`),
		res("aws_vpc", "vb", `{"id": "vpc-b", "arn": "`+arn+`vpc/vpc-b", "cidr_block": "10.2.0.0/16", "tags": {"Name": "vb"}}`),
		res("aws_ec2_transit_gateway", "a", `{"id": "tgw-a", "arn": "`+arn+`transit-gateway/tgw-a", "amazon_side_asn": 64520, "default_route_table_association": "disable", "default_route_table_propagation": "disable", "tags": {"Name": "a"}}`),
		res("aws_ec2_transit_gateway", "b", `{"id": "tgw-b", "arn": "`+arn+`transit-gateway/tgw-b", "amazon_side_asn": 64521, "default_route_table_association": "disable", "default_route_table_propagation": "disable", "tags": {"Name": "b"}}`),
		res("aws_ec2_transit_gateway_vpc_attachment", "xa", `{"id": "tgw-attach-va", "vpc_id": "vpc-a", "transit_gateway_id": "tgw-a", "tags": {"Name": "xa"}}`),
		res("aws_ec2_transit_gateway_vpc_attachment", "xb", `{"id": "tgw-attach-vb", "vpc_id": "vpc-b", "transit_gateway_id": "tgw-b", "tags": {"Name": "xb"}}`),
		// The accepter first: the import must not depend on the order.
		res("aws_ec2_transit_gateway_peering_attachment_accepter", "p", `{"id": "tgw-attach-pb", "transit_gateway_attachment_id": "tgw-attach-pb", "transit_gateway_id": "tgw-b", "peer_transit_gateway_id": "tgw-a", "peer_region": "us-east-1", "peer_account_id": "111122223333"}`),
		res("aws_ec2_transit_gateway_peering_attachment", "p", `{"id": "tgw-attach-pa", "transit_gateway_id": "tgw-a", "peer_transit_gateway_id": "tgw-b", "peer_region": "us-east-1", "peer_account_id": "111122223333", "tags": {"Name": "p"}}`),
		res("aws_ec2_transit_gateway_route_table", "a", `{"id": "tgw-rtb-a", "arn": "`+arn+`transit-gateway-route-table/tgw-rtb-a", "transit_gateway_id": "tgw-a", "tags": {"Name": "main"}}`),
		res("aws_ec2_transit_gateway_route_table", "b", `{"id": "tgw-rtb-b", "arn": "`+arn+`transit-gateway-route-table/tgw-rtb-b", "transit_gateway_id": "tgw-b", "tags": {"Name": "main"}}`),
	}
	for _, x := range []struct{ side, vpcAtt, peerAtt, dest string }{{"a", "tgw-attach-va", "tgw-attach-pa", "10.2.0.0/16"}, {"b", "tgw-attach-vb", "tgw-attach-pb", "10.1.0.0/16"}} {
		for i, att := range []string{x.vpcAtt, x.peerAtt} {
			resources = append(resources, res("aws_ec2_transit_gateway_route_table_association", fmt.Sprintf("%s%d", x.side, i),
				`{"id": "tgw-rtb-`+x.side+`_`+att+`", "transit_gateway_attachment_id": "`+att+`", "transit_gateway_route_table_id": "tgw-rtb-`+x.side+`"}`))
		}
		resources = append(resources,
			res("aws_ec2_transit_gateway_route_table_propagation", x.side, `{"id": "tgw-rtb-`+x.side+`_`+x.vpcAtt+`", "transit_gateway_attachment_id": "`+x.vpcAtt+`", "transit_gateway_route_table_id": "tgw-rtb-`+x.side+`"}`),
			res("aws_ec2_transit_gateway_route", x.side, `{"id": "tgw-rtb-`+x.side+`_`+x.dest+`", "destination_cidr_block": "`+x.dest+`", "transit_gateway_attachment_id": "`+x.peerAtt+`", "transit_gateway_route_table_id": "tgw-rtb-`+x.side+`"}`))
	}
	return `{"format_version": "1.0", "terraform_version": "1.9.8", "values": {"root_module": {"resources": [` + strings.Join(resources, ",\n") + `]}}}`
}

// oneRegionPeeringPlan is the plan of TestImportPeeringInOneRegionFromPlan.
func oneRegionPeeringPlan() string {
	type r struct {
		addr   string
		values string              // what the plan knows
		refs   map[string][]string // argument → references
	}
	ref := func(addr string) []string { return []string{addr + ".id", addr} }
	rs := []r{
		{"aws_vpc.va", `{"cidr_block": "10.1.0.0/16", "tags": {"Name": "va"}}`, nil},
		{"aws_vpc.vb", `{"cidr_block": "10.2.0.0/16", "tags": {"Name": "vb"}}`, nil},
		{"aws_ec2_transit_gateway.a", `{"amazon_side_asn": 64520, "default_route_table_association": "disable", "default_route_table_propagation": "disable", "tags": {"Name": "a"}}`, nil},
		{"aws_ec2_transit_gateway.b", `{"amazon_side_asn": 64521, "default_route_table_association": "disable", "default_route_table_propagation": "disable", "tags": {"Name": "b"}}`, nil},
		{"aws_ec2_transit_gateway_vpc_attachment.xa", `{"tags": {"Name": "xa"}}`, map[string][]string{"vpc_id": ref("aws_vpc.va"), "transit_gateway_id": ref("aws_ec2_transit_gateway.a")}},
		{"aws_ec2_transit_gateway_vpc_attachment.xb", `{"tags": {"Name": "xb"}}`, map[string][]string{"vpc_id": ref("aws_vpc.vb"), "transit_gateway_id": ref("aws_ec2_transit_gateway.b")}},
		{"aws_ec2_transit_gateway_peering_attachment.p", `{"peer_region": "us-east-1", "tags": {"Name": "p"}}`, map[string][]string{"transit_gateway_id": ref("aws_ec2_transit_gateway.a"), "peer_transit_gateway_id": ref("aws_ec2_transit_gateway.b")}},
		{"aws_ec2_transit_gateway_peering_attachment_accepter.p", `{}`, map[string][]string{"transit_gateway_attachment_id": ref("data.aws_ec2_transit_gateway_peering_attachment.p")}},
	}
	for _, x := range []struct{ side, vpcAtt, peerAtt, dest string }{
		{"a", "aws_ec2_transit_gateway_vpc_attachment.xa", "aws_ec2_transit_gateway_peering_attachment.p", "10.2.0.0/16"},
		{"b", "aws_ec2_transit_gateway_vpc_attachment.xb", "aws_ec2_transit_gateway_peering_attachment_accepter.p", "10.1.0.0/16"},
	} {
		table := "aws_ec2_transit_gateway_route_table." + x.side
		rs = append(rs,
			r{table, `{"tags": {"Name": "main"}}`, map[string][]string{"transit_gateway_id": ref("aws_ec2_transit_gateway." + x.side)}},
			r{"aws_ec2_transit_gateway_route_table_association." + x.side + "0", `{}`, map[string][]string{"transit_gateway_attachment_id": ref(x.vpcAtt), "transit_gateway_route_table_id": ref(table)}},
			r{"aws_ec2_transit_gateway_route_table_association." + x.side + "1", `{}`, map[string][]string{"transit_gateway_attachment_id": ref(x.peerAtt), "transit_gateway_route_table_id": ref(table)}},
			r{"aws_ec2_transit_gateway_route_table_propagation." + x.side, `{}`, map[string][]string{"transit_gateway_attachment_id": ref(x.vpcAtt), "transit_gateway_route_table_id": ref(table)}},
			r{"aws_ec2_transit_gateway_route." + x.side, `{"destination_cidr_block": "` + x.dest + `"}`, map[string][]string{"transit_gateway_attachment_id": ref(x.peerAtt), "transit_gateway_route_table_id": ref(table)}})
	}
	var planned, config []string
	for _, x := range rs {
		typ, name, _ := strings.Cut(x.addr, ".")
		planned = append(planned, fmt.Sprintf(`{"address": %q, "mode": "managed", "type": %q, "name": %q, "values": %s}`, x.addr, typ, name, x.values))
		var exprs []string
		for arg, refs := range x.refs {
			exprs = append(exprs, fmt.Sprintf(`%q: {"references": [%q, %q]}`, arg, refs[0], refs[1]))
		}
		config = append(config, fmt.Sprintf(`{"address": %q, "mode": "managed", "type": %q, "name": %q, "provider_config_key": "aws", "expressions": {%s}}`, x.addr, typ, name, strings.Join(exprs, ", ")))
	}
	config = append(config, `{"address": "data.aws_ec2_transit_gateway_peering_attachment.p", "mode": "data", "type": "aws_ec2_transit_gateway_peering_attachment", "name": "p", "provider_config_key": "aws",
		"expressions": {"filter": [{"name": {"constant_value": "transit-gateway-id"}, "values": {"references": ["aws_ec2_transit_gateway.b.id", "aws_ec2_transit_gateway.b"]}}]},
		"depends_on": ["aws_ec2_transit_gateway_peering_attachment.p"]}`)
	return `{"format_version": "1.2", "terraform_version": "1.9.8", "planned_values": {"root_module": {"resources": [` + strings.Join(planned, ",\n") + `]}},
		"configuration": {"provider_config": {"aws": {"name": "aws", "expressions": {"region": {"constant_value": "us-east-1"}}}}, "root_module": {"resources": [` + strings.Join(config, ",\n") + `]}}}`
}

// TestImportRoutePropagation: a state's route table that propagates its
// VPC's virtual private gateway, by propagating_vgws or by an
// aws_vpn_gateway_route_propagation, imports with the gateway in its
// propagations.
func TestImportRoutePropagation(t *testing.T) {
	for _, inline := range []bool{true, false} {
		table := `{"id": "rtb-1", "vpc_id": "vpc-a", "propagating_vgws": ["vgw-1"], "tags": {"Name": "main"}}`
		extra := ""
		if !inline {
			table = `{"id": "rtb-1", "vpc_id": "vpc-a", "tags": {"Name": "main"}}`
			extra = "," + stateResource("aws_vpn_gateway_route_propagation", "p", `{"id": "rtb-1_vgw-1", "route_table_id": "rtb-1", "vpn_gateway_id": "vgw-1"}`)
		}
		state := `{"format_version": "1.0", "values": {"root_module": {"resources": [` +
			stateResource("aws_vpc", "app", `{"id": "vpc-a", "arn": "arn:aws:ec2:us-east-1:111122223333:vpc/vpc-a", "cidr_block": "10.1.0.0/16", "tags": {"Name": "app"}}`) + "," +
			stateResource("aws_vpn_gateway", "gw", `{"id": "vgw-1", "arn": "arn:aws:ec2:us-east-1:111122223333:vpn-gateway/vgw-1", "vpc_id": "vpc-a", "amazon_side_asn": "64513", "tags": {"Name": "gw"}}`) + "," +
			stateResource("aws_route_table", "main", table) + extra + `]}}}`
		star, err := terraform.Import("state.json", []byte(state))
		if err != nil {
			t.Fatal(err)
		}
		if w := `route_table("main", vpc = app, propagations = [gw])`; !strings.Contains(string(star), w) {
			t.Errorf("inline %v: the import lacks %s:\n%s", inline, w, star)
		}
	}
}

// TestImportRouteTableAttachmentFromState: in a state, a Transit Gateway's
// route table attachment names its peering by ID and its route table by
// ARN, the peering its gateway by ARN and its core network by ID, and a
// static route the peering's attachment on the gateway by ID. The import
// makes the route table attachment the design's attachment of the gateway
// to the core network in its segment, associated with and propagated in
// its table, with the route to it; the peering, its policy table and the
// association are the attachment's making, not skipped.
func TestImportRouteTableAttachmentFromState(t *testing.T) {
	res := stateResource
	const arn = "arn:aws:ec2:us-east-1:111122223333:"
	policy := strings.ReplaceAll(`{"version": "2021.12", "core-network-configuration": {"asn-ranges": ["64600-64699"], "edge-locations": [{"location": "us-east-1", "asn": 64600}]}, "segments": [{"name": "prod"}]}`, `"`, `\"`)
	resources := []string{
		res("aws_networkmanager_global_network", "g", `{"id": "global-network-01", "arn": "arn:aws:networkmanager::111122223333:global-network/global-network-01"}`),
		res("aws_networkmanager_core_network", "wan", `{"id": "core-network-01", "arn": "arn:aws:networkmanager::111122223333:core-network/core-network-01", "global_network_id": "global-network-01", "tags": {"Name": "wan"}}`),
		res("aws_networkmanager_core_network_policy_attachment", "wan", `{"id": "core-network-01", "core_network_id": "core-network-01", "policy_document": "`+policy+`"}`),
		res("aws_ec2_transit_gateway", "east", `{"id": "tgw-e", "arn": "`+arn+`transit-gateway/tgw-e", "amazon_side_asn": 64520, "default_route_table_association": "disable", "default_route_table_propagation": "disable", "tags": {"Name": "east"}}`),
		res("aws_ec2_transit_gateway_route_table", "main", `{"id": "tgw-rtb-m", "arn": "`+arn+`transit-gateway-route-table/tgw-rtb-m", "transit_gateway_id": "tgw-e", "tags": {"Name": "main"}}`),
		res("aws_networkmanager_transit_gateway_route_table_attachment", "rt", `{"id": "attachment-0rt", "peering_id": "peering-01", "transit_gateway_route_table_arn": "`+arn+`transit-gateway-route-table/tgw-rtb-m", "segment_name": "prod", "attachment_type": "TRANSIT_GATEWAY_ROUTE_TABLE", "tags": {"Name": "east-prod", "segment": "prod"}}`),
		res("aws_networkmanager_transit_gateway_peering", "p", `{"id": "peering-01", "core_network_id": "core-network-01", "transit_gateway_arn": "`+arn+`transit-gateway/tgw-e", "transit_gateway_peering_attachment_id": "tgw-attach-peer"}`),
		res("aws_ec2_transit_gateway_policy_table", "p", `{"id": "tgw-ptb-01", "transit_gateway_id": "tgw-e"}`),
		res("aws_ec2_transit_gateway_policy_table_association", "p", `{"id": "tgw-ptb-01_tgw-attach-peer", "transit_gateway_attachment_id": "tgw-attach-peer", "transit_gateway_policy_table_id": "tgw-ptb-01"}`),
		res("aws_ec2_transit_gateway_route", "r", `{"id": "tgw-rtb-m_10.64.0.0/10", "destination_cidr_block": "10.64.0.0/10", "transit_gateway_attachment_id": "tgw-attach-peer", "transit_gateway_route_table_id": "tgw-rtb-m"}`),
	}
	state := `{"format_version": "1.0", "terraform_version": "1.9.8", "values": {"root_module": {"resources": [` + strings.Join(resources, ",\n") + `]}}}`
	star, err := terraform.Import("state.json", []byte(state))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{
		`east_prod = attach(east, wan, segment = "prod", name = "east-prod")`,
		`tgw_route_table("main", transit_gateway = east, associations = [east_prod], propagations = [east_prod], routes = [route("10.64.0.0/10", east_prod)])`,
	} {
		if !strings.Contains(string(star), w) {
			t.Errorf("the import lacks %s:\n%s", w, star)
		}
	}
	if strings.Contains(string(star), "Not imported") {
		t.Errorf("the import left something out:\n%s", star)
	}
	// On the gateway's default route table, which the state names by the
	// gateway's association_default_route_table_id: the gateway's
	// attachment with no table of the design's, when the gateway
	// associates with its default table, and skipped, saying so, when not.
	onDefault := res("aws_networkmanager_transit_gateway_route_table_attachment", "def", `{"id": "attachment-0def", "peering_id": "peering-01", "transit_gateway_route_table_arn": "`+arn+`transit-gateway-route-table/tgw-rtb-default", "segment_name": "prod", "tags": {"Name": "east-default", "segment": "prod"}}`)
	for _, assoc := range []string{"enable", "disable"} {
		withDefault := slices.Clone(resources)
		withDefault[3] = strings.Replace(strings.Replace(withDefault[3], `"default_route_table_association": "disable"`, `"default_route_table_association": "`+assoc+`"`, 1),
			`"amazon_side_asn"`, `"association_default_route_table_id": "tgw-rtb-default", "amazon_side_asn"`, 1)
		withDefault = append(withDefault, onDefault)
		star, err = terraform.Import("state.json", []byte(`{"format_version": "1.0", "terraform_version": "1.9.8", "values": {"root_module": {"resources": [`+strings.Join(withDefault, ",\n")+`]}}}`))
		if err != nil {
			t.Fatal(err)
		}
		w := `east_default = attach(east, wan, segment = "prod", name = "east-default")`
		if assoc == "disable" {
			w = "aws_networkmanager_transit_gateway_route_table_attachment.def: its route table is its Transit Gateway's default, which the gateway associates nothing with"
		}
		if !strings.Contains(string(star), w) || !strings.Contains(string(star), `associations = [east_prod]`) {
			t.Errorf("default association %s: the import lacks %s, or main's associations:\n%s", assoc, w, star)
		}
	}
	// Without its route table attachment the peering carries nothing, and
	// the import says so of it and of its policy table.
	var without []string
	for _, r := range resources {
		if !strings.Contains(r, "transit_gateway_route_table_attachment") && !strings.Contains(r, `"aws_ec2_transit_gateway_route"`) {
			without = append(without, r)
		}
	}
	star, err = terraform.Import("state.json", []byte(`{"format_version": "1.0", "terraform_version": "1.9.8", "values": {"root_module": {"resources": [`+strings.Join(without, ",\n")+`]}}}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{
		"aws_networkmanager_transit_gateway_peering.p: no route table attachment on it was imported",
		"aws_ec2_transit_gateway_policy_table.p: patchbay models a policy table only on a Cloud WAN peering",
		"aws_ec2_transit_gateway_policy_table_association.p: patchbay models a policy table only on a Cloud WAN peering",
	} {
		if !strings.Contains(string(star), w) {
			t.Errorf("the import does not say %q:\n%s", w, star)
		}
	}
}
