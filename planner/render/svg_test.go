package render_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"path/filepath"
	"strings"
	"testing"

	"patchbay/planner/plantest"
	"patchbay/planner/render"
)

type svgG struct {
	ID    string `xml:"id,attr"`
	Class string `xml:"class,attr"`
	Title string `xml:"title"`
	G     []svgG `xml:"g"`
}

func walkSVG(g svgG, fn func(svgG)) {
	fn(g)
	for _, c := range g.G {
		walkSVG(c, fn)
	}
}

// TestSVG parses the SVG of every example: one node per model node (the
// legend aside), one edge per model edge, and the same bytes twice.
func TestSVG(t *testing.T) {
	for _, f := range plantest.Examples(t, "../../examples") {
		t.Run(filepath.Base(f), func(t *testing.T) {
			m := render.Build(plantest.File(t, f), render.Options{})
			var a, b bytes.Buffer
			if err := m.WriteSVG(context.Background(), &a); err != nil {
				t.Fatal(err)
			}
			if err := render.Build(plantest.File(t, f), render.Options{}).WriteSVG(context.Background(), &b); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Fatal("two renderings differ")
			}
			var root struct {
				G []svgG `xml:"g"`
			}
			if err := xml.Unmarshal(a.Bytes(), &root); err != nil {
				t.Fatal(err)
			}
			nodes, edges := map[string]bool{}, 0
			for _, g := range root.G {
				walkSVG(g, func(g svgG) {
					switch g.Class {
					case "node":
						if !strings.HasPrefix(g.ID, "legend.") {
							nodes[g.ID] = true
						}
					case "edge":
						edges++
					}
				})
			}
			if len(nodes) != len(m.Nodes) || edges != len(m.Edges) {
				t.Errorf("SVG has %d nodes and %d edges, the model %d and %d", len(nodes), edges, len(m.Nodes), len(m.Edges))
			}
			for _, n := range m.Nodes {
				if !nodes[n.ID] {
					t.Errorf("node %s is missing", n.ID)
				}
			}
		})
	}
}

func TestSVGFindingTooltip(t *testing.T) {
	p := plantest.Source(t, `hub = transit_gateway("hub", region = "us-east-1")
a = vpc("a", region = "us-east-1", cidr = "10.0.0.0/16", mtu = 8500)
b = vpc("b", region = "us-east-1", cidr = "10.0.0.0/24", mtu = 8500)
attach(a, hub)
attach(b, hub)
`)
	var out bytes.Buffer
	if err := render.Build(p, render.Options{}).WriteSVG(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `xlink:title="vpc.b: cidr&#45;overlap"`) || !strings.Contains(out.String(), `stroke="red"`) {
		t.Errorf("the finding's rule is not in a tooltip:\n%s", out.String())
	}
}

// BenchmarkSVG1000 lays out and writes a 1,000-node design as SVG.
func BenchmarkSVG1000(b *testing.B) {
	m := model1000(b)
	b.ResetTimer()
	for b.Loop() {
		var buf bytes.Buffer
		if err := m.WriteSVG(context.Background(), &buf); err != nil {
			b.Fatal(err)
		}
	}
}
