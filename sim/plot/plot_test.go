package plot

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"
)

// sample builds n points over d of a wave with the given offset, so
// series differ and the y range is not degenerate.
func sample(n int, d time.Duration, offset float64) []Point {
	pts := make([]Point, n)
	for i := range pts {
		t := time.Duration(int64(d) * int64(i) / int64(max(n-1, 1)))
		pts[i] = Point{T: t, V: offset + 10*math.Sin(float64(i)/50)}
	}
	return pts
}

func scenario() (string, time.Duration, []Panel, []Marker) {
	d := 10 * time.Minute
	return `Failover <drill> & "quotes" 'too'`, d, []Panel{
			{Title: "Link utilisation (%)", YLabel: "%", Series: []Series{
				{Name: "us-east-1 ↔ us-east4 <primary>", Points: sample(600, d, 50)},
				{Name: `backup & "spare"`, Points: sample(600, d, 20)},
				{Name: "empty", Points: nil},
				{Name: "one sample", Points: []Point{{T: time.Minute, V: 7}}},
			}},
			{Title: "RTT (ms)", YLabel: "ms", Series: []Series{
				{Name: "a→b", Points: sample(100, d, 64)},
				{Name: "gap", Points: []Point{{0, 1}, {time.Minute, 2}, {2 * time.Minute, math.NaN()}, {3 * time.Minute, 3}, {4 * time.Minute, 4}}},
			}},
			{Title: "Loss (%)", YLabel: "%"},
		}, []Marker{
			{At: 2 * time.Minute, Label: "link down <ch1>"},
			{At: 5 * time.Minute, Label: `BGP "hold" expired & failover`},
			{At: 5 * time.Minute, Label: "second event"},
			{At: 20 * time.Minute, Label: "after the end"},
		}
}

func render(t testing.TB, title string, d time.Duration, panels []Panel, markers []Marker) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := SVG(&b, title, d, panels, markers); err != nil {
		t.Fatalf("SVG: %v", err)
	}
	return b.Bytes()
}

// texts parses doc as XML and returns the content of its <text> elements.
func texts(t *testing.T, doc []byte) []string {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(doc))
	var out []string
	depth := 0
	var cur strings.Builder
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if tok.Name.Local == "text" {
				depth++
				cur.Reset()
			}
		case xml.CharData:
			if depth > 0 {
				cur.Write(tok)
			}
		case xml.EndElement:
			if tok.Name.Local == "text" {
				depth--
				out = append(out, cur.String())
			}
		}
	}
	return out
}

func TestSVGContainsEveryLabel(t *testing.T) {
	title, d, panels, markers := scenario()
	doc := render(t, title, d, panels, markers)
	got := texts(t, doc)
	want := []string{title, "Time (s)", "second event"}
	for _, p := range panels {
		want = append(want, p.Title, p.YLabel)
		for _, s := range p.Series {
			want = append(want, s.Name)
		}
	}
	for _, m := range markers[:3] {
		want = append(want, m.Label)
	}
	joined := strings.Join(got, "\n")
	for _, w := range want {
		if !strings.Contains(joined, w) {
			t.Errorf("no text %q in the SVG; texts are %q", w, got)
		}
	}
	if strings.Contains(joined, "after the end") {
		t.Error("a marker after the end of the run is drawn")
	}
	// The two markers at 5 min share one line and one label.
	if n := strings.Count(string(doc), "second event"); n != 1 {
		t.Errorf("label of the second marker at 5 min appears %d times, want once", n)
	}
	if !bytes.Contains(doc, []byte("&lt;drill&gt; &amp;")) {
		t.Error("title is not escaped as expected")
	}
}

func TestSVGIsDeterministic(t *testing.T) {
	title, d, panels, markers := scenario()
	a := render(t, title, d, panels, markers)
	b := render(t, title, d, panels, markers)
	if !bytes.Equal(a, b) {
		t.Fatal("two renderings of the same input differ")
	}
	for _, re := range []*regexp.Regexp{
		regexp.MustCompile(`\b(19|20)\d\d-\d\d-\d\d`), // a date
		regexp.MustCompile(`\d\d:\d\d:\d\d`),          // a time of day
		regexp.MustCompile(`\bid="`),                  // generated ids
		regexp.MustCompile(`@font-face|base64,`),      // embedded fonts or images
	} {
		if loc := re.FindIndex(a); loc != nil {
			t.Errorf("output contains %q (matching %s)", a[loc[0]:loc[1]], re)
		}
	}
}

func TestSVGSize(t *testing.T) {
	// 10in × (3in per panel plus the title band): vgsvg writes points.
	doc := render(t, "t", time.Minute, []Panel{{Title: "a"}, {Title: "b"}}, nil)
	m := regexp.MustCompile(`<svg width="([\d.]+)pt" height="([\d.]+)pt"`).FindSubmatch(doc)
	if m == nil {
		t.Fatalf("no svg size in %.200s", doc)
	}
	if string(m[1]) != "720" {
		t.Errorf("width %spt, want 720 (10in)", m[1])
	}
	var h float64
	if _, err := fmt.Sscan(string(m[2]), &h); err != nil || h < 2*216 || h > 2*216+72 {
		t.Errorf("height %spt, want 2×216 plus at most an inch of title and gaps", m[2])
	}
}

func TestSVGManySeriesAndLongLegend(t *testing.T) {
	var series []Series
	for i := range 30 {
		series = append(series, Series{Name: strings.Repeat("x", i), Points: sample(50, time.Minute, float64(i))})
	}
	doc := render(t, "", time.Minute, []Panel{{Title: "many", Series: series}}, nil)
	texts(t, doc)
	// Series 0 and 12 share a colour; 12 is dashed, 0 is not.
	if !bytes.Contains(doc, []byte("#4E79A7")) || !bytes.Contains(doc, []byte("stroke-dasharray:6,3")) {
		t.Error("colours do not repeat with a dash pattern past the palette")
	}
	m := regexp.MustCompile(`<svg width="[\d.]+pt" height="([\d.]+)pt"`).FindSubmatch(doc)
	var h float64
	if _, err := fmt.Sscan(string(m[1]), &h); err != nil || h <= 216+72 {
		t.Errorf("height %spt: a 30-entry legend did not make the panel taller", m[1])
	}
}

func TestSVGCleansLabels(t *testing.T) {
	doc := render(t, "bad\x00byte\xff and\nnewline", time.Minute, []Panel{{Title: "p\x1b", Series: []Series{{Name: "s\tt"}}}},
		[]Marker{{At: 0, Label: "at zero"}, {At: time.Minute, Label: "at end"}})
	got := strings.Join(texts(t, doc), "\n")
	for _, w := range []string{"bad\uFFFDbyte\uFFFD and newline", "p\uFFFD", "s t", "at zero", "at end"} {
		if !strings.Contains(got, w) {
			t.Errorf("no text %q in %q", w, got)
		}
	}
}

func TestSVGErrors(t *testing.T) {
	for _, tc := range []struct {
		name     string
		d        time.Duration
		panels   []Panel
		contains string
	}{
		{"zero duration", 0, []Panel{{}}, "duration 0s"},
		{"no panels", time.Minute, nil, "no panels"},
		{"infinite sample", time.Minute, []Panel{{Title: "rtt", Series: []Series{{Name: "s", Points: []Point{{0, 1}, {time.Second, math.Inf(1)}}}}}},
			`panel "rtt": series "s": sample 1 at 1s is +Inf`},
	} {
		err := SVG(io.Discard, "t", tc.d, tc.panels, nil)
		if err == nil || !strings.Contains(err.Error(), tc.contains) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.contains)
		}
	}
}

func BenchmarkSVG(b *testing.B) {
	d := time.Hour
	var panels []Panel
	for _, title := range []string{"Link utilisation (%)", "RTT (ms)", "Loss (%)"} {
		p := Panel{Title: title, YLabel: title}
		for s := range 8 {
			p.Series = append(p.Series, Series{Name: "series " + string(rune('A'+s)), Points: sample(3600, d, float64(10*s))})
		}
		panels = append(panels, p)
	}
	markers := []Marker{{At: 10 * time.Minute, Label: "link down"}, {At: 40 * time.Minute, Label: "link up"}}
	var size int
	b.ReportAllocs()
	for b.Loop() {
		var buf bytes.Buffer
		if err := SVG(&buf, "benchmark", d, panels, markers); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	b.ReportMetric(float64(size), "bytes/svg")
}

func TestSVGYRangeIgnoresSamplesOffTheTimeAxis(t *testing.T) {
	pts := []Point{{-time.Second, 5000}, {0, 1}, {time.Minute, 9}, {2 * time.Minute, 7000}}
	got := texts(t, render(t, "", time.Minute, []Panel{{Title: "p", Series: []Series{{Name: "s", Points: pts}}}}, nil))
	for _, s := range got {
		if len(s) >= 3 && strings.Trim(s, "0123456789.") == "" && s != "0.0" {
			t.Errorf("tick label %q: a sample off the time axis stretched the y axis (labels %q)", s, got)
		}
	}
}

// Only scenario events are named: numbered on their lines and listed in the
// key, numbers of close events on rows of their own; protocol transitions
// are ticks in the rug with one line in the key, never text of their own.
func TestSVGEventsKeyAndTransitionRug(t *testing.T) {
	title, d, panels, _ := scenario()
	markers := []Marker{
		{At: time.Minute, Label: "fail channel ch1"},
		{At: time.Minute + time.Second, Label: "fail channel ch2"},
		{At: 8 * time.Minute, Label: "repair channel ch1"},
	}
	for i := range 50 {
		markers = append(markers, Marker{At: time.Minute + time.Duration(i)*100*time.Millisecond, Label: fmt.Sprintf("BFD session %d down", i), Kind: Transition})
	}
	doc := render(t, title, d, panels, markers)
	got := strings.Join(texts(t, doc), "\n")
	for _, want := range []string{"1 at 60.000s: fail channel ch1", "2 at 61.000s: fail channel ch2", "3 at 480.000s: repair channel ch1", "50 protocol transitions"} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in the texts:\n%s", want, got)
		}
	}
	if strings.Contains(got, "BFD session") {
		t.Error("a transition is named in the plot")
	}
	// The numbers of the events one second apart sit on different rows.
	rows := map[string]string{}
	for _, m := range regexp.MustCompile(`<text x="[^"]*" y="([^"]*)"[^>]*>([0-9])</text>`).FindAllStringSubmatch(string(doc), -1) {
		rows[m[2]] = m[1]
	}
	if rows["1"] == "" || rows["1"] == rows["2"] {
		t.Errorf("event numbers 1 and 2 at rows %q and %q", rows["1"], rows["2"])
	}
}
