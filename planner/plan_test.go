package planner_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"patchbay/lang"
	"patchbay/planner"
	"patchbay/planner/plantest"
	"patchbay/stdlib"
)

var (
	linkLocal = netip.MustParsePrefix("169.254.0.0/16")
	metadata  = netip.MustParsePrefix("169.254.169.0/24")
)

// checkSubnet asserts a derived link subnet: a /30 of 169.254.0.0/16
// outside 169.254.169.0/24, not seen before, AWS on the first host and the
// other side on the second.
func checkSubnet(t *testing.T, what string, sub netip.Prefix, aws, other netip.Addr, seen map[netip.Prefix]string) {
	t.Helper()
	if sub.Bits() != 30 || sub.Masked() != sub {
		t.Errorf("%s: subnet %v, want a /30", what, sub)
	}
	if !linkLocal.Contains(sub.Addr()) {
		t.Errorf("%s: subnet %v outside 169.254.0.0/16", what, sub)
	}
	if metadata.Overlaps(sub) {
		t.Errorf("%s: subnet %v inside 169.254.169.0/24", what, sub)
	}
	if prev, dup := seen[sub]; dup {
		t.Errorf("%s: subnet %v already given to %s", what, sub, prev)
	}
	seen[sub] = what
	if want := sub.Addr().Next(); aws != want {
		t.Errorf("%s: AWS address %v, want the first host %v", what, aws, want)
	}
	if want := sub.Addr().Next().Next(); other != want {
		t.Errorf("%s: peer address %v, want the second host %v", what, other, want)
	}
}

func sessionsByName(p *planner.Plan) map[string]*planner.Session {
	m := map[string]*planner.Session{}
	for _, s := range p.Sessions {
		m[s.Name] = s
	}
	return m
}

// checkSession asserts the BGP and BFD timers of Direct Connect.
func checkSession(t *testing.T, s *planner.Session, local, peer planner.Side, families []string) {
	t.Helper()
	if s.Local != local || s.Peer != peer {
		t.Errorf("session %s: %+v ↔ %+v, want %+v ↔ %+v", s.Name, s.Local, s.Peer, local, peer)
	}
	if s.HoldTime != 90 || s.Keepalive != 30 || s.MultihopTTL != 1 {
		t.Errorf("session %s: hold %d keepalive %d ttl %d, want 90/30/1", s.Name, s.HoldTime, s.Keepalive, s.MultihopTTL)
	}
	if s.BFD == nil || *s.BFD != (planner.BFD{MinIntervalMS: 300, Multiplier: 3, DetectionMS: 900}) {
		t.Errorf("session %s: BFD %+v, want 300 ms × 3 = 900 ms", s.Name, s.BFD)
	}
	if !slices.Equal(s.AddressFamily, families) {
		t.Errorf("session %s: families %v, want %v", s.Name, s.AddressFamily, families)
	}
}

func TestMulticloudExample(t *testing.T) {
	p := plantest.File(t, "../examples/multicloud.star")
	if len(p.Interconnects) != 1 {
		t.Fatalf("%d interconnect plans, want 1", len(p.Interconnects))
	}
	ip := p.Interconnects[0]
	if ip.Interconnect != (lang.Ref{Kind: lang.KindInterconnect, Name: "aws-gcp-use1"}) || ip.Environment != "aws:us-east-1+gcp:us-east4" ||
		ip.Provider != "gcp" || ip.AWSRegion != "us-east-1" || ip.PeerRegion != "us-east4" || ip.Bandwidth != "10Gbps" {
		t.Errorf("interconnect plan = %+v", ip)
	}
	if ip.AWSASN != 64512 || ip.PeerASN != 16550 {
		t.Errorf("ASNs %d ↔ %d, want 64512 (DX gateway) ↔ 16550", ip.AWSASN, ip.PeerASN)
	}
	// The highest MTU both support: AWS 8500, Google 8896.
	cat := stdlib.Default()
	if want := min(cat.Int("interconnect.aws_max_mtu"), cat.Int("interconnect.gcp_max_mtu")); want != 8500 || ip.MTU != 8500 {
		t.Errorf("MTU %d, want 8500 = min(catalog %d)", ip.MTU, want)
	}
	if ip.IPv6 || ip.Monitor != "aws-gcp-use1/nsm" {
		t.Errorf("ipv6 %v monitor %q", ip.IPv6, ip.Monitor)
	}
	if want := []string{"us-east-1/fac-a", "us-east4/fac-a", "us-east-1/fac-b", "us-east4/fac-b"}; !slices.Equal(ip.Facilities, want) {
		t.Errorf("facilities %v, want %v", ip.Facilities, want)
	}
	if len(ip.Channels) != 4 {
		t.Fatalf("%d channels, want 4", len(ip.Channels))
	}
	facility := []string{"us-east-1/fac-a", "us-east-1/fac-a", "us-east-1/fac-b", "us-east-1/fac-b"}
	peerFacility := []string{"us-east4/fac-a", "us-east4/fac-a", "us-east4/fac-b", "us-east4/fac-b"}
	seen := map[netip.Prefix]string{}
	sessions := sessionsByName(p)
	devices := map[string]bool{}
	for i, c := range ip.Channels {
		name := fmt.Sprintf("aws-gcp-use1/ch%d", i+1)
		if c.Name != name || c.Index != i+1 {
			t.Errorf("channel %d named %q index %d", i, c.Name, c.Index)
		}
		if c.AWSFacility != facility[i] || c.PeerFacility != peerFacility[i] {
			t.Errorf("%s in %s / %s, want %s / %s", name, c.AWSFacility, c.PeerFacility, facility[i], peerFacility[i])
		}
		if !strings.HasPrefix(c.AWS.Device, c.AWSFacility+"/") || !strings.HasPrefix(c.Peer.Device, c.PeerFacility+"/") {
			t.Errorf("%s: devices %s / %s are not in their facilities", name, c.AWS.Device, c.Peer.Device)
		}
		if devices[c.AWS.Device] || devices[c.Peer.Device] {
			t.Errorf("%s: device %s or %s used by two channels", name, c.AWS.Device, c.Peer.Device)
		}
		devices[c.AWS.Device], devices[c.Peer.Device] = true, true
		checkSubnet(t, name, c.Subnet, c.AWS.Address, c.Peer.Address, seen)
		if c.VLAN < 1025 || c.VLAN > 4094 {
			t.Errorf("%s: VLAN %d, want 1025-4094 (≤1024 reserved)", name, c.VLAN)
		}
		if c.MTU != 8500 || c.MACsecManager != "aws" {
			t.Errorf("%s: MTU %d manager %q", name, c.MTU, c.MACsecManager)
		}
		if c.AWS.ASN != 64512 || c.Peer.ASN != 16550 {
			t.Errorf("%s: ASNs %d ↔ %d", name, c.AWS.ASN, c.Peer.ASN)
		}
		s := sessions[c.Session]
		if c.Session != name || s == nil {
			t.Fatalf("%s: session %q not among the plan's sessions", name, c.Session)
		}
		checkSession(t, s, c.AWS, c.Peer, []string{"ipv4-unicast"})
		if s.Over != name {
			t.Errorf("session %s over %q, want %q", s.Name, s.Over, name)
		}
	}
	if len(p.Sessions) != 4 {
		t.Errorf("%d sessions, want 4", len(p.Sessions))
	}
	if len(p.Findings) != 0 {
		t.Errorf("findings: %v", p.Findings)
	}
	if s := p.Summary; s.Vertices != 5 || s.Edges != 4 || s.Components != 1 || s.LargestComponent != 5 || len(s.Isolated) != 0 {
		t.Errorf("graph summary %+v, want 5 vertices, 4 edges, 1 component", s)
	}
}

func TestLastMileExample(t *testing.T) {
	p := plantest.File(t, "../examples/last_mile.star")
	if len(p.LastMiles) != 1 {
		t.Fatalf("%d last-mile plans, want 1", len(p.LastMiles))
	}
	lp := p.LastMiles[0]
	if lp.LastMile.Name != "hq" || lp.Partner != "lumen" || lp.Region != "us-east-1" || lp.Bandwidth != "10Gbps" {
		t.Errorf("last-mile plan = %+v", lp)
	}
	// The DX gateway is associated with a TGW: a transit VIF, jumbo MTU 8500.
	if lp.VIF != "transit" || lp.MTU != 8500 {
		t.Errorf("VIF %q MTU %d, want transit 8500", lp.VIF, lp.MTU)
	}
	if want := []string{"us-east-1/lumen-loc-a", "us-east-1/lumen-loc-b"}; !slices.Equal(lp.Locations, want) {
		t.Errorf("locations %v, want %v", lp.Locations, want)
	}
	if len(lp.Connections) != 4 {
		t.Fatalf("%d connections, want 4", len(lp.Connections))
	}
	perLocation := map[string]int{}
	seen := map[netip.Prefix]string{}
	sessions := sessionsByName(p)
	for i, c := range lp.Connections {
		name := fmt.Sprintf("hq/conn%d", i+1)
		if c.Name != name || c.Index != i+1 {
			t.Errorf("connection %d named %q index %d", i, c.Name, c.Index)
		}
		perLocation[c.Location]++
		if c.MACsec != "must_encrypt" || c.MTU != 8500 {
			t.Errorf("%s: MACsec %q MTU %d, want must_encrypt 8500", name, c.MACsec, c.MTU)
		}
		if c.Customer.ASN != 65001 || c.AWS.ASN != 64512 || c.Customer.Device != "nyc-hq/router" {
			t.Errorf("%s: AWS %+v customer %+v", name, c.AWS, c.Customer)
		}
		if c.VLAN < 1025 {
			t.Errorf("%s: VLAN %d", name, c.VLAN)
		}
		checkSubnet(t, name, c.Subnet, c.AWS.Address, c.Customer.Address, seen)
		s := sessions[c.Session]
		if s == nil {
			t.Fatalf("%s: session %q missing", name, c.Session)
		}
		checkSession(t, s, c.AWS, c.Customer, []string{"ipv4-unicast"})
	}
	if want := map[string]int{"us-east-1/lumen-loc-a": 2, "us-east-1/lumen-loc-b": 2}; fmt.Sprint(perLocation) != fmt.Sprint(want) {
		t.Errorf("connections per location %v, want %v", perLocation, want)
	}
	if len(p.Sessions) != 4 {
		t.Errorf("%d sessions, want 4", len(p.Sessions))
	}
	// hub keeps its default table: the two VPCs and the DX gateway association.
	if len(p.TGWTables) != 1 {
		t.Fatalf("TGW tables %+v, want hub/default", p.TGWTables)
	}
	if dt := p.TGWTables[0]; dt.Table != "hub/default" || !dt.Default || len(dt.Associations) != 3 || len(dt.Propagations) != 3 {
		t.Errorf("default table %+v", dt)
	}
}

func TestLastMileVIFWithoutTransit(t *testing.T) {
	p := plantest.Source(t, `hq = site("hq", cidr = "192.168.0.0/16", asn = 65001, ipv6_cidr = "2001:db8::/48")
d = dx_gateway("d")
v = vpc("v", region = "us-east-1", cidr = "10.0.0.0/16")
attach(d, vpn_gateway(v))
last_mile("hq", partner = "lumen", region = "us-east-1", bandwidth = "1Gbps", site = hq, attach_to = d, macsec = False)
`)
	lp := p.LastMiles[0]
	if lp.VIF != "private" || lp.MTU != 8500 {
		t.Errorf("VIF %q MTU %d, want private 8500 (DX gateway → VGW only)", lp.VIF, lp.MTU)
	}
	for _, c := range lp.Connections {
		if c.MACsec != "no_encrypt" {
			t.Errorf("%s: MACsec %q, want no_encrypt", c.Name, c.MACsec)
		}
	}
	// The site has IPv6, so each connection has an IPv4 session and an
	// IPv6 one (Direct Connect runs no multiprotocol BGP), the IPv6 one
	// over the next /125 of 2001:db8:dc::/48 in connection order: conn1
	// 2001:db8:dc::/125 (AWS ::1, customer ::2), conn2 ::8/125 (::9, ::a),
	// conn3 ::10/125 (::11, ::12), conn4 ::18/125 (::19, ::1a). Each
	// router keeps one BGP identifier, its lowest IPv4 peering address:
	// the customer's 169.254.100.2 (conn1's) in all eight sessions, each
	// AWS router its connection's, 169.254.100.1, .5, .9, .13.
	if len(p.Sessions) != 8 {
		t.Fatalf("%d sessions, want 2 per connection", len(p.Sessions))
	}
	sessions := sessionsByName(p)
	for i, c := range lp.Connections {
		v4, v6 := sessions[c.Session], sessions[c.IPv6Session]
		if c.Session != c.Name || c.IPv6Session != c.Name+"/ipv6" || v4 == nil || v6 == nil {
			t.Fatalf("%s: sessions %q and %q", c.Name, c.Session, c.IPv6Session)
		}
		if !slices.Equal(v4.AddressFamily, []string{"ipv4-unicast"}) || v4.Local != c.AWS || v4.Peer != c.Customer || v4.Over != c.Name {
			t.Errorf("%s: IPv4 session %+v", c.Name, v4)
		}
		sub := netip.PrefixFrom(netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 0x00, 0xdc, 15: byte(8 * i)}), 125)
		aws, cust := sub.Addr().Next(), sub.Addr().Next().Next()
		if c.IPv6Subnet != sub || !slices.Equal(v6.AddressFamily, []string{"ipv6-unicast"}) || v6.Over != c.Name ||
			v6.Local != (planner.Side{Device: c.AWS.Device, ASN: c.AWS.ASN, Address: aws, RouterID: c.AWS.Address}) ||
			v6.Peer != (planner.Side{Device: c.Customer.Device, ASN: c.Customer.ASN, Address: cust, RouterID: netip.MustParseAddr("169.254.100.2")}) {
			t.Errorf("%s: IPv6 subnet %s, session %+v; want %s, AWS %s, customer %s", c.Name, c.IPv6Subnet, v6, sub, aws, cust)
		}
	}
}

// TestLastMileWithoutBFD: a last mile whose customer router does not run
// BFD has sessions without it, which the text report says, and other
// sessions keep theirs.
func TestLastMileWithoutBFD(t *testing.T) {
	p := plantest.Source(t, `hq = site("hq", cidr = "192.168.0.0/16", asn = 65001)
branch = site("branch", cidr = "172.16.0.0/16", asn = 65002)
d = dx_gateway("d")
attach(d, vpn_gateway(vpc("v", region = "us-east-1", cidr = "10.0.0.0/16")))
last_mile("hq", partner = "lumen", region = "us-east-1", bandwidth = "1Gbps", site = hq, attach_to = d, bfd = False)
last_mile("branch", partner = "lumen", region = "us-east-1", bandwidth = "1Gbps", site = branch, attach_to = d)
`)
	if len(p.Sessions) != 8 {
		t.Fatalf("%d sessions, want 4 per last mile", len(p.Sessions))
	}
	for _, s := range p.Sessions {
		if strings.HasPrefix(s.Name, "hq/") {
			if s.BFD != nil {
				t.Errorf("session %s: BFD %+v, want none (bfd = False)", s.Name, s.BFD)
			}
			if s.HoldTime != 90 || s.Keepalive != 30 {
				t.Errorf("session %s: hold %d keepalive %d, want Direct Connect's 90/30 without BFD too", s.Name, s.HoldTime, s.Keepalive)
			}
			continue
		}
		checkSession(t, s, s.Local, s.Peer, []string{"ipv4-unicast"})
	}

	var text bytes.Buffer
	if err := p.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	lines := 0
	for _, l := range strings.Split(text.String(), "\n") {
		f := strings.Fields(l)
		if len(f) == 0 || !strings.HasPrefix(f[0], "hq/conn") && !strings.HasPrefix(f[0], "branch/conn") {
			continue
		}
		lines++
		if want := strings.HasPrefix(f[0], "hq/"); strings.Contains(l, "no BFD") != want || strings.Contains(l, "BFD 300ms×3") == want {
			t.Errorf("session line %q: want %s", l, map[bool]string{true: "no BFD", false: "BFD 300ms×3"}[want])
		}
	}
	if lines != 8 {
		t.Errorf("%d session lines in the text report, want 8:\n%s", lines, text.String())
	}
	var js bytes.Buffer
	if err := p.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Sessions []map[string]any `json:"bgp_sessions"`
	}
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, s := range doc.Sessions {
		if _, has := s["bfd"]; has == strings.HasPrefix(s["name"].(string), "hq/") {
			t.Errorf("session %v: bfd in JSON %v", s["name"], has)
		}
	}
}

func TestTransitHubExample(t *testing.T) {
	p := plantest.File(t, "../examples/transit_hub.star")
	tables := map[string]*planner.TGWTablePlan{}
	for _, tp := range p.TGWTables {
		if tp.Default {
			t.Errorf("table %s is a default table; hub has default association and propagation off", tp.Table)
		}
		tables[tp.Table] = tp
	}
	if len(p.TGWTables) != 2 {
		t.Errorf("tables %d, want hub/spokes and hub/shared", len(p.TGWTables))
	}
	att := func(n string) lang.Ref { return lang.Ref{Kind: lang.KindAttachment, Name: n} }
	ic := att("gcp-hub") // the DX gateway's association, which carries the Interconnect
	spokes := []lang.Ref{att("web-hub"), att("api-hub"), att("data-hub")}
	for _, tc := range []struct {
		table        string
		assoc, props []lang.Ref
		static       int
	}{
		{"hub/spokes", spokes, []lang.Ref{att("shared-services-hub"), ic}, 1},
		{"hub/shared", []lang.Ref{att("shared-services-hub"), ic}, append(slices.Clone(spokes), att("shared-services-hub"), ic), 0},
	} {
		tp := tables[tc.table]
		if tp == nil {
			t.Errorf("no table %s", tc.table)
			continue
		}
		if tp.TGW != (lang.Ref{Kind: lang.KindTransitGW, Name: "hub"}) || !slices.Equal(tp.Associations, tc.assoc) ||
			!slices.Equal(tp.Propagations, tc.props) || tp.StaticRoutes != tc.static {
			t.Errorf("%s = %+v, want %d associated %v, propagating %v, %d static", tc.table, tp, len(tc.assoc), tc.assoc, tc.props, tc.static)
		}
	}
	// Through its DX gateway, the Interconnect uses the DX gateway's ASN.
	if len(p.Interconnects) != 1 || p.Interconnects[0].AWSASN != 64512 || p.Interconnects[0].Bandwidth != "5Gbps" {
		t.Errorf("interconnects %+v", p.Interconnects)
	}
	// The spokes come from lib/spokes.star and ipam.
	var cidrs []string
	for _, v := range p.Design.VPCs[:3] {
		cidrs = append(cidrs, v.Name+"="+v.CIDRs[0].String())
	}
	if want := []string{"web=10.0.0.0/16", "api=10.1.0.0/16", "data=10.2.0.0/16"}; !slices.Equal(cidrs, want) {
		t.Errorf("spokes %v, want %v", cidrs, want)
	}
}

func TestTGWDefaultTable(t *testing.T) {
	p := plantest.Source(t, `hub = transit_gateway("hub", region = "us-east-1", default_propagation = False)
peer = transit_gateway("peer", region = "us-east-2", asn = 64530)
a = attach(vpc("a", region = "us-east-1", cidr = "10.0.0.0/16"), hub)
b = attach(vpc("b", region = "us-east-1", cidr = "10.1.0.0/16"), hub)
attach(hub, peer)
tgw_route_table("custom", transit_gateway = hub, associations = [b])
`)
	var hubDefault, peerDefault *planner.TGWTablePlan
	for _, tp := range p.TGWTables {
		switch tp.Table {
		case "hub/default":
			hubDefault = tp
		case "peer/default":
			peerDefault = tp
		}
	}
	if hubDefault == nil || peerDefault == nil {
		t.Fatalf("tables %+v, want hub/default and peer/default", p.TGWTables)
	}
	ref := func(n string) lang.Ref { return lang.Ref{Kind: lang.KindAttachment, Name: n} }
	// b is associated with the custom table; propagation is off on hub.
	if !hubDefault.Default || !slices.Equal(hubDefault.Associations, []lang.Ref{ref("a-hub"), ref("hub-peer")}) || len(hubDefault.Propagations) != 0 {
		t.Errorf("hub/default = %+v", hubDefault)
	}
	// Peering attachments take static routes only: associated, never propagated.
	if !slices.Equal(peerDefault.Associations, []lang.Ref{ref("hub-peer")}) || len(peerDefault.Propagations) != 0 {
		t.Errorf("peer/default = %+v", peerDefault)
	}
}

func TestGlobalWANExample(t *testing.T) {
	p := plantest.File(t, "../examples/global_wan.star")
	if len(p.CoreNetworks) != 1 {
		t.Fatalf("%d core network plans, want 1", len(p.CoreNetworks))
	}
	cp := p.CoreNetworks[0]
	if cp.CoreNetwork.Name != "global" || len(cp.Edges) != 2 {
		t.Fatalf("core network plan %+v", cp)
	}
	if cp.Edges[0].Region != "us-east-1" || cp.Edges[0].ASN != 64600 || cp.Edges[1].Region != "eu-west-2" || cp.Edges[1].ASN != 64601 {
		t.Errorf("edges %+v, want us-east-1 AS64600 and eu-west-2 AS64601", cp.Edges)
	}
	if !slices.Equal(cp.Mesh, [][2]string{{"us-east-1", "eu-west-2"}}) {
		t.Errorf("mesh %v, want one pair", cp.Mesh)
	}
	// Three VPC attachments and the Interconnect's DX gateway.
	if cp.Attachments != 4 {
		t.Errorf("attachments %d, want 4", cp.Attachments)
	}
	if len(p.Interconnects) != 1 {
		t.Fatalf("interconnects %+v", p.Interconnects)
	}
	ip := p.Interconnects[0]
	// The Interconnect peers with its DX gateway's ASN.
	if ip.AWSASN != 64512 || !ip.IPv6 {
		t.Errorf("interconnect AWS ASN %d ipv6 %v, want 64512 and IPv6", ip.AWSASN, ip.IPv6)
	}
	// lake has IPv6: each channel has an IPv4 and an IPv6 session.
	if len(p.Sessions) != 8 {
		t.Errorf("%d sessions, want 8", len(p.Sessions))
	}
	for i, s := range p.Sessions {
		want := []string{"ipv4-unicast"}
		if i%2 == 1 {
			want = []string{"ipv6-unicast"}
		}
		if !slices.Equal(s.AddressFamily, want) || s.Local.Address.Is4() != (i%2 == 0) {
			t.Errorf("session %s families %v over %s, want %v", s.Name, s.AddressFamily, s.Local.Address, want)
		}
		if s.Local.ASN != 64512 || s.Peer.ASN != 16550 {
			t.Errorf("session %s AS%d ↔ AS%d", s.Name, s.Local.ASN, s.Peer.ASN)
		}
	}
	// The blackhole default route is part of the dev segment's policy.
	var routes int
	for _, a := range p.Design.CoreNetworks[0].Actions {
		if a.Action == lang.ActionCreateRoute && a.Segment == "dev" && a.Blackhole {
			routes++
		}
	}
	if routes != 1 {
		t.Errorf("create-route blackholes in dev: %d, want 1", routes)
	}
}

func TestCoreNetworkMesh(t *testing.T) {
	p := plantest.Source(t, `core_network("c", edges = [edge("us-east-1"), edge("eu-west-2"), edge("us-west-2"), edge("eu-central-1")], segments = [segment("s")])`)
	cp := p.CoreNetworks[0]
	if len(cp.Mesh) != 6 {
		t.Errorf("mesh of 4 edges has %d pairs, want 6: %v", len(cp.Mesh), cp.Mesh)
	}
	pairs := map[[2]string]bool{}
	for _, m := range cp.Mesh {
		if m[0] == m[1] || pairs[m] || pairs[[2]string{m[1], m[0]}] {
			t.Errorf("mesh pair %v repeats", m)
		}
		pairs[m] = true
	}
	if cp.Attachments != 0 {
		t.Errorf("attachments %d, want 0", cp.Attachments)
	}
}

func TestReportJSON(t *testing.T) {
	render := func() []byte {
		p := plantest.File(t, "../examples/global_wan.star")
		var b bytes.Buffer
		if err := p.WriteJSON(&b); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	first, second := render(), render()
	if !bytes.Equal(first, second) {
		t.Fatal("two runs of the same design give different JSON")
	}
	if !bytes.Contains(first, []byte(`"schema": "patchbay.plan/v1"`)) {
		t.Errorf("report lacks the schema line:\n%.400s", first)
	}
	if !bytes.HasSuffix(first, []byte("}\n")) {
		t.Error("report does not end in a newline")
	}
	var r struct {
		Schema string   `json:"schema"`
		Files  []string `json:"files"`
		Totals struct {
			Resources, Errors int
		} `json:"totals"`
		Derived struct {
			Interconnects []json.RawMessage `json:"interconnects"`
			LastMiles     []json.RawMessage `json:"last_miles"`
			Sessions      []json.RawMessage `json:"bgp_sessions"`
			CoreNetworks  []json.RawMessage `json:"core_networks"`
		} `json:"derived"`
		Graph    planner.GraphSummary `json:"graph"`
		Findings json.RawMessage      `json:"findings"`
	}
	if err := json.Unmarshal(first, &r); err != nil {
		t.Fatalf("report is not JSON: %v", err)
	}
	if r.Schema != planner.SchemaVersion || planner.SchemaVersion != "patchbay.plan/v1" {
		t.Errorf("schema %q", r.Schema)
	}
	if !slices.Equal(r.Files, []string{"../examples/global_wan.star"}) {
		t.Errorf("files %v", r.Files)
	}
	// Twelve that the planner builds on, and the edge-maintenance scenario.
	if r.Totals.Resources != 13 || r.Totals.Errors != 0 {
		t.Errorf("totals %+v, want 13 resources", r.Totals)
	}
	if len(r.Derived.Interconnects) != 1 || len(r.Derived.Sessions) != 8 || len(r.Derived.CoreNetworks) != 1 || r.Derived.LastMiles == nil || len(r.Derived.LastMiles) != 0 {
		t.Errorf("derived %+v", r.Derived)
	}
	if string(r.Findings) != "[]" {
		t.Errorf("findings %s, want []", r.Findings)
	}
	if r.Graph.Vertices != 7 || r.Graph.ByKind["vpc"] != 3 || r.Graph.ByKind["dx_gateway"] != 1 {
		t.Errorf("graph %+v", r.Graph)
	}
	if !bytes.Contains(first, []byte(`"bandwidth": "10Gbps"`)) || !bytes.Contains(first, []byte(`"attach_to": "dx_gateway.gcp"`)) {
		t.Error("report lacks the interconnect's bandwidth or reference in their text forms")
	}
}

func TestReportJSONStableForEveryExample(t *testing.T) {
	for _, name := range []string{"multicloud", "last_mile", "transit_hub", "global_wan"} {
		t.Run(name, func(t *testing.T) {
			var a, b bytes.Buffer
			if err := plantest.File(t, "../examples/"+name+".star").WriteJSON(&a); err != nil {
				t.Fatal(err)
			}
			if err := plantest.File(t, "../examples/"+name+".star").WriteJSON(&b); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Error("JSON differs between runs")
			}
			var ta, tb bytes.Buffer
			if err := plantest.File(t, "../examples/"+name+".star").WriteText(&ta); err != nil {
				t.Fatal(err)
			}
			if err := plantest.File(t, "../examples/"+name+".star").WriteText(&tb); err != nil {
				t.Fatal(err)
			}
			if ta.String() != tb.String() || !strings.Contains(ta.String(), "Findings: none") {
				t.Errorf("text differs between runs or reports findings:\n%s", ta.String())
			}
		})
	}
}

func TestGraphSummary(t *testing.T) {
	p := plantest.Source(t, `hub = transit_gateway("hub", region = "us-east-1")
a = vpc("a", region = "us-east-1", cidr = "10.0.0.0/16")
b = vpc("b", region = "us-east-1", cidr = "10.1.0.0/16")
attach(a, hub)
dx_gateway("lonely")
route_table("rt", vpc = a, routes = [route("0.0.0.0/0", target = hub)])
monitor("m", source = a, destination = b)
`)
	s := p.Summary
	if s.Vertices != 4 || s.Edges != 1 || s.Components != 3 || s.LargestComponent != 2 {
		t.Errorf("summary %+v, want 4 vertices, 1 edge, 3 components, largest 2", s)
	}
	if !slices.Equal(s.Isolated, []string{"dx_gateway.lonely", "vpc.b"}) {
		t.Errorf("isolated %v, want dx_gateway.lonely and vpc.b", s.Isolated)
	}
	if want := map[string]int{"vpc": 2, "transit_gateway": 1, "dx_gateway": 1}; fmt.Sprint(s.ByKind) != fmt.Sprint(want) {
		t.Errorf("by kind %v, want %v", s.ByKind, want)
	}
	var b bytes.Buffer
	if err := p.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "Graph: 4 vertices, 1 edges, 3 connected components (largest 2)") ||
		!strings.Contains(b.String(), "attached to nothing: dx_gateway.lonely, vpc.b") {
		t.Errorf("text summary:\n%s", b.String())
	}
}

func TestGraphSummaryEmptyDesign(t *testing.T) {
	p, err := planner.New(lang.NewDesign())
	if err != nil {
		t.Fatal(err)
	}
	if s := p.Summary; s.Vertices != 0 || s.Edges != 0 || s.Components != 0 || s.Isolated == nil || len(s.Isolated) != 0 {
		t.Errorf("summary %+v", s)
	}
	var b bytes.Buffer
	if err := p.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"interconnects": []`, `"findings": []`, `"vpc": []`, `"isolated": []`} {
		if !bytes.Contains(b.Bytes(), []byte(want)) {
			t.Errorf("empty report lacks %s", want)
		}
	}
}

// interconnects generates a design with n Interconnects sharing one peer
// and one DX gateway.
func interconnects(n int) string {
	// One peer network each: a second Interconnect to the same peer is the
	// resiliency rule's anti-pattern.
	return fmt.Sprintf(`d = dx_gateway("d")
for i in range(%d):
    g = gcp_vpc("g%%d" %% i, project = "p", region = "us-east4", cidr = cidrsubnet("10.0.0.0/8", 16, i))
    interconnect("ic%%d" %% i, provider = "gcp", aws_region = "us-east-1", peer_region = "us-east4", bandwidth = "1Gbps", attach_to = d, peer = g)
`, n)
}

func TestAllocatorSkipsMetadataRange(t *testing.T) {
	// 70 Interconnects stay well below 169.254.169.0; 1110 (4440 /30s from
	// 169.254.100.0) must step over it.
	for _, tc := range []struct {
		n         int
		crossesAt bool
	}{{70, false}, {1110, true}} {
		t.Run(fmt.Sprint(tc.n), func(t *testing.T) {
			p := plantest.Source(t, interconnects(tc.n))
			if len(p.Interconnects) != tc.n {
				t.Fatalf("%d interconnect plans, want %d", len(p.Interconnects), tc.n)
			}
			if len(p.Findings) != 0 {
				t.Fatalf("findings: %v", p.Findings)
			}
			seen := map[netip.Prefix]string{}
			vlans := map[int]string{}
			above := false
			for _, ip := range p.Interconnects {
				if len(ip.Channels) != 4 {
					t.Fatalf("%s: %d channels", ip.Interconnect, len(ip.Channels))
				}
				v := ip.Channels[0].VLAN
				if prev, dup := vlans[v]; dup {
					t.Errorf("%s: VLAN %d already used by %s", ip.Interconnect, v, prev)
				}
				vlans[v] = ip.Interconnect.Name
				for _, c := range ip.Channels {
					checkSubnet(t, c.Name, c.Subnet, c.AWS.Address, c.Peer.Address, seen)
					if c.VLAN != v || v < 1025 || v > 4094 {
						t.Errorf("%s: VLAN %d", c.Name, c.VLAN)
					}
					if c.Subnet.Addr().As4()[2] > 169 {
						above = true
					}
				}
			}
			if above != tc.crossesAt {
				t.Errorf("allocation went past 169.254.169.0/24: %v, want %v", above, tc.crossesAt)
			}
			if len(seen) != 4*tc.n || len(p.Sessions) != 4*tc.n {
				t.Errorf("%d subnets, %d sessions, want %d", len(seen), len(p.Sessions), 4*tc.n)
			}
		})
	}
}

func TestDanglingReference(t *testing.T) {
	vpcA := func() *lang.VPC {
		return &lang.VPC{Meta: lang.Meta{Name: "a", Range: lang.Range{File: "gen.go", Start: lang.Pos{Line: 1, Col: 1}}},
			Region: "us-east-1", CIDRs: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/16")}, MTU: 9001}
	}
	for _, tc := range []struct {
		name    string
		add     []lang.Resource
		summary string
	}{
		{"attachment to a missing TGW", []lang.Resource{vpcA(),
			&lang.Attachment{Meta: lang.Meta{Name: "a-hub", Range: lang.Range{File: "gen.go", Start: lang.Pos{Line: 2, Col: 1}}}, Kind: lang.AttachVPCTGW,
				A: lang.Ref{Kind: lang.KindVPC, Name: "a"}, B: lang.Ref{Kind: lang.KindTransitGW, Name: "hub"}}},
			"attachment.a-hub: b refers to transit_gateway.hub, which is not declared"},
		{"interconnect peer of the wrong kind", []lang.Resource{vpcA(), &lang.DXGateway{Meta: lang.Meta{Name: "d"}, ASN: 64512},
			&lang.Interconnect{Meta: lang.Meta{Name: "ic", Range: lang.Range{File: "gen.go", Start: lang.Pos{Line: 2, Col: 1}}}, Provider: "gcp",
				AWSRegion: "us-east-1", PeerRegion: "us-east4", AttachTo: lang.Ref{Kind: lang.KindDXGateway, Name: "d"}, Peer: lang.Ref{Kind: lang.KindVPC, Name: "a"}}},
			"interconnect.ic: peer must be a gcp_vpc, not vpc"},
		{"monitor of a missing network", []lang.Resource{vpcA(),
			&lang.Monitor{Meta: lang.Meta{Name: "m", Range: lang.Range{File: "gen.go", Start: lang.Pos{Line: 2, Col: 1}}},
				From: lang.Ref{Kind: lang.KindVPC, Name: "a"}, To: lang.Ref{Kind: lang.KindSite, Name: "hq"}, Interval: "30s"}},
			"monitor.m: destination refers to site.hq, which is not declared"},
		{"objective of a missing network", []lang.Resource{vpcA(),
			&lang.Objective{Meta: lang.Meta{Name: "hq->a", Range: lang.Range{File: "gen.go", Start: lang.Pos{Line: 2, Col: 1}}},
				From: lang.Ref{Kind: lang.KindSite, Name: "hq"}, To: lang.Ref{Kind: lang.KindVPC, Name: "a"}, MaxBlackout: time.Second}},
			"objective.hq->a: source refers to site.hq, which is not declared"},
		{"objective to a gateway", []lang.Resource{vpcA(), &lang.DXGateway{Meta: lang.Meta{Name: "d"}, ASN: 64512},
			&lang.Objective{Meta: lang.Meta{Name: "a->d", Range: lang.Range{File: "gen.go", Start: lang.Pos{Line: 2, Col: 1}}},
				From: lang.Ref{Kind: lang.KindVPC, Name: "a"}, To: lang.Ref{Kind: lang.KindDXGateway, Name: "d"}, MinBandwidth: 1e9}},
			"objective.a->d: destination must be a vpc, a gcp_vpc or a site, not dx_gateway"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := lang.NewDesign()
			for _, r := range tc.add {
				if err := d.Add(r); err != nil {
					t.Fatal(err)
				}
			}
			p, err := planner.New(d)
			if err == nil || p != nil {
				t.Fatalf("New = %v, %v; want an error", p, err)
			}
			var ds lang.Diagnostics
			if !errors.As(err, &ds) || len(ds) != 1 {
				t.Fatalf("error %T %v, want one lang.Diagnostics entry", err, err)
			}
			if ds[0].Rule != "reference" || ds[0].Severity != lang.SevError || ds[0].Summary != tc.summary {
				t.Errorf("got %+v, want rule reference, %q", ds[0], tc.summary)
			}
			if ds[0].Range.File != "gen.go" || ds[0].Range.Start.Line != 2 {
				t.Errorf("placed at %v, want the referring resource at gen.go:2", ds[0].Range)
			}
		})
	}
}

// resolve() must reject an attachment whose end is a resource that is not
// a place in the topology (a monitor, a route table): buildGraph assumes
// both ends are vertices.
func TestAttachmentToNonVertexIsAnError(t *testing.T) {
	d := lang.NewDesign()
	v := lang.Ref{Kind: lang.KindVPC, Name: "v"}
	for _, r := range []lang.Resource{
		&lang.VPC{Meta: lang.Meta{Name: "v"}, Region: "us-east-1", CIDRs: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/16")}, MTU: 9001},
		&lang.Monitor{Meta: lang.Meta{Name: "m"}, From: v, To: v, Interval: "30s"},
		&lang.Attachment{Meta: lang.Meta{Name: "x"}, Kind: lang.AttachVPCTGW, A: v, B: lang.Ref{Kind: lang.KindMonitor, Name: "m"}},
	} {
		if err := d.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	var err error
	func() {
		defer func() {
			if r := recover(); r != nil {
				t.Fatalf("planner.New panicked: %v", r)
			}
		}()
		_, err = planner.New(d)
	}()
	ds := lang.AsDiagnostics(err, "")
	if len(ds) == 0 || ds[0].Rule != "reference" {
		t.Errorf("got %v, want a reference error", err)
	}
}
