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

// Each kind has a fill of its own, so colour alone tells them apart.
var styles = map[string]style{
	"vpc":               {"box", "#ffe8cc", "AWS VPC"},
	"group":             {"box3d", "#ffd199", "VPCs grouped on a TGW"},
	"gcp_vpc":           {"box", "#dbe8fd", "Google Cloud VPC"},
	"site":              {"house", "#e6e6e6", "on-premises site"},
	"vpn_gateway":       {"invtrapezium", "#fff2b3", "virtual private gateway"},
	"dx_gateway":        {"doubleoctagon", "#e0d4f7", "Direct Connect gateway"},
	"transit_gateway":   {"hexagon", "#ffd1dc", "Transit Gateway"},
	"core_network":      {"plain", "#bfe9e2", "Cloud WAN core network (segments)"},
	"core_network_edge": {"octagon", "#e2f6f2", "Cloud WAN core network edge"},
	"interconnect":      {"cds", "#c9f2d0", "AWS Interconnect"},
	"last_mile":         {"cds", "#e6f5b8", "last mile"},
	"router":            {"circle", "#ffffff", "router (end of a channel or connection)"},
}

// kinds lists the styles' kinds in the legend's order.
var kinds = []string{"vpc", "group", "gcp_vpc", "site", "vpn_gateway", "transit_gateway", "core_network", "core_network_edge",
	"dx_gateway", "interconnect", "last_mile", "router"}

// failedFill marks a device a failure took down, whatever its kind.
const failedFill = "#ff8a8a"

// quote makes any text a DOT string: quotes and backslashes escaped,
// newlines as centred line breaks.
func quote(s string) string {
	return `"` + dotEscaper.Replace(s) + `"`
}

// The escapers are made once: making one builds its tables, and a drawing
// quotes every label, tooltip and id (a 1,000-node design's DOT made
// 50 MB of them).
var (
	dotEscaper  = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", "")
	htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "\n", "<br/>", "\r", "")
)

// html escapes text for an HTML-like label; a newline breaks the line.
func html(s string) string {
	return htmlEscaper.Replace(s)
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

// failed reports whether the cluster is a facility that failed: every
// node in it is a router there.
func (t *clusterTree) failed() bool {
	return len(t.nodes) > 0 && !slices.ContainsFunc(t.nodes, func(n *Node) bool { return !n.FacilityDown })
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
	// newrank ranks nodes across clusters as one graph: without it each
	// cluster is ranked on its own and stacked, and an LR drawing of two
	// clouds came out twice as tall as wide, with the channels between
	// them running the whole height.
	fmt.Fprintf(&b, "digraph patchbay {\n  rankdir=%s;\n  newrank=true;\n  compound=true;\n  fontname=\"Helvetica\";\n", m.Direction)

	if m.Direction == "TB" {
		// Top to bottom, the channels' labels sit side by side in one
		// rank, and Graphviz's estimate of their width falls short of
		// the text as drawn: space the rank wider.
		b.WriteString("  nodesep=0.6;\n")
	}
	b.WriteString("  node [fontname=\"Helvetica\", fontsize=10, style=filled];\n  edge [fontname=\"Helvetica\", fontsize=8, dir=none];\n")
	var walk func(t *clusterTree, indent string)
	walk = func(t *clusterTree, indent string) {
		for _, n := range t.nodes {
			writeNode(&b, indent, n)
		}
		for _, c := range t.children {
			label, style := clusterLabel(c.path), "style=rounded;"
			if c.failed() {
				label, style = label+" FAILED", `style=rounded; color="red"; fontcolor="red"; penwidth=2;`
			}
			fmt.Fprintf(&b, "%ssubgraph %s {\n%s  label=%s;\n%s  %s\n", indent, quote("cluster_"+strings.Join(c.path, "/")), indent, quote(label), indent, style)
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
		switch {
		case e.Down:
			attrs = append(attrs, `color="red"`, "penwidth=2")
		case e.Kind == "mesh":
			attrs = append(attrs, `color="#2a9d8f"`, "penwidth=2")
		case e.Kind == "edge":
			attrs = append(attrs, `color="#2a9d8f"`)
		}
		if e.Kind == "mesh" || e.Kind == "edge" {
			// A core network's own lines say what it is made of, not
			// where traffic flows: they must not push the ranks the
			// attachments and channels set apart.
			attrs = append(attrs, "constraint=false")
		}
		if e.BGPDown {
			attrs = append(attrs, `style="dashed"`)
		}
		if e.Link != "" {
			attrs = append(attrs, "id="+quote(e.Link))
		}
		if e.Kind != "" {
			attrs = append(attrs, "tooltip="+quote(e.Kind))
		}
		fmt.Fprintf(&b, "  %s -> %s [%s];\n", quote(e.From), quote(e.To), strings.Join(attrs, ", "))
	}
	// The legend, the caption and the channel table are the graph's own
	// label, which Graphviz keeps in a corner clear of the drawing; set
	// last, so no cluster inherits its placement.
	if l := m.legend(); l != "" {
		fmt.Fprintf(&b, "  labelloc=t;\n  labeljust=l;\n  label=<%s>;\n", l)
	}
	b.WriteString("}\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func writeNode(b *strings.Builder, indent string, n *Node) {
	st := styles[n.Kind]
	fill, label := st.fill, n.Label
	if n.Failed {
		fill, label = failedFill, label+"\nFAILED"
	}
	var attrs []string
	if n.Table != nil {
		attrs = append(attrs, "label=<"+table(n.Table, fill, n.Failed, 0)+">", "shape=plain")
	} else {
		attrs = append(attrs, "label="+quote(label), "shape="+st.shape, "fillcolor="+quote(fill))
	}
	attrs = append(attrs, "id="+quote(n.ID))
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

// table is an HTML-like table: a bold header row on fill, then the rows;
// its text is the node's unless size says otherwise.
func table(rows [][]string, fill string, failed bool, size int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<table border="1" cellborder="0" cellspacing="0" cellpadding="3" bgcolor="%s">`, fill)
	for i, r := range rows {
		b.WriteString("<tr>")
		for _, c := range r {
			text := html(c)
			if i == 0 {
				text = "<b>" + text + "</b>"
			}
			if size > 0 {
				text = fmt.Sprintf(`<font point-size="%d">%s</font>`, size, text)
			}
			fmt.Fprintf(&b, `<td align="left">%s</td>`, text)
		}
		b.WriteString("</tr>")
	}
	if failed {
		fmt.Fprintf(&b, `<tr><td align="left" colspan="%d"><b>FAILED</b></td></tr>`, len(rows[0]))
	}
	b.WriteString("</table>")
	return b.String()
}

// legend is the graph's label: the caption, one swatch per kind the
// drawing uses, what red and dashed lines mean when they can appear, and
// the channel table of Options.Details; "" for an empty drawing.
func (m *Model) legend() string {
	used := map[string]bool{}
	finding, failed, facility := false, false, false
	for _, n := range m.Nodes {
		used[n.Kind] = true
		finding = finding || n.HasFind
		failed = failed || n.Failed
		facility = facility || n.FacilityDown
	}
	if len(used) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(`<table border="0" cellborder="1" cellspacing="0" cellpadding="2">`)
	row := func(fill, text string) {
		fmt.Fprintf(&b, `<tr><td bgcolor="%s" fixedsize="true" width="14" height="11"></td><td align="left"><font point-size="9">%s</font></td></tr>`, fill, html(text))
	}
	if m.Caption != "" {
		// Over the text column only: spanning both, its width would be
		// shared out and widen the swatches too.
		fmt.Fprintf(&b, `<tr><td border="0"></td><td border="0" align="left"><font point-size="12"><b>%s</b></font></td></tr>`, html(m.Caption))
	}
	for _, k := range kinds {
		if used[k] {
			row(styles[k].fill, styles[k].name)
		}
	}
	if failed {
		row(failedFill, "failed device")
	}
	if facility {
		row("red", "red frame: failed facility")
	}
	if finding {
		row("#ffffff", "red / orange outline: a finding (error / warning)")
	}
	if m.Overlaid {
		row("red", "red line: link down")
		row("#ffffff", "dashed line: BGP session down")
	}
	b.WriteString("</table>")
	if len(m.Details) == 0 {
		return b.String()
	}
	// The legend and the channels side by side.
	return `<table border="0" cellspacing="8"><tr><td valign="top">` + b.String() + `</td><td valign="top">` + table(m.Details, "#ffffff", false, 9) + `</td></tr></table>`
}
