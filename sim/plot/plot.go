// Package plot draws simulation metrics over time as one SVG document:
// panels stacked on a shared time axis, scenario events as dashed vertical
// lines across all of them, numbered and listed in a key below the panels,
// and protocol transitions as a thin rug of ticks along each panel's foot.
//
// It is a leaf package on gonum.org/v1/plot and imports nothing from
// patchbay, so the simulator's types convert into Point and Series at the
// call site.
//
// Fonts are referenced by name ("Liberation Sans", built into gonum/plot,
// whose metrics lay the text out), not embedded: embedding would add
// the font file to every chart. Liberation Sans is metric-compatible with
// Arial and Helvetica, so a viewer without it substitutes a sans-serif face
// of the same widths and the layout holds.
package plot

import (
	"cmp"
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Point is one sample.
type Point struct {
	T time.Duration
	V float64
}

// Series is one line.
type Series struct {
	Name   string
	Points []Point
}

// Panel is one chart with a shared time axis: e.g. "Link utilisation (%)", "RTT (ms)", "Loss (%)".
type Panel struct {
	Title, YLabel string
	Series        []Series
}

// Marker is something that happened at a moment: a scenario event (the
// zero Kind), drawn as a numbered vertical line across every panel with its
// label in the key, or a protocol transition, a tick in the rug.
type Marker struct {
	At    time.Duration
	Label string
	Kind  MarkerKind
}

// MarkerKind says how a marker is drawn.
type MarkerKind uint8

const (
	// Event is a scenario event: what the user scripted (a failure, a
	// repair, maintenance), few and worth naming.
	Event MarkerKind = iota
	// Transition is a protocol's change of state (BFD down, BGP
	// Established, MKA secured): many, close together, and shown by where
	// they fall rather than by name, which the trace gives.
	Transition
)

const (
	figureWidth = 10 * vg.Inch
	panelHeight = 3 * vg.Inch
	margin      = 0.15 * vg.Inch
	legendGap   = 0.2 * vg.Inch
	panelGap    = 0.1 * vg.Inch
	// minPlotWidth keeps the data area readable when series names are long:
	// the figure widens rather than squeezing the time axis.
	minPlotWidth = 6 * vg.Inch
	// panelChrome is a panel's height outside its data area (title, x axis),
	// so a legend taller than a 3in panel's data area grows every panel.
	panelChrome = 0.9 * vg.Inch
)

// palette has 12 colours distinguishable on white; a panel with more series
// repeats them with a dash pattern (see seriesStyle). Tableau 10, whose
// yellow is darkened to read as a thin line, plus navy and olive.
var palette = []color.RGBA{
	{0x4E, 0x79, 0xA7, 0xFF}, {0xF2, 0x8E, 0x2B, 0xFF}, {0xE1, 0x57, 0x59, 0xFF}, {0x76, 0xB7, 0xB2, 0xFF},
	{0x59, 0xA1, 0x4F, 0xFF}, {0xC9, 0xA8, 0x1E, 0xFF}, {0xB0, 0x7A, 0xA1, 0xFF}, {0xFF, 0x9D, 0xA7, 0xFF},
	{0x9C, 0x75, 0x5F, 0xFF}, {0x8C, 0x86, 0x82, 0xFF}, {0x1F, 0x3B, 0x73, 0xFF}, {0x80, 0x80, 0x00, 0xFF},
}

// dashes are used in turn once the palette is exhausted; the first twelve
// series stay solid because dash patterns break up on dense, jagged lines.
var dashes = [][]vg.Length{
	nil,
	{vg.Points(6), vg.Points(3)},
	{vg.Points(2), vg.Points(2)},
	{vg.Points(8), vg.Points(3), vg.Points(2), vg.Points(3)},
}

func seriesStyle(i int) draw.LineStyle {
	return draw.LineStyle{
		Color:  palette[i%len(palette)],
		Width:  vg.Points(1.25),
		Dashes: dashes[(i/len(palette))%len(dashes)],
	}
}

// sans is gonum/plot's built-in Liberation Sans; its default face is the
// serif one, which reads poorly at tick-label sizes.
var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

var markerStyle = draw.LineStyle{
	Color:  color.RGBA{0x40, 0x40, 0x40, 0xFF},
	Width:  vg.Points(1),
	Dashes: []vg.Length{vg.Points(4), vg.Points(3)},
}

// SVG writes the panels stacked vertically (one SVG document, shared x range [0, duration], x axis in seconds),
// each with a legend; events as dashed vertical lines numbered in the top
// panel and named in a key below the last, transitions as ticks.
//
// The y axis always includes 0, so a steady 64 ms RTT is not drawn as a
// swing between its extremes. A NaN sample is a gap in its line (no
// measurement, e.g. RTT while the path is down); an infinite one is an
// error. Points are joined in the order given. Markers outside [0,
// duration] are not drawn; events at the same time share one line, one
// number and one line of the key, their labels joined.
func SVG(w io.Writer, title string, duration time.Duration, panels []Panel, markers []Marker) error {
	if duration <= 0 {
		return fmt.Errorf("plot: duration %v, want > 0", duration)
	}
	if len(panels) == 0 {
		return errors.New("plot: no panels")
	}
	marks, rug := mergeMarkers(markers, duration)

	plots := make([]*gplot.Plot, len(panels))
	legends := make([]gplot.Legend, len(panels))
	var legendW, legendH vg.Length
	for i, p := range panels {
		var err error
		plots[i], legends[i], err = panelPlot(p, duration, marks, rug, i == 0, i == len(panels)-1)
		if err != nil {
			return err
		}
		size := legends[i].Rectangle(draw.Canvas{}).Size()
		legendW = max(legendW, size.X)
		legendH = max(legendH, size.Y)
	}

	// Room for the legend beyond what Liberation Sans's metrics ask: a
	// viewer without the face substitutes a sans-serif one, DejaVu Sans on
	// most Linux desktops, up to a sixth wider, and the names must not run
	// off the figure's edge.
	legendRoom := legendW * 1.2
	width := max(figureWidth, minPlotWidth+legendGap+legendRoom+2*margin)
	rowH := max(panelHeight, legendH+panelChrome)
	titleStyle := textStyle(16)
	titleStyle.XAlign, titleStyle.YAlign = draw.XCenter, draw.YTop
	title = clean(title)
	titleH := margin
	if title != "" {
		titleH += titleStyle.Height(title) + margin
	}
	keyStyle := textStyle(9)
	keyStyle.XAlign, keyStyle.YAlign = draw.XLeft, draw.YTop
	key := eventKey(marks, rug)
	keyH := vg.Length(0)
	if len(key) > 0 {
		keyH = margin + vg.Length(len(key))*keyStyle.Height("0")*1.2
	}
	height := titleH + vg.Length(len(panels))*rowH + vg.Length(len(panels)-1)*panelGap + keyH + margin

	canvas := vgsvg.New(width, height)
	dc := draw.New(canvas)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	if title != "" {
		dc.FillText(titleStyle, vg.Point{X: width / 2, Y: height - margin}, title)
	}

	for i, line := range key {
		dc.FillText(keyStyle, vg.Point{X: margin, Y: margin + keyH - margin - vg.Length(i)*keyStyle.Height("0")*1.2}, line)
	}
	area := draw.Crop(dc, margin, -(margin + legendGap + legendRoom), margin+keyH, -titleH)
	rows := make([][]*gplot.Plot, len(plots))
	for i, p := range plots {
		rows[i] = []*gplot.Plot{p}
	}
	// Align gives every panel the same data-area left edge whatever its
	// y tick labels' width, which is what makes the time axis shared.
	cells := gplot.Align(rows, draw.Tiles{Rows: len(plots), Cols: 1, PadY: panelGap}, area)
	legendX := width - margin - legendRoom
	for i, p := range plots {
		p.Draw(cells[i][0])
		data := p.DataCanvas(cells[i][0])
		legends[i].Draw(draw.Canvas{Canvas: dc.Canvas, Rectangle: vg.Rectangle{
			Min: vg.Point{X: legendX, Y: data.Min.Y},
			Max: vg.Point{X: legendX + legendW, Y: data.Max.Y},
		}})
	}

	_, err := canvas.WriteTo(w)
	return err
}

func panelPlot(p Panel, duration time.Duration, marks, rug []Marker, labelMarkers, last bool) (*gplot.Plot, gplot.Legend, error) {
	pl := gplot.New()
	pl.Title.Text = clean(p.Title)
	pl.Title.TextStyle.Font = font.From(sans, 12)
	pl.Y.Label.Text = clean(p.YLabel)
	if last {
		pl.X.Label.Text = "Time (s)"
	}
	for _, ax := range []*gplot.Axis{&pl.X, &pl.Y} {
		ax.Label.TextStyle.Font = font.From(sans, 10)
		ax.Tick.Label.Font = font.From(sans, 9)
	}
	pl.Add(plotter.NewGrid())

	legend := gplot.NewLegend()
	legend.Top, legend.Left = true, true
	legend.TextStyle.Font = font.From(sans, 9)
	legend.ThumbnailWidth = vg.Points(24)
	legend.Padding = vg.Points(2)

	pl.Add(markerPlot{marks: marks}, rugPlot{marks: rug})

	end := duration.Seconds()
	ymin, ymax := 0.0, 0.0
	for i, s := range p.Series {
		style := seriesStyle(i)
		runs, err := splitAtGaps(s)
		if err != nil {
			return nil, gplot.Legend{}, fmt.Errorf("plot: panel %q: %w", p.Title, err)
		}
		thumb := &plotter.Line{LineStyle: style}
		for _, xy := range runs {
			for _, pt := range xy {
				// Samples outside the time axis are clipped, so they must
				// not stretch the y axis either.
				if pt.X >= 0 && pt.X <= end {
					ymin, ymax = min(ymin, pt.Y), max(ymax, pt.Y)
				}
			}
			if len(xy) == 1 {
				// A lone sample has no segment to stroke; a dot shows it.
				pl.Add(&plotter.Scatter{XYs: xy, GlyphStyle: draw.GlyphStyle{
					Color: style.Color, Radius: vg.Points(2), Shape: draw.CircleGlyph{},
				}})
				continue
			}
			pl.Add(line{&plotter.Line{XYs: xy, LineStyle: style}})
		}
		legend.Add(clean(s.Name), thumb)
	}
	if labelMarkers {
		pl.Add(markerLabels{marks: marks})
	}

	// Set after Add, which widens the axes to the data: the time axis is
	// the scenario's, not the data's, so panels line up.
	pl.X.Min, pl.X.Max = 0, end
	if ymin == ymax {
		ymax = ymin + 1
	}
	// Headroom keeps a line at its maximum (100 % utilisation) off the frame.
	pl.Y.Min, pl.Y.Max = ymin, ymax+0.05*(ymax-ymin)
	return pl, legend, nil
}

// line draws a series but hides plotter.Line's GlyphBoxes, one per sample,
// which the plot collects again on every layout pass: for 3 panels × 8
// series × 3600 samples that was three quarters of the time and nine
// tenths of the allocations (BenchmarkSVG), to pad the data area by half a
// line width.
type line struct{ l *plotter.Line }

func (l line) Plot(c draw.Canvas, p *gplot.Plot) { l.l.Plot(c, p) }

// splitAtGaps turns a series into runs of finite samples, broken at NaN.
func splitAtGaps(s Series) ([]plotter.XYs, error) {
	var runs []plotter.XYs
	var cur plotter.XYs
	for i, p := range s.Points {
		if math.IsInf(p.V, 0) {
			return nil, fmt.Errorf("series %q: sample %d at %v is %v", s.Name, i, p.T, p.V)
		}
		if math.IsNaN(p.V) {
			if len(cur) > 0 {
				runs = append(runs, cur)
				cur = nil
			}
			continue
		}
		if cur == nil {
			cur = make(plotter.XYs, 0, len(s.Points)-i)
		}
		cur = append(cur, plotter.XY{X: p.T.Seconds(), Y: p.V})
	}
	if len(cur) > 0 {
		runs = append(runs, cur)
	}
	return runs, nil
}

// mergeMarkers drops markers outside the time axis, splits the events
// from the transitions, and joins the events at one instant into one line.
func mergeMarkers(markers []Marker, duration time.Duration) (events, rug []Marker) {
	var out []Marker
	for _, m := range markers {
		if m.At < 0 || m.At > duration {
			continue
		}
		if m.Kind == Transition {
			rug = append(rug, m)
			continue
		}
		out = append(out, Marker{At: m.At, Label: clean(m.Label)})
	}
	slices.SortStableFunc(out, func(a, b Marker) int { return cmp.Compare(a.At, b.At) })
	for _, m := range out {
		if n := len(events); n > 0 && events[n-1].At == m.At {
			events[n-1].Label += "; " + m.Label
			continue
		}
		events = append(events, m)
	}
	return events, rug
}

// maxKey bounds the events the key lists; a scenario with more is one a
// plot cannot name anyway, and the trace lists them all.
const maxKey = 20

// eventKey is the key below the panels: each event's number, time and
// label, one a line, and a word on the rug.
func eventKey(events, rug []Marker) []string {
	var out []string
	for i, m := range events {
		if i == maxKey {
			out = append(out, fmt.Sprintf("… and %d more events (the trace lists them)", len(events)-maxKey))
			break
		}
		out = append(out, fmt.Sprintf("%d at %s: %s", i+1, clock(m.At), m.Label))
	}
	if len(rug) > 0 {
		out = append(out, fmt.Sprintf("Ticks along each panel's foot: %d protocol transitions (BFD, BGP, MKA); the trace names them.", len(rug)))
	}
	return out
}

// clock writes a moment of the run as the trace does: seconds with
// milliseconds.
func clock(d time.Duration) string {
	return fmt.Sprintf("%.3fs", d.Seconds())
}

// markerPlot draws the event lines; it is added before the series so the
// data stays visible where they cross.
type markerPlot struct{ marks []Marker }

func (m markerPlot) Plot(c draw.Canvas, p *gplot.Plot) {
	trX, _ := p.Transforms(&c)
	for _, mk := range m.marks {
		x := trX(mk.At.Seconds())
		c.StrokeLine2(markerStyle, x, c.Min.Y, x, c.Max.Y)
	}
}

// rugPlot draws each transition as a short tick rising from the foot of
// the data area: where the protocols were busy, without a word of text.
type rugPlot struct{ marks []Marker }

var rugStyle = draw.LineStyle{Color: color.RGBA{0x70, 0x70, 0x70, 0xFF}, Width: vg.Points(0.75)}

func (m rugPlot) Plot(c draw.Canvas, p *gplot.Plot) {
	trX, _ := p.Transforms(&c)
	for _, mk := range m.marks {
		x := trX(mk.At.Seconds())
		c.StrokeLine2(rugStyle, x, c.Min.Y, x, c.Min.Y+vg.Points(6))
	}
}

// markerLabels numbers the event lines at the top of the data area, the
// numbers the key below the panels explains. Numbers of events too close
// to sit side by side drop to the next row, so none is drawn over another.
// It is added after the series so text is on top.
type markerLabels struct{ marks []Marker }

func (m markerLabels) Plot(c draw.Canvas, p *gplot.Plot) {
	trX, _ := p.Transforms(&c)
	sty := textStyle(8)
	sty.Color = markerStyle.Color
	sty.XAlign, sty.YAlign = draw.XLeft, draw.YTop
	var rowEnds []vg.Length // where each row's last number ends
	for i, mk := range m.marks {
		if i == maxKey {
			break
		}
		label := fmt.Sprint(i + 1)
		x := trX(mk.At.Seconds()) + vg.Points(2)
		w := sty.Width(label) + vg.Points(3)
		row := 0
		for row < len(rowEnds) && rowEnds[row] > x {
			row++
		}
		if row == len(rowEnds) {
			rowEnds = append(rowEnds, 0)
		}
		rowEnds[row] = x + w
		c.FillText(sty, vg.Point{X: x, Y: c.Max.Y - vg.Points(3) - vg.Length(row)*sty.Height(label)}, label)
	}
}

func textStyle(size vg.Length) text.Style {
	return text.Style{
		Color:   color.Black,
		Font:    font.From(sans, size),
		Handler: gplot.DefaultTextHandler,
	}
}

// clean makes a label one line of valid XML text. vgsvg escapes < > & and
// quotes but passes through control characters and invalid UTF-8, which
// make the document unparsable; a newline would split a legend entry.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return ' '
		case r < 0x20, r >= 0xD800 && r <= 0xDFFF, r == 0xFFFE, r == 0xFFFF:
			return '\uFFFD'
		}
		return r
	}, s)
}
