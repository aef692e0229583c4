package render_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"patchbay/planner"
	"patchbay/planner/plantest"
	"patchbay/planner/render"
)

var update = flag.Bool("update", false, "rewrite the golden DOT files")

func dot(t testing.TB, p *planner.Plan, o render.Options) string {
	var b bytes.Buffer
	if err := render.Build(p, o).WriteDOT(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func mermaid(t testing.TB, p *planner.Plan, o render.Options) string {
	var b bytes.Buffer
	if err := render.Build(p, o).WriteMermaid(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestGoldenDOT pins the DOT of every example, drawn twice to show it is
// byte-identical; go test ./planner/render -update rewrites the files.
func TestGoldenDOT(t *testing.T) {
	for _, f := range plantest.Examples(t, "../../examples") {
		name := strings.TrimSuffix(filepath.Base(f), ".star")
		t.Run(name, func(t *testing.T) {
			got := dot(t, plantest.File(t, f), render.Options{})
			if again := dot(t, plantest.File(t, f), render.Options{}); again != got {
				t.Fatal("two renderings differ")
			}
			plantest.Golden(t, filepath.Join("testdata", name+".dot"), []byte(got), *update)
		})
	}
}

var (
	dotNode = regexp.MustCompile(`(?m)^\s*"([^"]+)" \[label=`)
	dotEdge = regexp.MustCompile(`(?m)^\s*"([^"]+)" -> "([^"]+)"`)
	mmdNode = regexp.MustCompile(`(?m)^\s*([A-Za-z0-9_]+)(\[|\{\{|\(\(|\(\[|>)`)
	mmdEdge = regexp.MustCompile(`(?m)^\s*([A-Za-z0-9_]+) (?:---|-\.-)(?:\|[^|]*\|)? ([A-Za-z0-9_]+)$`)
)

// TestMermaidMatchesDOT: both formats draw the same nodes and edges.
func TestMermaidMatchesDOT(t *testing.T) {
	for _, f := range plantest.Examples(t, "../../examples") {
		for _, o := range []render.Options{{}, {Collapse: true}} {
			p := plantest.File(t, f)
			d, m := dot(t, p, o), mermaid(t, p, o)
			var dn, de, mn, me []string
			for _, x := range dotNode.FindAllStringSubmatch(d, -1) {
				if !strings.HasPrefix(x[1], "legend.") {
					dn = append(dn, render.MermaidID(x[1]))
				}
			}
			for _, x := range dotEdge.FindAllStringSubmatch(d, -1) {
				de = append(de, render.MermaidID(x[1])+" "+render.MermaidID(x[2]))
			}
			for _, x := range mmdNode.FindAllStringSubmatch(m, -1) {
				if !strings.HasPrefix(x[1], "cluster_") && !strings.HasPrefix(x[1], "legend_") && x[1] != "subgraph" && x[1] != "flowchart" {
					mn = append(mn, x[1])
				}
			}
			for _, x := range mmdEdge.FindAllStringSubmatch(m, -1) {
				me = append(me, x[1]+" "+x[2])
			}
			slices.Sort(dn)
			slices.Sort(mn)
			slices.Sort(de)
			slices.Sort(me)
			if len(dn) == 0 || len(de) == 0 || !slices.Equal(dn, mn) || !slices.Equal(de, me) {
				t.Errorf("%s (collapse %v): nodes %v vs %v\nedges %v vs %v", f, o.Collapse, dn, mn, de, me)
			}
		}
	}
}

func TestChannelsAndCollapse(t *testing.T) {
	p := plantest.File(t, "../../examples/multicloud.star")
	full := dot(t, p, render.Options{})
	for _, want := range []string{`"cluster_aws/fac-a (us-east-1)"`, `"cluster_gcp/us-east4/fac-b"`, `label="ch3 VLAN 1025, MACsec\nAS64512 ↔ AS16550\nMTU 8500"`} {
		if !strings.Contains(full, want) {
			t.Errorf("the channels are not drawn across facilities: no %s", want)
		}
	}
	if n := strings.Count(full, "MACsec"); n != 4 {
		t.Errorf("%d channel edges, want 4", n)
	}
	collapsed := dot(t, p, render.Options{Collapse: true, Direction: "TB"})
	if strings.Contains(collapsed, "fac-a") || !strings.Contains(collapsed, "rankdir=TB") || !strings.Contains(collapsed, `"interconnect.aws-gcp-use1"`) {
		t.Errorf("collapsed:\n%s", collapsed)
	}
}

func TestGroupsManyVPCs(t *testing.T) {
	p := plantest.Source(t, `hub = transit_gateway("hub", region = "us-east-1")
for i in range(20):
    attach(vpc("v%d" % i, region = "us-east-1", cidr = "10.%d.0.0/16" % i, mtu = 8500), hub)
`)
	d := dot(t, p, render.Options{})
	if !strings.Contains(d, `label="20 VPCs\non hub"`) || strings.Contains(d, `"vpc.v3"`) || strings.Count(d, "->") != 1 {
		t.Errorf("20 VPCs should fold into one node with one edge:\n%s", d)
	}
}

func TestFindingsAndOverlay(t *testing.T) {
	p := plantest.Source(t, `hub = transit_gateway("hub", region = "us-east-1")
a = vpc("a", region = "us-east-1", cidr = "10.0.0.0/16", mtu = 8500)
b = vpc("b", region = "us-east-1", cidr = "10.0.0.0/24")
attach(a, hub)
attach(b, hub)
`)
	d := dot(t, p, render.Options{})
	if !regexp.MustCompile(`"vpc.b" \[[^\]]*color="red", penwidth=3, tooltip="vpc.b: cidr-overlap, mtu-mismatch"`).MatchString(d) {
		t.Errorf("vpc.b should be outlined red with its rules:\n%s", d)
	}
	ov := overlay{down: map[string]bool{"aws-gcp-use1/ch1": true}, bgpDown: map[string]bool{"aws-gcp-use1/ch2": true}}
	d = dot(t, plantest.File(t, "../../examples/multicloud.star"), render.Options{Overlay: ov})
	if !regexp.MustCompile(`color="red", penwidth=2, id="aws-gcp-use1/ch1"`).MatchString(d) || !strings.Contains(d, `style="dashed", id="aws-gcp-use1/ch2"`) {
		t.Errorf("overlay not drawn:\n%s", d)
	}
}

// A dual-stack channel carries an IPv4 and an IPv6 session, which fail
// apart: the label names both and marks the one that is down, and the
// edge is dashed while either is.
func TestDualStackSessionsInTheLabel(t *testing.T) {
	p := plantest.File(t, "../../examples/global_wan.star")
	d := dot(t, p, render.Options{})
	if n := strings.Count(d, `MTU 8500\nBGP IPv4, IPv6", id="euw2-gcp/ch`); n != 4 {
		t.Errorf("%d channel labels name both families, want 4:\n%s", n, d)
	}
	d = dot(t, p, render.Options{Overlay: overlay{bgpDown: map[string]bool{"euw2-gcp/ch2/ipv6": true}}})
	if !strings.Contains(d, `\nBGP IPv4, IPv6 down", style="dashed", id="euw2-gcp/ch2"`) || strings.Count(d, `style="dashed"`) != 1 {
		t.Errorf("ch2's IPv6 session is down; want only its edge dashed, saying so:\n%s", d)
	}
}

type overlay struct{ down, bgpDown map[string]bool }

func (o overlay) LinkUp(l string) (bool, bool)    { return !o.down[l], true }
func (o overlay) SessionUp(s string) (bool, bool) { return !o.bgpDown[s], true }

func TestEscaping(t *testing.T) {
	p := plantest.Source(t, `vpc("a", region = "us-east-1", cidr = "10.0.0.0/16")`)
	m := render.Build(p, render.Options{})
	m.Nodes[0].Label = "quote \" back\\slash\nnew line"
	var b bytes.Buffer
	if err := m.WriteDOT(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `label="quote \" back\\slash\nnew line"`) {
		t.Errorf("not escaped:\n%s", b.String())
	}
}

// BenchmarkDOT1000 draws a 1,000-node design (990 VPCs on 10 TGWs, the
// grouping off so every VPC is a node).
func BenchmarkDOT1000(b *testing.B) {
	var src strings.Builder
	for t := range 10 {
		fmt.Fprintf(&src, "t%d = transit_gateway(\"tgw-%d\", region = \"us-east-1\", asn = %d)\n", t, t, 64512+t)
	}
	for v := range 990 {
		fmt.Fprintf(&src, "attach(vpc(\"v%d\", region = \"us-east-1\", cidr = \"10.%d.%d.0/24\", mtu = 8500), t%d)\n", v, v/256, v%256, v%10)
	}
	p := plantest.Source(b, src.String())
	b.ResetTimer()
	for b.Loop() {
		var buf bytes.Buffer
		m := render.Build(p, render.Options{GroupAbove: 1000})
		if err := m.WriteDOT(&buf); err != nil || len(m.Nodes) != 1000 {
			b.Fatal(err, len(m.Nodes))
		}
	}
}

// A core network is drawn as its edges, one per Region, each attachment
// reaching the edge in its own Region, and its segments in a table.
func TestCloudWANEdgesAndSegments(t *testing.T) {
	d := dot(t, plantest.File(t, "../../examples/global_wan.star"), render.Options{})
	for _, want := range []string{
		`"core_network.global/us-east-1" [label="us-east-1 edge\nAS64600", shape=octagon`,
		`"core_network.global/eu-west-2" [label="eu-west-2 edge\nAS64601", shape=octagon`,
		`"vpc.prod-use1" -> "core_network.global/us-east-1" [label="segment prod"`,
		`"vpc.prod-euw2" -> "core_network.global/eu-west-2" [label="segment prod"`,
		`"core_network.global/us-east-1" -> "core_network.global/eu-west-2"`,
		`<td align="left">segment dev (isolated)</td>`,
		`fillcolor="#e2f6f2"`,
	} {
		if !strings.Contains(d, want) {
			t.Errorf("no %s in:\n%s", want, d)
		}
	}
	if strings.Contains(d, "cluster_legend") || !strings.Contains(d, "labelloc=t;") {
		t.Error("the legend should be the graph's label, not a cluster")
	}
}

type deviceOverlay struct {
	overlay
	devices, facilities map[string]bool
}

func (o deviceOverlay) DeviceUp(d string) (bool, bool)   { return !o.devices[d], true }
func (o deviceOverlay) FacilityUp(f string) (bool, bool) { return !o.facilities[f], true }

// An overlay that knows devices marks the failed device and facility
// themselves, and the caption says what is drawn, in every format.
func TestCaptionAndFailedDevices(t *testing.T) {
	p := plantest.File(t, "../../examples/multicloud.star")
	o := render.Options{Caption: "multicloud.star: at 61s", Overlay: deviceOverlay{
		overlay:    overlay{down: map[string]bool{"aws-gcp-use1/ch1": true}},
		devices:    map[string]bool{"us-east-1/fac-b/aws-r1": true},
		facilities: map[string]bool{"us-east-1/fac-a": true},
	}}
	d := dot(t, p, o)
	for _, want := range []string{`label="fac-a (us-east-1) FAILED"`, `"us-east-1/fac-b/aws-r1" [label="aws-r1\nFAILED", shape=circle, fillcolor="#ff8a8a"`,
		`<b>multicloud.star: at 61s</b>`, `failed device`, `red line: link down`} {
		if !strings.Contains(d, want) {
			t.Errorf("no %s in:\n%s", want, d)
		}
	}
	if strings.Contains(d, `label="fac-b (us-east-1) FAILED"`) {
		t.Error("fac-b did not fail")
	}
	m := mermaid(t, p, o)
	for _, want := range []string{"title: \"multicloud.star: at 61s\"", "classDef failed fill:#ff8a8a", "legend_failed"} {
		if !strings.Contains(m, want) {
			t.Errorf("no %s in:\n%s", want, m)
		}
	}
}

func TestMermaidClassesAndLegend(t *testing.T) {
	m := mermaid(t, plantest.File(t, "../../examples/global_wan.star"), render.Options{})
	for _, want := range []string{"  subgraph legend[\"Legend\"]\n", "legend_core_network_edge([\"Cloud WAN core network edge\"]):::core_network_edge",
		"classDef core_network_edge fill:#e2f6f2", "classDef dx_gateway fill:#e0d4f7", "class dx_gateway_2e_gcp dx_gateway"} {
		if !strings.Contains(m, want) {
			t.Errorf("no %s in:\n%s", want, m)
		}
	}
}

// --details moves each channel's numbers into one table, leaving its edge
// a short name.
func TestDetailsTable(t *testing.T) {
	d := dot(t, plantest.File(t, "../../examples/multicloud.star"), render.Options{Details: true})
	if strings.Contains(d, `label="ch1 VLAN`) || !strings.Contains(d, `label="ch1", id="aws-gcp-use1/ch1"`) {
		t.Errorf("the channel's edge label should be its short name:\n%s", d)
	}
	if !strings.Contains(d, `<td align="left"><font point-size="9">ch3</font></td><td align="left"><font point-size="9">aws-gcp-use1</font></td><td align="left"><font point-size="9">1025</font></td>`) {
		t.Errorf("no row for ch3 in the details table:\n%s", d)
	}
}

// graph.json has every node and edge of the model with its attributes, in
// the same bytes every time.
func TestGraphJSON(t *testing.T) {
	for _, f := range plantest.Examples(t, "../../examples") {
		p := plantest.File(t, f)
		m := render.Build(p, render.Options{})
		var a, b bytes.Buffer
		if err := m.WriteJSON(&a); err != nil {
			t.Fatal(err)
		}
		if err := render.Build(plantest.File(t, f), render.Options{}).WriteJSON(&b); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Fatalf("%s: two renderings differ", f)
		}
		var g struct {
			Schema string
			Nodes  []struct {
				ID, Kind, Label, Cluster, Fill string
				Attrs                          map[string]string
			}
			Edges []struct {
				From, To, Kind, Link string
				Attrs                map[string]string
			}
			Legend []struct{ Kind string }
		}
		if err := json.Unmarshal(a.Bytes(), &g); err != nil {
			t.Fatal(err)
		}
		if g.Schema != render.GraphSchema || len(g.Nodes) != len(m.Nodes) || len(g.Edges) != len(m.Edges) || len(g.Legend) == 0 {
			t.Errorf("%s: schema %q, %d nodes, %d edges, %d legend entries; the model has %d and %d", f, g.Schema, len(g.Nodes), len(g.Edges), len(g.Legend), len(m.Nodes), len(m.Edges))
		}
		for _, e := range g.Edges {
			if e.Kind == "" {
				t.Errorf("%s: edge %s -> %s has no kind", f, e.From, e.To)
			}
			if e.Kind == "channel" && (e.Attrs["vlan"] == "" || e.Attrs["subnet"] == "" || e.Attrs["aws_asn"] == "") {
				t.Errorf("%s: channel %s lacks its attributes: %v", f, e.Link, e.Attrs)
			}
		}
	}
}
