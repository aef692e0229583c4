package starlark

import (
	"fmt"
	"unicode/utf8"

	"go.starlark.net/syntax"
)

// MaxDepth bounds how deeply an expression nests. go.starlark.net's parser,
// resolver and compiler recurse once per level, and a long chain of binary
// operators (1+1+…+1) is a left-deep tree as deep as the chain, so a 10 MB
// line of them overflows the Go stack in the compiler: a fatal error no
// recover() can catch. The source is measured before it is parsed. Real
// designs nest a dozen levels; a 1,000-term concatenation still passes.
const MaxDepth = 1000

// prescan refuses what go.starlark.net would mishandle before it parses:
// a NUL byte (its scanner takes it for the end of the file, so the rest of
// the design would silently never run), other control bytes outside string
// literals (tab, CR and LF excepted), and nesting deeper than MaxDepth. It
// returns the position of the first offending byte.
func prescan(file string, src []byte) error {
	line, col := int32(1), int32(1)
	at := func(msg string, args ...any) error {
		f := file
		return syntax.Error{Pos: syntax.MakePosition(&f, line, col), Msg: fmt.Sprintf(msg, args...)}
	}
	// levels[i] is the operator chain at bracket level i; depth is the
	// number of open brackets plus every chain below and at the top.
	levels := []int{0}
	depth := 0
	resetChain := func() { depth -= levels[len(levels)-1]; levels[len(levels)-1] = 0 }
	deeper := func(n int) error {
		levels[len(levels)-1] += n
		depth += n
		if depth > MaxDepth {
			return at("expression nested deeper than %d levels (brackets and chained operators count; the parser recurses on each): split it into smaller expressions", MaxDepth)
		}
		return nil
	}
	operand := false // the last token ends an operand: '(' or '[' after it is a call or index
	i := 0
	advance := func(n int) {
		for k := 0; k < n && i < len(src); k++ {
			if src[i] == '\n' {
				line, col = line+1, 1
				i++
				continue
			}
			_, size := utf8.DecodeRune(src[i:])
			i += size
			col++
		}
	}
	for i < len(src) {
		c := src[i]
		switch {
		case c == 0:
			return at("NUL byte in the design: go.starlark.net would stop reading here and silently ignore the rest")
		case c == '\n':
			if len(levels) == 1 {
				resetChain()
				operand = false
			}
			advance(1)
		case c == '\t' || c == '\r' || c == ' ':
			advance(1)
		case c < 0x20 || c == 0x7f:
			return at("control character U+%04X outside a string: only tab, CR and LF are allowed", c)
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				if src[i] == 0 {
					return at("NUL byte in the design: go.starlark.net would stop reading here and silently ignore the rest")
				}
				if src[i] < 0x20 && src[i] != '\t' && src[i] != '\r' {
					return at("control character U+%04X in a comment: only tab is allowed", src[i])
				}
				advance(1)
			}
		case c == '"' || c == '\'':
			if err := skipString(src, &i, at, advance); err != nil {
				return err
			}
			operand = true
		case c == '(' || c == '[' || c == '{':
			if operand { // a call or an index chains like an operator
				if err := deeper(1); err != nil {
					return err
				}
			}
			levels = append(levels, 0)
			depth++
			if depth > MaxDepth {
				return at("expression nested deeper than %d levels (brackets and chained operators count; the parser recurses on each): split it into smaller expressions", MaxDepth)
			}
			operand = false
			advance(1)
		case c == ')' || c == ']' || c == '}':
			if len(levels) > 1 {
				depth -= levels[len(levels)-1] + 1
				levels = levels[:len(levels)-1]
			}
			operand = true
			advance(1)
		case c == ',' || c == ';' || c == ':':
			resetChain()
			operand = false
			advance(1)
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80:
			j := i
			for j < len(src) && (src[j] == '_' || src[j] >= 'a' && src[j] <= 'z' || src[j] >= 'A' && src[j] <= 'Z' || src[j] >= '0' && src[j] <= '9' || src[j] >= 0x80) {
				j++
			}
			switch string(src[i:j]) {
			case "and", "or", "not", "in", "if", "else", "lambda", "for":
				// Keywords that build expressions recurse in the parser too.
				if err := deeper(1); err != nil {
					return err
				}
				operand = false
			default:
				operand = true
			}
			advance(utf8.RuneCount(src[i:j]))
		case c >= '0' && c <= '9':
			for i < len(src) && (src[i] == '_' || src[i] == '.' || src[i] >= 'a' && src[i] <= 'z' || src[i] >= 'A' && src[i] <= 'Z' || src[i] >= '0' && src[i] <= '9') {
				advance(1)
			}
			operand = true
		default:
			// An operator: a run of operator characters is one token.
			j := i
			for j < len(src) && isOpByte(src[j]) {
				j++
			}
			if j == i {
				advance(1) // anything else is the parser's to report
				continue
			}
			if assignment(string(src[i:j])) {
				resetChain()
			} else if err := deeper(1); err != nil {
				return err
			}
			advance(j - i)
			operand = false
		}
	}
	return nil
}

func isOpByte(c byte) bool {
	switch c {
	case '+', '-', '*', '/', '%', '&', '|', '^', '~', '<', '>', '=', '!', '.', '@', '\\':
		return true
	}
	return false
}

// assignment tells an assignment (=, +=, …) from a comparison: it starts a
// new expression.
func assignment(op string) bool {
	if op == "" || op[len(op)-1] != '=' {
		return false
	}
	switch op {
	case "==", "!=", "<=", ">=":
		return false
	}
	return true
}

// skipString moves past a string literal starting at src[*i] (a quote;
// prefixes such as r or b were read as a word), refusing NUL inside it. An
// unterminated string ends at the end of the line or file, where the parser
// reports it.
func skipString(src []byte, i *int, at func(string, ...any) error, advance func(int)) error {
	q := src[*i]
	triple := *i+2 < len(src) && src[*i+1] == q && src[*i+2] == q
	if triple {
		advance(3)
	} else {
		advance(1)
	}
	for *i < len(src) {
		c := src[*i]
		switch {
		case c == 0:
			return at("NUL byte in the design: go.starlark.net would stop reading here and silently ignore the rest (write \\0 in a string)")
		case c == '\\':
			advance(1)
			if *i < len(src) && src[*i] == 0 {
				return at("NUL byte in the design: go.starlark.net would stop reading here and silently ignore the rest (write \\0 in a string)")
			}
			advance(1)
		case c == q && !triple:
			advance(1)
			return nil
		case c == q && *i+2 < len(src) && src[*i+1] == q && src[*i+2] == q:
			advance(3)
			return nil
		case c == '\n' && !triple:
			return nil
		default:
			advance(1)
		}
	}
	return nil
}
