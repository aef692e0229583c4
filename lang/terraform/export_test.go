package terraform_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"patchbay/lang/terraform"
	"patchbay/planner/plantest"
)

var update = flag.Bool("update", false, "rewrite the golden configurations")

// schema is the provider facts in testdata/provider-schema.json.
type schema struct {
	Resources   map[string]typeFacts `json:"resources"`
	DataSources map[string]typeFacts `json:"data_sources"`
}

type typeFacts struct {
	Source     string   `json:"source"`
	Required   []string `json:"required"`
	Optional   []string `json:"optional"`
	Attributes []string `json:"attributes"`
}

// meta are Terraform's own arguments of every resource.
var meta = []string{"provider", "count", "for_each", "depends_on", "lifecycle"}

// loadSchema reads the provider facts the exports are checked against.
func loadSchema(t *testing.T) schema {
	t.Helper()
	var facts schema
	data, err := os.ReadFile("testdata/provider-schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &facts); err != nil {
		t.Fatal(err)
	}
	return facts
}

// TestExportExamples: every example's configuration is stable (golden
// files), parses, and writes only resource types and arguments the
// providers document, with every required one; every reference names a
// declared resource and an attribute it has, a variable declared, or a
// provider configured.
func TestExportExamples(t *testing.T) {
	facts := loadSchema(t)
	for _, file := range plantest.Examples(t, "../../examples") {
		name := strings.TrimSuffix(filepath.Base(file), ".star")
		t.Run(name, func(t *testing.T) {
			files := terraform.Export(plantest.File(t, file).Design, filepath.Base(file))
			for n, b := range files {
				plantest.Golden(t, filepath.Join("testdata", "golden", name, n), b, *update)
			}
			check(t, facts, files)
		})
	}
}

func check(t *testing.T, facts schema, files terraform.Files) {
	p := hclparse.NewParser()
	declared := map[string]string{} // "TYPE.NAME" or "data.TYPE.NAME" → type
	vars, aliases := map[string]bool{}, map[string]bool{}
	var blocks []*hclsyntax.Block
	for _, n := range []string{"providers.tf", "main.tf", "variables.tf", "outputs.tf"} {
		f, diags := p.ParseHCL(files[n], n)
		if diags.HasErrors() {
			t.Fatalf("%s does not parse: %v", n, diags)
		}
		for _, b := range f.Body.(*hclsyntax.Body).Blocks {
			blocks = append(blocks, b)
			switch b.Type {
			case "resource":
				declared[b.Labels[0]+"."+b.Labels[1]] = b.Labels[0]
			case "data":
				declared["data."+b.Labels[0]+"."+b.Labels[1]] = b.Labels[0]
			case "variable":
				vars[b.Labels[0]] = true
			case "provider":
				if a, ok := b.Body.Attributes["alias"]; ok {
					v, _ := a.Expr.Value(nil)
					aliases[b.Labels[0]+"."+v.AsString()] = true
				}
			}
		}
	}
	for _, b := range blocks {
		var tf typeFacts
		var ok bool
		switch b.Type {
		case "resource":
			tf, ok = facts.Resources[b.Labels[0]]
		case "data":
			tf, ok = facts.DataSources[b.Labels[0]]
		default:
			ok = true
		}
		if !ok {
			t.Errorf("%s %s is not a type the provider facts record", b.Type, b.Labels[0])
			continue
		}
		if b.Type == "resource" || b.Type == "data" {
			for a := range b.Body.Attributes {
				if !slices.Contains(tf.Required, a) && !slices.Contains(tf.Optional, a) && !slices.Contains(meta, a) {
					t.Errorf("%s.%s: %s is not an argument of %s (%s)", b.Labels[0], b.Labels[1], a, b.Labels[0], tf.Source)
				}
			}
			for _, a := range tf.Required {
				if _, ok := b.Body.Attributes[a]; !ok {
					t.Errorf("%s.%s lacks %s, which %s requires (%s)", b.Labels[0], b.Labels[1], a, b.Labels[0], tf.Source)
				}
			}
		}
		if b.Type == "variable" {
			continue // its type is a type expression, not references
		}
		for _, a := range b.Body.Attributes {
			for _, tr := range a.Expr.Variables() {
				checkRef(t, facts, declared, vars, aliases, tr)
			}
		}
	}
}

func checkRef(t *testing.T, facts schema, declared map[string]string, vars, aliases map[string]bool, tr hcl.Traversal) {
	var parts []string
	for _, s := range tr {
		switch s := s.(type) {
		case hcl.TraverseRoot:
			parts = append(parts, s.Name)
		case hcl.TraverseAttr:
			parts = append(parts, s.Name)
		}
	}
	where := strings.Join(parts, ".")
	switch parts[0] {
	case "var":
		if !vars[parts[1]] {
			t.Errorf("%s: no such variable", where)
		}
	case "path":
	case "aws", "google":
		if !aliases[parts[0]+"."+parts[1]] {
			t.Errorf("%s: no such provider", where)
		}
	case "data":
		typ, ok := declared[strings.Join(parts[:3], ".")]
		if !ok || !slices.Contains(facts.DataSources[typ].Attributes, parts[3]) {
			t.Errorf("%s: not a declared data source's attribute", where)
		}
	default:
		typ, ok := declared[strings.Join(parts[:2], ".")]
		if !ok {
			t.Errorf("%s: no such resource", where)
			return
		}
		if len(parts) == 2 {
			return // the resource itself, as depends_on names it
		}
		if f := facts.Resources[typ]; !slices.Contains(f.Attributes, parts[2]) && !slices.Contains(f.Required, parts[2]) {
			t.Errorf("%s: %s has no attribute %s (%s)", where, typ, parts[2], f.Source)
		}
	}
}

// TestExportDXGatewayAttachmentPrefixes: a DX gateway attachment to a core
// network has no argument for the design's allowed prefixes, so main.tf
// says what is not expressed and how to do it by hand rather than drop
// them.
func TestExportDXGatewayAttachmentPrefixes(t *testing.T) {
	facts := loadSchema(t)
	files := terraform.Export(plantest.File(t, "../../testdata/valid/attach_invalid_interconnect_dxgw.hcl").Design, "attach_invalid_interconnect_dxgw.hcl")
	check(t, facts, files)
	main := string(files["main.tf"])
	for _, w := range []string{
		`resource "aws_networkmanager_dx_gateway_attachment" "euw2-wan" {`,
		`# euw2-wan: the design advertises only 10.3.0.0/16 from segment "prod" to DX gateway euw2. A DX gateway`,
		`# (cloudwan-wan.json) as version 2025.11 with an outbound routing policy that allows only these prefixes,`,
	} {
		if !strings.Contains(main, w) {
			t.Errorf("main.tf lacks %s:\n%s", w, main)
		}
	}
}

// TestExportPeeringInOneRegion: between two gateways of one Region AWS
// makes an attachment for each side, so the accepter and the accepting
// gateway's table take the accepting side's, looked up by its gateway once
// the request exists; the requesting gateway's table takes its own and
// waits for the acceptance. Between Regions both sides share one.
func TestExportPeeringInOneRegion(t *testing.T) {
	facts := loadSchema(t)
	src := `a = transit_gateway("a", region = "us-east-1", asn = 64520)
b = transit_gateway("b", region = "us-east-1", asn = 64521)
va = vpc("va", region = "us-east-1", cidr = "10.1.0.0/16", mtu = 8500)
vb = vpc("vb", region = "us-east-1", cidr = "10.2.0.0/16", mtu = 8500)
xa = attach(va, a)
xb = attach(vb, b)
p = attach(a, b)
tgw_route_table("main", transit_gateway = a, associations = [xa, p], routes = [route("10.2.0.0/16", target = p)])
tgw_route_table("main", transit_gateway = b, associations = [xb, p], routes = [route("10.1.0.0/16", target = p)])
`
	files := terraform.Export(plantest.Source(t, src).Design, "intra.star")
	check(t, facts, files)
	main := string(files["main.tf"])
	for _, w := range []string{
		"transit_gateway_attachment_id = data.aws_ec2_transit_gateway_peering_attachment.a-b.id",
		`data "aws_ec2_transit_gateway_peering_attachment" "a-b" {`,
		"values = [aws_ec2_transit_gateway.b.id]",
		"depends_on = [aws_ec2_transit_gateway_peering_attachment.a-b]",
		// a's table: a's own attachment, after the acceptance.
		"depends_on                     = [aws_ec2_transit_gateway_peering_attachment_accepter.a-b]",
		// b's table: the accepter's, which is b's side.
		"transit_gateway_attachment_id  = aws_ec2_transit_gateway_peering_attachment_accepter.a-b.id",
	} {
		if !strings.Contains(main, w) {
			t.Errorf("main.tf lacks %s:\n%s", w, main)
		}
	}
}

// TestExportOnePeeringForTwoSegments: a Transit Gateway that reaches two
// segments of a core network does so over one peering, with a route table
// attachment for each of its route tables: the export writes the peering,
// its policy table and the table's association with the peering's
// attachment once, and a route table attachment of each table on it.
func TestExportOnePeeringForTwoSegments(t *testing.T) {
	facts := loadSchema(t)
	files := terraform.Export(plantest.File(t, "../../testdata/valid/attach_tgw_two_segments.star").Design, "attach_tgw_two_segments.star")
	check(t, facts, files)
	main := string(files["main.tf"])
	for _, typ := range []string{"aws_networkmanager_transit_gateway_peering", "aws_ec2_transit_gateway_policy_table", "aws_ec2_transit_gateway_policy_table_association"} {
		if n := strings.Count(main, fmt.Sprintf("resource %q", typ)); n != 1 {
			t.Errorf("main.tf declares %d %s of east and wan, want one:\n%s", n, typ, main)
		}
	}
	for _, w := range []string{
		"transit_gateway_attachment_id   = aws_networkmanager_transit_gateway_peering.east-prod.transit_gateway_peering_attachment_id",
		"depends_on          = [aws_ec2_transit_gateway_policy_table.east-prod]",
	} {
		if !strings.Contains(main, w) {
			t.Errorf("main.tf lacks %s:\n%s", w, main)
		}
	}
	for _, seg := range []string{"prod", "dev"} {
		w := fmt.Sprintf(`resource "aws_networkmanager_transit_gateway_route_table_attachment" "east-%s" {
  peering_id                      = aws_networkmanager_transit_gateway_peering.east-prod.id
  transit_gateway_route_table_arn = aws_ec2_transit_gateway_route_table.east_%s.arn
  tags = {
    Name    = "east-%s"
    segment = %q
  }
  depends_on = [aws_ec2_transit_gateway_policy_table_association.east-prod]
}`, seg, seg, seg, seg)
		if !strings.Contains(main, w) {
			t.Errorf("main.tf lacks %s:\n%s", w, main)
		}
	}
	// The route table attachment is the table's association and
	// propagation: neither is written as one with a Transit Gateway
	// attachment ID, which AWS would refuse for a peering with a policy
	// table.
	if strings.Contains(main, "east_prod_east-prod") || strings.Contains(main, "east_dev_east-dev") {
		t.Errorf("main.tf associates or propagates the peering's attachment:\n%s", main)
	}
}

// TestExportRouteTableAttachmentCases: a static route to a Transit
// Gateway's attachment to a core network goes to the peering's attachment
// on the gateway once the route table attachment is there, and only from
// that attachment's own table; an attachment no table of the design is
// associated with goes with the gateway's default route table when the
// gateway associates with it, and else has no route table attachment to
// write; a table that does not propagate its attachment is said to
// differ.
func TestExportRouteTableAttachmentCases(t *testing.T) {
	facts := loadSchema(t)
	files := terraform.Export(plantest.File(t, "../../testdata/valid/tgw_cloud_wan_static_route.star").Design, "tgw_cloud_wan_static_route.star")
	check(t, facts, files)
	main := string(files["main.tf"])
	for _, w := range []string{
		"transit_gateway_attachment_id  = aws_networkmanager_transit_gateway_peering.east-prod.transit_gateway_peering_attachment_id",
		"depends_on                     = [aws_networkmanager_transit_gateway_route_table_attachment.east-prod]",
	} {
		if !strings.Contains(main, w) {
			t.Errorf("main.tf lacks %s:\n%s", w, main)
		}
	}
	// loose: on east's default route table, east associating with it;
	// a route to it from main goes to main's own segment, not its. far:
	// on no table, west associating nothing by default.
	const src = `
wan = core_network("wan", asn_ranges = ["64600-64610"], edges = [edge("us-east-1")], segments = [segment("prod"), segment("dev")])
east = transit_gateway("east", region = "us-east-1", asn = 64520)
west = transit_gateway("west", region = "us-east-1", asn = 64521, default_association = False)
app = vpc("app", region = "us-east-1", cidr = "10.1.0.0/16", mtu = 8500)
a = attach(app, east)
loose = attach(east, wan, segment = "dev", name = "loose")
to_wan = attach(east, wan, segment = "prod", name = "east-prod")
far = attach(west, wan, segment = "dev", name = "far")
tgw_route_table("main", transit_gateway = east, associations = [a, to_wan], propagations = [a], routes = [route("10.64.0.0/10", loose)])
`
	files = terraform.Export(plantest.Source(t, src).Design, "cases.star")
	check(t, facts, files)
	main = string(files["main.tf"])
	for _, w := range []string{
		`transit_gateway_route_table_arn = format("arn:aws:ec2:%s:%s:transit-gateway-route-table/%s", "us-east-1", aws_ec2_transit_gateway.east.owner_id, aws_ec2_transit_gateway.east.association_default_route_table_id)`,
		"# far: no route table of Transit Gateway west is associated with it, and the gateway associates\n# nothing with its default route table, so it has no route table attachment on peering far to write.",
		"# aws_ec2_transit_gateway_route.east_main_1: the route to 10.64.0.0/10 in main goes to loose, which is not this table's",
		`# east-prod: its route table attachment exchanges routes between segment "prod" and route table main alone;` + "\n# the design has the segment's routes propagate into no route table.",
	} {
		if !strings.Contains(main, w) {
			t.Errorf("main.tf lacks %s:\n%s", w, main)
		}
	}
	if strings.Contains(main, `"aws_networkmanager_transit_gateway_route_table_attachment" "far"`) || strings.Contains(main, `resource "aws_ec2_transit_gateway_route" "east_main_1"`) {
		t.Errorf("main.tf writes what it cannot:\n%s", main)
	}
	// A segment that requires acceptance: the route table attachment's
	// accepter.
	files = terraform.Export(plantest.File(t, "../../testdata/valid/tgw_cloud_wan_default_table.star").Design, "tgw_cloud_wan_default_table.star")
	check(t, facts, files)
	if w := "attachment_id   = aws_networkmanager_transit_gateway_route_table_attachment.hub-wan.id"; !strings.Contains(string(files["main.tf"]), w) {
		t.Errorf("main.tf lacks %s:\n%s", w, files["main.tf"])
	}
	// The policy table and its association are EC2's, in the gateway's
	// Region.
	for _, w := range []string{"resource \"aws_ec2_transit_gateway_policy_table\" \"loose\" {\n  provider           = aws.us_east_1", "resource \"aws_ec2_transit_gateway_policy_table_association\" \"loose\" {\n  provider                        = aws.us_east_1"} {
		if !strings.Contains(main, w) {
			t.Errorf("main.tf lacks %s:\n%s", w, main)
		}
	}
}
