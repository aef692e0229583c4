// Package format lays out design files the canonical way: HCL with
// hclwrite, Starlark with buildtools' formatter (buildifier's). Formatting
// changes layout only — never meaning, never a comment.
package format

import (
	"bytes"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/bazelbuild/buildtools/build"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"

	"patchbay/lang"
)

// Supported reports whether name is a file format knows.
func Supported(name string) bool {
	ext := filepath.Ext(name)
	return ext == ".star" || ext == ".hcl"
}

// Source returns src formatted. A file that does not parse is an error with
// its position; it is never half-formatted.
func Source(name string, src []byte) ([]byte, error) {
	switch filepath.Ext(name) {
	case ".hcl":
		// hclwrite formats whatever it is given; parse first so a broken
		// file is reported, not reshaped.
		if _, diags := hclsyntax.ParseConfig(src, name, hcl.InitialPos); diags.HasErrors() {
			d := diags[0]
			r := lang.Range{File: name}
			if d.Subject != nil {
				r.Start = lang.Pos{Line: int32(d.Subject.Start.Line), Col: int32(d.Subject.Start.Column)}
			}
			return nil, lang.Diagnostic{Rule: "syntax", Summary: d.Summary, Detail: d.Detail, Range: r}
		}
		return hclwrite.Format(src), nil
	case ".star":
		f, err := build.ParseDefault(name, src)
		if err != nil {
			return nil, starError(name, err)
		}
		// Without buildifier's rewrites (sorting lists and loads): layout only.
		return build.FormatWithoutRewriting(f), nil
	}
	return nil, fmt.Errorf("%s: only .star and .hcl files can be formatted", name)
}

// Changed reports whether src is not in canonical form.
func Changed(name string, src []byte) (bool, []byte, error) {
	out, err := Source(name, src)
	if err != nil {
		return false, nil, err
	}
	return !bytes.Equal(out, src), out, nil
}

// buildtoolsPos matches the "file:line:col: message" of buildtools' errors.
var buildtoolsPos = regexp.MustCompile(`^(?:.*?):(\d+):(\d+): (.*)$`)

// starError places a Starlark syntax error at its position, so it prints
// with a snippet like every other error.
func starError(name string, err error) error {
	d := lang.Diagnostic{Rule: "syntax", Summary: err.Error(), Range: lang.Range{File: name}}
	if m := buildtoolsPos.FindStringSubmatch(err.Error()); m != nil {
		// A file is at most 16 MiB, so a real position fits an int32; a
		// number that does not came from somewhere else in the text (a
		// file name holding ":4294967299:1: "), and is not a position.
		line, err1 := strconv.ParseInt(m[1], 10, 32)
		col, err2 := strconv.ParseInt(m[2], 10, 32)
		if err1 == nil && err2 == nil {
			d.Summary, d.Range.Start = m[3], lang.Pos{Line: int32(line), Col: int32(col)}
		}
	}
	return d
}

// CommentText is s made safe to write inside a # comment of generated
// Starlark: text taken from an imported file (a name, an address, a
// CIDR) may hold a line break, and what followed it would be code. Every
// control character and Unicode line or paragraph separator becomes a
// space.
func CommentText(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
}
