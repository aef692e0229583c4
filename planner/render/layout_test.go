package render_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"

	"patchbay/planner/plantest"
	"patchbay/planner/render"
)

// textBox is one run of text in Graphviz's SVG, with its box in SVG units
// and what it belongs to.
type textBox struct {
	owner, class, text     string
	minX, minY, maxX, maxY float64
}

func (a textBox) overlaps(b textBox) bool {
	return a.minX < b.maxX && b.minX < a.maxX && a.minY < b.maxY && b.minY < a.maxY
}

func (a textBox) String() string {
	return fmt.Sprintf("%s %s %q at (%.0f,%.0f)-(%.0f,%.0f)", a.class, a.owner, a.text, a.minX, a.minY, a.maxX, a.maxY)
}

// textBoxes reads every <text> of an SVG. SVG carries no text widths, so
// each is measured in the Go font at 0.95 of its size, the PNG
// rasteriser's font before it fits a text to the width Graphviz reserved:
// wider than the Helvetica Graphviz estimates with and never narrower than
// the PNG's text, so boxes apart here are apart in the PNG and in a
// browser's SVG too.
func textBoxes(t *testing.T, svg []byte) []textBox {
	t.Helper()
	fnt, err := opentype.Parse(goregular.TTF)
	if err != nil {
		t.Fatal(err)
	}
	faces := map[float64]font.Face{}
	measure := func(s string, size float64) float64 {
		f, ok := faces[size]
		if !ok {
			if f, err = opentype.NewFace(fnt, &opentype.FaceOptions{Size: size * 0.95, DPI: 72}); err != nil {
				t.Fatal(err)
			}
			faces[size] = f
		}
		return float64(font.MeasureString(f, s)) / 64
	}
	type group struct{ id, class string }
	var stack []group
	var out []textBox
	d := xml.NewDecoder(bytes.NewReader(svg))
	d.Strict = false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			attr := func(name string) string {
				for _, a := range el.Attr {
					if a.Name.Local == name {
						return a.Value
					}
				}
				return ""
			}
			switch el.Name.Local {
			case "g":
				stack = append(stack, group{attr("id"), attr("class")})
			case "text":
				var s string
				if err := d.DecodeElement(&s, &el); err != nil {
					t.Fatal(err)
				}
				if strings.TrimSpace(s) == "" {
					continue
				}
				x, _ := strconv.ParseFloat(attr("x"), 64)
				y, _ := strconv.ParseFloat(attr("y"), 64)
				size, _ := strconv.ParseFloat(attr("font-size"), 64)
				w := measure(s, size)
				switch attr("text-anchor") {
				case "middle":
					x -= w / 2
				case "end":
					x -= w
				}
				// The baseline is y: ascenders above, descenders below.
				b := textBox{text: s, minX: x, maxX: x + w, minY: y - 0.75*size, maxY: y + 0.2*size}
				// The innermost group with a class owns the text.
				for i := len(stack) - 1; i >= 0; i-- {
					if stack[i].class != "" {
						b.owner, b.class = stack[i].id, stack[i].class
						break
					}
				}
				out = append(out, b)
			}
		case xml.EndElement:
			if el.Name.Local == "g" {
				stack = stack[:len(stack)-1]
			}
		}
	}
	return out
}

// TestLayoutLegible guards the drawings' layout: in the SVG of every
// example, drawn as planned, channel by channel and collapsed, and with
// the details table, no two runs of text overlap, so no edge label sits on
// a cluster's title, a node or another label.
func TestLayoutLegible(t *testing.T) {
	for _, f := range plantest.Examples(t, "../../examples") {
		// A moment of a scenario: a caption above the legend, a facility
		// and a device failed.
		moment := render.Options{Caption: filepath.Base(f) + ": scenario x at 1m1s; failed: facility us-east-1/fac-a", Overlay: deviceOverlay{
			overlay:    overlay{down: map[string]bool{}},
			devices:    map[string]bool{"us-east-1/fac-b/aws-r1": true, "transit_gateway.hub": true},
			facilities: map[string]bool{"us-east-1/fac-a": true},
		}}
		for i, o := range []render.Options{{}, {Collapse: true}, {Details: true}, {Direction: "TB"}, moment} {
			name := fmt.Sprintf("%s/%d:collapse=%v,details=%v,%s,caption=%v", filepath.Base(f), i, o.Collapse, o.Details, o.Direction, o.Caption != "")
			t.Run(name, func(t *testing.T) {
				var svg bytes.Buffer
				if err := render.Build(plantest.File(t, f), o).WriteSVG(context.Background(), &svg); err != nil {
					t.Fatal(err)
				}
				boxes := textBoxes(t, svg.Bytes())
				if len(boxes) == 0 {
					t.Fatal("no text in the SVG")
				}
				for i, a := range boxes {
					for _, b := range boxes[i+1:] {
						if a.overlaps(b) {
							t.Errorf("text overlaps:\n  %v\n  %v", a, b)
						}
					}
				}
			})
		}
	}
}
