// Package terraform writes a design as a Terraform configuration for the
// hashicorp/aws and hashicorp/google providers: the resources the
// providers have, with references between them, a provider per AWS
// Region, variables for what only the account knows (subnets, the Google
// project) and outputs for the IDs. What the providers cannot create (an
// AWS Interconnect, a last-mile connection) is a comment saying what to
// create by hand. Every resource type and attribute written is one the
// provider documents (testdata/provider-schema.json, with its sources).
//
// It also reads back what Terraform has into a design: the JSON of
// terraform show -json (Import), or a configuration's .tf files, evaluated
// without Terraform (ImportConfig); both feed one importer.
package terraform

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"patchbay/lang"
)

// Files is a configuration: file name to contents.
type Files map[string][]byte

// writer builds the configuration.
type writer struct {
	d         *lang.Design
	main      *hclwrite.Body
	vars      *hclwrite.Body
	outs      *hclwrite.Body
	files     Files
	regions   []string          // AWS Regions with a provider
	names     map[string]string // design reference → Terraform name
	vpcRegion map[lang.Ref]string
	varNames  map[string]bool
	// wanPeerings names each Transit Gateway's peering with a core
	// network, by gateway and core network (attachments).
	wanPeerings map[[2]lang.Ref]string
}

var notName = regexp.MustCompile(`[^A-Za-z0-9_-]`)

// name is a Terraform name for a design name: letters, digits, _ and -,
// starting with a letter or _.
func name(s string) string {
	n := notName.ReplaceAllString(s, "_")
	if n == "" || !(n[0] == '_' || n[0] >= 'a' && n[0] <= 'z' || n[0] >= 'A' && n[0] <= 'Z') {
		n = "_" + n
	}
	return n
}

func ref(parts ...string) hclwrite.Tokens {
	t := hcl.Traversal{hcl.TraverseRoot{Name: parts[0]}}
	for _, p := range parts[1:] {
		t = append(t, hcl.TraverseAttr{Name: p})
	}
	return hclwrite.TokensForTraversal(t)
}

func strs(ss []string) cty.Value {
	if len(ss) == 0 {
		return cty.ListValEmpty(cty.String)
	}
	vs := make([]cty.Value, len(ss))
	for i, s := range ss {
		vs[i] = cty.StringVal(s)
	}
	return cty.ListVal(vs)
}

func tags(kv ...string) cty.Value {
	m := map[string]cty.Value{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = cty.StringVal(kv[i+1])
	}
	return cty.MapVal(m)
}

// provider is the aws provider alias for region.
func (w *writer) provider(region string) hclwrite.Tokens {
	if !slices.Contains(w.regions, region) {
		w.regions = append(w.regions, region)
	}
	return ref("aws", name(strings.ReplaceAll(region, "-", "_")))
}

func (w *writer) resource(typ, n string) *hclwrite.Body {
	if len(w.main.Blocks()) > 0 || len(w.main.Attributes()) > 0 {
		w.main.AppendNewline()
	}
	return w.main.AppendNewBlock("resource", []string{typ, n}).Body()
}

func (w *writer) variable(n, typ, desc string) {
	if w.varNames[n] {
		return
	}
	w.varNames[n] = true
	if len(w.vars.Blocks()) > 0 {
		w.vars.AppendNewline()
	}
	b := w.vars.AppendNewBlock("variable", []string{n}).Body()
	b.SetAttributeRaw("type", hclwrite.TokensForIdentifier(typ))
	b.SetAttributeValue("description", cty.StringVal(desc))
}

func (w *writer) output(n string, value hclwrite.Tokens, desc string) {
	if len(w.outs.Blocks()) > 0 {
		w.outs.AppendNewline()
	}
	b := w.outs.AppendNewBlock("output", []string{n}).Body()
	b.SetAttributeValue("description", cty.StringVal(desc))
	b.SetAttributeRaw("value", value)
}

func (w *writer) comment(text string) {
	if len(w.main.Blocks()) > 0 {
		w.main.AppendNewline()
	}
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		w.main.AppendUnstructuredTokens(hclwrite.Tokens{{Type: hclsyntaxComment, Bytes: []byte("# " + line + "\n")}})
	}
}

// Export writes design d, read from file from, as a Terraform
// configuration: main.tf, variables.tf, outputs.tf, providers.tf, and a
// policy document per core network (cloudwan-NAME.json), which main.tf
// attaches with file().
func Export(d *lang.Design, from string) Files {
	w := &writer{d: d, files: Files{}, names: map[string]string{}, vpcRegion: map[lang.Ref]string{}, varNames: map[string]bool{}}
	mainF, varsF, outsF := hclwrite.NewEmptyFile(), hclwrite.NewEmptyFile(), hclwrite.NewEmptyFile()
	w.main, w.vars, w.outs = mainF.Body(), varsF.Body(), outsF.Body()
	w.comment(fmt.Sprintf("Written by patchbay export terraform from %s. Resource names follow the design's.", from))
	w.vpcs()
	w.gateways()
	w.transitGateways()
	w.coreNetworks()
	w.attachments()
	w.routeTables()
	w.google()
	w.byHand()
	w.files["main.tf"] = hclwrite.Format(mainF.Bytes())
	w.files["variables.tf"] = hclwrite.Format(varsF.Bytes())
	w.files["outputs.tf"] = hclwrite.Format(outsF.Bytes())
	w.files["providers.tf"] = w.providers()
	return w.files
}

func (w *writer) providers() []byte {
	f := hclwrite.NewEmptyFile()
	b := f.Body()
	tf := b.AppendNewBlock("terraform", nil).Body()
	req := tf.AppendNewBlock("required_providers", nil).Body()
	// aws_networkmanager_dx_gateway_attachment came with
	// hashicorp/terraform-provider-aws pull request 40546, merged in
	// December 2024: 5.82 is the first release after it (estimated from
	// the date; the tests run 5.100).
	req.SetAttributeValue("aws", cty.ObjectVal(map[string]cty.Value{"source": cty.StringVal("hashicorp/aws"), "version": cty.StringVal(">= 5.82")}))
	if len(w.d.GCPVPCs) > 0 {
		req.SetAttributeValue("google", cty.ObjectVal(map[string]cty.Value{"source": cty.StringVal("hashicorp/google"), "version": cty.StringVal(">= 5.0")}))
	}
	// The default provider is where Network Manager, which is global,
	// keeps its objects (us-west-2) and where DX gateways, also global,
	// are made.
	b.AppendNewline()
	b.AppendNewBlock("provider", []string{"aws"}).Body().SetAttributeValue("region", cty.StringVal("us-west-2"))
	for _, r := range slices.Sorted(slices.Values(w.regions)) {
		b.AppendNewline()
		p := b.AppendNewBlock("provider", []string{"aws"}).Body()
		p.SetAttributeValue("alias", cty.StringVal(name(strings.ReplaceAll(r, "-", "_"))))
		p.SetAttributeValue("region", cty.StringVal(r))
	}
	if len(w.d.GCPVPCs) > 0 {
		// Each network names its project.
		b.AppendNewline()
		b.AppendNewBlock("provider", []string{"google"}).Body()
	}
	return hclwrite.Format(f.Bytes())
}
