package render

import (
	"encoding/json"
	"io"
	"strings"
)

// GraphSchema names the JSON drawing's schema (docs/graph-json.md).
const GraphSchema = "patchbay.graph/v1"

type jsonGraph struct {
	Schema    string        `json:"schema"`
	Direction string        `json:"direction"`
	Caption   string        `json:"caption,omitempty"`
	Clusters  []jsonCluster `json:"clusters"`
	Nodes     []jsonNode    `json:"nodes"`
	Edges     []jsonEdge    `json:"edges"`
	Legend    []jsonKind    `json:"legend"`
	Details   [][]string    `json:"details,omitempty"`
}

type jsonCluster struct {
	ID     string `json:"id"`
	Label  string `json:"label"`
	Parent string `json:"parent,omitempty"`
}

type jsonNode struct {
	ID      string            `json:"id"`
	Kind    string            `json:"kind"`
	Label   string            `json:"label"`
	Cluster string            `json:"cluster,omitempty"`
	Shape   string            `json:"shape"`
	Fill    string            `json:"fill"`
	Table   [][]string        `json:"table,omitempty"`
	Finding *jsonFinding      `json:"finding,omitempty"`
	Failed  bool              `json:"failed,omitempty"`
	Attrs   map[string]string `json:"attrs"`
}

type jsonFinding struct {
	Severity string   `json:"severity"`
	Rules    []string `json:"rules"`
}

type jsonEdge struct {
	From     string            `json:"from"`
	To       string            `json:"to"`
	Kind     string            `json:"kind"`
	Label    string            `json:"label,omitempty"`
	Link     string            `json:"link,omitempty"`
	Sessions []string          `json:"sessions,omitempty"`
	Down     bool              `json:"down,omitempty"`
	BGPDown  bool              `json:"bgp_down,omitempty"`
	Attrs    map[string]string `json:"attrs"`
}

type jsonKind struct {
	Kind  string `json:"kind"`
	Name  string `json:"name"`
	Shape string `json:"shape"`
	Fill  string `json:"fill"`
}

func attrMap(as []Attr) map[string]string {
	m := make(map[string]string, len(as))
	for _, a := range as {
		m[a.Key] = a.Value
	}
	return m
}

// WriteJSON writes the model as data, for tools that draw it themselves:
// the same nodes, edges, clusters and legend as the DOT, with each one's
// attributes. encoding/json sorts the attribute maps' keys, so the bytes
// are the same every time.
func (m *Model) WriteJSON(w io.Writer) error {
	g := jsonGraph{Schema: GraphSchema, Direction: m.Direction, Caption: m.Caption, Clusters: []jsonCluster{},
		Nodes: []jsonNode{}, Edges: []jsonEdge{}, Legend: []jsonKind{}, Details: m.Details}
	var walk func(t *clusterTree)
	walk = func(t *clusterTree) {
		for _, n := range t.nodes {
			st := styles[n.Kind]
			jn := jsonNode{ID: n.ID, Kind: n.Kind, Label: n.Label, Shape: st.shape, Fill: st.fill, Table: n.Table, Failed: n.Failed, Attrs: attrMap(n.Attrs)}
			if len(t.path) > 0 {
				jn.Cluster = strings.Join(t.path, "/")
			}
			if n.HasFind {
				jn.Finding = &jsonFinding{Severity: n.Finding.String(), Rules: n.Rules}
			}
			g.Nodes = append(g.Nodes, jn)
		}
		for _, c := range t.children {
			jc := jsonCluster{ID: strings.Join(c.path, "/"), Label: clusterLabel(c.path)}
			if len(t.path) > 0 {
				jc.Parent = strings.Join(t.path, "/")
			}
			g.Clusters = append(g.Clusters, jc)
			walk(c)
		}
	}
	walk(m.tree())
	for _, e := range m.Edges {
		g.Edges = append(g.Edges, jsonEdge{From: e.From, To: e.To, Kind: e.Kind, Label: e.Label, Link: e.Link, Sessions: e.Sessions,
			Down: e.Down, BGPDown: e.BGPDown, Attrs: attrMap(e.Attrs)})
	}
	used := map[string]bool{}
	for _, n := range m.Nodes {
		used[n.Kind] = true
	}
	for _, k := range kinds {
		if used[k] {
			g.Legend = append(g.Legend, jsonKind{Kind: k, Name: styles[k].name, Shape: styles[k].shape, Fill: styles[k].fill})
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(g)
}
