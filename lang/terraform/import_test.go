package terraform_test

import (
	"os"
	"path/filepath"
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
	f.Add([]byte(`{"format_version": "1.0", "values": {"root_module": {"resources": [{"address": "aws_vpc.web", "mode": "managed", "type": "aws_vpc", "name": "web", "values": {"id": "vpc-1", "arn": "arn:aws:ec2:us-east-1:1:vpc/vpc-1", "cidr_block": "10.1.0.0/16"}}]}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = terraform.Import("show.json", data)
	})
}
