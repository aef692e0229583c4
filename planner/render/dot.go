package render

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"patchbay/lang"
)

// style is how each kind of node looks; the legend shows them all.
type style struct{ shape, fill, name string }

var styles = map[string]style{
	"vpc":             {"box", "#ffe8cc", "AWS VPC"},
	"group":           {"box3d", "#ffe8cc", "VPCs grouped on a TGW"},
	"gcp_vpc":         {"box", "#dbe8fd", "Google Cloud VPC"},
	"site":            {"house", "#e6e6e6", "on-premises site"},
	"vpn_gateway":     {"invtrapezium", "#fff2b3", "virtual private gateway"},
	"dx_gateway":      {"doubleoctagon", "#e0d4f7", "Direct Connect gateway"},
	"transit_gateway": {"hexagon", "#ffd1dc", "Transit Gateway"},
	"core_network":    {"tripleoctagon", "#ffd1dc", "Cloud WAN core network"},
	"interconnect":    {"cds", "#c9f2d0", "AWS Interconnect"},
	"last_mile":       {"cds", "#c9f2d0", "last mile"},
	"router":          {"circle", "#ffffff", "router (channel end)"},
}

// quote makes any text a DOT string: quotes and backslashes escaped,
// newlines as centred line breaks.
func quote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", "")
	return `"` + r.Replace(s) + `"`
}

// clusterTree is the nesting of clusters, built from node paths.
type clusterTree struct {
	name     string
	path     []string
	children []*clusterTree
	nodes    []*Node
}

func (t *clusterTree) child(name string) *clusterTree {
	for _, c := range t.children {
		if c.name == name {
			return c
		}
	}
	c := &clusterTree{name: name, path: append(slices.Clone(t.path), name)}
	t.children = append(t.children, c)
	return c
}

func (m *Model) tree() *clusterTree {
	root := &clusterTree{}
	for _, n := range m.Nodes {
		t := root
		for _, c := range n.Cluster {
			if c != "" {
				t = t.child(c)
			}
		}
		t.nodes = append(t.nodes, n)
	}
	return root
}

func clusterLabel(path []string) string {
	last := path[len(path)-1]
	if len(path) == 1 {
		if l, ok := cloudLabel[last]; ok {
			return l
		}
	}
	return last
}

// WriteDOT writes the model as Graphviz DOT.
func (m *Model) WriteDOT(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "digraph patchbay {\n  rankdir=%s;\n  compound=true;\n  fontname=\"Helvetica\";\n", m.Direction)
	b.WriteString("  node [fontname=\"Helvetica\", fontsize=10, style=filled];\n  edge [fontname=\"Helvetica\", fontsize=8, dir=none];\n")
	var walk func(t *clusterTree, indent string)
	walk = func(t *clusterTree, indent string) {
		for _, n := range t.nodes {
			writeNode(&b, indent, n)
		}
		for _, c := range t.children {
			fmt.Fprintf(&b, "%ssubgraph %s {\n%s  label=%s;\n%s  style=rounded;\n", indent, quote("cluster_"+strings.Join(c.path, "/")), indent, quote(clusterLabel(c.path)), indent)
			walk(c, indent+"  ")
			fmt.Fprintf(&b, "%s}\n", indent)
		}
	}
	walk(m.tree(), "  ")
	for _, e := range m.Edges {
		attrs := []string{}
		if e.Label != "" {
			attrs = append(attrs, "label="+quote(e.Label))
		}
		if e.Down {
			attrs = append(attrs, `color="red"`, "penwidth=2")
		}
		if e.BGPDown {
			attrs = append(attrs, `style="dashed"`)
		}
		if e.Link != "" {
			attrs = append(attrs, "id="+quote(e.Link))
		}
		fmt.Fprintf(&b, "  %s -> %s [%s];\n", quote(e.From), quote(e.To), strings.Join(attrs, ", "))
	}
	m.writeLegend(&b)
	b.WriteString("}\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func writeNode(b *strings.Builder, indent string, n *Node) {
	st := styles[n.Kind]
	attrs := []string{"label=" + quote(n.Label), "shape=" + st.shape, "fillcolor=" + quote(st.fill), "id=" + quote(n.ID)}
	tooltip := n.ID
	if n.HasFind {
		colour := "orange"
		if n.Finding == lang.SevError {
			colour = "red"
		}
		attrs = append(attrs, "color="+quote(colour), "penwidth=3")
		tooltip += ": " + strings.Join(n.Rules, ", ")
	}
	attrs = append(attrs, "tooltip="+quote(tooltip))
	fmt.Fprintf(b, "%s%s [%s];\n", indent, quote(n.ID), strings.Join(attrs, ", "))
}

// writeLegend draws one sample of each kind the drawing uses.
func (m *Model) writeLegend(b *strings.Builder) {
	var kinds []string
	for _, n := range m.Nodes {
		if !slices.Contains(kinds, n.Kind) {
			kinds = append(kinds, n.Kind)
		}
	}
	if len(kinds) == 0 {
		return
	}
	slices.Sort(kinds)
	b.WriteString("  subgraph \"cluster_legend\" {\n    label=\"Legend\";\n    style=dashed;\n")
	for _, k := range kinds {
		st := styles[k]
		fmt.Fprintf(b, "    %s [label=%s, shape=%s, fillcolor=%s, id=%s];\n", quote("legend."+k), quote(st.name), st.shape, quote(st.fill), quote("legend."+k))
	}
	b.WriteString("  }\n")
}
