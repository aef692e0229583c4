package lang

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Sources holds the text of every file a design was read from, keyed by the
// file name used in Ranges, so diagnostics can quote the offending line.
type Sources map[string][]byte

// sourceLines finds lines of the sources, indexing each file's line
// starts on first use: a report of thousands of findings then costs one
// pass over each file, not one per finding.
type sourceLines struct {
	src    Sources
	starts map[string][]int
}

// line returns the 1-based line n of file, without its newline (or the
// carriage return before it).
func (l *sourceLines) line(file string, n int) (string, bool) {
	src, ok := l.src[file]
	if !ok || n < 1 {
		return "", false
	}
	starts, ok := l.starts[file]
	if !ok {
		starts = []int{0}
		for i, c := range src {
			if c == '\n' {
				starts = append(starts, i+1)
			}
		}
		if l.starts == nil {
			l.starts = map[string][]int{}
		}
		l.starts[file] = starts
	}
	if n > len(starts) || starts[n-1] == len(src) {
		return "", false // past the end, or after a final newline
	}
	end := len(src)
	if n < len(starts) {
		end = starts[n] - 1
	}
	return string(bytes.TrimSuffix(src[starts[n-1]:end], []byte("\r"))), true
}

// WriteDiagnostics prints diagnostics for people: the file:line:col that
// editors jump to, the line with a caret under the column, then the detail,
// the hint, related places and the script call stack.
func WriteDiagnostics(w io.Writer, ds Diagnostics, src Sources) error {
	var b strings.Builder
	lines := &sourceLines{src: src}
	for i, d := range ds {
		if i > 0 {
			b.WriteByte('\n')
		}
		rule := ""
		if d.Rule != "" {
			rule = " [" + d.Rule + "]"
		}
		if d.Range.IsZero() {
			fmt.Fprintf(&b, "%s: %s%s\n", d.Severity, clip(d.Summary), rule)
		} else {
			fmt.Fprintf(&b, "%s: %s: %s%s\n", d.Range, d.Severity, clip(d.Summary), rule)
		}
		writeSnippet(&b, d.Range, lines)
		if d.Detail != "" {
			for _, l := range strings.Split(clip(d.Detail), "\n") {
				fmt.Fprintf(&b, "  %s\n", l)
			}
		}
		if d.Hint != "" {
			fmt.Fprintf(&b, "  hint: %s\n", clip(d.Hint))
		}
		for _, r := range d.Related {
			fmt.Fprintf(&b, "  %s: %s\n", r.Range, clip(r.Message))
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

// A snippet shows at most snippetContext columns either side of the caret
// span, and a caret span of at most snippetSpan: a generated or hostile
// file can put megabytes on one line, and echoing it whole would flood the
// terminal (or a CI log) with twice that. Cut ends are marked with "…".
const (
	snippetContext = 60
	snippetSpan    = 60
	// clipMessage bounds any one line of a summary, detail, hint or related
	// message, which can quote a name of any length from the input.
	clipMessage = 512
)

func writeSnippet(b *strings.Builder, r Range, src *sourceLines) {
	text, ok := src.line(r.File, int(r.Start.Line))
	if !ok {
		return
	}
	n := utf8.RuneCountInString(text)
	col := 0 // 0-based rune index of the caret; -1 for none
	if r.Start.Col < 1 {
		col = -1
	} else {
		col = min(int(r.Start.Col), n+1) - 1
	}
	width := 1
	if r.End.Line == r.Start.Line && r.End.Col > r.Start.Col {
		width = int(r.End.Col - r.Start.Col)
	}
	lo, hi := 0, n
	if n > 2*snippetContext+snippetSpan {
		at := max(col, 0)
		lo = max(0, at-snippetContext)
		hi = min(n, at+min(width, snippetSpan)+snippetContext)
		width = min(width, snippetSpan)
	}
	shown := runeSlice(text, lo, hi)
	pre, post := "", ""
	if lo > 0 {
		pre = "…"
	}
	if hi < n {
		post = "…"
	}
	shown = strings.ReplaceAll(shown, "\t", " ")
	gutter := fmt.Sprintf("%d", r.Start.Line)
	fmt.Fprintf(b, "  %s | %s%s%s\n", gutter, pre, shown, post)
	if col < 0 {
		return
	}
	indent := col - lo + utf8.RuneCountInString(pre)
	fmt.Fprintf(b, "  %s | %s%s\n", strings.Repeat(" ", len(gutter)), strings.Repeat(" ", indent), strings.Repeat("^", width))
}

// runeSlice is s[lo:hi] counted in runes, without converting all of s.
func runeSlice(s string, lo, hi int) string {
	if lo == 0 && hi >= len(s) {
		return s
	}
	start, end, i := len(s), len(s), 0
	for off := range s {
		if i == lo {
			start = off
		}
		if i == hi {
			end = off
			break
		}
		i++
	}
	return s[min(start, end):end]
}

// clip shortens each line of s to clipMessage runes, marking the cut, so
// a message quoting a huge name from the input stays readable and small.
func clip(s string) string {
	if len(s) <= clipMessage {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if utf8.RuneCountInString(l) > clipMessage {
			lines[i] = runeSlice(l, 0, clipMessage) + fmt.Sprintf("… (%d more bytes)", len(l)-len(runeSlice(l, 0, clipMessage)))
		}
	}
	return strings.Join(lines, "\n")
}
