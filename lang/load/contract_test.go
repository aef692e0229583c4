package load_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"patchbay/lang"
	"patchbay/lang/load"
)

// Every failure of load.File is a *lang.SourceError naming the file, and
// holds the text read so far where there is any: the one contract callers
// rely on to print problems in context.
func TestFileErrorsAreSourceErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, c := range []struct {
		name, path string
		opts       load.Options
		ctx        context.Context
		withText   bool
	}{
		{"unsupported", write("d.yaml", "x: 1\n"), load.Options{}, context.Background(), false},
		{"missing", filepath.Join(dir, "none.star"), load.Options{}, context.Background(), false},
		{"starlark with -var", write("v.star", "x = 1\n"), load.Options{Vars: []string{"a=1"}}, context.Background(), false},
		{"starlark syntax", write("s.star", "x = (\n"), load.Options{}, context.Background(), true},
		{"starlark runtime", write("r.star", "vpc(\"a\", region = 1)\n"), load.Options{}, context.Background(), true},
		{"starlark cancelled", write("c.star", "x = 1\n"), load.Options{}, cancelled, false},
		{"hcl syntax", write("s.hcl", "vpc \"a\" {\n"), load.Options{}, context.Background(), true},
		{"hcl unknown var", write("u.hcl", "x = 1\n"), load.Options{Vars: []string{"nope=1"}}, context.Background(), false},
		{"directory", dir, load.Options{}, context.Background(), false},
	} {
		_, err := load.File(c.ctx, c.path, c.opts)
		var se *lang.SourceError
		if !errors.As(err, &se) {
			t.Errorf("%s: %T %v, want a *lang.SourceError", c.name, err, err)
			continue
		}
		if len(se.Diagnostics) == 0 || !se.Diagnostics.HasErrors() {
			t.Errorf("%s: no error among %v", c.name, se.Diagnostics)
		}
		if c.withText && len(se.Files) == 0 {
			t.Errorf("%s: no source text with %v", c.name, se.Diagnostics)
		}
	}
}
