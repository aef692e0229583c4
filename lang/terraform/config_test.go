package terraform_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"go.starlark.net/syntax"

	"patchbay/lang"
	"patchbay/lang/project"
	"patchbay/lang/terraform"
	"patchbay/planner/plantest"
)

func importFiles(files map[string]string) ([]byte, error) {
	fsys := fstest.MapFS{}
	for n, s := range files {
		fsys[n] = &fstest.MapFile{Data: []byte(s)}
	}
	return terraform.ImportConfig(context.Background(), project.FromFS(fsys, "cfg"), terraform.ConfigOptions{})
}

// handWritten is a configuration as a person writes one: variables,
// locals, aliased providers, an inline policy file, and what the import
// leaves out.
var handWritten = map[string]string{
	"providers.tf": `
provider "aws" {
  region = var.home
}
provider "aws" {
  alias  = "east"
  region = "us-east-1"
}
`,
	"variables.tf": `
variable "home" {
  default = "eu-west-2"
}
variable "spoke_cidrs" {
  type    = list(string)
  default = ["10.1.0.0/16", "10.2.0.0/16"]
}
variable "subnets" {
  type = list(string)
}
variable "unknown_cidr" {}
`,
	"main.tf": `
locals {
  base = "10.0.0.0/8"
  hub  = aws_ec2_transit_gateway.hub.id
  name = "spoke-${var.home}"
}

resource "aws_vpc" "a" {
  provider   = aws.east
  cidr_block = var.spoke_cidrs[0]
  tags = {
    Name = local.name
  }
  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_vpc" "b" {
  cidr_block = cidrsubnet(local.base, 8, 2)
}

resource "aws_vpc" "c" {
  cidr_block = var.unknown_cidr
}

resource "aws_vpc" "many" {
  count      = 2
  cidr_block = "10.9.${count.index}.0/24"
}

resource "aws_ec2_transit_gateway" "hub" {
  amazon_side_asn = 64530
  tags = {
    Name = "hub"
  }
}

resource "aws_ec2_transit_gateway_vpc_attachment" "b" {
  subnet_ids         = var.subnets
  transit_gateway_id = local.hub
  vpc_id             = aws_vpc.b.id
}

resource "aws_ec2_transit_gateway_route_table" "rt" {
  transit_gateway_id = aws_ec2_transit_gateway.hub.id
  tags = {
    Name = "main"
  }
}

resource "aws_ec2_transit_gateway_route" "sink" {
  destination_cidr_block         = format("%s", local.base)
  transit_gateway_route_table_id = aws_ec2_transit_gateway_route_table.rt.id
  blackhole                      = true
}

data "aws_ami" "any" {
  most_recent = true
}

ephemeral "aws_secretsmanager_secret_version" "token" {
  secret_id = "network-token"
}

resource "aws_vpc" "tagged" {
  cidr_block = "10.3.0.0/16"
  tags = {
    Token = ephemeral.aws_secretsmanager_secret_version.token.secret_string
  }
}

module "other" {
  source = "./other"
}
`,
}

// TestImportConfig: what a hand-written configuration imports as, and
// that it plans.
func TestImportConfig(t *testing.T) {
	star, err := importFiles(handWritten)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{
		`# Imported from cfg (Terraform configuration) by patchbay import terraform.`,
		`spoke_eu_west_2 = vpc("spoke-eu-west-2", region = "us-east-1", cidr = ["10.1.0.0/16"])`,
		`b = vpc("b", region = "eu-west-2", cidr = ["10.2.0.0/16"])`,
		`hub = transit_gateway("hub", region = "eu-west-2", asn = 64530, default_association = True, default_propagation = True)`,
		`b_2 = attach(b, hub)`,
		`tgw_route_table("main", transit_gateway = hub, routes = [route("10.0.0.0/8", blackhole = True)])`,
		`#   aws_vpc.many: it uses count: its instances are known only once Terraform evaluates it`,
		`#   data.aws_ami.any: a data source reads what exists, which only Terraform can ask`,
		`#   ephemeral.aws_secretsmanager_secret_version.token: an ephemeral resource is opened anew by each Terraform run and never stored, which only Terraform can do`,
		`tagged = vpc("tagged", region = "eu-west-2", cidr = ["10.3.0.0/16"])`,
		`#   module.other: a module's resources are in its source, which import terraform does not fetch`,
		`#   aws_vpc.c: a CIDR block is not known without Terraform`,
	} {
		if !strings.Contains(string(star), w) {
			t.Errorf("the import lacks %s:\n%s", w, star)
		}
	}
	out := filepath.Join(t.TempDir(), "imported.star")
	if err := os.WriteFile(out, star, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, f := range plantest.File(t, out).Findings {
		if f.Severity == lang.SevError {
			t.Errorf("%s", f.Error())
		}
	}
	// The same files give the same bytes.
	again, _ := importFiles(handWritten)
	if string(again) != string(star) {
		t.Error("two imports of the same files differ")
	}
}

// TestImportConfigGuesses: what the reader does not guess, and where a
// resource's Region and project come from.
func TestImportConfigGuesses(t *testing.T) {
	star, err := importFiles(map[string]string{"main.tf": `
provider "aws" { region = "us-east-1" }
provider "google" {
  region  = "europe-west2"
  project = "acme"
}
variable "use_b" { default = false }
resource "aws_vpc" "a" { cidr_block = "10.1.0.0/16" }
resource "aws_vpc" "b" { cidr_block = "10.2.0.0/16" }
resource "aws_vpc" "eu" {
  region     = "eu-west-1"
  cidr_block = "10.3.0.0/16"
}
resource "aws_ec2_transit_gateway" "hub" {}
resource "aws_ec2_transit_gateway_vpc_attachment" "either" {
  vpc_id             = var.use_b ? aws_vpc.b.id : aws_vpc.a.id
  transit_gateway_id = aws_ec2_transit_gateway.hub.id
}
resource "aws_dx_gateway" "dx" { amazon_side_asn = -1 }
data "aws_caller_identity" "me" {}
resource "aws_ec2_transit_gateway_vpc_attachment" "named" {
  vpc_id             = "${data.aws_caller_identity.me.account_id}${aws_vpc.b.id}"
  transit_gateway_id = aws_ec2_transit_gateway.hub.id
}
resource "google_compute_network" "lake" { name = "lake" }
resource "google_compute_subnetwork" "lake1" {
  name          = "lake-1"
  ip_cidr_range = "10.60.0.0/16"
  network       = google_compute_network.lake.id
}
`})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{
		`eu = vpc("eu", region = "eu-west-1", cidr = ["10.3.0.0/16"])`,
		`#   aws_ec2_transit_gateway_vpc_attachment.either: its VPC or Transit Gateway is not in the import`,
		`dx = dx_gateway("dx")`,
		`named = attach(b, hub)`,
		`lake = gcp_vpc("lake", project = "acme", region = "europe-west2", cidr = ["10.60.0.0/16"]`,
	} {
		if !strings.Contains(string(star), w) {
			t.Errorf("the import lacks %s:\n%s", w, star)
		}
	}
}

// TestImportConfigTfvars: terraform.tfvars, then the *.auto.tfvars files
// in name order, override the defaults, as Terraform applies them; other
// .tfvars files are for -var-file and are not read.
func TestImportConfigTfvars(t *testing.T) {
	star, err := importFiles(map[string]string{
		"main.tf": `
variable "home" { default = "eu-west-2" }
variable "a_cidr" { default = "10.1.0.0/16" }
variable "b_cidr" {}
variable "c_cidr" { default = "10.3.0.0/16" }
provider "aws" { region = var.home }
resource "aws_vpc" "a" { cidr_block = var.a_cidr }
resource "aws_vpc" "b" { cidr_block = var.b_cidr }
resource "aws_vpc" "c" { cidr_block = var.c_cidr }
`,
		// Read first though it sorts after a.auto.tfvars.
		"terraform.tfvars": "home   = \"us-east-1\"\nb_cidr = \"10.20.0.0/16\"\nc_cidr = \"10.30.0.0/16\"\n",
		"a.auto.tfvars":    "c_cidr = \"10.31.0.0/16\"\nstray  = 1\n",
		"b.auto.tfvars":    "c_cidr = \"10.32.0.0/16\"\n",
		"prod.tfvars":      "home = \"ap-south-1\"\n",
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{
		`a = vpc("a", region = "us-east-1", cidr = ["10.1.0.0/16"])`,
		`b = vpc("b", region = "us-east-1", cidr = ["10.20.0.0/16"])`,
		`c = vpc("c", region = "us-east-1", cidr = ["10.32.0.0/16"])`,
		`#   var.stray (cfg/a.auto.tfvars:2:1): a value for a variable the configuration does not declare, which Terraform ignores`,
	} {
		if !strings.Contains(string(star), w) {
			t.Errorf("the import lacks %s:\n%s", w, star)
		}
	}

	// The JSON files, read where their HCL namesakes are: after
	// terraform.tfvars, and among the *.auto.tfvars by name. A string in
	// one is data, never a template.
	star, err = importFiles(map[string]string{
		"main.tf": `
variable "a_cidr" { default = "10.1.0.0/16" }
variable "b_cidr" { default = "10.2.0.0/16" }
variable "name" { default = "c" }
provider "aws" { region = "us-east-1" }
resource "aws_vpc" "a" { cidr_block = var.a_cidr }
resource "aws_vpc" "b" {
  cidr_block = var.b_cidr
  tags       = { Name = var.name }
}
`,
		"terraform.tfvars":      "a_cidr = \"10.10.0.0/16\"\nb_cidr = \"10.20.0.0/16\"\n",
		"terraform.tfvars.json": `{"a_cidr": "10.11.0.0/16", "name": "${upper(\"x\")}"}`,
		"a.auto.tfvars.json":    `{"b_cidr": "10.21.0.0/16"}`,
		"b.auto.tfvars":         "b_cidr = \"10.22.0.0/16\"\n",
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{
		`a = vpc("a", region = "us-east-1", cidr = ["10.11.0.0/16"])`,
		`vpc("${upper(\"x\")}", region = "us-east-1", cidr = ["10.22.0.0/16"])`,
	} {
		if !strings.Contains(string(star), w) {
			t.Errorf("the import lacks %s:\n%s", w, star)
		}
	}
}

// TestImportConfigNoCode: text from the files (a name, a policy's
// destinations) reaches the written design's comments on one line, so a
// line break in it cannot write code.
func TestImportConfigNoCode(t *testing.T) {
	policy := `{"version": "2021.12", "core-network-configuration": {"asn-ranges": ["64512-65534"], "edge-locations": [{"location": "us-east-1"}]},
"segments": [{"name": "prod"}],
"segment-actions": [{"action": "create-route", "segment": "prod", "destination-cidr-blocks": ["10.9.0.0/16"], "destinations": ["attachment-1\nprint(\"destination\")\n#"]}]}`
	star, err := importFiles(map[string]string{"p.json": policy, "main.tf": `
resource "aws_networkmanager_global_network" "g" {}
resource "aws_networkmanager_core_network" "c" {
  global_network_id = aws_networkmanager_global_network.g.id
  tags = { Name = "wan\nprint(\"name\")\n#" }
}
resource "aws_networkmanager_core_network_policy_attachment" "p" {
  core_network_id = aws_networkmanager_core_network.c.id
  policy_document = file("p.json")
}
`})
	if err != nil {
		t.Fatal(err)
	}
	f, err := syntax.LegacyFileOptions().Parse("import.star", star, 0)
	if err != nil {
		t.Fatal(err)
	}
	syntax.Walk(f, func(n syntax.Node) bool {
		if c, ok := n.(*syntax.CallExpr); ok {
			if id, ok := c.Fn.(*syntax.Ident); ok && id.Name == "print" {
				t.Errorf("text from the input became code at %s:\n%s", c.Lparen, star)
			}
		}
		return true
	})
	if !strings.Contains(string(star), "print(") {
		t.Errorf("the test's text is not in the import at all:\n%s", star)
	}
}

// TestImportConfigErrors: what the reader refuses, each at its file, line
// and column when it has one.
func TestImportConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		files map[string]string
		want  string
	}{
		{map[string]string{"main.tf": "resource \"aws_vpc\" \"a\" {\n  cidr_block = \n}\n"}, "cfg/main.tf:2:"},
		{map[string]string{"main.tf": "resource \"aws_vpc\" \"a\" {\n  vpc_id = aws_vpc.b.id\n}\n"},
			"cfg/main.tf:2:12: error: reference to aws_vpc.b, which the configuration does not declare"},
		{map[string]string{"main.tf": "resource \"aws_vpc\" \"a\" {\n  cidr_block = var.nope\n}\n"}, "cfg/main.tf:2:"},
		{map[string]string{"main.tf": "resource \"aws_vpc\" \"a\" {}\nresource \"aws_vpc\" \"a\" {}\n"}, "cfg/main.tf:2:1: error: aws_vpc.a is declared twice (first at cfg/main.tf:1:1"},
		{map[string]string{"main.tf": "resource \"aws_vpc\" {}\n"}, "cfg/main.tf:1:1: error: a resource block takes 2 labels, not 1"},
		{map[string]string{"main.tf": "resource \"aws_vpc\" \"a\\nb\" {}\n"}, "cfg/main.tf:1:20: error: \"a\\nb\": not a valid name"},
		{map[string]string{"main.tf": "ephemeral \"random_password\" {}\n"}, "cfg/main.tf:1:1: error: an ephemeral block takes 2 labels, not 1"},
		{map[string]string{"main.tf": "resource \"aws_vpc\" \"a\" {\n  tags = { T = ephemeral.random_password.p.result }\n}\n"},
			"cfg/main.tf:2:16: error: reference to ephemeral.random_password.p, which the configuration does not declare"},
		{map[string]string{"main.tf": "ephemeral \"random_password\" \"p\" {}\nephemeral \"random_password\" \"p\" {}\n"},
			"cfg/main.tf:2:1: error: ephemeral.random_password.p is declared twice"},
		{map[string]string{"main.tf": "widget \"x\" {}\n"}, "cfg/main.tf:1:1: error: widget: not a block type of a Terraform configuration"},
		{map[string]string{"main.tf": "region = \"x\"\n"}, "cfg/main.tf:1:1: error: an argument (region) at the top level"},
		{map[string]string{"main.tf": "locals {\n  a = local.b\n  b = local.a\n}\n"}, "cfg/main.tf:2:3: error: local.a depends on itself"},
		{map[string]string{"main.tf": "resource \"aws_vpc\" \"a\" {\n  provider = aws.nowhere\n}\n"}, "cfg/main.tf:2:14: error: provider aws.nowhere: no provider block with that alias"},
		{map[string]string{"main.tf": "resource \"aws_x\" \"a\" {\n  policy = file(\"../secret.json\")\n}\n"}, `it leads outside the configuration's directory`},
		{map[string]string{"main.tf": "resource \"aws_x\" \"a\" {\n  policy = file(\"/etc/passwd\")\n}\n"}, `refused: import terraform reads files inside the configuration's directory`},
		{map[string]string{"main.tf": "resource \"aws_x\" \"a\" {\n  policy = file(\"missing.json\")\n}\n"}, `cfg/main.tf:2:`},
		{map[string]string{"main.tf": "locals {\n  x = " + strings.Repeat("[", 300) + strings.Repeat("]", 300) + "\n}\n"}, "cfg/main.tf:2:"},
		{map[string]string{"main.tf.json": "{}"}, "main.tf.json is in Terraform's JSON syntax"},
		{map[string]string{"override.tf": ""}, "override.tf is an override file"},
		{map[string]string{"notes.txt": ""}, "cfg: no .tf files"},
		{map[string]string{"main.tf": "", "terraform.tfvars.json": "{\n  \"a\": [1,\n}"}, "cfg/terraform.tfvars.json:3:1: error: Missing JSON value"},
		{map[string]string{"main.tf": "", "x.auto.tfvars.json": "[1]"}, "cfg/x.auto.tfvars.json:1:1: error: "},
		{map[string]string{"main.tf": "variable \"a\" {}\n", "terraform.tfvars": "a = [upper(\"x\")]\n"}, "cfg/terraform.tfvars:1:6: error: a function call (upper) where a constant is wanted"},
		{map[string]string{"main.tf": "variable \"a\" {}\nvariable \"b\" {}\n", "terraform.tfvars": "a = \"${var.b}\"\n"}, "cfg/terraform.tfvars:1:8: error: a reference where a constant is wanted"},
		{map[string]string{"main.tf": "resource \"aws_vpc\" \"v\" {}\nvariable \"a\" {}\n", "terraform.tfvars": "a = aws_vpc.v.id\n"}, "cfg/terraform.tfvars:1:5: error: a reference where a constant is wanted"},
		{map[string]string{"main.tf": "", "z.auto.tfvars": "\nvariable \"a\" {}\n"}, "cfg/z.auto.tfvars:2:1: error: a variable block in a variable definitions file"},
		{map[string]string{"main.tf": "", "terraform.tfvars": "a = \n"}, "cfg/terraform.tfvars:1:"},
	} {
		_, err := importFiles(tc.files)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v:\ngot  %v\nwant %s", tc.files, err, tc.want)
		}
		var se *lang.SourceError
		if err != nil && strings.Contains(tc.want, ".tf:") && !errors.As(err, &se) {
			t.Errorf("%v: %v is not a SourceError", tc.files, err)
		}
	}
}

// FuzzImportConfig: the reader refuses or accepts one main.tf (beside a
// policy file), never panics, and what it accepts is Starlark patchbay
// formats.
func FuzzImportConfig(f *testing.F) {
	f.Add([]byte(handWritten["main.tf"]))
	f.Add([]byte(`provider "aws" { region = "us-east-1" }
resource "aws_vpc" "v" { cidr_block = "10.0.0.0/16" }
resource "aws_networkmanager_core_network_policy_attachment" "p" {
  core_network_id = aws_networkmanager_core_network.c.id
  policy_document = file(format("%s/p.json", path.module))
}
resource "aws_networkmanager_core_network" "c" {}
`))
	f.Add([]byte(`locals { a = "${local.b}${local.b}" 
b = "x" }
resource "aws_vpc" "v" { cidr_block = local.a }`))
	// The export of a peering within one Region: the data source the
	// importer follows, with its filter and depends_on.
	f.Add(terraform.Export(plantest.File(f, "../../testdata/valid/tgw_peering_one_region.star").Design, "tgw_peering_one_region.star")["main.tf"])
	policy := `{"version": "2021.12", "core-network-configuration": {"asn-ranges": ["64512-65534"], "edge-locations": [{"location": "us-east-1"}]}, "segments": [{"name": "prod"}]}`
	f.Fuzz(func(t *testing.T, main []byte) {
		// Budgets far below a design's: an input that spends one stops in
		// milliseconds rather than seconds, so the fuzzer keeps its pace.
		fsys := fstest.MapFS{"main.tf": {Data: main}, "p.json": {Data: []byte(policy)}}
		_, err := terraform.ImportConfig(context.Background(), project.FromFS(fsys, "cfg"), terraform.ConfigOptions{MaxSteps: 20_000, MaxMemory: 4 << 20})
		if err != nil && strings.Contains(err.Error(), "import.star") {
			t.Fatalf("the import wrote Starlark it cannot format: %v", err)
		}
	})
}
