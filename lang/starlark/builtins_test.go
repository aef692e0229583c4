package starlark

import (
	"bytes"
	"context"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"
	"unicode/utf8"

	"patchbay/lang"
	"patchbay/stdlib"
)

// runFiles runs main.star of files with LoadFS and opts. It returns the
// design, or the error exactly as LoadFS returned it.
func runFiles(t *testing.T, files map[string]string, opts Options) (*lang.Design, error) {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, src := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(src)}
	}
	var d *lang.Design
	var err error
	func() {
		defer func() {
			if r := recover(); r != nil {
				t.Fatalf("LoadFS panicked: %v", r)
			}
		}()
		d, err = LoadFS(context.Background(), fsys, "", "main.star", opts)
	}()
	if err == nil && d == nil {
		t.Fatal("LoadFS returned neither a design nor an error")
	}
	if err != nil && d != nil {
		t.Fatalf("LoadFS returned a design and an error: %v", err)
	}
	return d, err
}

// run runs one script as main.star with the default options.
func run(t *testing.T, src string) (*lang.Design, error) {
	t.Helper()
	return runFiles(t, map[string]string{"main.star": src}, Options{})
}

// mustRun runs a script that must succeed.
func mustRun(t *testing.T, src string) *lang.Design {
	t.Helper()
	d, err := run(t, src)
	if err != nil {
		t.Fatalf("script failed:\n%s\nerror: %v", src, err)
	}
	return d
}

// diagnostics unpacks a load error, which must be a *lang.SourceError or
// lang.Diagnostics, and is never empty.
func diagnostics(t *testing.T, err error) lang.Diagnostics {
	t.Helper()
	if err == nil {
		t.Fatal("script succeeded, want an error")
	}
	var ds lang.Diagnostics
	var se *lang.SourceError
	switch {
	case errors.As(err, &se):
		ds = se.Diagnostics
	case errors.As(err, &ds):
	default:
		t.Fatalf("error is %T (%v), want *lang.SourceError or lang.Diagnostics", err, err)
	}
	if len(ds) == 0 {
		t.Fatalf("error %v carries no diagnostics", err)
	}
	return ds
}

// failure runs a script that must fail with exactly one diagnostic.
func failure(t *testing.T, src string) lang.Diagnostic {
	t.Helper()
	_, err := run(t, src)
	ds := diagnostics(t, err)
	if len(ds) != 1 {
		t.Fatalf("got %d diagnostics, want 1: %v", len(ds), ds)
	}
	return ds[0]
}

// at is the 1-based line and rune column of the first occurrence of needle.
func at(t *testing.T, src, needle string) lang.Pos {
	t.Helper()
	i := strings.Index(src, needle)
	if i < 0 {
		t.Fatalf("%q not in script", needle)
	}
	line := strings.Count(src[:i], "\n") + 1
	lineStart := strings.LastIndex(src[:i], "\n") + 1
	return lang.Pos{Line: int32(line), Col: int32(utf8.RuneCountInString(src[lineStart:i]) + 1)}
}

// after is the position just past the first occurrence of needle.
func after(t *testing.T, src, needle string) lang.Pos {
	t.Helper()
	p := at(t, src, needle)
	p.Col += int32(utf8.RuneCountInString(needle))
	return p
}

func ref(k lang.Kind, name string) lang.Ref { return lang.Ref{Kind: k, Name: name} }

func prefixes(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

func checkRange(t *testing.T, what string, got lang.Range, file string, start, end lang.Pos) {
	t.Helper()
	want := lang.Range{File: file, Start: start, End: end}
	if got != want {
		t.Errorf("%s: range %+v, want %+v", what, got, want)
	}
}

func TestBuiltinsDeclare(t *testing.T) {
	const common = `hub = transit_gateway("hub", region = "us-east-1")
v = vpc("v", region = "us-east-1", cidr = "10.0.0.0/16")
`
	for _, tc := range []struct {
		name  string
		src   string // appended to common
		check func(t *testing.T, src string, d *lang.Design)
	}{
		{"vpc", `payments = vpc("payments", region = "eu-west-2", cidr = ["10.10.0.0/16", "10.11.0.0/16"], ipv6_cidr = "2600:1f18::/56", mtu = 8500)`,
			func(t *testing.T, src string, d *lang.Design) {
				if len(d.VPCs) != 2 {
					t.Fatalf("%d VPCs, want 2", len(d.VPCs))
				}
				x := d.VPCs[1]
				if x.Name != "payments" || x.Region != "eu-west-2" || x.MTU != 8500 ||
					!slices.Equal(x.CIDRs, prefixes("10.10.0.0/16", "10.11.0.0/16")) || !slices.Equal(x.IPv6, prefixes("2600:1f18::/56")) {
					t.Errorf("vpc = %+v", x)
				}
				line := strings.Split(src, "\n")[2]
				checkRange(t, "vpc", x.Range, "main.star", at(t, src, "vpc(\"payments\""), lang.Pos{Line: 3, Col: int32(len(line) + 1)})
				if r, ok := d.Lookup(ref(lang.KindVPC, "payments")); !ok || r != x {
					t.Errorf("Lookup(vpc.payments) = %v, %v", r, ok)
				}
			}},
		{"route_table", `route_table("private", vpc = v, routes = [route("0.0.0.0/0", target = hub), route("192.0.2.0/24", blackhole = True)])`,
			func(t *testing.T, src string, d *lang.Design) {
				if len(d.RouteTables) != 1 {
					t.Fatalf("%d route tables, want 1", len(d.RouteTables))
				}
				x := d.RouteTables[0]
				if x.Name != "private" || x.VPC != ref(lang.KindVPC, "v") || x.Ref() != ref(lang.KindRouteTable, "v/private") || len(x.Routes) != 2 {
					t.Fatalf("route_table = %+v", x)
				}
				if r := x.Routes[0]; r.Destination != netip.MustParsePrefix("0.0.0.0/0") || r.Target != ref(lang.KindTransitGW, "hub") || r.Blackhole {
					t.Errorf("route 0 = %+v", r)
				}
				if r := x.Routes[1]; r.Destination != netip.MustParsePrefix("192.0.2.0/24") || !r.Target.IsZero() || !r.Blackhole {
					t.Errorf("route 1 = %+v", r)
				}
				if got, want := x.Routes[1].Range.Start, at(t, src, `route("192`); got != want {
					t.Errorf("route 1 starts at %+v, want %+v", got, want)
				}
				if got, want := x.Range.Start, at(t, src, "route_table("); got != want {
					t.Errorf("route_table starts at %+v, want %+v", got, want)
				}
			}},
		{"gcp_vpc", `g = gcp_vpc("analytics", project = "acme", region = "us-east4", cidr = "10.20.0.0/16", ipv6_cidr = "fd20::/48", mtu = 8896, asn = 65100)`,
			func(t *testing.T, src string, d *lang.Design) {
				x := d.GCPVPCs[0]
				if x.Name != "analytics" || x.Project != "acme" || x.Region != "us-east4" || x.MTU != 8896 || x.ASN != 65100 ||
					!slices.Equal(x.CIDRs, prefixes("10.20.0.0/16")) || !slices.Equal(x.IPv6, prefixes("fd20::/48")) {
					t.Errorf("gcp_vpc = %+v", x)
				}
				if got, want := x.Range.Start, at(t, src, "gcp_vpc("); got != want {
					t.Errorf("gcp_vpc starts at %+v, want %+v", got, want)
				}
			}},
		{"site", `hq = site("hq", cidr = ["192.168.0.0/16", "172.20.0.0/16"], asn = 65001)`,
			func(t *testing.T, src string, d *lang.Design) {
				x := d.Sites[0]
				if x.Name != "hq" || x.ASN != 65001 || x.MTU != 1500 || !slices.Equal(x.CIDRs, prefixes("192.168.0.0/16", "172.20.0.0/16")) || x.IPv6 != nil {
					t.Errorf("site = %+v", x)
				}
				if got, want := x.Range.Start, at(t, src, "site("); got != want {
					t.Errorf("site starts at %+v, want %+v", got, want)
				}
			}},
		{"vpn_gateway", `vgw = vpn_gateway(v, asn = 64513)`,
			func(t *testing.T, src string, d *lang.Design) {
				x := d.VPNGateways[0]
				if x.Name != "v-vgw" || x.ASN != 64513 {
					t.Errorf("vpn_gateway = %+v", x)
				}
				if got, want := x.Range.Start, at(t, src, "vpn_gateway("); got != want {
					t.Errorf("vpn_gateway starts at %+v, want %+v", got, want)
				}
				// The VGW comes attached to its VPC.
				if len(d.Attachments) != 1 {
					t.Fatalf("%d attachments, want the VGW's own", len(d.Attachments))
				}
				a := d.Attachments[0]
				if a.Name != "v-vgw" || a.Kind != lang.AttachVGWVPC || a.A != x.Ref() || a.B != ref(lang.KindVPC, "v") || a.Range != x.Range {
					t.Errorf("vgw attachment = %+v", a)
				}
			}},
		{"dx_gateway", `dxgw = dx_gateway("core", asn = 64600)`,
			func(t *testing.T, src string, d *lang.Design) {
				x := d.DXGateways[0]
				if x.Name != "core" || x.ASN != 64600 {
					t.Errorf("dx_gateway = %+v", x)
				}
				if got, want := x.Range.Start, at(t, src, "dx_gateway("); got != want {
					t.Errorf("dx_gateway starts at %+v, want %+v", got, want)
				}
			}},
		{"transit_gateway", `t2 = transit_gateway("t2", region = "eu-central-1", asn = 4200000000, cidr_blocks = ["10.99.0.0/24", "2001:db8::/64"], default_association = False)`,
			func(t *testing.T, src string, d *lang.Design) {
				if len(d.TransitGateways) != 2 {
					t.Fatalf("%d TGWs, want 2", len(d.TransitGateways))
				}
				x := d.TransitGateways[1]
				if x.Name != "t2" || x.Region != "eu-central-1" || x.ASN != 4200000000 || x.DefaultAssociation || !x.DefaultPropagation ||
					!slices.Equal(x.CIDRBlocks, prefixes("10.99.0.0/24", "2001:db8::/64")) {
					t.Errorf("transit_gateway = %+v", x)
				}
				if got, want := x.Range.Start, at(t, src, `transit_gateway("t2"`); got != want {
					t.Errorf("transit_gateway starts at %+v, want %+v", got, want)
				}
			}},
		{"tgw_route_table", `att = attach(v, hub)
tgw_route_table("rt", transit_gateway = hub, associations = [att], propagations = [att], routes = [route("10.0.0.0/8", blackhole = True), route("10.1.0.0/16", target = att)])`,
			func(t *testing.T, src string, d *lang.Design) {
				x := d.TGWRouteTables[0]
				attRef := ref(lang.KindAttachment, "v-hub")
				if x.Name != "rt" || x.TGW != ref(lang.KindTransitGW, "hub") || x.Ref() != ref(lang.KindTGWRouteTable, "hub/rt") ||
					!slices.Equal(x.Associations, []lang.Ref{attRef}) || !slices.Equal(x.Propagations, []lang.Ref{attRef}) || len(x.Routes) != 2 {
					t.Fatalf("tgw_route_table = %+v", x)
				}
				if !x.Routes[0].Blackhole || x.Routes[1].Target != attRef {
					t.Errorf("routes = %+v", x.Routes)
				}
				if got, want := x.Range.Start, at(t, src, "tgw_route_table("); got != want {
					t.Errorf("tgw_route_table starts at %+v, want %+v", got, want)
				}
			}},
		{"core_network", `wan = core_network("wan", edges = [edge("us-east-1"), edge("eu-west-2", asn = 64700)],
    segments = [segment("prod", require_attachment_acceptance = True), segment("dev", isolate_attachments = True, edge_regions = ["us-east-1"])],
    network_function_groups = ["inspect"],
    actions = [share("prod", share_with = ["dev"]), send_to("dev", via = "inspect"), send_via("prod", when_sent_to = ["dev"], via = ["inspect"], mode = "dual-hop")])`,
			func(t *testing.T, src string, d *lang.Design) {
				x := d.CoreNetworks[0]
				if x.Name != "wan" || !slices.Equal(x.ASNRanges, []lang.ASNRange{{Low: 64512, High: 65534}}) || !slices.Equal(x.NetworkFunctionGroups, []string{"inspect"}) {
					t.Errorf("core_network = %+v", x)
				}
				if len(x.Edges) != 2 || x.Edges[0].Region != "us-east-1" || x.Edges[0].ASN != 64512 || x.Edges[1].Region != "eu-west-2" || x.Edges[1].ASN != 64700 {
					t.Errorf("edges = %+v", x.Edges)
				}
				if got, want := x.Edges[1].Range.Start, at(t, src, `edge("eu-west-2"`); got != want {
					t.Errorf("edge starts at %+v, want %+v", got, want)
				}
				if len(x.Segments) != 2 {
					t.Fatalf("segments = %+v", x.Segments)
				}
				if s := x.Segments[0]; s.Name != "prod" || !s.RequireAcceptance || s.IsolateAttachments || s.EdgeRegions != nil {
					t.Errorf("segment prod = %+v", s)
				}
				if s := x.Segments[1]; s.Name != "dev" || s.RequireAcceptance || !s.IsolateAttachments || !slices.Equal(s.EdgeRegions, []string{"us-east-1"}) {
					t.Errorf("segment dev = %+v", s)
				}
				if len(x.Actions) != 3 {
					t.Fatalf("actions = %+v", x.Actions)
				}
				if a := x.Actions[0]; a.Action != lang.ActionShare || a.Segment != "prod" || !slices.Equal(a.ShareWith, []string{"dev"}) {
					t.Errorf("share = %+v", a)
				}
				if a := x.Actions[1]; a.Action != lang.ActionSendTo || a.Segment != "dev" || !slices.Equal(a.Via, []string{"inspect"}) {
					t.Errorf("send_to = %+v", a)
				}
				if a := x.Actions[2]; a.Action != lang.ActionSendVia || a.Mode != "dual-hop" || !slices.Equal(a.WhenSentTo, []string{"dev"}) {
					t.Errorf("send_via = %+v", a)
				}
				// A call over several lines spans from its name to its closing parenthesis.
				checkRange(t, "core_network", x.Range, "main.star", at(t, src, "core_network("), after(t, src, `mode = "dual-hop")])`))
			}},
		{"attach", `a1 = attach(hub, v)
d = dx_gateway("d", asn = 64999)
a2 = attach(d, hub, name = "dx-hub", allowed_prefixes = ["10.0.0.0/14"])`,
			func(t *testing.T, src string, d *lang.Design) {
				if len(d.Attachments) != 2 {
					t.Fatalf("attachments = %+v", d.Attachments)
				}
				// Arguments in either order: the ends are stored in the kind's order,
				// the default name follows the call's order.
				a := d.Attachments[0]
				if a.Name != "hub-v" || a.Kind != lang.AttachVPCTGW || a.A != ref(lang.KindVPC, "v") || a.B != ref(lang.KindTransitGW, "hub") || a.Segment != "" {
					t.Errorf("attach(hub, v) = %+v", a)
				}
				b := d.Attachments[1]
				if b.Name != "dx-hub" || b.Kind != lang.AttachDXGWTGW || b.A != ref(lang.KindDXGateway, "d") || !slices.Equal(b.AllowedPrefixes, prefixes("10.0.0.0/14")) {
					t.Errorf("attach(d, hub) = %+v", b)
				}
				if got, want := b.Range.Start, at(t, src, "attach(d"); got != want {
					t.Errorf("attach starts at %+v, want %+v", got, want)
				}
			}},
		{"interconnect", `g = gcp_vpc("g", project = "p", region = "us-east4", cidr = "10.20.0.0/16")
d = dx_gateway("d")
ic = interconnect(
    "ic",
    provider = "gcp",
    aws_region = "us-east-1",
    peer_region = "us-east4",
    bandwidth = "10Gbps",
    attach_to = d,
    peer = g,
    mtu = 1500,
)`,
			func(t *testing.T, src string, d *lang.Design) {
				x := d.Interconnects[0]
				if x.Name != "ic" || x.Provider != "gcp" || x.AWSRegion != "us-east-1" || x.PeerRegion != "us-east4" ||
					x.Bandwidth != stdlib.Bandwidth(10_000_000_000) || x.AttachTo != ref(lang.KindDXGateway, "d") || x.Peer != ref(lang.KindGCPVPC, "g") || x.MTU != 1500 || x.Segment != "" {
					t.Errorf("interconnect = %+v", x)
				}
				// The call ends with the ")" alone on the last line.
				end := lang.Pos{Line: int32(strings.Count(src, "\n") + 1), Col: 2}
				checkRange(t, "interconnect", x.Range, "main.star", at(t, src, "interconnect("), end)
			}},
		{"last_mile", `hq = site("hq", cidr = "192.168.0.0/16", asn = 65001)
d = dx_gateway("d")
last_mile("lm", partner = "lumen", region = "us-east-1", bandwidth = "25Gbps", site = hq, attach_to = d, macsec = False, bfd = False)`,
			func(t *testing.T, src string, d *lang.Design) {
				x := d.LastMiles[0]
				if x.Name != "lm" || x.Partner != "lumen" || x.Region != "us-east-1" || x.Bandwidth != stdlib.Bandwidth(25_000_000_000) ||
					x.Site != ref(lang.KindSite, "hq") || x.AttachTo != ref(lang.KindDXGateway, "d") || x.MACsec || x.BFD {
					t.Errorf("last_mile = %+v", x)
				}
				if got, want := x.Range.Start, at(t, src, "last_mile("); got != want {
					t.Errorf("last_mile starts at %+v, want %+v", got, want)
				}
			}},
		{"monitor", `w = vpc("w", region = "us-east-1", cidr = "10.1.0.0/16")
monitor("m", source = v, destination = w, interval = "60s")
monitor("m2", source = w, destination = v)`,
			func(t *testing.T, src string, d *lang.Design) {
				if len(d.Monitors) != 2 {
					t.Fatalf("monitors = %+v", d.Monitors)
				}
				x := d.Monitors[0]
				if x.Name != "m" || x.From != ref(lang.KindVPC, "v") || x.To != ref(lang.KindVPC, "w") || x.Interval != "1m" { // "60s" in canonical form
					t.Errorf("monitor = %+v", x)
				}
				if got := d.Monitors[1].Interval; got != "30s" {
					t.Errorf("default interval = %q, want 30s", got)
				}
				if got, want := x.Range.Start, at(t, src, `monitor("m"`); got != want {
					t.Errorf("monitor starts at %+v, want %+v", got, want)
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := common + tc.src
			d := mustRun(t, src)
			tc.check(t, src, d)
			if _, ok := d.Files["main.star"]; !ok {
				t.Errorf("design files %v lack main.star", d.Files)
			}
		})
	}
}

func TestBuiltinDeclarationsAreInOrder(t *testing.T) {
	d := mustRun(t, `for name in ["c", "a", "b"]:
    vpc(name, region = "us-east-1", cidr = "10.0.0.0/16")
`)
	var names []string
	for _, v := range d.VPCs {
		names = append(names, v.Name)
	}
	if !slices.Equal(names, []string{"c", "a", "b"}) {
		t.Errorf("VPCs in order %v, want c a b (declaration order)", names)
	}
	if d.Len() != 3 {
		t.Errorf("Len = %d, want 3", d.Len())
	}
}

func TestAttributes(t *testing.T) {
	const decls = `payments = vpc("payments", region = "us-east-1", cidr = "10.10.0.0/16")
hub = transit_gateway("hub", region = "us-east-1", asn = 64520)
web = vpc("web", region = "us-east-1", cidr = "10.1.0.0/16", ipv6_cidr = "2600:1f18::/56")
att = attach(web, hub)
dxgw = dx_gateway("core")
g = gcp_vpc("analytics", project = "acme", region = "us-east4", cidr = "10.20.0.0/16")
ic = interconnect("ic", provider = "gcp", aws_region = "us-east-1", peer_region = "us-east4", bandwidth = "10Gbps", attach_to = dxgw, peer = g)
hq = site("hq", cidr = "192.168.0.0/16", asn = 65001)
lm = last_mile("lm", partner = "lumen", region = "us-east-1", bandwidth = "1Gbps", site = hq, attach_to = dxgw)
wan = core_network("wan", asn_ranges = ["64600-64699"], edges = [edge("us-east-1")], segments = [segment("prod")])

def check(what, got, want):
    if got != want:
        fail("%s = %r, want %r" % (what, got, want))
`
	checks := []struct{ expr, want string }{
		{"payments.cidr", `"10.10.0.0/16"`},
		{"payments.cidrs", `("10.10.0.0/16",)`},
		{"payments.ipv6_cidr", `None`},
		{"payments.region", `"us-east-1"`},
		{"payments.mtu", `9001`},
		{"payments.name", `"payments"`},
		{"payments.id", `"vpc.payments"`},
		{"payments.kind", `"vpc"`},
		{"type(payments)", `"vpc"`},
		{"str(payments)", `'vpc("payments")'`},
		{"web.ipv6_cidr", `"2600:1f18::/56"`},
		{"hub.asn", `64520`},
		{"hub.default_association", `True`},
		{"att.a.name", `"web"`},
		{"att.b", `hub`},
		{"att.type", `"vpc-tgw"`},
		{"att.segment", `None`},
		{"att.name", `"web-hub"`},
		{"ic.bandwidth", `"10Gbps"`},
		{"ic.attach_to", `dxgw`},
		{"ic.peer.asn", `16550`},
		{"ic.peer_region", `"us-east4"`},
		{"lm.macsec", `True`},
		{"lm.bfd", `True`},
		{"lm.site.asn", `65001`},
		{"wan.edge_regions", `("us-east-1",)`},
		{"wan.segments", `("prod",)`},
		{"{payments: 1}[payments]", `1`},
		{`"cidr" in dir(payments)`, `True`},
	}
	var b strings.Builder
	b.WriteString(decls)
	for _, c := range checks {
		b.WriteString("check(" + strconvQuote(c.expr) + ", " + c.expr + ", " + c.want + ")\n")
	}
	if _, err := run(t, b.String()); err != nil {
		t.Fatalf("attribute checks failed: %v", err)
	}

	// The check mechanism itself reports a wrong value.
	d := failure(t, decls+`check("payments.cidr", payments.cidr, "10.99.0.0/16")`)
	if d.Rule != "fail" || !strings.Contains(d.Summary, `payments.cidr = "10.10.0.0/16", want "10.99.0.0/16"`) {
		t.Errorf("wrong value: rule %q summary %q", d.Rule, d.Summary)
	}
}

// strconvQuote quotes s as a Starlark string literal (s has no quotes or backslashes).
func strconvQuote(s string) string {
	if strings.ContainsAny(s, `"\`) {
		return "'" + s + "'"
	}
	return `"` + s + `"`
}

func TestResourcesAreImmutable(t *testing.T) {
	const v = `p = vpc("a", region = "us-east-1", cidr = "10.0.0.0/16")` + "\n"
	for _, tc := range []struct{ src, want string }{
		{v + `p.cidr = "10.1.0.0/16"`, "can't assign to .cidr field of vpc"},
		{v + `p.nope`, "vpc has no .nope field or method"},
	} {
		d := failure(t, tc.src)
		if d.Rule != "script" || !strings.Contains(d.Summary, tc.want) || d.Range.Start.Line != 2 {
			t.Errorf("%q: %+v, want rule script, %q on line 2", tc.src, d, tc.want)
		}
	}
}

func TestCatalogDefaults(t *testing.T) {
	d := mustRun(t, `v = vpc("v", region = "us-east-1", cidr = "10.0.0.0/16")
transit_gateway("t", region = "us-east-1")
gcp_vpc("g", project = "p", region = "us-east4", cidr = "10.1.0.0/16")
dx_gateway("d")
vpn_gateway(v)
site("s", cidr = "192.168.0.0/24", asn = 65001)
`)
	cat := stdlib.Default()
	for _, tc := range []struct {
		what string
		got  int64
		want int64
		key  string
	}{
		{"vpc mtu", int64(d.VPCs[0].MTU), 9001, "vpc.mtu"},
		{"transit_gateway asn", int64(d.TransitGateways[0].ASN), 64512, "transit_gateway.asn"},
		{"gcp_vpc asn", int64(d.GCPVPCs[0].ASN), 16550, "gcp.peer_asn"},
		{"gcp_vpc mtu", int64(d.GCPVPCs[0].MTU), 1460, "gcp_vpc.mtu"},
		{"dx_gateway asn", int64(d.DXGateways[0].ASN), 64512, "dx_gateway.asn"},
		{"vpn_gateway asn", int64(d.VPNGateways[0].ASN), 64512, "vpn_gateway.asn"},
		{"site mtu", int64(d.Sites[0].MTU), 1500, "site.mtu"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %d, want %d", tc.what, tc.got, tc.want)
		}
		if c := cat.Int(tc.key); c != tc.want {
			t.Errorf("catalog %s = %d, want %d", tc.key, c, tc.want)
		}
	}
	if tg := d.TransitGateways[0]; !tg.DefaultAssociation || !tg.DefaultPropagation {
		t.Errorf("transit_gateway default association/propagation = %v/%v, want true/true", tg.DefaultAssociation, tg.DefaultPropagation)
	}
	if lm := mustRun(t, `last_mile("lm", partner = "lumen", region = "us-east-1", bandwidth = "1Gbps", site = site("s", cidr = "192.168.0.0/24", asn = 65001), attach_to = dx_gateway("d"))`).LastMiles[0]; !lm.MACsec || !lm.BFD {
		t.Errorf("last_mile macsec %v bfd %v by default, want both on", lm.MACsec, lm.BFD)
	}
}

const (
	netV   = `v = vpc("v", region = "us-east-1", cidr = "10.0.0.0/16")` + "\n"
	netHub = `hub = transit_gateway("hub", region = "us-east-1")` + "\n"
	netIC  = `g = gcp_vpc("g", project = "p", region = "us-east4", cidr = "10.20.0.0/16")
d = dx_gateway("d")
`
	netWAN = `wan = core_network("wan", edges = [edge("us-east-1")], segments = [segment("prod"), segment("dev")])` + "\n"
)

func TestArgumentErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		src     string
		summary []string // substrings of the summary
		hint    string   // substring of the hint ("" means none expected)
		at      string   // the diagnostic starts here (first occurrence in src)
		width   int32    // >0: the range ends width runes later on the same line
	}{
		{"unknown keyword", `vpc("a", regoin = "us-east-1", cidr = "10.0.0.0/16")`,
			[]string{`vpc: regoin: unknown keyword argument "regoin"`}, `did you mean "region"`, "regoin", 6},
		{"unknown keyword far from any", `vpc("a", region = "us-east-1", cidr = "10.0.0.0/16", colour = "red")`,
			[]string{`unknown keyword argument "colour"`}, "valid keywords: name, region, cidr, ipv6_cidr, mtu", "colour", 6},
		{"mtu string", `vpc("a", region = "us-east-1", cidr = "10.0.0.0/16", mtu = "big")`,
			[]string{"vpc: mtu: want an integer, got string"}, "", `"big"`, 5},
		{"mtu out of range", `vpc("a", region = "us-east-1", cidr = "10.0.0.0/16", mtu = 100000)`,
			[]string{"mtu", "100000 is out of range (576-9216)"}, "", "100000", 6},
		{"cidr int", `vpc("a", region = "us-east-1", cidr = 5)`,
			[]string{"vpc: cidr: want a string or a list of strings, got int"}, "", "5)", 1},
		{"cidr /33", `vpc("a", region = "us-east-1", cidr = "10.0.0.0/33")`,
			[]string{"cidr", `"10.0.0.0/33"`}, "", `"10.0.0.0/33"`, 13},
		{"cidr element", `vpc("a", region = "us-east-1", cidr = ["10.0.0.0/16", 7])`,
			[]string{"cidr", "element 1: want a string, got int"}, "", `["10.0.0.0/16", 7]`, 18},
		{"ipv6 in cidr", `vpc("a", region = "us-east-1", cidr = "2001:db8::/32")`,
			[]string{`"2001:db8::/32" is an IPv6 prefix; IPv6 goes in ipv6_cidr`}, "", `"2001:db8::/32"`, 15},
		{"ipv4 in ipv6_cidr", `vpc("a", region = "us-east-1", cidr = "10.0.0.0/16", ipv6_cidr = "10.1.0.0/16")`,
			[]string{"ipv6_cidr", "is an IPv4 prefix"}, "", `"10.1.0.0/16"`, 13},
		{"no cidr", `vpc("a", region = "us-east-1", cidr = [])`,
			[]string{"want at least one IPv4 CIDR block"}, "", "[]", 2},
		{"unknown region", `vpc("a", region = "us-east-7", cidr = "10.0.0.0/16")`,
			[]string{`vpc: region: unknown AWS region "us-east-7"`}, `did you mean "us-east-1"`, `"us-east-7"`, 11},
		{"unknown region positional", `vpc("a", "mars-1", "10.0.0.0/16")`,
			[]string{`unknown AWS region "mars-1"`}, "known regions: us-east-1, us-east-2", `"mars-1"`, 8},
		{"unknown gcp region", netIC + `gcp_vpc("h", project = "p", region = "us-east-4", cidr = "10.0.0.0/16")`,
			[]string{`unknown Google Cloud region "us-east-4"`}, `did you mean "us-east4"`, `"us-east-4"`, 11},
		{"missing required", `vpc("a", region = "us-east-1")`,
			[]string{"vpc: cidr: missing required argument (cidr or list of cidr)"}, "", "vpc(", 0},
		{"too many positional", `dx_gateway("a", 64512, 3)`,
			[]string{"dx_gateway: takes at most 2 positional arguments, got 3"}, "", "3)", 1},
		{"keyword repeats positional", `dx_gateway("a", name = "b")`,
			[]string{"dx_gateway: name: got multiple values"}, "", `"b"`, 3},
		{"bad name", `vpc("a b", region = "us-east-1", cidr = "10.0.0.0/16")`,
			[]string{`"a b": use letters, digits, '-' and '_' only`}, "", `"a b"`, 5},
		{"empty name", `dx_gateway("")`, []string{"dx_gateway: name: must not be empty"}, "", `""`, 2},
		{"asn zero", `dx_gateway("d", asn = 0)`, []string{"asn", "0 is out of range"}, "", "0)", 1},
		{"bool wanted", netHub + `transit_gateway("t", region = "us-east-1", default_association = "yes")`,
			[]string{"default_association: want True or False, got string"}, "", `"yes"`, 5},
		{"bandwidth fast", netIC + `interconnect("ic", provider = "gcp", aws_region = "us-east-1", peer_region = "us-east4", bandwidth = "fast", attach_to = d, peer = g)`,
			[]string{"interconnect: bandwidth:", `"fast"`}, "", `"fast"`, 6},
		{"unknown provider", netIC + `interconnect("ic", provider = "aws2", aws_region = "us-east-1", peer_region = "us-east4", bandwidth = "1Gbps", attach_to = d, peer = g)`,
			[]string{`unknown provider "aws2"`}, "known providers: gcp, azure, oci", `"aws2"`, 6},
		{"interconnect attach_to vpc", netV + netIC + `interconnect("ic", provider = "gcp", aws_region = "us-east-1", peer_region = "us-east4", bandwidth = "1Gbps", attach_to = v, peer = g)`,
			[]string{`attach_to: want a dx_gateway, a transit_gateway or a core_network, got vpc "v"`}, "", "v, peer", 1},
		{"unknown partner", netIC + `last_mile("lm", partner = "lumin", region = "us-east-1", bandwidth = "1Gbps", site = site("s", cidr = "192.168.0.0/24", asn = 65001), attach_to = d)`,
			[]string{`unknown partner "lumin"`}, `did you mean "lumen"`, `"lumin"`, 7},
		{"last_mile bfd not a bool", netIC + `last_mile("lm", partner = "lumen", region = "us-east-1", bandwidth = "1Gbps", site = site("s", cidr = "192.168.0.0/24", asn = 65001), attach_to = d, bfd = "off")`,
			[]string{"last_mile: bfd: want True or False, got string"}, "", `"off"`, 5},
		{"attach vpc to vpc", netV + `w = vpc("w", region = "us-east-1", cidr = "10.1.0.0/16")
attach(v, w)`,
			[]string{"cannot attach a vpc to a vpc", "a vpc attaches to a core_network, a transit_gateway or a vpn_gateway"}, "", "w)", 1},
		{"attach vpc to itself", netV + `attach(v, v)`,
			[]string{"a vpc attaches to a core_network, a transit_gateway or a vpn_gateway"}, "", "v)", 1},
		{"attach tgw to itself", netHub + `attach(hub, hub)`,
			[]string{`cannot attach transit_gateway "hub" to itself`}, "", "hub)", 3},
		{"attach string", netV + `attach("x", v)`,
			[]string{"attach: a: want a resource, got string"}, "", `"x"`, 3},
		{"allowed_prefixes without dx", netV + netHub + `attach(v, hub, allowed_prefixes = ["10.0.0.0/8"])`,
			[]string{"allowed_prefixes: only applies to Direct Connect gateway associations"}, "", `["10.0.0.0/8"]`, 14},
		{"route target and blackhole", netHub + `route("10.0.0.0/8", target = hub, blackhole = True)`,
			[]string{"route: target: give either a target or blackhole = True"}, "", "hub,", 3},
		{"route table with wrong target", netV + `route_table("rt", vpc = v, routes = [route("0.0.0.0/0", target = v)])`,
			[]string{`routes: element 0: a route here targets a transit_gateway, a vpn_gateway or a core_network, got vpc "v"`}, "", "[route(", 0},
		{"monitor interval", netV + `w = vpc("w", region = "us-east-1", cidr = "10.1.0.0/16")
monitor("m", source = v, destination = w, interval = "45s")`,
			[]string{`interval: want "30s" or "60s"`}, "", `"45s"`, 5},
		{"monitor to itself", netV + `monitor("m", source = v, destination = v)`,
			[]string{"source and destination are the same network"}, "", "v)", 1},
		{"edges empty", `core_network("c", edges = [], segments = [segment("prod")])`,
			[]string{"edges: want at least one edge()"}, "", "[]", 2},
		{"edges twice in a region", `core_network("c", edges = [edge("us-east-1"), edge("us-east-1")], segments = [segment("prod")])`,
			[]string{"two edges in region us-east-1"}, "", "[edge(", 0},
		{"segment twice", `core_network("c", edges = [edge("us-east-1")], segments = [segment("prod"), segment("prod")])`,
			[]string{`segment "prod" is declared twice`}, "", "[segment(", 0},
		{"action on unknown segment", `core_network("c", edges = [edge("us-east-1")], segments = [segment("prod")], actions = [share("prd", share_with = "*")])`,
			[]string{`actions: element 0: unknown segment "prd" (did you mean "prod"?)`}, "", "[share(", 0},
		{"bad asn range", `core_network("c", asn_ranges = ["65000-64000"], edges = [edge("us-east-1")], segments = [segment("prod")])`,
			[]string{`invalid ASN range "65000-64000"`}, "", `["65000-64000"]`, 15},
		{"send_via mode", `send_via("a", when_sent_to = ["b"], via = "x", mode = "triple-hop")`,
			[]string{`mode: want "single-hop" or "dual-hop", got "triple-hop"`}, "", `"triple-hop"`, 12},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := failure(t, tc.src)
			if d.Rule != "argument" {
				t.Errorf("rule %q, want argument (summary %q)", d.Rule, d.Summary)
			}
			if d.Severity != lang.SevError {
				t.Errorf("severity %v, want error", d.Severity)
			}
			for _, s := range tc.summary {
				if !strings.Contains(d.Summary, s) {
					t.Errorf("summary %q lacks %q", d.Summary, s)
				}
			}
			if !strings.Contains(d.Hint, tc.hint) {
				t.Errorf("hint %q lacks %q", d.Hint, tc.hint)
			}
			want := at(t, tc.src, tc.at)
			if d.Range.File != "main.star" || d.Range.Start != want {
				t.Errorf("range %+v, want main.star at %+v (%q)", d.Range, want, tc.at)
			}
			if tc.width > 0 {
				if end := (lang.Pos{Line: want.Line, Col: want.Col + tc.width}); d.Range.End != end {
					t.Errorf("range ends at %+v, want %+v", d.Range.End, end)
				}
			}
			if len(d.Stack) != 1 || d.Stack[0].Func != "<toplevel>" {
				t.Errorf("stack %+v, want one <toplevel> frame", d.Stack)
			}
		})
	}
}

// A required resource argument given as None must be an argument error like
// any other wrong type, not a crash of the whole process.
func TestNoneForRequiredResource(t *testing.T) {
	for _, tc := range []struct{ src, param string }{
		{netIC + `interconnect("ic", provider = "gcp", aws_region = "us-east-1", peer_region = "us-east4", bandwidth = "1Gbps", attach_to = None, peer = g)`, "attach_to"},
		{netIC + `interconnect("ic", provider = "gcp", aws_region = "us-east-1", peer_region = "us-east4", bandwidth = "1Gbps", attach_to = d, peer = None)`, "peer"},
		{`vpn_gateway(None)`, "vpc"},
		{`route_table("rt", vpc = None)`, "vpc"},
		{`tgw_route_table("rt", transit_gateway = None)`, "transit_gateway"},
		{netV + `monitor("m", source = None, destination = v)`, "source"},
		{netIC + `last_mile("lm", partner = "lumen", region = "us-east-1", bandwidth = "1Gbps", site = None, attach_to = d)`, "site"},
		{`create_route(None, segment = "prod", destinations = "10.0.0.0/8", blackhole = True)`, "core_network"},
		{netV + `attach(None, v)`, "a"},
	} {
		t.Run(tc.param, func(t *testing.T) {
			d := failure(t, tc.src)
			if d.Rule != "argument" || !strings.Contains(d.Summary, tc.param) {
				t.Errorf("%s: %+v, want an argument error about %s", tc.src, d, tc.param)
			}
		})
	}
}

func TestDuplicateNames(t *testing.T) {
	src := `first = vpc("a", region = "us-east-1", cidr = "10.0.0.0/16")
vpc("a", region = "us-east-1", cidr = "10.1.0.0/16")`
	d := failure(t, src)
	if d.Rule != "duplicate" || d.Summary != `vpc "a" is declared twice` {
		t.Errorf("rule %q summary %q", d.Rule, d.Summary)
	}
	if d.Range.Start != (lang.Pos{Line: 2, Col: 1}) || d.Range.File != "main.star" {
		t.Errorf("range %+v, want main.star:2:1", d.Range)
	}
	if len(d.Related) != 1 || d.Related[0].Range.Start != (lang.Pos{Line: 1, Col: 9}) || d.Related[0].Message != "first declared here" {
		t.Errorf("related %+v, want the first declaration at 1:9", d.Related)
	}
	if !strings.Contains(d.Hint, "unique name") {
		t.Errorf("hint %q", d.Hint)
	}

	// Different kinds may share a name.
	if _, err := run(t, `vpc("a", region = "us-east-1", cidr = "10.0.0.0/16")
dx_gateway("a")`); err != nil {
		t.Errorf("a vpc and a dx_gateway named alike: %v", err)
	}

	// Two attachments between the same resources need names.
	src = netV + netHub + "attach(v, hub)\nattach(v, hub)"
	d = failure(t, src)
	if d.Rule != "duplicate" || d.Summary != `attachment "v-hub" is declared twice` || !strings.Contains(d.Hint, "name = ") {
		t.Errorf("duplicate attachment: %+v", d)
	}
	if d.Range.Start.Line != 4 || len(d.Related) != 1 || d.Related[0].Range.Start.Line != 3 {
		t.Errorf("duplicate attachment at %+v related %+v, want line 4 and line 3", d.Range, d.Related)
	}
}

func TestSegments(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		summary   string // "" means the script must succeed
		at        string
	}{
		{"attach requires segment", netV + netWAN + `attach(v, wan)`,
			`attach: segment: required when attaching to core_network "wan" (segments: prod, dev)`, "attach("},
		{"attach unknown segment", netV + netWAN + `attach(v, wan, segment = "prd")`,
			`core_network "wan" has no segment "prd" (did you mean "prod"?)`, `"prd"`},
		{"segment outside cloud wan", netV + netHub + `attach(v, hub, segment = "prod")`,
			"segment: only applies when attaching to a core_network", `"prod"`},
		{"interconnect requires segment", netIC + netWAN + `interconnect("ic", provider = "gcp", aws_region = "us-east-1", peer_region = "us-east4", bandwidth = "1Gbps", attach_to = wan, peer = g)`,
			`interconnect: segment: required when attaching to core_network "wan"`, "interconnect("},
		{"interconnect unknown segment", netIC + netWAN + `interconnect("ic", provider = "gcp", aws_region = "us-east-1", peer_region = "us-east4", bandwidth = "1Gbps", attach_to = wan, peer = g, segment = "qa")`,
			`core_network "wan" has no segment "qa"`, `"qa"`},
		{"create_route unknown segment", netWAN + `create_route(wan, segment = "test", destinations = "10.0.0.0/8", blackhole = True)`,
			`core_network "wan" has no segment "test"`, `"test"`},
		{"attach with segment", netV + netWAN + `attach(v, wan, segment = "dev")`, "", ""},
		{"attach core network first", netV + netWAN + `attach(wan, v, segment = "prod")`, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.summary == "" {
				d := mustRun(t, tc.src)
				a := d.Attachments[0]
				if a.Kind != lang.AttachVPCCloudWAN || a.A != ref(lang.KindVPC, "v") || a.B != ref(lang.KindCoreNetwork, "wan") || a.Segment == "" {
					t.Errorf("attachment = %+v", a)
				}
				return
			}
			d := failure(t, tc.src)
			if d.Rule != "argument" || !strings.Contains(d.Summary, tc.summary) {
				t.Errorf("rule %q summary %q, want argument %q", d.Rule, d.Summary, tc.summary)
			}
			if want := at(t, tc.src, tc.at); d.Range.Start != want {
				t.Errorf("range %+v, want start %+v", d.Range, want)
			}
		})
	}
	d := mustRun(t, netV+netWAN+`x = attach(v, wan, segment = "dev")
if x.segment != "dev":
    fail("segment attribute %r" % x.segment)`)
	if d.Attachments[0].Segment != "dev" {
		t.Errorf("segment %q, want dev", d.Attachments[0].Segment)
	}
}

func TestCreateRoute(t *testing.T) {
	src := netV + `wan = core_network("wan", edges = [edge("us-east-1")], segments = [segment("prod"), segment("dev")], actions = [share("prod", share_with = ["dev"])])
att = attach(v, wan, segment = "prod")
create_route(wan, segment = "dev", destinations = ["0.0.0.0/0", "::/0"], blackhole = True)
create_route(wan, segment = "prod", destinations = "10.99.0.0/16", attachment = att)
`
	d := mustRun(t, src)
	acts := d.CoreNetworks[0].Actions
	if len(acts) != 3 {
		t.Fatalf("actions = %+v, want share and two create-route", acts)
	}
	if acts[0].Action != lang.ActionShare {
		t.Errorf("action 0 = %+v, want the share declared first", acts[0])
	}
	a := acts[1]
	if a.Action != lang.ActionCreateRoute || a.Segment != "dev" || !a.Blackhole || !a.Target.IsZero() ||
		!slices.Equal(a.Destinations, prefixes("0.0.0.0/0", "::/0")) {
		t.Errorf("blackhole route = %+v", a)
	}
	if want := at(t, src, `create_route(wan, segment = "dev"`); a.Range.Start != want {
		t.Errorf("create_route at %+v, want %+v", a.Range.Start, want)
	}
	b := acts[2]
	if b.Action != lang.ActionCreateRoute || b.Segment != "prod" || b.Blackhole || b.Target != ref(lang.KindAttachment, "v-wan") ||
		!slices.Equal(b.Destinations, prefixes("10.99.0.0/16")) {
		t.Errorf("attachment route = %+v", b)
	}

	for _, bad := range []string{
		netWAN + `create_route(wan, segment = "dev", destinations = "0.0.0.0/0")`,
		netV + netWAN + `att = attach(v, wan, segment = "prod")
create_route(wan, segment = "dev", destinations = "0.0.0.0/0", attachment = att, blackhole = True)`,
	} {
		d := failure(t, bad)
		if d.Rule != "argument" || !strings.Contains(d.Summary, "give either an attachment or blackhole = True") {
			t.Errorf("%s:\n%+v", bad, d)
		}
	}
}

func TestEdgeASNs(t *testing.T) {
	for _, tc := range []struct {
		name   string
		ranges string // Starlark list, or "" for the default
		edges  string
		want   []uint32
		err    string
	}{
		{"pool order", `["64600-64699"]`, `edge("us-east-1"), edge("eu-west-2")`, []uint32{64600, 64601}, ""},
		{"default pool", "", `edge("us-east-1"), edge("eu-west-2"), edge("us-west-2")`, []uint32{64512, 64513, 64514}, ""},
		{"explicit asn is skipped", `["64600-64699"]`, `edge("us-east-1"), edge("eu-west-2", asn = 64600)`, []uint32{64601, 64600}, ""},
		{"next range", `["64600-64600", "64700-64799"]`, `edge("us-east-1"), edge("eu-west-2"), edge("us-west-2")`, []uint32{64600, 64700, 64701}, ""},
		{"single number", `["65000"]`, `edge("us-east-1")`, []uint32{65000}, ""},
		{"four-byte pool", `["4200000000-4200000009"]`, `edge("us-east-1"), edge("eu-west-2")`, []uint32{4200000000, 4200000001}, ""},
		{"exhausted", `["64600-64600"]`, `edge("us-east-1"), edge("eu-west-2")`, nil, "no free ASN left for the edge in eu-west-2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ranges := ""
			if tc.ranges != "" {
				ranges = "asn_ranges = " + tc.ranges + ", "
			}
			src := `core_network("c", ` + ranges + `edges = [` + tc.edges + `], segments = [segment("prod")])`
			if tc.err != "" {
				d := failure(t, src)
				if d.Rule != "argument" || !strings.Contains(d.Summary, tc.err) {
					t.Errorf("got %+v, want %q", d, tc.err)
				}
				return
			}
			d := mustRun(t, src)
			var got []uint32
			for _, e := range d.CoreNetworks[0].Edges {
				got = append(got, e.ASN)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("edge ASNs %v, want %v", got, tc.want)
			}
		})
	}
}

func TestLoadRelativeModules(t *testing.T) {
	files := map[string]string{
		"main.star": `load("lib/net.star", "mk")
load("shared.star", "S")
mk("web")
`,
		"lib/net.star": `load("common.star", "REGION")
load("../top.star", "BASE")
def mk(name):
    return vpc(name, region = REGION, cidr = BASE)
`,
		"lib/common.star": `REGION = "eu-west-2"`,
		"top.star":        `BASE = "10.0.0.0/16"`,
		// shared.star and lib/net.star both load common2: it runs once.
		"shared.star":  `load("common2.star", "C")` + "\nS = C\n",
		"common2.star": `C = dx_gateway("once")`,
	}
	files["lib/net.star"] = `load("../common2.star", "C")` + "\n" + files["lib/net.star"]
	d, err := runFiles(t, files, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.VPCs) != 1 || d.VPCs[0].Region != "eu-west-2" || !slices.Equal(d.VPCs[0].CIDRs, prefixes("10.0.0.0/16")) {
		t.Fatalf("VPCs = %+v", d.VPCs)
	}
	// Declared by a function of lib/net.star called from main.star: the range
	// is the vpc() call inside the function.
	if r := d.VPCs[0].Range; r.File != "lib/net.star" || r.Start != (lang.Pos{Line: 5, Col: 12}) {
		t.Errorf("vpc range %+v, want lib/net.star:5:12", r)
	}
	if len(d.DXGateways) != 1 || d.DXGateways[0].Range.File != "common2.star" {
		t.Errorf("dx gateways %+v: a module loaded twice must run once", d.DXGateways)
	}
	var files2 []string
	for f := range d.Files {
		files2 = append(files2, f)
	}
	slices.Sort(files2)
	if want := []string{"common2.star", "lib/common.star", "lib/net.star", "main.star", "shared.star", "top.star"}; !slices.Equal(files2, want) {
		t.Errorf("design files %v, want %v", files2, want)
	}
}

func TestLoadDisplayPrefix(t *testing.T) {
	fsys := fstest.MapFS{
		"main.star": {Data: []byte(`load("lib.star", "x")` + "\n" + `vpc("v", region = "us-east-1", cidr = "10.0.0.0/16")`)},
		"lib.star":  {Data: []byte(`x = 1`)},
	}
	d, err := LoadFS(context.Background(), fsys, "proj", "main.star", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := d.VPCs[0].Range.File; got != "proj/main.star" {
		t.Errorf("file %q, want proj/main.star", got)
	}
	if _, ok := d.Files["proj/lib.star"]; !ok {
		t.Errorf("files %v lack proj/lib.star", d.Files)
	}
}

func TestStdlibIPAM(t *testing.T) {
	d := mustRun(t, `load("@stdlib//ipam.star", "ipam")

def check(what, got, want):
    if got != want:
        fail("%s = %r, want %r" % (what, got, want))

check("subnet", ipam.subnet("10.0.0.0/8", 16, 2), "10.2.0.0/16")
check("subnet 0", ipam.subnet("10.0.0.0/8", 16, 0), "10.0.0.0/16")
p = ipam.plan("10.0.0.0/16", {"small": 24, "big": 20, "mid": 22})
check("plan", p, {"small": "10.0.20.0/24", "big": "10.0.0.0/20", "mid": "10.0.16.0/22"})
check("plan order", list(p.keys()), ["small", "big", "mid"])
check("plan ties by name", ipam.plan("10.0.0.0/16", {"b": 24, "a": 24}), {"b": "10.0.1.0/24", "a": "10.0.0.0/24"})
check("split", ipam.split("10.0.0.0/16", 4), ["10.0.0.0/18", "10.0.64.0/18", "10.0.128.0/18", "10.0.192.0/18"])
vpc("v", region = "us-east-1", cidr = ipam.subnet("10.0.0.0/8", 16, 7))
`)
	if got := d.VPCs[0].CIDRs[0]; got != netip.MustParsePrefix("10.7.0.0/16") {
		t.Errorf("vpc cidr %v, want 10.7.0.0/16", got)
	}
	if _, ok := d.Files["@stdlib//ipam.star"]; !ok {
		t.Errorf("files %v lack @stdlib//ipam.star", d.Files)
	}

	// The stdlib's own failures reach the script's author.
	dg := failure(t, `load("@stdlib//ipam.star", "ipam")
ipam.subnet("10.0.0.0/16", 8, 0)`)
	if dg.Rule != "fail" || !strings.Contains(dg.Summary, "ipam.subnet: prefix length 8 is shorter than the base 10.0.0.0/16") {
		t.Errorf("ipam.subnet error: %+v", dg)
	}
	if n := len(dg.Stack); n != 2 || dg.Stack[1].Range.File != "@stdlib//ipam.star" {
		t.Errorf("stack %+v, want <toplevel> then the stdlib function", dg.Stack)
	}
}

func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		files   map[string]string
		summary []string
		file    string // where the diagnostic is placed
		line    int32
	}{
		{"cycle through main", map[string]string{
			"main.star": `load("a.star", "a")`,
			"a.star":    `load("main.star", "m")` + "\na = 1",
		}, []string{"load cycle: main.star → a.star → main.star"}, "a.star", 1},
		{"cycle in a subdirectory", map[string]string{
			"main.star": `x = 1` + "\n" + `load("a.star", "a")`,
			"a.star":    `load("b/c.star", "c")` + "\na = 1",
			"b/c.star":  `load("../a.star", "a")` + "\nc = 1",
		}, []string{`cannot load "../a.star"`, "load cycle: a.star → b/c.star → a.star"}, "b/c.star", 1},
		{"parent of root", map[string]string{"main.star": `load("../x.star", "x")`},
			[]string{`cannot load "../x.star"`, "leads outside the project root"}, "main.star", 1},
		{"parent of root from a subdirectory", map[string]string{
			"main.star": `load("lib/a.star", "a")`,
			"lib/a.star": `load("../../x.star", "x")
a = 1`,
		}, []string{"leads outside the project root"}, "lib/a.star", 1},
		{"absolute", map[string]string{"main.star": "\n" + `load("/abs.star", "x")`},
			[]string{`cannot load "/abs.star"`, "refused: absolute path"}, "main.star", 2},
		{"missing", map[string]string{"main.star": `load("missing.star", "x")`},
			[]string{`cannot load "missing.star": no such file`}, "main.star", 1},
		{"backslash", map[string]string{"main.star": `load("lib\\x.star", "x")`},
			[]string{"use / to separate directories"}, "main.star", 1},
		{"not star", map[string]string{"main.star": `load("x.txt", "x")`, "x.txt": "x = 1"},
			[]string{"only .star files can be read here"}, "main.star", 1},
		{"unknown stdlib", map[string]string{"main.star": `load("@stdlib//nope.star", "x")`},
			[]string{`no stdlib module "@stdlib//nope.star"`, "@stdlib//ipam.star"}, "main.star", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := runFiles(t, tc.files, Options{})
			ds := diagnostics(t, err)
			d := ds[0]
			if d.Rule != "load" {
				t.Errorf("rule %q, want load", d.Rule)
			}
			for _, s := range tc.summary {
				if !strings.Contains(d.Summary, s) {
					t.Errorf("summary %q lacks %q", d.Summary, s)
				}
			}
			if d.Range.File != tc.file || d.Range.Start.Line != tc.line {
				t.Errorf("placed at %v, want %s:%d", d.Range, tc.file, tc.line)
			}
		})
	}

	// A syntax error in a loaded file is placed in that file.
	_, err := runFiles(t, map[string]string{"main.star": `load("bad.star", "x")`, "bad.star": "x = (\n"}, Options{})
	d := diagnostics(t, err)[0]
	if d.Rule != "syntax" || d.Range.File != "bad.star" {
		t.Errorf("syntax error in a loaded file: %+v", d)
	}
	// A missing symbol is reported at the load statement.
	_, err = runFiles(t, map[string]string{"main.star": "x = 1\n" + `load("ok.star", "nope")`, "ok.star": "x = 1"}, Options{})
	d = diagnostics(t, err)[0]
	if !strings.Contains(d.Summary, "nope not found in module ok.star") || d.Range.File != "main.star" || d.Range.Start.Line != 2 {
		t.Errorf("missing symbol: %+v", d)
	}
}

// An error raised while a loaded module runs is placed where it happened,
// in the loaded file, as load.go's loader.load intends ("already placed
// where it happened").
func TestErrorInLoadedModuleIsPlacedThere(t *testing.T) {
	for _, tc := range []struct {
		name, lib, rule string
		line, col       int32
	}{
		{"argument", "y = 1\nvpc(\"a\", region = \"mars-1\", cidr = \"10.0.0.0/16\")", "argument", 2, 19},
		{"fail", "def f():\n    fail(\"in lib\")\ny = f()", "fail", 2, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := runFiles(t, map[string]string{"main.star": `load("lib.star", "y")`, "lib.star": tc.lib}, Options{})
			d := diagnostics(t, err)[0]
			if d.Rule != tc.rule || d.Range.File != "lib.star" || d.Range.Start != (lang.Pos{Line: tc.line, Col: tc.col}) {
				t.Errorf("got rule %q at %v, want %s at lib.star:%d:%d", d.Rule, d.Range, tc.rule, tc.line, tc.col)
			}
			if n := len(d.Stack); n < 2 || d.Stack[n-1].Range.File != "lib.star" {
				t.Errorf("stack %+v, want it to end in lib.star", d.Stack)
			}
		})
	}
}

func TestPrint(t *testing.T) {
	var out bytes.Buffer
	_, err := runFiles(t, map[string]string{"main.star": `print("hello", 42)
v = vpc("v", region = "us-east-1", cidr = "10.0.0.0/16")
print(v.cidr)`}, Options{Print: &out})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), "hello 42\n10.0.0.0/16\n"; got != want {
		t.Errorf("print output %q, want %q", got, want)
	}
}

func TestStepBudget(t *testing.T) {
	// Starlark has no ** operator: the endless loop counts to a billion.
	src := `def spin():
    for i in range(1000000000):
        pass
spin()
`
	start := time.Now()
	_, err := runFiles(t, map[string]string{"main.star": src}, Options{MaxSteps: 100000})
	d := diagnostics(t, err)[0]
	if d.Rule != "step-budget" || !strings.Contains(d.Summary, "100000 steps") {
		t.Errorf("got %+v, want rule step-budget naming 100000 steps", d)
	}
	if d.Range.Start.Line != 2 || len(d.Stack) != 2 || d.Stack[1].Func != "spin" {
		t.Errorf("range %v stack %+v, want the loop in spin", d.Range, d.Stack)
	}
	if el := time.Since(start); el > 10*time.Second {
		t.Errorf("stopping took %v", el)
	}
	// The same script within budget: a short loop is fine.
	if _, err := runFiles(t, map[string]string{"main.star": "def f():\n    for i in range(100):\n        pass\nf()"}, Options{MaxSteps: 100000}); err != nil {
		t.Errorf("short loop: %v", err)
	}
}

func TestCancellation(t *testing.T) {
	fsys := fstest.MapFS{"main.star": {Data: []byte(`vpc("v", region = "us-east-1", cidr = "10.0.0.0/16")`)}}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	d, err := LoadFS(ctx, fsys, "", "main.star", Options{})
	if d != nil {
		t.Error("a cancelled load returned a design")
	}
	ds := diagnostics(t, err)
	if ds[0].Rule != "cancelled" || !strings.Contains(ds[0].Summary, "cancel") {
		t.Errorf("got %+v, want rule cancelled", ds)
	}

	// Cancelling a running script stops it.
	fsys = fstest.MapFS{"main.star": {Data: []byte("def spin():\n    for i in range(1000000000):\n        pass\nspin()")}}
	ctx, cancel = context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = LoadFS(ctx, fsys, "", "main.star", Options{MaxSteps: 1 << 62})
	ds = diagnostics(t, err)
	if ds[0].Rule != "cancelled" {
		t.Errorf("got %+v, want rule cancelled", ds)
	}
	if el := time.Since(start); el > 10*time.Second {
		t.Errorf("stopping took %v", el)
	}
}

func TestRecursionIsRejected(t *testing.T) {
	d := failure(t, `def f(n):
    return f(n - 1) if n > 0 else 0
f(3)`)
	if d.Rule != "script" || !strings.Contains(d.Summary, "called recursively") {
		t.Errorf("got %+v, want a recursion error", d)
	}
	if d.Range.File != "main.star" || d.Range.Start.Line != 2 {
		t.Errorf("range %v, want line 2", d.Range)
	}
	// The stack shows the recursive call.
	if len(d.Stack) < 2 || d.Stack[0].Range.Start != (lang.Pos{Line: 3, Col: 1}) ||
		d.Stack[1].Func != "f" || d.Stack[1].Range.Start != (lang.Pos{Line: 2, Col: 12}) {
		t.Errorf("stack %+v, want <toplevel> at 3:1 then f at 2:12", d.Stack)
	}
}

func TestWhileIsSyntaxError(t *testing.T) {
	_, err := run(t, "def f():\n    while True:\n        pass\nf()")
	ds := diagnostics(t, err)
	if ds[0].Rule != "syntax" || !strings.Contains(ds[0].Summary, "while") || ds[0].Range.Start != (lang.Pos{Line: 2, Col: 5}) {
		t.Errorf("got %+v, want a syntax error about while at 2:5", ds[0])
	}
}

func TestSyntaxErrorCarriesSource(t *testing.T) {
	src := "vpc(\"a\",\n  region = )"
	_, err := run(t, src)
	var se *lang.SourceError
	if !errors.As(err, &se) {
		t.Fatalf("error %T, want *lang.SourceError", err)
	}
	if string(se.Files["main.star"]) != src {
		t.Errorf("source error files %v, want main.star's text", se.Files)
	}
	d := se.Diagnostics[0]
	if d.Rule != "syntax" || d.Range.File != "main.star" || d.Range.Start.Line != 2 {
		t.Errorf("got %+v", d)
	}
	var b strings.Builder
	if err := lang.WriteDiagnostics(&b, se.Diagnostics, se.Files); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "2 |   region = )") {
		t.Errorf("printed diagnostics lack the source line:\n%s", b.String())
	}
}

func TestDoc(t *testing.T) {
	docs := Builtins()
	var names []string
	for _, d := range docs {
		names = append(names, d.Name)
		if d.Summary == "" || d.Returns == "" {
			t.Errorf("%s: summary %q returns %q", d.Name, d.Summary, d.Returns)
		}
		optional := false
		for _, p := range d.Params {
			if p.Type == "" {
				t.Errorf("%s: parameter %s has no type", d.Name, p.Name)
			}
			variadic := strings.HasSuffix(p.Type, "...")
			if !p.Required && !variadic && p.Default == "" {
				t.Errorf("%s: optional parameter %s shows no default", d.Name, p.Name)
			}
			if p.Required && p.Default != "" {
				t.Errorf("%s: required parameter %s has default %q", d.Name, p.Name, p.Default)
			}
			if p.Required && optional {
				t.Errorf("%s: required parameter %s follows an optional one", d.Name, p.Name)
			}
			optional = optional || !p.Required
		}
	}
	var declared []string
	l := newLoader(context.Background(), nil, Options{})
	guards := l.guards() // the universe's own, and the operators' guards
	for name := range l.predeclared() {
		if _, guard := guards[name]; name != "struct" && !guard {
			declared = append(declared, name)
		}
	}
	slices.Sort(declared)
	sorted := slices.Sorted(slices.Values(names))
	if !slices.Equal(sorted, declared) {
		t.Errorf("Builtins() lists %v, scripts see %v", sorted, declared)
	}
	if len(slices.Compact(sorted)) != len(names) {
		t.Errorf("Builtins() repeats a name: %v", names)
	}
	for _, want := range []string{"vpc", "route_table", "gcp_vpc", "site", "vpn_gateway", "dx_gateway", "transit_gateway",
		"tgw_route_table", "route", "core_network", "edge", "segment", "share", "send_to", "send_via", "create_route",
		"attach", "interconnect", "last_mile", "monitor", "cidrsubnet", "cidrsubnets", "cidrhost", "cidrnetmask",
		"cidrsplit", "cidr_contains", "cidr_overlaps"} {
		if !slices.Contains(names, want) {
			t.Errorf("Builtins() lacks %s", want)
		}
	}
	sigs := map[string]string{}
	for _, d := range docs {
		sigs[d.Name] = d.Signature()
	}
	for name, want := range map[string]string{
		"vpc":         "vpc(name, region, cidr, ipv6_cidr = None, mtu = 9001)",
		"dx_gateway":  "dx_gateway(name, asn = 64512)",
		"cidrsubnets": "cidrsubnets(prefix, *newbits)",
	} {
		if sigs[name] != want {
			t.Errorf("Signature of %s = %q, want %q", name, sigs[name], want)
		}
	}
}

func TestCIDRFunctions(t *testing.T) {
	mustRun(t, `def check(what, got, want):
    if got != want:
        fail("%s = %r, want %r" % (what, got, want))

check("cidrsubnet", cidrsubnet("10.0.0.0/8", 8, 3), "10.3.0.0/16")
check("cidrsubnets", cidrsubnets("10.0.0.0/16", 8, 4), ["10.0.0.0/24", "10.0.16.0/20"])
check("cidrhost", cidrhost("10.0.0.0/24", 5), "10.0.0.5")
check("cidrhost negative", cidrhost("10.0.0.0/24", -2), "10.0.0.254")
check("cidrnetmask", cidrnetmask("10.0.0.0/20"), "255.255.240.0")
check("cidrsplit", cidrsplit("10.0.0.0/24", 2), ["10.0.0.0/25", "10.0.0.128/25"])
check("cidr_contains prefix", cidr_contains("10.0.0.0/8", "10.1.0.0/16"), True)
check("cidr_contains address", cidr_contains("10.0.0.0/8", "11.0.0.1"), False)
check("cidr_overlaps", cidr_overlaps("10.0.0.0/8", "10.200.0.0/16"), True)
check("cidr_overlaps disjoint", cidr_overlaps("10.0.0.0/16", "10.1.0.0/16"), False)
`)
	d := failure(t, `cidrsubnet("10.0.0.0/8", 8, 256)`)
	if d.Rule != "argument" || !strings.Contains(d.Summary, "cidrsubnet") || !strings.Contains(d.Summary, "out of range") {
		t.Errorf("got %+v", d)
	}
	d = failure(t, `cidrsubnets("10.0.0.0/16", 8, "x")`)
	if d.Rule != "argument" || !strings.Contains(d.Summary, "argument 3: want an integer, got string") {
		t.Errorf("got %+v", d)
	}
}
