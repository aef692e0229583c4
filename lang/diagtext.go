package lang

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Sources holds the text of every file a design was read from, keyed by the
// file name used in Ranges, so diagnostics can quote the offending line.
type Sources map[string][]byte

// line returns the 1-based line n of file, without its newline.
func (s Sources) line(file string, n int) (string, bool) {
	src, ok := s[file]
	if !ok || n < 1 {
		return "", false
	}
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(make([]byte, 0, 4096), len(src)+1)
	for i := 1; sc.Scan(); i++ {
		if i == n {
			return sc.Text(), true
		}
	}
	return "", false
}

// WriteDiagnostics prints diagnostics for people: the file:line:col that
// editors jump to, the line with a caret under the column, then the detail,
// the hint, related places and the script call stack.
func WriteDiagnostics(w io.Writer, ds Diagnostics, src Sources) error {
	var b strings.Builder
	for i, d := range ds {
		if i > 0 {
			b.WriteByte('\n')
		}
		rule := ""
		if d.Rule != "" {
			rule = " [" + d.Rule + "]"
		}
		if d.Range.IsZero() {
			fmt.Fprintf(&b, "%s: %s%s\n", d.Severity, d.Summary, rule)
		} else {
			fmt.Fprintf(&b, "%s: %s: %s%s\n", d.Range, d.Severity, d.Summary, rule)
		}
		writeSnippet(&b, d.Range, src)
		if d.Detail != "" {
			for _, l := range strings.Split(d.Detail, "\n") {
				fmt.Fprintf(&b, "  %s\n", l)
			}
		}
		if d.Hint != "" {
			fmt.Fprintf(&b, "  hint: %s\n", d.Hint)
		}
		for _, r := range d.Related {
			fmt.Fprintf(&b, "  %s: %s\n", r.Range, r.Message)
		}
		if len(d.Stack) > 1 {
			b.WriteString("  call stack (most recent call last):\n")
			for _, f := range d.Stack {
				fmt.Fprintf(&b, "    %s in %s\n", f.Range, f.Func)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeSnippet(b *strings.Builder, r Range, src Sources) {
	text, ok := src.line(r.File, r.Start.Line)
	if !ok {
		return
	}
	text = strings.ReplaceAll(text, "\t", " ")
	gutter := fmt.Sprintf("%d", r.Start.Line)
	fmt.Fprintf(b, "  %s | %s\n", gutter, text)
	if r.Start.Col < 1 {
		return
	}
	col := min(r.Start.Col, utf8.RuneCountInString(text)+1)
	width := 1
	if r.End.Line == r.Start.Line && r.End.Col > r.Start.Col {
		width = r.End.Col - r.Start.Col
	}
	fmt.Fprintf(b, "  %s | %s%s\n", strings.Repeat(" ", len(gutter)), strings.Repeat(" ", col-1), strings.Repeat("^", width))
}
