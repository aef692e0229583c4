package format_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"go.starlark.net/syntax"

	"patchbay/lang"
	"patchbay/lang/format"
	"patchbay/lang/load"
	"patchbay/planner"
)

const messyStar = `# Header comment.
load("lib.star",   "x")   # trailing comment
payments=vpc( "payments",region="us-east-1",
  cidr=[ "10.10.0.0/16" ,"10.11.0.0/16"],   # the blocks
     mtu=8500)
# between
hub = transit_gateway("hub", region = "us-east-1",)
attach(payments,hub)
`

const messyHCL = `# Header comment.
vpc "payments" {
region="us-east-1"   # trailing
  cidr = ["10.10.0.0/16","10.11.0.0/16"]
	mtu=8500
}
/* block comment */
transit_gateway "hub" { region = "us-east-1" }
attachment "payments-hub" {
a = vpc.payments
    b = transit_gateway.hub
}
`

// designs is every design of the repository: examples and the corpus.
func designs(t *testing.T) []string {
	var out []string
	for _, pat := range []string{"../../examples/*.*", "../../examples/lib/*.*", "../../testdata/*/*.*", "../../testdata/*/lib/*.*"} {
		m, _ := filepath.Glob(pat)
		for _, f := range m {
			if format.Supported(f) {
				out = append(out, f)
			}
		}
	}
	if len(out) < 50 {
		t.Fatalf("found only %d designs", len(out))
	}
	return out
}

func TestIdempotent(t *testing.T) {
	inputs := map[string][]byte{"messy.star": []byte(messyStar), "messy.hcl": []byte(messyHCL)}
	for _, f := range designs(t) {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		inputs[f] = src
	}
	for name, src := range inputs {
		once, err := format.Source(name, src)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		twice, err := format.Source(name, once)
		if err != nil {
			t.Fatalf("%s: formatted output does not parse: %v", name, err)
		}
		if !bytes.Equal(once, twice) {
			t.Errorf("%s: formatting twice differs from once:\n%s\n---\n%s", name, once, twice)
		}
	}
	if out, _ := format.Source("messy.star", []byte(messyStar)); bytes.Equal(out, []byte(messyStar)) {
		t.Error("the messy Starlark was left as it was")
	}
}

// hclTokens is the token stream without layout: what formatting may not change.
func hclTokens(t *testing.T, src []byte) []string {
	toks, diags := hclsyntax.LexConfig(src, "f.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	var out []string
	for _, tok := range toks {
		if tok.Type == hclsyntax.TokenNewline {
			continue
		}
		out = append(out, strings.TrimSpace(string(tok.Bytes)))
	}
	return out
}

// starComments lists a Starlark file's comments.
func starComments(t *testing.T, src []byte) []string {
	f, err := syntax.LegacyFileOptions().Parse("f.star", src, syntax.RetainComments)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	syntax.Walk(f, func(n syntax.Node) bool {
		if n == nil {
			return false
		}
		if c := n.Comments(); c != nil {
			for _, group := range [][]syntax.Comment{c.Before, c.Suffix, c.After} {
				for _, cm := range group {
					out = append(out, cm.Text)
				}
			}
		}
		return true
	})
	slices.Sort(out)
	return out
}

func TestKeepsTokensAndComments(t *testing.T) {
	out, err := format.Source("messy.hcl", []byte(messyHCL))
	if err != nil {
		t.Fatal(err)
	}
	if a, b := hclTokens(t, []byte(messyHCL)), hclTokens(t, out); !slices.Equal(a, b) {
		t.Errorf("HCL tokens changed:\n%q\n%q", a, b)
	}
	out, err = format.Source("messy.star", []byte(messyStar))
	if err != nil {
		t.Fatal(err)
	}
	if a, b := starComments(t, []byte(messyStar)), starComments(t, out); !slices.Equal(a, b) || len(a) != 4 {
		t.Errorf("Starlark comments changed:\n%q\n%q", a, b)
	}
}

// planOf plans the design at dir/name, leaving out positions.
func planOf(t *testing.T, file string) string {
	d, err := load.File(context.Background(), file, load.Options{})
	if err != nil {
		return "error: " + err.Error()
	}
	p, err := planner.New(d)
	if err != nil {
		return "error: " + err.Error()
	}
	var buf bytes.Buffer
	if err := p.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var doc any
	_ = json.Unmarshal(buf.Bytes(), &doc)
	b, _ := json.Marshal(strip(doc))
	return string(b)
}

func strip(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for _, k := range []string{"source", "range", "related", "stack", "files"} {
			delete(x, k)
		}
		for k, e := range x {
			x[k] = strip(e)
		}
	case []any:
		for i, e := range x {
			x[i] = strip(e)
		}
	}
	return v
}

// TestKeepsMeaning formats every design of the repository in a copy and
// plans both: the plans must be the same.
func TestKeepsMeaning(t *testing.T) {
	// Each directory is copied once, its designs planned, every file in it
	// formatted once (loaded modules included), and the designs planned
	// again: a copy and a format per design made this test the slowest of
	// the suite once writes were synced.
	byDir := map[string][]string{}
	for _, f := range designs(t) {
		if strings.Contains(f, "/lib/") {
			continue // planned through the files that load them
		}
		byDir[filepath.Dir(f)] = append(byDir[filepath.Dir(f)], f)
	}
	for from, files := range byDir {
		dir := t.TempDir()
		copyTree(t, from, dir)
		before := map[string]string{}
		for _, f := range files {
			before[f] = planOf(t, filepath.Join(dir, filepath.Base(f)))
		}
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && format.Supported(p) {
				src, _ := os.ReadFile(p)
				out, err := format.Source(p, src)
				if err != nil {
					t.Fatalf("%s: %v", p, err)
				}
				if err := os.WriteFile(p, out, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			return nil
		})
		for _, f := range files {
			if after := planOf(t, filepath.Join(dir, filepath.Base(f))); after != before[f] {
				t.Errorf("%s: formatting changed the plan", f)
			}
		}
	}
}

func copyTree(t *testing.T, from, to string) {
	filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), src, 0o644)
	})
}

// TestSyntaxErrorPosition: a syntax error is placed at its line and
// column, and a number past what a file can have (one in the file's own
// name, which the error's text also holds) is no position.
func TestSyntaxErrorPosition(t *testing.T) {
	for _, c := range []struct {
		name string
		line int32
	}{
		{"bad.star", 2},
		{"x:4294967299:1: y.star", 0},
	} {
		_, err := format.Source(c.name, []byte("a = 1\nb = = 2\n"))
		var d lang.Diagnostic
		if !errors.As(err, &d) {
			t.Fatalf("%s: %v, want a diagnostic", c.name, err)
		}
		if d.Range.Start.Line != c.line {
			t.Errorf("%s: line %d, want %d (%v)", c.name, d.Range.Start.Line, c.line, err)
		}
	}
}
