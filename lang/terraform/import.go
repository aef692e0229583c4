package terraform

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"

	"patchbay/lang/cloudwan"
	"patchbay/lang/format"
)

// resource is one resource of a plan or state: its values, and (in a
// plan) what its arguments refer to, which a plan does not know yet as
// values.
type resource struct {
	addr, typ, name string
	values          map[string]any
	refs            map[string][]string // argument → resource addresses it refers to
	region          string
}

// importer turns resources into the design's declarations.
type tfImporter struct {
	res     []*resource
	byAddr  map[string]*resource
	byID    map[string]*resource
	vars    map[string]string // resource address → Starlark variable
	out     strings.Builder
	skipped []string
	taken   map[string]bool
}

// Import reads the JSON of `terraform show -json` (a saved plan or the
// state; format in https://developer.hashicorp.com/terraform/internals/json-format,
// read 2026-12) and writes, in Starlark, the resources patchbay models:
// VPCs, VPN and Direct Connect gateways and their associations, Transit
// Gateways with their route tables, attachments, associations,
// propagations and routes, Cloud WAN core networks (their policy read
// with cloudwan.Import) and their attachments, and Google VPC networks.
// What it skips is listed in a comment at the end.
func Import(from string, data []byte) ([]byte, error) {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("%s: not the JSON of terraform show -json: %v", from, err)
	}
	im := &tfImporter{byAddr: map[string]*resource{}, byID: map[string]*resource{}, vars: map[string]string{}, taken: map[string]bool{}}
	switch {
	case probe["planned_values"] != nil:
		var p tfjson.Plan
		if err := json.Unmarshal(data, &p); err != nil {
			return nil, fmt.Errorf("%s: %v", from, err)
		}
		im.collect(p.PlannedValues.RootModule)
		if p.Config != nil {
			im.configuration(p.Config)
		}
	case probe["values"] != nil:
		var s tfjson.State
		if err := json.Unmarshal(data, &s); err != nil {
			return nil, fmt.Errorf("%s: %v", from, err)
		}
		im.collect(s.Values.RootModule)
	default:
		return nil, fmt.Errorf("%s: neither a plan (planned_values) nor a state (values): want the output of terraform show -json", from)
	}
	for _, r := range im.res {
		if arn, _ := r.values["arn"].(string); arn != "" && r.region == "" {
			if f := strings.Split(arn, ":"); len(f) > 3 {
				r.region = f[3]
			}
		}
		// A policy attachment's ID is its core network's: the ID names
		// the core network.
		if id, _ := r.values["id"].(string); id != "" && r.typ != "aws_networkmanager_core_network_policy_attachment" {
			if im.byID[id] == nil {
				im.byID[id] = r
			}
		}
	}
	fmt.Fprintf(&im.out, "# Imported from %s (terraform show -json) by patchbay import terraform.\n\n", from)
	if err := im.write(); err != nil {
		return nil, fmt.Errorf("%s: %v", from, err)
	}
	if len(im.skipped) > 0 {
		im.out.WriteString("\n# Not imported:\n")
		for _, s := range im.skipped {
			fmt.Fprintf(&im.out, "#   %s\n", s)
		}
	}
	return format.Source("import.star", []byte(im.out.String()))
}

func (im *tfImporter) collect(m *tfjson.StateModule) {
	if m == nil {
		return
	}
	for _, r := range m.Resources {
		if r.Mode != tfjson.ManagedResourceMode {
			continue
		}
		x := &resource{addr: r.Address, typ: r.Type, name: r.Name, values: r.AttributeValues, refs: map[string][]string{}}
		if x.values == nil {
			x.values = map[string]any{}
		}
		im.res = append(im.res, x)
		im.byAddr[r.Address] = x
	}
	for _, c := range m.ChildModules {
		im.collect(c)
	}
}

// configuration reads, from a plan's configuration, each resource's
// references and its provider's region (the root module's).
func (im *tfImporter) configuration(c *tfjson.Config) {
	regions := map[string]string{}
	for key, p := range c.ProviderConfigs {
		if e := p.Expressions["region"]; e != nil {
			if s, ok := e.ConstantValue.(string); ok {
				regions[key] = s
			}
		}
	}
	if c.RootModule == nil {
		return
	}
	for _, cr := range c.RootModule.Resources {
		r := im.byAddr[cr.Address]
		if r == nil {
			continue
		}
		r.region = regions[cr.ProviderConfigKey]
		for arg, e := range cr.Expressions {
			if e == nil {
				continue
			}
			for _, ref := range e.References {
				// "aws_vpc.web.id" and "aws_vpc.web" both name aws_vpc.web.
				if parts := strings.Split(ref, "."); len(parts) >= 2 && im.byAddr[parts[0]+"."+parts[1]] != nil {
					a := parts[0] + "." + parts[1]
					if !slices.Contains(r.refs[arg], a) {
						r.refs[arg] = append(r.refs[arg], a)
					}
				}
			}
		}
	}
}

// target is the resource argument arg of r names: by reference in a
// plan, by ID (or ARN) in a state.
func (im *tfImporter) target(r *resource, arg string) *resource {
	if refs := r.refs[arg]; len(refs) > 0 {
		return im.byAddr[refs[0]]
	}
	v, _ := r.values[arg].(string)
	if x := im.byID[v]; x != nil {
		return x
	}
	for _, x := range im.res {
		if arn, _ := x.values["arn"].(string); arn != "" && arn == v {
			return x
		}
	}
	// A DX gateway's ARN ends in its ID.
	if i := strings.LastIndex(v, "/"); i >= 0 {
		return im.byID[v[i+1:]]
	}
	return nil
}

func str(r *resource, k string) string {
	s, _ := r.values[k].(string)
	return s
}

func num(r *resource, k string) (uint64, bool) {
	switch v := r.values[k].(type) {
	case float64:
		return uint64(v), true
	case string:
		n, err := strconv.ParseUint(v, 10, 32)
		return n, err == nil
	}
	return 0, false
}

func list(r *resource, k string) []string {
	var out []string
	if vs, ok := r.values[k].([]any); ok {
		for _, v := range vs {
			if s, ok := v.(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

// label is the design's name of r: its Name tag, or its Terraform name.
func label(r *resource) string {
	if t, ok := r.values["tags"].(map[string]any); ok {
		if n, ok := t["Name"].(string); ok && n != "" {
			return n
		}
	}
	if n := str(r, "name"); n != "" {
		return n
	}
	return r.name
}

// notIdent is what a Starlark identifier cannot hold.
var notIdent = regexp.MustCompile(`[^A-Za-z0-9_]+`)

// reserved are Starlark's keywords and reserved words, and the builtins a
// variable would hide.
var reserved = []string{"and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif", "else",
	"except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "load", "nonlocal", "not", "or", "pass",
	"raise", "return", "try", "while", "with", "yield", "True", "False", "None", "vpc", "attach", "route", "site", "edge",
	"segment", "share", "dx_gateway", "vpn_gateway", "transit_gateway", "tgw_route_table", "core_network", "gcp_vpc"}

func (im *tfImporter) variable(r *resource) string {
	v := strings.Trim(notIdent.ReplaceAllString(label(r), "_"), "_")
	if len(v) > 64 {
		v = v[:64]
	}
	if v == "" || v[0] >= '0' && v[0] <= '9' || slices.Contains(reserved, v) {
		v = "r_" + v
	}
	for base, i := v, 2; im.taken[v]; i++ {
		v = fmt.Sprintf("%s_%d", base, i)
	}
	im.taken[v] = true
	im.vars[r.addr] = v
	return v
}

func (im *tfImporter) of(typ string) []*resource {
	var out []*resource
	for _, r := range im.res {
		if r.typ == typ {
			out = append(out, r)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].addr < out[j].addr })
	return out
}

func quote(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

func (im *tfImporter) skip(r *resource, why string) {
	im.skipped = append(im.skipped, r.addr+": "+why)
}

func (im *tfImporter) write() error {
	handled := map[string]bool{}
	done := func(r *resource) { handled[r.addr] = true }
	w := &im.out
	// Networks first: everything else refers to them.
	for _, r := range im.of("aws_vpc") {
		done(r)
		cidrs := []string{str(r, "cidr_block")}
		for _, a := range im.of("aws_vpc_ipv4_cidr_block_association") {
			if im.target(a, "vpc_id") == r {
				done(a)
				cidrs = append(cidrs, str(a, "cidr_block"))
			}
		}
		if r.region == "" {
			im.skip(r, "its Region is unknown (no ARN, no provider region in the configuration)")
			continue
		}
		fmt.Fprintf(w, "%s = vpc(%q, region = %q, cidr = %s)\n", im.variable(r), label(r), r.region, quote(cidrs))
	}
	for _, n := range im.of("google_compute_network") {
		done(n)
		var cidrs []string
		region := ""
		for _, s := range im.of("google_compute_subnetwork") {
			if t := im.target(s, "network"); t == n || str(s, "network") == str(n, "self_link") && str(n, "self_link") != "" {
				done(s)
				cidrs = append(cidrs, str(s, "ip_cidr_range"))
				region = str(s, "region")
			}
		}
		if len(cidrs) == 0 || region == "" {
			im.skip(n, "a VPC network without a subnetwork: no address space to model")
			continue
		}
		mtu, ok := num(n, "mtu")
		if !ok || mtu == 0 {
			mtu = 1460 // Google's default
		}
		fmt.Fprintf(w, "%s = gcp_vpc(%q, project = %q, region = %q, cidr = %s, mtu = %d)\n", im.variable(n), label(n), str(n, "project"), region, quote(cidrs), mtu)
	}
	w.WriteString("\n")
	for _, g := range im.of("aws_vpn_gateway") {
		done(g)
		v := im.target(g, "vpc_id")
		if v == nil || im.vars[v.addr] == "" {
			im.skip(g, "not on a VPC this import has")
			continue
		}
		asn, _ := num(g, "amazon_side_asn")
		fmt.Fprintf(w, "%s = vpn_gateway(%s, name = %q, asn = %d)\n", im.variable(g), im.vars[v.addr], label(g), asn)
	}
	for _, g := range im.of("aws_dx_gateway") {
		done(g)
		asn, _ := num(g, "amazon_side_asn")
		fmt.Fprintf(w, "%s = dx_gateway(%q, asn = %d)\n", im.variable(g), label(g), asn)
	}
	for _, g := range im.of("aws_ec2_transit_gateway") {
		done(g)
		asn, _ := num(g, "amazon_side_asn")
		if g.region == "" {
			im.skip(g, "its Region is unknown")
			continue
		}
		fmt.Fprintf(w, "%s = transit_gateway(%q, region = %q, asn = %d, default_association = %s, default_propagation = %s)\n",
			im.variable(g), label(g), g.region, asn, pyBool(str(g, "default_route_table_association") != "disable"),
			pyBool(str(g, "default_route_table_propagation") != "disable"))
	}
	w.WriteString("\n")
	if err := im.coreNetworks(done); err != nil {
		return err
	}
	// Attachments.
	for _, a := range im.of("aws_ec2_transit_gateway_vpc_attachment") {
		done(a)
		v, g := im.target(a, "vpc_id"), im.target(a, "transit_gateway_id")
		if v == nil || g == nil || im.vars[v.addr] == "" || im.vars[g.addr] == "" {
			im.skip(a, "its VPC or Transit Gateway is not in the import")
			continue
		}
		fmt.Fprintf(w, "%s = attach(%s, %s)\n", im.variable(a), im.vars[v.addr], im.vars[g.addr])
	}
	for _, a := range im.of("aws_dx_gateway_association") {
		done(a)
		dx, g := im.target(a, "dx_gateway_id"), im.target(a, "associated_gateway_id")
		if dx == nil || g == nil || im.vars[dx.addr] == "" || im.vars[g.addr] == "" {
			im.skip(a, "its DX gateway or associated gateway is not in the import")
			continue
		}
		args := im.vars[dx.addr] + ", " + im.vars[g.addr]
		if ps := list(a, "allowed_prefixes"); len(ps) > 0 {
			slices.Sort(ps)
			args += ", allowed_prefixes = " + quote(ps)
		}
		fmt.Fprintf(w, "%s = attach(%s)\n", im.variable(a), args)
	}
	for _, typ := range []string{"aws_networkmanager_vpc_attachment", "aws_networkmanager_dx_gateway_attachment"} {
		arg := map[string]string{"aws_networkmanager_vpc_attachment": "vpc_arn", "aws_networkmanager_dx_gateway_attachment": "direct_connect_gateway_arn"}[typ]
		for _, a := range im.of(typ) {
			done(a)
			x, cn := im.target(a, arg), im.coreOf(a)
			seg := str(a, "segment_name")
			if seg == "" {
				if t, ok := a.values["tags"].(map[string]any); ok {
					seg, _ = t[cloudwan.SegmentTag].(string)
				}
			}
			switch {
			case x == nil || cn == "" || im.vars[x.addr] == "":
				im.skip(a, "its VPC or DX gateway, or its core network, is not in the import")
			case seg == "":
				im.skip(a, "no segment: neither segment_name nor a segment tag")
			default:
				fmt.Fprintf(w, "%s = attach(%s, %s, segment = %q)\n", im.variable(a), im.vars[x.addr], cn, seg)
			}
		}
	}
	w.WriteString("\n")
	im.tgwTables(done)
	for _, r := range im.res {
		if !handled[r.addr] {
			im.skip(r, "patchbay does not model "+r.typ)
		}
	}
	return nil
}

func pyBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// coreOf is the variable of the core network attachment a belongs to.
func (im *tfImporter) coreOf(a *resource) string {
	t := im.target(a, "core_network_id")
	if t == nil {
		return ""
	}
	if t.typ == "aws_networkmanager_core_network_policy_attachment" {
		t = im.target(t, "core_network_id")
	}
	if t == nil {
		return ""
	}
	return im.vars[t.addr]
}

func (im *tfImporter) coreNetworks(done func(*resource)) error {
	for _, g := range im.of("aws_networkmanager_global_network") {
		done(g)
	}
	for _, cn := range im.of("aws_networkmanager_core_network") {
		done(cn)
		var doc string
		for _, p := range im.of("aws_networkmanager_core_network_policy_attachment") {
			if im.target(p, "core_network_id") == cn {
				done(p)
				doc = str(p, "policy_document")
			}
		}
		if doc == "" {
			doc = str(cn, "policy_document")
		}
		if doc == "" {
			im.skip(cn, "no policy document in the plan or state (a core network without one has no edges)")
			continue
		}
		star, err := cloudwan.ImportAs(cn.addr+".policy_document", []byte(doc), label(cn), im.variable(cn))
		if err != nil {
			return err
		}
		// What the policy import skipped, said of this core network.
		lines := strings.Split(string(star), "\n")
		for i, l := range lines {
			if strings.HasPrefix(l, "#   ") || strings.HasPrefix(l, "# Not imported") {
				lines[i] = strings.Replace(l, "#", "# "+cn.addr+":", 1)
			}
		}
		im.out.WriteString(strings.Join(lines, "\n") + "\n")
	}
	return nil
}

// tgwTables writes each Transit Gateway route table with its
// associations, propagations and static routes.
func (im *tfImporter) tgwTables(done func(*resource)) {
	attachVar := func(id *resource) string {
		if id == nil {
			return ""
		}
		return im.vars[id.addr]
	}
	for _, t := range im.of("aws_ec2_transit_gateway_route_table") {
		done(t)
		g := im.target(t, "transit_gateway_id")
		if g == nil || im.vars[g.addr] == "" {
			im.skip(t, "its Transit Gateway is not in the import")
			continue
		}
		var assoc, prop, routes []string
		for _, typ := range []string{"aws_ec2_transit_gateway_route_table_association", "aws_ec2_transit_gateway_route_table_propagation"} {
			for _, x := range im.of(typ) {
				if im.target(x, "transit_gateway_route_table_id") != t {
					continue
				}
				done(x)
				v := attachVar(im.target(x, "transit_gateway_attachment_id"))
				if v == "" {
					im.skip(x, "its attachment is not in the import")
					continue
				}
				if typ == "aws_ec2_transit_gateway_route_table_association" {
					assoc = append(assoc, v)
				} else {
					prop = append(prop, v)
				}
			}
		}
		for _, r := range im.of("aws_ec2_transit_gateway_route") {
			if im.target(r, "transit_gateway_route_table_id") != t {
				continue
			}
			done(r)
			dst := str(r, "destination_cidr_block")
			if _, err := netip.ParsePrefix(dst); err != nil {
				im.skip(r, "no destination CIDR block")
				continue
			}
			if b, _ := r.values["blackhole"].(bool); b {
				routes = append(routes, fmt.Sprintf("route(%q, blackhole = True)", dst))
			} else if v := attachVar(im.target(r, "transit_gateway_attachment_id")); v != "" {
				routes = append(routes, fmt.Sprintf("route(%q, %s)", dst, v))
			} else {
				im.skip(r, "its attachment is not in the import")
			}
		}
		args := []string{strconv.Quote(label(t)), "transit_gateway = " + im.vars[g.addr]}
		if len(assoc) > 0 {
			args = append(args, "associations = ["+strings.Join(assoc, ", ")+"]")
		}
		if len(prop) > 0 {
			args = append(args, "propagations = ["+strings.Join(prop, ", ")+"]")
		}
		if len(routes) > 0 {
			args = append(args, "routes = ["+strings.Join(routes, ", ")+"]")
		}
		fmt.Fprintf(&im.out, "tgw_route_table(%s)\n", strings.Join(args, ", "))
	}
}
