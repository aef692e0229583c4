package hcl

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"

	"patchbay/lang"
)

// MaxNesting is how deep brackets, braces, parentheses, strings and
// template interpolations, plus the operators of an unbracketed chain
// (!!!x, 1+1+…, a ? b : c ? …), may nest in a design, module or -var-file.
// HCL's parser and evaluator recurse once or more per level and have no
// limit of their own: 100,000 levels overflow the Go stack (a fatal error
// no recover catches), 40,000 take seconds and ~1 GiB, and so do a million
// operators in a row. Hand-written designs nest under 10
// levels and generated ones under 30; 256 leaves room for either while
// keeping the parser, the evaluator and every walk over values shallow.
const MaxNesting = 256

// checkNesting refuses src when it nests deeper than MaxNesting, naming
// the first byte past the limit. It runs before the parser, so it
// understands just enough HCL to count only real nesting: quoted strings
// (with escapes), heredocs, comments, and ${ }/%{ } inside both. Files and
// expressions (-var values) alike start in code.
func checkNesting(src []byte, filename string) lang.Diagnostics {
	off, ok := nestingOK(src, MaxNesting)
	if ok {
		return nil
	}
	pos := posAt(src, off)
	r := hcl.Range{Filename: filename, Start: pos, End: pos}
	return lang.Diagnostics{{Rule: "syntax", Range: toRange(r),
		Summary: fmt.Sprintf("nesting deeper than %d levels (brackets, braces, parentheses, strings, ${ } interpolations and chained operators)", MaxNesting),
		Hint:    "patchbay refuses it before parsing, to keep the parser's stack bounded; flatten the value or split it into locals"}}
}

// nestingOK scans src; on failure it returns the offset of the byte that
// opens level max+1.
func nestingOK(src []byte, max int) (int, bool) {
	const (
		code    = iota // top level, or inside ( [ {
		interp         // inside ${ or %{ (closes with })
		quoted         // inside "…"
		heredoc        // inside <<EOF … EOF
	)
	type level struct {
		kind   int
		marker []byte // heredoc end marker
		ops    int    // operators in the current expression at this level
		brace  bool   // a { }, where a newline ends an attribute
	}
	// The top level is stack[0], never popped.
	stack := []level{{kind: code, brace: true}}
	ops := 0 // operators open at every level
	top := func() int { return stack[len(stack)-1].kind }
	push := func(kind int, marker []byte, brace bool) bool {
		stack = append(stack, level{kind: kind, marker: marker, brace: brace})
		return len(stack)-1+ops <= max
	}
	pop := func() {
		if len(stack) > 1 {
			ops -= stack[len(stack)-1].ops
			stack = stack[:len(stack)-1]
		}
	}
	// op counts an operator of the expression at this level; endExpr
	// closes that expression (at a comma, an assignment, a newline in
	// braces).
	op := func() bool {
		stack[len(stack)-1].ops++
		ops++
		return len(stack)-1+ops <= max
	}
	endExpr := func() {
		ops -= stack[len(stack)-1].ops
		stack[len(stack)-1].ops = 0
	}
	lineStart := true // at the start of a line (for heredoc end markers)
	for i := 0; i < len(src); {
		c := src[i]
		switch top() {
		case code, interp:
			switch {
			case c == '"':
				if !push(quoted, nil, false) {
					return i, false
				}
				i++
			case c == '#' || (c == '/' && i+1 < len(src) && src[i+1] == '/'):
				for i < len(src) && src[i] != '\n' {
					i++
				}
			case c == '/' && i+1 < len(src) && src[i+1] == '*':
				end := bytes.Index(src[i+2:], []byte("*/"))
				if end < 0 {
					return 0, true // unterminated: the parser reports it
				}
				i += 2 + end + 2
			case c == '<' && i+1 < len(src) && src[i+1] == '<':
				j := i + 2
				if j < len(src) && src[j] == '-' {
					j++
				}
				k := j
				for k < len(src) && (isIdentByte(src[k])) {
					k++
				}
				nl := k
				if nl < len(src) && src[nl] == '\r' {
					nl++
				}
				if k > j && nl < len(src) && src[nl] == '\n' {
					if !push(heredoc, src[j:k], false) {
						return i, false
					}
					i = nl + 1
					lineStart = true
					continue
				}
				i += 2
			case c == '{' || c == '[' || c == '(':
				if !push(code, nil, c == '{') {
					return i, false
				}
				i++
			case c == '}' || c == ']' || c == ')':
				pop()
				i++
			case c == ',' || (c == '\n' && stack[len(stack)-1].brace):
				endExpr()
				i++
			case c == '=':
				if i+1 < len(src) && (src[i+1] == '=' || src[i+1] == '>') {
					// == is an operator, => a for's arrow
					if src[i+1] == '=' && !op() {
						return i, false
					}
					i += 2
					continue
				}
				endExpr() // an assignment starts a new expression
				i++
			case strings.IndexByte("!-+*/%&|<>?", c) >= 0:
				// Two-byte operators (&&, ||, !=, <=, >=) count once.
				if !op() {
					return i, false
				}
				i++
				if i < len(src) && (src[i] == '&' || src[i] == '|' || src[i] == '=') {
					i++
				}
			default:
				i++
			}
		case quoted:
			switch {
			case c == '\\':
				i += 2
			case c == '"':
				pop()
				i++
			case c == '\n':
				// An unterminated string: the parser reports it; count
				// on as if it had ended.
				pop()
				i++
			case (c == '$' || c == '%') && i+2 < len(src) && src[i+1] == c && src[i+2] == '{':
				i += 3 // $${ and %%{ are literal
			case (c == '$' || c == '%') && i+1 < len(src) && src[i+1] == '{':
				if !push(interp, nil, false) {
					return i, false
				}
				i += 2
			default:
				i++
			}
		case heredoc:
			if lineStart {
				lineStart = false
				end := bytes.IndexByte(src[i:], '\n')
				line := src[i:]
				if end >= 0 {
					line = src[i : i+end]
				}
				if bytes.Equal(bytes.TrimRight(bytes.TrimLeft(line, " \t"), "\r"), stack[len(stack)-1].marker) {
					pop()
					i += len(line)
					continue
				}
			}
			switch {
			case c == '\n':
				lineStart = true
				i++
			case (c == '$' || c == '%') && i+2 < len(src) && src[i+1] == c && src[i+2] == '{':
				i += 3
			case (c == '$' || c == '%') && i+1 < len(src) && src[i+1] == '{':
				if !push(interp, nil, false) {
					return i, false
				}
				i += 2
			default:
				i++
			}
		}
	}
	return 0, true
}

func isIdentByte(c byte) bool {
	return c == '_' || c == '-' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// posAt is the line and column (in characters, as HCL counts) of off.
func posAt(src []byte, off int) hcl.Pos {
	line := 1 + bytes.Count(src[:off], []byte("\n"))
	ls := bytes.LastIndexByte(src[:off], '\n') + 1
	return hcl.Pos{Line: line, Column: utf8.RuneCount(src[ls:off]) + 1, Byte: off}
}
