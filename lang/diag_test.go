package lang

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func rng(file string, line, col int) Range {
	return Range{File: file, Start: Pos{Line: int32(line), Col: int32(col)}}
}

func TestWriteDiagnostics(t *testing.T) {
	src := Sources{
		"main.star": []byte("first = vpc(\"a\")\nx = vpc(\"a\")\n\tattach(v,\ty)\nname = \"é\" + z\n"),
		"long.star": []byte(strings.Repeat("\n", 11) + "dx_gateway(\"d\")\n"),
		"crlf.star": []byte("a = 1\r\nbb = 2\r\n"),
	}
	for _, tc := range []struct {
		name string
		ds   Diagnostics
		want string
	}{
		{"everything", Diagnostics{{
			Rule: "duplicate", Summary: `vpc "a" is declared twice`,
			Detail: "line one\nline two", Hint: "give each vpc a unique name",
			Range:   Range{File: "main.star", Start: Pos{2, 5}, End: Pos{2, 13}},
			Related: []Related{{Range: rng("main.star", 1, 9), Message: "first declared here"}},
			Stack:   []Frame{{Func: "<toplevel>", Range: rng("main.star", 5, 1)}, {Func: "f", Range: rng("main.star", 2, 5)}},
		}}, `main.star:2:5: error: vpc "a" is declared twice [duplicate]
  2 | x = vpc("a")
    |     ^^^^^^^^
  line one
  line two
  hint: give each vpc a unique name
  main.star:1:9: first declared here
  call stack (most recent call last):
    main.star:5:1 in <toplevel>
    main.star:2:5 in f
`},
		{"one frame is no stack", Diagnostics{{
			Severity: SevWarning, Rule: "mtu", Summary: "s",
			Range: rng("main.star", 2, 1), Stack: []Frame{{Func: "<toplevel>", Range: rng("main.star", 2, 1)}},
		}}, `main.star:2:1: warning: s [mtu]
  2 | x = vpc("a")
    | ^
`},
		{"end on another line is one caret", Diagnostics{{
			Rule: "r", Summary: "s", Range: Range{File: "main.star", Start: Pos{2, 5}, End: Pos{3, 2}},
		}}, `main.star:2:5: error: s [r]
  2 | x = vpc("a")
    |     ^
`},
		{"end before start is one caret", Diagnostics{{
			Summary: "s", Range: Range{File: "main.star", Start: Pos{2, 5}, End: Pos{2, 3}},
		}}, `main.star:2:5: error: s
  2 | x = vpc("a")
    |     ^
`},
		{"tabs keep the caret aligned", Diagnostics{{
			Summary: "s", Range: Range{File: "main.star", Start: Pos{3, 11}, End: Pos{3, 12}},
		}}, "main.star:3:11: error: s\n  3 |  attach(v, y)\n    |           ^\n"},
		{"columns count runes", Diagnostics{{
			Summary: "s", Range: Range{File: "main.star", Start: Pos{4, 14}, End: Pos{4, 15}},
		}}, "main.star:4:14: error: s\n  4 | name = \"é\" + z\n    |              ^\n"},
		{"column past the end is clamped", Diagnostics{{
			Summary: "s", Range: rng("main.star", 2, 40),
		}}, `main.star:2:40: error: s
  2 | x = vpc("a")
    |             ^
`},
		{"no column: line only", Diagnostics{{
			Severity: SevInfo, Summary: "s", Range: rng("main.star", 1, 0),
		}}, `main.star:1: info: s
  1 | first = vpc("a")
`},
		{"wide gutter", Diagnostics{{
			Summary: "s", Range: Range{File: "long.star", Start: Pos{12, 1}, End: Pos{12, 11}},
		}}, `long.star:12:1: error: s
  12 | dx_gateway("d")
     | ^^^^^^^^^^
`},
		{"crlf", Diagnostics{{
			Summary: "s", Range: rng("crlf.star", 2, 1),
		}}, "crlf.star:2:1: error: s\n  2 | bb = 2\n    | ^\n"},
		{"unknown file: no snippet", Diagnostics{{
			Summary: "s", Hint: "h", Range: rng("other.star", 1, 1),
		}}, "other.star:1:1: error: s\n  hint: h\n"},
		{"line past the end: no snippet", Diagnostics{{
			Summary: "s", Range: rng("main.star", 99, 1),
		}}, "main.star:99:1: error: s\n"},
		{"no position", Diagnostics{{
			Severity: SevWarning, Rule: "quota", Summary: "too many",
		}}, "warning: too many [quota]\n"},
		{"two diagnostics", Diagnostics{
			{Summary: "one", Range: rng("other.star", 1, 1)},
			{Summary: "two", Range: rng("other.star", 2, 1)},
		}, "other.star:1:1: error: one\n\nother.star:2:1: error: two\n"},
		{"none", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			if err := WriteDiagnostics(&b, tc.ds, src); err != nil {
				t.Fatal(err)
			}
			if b.String() != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", b.String(), tc.want)
			}
		})
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteDiagnosticsReportsWriteErrors(t *testing.T) {
	err := WriteDiagnostics(failWriter{}, Diagnostics{{Summary: "s"}}, nil)
	if err == nil || err.Error() != "disk full" {
		t.Errorf("error %v, want disk full", err)
	}
}

func TestDiagnosticsSort(t *testing.T) {
	ds := Diagnostics{
		{Rule: "b", Summary: "1", Range: rng("b.star", 1, 1)},
		{Rule: "a", Summary: "2", Range: rng("a.star", 10, 1)},
		{Rule: "a", Summary: "3", Range: rng("a.star", 2, 7)},
		{Rule: "z", Summary: "4", Range: rng("a.star", 2, 3)},
		{Rule: "a", Summary: "5", Range: rng("a.star", 2, 3)},
		{Rule: "x", Summary: "6"},
		{Rule: "a", Summary: "7", Range: Range{File: "a.star", Start: Pos{2, 3}, End: Pos{2, 9}}},
	}
	ds.Sort()
	var got []string
	for _, d := range ds {
		got = append(got, d.Summary)
	}
	// No position first; then file, line, column; then rule and summary.
	if want := "6 5 7 4 3 2 1"; strings.Join(got, " ") != want {
		t.Errorf("sorted %v, want %s", got, want)
	}
}

func TestRange(t *testing.T) {
	for _, tc := range []struct {
		r    Range
		want string
		zero bool
	}{
		{Range{}, "<design>", true},
		{rng("a.star", 3, 0), "a.star:3", false},
		{rng("a.star", 3, 4), "a.star:3:4", false},
		{Range{File: "a.star"}, "a.star", false},
	} {
		if got := tc.r.String(); got != tc.want {
			t.Errorf("%+v.String() = %q, want %q", tc.r, got, tc.want)
		}
		if tc.r.IsZero() != tc.zero {
			t.Errorf("%+v.IsZero() = %v", tc.r, !tc.zero)
		}
	}
	for _, tc := range []struct {
		a, b Range
		want int
	}{
		{rng("a", 1, 1), rng("b", 1, 1), -1},
		{rng("a", 2, 1), rng("a", 1, 9), 1},
		{rng("a", 1, 2), rng("a", 1, 3), -1},
		{Range{File: "a", Start: Pos{1, 2}, End: Pos{1, 9}}, rng("a", 1, 2), 0},
	} {
		if got := tc.a.Compare(tc.b); got != tc.want {
			t.Errorf("%v.Compare(%v) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestAsDiagnostics(t *testing.T) {
	ds := Diagnostics{
		{Rule: "argument", Summary: "bad", Range: rng("main.star", 1, 5)},
		{Severity: SevWarning, Rule: "mtu", Summary: "mismatch"},
	}
	single := Diagnostic{Rule: "duplicate", Summary: "twice", Range: rng("main.star", 2, 1)}
	for _, tc := range []struct {
		name string
		err  error
		want Diagnostics
	}{
		{"nil", nil, nil},
		{"diagnostics", ds, ds},
		{"wrapped diagnostics", fmt.Errorf("loading: %w", ds), ds},
		{"source error", &SourceError{Diagnostics: ds, Files: Sources{"main.star": []byte("x")}}, ds},
		{"wrapped source error", fmt.Errorf("a: %w", fmt.Errorf("b: %w", &SourceError{Diagnostics: ds})), ds},
		{"diagnostic", single, Diagnostics{single}},
		{"wrapped diagnostic", fmt.Errorf("x: %w", single), Diagnostics{single}},
		{"plain error", errors.New("boom"), Diagnostics{{Severity: SevError, Rule: "io", Summary: "boom"}}},
		{"wrapped plain error", fmt.Errorf("reading: %w", errors.New("boom")), Diagnostics{{Rule: "io", Summary: "reading: boom"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := AsDiagnostics(tc.err, "io")
			if fmt.Sprintf("%#v", got) != fmt.Sprintf("%#v", tc.want) {
				t.Errorf("got %#v\nwant %#v", got, tc.want)
			}
		})
	}
}

func TestSourceError(t *testing.T) {
	ds := Diagnostics{{Rule: "syntax", Summary: "got ')'", Range: rng("m.star", 1, 3)}}
	files := Sources{"m.star": []byte("f()")}
	var err error = &SourceError{Diagnostics: ds, Files: files}
	if err.Error() != "m.star:1:3: error: got ')'" {
		t.Errorf("Error() = %q", err.Error())
	}
	var got Diagnostics
	if !errors.As(err, &got) || len(got) != 1 || got[0].Rule != "syntax" {
		t.Errorf("errors.As(SourceError, Diagnostics) = %v", got)
	}
	if se := err.(*SourceError); string(se.Files["m.star"]) != "f()" {
		t.Errorf("Files = %v", se.Files)
	}
}

func TestDiagnosticsError(t *testing.T) {
	ds := Diagnostics{
		{Summary: "one", Range: rng("a.star", 1, 2)},
		{Severity: SevWarning, Summary: "two"},
	}
	if got, want := ds.Error(), "a.star:1:2: error: one\n<design>: warning: two"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if !ds.HasErrors() {
		t.Error("HasErrors() = false with an error")
	}
	if (Diagnostics{{Severity: SevWarning}, {Severity: SevInfo}}).HasErrors() {
		t.Error("HasErrors() = true without errors")
	}
	if Diagnostics(nil).HasErrors() {
		t.Error("nil has errors")
	}
}

func TestSeverity(t *testing.T) {
	for _, tc := range []struct {
		s    Severity
		text string
	}{{SevError, "error"}, {SevWarning, "warning"}, {SevInfo, "info"}} {
		if tc.s.String() != tc.text {
			t.Errorf("%d.String() = %q, want %q", int(tc.s), tc.s.String(), tc.text)
		}
		b, err := tc.s.MarshalText()
		if err != nil || string(b) != tc.text {
			t.Errorf("MarshalText(%v) = %q, %v", tc.s, b, err)
		}
		var back Severity = 99
		if err := back.UnmarshalText(b); err != nil || back != tc.s {
			t.Errorf("UnmarshalText(%q) = %v, %v; want %v", b, back, err, tc.s)
		}
	}
	if Severity(0) != SevError {
		t.Error("the zero severity is not an error")
	}
	if got := Severity(7).String(); got != "severity(7)" {
		t.Errorf("Severity(7) = %q", got)
	}
	var s Severity = SevInfo
	if err := s.UnmarshalText([]byte("fatal")); err == nil || !strings.Contains(err.Error(), `"fatal"`) || s != SevInfo {
		t.Errorf("UnmarshalText(fatal) = %v, severity now %v", err, s)
	}
}

func TestDiagnosticJSON(t *testing.T) {
	d := Diagnostic{Severity: SevWarning, Rule: "mtu", Summary: "mismatch", Hint: "set mtu",
		Range:   Range{File: "a.star", Start: Pos{1, 2}, End: Pos{1, 5}},
		Related: []Related{{Range: rng("a.star", 3, 1), Message: "other end"}}}
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"severity":"warning","rule":"mtu","summary":"mismatch","hint":"set mtu",` +
		`"range":{"file":"a.star","start":{"line":1,"col":2},"end":{"line":1,"col":5}},` +
		`"related":[{"range":{"file":"a.star","start":{"line":3,"col":1}},"message":"other end"}]}`
	if string(b) != want {
		t.Errorf("JSON\n%s\nwant\n%s", b, want)
	}
	var back Diagnostic
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Severity != SevWarning || back.Range != d.Range || len(back.Related) != 1 || back.Related[0] != d.Related[0] {
		t.Errorf("round trip = %+v", back)
	}
	for _, tc := range []struct {
		ds   Diagnostics
		want string
	}{
		{nil, "[]"},
		{Diagnostics{}, "[]"},
		{Diagnostics{{Summary: "x"}}, `[{"severity":"error","rule":"","summary":"x","range":{"file":"","start":{"line":0,"col":0}}}]`},
	} {
		b, err := json.Marshal(tc.ds)
		if err != nil || string(b) != tc.want {
			t.Errorf("Marshal(%#v) = %s, %v; want %s", tc.ds, b, err, tc.want)
		}
	}
	if err := json.Unmarshal([]byte(`{"severity":"fatal"}`), &back); err == nil {
		t.Error("unknown severity in JSON accepted")
	}
}

// A megabyte line is cut around the caret, which stays under its column,
// and a huge summary is clipped: error output stays small.
func TestWriteDiagnosticsLongLine(t *testing.T) {
	line := strings.Repeat("a", 1<<20) + " bad " + strings.Repeat("b", 1<<20)
	src := Sources{"big.star": []byte("x = 1\n" + line + "\n")}
	col := int32(1<<20 + 2)
	ds := Diagnostics{{Summary: "undefined: " + strings.Repeat("n", 1<<20), Range: Range{File: "big.star", Start: Pos{2, col}, End: Pos{2, col + 3}}}}
	var b strings.Builder
	if err := WriteDiagnostics(&b, ds, src); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if len(out) > 2048 {
		t.Fatalf("%d bytes of output, want under 2 KiB:\n%.3000s", len(out), out)
	}
	lines := strings.Split(out, "\n")
	if len(lines) < 3 {
		t.Fatalf("no snippet:\n%s", out)
	}
	text, caret := []rune(lines[1]), []rune(lines[2])
	i := strings.Index(lines[2], "^")
	at := len([]rune(lines[2][:i]))
	if string(text[at:at+3]) != "bad" || strings.Count(string(caret), "^") != 3 {
		t.Errorf("caret not under the span:\n%s\n%s", lines[1], lines[2])
	}
	if !strings.Contains(lines[1], "| …a") || !strings.HasSuffix(lines[1], "b…") {
		t.Errorf("cut ends are not marked: %s", lines[1])
	}
	if !strings.Contains(lines[0], "more bytes") {
		t.Errorf("summary not clipped: %.200s", lines[0])
	}
}

// TestSourceLines: lines are found as a line scanner splits them — LF or
// CRLF ends, no line after a final newline, a last line without one.
func TestSourceLines(t *testing.T) {
	l := &sourceLines{src: Sources{"a": []byte("one\r\ntwo\n\nfour"), "b": []byte("x\n"), "e": []byte("")}}
	for _, c := range []struct {
		file string
		n    int
		want string
		ok   bool
	}{
		{"a", 1, "one", true}, {"a", 2, "two", true}, {"a", 3, "", true}, {"a", 4, "four", true}, {"a", 5, "", false},
		{"a", 0, "", false}, {"b", 1, "x", true}, {"b", 2, "", false}, {"e", 1, "", false}, {"missing", 1, "", false},
	} {
		if got, ok := l.line(c.file, c.n); got != c.want || ok != c.ok {
			t.Errorf("%s line %d = %q, %v; want %q, %v", c.file, c.n, got, ok, c.want, c.ok)
		}
	}
}
