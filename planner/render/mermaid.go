package render

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// mermaidShapes opens and closes a node of each kind.
var mermaidShapes = map[string][2]string{
	"vpc": {"[", "]"}, "group": {"[[", "]]"}, "gcp_vpc": {"[", "]"}, "site": {"[/", "\\]"},
	"vpn_gateway": {"[\\", "/]"}, "dx_gateway": {"{{", "}}"}, "transit_gateway": {"{{", "}}"},
	"core_network": {"[", "]"}, "core_network_edge": {"([", "])"}, "interconnect": {">", "]"}, "last_mile": {">", "]"}, "router": {"((", "))"},
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
	return `"` + mermaidEscaper.Replace(s) + `"`
}

var mermaidEscaper = strings.NewReplacer(`"`, "#quot;", "\n", "<br/>")

// WriteMermaid writes the model as a Mermaid flowchart, with the same nodes,
// edges and clusters as the DOT output.
func (m *Model) WriteMermaid(w io.Writer) error {
	var b strings.Builder
	if m.Caption != "" {
		// Mermaid's front matter title is its caption.
		fmt.Fprintf(&b, "---\ntitle: %s\n---\n", mermaidText(m.Caption))
	}
	fmt.Fprintf(&b, "flowchart %s\n", m.Direction)
	used := map[string][]string{}
	var walk func(t *clusterTree, indent string)
	walk = func(t *clusterTree, indent string) {
		for _, n := range t.nodes {
			sh := mermaidShapes[n.Kind]
			label := n.Label
			if n.Table != nil {
				// The header's first cell names the table; the rest of it
				// names columns a flowchart node cannot draw.
				rows := []string{n.Table[0][0]}
				for _, r := range n.Table[1:] {
					rows = append(rows, strings.Join(r, " · "))
				}
				label = strings.Join(rows, "\n")
			}
			class := n.Kind
			if n.Failed {
				label += "\nFAILED"
				class = "failed"
			}
			used[class] = append(used[class], MermaidID(n.ID))
			fmt.Fprintf(&b, "%s%s%s%s%s\n", indent, MermaidID(n.ID), sh[0], mermaidText(label), sh[1])
		}
		for _, c := range t.children {
			fmt.Fprintf(&b, "%ssubgraph %s[%s]\n", indent, MermaidID("cluster_"+strings.Join(c.path, "/")), mermaidText(clusterLabel(c.path)))
			walk(c, indent+"  ")
			fmt.Fprintf(&b, "%send\n", indent)
		}
	}
	walk(m.tree(), "  ")
	// The legend: one sample of each kind drawn, in its class.
	b.WriteString("  subgraph legend[\"Legend\"]\n")
	for _, k := range kinds {
		if len(used[k]) > 0 {
			sh := mermaidShapes[k]
			fmt.Fprintf(&b, "    legend_%s%s%s%s:::%s\n", k, sh[0], mermaidText(styles[k].name), sh[1], k)
		}
	}
	if len(used["failed"]) > 0 {
		b.WriteString("    legend_failed[\"failed device\"]:::failed\n")
	}
	b.WriteString("  end\n")
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
	for _, k := range append(slices.Clone(kinds), "failed") {
		if len(used[k]) == 0 {
			continue
		}
		fill := failedFill
		if k != "failed" {
			fill = styles[k].fill
		}
		fmt.Fprintf(&b, "  classDef %s fill:%s,stroke:#333\n  class %s %s\n", k, fill, strings.Join(used[k], ","), k)
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
