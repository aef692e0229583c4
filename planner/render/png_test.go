package render

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"patchbay/planner/plantest"
)

// ink reports whether a pixel near (x, y) is drawn dark: an outline, an
// edge line or a glyph, not the white page or a pastel fill.
func ink(img image.Image, x, y float64, radius int) bool {
	for dy := -radius; dy <= radius; dy++ {
		for dx := -radius; dx <= radius; dx++ {
			r, g, b, _ := img.At(int(math.Round(x))+dx, int(math.Round(y))+dy).RGBA()
			if 0.299*float64(r>>8)+0.587*float64(g>>8)+0.114*float64(b>>8) < 170 {
				return true
			}
		}
	}
	return false
}

// TestPNGDrawsEverything checks the pixels of every example's PNG against
// Graphviz's own layout: each node's outline is drawn all round, each edge
// has ink along its length (not only at its ends), and each label's text is
// there. go-graphviz's PNG renderer fails exactly these.
func TestPNGDrawsEverything(t *testing.T) {
	for _, f := range plantest.Examples(t, "../../examples") {
		t.Run(filepath.Base(f), func(t *testing.T) {
			m := Build(plantest.File(t, f), Options{})
			l, err := m.Layout(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := m.WritePNG(context.Background(), &buf); err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(&buf)
			if err != nil {
				t.Fatal(err)
			}
			nodes, edges, labels := 0, 0, 0
			for _, o := range l.Objects {
				if o.Nodes != nil || strings.HasPrefix(o.Name, "cluster") {
					continue
				}
				nodes++
				outline := outlineOf(l, o.Draw)
				if len(outline) == 0 {
					t.Errorf("node %s has no outline operation", o.Name)
					continue
				}
				for i := 0; i < len(outline); i++ {
					a, b := outline[i], outline[(i+1)%len(outline)]
					mx, my := (a[0]+b[0])/2, (a[1]+b[1])/2
					if !ink(img, mx, my, 2) {
						t.Errorf("node %s: no border drawn at (%.0f, %.0f)", o.Name, mx, my)
						break
					}
				}
				labels += checkText(t, img, l, o.LDraw, o.Name)
			}
			for i, e := range l.Edges {
				for _, op := range e.Draw {
					if op.Op != "b" {
						continue
					}
					edges++
					line := flatten(pixels(l, op.Points))
					for _, frac := range []float64{0.25, 0.5, 0.75} {
						p := line[int(frac*float64(len(line)-1))]
						if !ink(img, p[0], p[1], 2) {
							t.Errorf("edge %d: nothing drawn at %.0f%% of its length (%.0f, %.0f)", i, frac*100, p[0], p[1])
						}
					}
				}
				labels += checkText(t, img, l, e.LDraw, "edge label")
			}
			if nodes < len(m.Nodes) || edges < len(m.Edges) || labels == 0 {
				t.Errorf("checked %d nodes, %d edges, %d labels; the model has %d nodes and %d edges", nodes, edges, labels, len(m.Nodes), len(m.Edges))
			}
		})
	}
}

func pixels(l *Layout, ps [][2]float64) [][2]float64 {
	out := make([][2]float64, len(ps))
	for i, p := range ps {
		x, y := l.ToPixel(p[0], p[1])
		out[i] = [2]float64{x, y}
	}
	return out
}

// outlineOf is a node's outline in pixels: its last polygon or ellipse.
func outlineOf(l *Layout, ops []xdotOp) [][2]float64 {
	var out [][2]float64
	for _, op := range ops {
		switch op.Op {
		case "P", "p":
			out = pixels(l, op.Points)
		case "E", "e":
			x, y := l.ToPixel(op.Rect[0], op.Rect[1])
			out = ellipsePoints(x, y, op.Rect[2]*pngScale, op.Rect[3]*pngScale, 48) // chords close to the curve
		}
	}
	return out
}

// checkText counts the labels found drawn: a label's box must hold a good
// number of dark pixels.
func checkText(t *testing.T, img image.Image, l *Layout, ops []xdotOp, what string) int {
	n, size := 0, 14.0
	for _, op := range ops {
		switch op.Op {
		case "F":
			size = op.Size
		case "T":
			if strings.TrimSpace(op.Text) == "" {
				continue
			}
			x, y := l.ToPixel(op.Pt[0], op.Pt[1])
			w := op.Width * pngScale
			x0 := x - w/2
			switch op.Align {
			case "l":
				x0 = x
			case "r":
				x0 = x - w
			}
			dark := 0
			for py := int(y - size*pngScale); py <= int(y); py++ {
				for px := int(x0); px <= int(x0+w); px++ {
					r, g, b, _ := img.At(px, py).RGBA()
					if 0.299*float64(r>>8)+0.587*float64(g>>8)+0.114*float64(b>>8) < 128 {
						dark++
					}
				}
			}
			if dark < 4*len(op.Text) {
				t.Errorf("%s: the text %q is not drawn (%d dark pixels)", what, op.Text, dark)
			}
			n++
		}
	}
	return n
}
