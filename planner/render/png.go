package render

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/goccy/go-graphviz"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// PNG: go-graphviz's own PNG renderer drops outlines, edges and text, so
// patchbay takes Graphviz's layout and drawing operations (its JSON output,
// the xdot operations) and rasterises them itself with x/image: filled and
// outlined polygons, ellipses, Bézier curves and text in the Go font.

// A PNG has the pixel count dot -Tpng gives a drawing: 96 dpi (Graphviz's
// default for bitmaps), and a drawing longer than cairo's bitmap limit is
// scaled down to fit it, as dot does ("graph is too large for
// cairo-renderer bitmaps"). At 144 dpi and no limit the 1,000-node design of
// BenchmarkPNG1000 was an 89-megapixel image, 13 times dot's 7, and took
// 1.4 GB.
const (
	pngDPI     = 96
	pngMaxSide = 32767
	// pngMaxPixels keeps a drawing that is large both ways (the limit
	// above allows a gigapixel) from taking gigabytes.
	pngMaxPixels = 400e6
)

// pngScale is how many pixels a Graphviz point (1/72 inch) takes in a PNG
// of a w×h point drawing.
func pngScale(w, h float64) float64 {
	s := float64(pngDPI) / 72
	if w*s > pngMaxSide || h*s > pngMaxSide {
		s = math.Min(pngMaxSide/w, pngMaxSide/h)
	}
	return s
}

// xdotOp is one drawing operation of Graphviz's JSON output.
type xdotOp struct {
	Op     string       `json:"op"`
	Color  string       `json:"color"`
	Points [][2]float64 `json:"points"`
	Rect   [4]float64   `json:"rect"`
	Pt     [2]float64   `json:"pt"`
	Align  string       `json:"align"`
	Width  float64      `json:"width"`
	Text   string       `json:"text"`
	Size   float64      `json:"size"`
	Style  string       `json:"style"`
	// FontChar is a text's characteristics, a bit set whose lowest bit
	// is bold (xdot's "t" operation).
	FontChar int `json:"fontchar"`
}

type xdotObject struct {
	Name  string   `json:"name"`
	Nodes []int    `json:"nodes"` // set on clusters
	Draw  []xdotOp `json:"_draw_"`
	LDraw []xdotOp `json:"_ldraw_"`
	HDraw []xdotOp `json:"_hdraw_"`
	TDraw []xdotOp `json:"_tdraw_"`
}

// Layout is Graphviz's layout of a model, as its JSON output gives it.
type Layout struct {
	BB      string       `json:"bb"`
	Draw    []xdotOp     `json:"_draw_"`
	LDraw   []xdotOp     `json:"_ldraw_"` // the legend
	Objects []xdotObject `json:"objects"`
	Edges   []xdotObject `json:"edges"`
}

// Layout returns Graphviz's layout of the model.
func (m *Model) Layout(ctx context.Context) (*Layout, error) {
	b, err := m.layout(ctx, graphviz.Format("json"))
	if err != nil {
		return nil, err
	}
	var l Layout
	if err := json.Unmarshal(b, &l); err != nil {
		return nil, fmt.Errorf("graphviz layout: %v", err)
	}
	return &l, nil
}

// Size is the drawing's size in Graphviz points.
func (l *Layout) Size() (w, h float64) {
	f := strings.Split(l.BB, ",")
	if len(f) != 4 {
		return 0, 0
	}
	w, _ = strconv.ParseFloat(f[2], 64)
	h, _ = strconv.ParseFloat(f[3], 64)
	return w, h
}

// Scale is how many pixels of the PNG a Graphviz point takes.
func (l *Layout) Scale() float64 {
	return pngScale(l.Size())
}

// ToPixel maps a Graphviz point (y up) to a pixel of the PNG (y down).
func (l *Layout) ToPixel(x, y float64) (float64, float64) {
	w, h := l.Size()
	s := pngScale(w, h)
	return x * s, (h - y) * s
}

// WritePNG lays the model out and rasterises it.
func (m *Model) WritePNG(ctx context.Context, w io.Writer) error {
	l, err := m.Layout(ctx)
	if err != nil {
		return err
	}
	// The layout runs in Graphviz, which does not look at ctx; an
	// interrupt during it stops the drawing here, and between its steps.
	if err := ctx.Err(); err != nil {
		return err
	}
	img, err := l.Rasterise()
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return pngEncoder.Encode(w, img)
}

// pngEncoder trades a little size for time: a diagram is mostly flat
// colour, which the fastest level still packs well. The 1,000-node design
// of BenchmarkPNG1000: 3.3 MB in 0.21 s at BestSpeed, 3.0 MB in 0.87 s at
// the default level.
var pngEncoder = png.Encoder{CompressionLevel: png.BestSpeed}

var (
	goFont     = sync.OnceValues(func() (*opentype.Font, error) { return opentype.Parse(goregular.TTF) })
	goBoldFont = sync.OnceValues(func() (*opentype.Font, error) { return opentype.Parse(gobold.TTF) })
)

type raster struct {
	h, scale float64 // the drawing's height in points, pixels per point
	img      *image.RGBA
	// blank is true until something is drawn: Graphviz's first operation
	// fills the whole page with white, which the page already is.
	blank bool
	// z is every fill's rasteriser, reset to the fill's bounding box, and
	// src, quad and join are reused the same way: a 1,000-node design is
	// some 100,000 fills, mostly the quads and joins of edge strokes, and
	// each allocated its own.
	z     vector.Rasterizer
	src   *image.Uniform
	quad  [4][2]float64
	join  [8][2]float64
	pen   color.RGBA
	fill  color.RGBA
	width float64
	dash  bool
	size  float64
	bold  bool
	faces map[faceKey]font.Face
}

type faceKey struct {
	size float64
	bold bool
}

// Rasterise draws the layout: clusters and nodes first, then edges.
func (l *Layout) Rasterise() (*image.RGBA, error) {
	w, h := l.Size()
	return l.rasterise(pngScale(w, h))
}

// rasterise draws the layout at scale pixels per point; the pixel test
// draws at the 144 dpi of the code its reference image came from.
func (l *Layout) rasterise(scale float64) (*image.RGBA, error) {
	w, h := l.Size()
	if w <= 0 || h <= 0 || w*h*scale*scale > pngMaxPixels {
		return nil, fmt.Errorf("a %gx%g point drawing is too large for a PNG: use SVG", w, h)
	}
	side := func(v float64) int {
		n := int(math.Ceil(v * scale))
		// A scale that fits a side to pngMaxSide can round a pixel past it.
		if n == pngMaxSide+1 && v*scale < pngMaxSide+1e-6 {
			n = pngMaxSide
		}
		return n
	}
	img := image.NewRGBA(image.Rect(0, 0, side(w), side(h)))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	r := &raster{h: h, scale: scale, img: img, blank: true, src: image.NewUniform(nil), faces: map[faceKey]font.Face{}}
	lists := [][]xdotOp{l.Draw, l.LDraw}
	for _, o := range l.Objects {
		lists = append(lists, o.Draw, o.LDraw)
	}
	for _, e := range l.Edges {
		lists = append(lists, e.Draw, e.HDraw, e.TDraw, e.LDraw)
	}
	for _, ops := range lists {
		r.pen, r.fill, r.width, r.dash, r.bold = color.RGBA{A: 255}, color.RGBA{A: 255}, 1, false, false
		for _, op := range ops {
			if err := r.do(op); err != nil {
				return nil, err
			}
		}
	}
	return img, nil
}

func (r *raster) pts(ps [][2]float64) [][2]float64 {
	out := make([][2]float64, len(ps))
	for i, p := range ps {
		out[i] = [2]float64{p[0] * r.scale, (r.h - p[1]) * r.scale}
	}
	return out
}

func (r *raster) do(op xdotOp) error {
	switch op.Op {
	case "c":
		r.pen = parseColor(op.Color)
	case "C":
		r.fill = parseColor(op.Color)
	case "S":
		switch {
		case strings.HasPrefix(op.Style, "setlinewidth("):
			r.width, _ = strconv.ParseFloat(strings.TrimSuffix(strings.TrimPrefix(op.Style, "setlinewidth("), ")"), 64)
		case op.Style == "dashed" || op.Style == "dotted":
			r.dash = true
		case op.Style == "solid":
			r.dash = false
		}
	case "P":
		p := r.pts(op.Points)
		r.fillPath(p, r.fill)
		r.stroke(append(p, p[0]))
	case "p":
		p := r.pts(op.Points)
		r.stroke(append(p, p[0]))
	case "L":
		r.stroke(r.pts(op.Points))
	case "b", "B":
		p := flatten(r.pts(op.Points))
		if op.Op == "B" {
			r.fillPath(p, r.fill)
		}
		r.stroke(p)
	case "E", "e":
		p := ellipse(r, op.Rect)
		if op.Op == "E" {
			r.fillPath(p, r.fill)
		}
		r.stroke(append(p, p[0]))
	case "F":
		r.size = op.Size
	case "t":
		r.bold = op.FontChar&1 != 0
	case "T":
		return r.text(op)
	}
	return nil
}

// fillPath fills a closed path. The rasteriser covers only the path's
// bounding box: a stroke is hundreds of small quads, and a page-sized
// rasteriser for each would make a PNG take minutes.
func (r *raster) fillPath(p [][2]float64, c color.RGBA) {
	if len(p) < 3 || c.A == 0 {
		return
	}
	if r.blank && c == (color.RGBA{255, 255, 255, 255}) {
		// Opaque white over white is white to the bit, however much of a
		// pixel it covers, and Graphviz's page fill needs a rasteriser the
		// size of the image: as much memory again, and time.
		return
	}
	r.blank = false
	minX, minY, maxX, maxY := p[0][0], p[0][1], p[0][0], p[0][1]
	for _, q := range p[1:] {
		minX, minY = math.Min(minX, q[0]), math.Min(minY, q[1])
		maxX, maxY = math.Max(maxX, q[0]), math.Max(maxY, q[1])
	}
	box := image.Rect(int(math.Floor(minX))-1, int(math.Floor(minY))-1, int(math.Ceil(maxX))+1, int(math.Ceil(maxY))+1).Intersect(r.img.Bounds())
	if box.Empty() {
		return
	}
	ox, oy := float64(box.Min.X), float64(box.Min.Y)
	z := &r.z
	z.Reset(box.Dx(), box.Dy())
	z.MoveTo(float32(p[0][0]-ox), float32(p[0][1]-oy))
	for _, q := range p[1:] {
		z.LineTo(float32(q[0]-ox), float32(q[1]-oy))
	}
	z.ClosePath()
	r.src.C = c
	z.Draw(r.img, box, r.src, image.Point{})
}

// stroke draws a polyline of the pen's width as filled quads with round
// joins; a dashed pen draws 6-pixel dashes with 4-pixel gaps.
func (r *raster) stroke(p [][2]float64) {
	if r.pen.A == 0 {
		return
	}
	half := math.Max(r.width*r.scale, 1.2) / 2
	along := 0.0
	for i := 1; i < len(p); i++ {
		a, b := p[i-1], p[i]
		dx, dy := b[0]-a[0], b[1]-a[1]
		n := math.Hypot(dx, dy)
		if n == 0 {
			continue
		}
		if r.dash {
			// 6 pixels on, 4 off, continuing the pattern across segments.
			for t := 0.0; t < n; {
				phase := math.Mod(along+t, 10)
				if phase < 6 {
					e := math.Min(t+6-phase, n)
					r.segment([2]float64{a[0] + dx*t/n, a[1] + dy*t/n}, [2]float64{a[0] + dx*e/n, a[1] + dy*e/n}, half)
					t = e
				} else {
					t += 10 - phase
				}
			}
			along += n
			continue
		}
		r.segment(a, b, half)
		// A round join: an octagon, the cosines and sines of its corners
		// computed once (the same values ellipsePoints computes).
		for i, u := range octagon() {
			r.join[i] = [2]float64{b[0] + half*u[0], b[1] + half*u[1]}
		}
		r.fillPath(r.join[:], r.pen)
	}
}

var octagon = sync.OnceValue(func() (u [8][2]float64) {
	for i := range u {
		a := 2 * math.Pi * float64(i) / 8
		u[i] = [2]float64{math.Cos(a), math.Sin(a)}
	}
	return u
})

func (r *raster) segment(a, b [2]float64, half float64) {
	dx, dy := b[0]-a[0], b[1]-a[1]
	n := math.Hypot(dx, dy)
	if n == 0 {
		return
	}
	nx, ny := -dy/n*half, dx/n*half
	r.quad = [4][2]float64{{a[0] + nx, a[1] + ny}, {b[0] + nx, b[1] + ny}, {b[0] - nx, b[1] - ny}, {a[0] - nx, a[1] - ny}}
	r.fillPath(r.quad[:], r.pen)
}

// flatten turns Graphviz's piecewise cubic Bézier (p0 c1 c2 p3 c4 c5 p6 …)
// into a polyline.
func flatten(p [][2]float64) [][2]float64 {
	if len(p) < 4 {
		return p
	}
	out := [][2]float64{p[0]}
	for i := 0; i+3 < len(p); i += 3 {
		p0, p1, p2, p3 := p[i], p[i+1], p[i+2], p[i+3]
		for s := 1; s <= 16; s++ {
			t := float64(s) / 16
			u := 1 - t
			out = append(out, [2]float64{
				u*u*u*p0[0] + 3*u*u*t*p1[0] + 3*u*t*t*p2[0] + t*t*t*p3[0],
				u*u*u*p0[1] + 3*u*u*t*p1[1] + 3*u*t*t*p2[1] + t*t*t*p3[1],
			})
		}
	}
	return out
}

func ellipse(r *raster, rect [4]float64) [][2]float64 {
	return ellipsePoints(rect[0]*r.scale, (r.h-rect[1])*r.scale, rect[2]*r.scale, rect[3]*r.scale, 64)
}

func ellipsePoints(cx, cy, rx, ry float64, n int) [][2]float64 {
	out := make([][2]float64, n)
	for i := range out {
		a := 2 * math.Pi * float64(i) / float64(n)
		out[i] = [2]float64{cx + rx*math.Cos(a), cy + ry*math.Sin(a)}
	}
	return out
}

func (r *raster) face() (font.Face, error) {
	size := r.size
	if size == 0 {
		size = 14
	}
	return r.faceOf(size)
}

func (r *raster) faceOf(size float64) (font.Face, error) {
	key := faceKey{size, r.bold}
	if f, ok := r.faces[key]; ok {
		return f, nil
	}
	load := goFont
	if r.bold {
		load = goBoldFont
	}
	fnt, err := load()
	if err != nil {
		return nil, err
	}
	f, err := opentype.NewFace(fnt, &opentype.FaceOptions{Size: size * r.scale * 0.95, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return nil, err
	}
	r.faces[key] = f
	return f, nil
}

// text draws a label at Graphviz's baseline point, aligned as it says.
func (r *raster) text(op xdotOp) error {
	f, err := r.face()
	if err != nil {
		return err
	}
	x, y := op.Pt[0]*r.scale, (r.h-op.Pt[1])*r.scale
	r.blank = false
	d := &font.Drawer{Dst: r.img, Src: image.NewUniform(r.pen), Face: f}
	w := float64(d.MeasureString(op.Text)) / 64
	if room := op.Width * r.scale; room > 0 && w > room {
		// The Go font is wider than the Helvetica Graphviz measured the
		// text with, and the box it made holds only that: a smaller size,
		// in quarter points so faces are shared, keeps the text inside
		// its node, cell or label space.
		size := r.size
		if size == 0 {
			size = 14
		}
		size = math.Floor(size*room/w*4) / 4
		if f, err = r.faceOf(size); err != nil {
			return err
		}
		d.Face = f
		w = float64(d.MeasureString(op.Text)) / 64
	}
	switch op.Align {
	case "c":
		x -= w / 2
	case "r":
		x -= w
	}
	d.Dot = fixed.Point26_6{X: fixed.Int26_6(x * 64), Y: fixed.Int26_6(y * 64)}
	d.DrawString(op.Text)
	return nil
}

var namedColors = map[string]color.RGBA{
	"black": {0, 0, 0, 255}, "white": {255, 255, 255, 255}, "red": {220, 0, 0, 255},
	"orange": {255, 140, 0, 255}, "transparent": {}, "none": {},
}

// parseColor reads Graphviz's #rrggbb[aa] colours and the names patchbay uses.
func parseColor(s string) color.RGBA {
	if c, ok := namedColors[strings.ToLower(s)]; ok {
		return c
	}
	if len(s) == 7 || len(s) == 9 {
		v, err := strconv.ParseUint(s[1:], 16, 32)
		if err == nil {
			if len(s) == 7 {
				return color.RGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 255}
			}
			a := uint8(v)
			// Premultiply, as image.RGBA wants.
			mul := func(c uint8) uint8 { return uint8(uint32(c) * uint32(a) / 255) }
			return color.RGBA{mul(uint8(v >> 24)), mul(uint8(v >> 16)), mul(uint8(v >> 8)), a}
		}
	}
	return color.RGBA{0, 0, 0, 255}
}
