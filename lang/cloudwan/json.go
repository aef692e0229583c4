package cloudwan

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// node is a JSON value with where it starts, so that every complaint
// about a policy document names its line and column. encoding/json gives
// offsets for syntax errors only.
type node struct {
	kind  byte // 'o' object, 'a' array, 's' string, 'n' number, 'b' bool, 'z' null
	off   int
	str   string // string value, or a number's text
	b     bool
	keys  []string // object keys in order
	vals  []*node  // object values (by keys) or array elements
	koffs []int    // where each key starts
}

// get is the member of an object called key; nil when there is none.
func (n *node) get(key string) *node {
	for i, k := range n.keys {
		if k == key {
			return n.vals[i]
		}
	}
	return nil
}

// parser reads JSON (RFC 8259) into nodes, refusing duplicate keys, which
// a policy never needs and which would leave one of two values unread.
type parser struct {
	src   []byte
	i     int
	depth int
}

// maxDepth bounds nesting: a policy is four levels deep, and a hostile
// file must not exhaust the stack.
const maxDepth = 64

type syntaxError struct {
	off int
	msg string
}

func (e *syntaxError) Error() string { return e.msg }

func parse(src []byte) (*node, error) {
	p := &parser{src: src}
	p.space()
	n, err := p.value()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i != len(p.src) {
		return nil, p.errf("unexpected %s after the document", p.what())
	}
	return n, nil
}

func (p *parser) errf(format string, args ...any) error {
	return &syntaxError{off: p.i, msg: fmt.Sprintf(format, args...)}
}

func (p *parser) what() string {
	if p.i >= len(p.src) {
		return "end of file"
	}
	r, _ := utf8.DecodeRune(p.src[p.i:])
	return strconv.QuoteRune(r)
}

func (p *parser) space() {
	for p.i < len(p.src) && strings.IndexByte(" \t\r\n", p.src[p.i]) >= 0 {
		p.i++
	}
}

func (p *parser) value() (*node, error) {
	if p.i >= len(p.src) {
		return nil, p.errf("unexpected end of file: want a value")
	}
	off := p.i
	switch c := p.src[p.i]; {
	case c == '{' || c == '[':
		if p.depth++; p.depth > maxDepth {
			return nil, p.errf("nested more than %d deep", maxDepth)
		}
		defer func() { p.depth-- }()
		if c == '{' {
			return p.object()
		}
		return p.array()
	case c == '"':
		s, err := p.string()
		return &node{kind: 's', off: off, str: s}, err
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	case strings.HasPrefix(string(p.src[p.i:min(p.i+5, len(p.src))]), "true"):
		p.i += 4
		return &node{kind: 'b', off: off, b: true}, nil
	case strings.HasPrefix(string(p.src[p.i:min(p.i+5, len(p.src))]), "false"):
		p.i += 5
		return &node{kind: 'b', off: off}, nil
	case strings.HasPrefix(string(p.src[p.i:min(p.i+4, len(p.src))]), "null"):
		p.i += 4
		return &node{kind: 'z', off: off}, nil
	}
	return nil, p.errf("unexpected %s: want a value", p.what())
}

func (p *parser) object() (*node, error) {
	n := &node{kind: 'o', off: p.i}
	p.i++
	p.space()
	if p.i < len(p.src) && p.src[p.i] == '}' {
		p.i++
		return n, nil
	}
	for {
		p.space()
		if p.i >= len(p.src) || p.src[p.i] != '"' {
			return nil, p.errf("unexpected %s: want a member name in quotes", p.what())
		}
		koff := p.i
		k, err := p.string()
		if err != nil {
			return nil, err
		}
		if n.get(k) != nil {
			p.i = koff
			return nil, p.errf("%q appears twice in one object", k)
		}
		p.space()
		if p.i >= len(p.src) || p.src[p.i] != ':' {
			return nil, p.errf("unexpected %s: want ':' after %q", p.what(), k)
		}
		p.i++
		p.space()
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		n.keys, n.vals, n.koffs = append(n.keys, k), append(n.vals, v), append(n.koffs, koff)
		p.space()
		if p.i < len(p.src) && p.src[p.i] == ',' {
			p.i++
			continue
		}
		if p.i < len(p.src) && p.src[p.i] == '}' {
			p.i++
			return n, nil
		}
		return nil, p.errf("unexpected %s: want ',' or '}'", p.what())
	}
}

func (p *parser) array() (*node, error) {
	n := &node{kind: 'a', off: p.i}
	p.i++
	p.space()
	if p.i < len(p.src) && p.src[p.i] == ']' {
		p.i++
		return n, nil
	}
	for {
		p.space()
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		n.vals = append(n.vals, v)
		p.space()
		if p.i < len(p.src) && p.src[p.i] == ',' {
			p.i++
			continue
		}
		if p.i < len(p.src) && p.src[p.i] == ']' {
			p.i++
			return n, nil
		}
		return nil, p.errf("unexpected %s: want ',' or ']'", p.what())
	}
}

func (p *parser) string() (string, error) {
	p.i++ // the quote
	var b strings.Builder
	for p.i < len(p.src) {
		c := p.src[p.i]
		switch {
		case c == '"':
			p.i++
			return b.String(), nil
		case c < 0x20:
			return "", p.errf("a control character in a string")
		case c == '\\':
			if p.i+1 >= len(p.src) {
				return "", p.errf("unexpected end of file in a string")
			}
			e := p.src[p.i+1]
			switch e {
			case '"', '\\', '/':
				b.WriteByte(e)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				if p.i+6 > len(p.src) {
					return "", p.errf("a short \\u escape")
				}
				v, err := strconv.ParseUint(string(p.src[p.i+2:p.i+6]), 16, 16)
				if err != nil {
					return "", p.errf("a bad \\u escape")
				}
				b.WriteRune(rune(v))
				p.i += 4
			default:
				return "", p.errf("a bad escape \\%c", e)
			}
			p.i += 2
		default:
			r, size := utf8.DecodeRune(p.src[p.i:])
			if r == utf8.RuneError && size <= 1 {
				return "", p.errf("a string that is not UTF-8")
			}
			b.WriteString(string(p.src[p.i : p.i+size]))
			p.i += size
		}
	}
	return "", p.errf("unexpected end of file in a string")
}

var numberRE = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

func (p *parser) number() (*node, error) {
	off := p.i
	for p.i < len(p.src) && strings.IndexByte("+-0123456789.eE", p.src[p.i]) >= 0 {
		p.i++
	}
	text := string(p.src[off:p.i])
	if !numberRE.MatchString(text) {
		p.i = off
		return nil, p.errf("a malformed number %q", text)
	}
	return &node{kind: 'n', off: off, str: text}, nil
}

// position is offset's line and column (in characters, from 1).
func position(src []byte, offset int) (line, col int) {
	line, col = 1, 1
	for _, r := range string(src[:min(offset, len(src))]) {
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}
