package terraform

import (
	"encoding/json"
	"fmt"
	"math"
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

// resource is one resource of a plan, a state or a configuration: its
// values, and (in a plan or a configuration) what its arguments refer to,
// which are not known yet as values. data marks the one data source the
// importer follows (followed).
type resource struct {
	addr, typ, name string
	values          map[string]any
	refs            map[string][]string // argument → resource addresses it refers to
	region          string
	data            bool
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

	// Indexes built once the resources are all read, so that writing
	// costs time in proportion to them: a state of thousands of routes
	// and tables looked each route up again for every table.
	byARN    map[string]*resource
	byType   map[string][]*resource
	children map[childKey]map[*resource][]*resource

	// wanTables is each Transit Gateway route table's route table
	// attachments to a core network, by their variables, and wanPeering
	// the peering each is on (wanAttachments).
	wanTables  map[*resource][]string
	wanPeering map[string]*resource
}

// wanPeeringType is a Transit Gateway's peering with a core network.
const wanPeeringType = "aws_networkmanager_transit_gateway_peering"

// tgwPeering is a Transit Gateway peering attachment, the requesting
// side's.
const tgwPeering = "aws_ec2_transit_gateway_peering_attachment"

// sharesID are the types whose ID is another resource's.
var sharesID = map[string]bool{"aws_networkmanager_core_network_policy_attachment": true,
	"aws_networkmanager_attachment_accepter": true, "aws_ec2_transit_gateway_peering_attachment_accepter": true}

// childKey names the resources of a type by the argument that names
// their parent.
type childKey struct{ typ, arg string }

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
	im := newImporter()
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
	return im.finish(from, "terraform show -json")
}

func newImporter() *tfImporter {
	return &tfImporter{byAddr: map[string]*resource{}, byID: map[string]*resource{}, byARN: map[string]*resource{}, vars: map[string]string{},
		taken: map[string]bool{}, children: map[childKey]map[*resource][]*resource{}}
}

func (im *tfImporter) add(r *resource) {
	im.res = append(im.res, r)
	im.byAddr[r.addr] = r
}

// finish indexes the resources by ID and Region, whatever they were read
// from, and writes the design; kind says what from is.
func (im *tfImporter) finish(from, kind string) ([]byte, error) {
	for _, r := range im.res {
		// From version 6 of the AWS provider a resource may name its own
		// Region, overriding its provider's
		// (https://registry.terraform.io/providers/hashicorp/aws/latest/docs/guides/enhanced-region-support,
		// read 2026-12).
		if reg, _ := r.values["region"].(string); reg != "" && strings.HasPrefix(r.typ, "aws_") {
			r.region = reg
		}
		if arn, _ := r.values["arn"].(string); arn != "" && r.region == "" {
			if f := strings.Split(arn, ":"); len(f) > 3 {
				r.region = f[3]
			}
		}
		// A policy attachment's ID is its core network's, and an
		// accepter's is its attachment's: the ID names the other.
		if id, _ := r.values["id"].(string); id != "" && !sharesID[r.typ] {
			if im.byID[id] == nil {
				im.byID[id] = r
			}
		}
		if arn, _ := r.values["arn"].(string); arn != "" && im.byARN[arn] == nil {
			im.byARN[arn] = r
		}
	}
	// Within one Region a peering's accepter has an attachment ID of its
	// own, the accepting side's, which that side's tables name; between
	// Regions it is the peering's, which the peering holds.
	for _, x := range im.of("aws_ec2_transit_gateway_peering_attachment_accepter") {
		if id := str(x, "id"); id != "" && im.byID[id] == nil {
			im.byID[id] = x
		}
	}
	// A Transit Gateway's side of its peering with a core network is an
	// attachment of the gateway's, which a policy table association and
	// static routes name by its ID in a state.
	for _, p := range im.of(wanPeeringType) {
		if id := str(p, "transit_gateway_peering_attachment_id"); id != "" && im.byID[id] == nil {
			im.byID[id] = p
		}
	}
	// A gateway's default route table is AWS's, no resource of its own:
	// its ID (in a route table attachment's ARN, which ends in it) names
	// the gateway.
	for _, g := range im.of("aws_ec2_transit_gateway") {
		if id := str(g, "association_default_route_table_id"); id != "" && im.byID[id] == nil {
			im.byID[id] = g
		}
	}
	// A DX gateway association's Transit Gateway attachment is the
	// association's, in a state that has no data source finding it.
	for _, a := range im.of("aws_dx_gateway_association") {
		if id := str(a, "transit_gateway_attachment_id"); id != "" && im.byID[id] == nil {
			im.byID[id] = a
		}
	}
	fmt.Fprintf(&im.out, "# Imported from %s (%s) by patchbay import terraform.\n\n", format.CommentText(from), kind)
	if err := im.write(); err != nil {
		return nil, fmt.Errorf("%s: %v", from, err)
	}
	if len(im.skipped) > 0 {
		im.out.WriteString("\n# Not imported:\n")
		for _, s := range im.skipped {
			fmt.Fprintf(&im.out, "#   %s\n", format.CommentText(s))
		}
	}
	return format.Source("import.star", []byte(im.out.String()))
}

func (im *tfImporter) collect(m *tfjson.StateModule) {
	if m == nil {
		return
	}
	for _, r := range m.Resources {
		data := r.Mode == tfjson.DataResourceMode && followed(r.Type)
		if r.Mode != tfjson.ManagedResourceMode && !data {
			continue
		}
		x := &resource{addr: r.Address, typ: r.Type, name: r.Name, values: r.AttributeValues, refs: map[string][]string{}, data: data}
		if x.values == nil {
			x.values = map[string]any{}
		}
		im.add(x)
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
	// A data source read while planning is in the prior state, not the
	// planned values: the configuration's references are what the
	// importer follows it by.
	for _, cr := range c.RootModule.Resources {
		if cr.Mode == tfjson.DataResourceMode && followed(cr.Type) && im.byAddr[cr.Address] == nil {
			im.add(&resource{addr: cr.Address, typ: cr.Type, name: cr.Name, values: map[string]any{}, refs: map[string][]string{}, data: true})
		}
	}
	for _, cr := range c.RootModule.Resources {
		r := im.byAddr[cr.Address]
		if r == nil {
			continue
		}
		r.region = regions[cr.ProviderConfigKey]
		refer := func(arg string, refs []string) {
			for _, ref := range refs {
				// "aws_vpc.web.id" and "aws_vpc.web" both name aws_vpc.web.
				if a := refAddress(strings.Split(ref, ".")); a != "" && im.byAddr[a] != nil && !slices.Contains(r.refs[arg], a) {
					r.refs[arg] = append(r.refs[arg], a)
				}
			}
		}
		for arg, e := range cr.Expressions {
			if e != nil {
				refer(arg, e.References)
			}
		}
		if r.data {
			// What a data source waits for, and what its filters name,
			// are what it finds (configReader.filterRefs).
			refer("depends_on", cr.DependsOn)
			if e := cr.Expressions["filter"]; e != nil {
				for _, f := range e.NestedBlocks {
					if n, v := f["name"], f["values"]; n != nil && v != nil {
						if name, ok := n.ConstantValue.(string); ok {
							refer(strings.ReplaceAll(name, "-", "_"), v.References)
						}
					}
				}
			}
		}
	}
}

// target is the resource argument arg of r names: by reference in a
// plan or a configuration, by ID (or ARN) in a state. The data source
// that finds a DX gateway association's attachment stands for the
// association.
func (im *tfImporter) target(r *resource, arg string) *resource {
	t := im.lookup(r, arg)
	switch {
	case t != nil && t.data && t.typ == dxAttachmentData:
		return im.dxAssociation(t)
	case t != nil && t.data && t.typ == peeringData:
		return im.peeringFound(t)
	}
	return t
}

// peeringFound is the peering whose accepting side's attachment data
// source d finds: the one it waits for, or else the one peering whose
// peer is the gateway its filter names.
func (im *tfImporter) peeringFound(d *resource) *resource {
	// What it waits for may be more than the peering.
	var waits *resource
	for _, a := range d.refs["depends_on"] {
		if x := im.byAddr[a]; x != nil && x.typ == tgwPeering && x != waits {
			if waits != nil {
				waits = nil
				break
			}
			waits = x
		}
	}
	if waits != nil {
		return waits
	}
	switch g := im.lookup(d, "transit_gateway_id"); {
	case g == nil:
		return nil
	case g.typ == tgwPeering:
		// The filter names the peering's own attribute (its peer's ID).
		return g
	default:
		return im.onlyPeering(func(p *resource) bool { return im.lookup(p, "peer_transit_gateway_id") == g })
	}
}

// peeringOf is the peering accepter x accepts: the attachment its
// argument names, or, in a state of a peering within one Region, whose
// accepter has the accepting side's attachment of its own, the one
// peering between its gateways.
func (im *tfImporter) peeringOf(x *resource) *resource {
	if p := im.target(x, "transit_gateway_attachment_id"); p != nil && p.typ == tgwPeering {
		return p
	}
	g, peer := str(x, "transit_gateway_id"), str(x, "peer_transit_gateway_id")
	if g == "" || peer == "" {
		return nil
	}
	return im.onlyPeering(func(p *resource) bool {
		return str(p, "peer_transit_gateway_id") == g && str(p, "transit_gateway_id") == peer
	})
}

// onlyPeering is the one peering attachment match takes; nil for none or
// several, where the import does not guess.
func (im *tfImporter) onlyPeering(match func(*resource) bool) *resource {
	var found *resource
	for _, p := range im.of(tgwPeering) {
		if match(p) {
			if found != nil {
				return nil
			}
			found = p
		}
	}
	return found
}

// dxAssociation is the DX gateway association whose Transit Gateway
// attachment data source d finds: the one of its DX gateway (or the
// association it names for it) and its Transit Gateway.
func (im *tfImporter) dxAssociation(d *resource) *resource {
	dx, g := im.lookup(d, "dx_gateway_id"), im.lookup(d, "transit_gateway_id")
	if dx != nil && dx.typ == "aws_dx_gateway_association" {
		return dx
	}
	for _, a := range im.of("aws_dx_gateway_association") {
		if dx != nil && g != nil && im.lookup(a, "dx_gateway_id") == dx && im.lookup(a, "associated_gateway_id") == g {
			return a
		}
	}
	return nil
}

func (im *tfImporter) lookup(r *resource, arg string) *resource {
	if refs := r.refs[arg]; len(refs) > 0 {
		// An argument naming two resources (a conditional, a map indexed
		// by a variable) names one of them only once Terraform evaluates
		// it: the import does not guess which. What the import does not
		// hold (the account's ID from a data source, say) is no candidate.
		var found *resource
		for _, a := range refs {
			if x := im.byAddr[a]; x != nil {
				if found != nil {
					return nil
				}
				found = x
			}
		}
		return found
	}
	v, _ := r.values[arg].(string)
	if x := im.byID[v]; x != nil {
		return x
	}
	if x := im.byARN[v]; x != nil {
		return x
	}
	// A DX gateway's ARN ends in its ID.
	if i := strings.LastIndex(v, "/"); i >= 0 {
		return im.byID[v[i+1:]]
	}
	return nil
}

// all is every resource argument arg of r names, a list: by reference
// in a plan or a configuration, by ID in a state.
func (im *tfImporter) all(r *resource, arg string) []*resource {
	var out []*resource
	for _, a := range r.refs[arg] {
		if x := im.byAddr[a]; x != nil {
			out = append(out, x)
		}
	}
	if len(r.refs[arg]) > 0 {
		return out
	}
	for _, id := range list(r, arg) {
		if x := im.byID[id]; x != nil {
			out = append(out, x)
		}
	}
	return out
}

func str(r *resource, k string) string {
	s, _ := r.values[k].(string)
	return s
}

func num(r *resource, k string) (uint64, bool) {
	switch v := r.values[k].(type) {
	case float64:
		// An ASN or an MTU: a whole number of 32 bits, or nothing.
		if v < 0 || v > math.MaxUint32 || v != math.Trunc(v) {
			return 0, false
		}
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

// of is the resources of typ (not data sources), by address.
func (im *tfImporter) of(typ string) []*resource {
	if im.byType == nil {
		im.byType = map[string][]*resource{}
		for _, r := range im.res {
			if !r.data {
				im.byType[r.typ] = append(im.byType[r.typ], r)
			}
		}
		for _, rs := range im.byType {
			sort.SliceStable(rs, func(i, j int) bool { return rs[i].addr < rs[j].addr })
		}
	}
	return im.byType[typ]
}

// childrenOf is the resources of typ whose argument arg names parent, by
// address.
func (im *tfImporter) childrenOf(typ, arg string, parent *resource) []*resource {
	k := childKey{typ, arg}
	idx, ok := im.children[k]
	if !ok {
		idx = map[*resource][]*resource{}
		for _, r := range im.of(typ) {
			if p := im.target(r, arg); p != nil {
				idx[p] = append(idx[p], r)
			}
		}
		im.children[k] = idx
	}
	return idx[parent]
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
	for _, r := range im.res {
		if r.data {
			done(r) // followed to its association, not written
		}
	}
	w := &im.out
	// Networks first: everything else refers to them.
	for _, r := range im.of("aws_vpc") {
		done(r)
		cidrs := []string{str(r, "cidr_block")}
		for _, a := range im.childrenOf("aws_vpc_ipv4_cidr_block_association", "vpc_id", r) {
			done(a)
			cidrs = append(cidrs, str(a, "cidr_block"))
		}
		switch {
		case r.region == "":
			im.skip(r, "its Region is unknown (no ARN, no provider region in the configuration)")
			continue
		case slices.ContainsFunc(cidrs, notPrefix):
			im.skip(r, "a CIDR block is not known without Terraform (a variable without a default, or another resource's attribute)")
			continue
		}
		args := fmt.Sprintf("%q, region = %q, cidr = %s", label(r), r.region, quote(cidrs))
		if v6 := im.ipv6(r); len(v6) > 0 {
			args += ", ipv6_cidr = " + quote(v6)
		}
		fmt.Fprintf(w, "%s = vpc(%s)\n", im.variable(r), args)
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
		switch {
		case len(cidrs) == 0 || region == "":
			im.skip(n, "a VPC network without a subnetwork: no address space to model")
			continue
		case slices.ContainsFunc(cidrs, notPrefix):
			im.skip(n, "a subnetwork's range is not known without Terraform")
			continue
		}
		mtu, ok := num(n, "mtu")
		if !ok || mtu == 0 {
			mtu = 1460 // Google's default
		}
		args := fmt.Sprintf("%q, project = %q, region = %q, cidr = %s, mtu = %d", label(n), str(n, "project"), region, quote(cidrs), mtu)
		// The network's internal IPv6 range is its subnetworks' ULA space.
		if on, _ := n.values["enable_ula_internal_ipv6"].(bool); on && !notPrefix(str(n, "internal_ipv6_range")) {
			args += fmt.Sprintf(", ipv6_cidr = %q", str(n, "internal_ipv6_range"))
		}
		fmt.Fprintf(w, "%s = gcp_vpc(%s)\n", im.variable(n), args)
	}
	w.WriteString("\n")
	for _, g := range im.of("aws_vpn_gateway") {
		done(g)
		v := im.target(g, "vpc_id")
		if v == nil || im.vars[v.addr] == "" {
			im.skip(g, "not on a VPC this import has")
			continue
		}
		fmt.Fprintf(w, "%s = vpn_gateway(%s, name = %q%s)\n", im.variable(g), im.vars[v.addr], label(g), asnArg(g))
	}
	for _, g := range im.of("aws_dx_gateway") {
		done(g)
		fmt.Fprintf(w, "%s = dx_gateway(%q%s)\n", im.variable(g), label(g), asnArg(g))
	}
	for _, g := range im.of("aws_ec2_transit_gateway") {
		done(g)
		if g.region == "" {
			im.skip(g, "its Region is unknown")
			continue
		}
		args := fmt.Sprintf("%q, region = %q%s", label(g), g.region, asnArg(g))
		if cs := list(g, "transit_gateway_cidr_blocks"); len(cs) > 0 {
			args += ", cidr_blocks = " + quote(cs)
		}
		fmt.Fprintf(w, "%s = transit_gateway(%s, default_association = %s, default_propagation = %s)\n",
			im.variable(g), args, pyBool(str(g, "default_route_table_association") != "disable"),
			pyBool(str(g, "default_route_table_propagation") != "disable"))
	}
	w.WriteString("\n")
	if err := im.coreNetworks(done); err != nil {
		return err
	}
	// Attachments between two of what the import holds, each named by an
	// argument.
	for _, k := range []struct{ typ, a, b, why string }{
		{"aws_ec2_transit_gateway_vpc_attachment", "vpc_id", "transit_gateway_id", "its VPC or Transit Gateway is not in the import"},
		{"aws_ec2_transit_gateway_peering_attachment", "transit_gateway_id", "peer_transit_gateway_id", "its Transit Gateway or its peer is not in the import"},
	} {
		for _, a := range im.of(k.typ) {
			done(a)
			x, y := im.target(a, k.a), im.target(a, k.b)
			if x == nil || y == nil || im.vars[x.addr] == "" || im.vars[y.addr] == "" {
				im.skip(a, k.why)
				continue
			}
			fmt.Fprintf(w, "%s = attach(%s, %s%s)\n", im.variable(a), im.vars[x.addr], im.vars[y.addr], nameArg(a, x, y))
		}
	}
	// The accepter is the peering's other end: the peer's route tables
	// name it, by the peering's attachment ID between Regions and by the
	// accepting side's own within one.
	for _, x := range im.of("aws_ec2_transit_gateway_peering_attachment_accepter") {
		done(x)
		if p := im.peeringOf(x); p != nil && im.vars[p.addr] != "" {
			im.vars[x.addr] = im.vars[p.addr]
		} else {
			im.skip(x, "the peering it accepts is not in the import, or more than one peering joins its gateways")
		}
	}
	for _, a := range im.of("aws_dx_gateway_association") {
		done(a)
		dx, g := im.target(a, "dx_gateway_id"), im.target(a, "associated_gateway_id")
		if dx == nil || g == nil || im.vars[dx.addr] == "" || im.vars[g.addr] == "" {
			im.skip(a, "its DX gateway or associated gateway is not in the import")
			continue
		}
		if _, set := a.values["allowed_prefixes"]; !set && len(a.refs["allowed_prefixes"]) > 0 {
			im.skip(a, "its allowed prefixes are not known without Terraform")
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
			seg, group := segmentOf(a)
			switch {
			case x == nil || cn == nil || im.vars[x.addr] == "":
				im.skip(a, "its VPC or DX gateway, or its core network, is not in the import")
			case seg != "":
				fmt.Fprintf(w, "%s = attach(%s, %s, segment = %q%s)\n", im.variable(a), im.vars[x.addr], im.vars[cn.addr], seg, nameArg(a, x, cn))
			case group != "" && typ == "aws_networkmanager_vpc_attachment":
				fmt.Fprintf(w, "%s = attach(%s, %s, network_function_group = %q%s)\n", im.variable(a), im.vars[x.addr], im.vars[cn.addr], group, nameArg(a, x, cn))
			default:
				im.skip(a, "no segment: neither segment_name nor a segment tag")
			}
		}
	}
	im.wanAttachments(w, done)
	// An accepter is what a design's attachment to a segment that
	// requires acceptance already is: attached.
	for _, r := range im.of("aws_networkmanager_attachment_accepter") {
		if a := im.target(r, "attachment_id"); a != nil && im.vars[a.addr] != "" {
			done(r)
		}
	}
	w.WriteString("\n")
	im.tgwTables(done)
	im.routeTables(done)
	for _, r := range im.res {
		if !handled[r.addr] {
			im.skip(r, "patchbay does not model "+r.typ)
		}
	}
	return nil
}

// notPrefix reports whether s is not a CIDR block: an argument not known
// before Terraform runs is absent, so "".
func notPrefix(s string) bool {
	_, err := netip.ParsePrefix(s)
	return err != nil
}

// ipv6Tag is the tag the export records a VPC's planned IPv6 blocks in:
// AWS assigns a VPC's block from Amazon's pool, so the configuration
// cannot name it.
const ipv6Tag = "patchbay:ipv6_cidr"

// ipv6 is a VPC's IPv6 blocks: the one AWS assigned (a state), else the
// ones the design planned (the export's tag). A VPC asking for Amazon's
// block without either is noted: its block is known only once applied.
func (im *tfImporter) ipv6(r *resource) []string {
	if b := str(r, "ipv6_cidr_block"); !notPrefix(b) {
		return []string{b}
	}
	if t, ok := r.values["tags"].(map[string]any); ok {
		if s, ok := t[ipv6Tag].(string); ok {
			if bs := strings.Fields(s); len(bs) > 0 && !slices.ContainsFunc(bs, notPrefix) {
				return bs
			}
		}
	}
	if on, _ := r.values["assign_generated_ipv6_cidr_block"].(bool); on {
		im.skipped = append(im.skipped, r.addr+": its IPv6 block, which AWS assigns when it creates the VPC (imported without it)")
	}
	return nil
}

// asnArg is the Amazon-side ASN argument, when the resource gives one;
// without it the design's default is AWS's, 64512.
func asnArg(r *resource) string {
	if asn, ok := num(r, "amazon_side_asn"); ok {
		return fmt.Sprintf(", asn = %d", asn)
	}
	return ""
}

// nameArg names an attachment by its Name tag when the design's default,
// "<a>-<b>", would not.
func nameArg(a, x, y *resource) string {
	t, _ := a.values["tags"].(map[string]any)
	n, _ := t["Name"].(string)
	if n == "" || n == label(x)+"-"+label(y) {
		return ""
	}
	return fmt.Sprintf(", name = %q", n)
}

// segmentOf is the segment a core network attachment names, by its
// segment_name or else its segment tag, and the network function group
// its tag names.
func segmentOf(a *resource) (seg, group string) {
	seg = str(a, "segment_name")
	if t, ok := a.values["tags"].(map[string]any); ok {
		if seg == "" {
			seg, _ = t[cloudwan.SegmentTag].(string)
		}
		group, _ = t[cloudwan.GroupTag].(string)
	}
	return seg, group
}

// wanAttachments writes a Transit Gateway's attachments to a core
// network: a route table attachment of one of the gateway's route tables,
// on the gateway's peering with the core network, is the design's
// attachment of the two in the attachment's segment, which that table is
// associated with and propagates (the export's wanAttachment). The
// peering, its policy table and the table's association with the
// peering's attachment are how AWS builds that, not more of the design.
func (im *tfImporter) wanAttachments(w *strings.Builder, done func(*resource)) {
	im.wanTables, im.wanPeering = map[*resource][]string{}, map[string]*resource{}
	used := map[*resource]bool{}
	for _, a := range im.of("aws_networkmanager_transit_gateway_route_table_attachment") {
		done(a)
		var g, cn *resource
		p := im.target(a, "peering_id")
		if p != nil && p.typ == wanPeeringType {
			g, cn = im.target(p, "transit_gateway_arn"), im.coreOf(p)
		}
		// Its table: one of the gateway's in the import, or the gateway
		// itself for its default route table (the export's format() of
		// the gateway's attributes, or in a state the default table's
		// ID), which a design names by associating nothing else.
		t := im.target(a, "transit_gateway_route_table_arn")
		seg, _ := segmentOf(a)
		onDefault := t != nil && t == g
		switch {
		case g == nil || cn == nil || im.vars[g.addr] == "":
			im.skip(a, "its peering, or the peering's Transit Gateway or core network, is not in the import")
		case onDefault && str(g, "default_route_table_association") == "disable":
			im.skip(a, "its route table is its Transit Gateway's default, which the gateway associates nothing with")
		case !onDefault && (t == nil || t.typ != "aws_ec2_transit_gateway_route_table" || im.target(t, "transit_gateway_id") != g):
			im.skip(a, "its route table is not one of its Transit Gateway's in the import")
		case seg == "":
			im.skip(a, "no segment: neither segment_name nor a segment tag")
		default:
			used[p] = true
			fmt.Fprintf(w, "%s = attach(%s, %s, segment = %q%s)\n", im.variable(a), im.vars[g.addr], im.vars[cn.addr], seg, nameArg(a, g, cn))
			if !onDefault {
				im.wanTables[t] = append(im.wanTables[t], im.vars[a.addr])
			}
			im.wanPeering[im.vars[a.addr]] = p
		}
	}
	for _, p := range im.of(wanPeeringType) {
		done(p)
		if !used[p] {
			im.skip(p, "no route table attachment on it was imported: a peering alone carries no routes")
		}
	}
	tables := map[*resource]bool{}
	for _, x := range im.of("aws_ec2_transit_gateway_policy_table_association") {
		done(x)
		if p := im.target(x, "transit_gateway_attachment_id"); p != nil && used[p] {
			tables[im.target(x, "transit_gateway_policy_table_id")] = true
		} else {
			im.skip(x, "patchbay models a policy table only on a Cloud WAN peering with route table attachments in the import")
		}
	}
	for _, t := range im.of("aws_ec2_transit_gateway_policy_table") {
		done(t)
		if !tables[t] {
			im.skip(t, "patchbay models a policy table only on a Cloud WAN peering with route table attachments in the import")
		}
	}
}

func pyBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// coreOf is the core network attachment a belongs to, when imported.
func (im *tfImporter) coreOf(a *resource) *resource {
	t := im.target(a, "core_network_id")
	if t != nil && t.typ == "aws_networkmanager_core_network_policy_attachment" {
		t = im.target(t, "core_network_id")
	}
	if t == nil || im.vars[t.addr] == "" {
		return nil
	}
	return t
}

func (im *tfImporter) coreNetworks(done func(*resource)) error {
	for _, g := range im.of("aws_networkmanager_global_network") {
		done(g)
	}
	for _, cn := range im.of("aws_networkmanager_core_network") {
		done(cn)
		var doc string
		for _, p := range im.childrenOf("aws_networkmanager_core_network_policy_attachment", "core_network_id", cn) {
			done(p)
			doc = str(p, "policy_document")
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
				lines[i] = strings.Replace(l, "#", "# "+format.CommentText(cn.addr)+":", 1)
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
			for _, x := range im.childrenOf(typ, "transit_gateway_route_table_id", t) {
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
		for _, r := range im.childrenOf("aws_ec2_transit_gateway_route", "transit_gateway_route_table_id", t) {
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
			} else if v := im.wanRoute(r, t); v != "" {
				routes = append(routes, fmt.Sprintf("route(%q, %s)", dst, v))
			} else if x := im.target(r, "transit_gateway_attachment_id"); x != nil && x.typ == wanPeeringType {
				im.skip(r, "it goes to a core network over a peering on which no route table attachment of its table was imported")
			} else {
				im.skip(r, "its attachment is not in the import")
			}
		}
		for _, v := range im.wanTables[t] {
			if !slices.Contains(assoc, v) {
				assoc = append(assoc, v)
			}
			if !slices.Contains(prop, v) {
				prop = append(prop, v)
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

// wanRoute is the design's attachment a static route r of table t to a
// Transit Gateway's peering with a core network goes to: the peering's
// attachment on the gateway is the same for all the gateway's tables, so
// it is t's own route table attachment on that peering; "" for none.
func (im *tfImporter) wanRoute(r, t *resource) string {
	p := im.target(r, "transit_gateway_attachment_id")
	if p == nil || p.typ != wanPeeringType {
		return ""
	}
	for _, v := range im.wanTables[t] {
		if im.wanPeering[v] == p {
			return v
		}
	}
	return ""
}

// routeTables writes each VPC route table with its routes to a Transit
// Gateway, a VPN gateway or a core network, the targets the design
// models.
func (im *tfImporter) routeTables(done func(*resource)) {
	targets := []string{"aws_ec2_transit_gateway", "aws_vpn_gateway", "aws_networkmanager_core_network"}
	for _, t := range im.of("aws_route_table") {
		done(t)
		v := im.target(t, "vpc_id")
		if v == nil || im.vars[v.addr] == "" {
			im.skip(t, "its VPC is not in the import")
			continue
		}
		if inline, _ := t.values["route"].([]any); len(inline) > 0 {
			im.skipped = append(im.skipped, fmt.Sprintf("%s: its %d route blocks (the import reads routes from aws_route resources)", t.addr, len(inline)))
		}
		var routes []string
		for _, r := range im.childrenOf("aws_route", "route_table_id", t) {
			done(r)
			dst := str(r, "destination_cidr_block")
			if dst == "" {
				dst = str(r, "destination_ipv6_cidr_block")
			}
			if notPrefix(dst) {
				im.skip(r, "no destination CIDR block known without Terraform")
				continue
			}
			var to *resource
			for _, arg := range []string{"transit_gateway_id", "gateway_id", "core_network_arn"} {
				if to = im.target(r, arg); to != nil {
					break
				}
			}
			if to == nil || !slices.Contains(targets, to.typ) || im.vars[to.addr] == "" {
				im.skip(r, "its target is not a Transit Gateway, VPN gateway or core network of the import")
				continue
			}
			routes = append(routes, fmt.Sprintf("route(%q, %s)", dst, im.vars[to.addr]))
		}
		// Route propagation: the table's propagating_vgws, or an
		// aws_vpn_gateway_route_propagation naming it.
		var props []string
		gws := im.all(t, "propagating_vgws")
		for _, p := range im.childrenOf("aws_vpn_gateway_route_propagation", "route_table_id", t) {
			done(p)
			if g := im.target(p, "vpn_gateway_id"); g != nil {
				gws = append(gws, g)
			} else {
				im.skip(p, "its VPN gateway is not in the import")
			}
		}
		for _, g := range gws {
			if g.typ == "aws_vpn_gateway" && im.vars[g.addr] != "" && !slices.Contains(props, im.vars[g.addr]) {
				props = append(props, im.vars[g.addr])
			}
		}
		args := []string{strconv.Quote(label(t)), "vpc = " + im.vars[v.addr]}
		if len(routes) > 0 {
			args = append(args, "routes = ["+strings.Join(routes, ", ")+"]")
		}
		if len(props) > 0 {
			args = append(args, "propagations = ["+strings.Join(props, ", ")+"]")
		}
		fmt.Fprintf(&im.out, "route_table(%s)\n", strings.Join(args, ", "))
	}
}
