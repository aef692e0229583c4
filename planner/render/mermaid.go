package render

import (
	"fmt"
	"io"
	"strings"
)

// mermaidShapes opens and closes a node of each kind.
var mermaidShapes = map[string][2]string{
	"vpc": {"[", "]"}, "group": {"[[", "]]"}, "gcp_vpc": {"[", "]"}, "site": {"[/", "\\]"},
	"vpn_gateway": {"[\\", "/]"}, "dx_gateway": {"{{", "}}"}, "transit_gateway": {"{{", "}}"},
	"core_network": {"((", "))"}, "interconnect": {">", "]"}, "last_mile": {">", "]"}, "router": {"((", "))"},
}

// MermaidID maps node ids to the identifiers Mermaid accepts.
func MermaidID(id string) string {
	var b strings.Builder
	for _, r := range id {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' {
			b.WriteRune(r)
		} else {
			fmt.Fprintf(&b, "_%x_", r)
		}
	}
	return b.String()
}

func mermaidText(s string) string {
	r := strings.NewReplacer(`"`, "#quot;", "\n", "<br/>")
	return `"` + r.Replace(s) + `"`
}

// WriteMermaid writes the model as a Mermaid flowchart, with the same nodes,
// edges and clusters as the DOT output.
func (m *Model) WriteMermaid(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "flowchart %s\n", m.Direction)
	var walk func(t *clusterTree, indent string)
	walk = func(t *clusterTree, indent string) {
		for _, n := range t.nodes {
			sh := mermaidShapes[n.Kind]
			fmt.Fprintf(&b, "%s%s%s%s%s\n", indent, MermaidID(n.ID), sh[0], mermaidText(n.Label), sh[1])
		}
		for _, c := range t.children {
			fmt.Fprintf(&b, "%ssubgraph %s[%s]\n", indent, MermaidID("cluster_"+strings.Join(c.path, "/")), mermaidText(clusterLabel(c.path)))
			walk(c, indent+"  ")
			fmt.Fprintf(&b, "%send\n", indent)
		}
	}
	walk(m.tree(), "  ")
	for i, e := range m.Edges {
		arrow := "---"
		if e.BGPDown {
			arrow = "-.-"
		}
		if e.Label != "" {
			fmt.Fprintf(&b, "  %s %s|%s| %s\n", MermaidID(e.From), arrow, mermaidText(e.Label), MermaidID(e.To))
		} else {
			fmt.Fprintf(&b, "  %s %s %s\n", MermaidID(e.From), arrow, MermaidID(e.To))
		}
		if e.Down {
			fmt.Fprintf(&b, "  linkStyle %d stroke:red,stroke-width:2px\n", i)
		}
	}
	for _, n := range m.Nodes {
		if n.HasFind {
			colour := "orange"
			if n.Finding == 0 {
				colour = "red"
			}
			fmt.Fprintf(&b, "  style %s stroke:%s,stroke-width:3px\n", MermaidID(n.ID), colour)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
