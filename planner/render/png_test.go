package render

import (
	"bytes"
	"context"
	"crypto/sha256"
	"flag"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"patchbay/lang"
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
			out = ellipsePoints(x, y, op.Rect[2]*l.Scale(), op.Rect[3]*l.Scale(), 48) // chords close to the curve
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
			w := op.Width * l.Scale()
			x0 := x - w/2
			switch op.Align {
			case "l":
				x0 = x
			case "r":
				x0 = x - w
			}
			dark := 0
			for py := int(y - size*l.Scale()); py <= int(y); py++ {
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

// TestPNGPixels pins the rasteriser's pixels at 144 dpi, the resolution
// before PNGs took dot's: testdata/last_mile_144dpi.png and the checksum of
// transit_hub's, so a change meant only to make the rasteriser faster must
// leave them as they are. A change to the drawing itself (the legend, the
// layout) rewrites them with -update, which logs the new checksum. Each design has a
// failed link (red, wide), a dashed BGP session and a node with an error.
func TestPNGPixels(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		// Other compilers fuse multiply-adds, which moves anti-aliased
		// edges by a level here and there.
		t.Skip("the reference pixels were made on amd64")
	}
	for _, c := range []struct{ name, sum string }{
		{"last_mile", ""}, // the whole image, to see where it differs
		{"transit_hub", "c63807951c8c9fb14c6637ac074f5127b98958a0c0d6787960daabe2416c766f"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := Build(plantest.File(t, "../../examples/"+c.name+".star"), Options{})
			m.Edges[0].Down = true
			m.Edges[1].BGPDown = true
			m.Nodes[0].HasFind, m.Nodes[0].Finding = true, lang.SevError
			l, err := m.Layout(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			got, err := l.rasterise(2)
			if err != nil {
				t.Fatal(err)
			}
			if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
				if c.sum == "" {
					var b bytes.Buffer
					if err := png.Encode(&b, got); err != nil {
						t.Fatal(err)
					}
					plantest.Golden(t, "testdata/"+c.name+"_144dpi.png", b.Bytes(), true)
				} else {
					t.Logf("%s's checksum is now %x: put it in the test", c.name, sha256.Sum256(got.Pix))
				}
				return
			}
			if c.sum != "" {
				if sum := fmt.Sprintf("%x", sha256.Sum256(got.Pix)); sum != c.sum {
					t.Errorf("pixels changed: sha256 %s, want %s", sum, c.sum)
				}
				return
			}
			f, err := os.Open("testdata/" + c.name + "_144dpi.png")
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			ref, err := png.Decode(f)
			if err != nil {
				t.Fatal(err)
			}
			want := image.NewRGBA(ref.Bounds())
			draw.Draw(want, want.Bounds(), ref, ref.Bounds().Min, draw.Src)
			if got.Bounds() != want.Bounds() {
				t.Fatalf("size %v, want %v", got.Bounds(), want.Bounds())
			}
			diff, first := 0, image.Point{-1, -1}
			for y := want.Rect.Min.Y; y < want.Rect.Max.Y; y++ {
				for x := want.Rect.Min.X; x < want.Rect.Max.X; x++ {
					if got.RGBAAt(x, y) != want.RGBAAt(x, y) {
						if diff == 0 {
							first = image.Point{x, y}
						}
						diff++
					}
				}
			}
			if diff > 0 {
				t.Errorf("%d pixels differ from the reference, the first at %v: %v, want %v", diff, first, got.RGBAAt(first.X, first.Y), want.RGBAAt(first.X, first.Y))
			}
		})
	}
}

// TestPNGSize checks a PNG has dot -Tpng's pixel count: 96 dpi, and a
// drawing too long for cairo scaled down to 32767 pixels.
func TestPNGSize(t *testing.T) {
	for _, c := range []struct {
		w, h   float64
		pw, ph int
	}{
		{72, 36, 96, 48},
		{366.83, 61599, 196, 32767},
		{61599, 366.83, 32767, 196},
	} {
		l := &Layout{BB: fmt.Sprintf("0,0,%g,%g", c.w, c.h)}
		img, err := l.Rasterise()
		if err != nil {
			t.Fatal(err)
		}
		if img.Bounds().Dx() != c.pw || img.Bounds().Dy() != c.ph {
			t.Errorf("%gx%g points: %v, want %dx%d pixels", c.w, c.h, img.Bounds(), c.pw, c.ph)
		}
	}
	if _, err := (&Layout{BB: "0,0,30000,30000"}).Rasterise(); err == nil {
		t.Error("a 30000x30000 point drawing (a gigapixel once fitted) is rasterised, want an error")
	}
}
