package hcl

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"patchbay/lang"
)

func loadSrc(t *testing.T, src string, opts Options) lang.Diagnostics {
	t.Helper()
	fsys := fstest.MapFS{"main.hcl": {Data: []byte(src)}}
	_, err := LoadFS(context.Background(), fsys, "", "main.hcl", opts)
	if err == nil {
		return nil
	}
	var se *lang.SourceError
	if !errors.As(err, &se) {
		t.Fatalf("error %T: %v", err, err)
	}
	return se.Diagnostics
}

func TestNestingScan(t *testing.T) {
	deep := strings.Repeat("[", MaxNesting+1) + strings.Repeat("]", MaxNesting+1)
	ok := strings.Repeat("[", MaxNesting-5) + strings.Repeat("]", MaxNesting-5)
	for _, tc := range []struct {
		name, src string
		ok        bool
	}{
		{"shallow", "locals {\n  x = " + ok + "\n}\n", true},
		{"deep", "locals {\n  x = " + deep + "\n}\n", false},
		{"in a string", "locals {\n  x = \"" + deep + "\"\n}\n", true},
		{"escaped quote", "locals {\n  x = \"\\\"" + deep + "\"\n}\n", true},
		{"in a comment", "# " + deep + "\n// " + deep + "\n/* " + deep + " */\n", true},
		{"in a heredoc", "locals {\n  x = <<EOT\n" + deep + "\n  EOT\n}\n", true},
		{"literal ${ in a string", "locals {\n  x = \"" + strings.Repeat("$${", 300) + "\"\n}\n", true},
		{"interpolations", "locals {\n  x = " + strings.Repeat(`"${`, 200) + "1" + strings.Repeat(`}"`, 200) + "\n}\n", false},
		{"unary chain", "locals {\n  x = " + strings.Repeat("!", 300) + "true\n}\n", false},
		{"binary chain", "locals {\n  x = " + strings.Repeat("1 + ", 300) + "1\n}\n", false},
		{"long list", "locals {\n  x = [" + strings.Repeat("-1, ", 1000) + "1]\n}\n", true},
		{"many attributes", "locals {\n" + strings.Repeat("  a = -1 + 2\n", 1000) + "}\n", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ds := checkNesting([]byte(tc.src), "main.hcl")
			if (ds == nil) != tc.ok {
				t.Fatalf("ok = %v, want %v: %v", ds == nil, tc.ok, ds)
			}
		})
	}
	// The position is the byte that opens level 257.
	ds := checkNesting([]byte("x = "+deep), "v.hcl")
	if got := ds[0].Range.Start; got.Line != 1 || got.Col != 5+MaxNesting {
		t.Errorf("position %+v, want 1:%d", got, 5+MaxNesting)
	}
}

func TestBudgets(t *testing.T) {
	for _, tc := range []struct {
		name, src, rule, want string
		opts                  Options
	}{
		{"range", "locals {\n  x = range(1000000000)\n}\n", "step-budget", "step budget of 10000000 exceeded", Options{}},
		{"nested for", "locals {\n  r = range(1000)\n  x = [for i in local.r : [for j in local.r : j]]\n}\n", "step-budget", "step budget of 100000 exceeded", Options{MaxSteps: 100_000}},
		{"doubling", "locals {\n  a = \"xxxxxxxxxxxxxxxx\"\n  b = \"${local.a}${local.a}\"\n  c = \"${local.b}${local.b}\"\n  d = \"${local.c}${local.c}\"\n}\n", "memory-budget", "memory budget of 0 MiB exceeded", Options{MaxMemory: 300}},
		{"setproduct", "locals {\n  x = setproduct(range(1000), range(1000), range(1000))\n}\n", "step-budget", "setproduct() would take", Options{}},
		{"format width", "locals {\n  x = format(\"%0999999999d\", 1)\n}\n", "memory-budget", "format() would build", Options{}},
		{"try does not hide it", "locals {\n  x = try(range(1000000000), [])\n  y = [for i in range(10) : i]\n}\n", "step-budget", "step budget of 10000000 exceeded", Options{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ds := loadSrc(t, tc.src, tc.opts)
			if len(ds) != 1 || ds[0].Rule != tc.rule || !strings.Contains(ds[0].Summary, tc.want) || ds[0].Range.File != "main.hcl" || ds[0].Range.Start.Line == 0 {
				t.Fatalf("got %+v, want one %s diagnostic containing %q at a position", ds, tc.rule, tc.want)
			}
		})
	}
	// Within budget, the same functions work.
	if ds := loadSrc(t, "locals {\n  x = join(\",\", [for i in range(100) : format(\"%03d\", i)])\n  y = setproduct([\"a\"], [\"b\"])\n}\n", Options{}); ds != nil {
		t.Fatal(ds)
	}
}

// A .tfvars.json file is data, but decoding builds a value and a type per
// element: a large one is charged to the memory budget before it is
// decoded, and refused at the file.
func TestVarFileJSONBudget(t *testing.T) {
	dir := t.TempDir()
	vars := filepath.Join(dir, "big.tfvars.json")
	if err := os.WriteFile(vars, []byte(`{"x": [`+strings.Repeat("0,", 20_000)+`0]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{"main.hcl": {Data: []byte("variable \"x\" {}\n")}}
	_, err := LoadFS(context.Background(), fsys, "", "main.hcl", Options{VarFiles: []string{vars}, MaxMemory: 1 << 20})
	if err == nil || !strings.Contains(err.Error(), vars+":1:1: error: ") || !strings.Contains(err.Error(), "memory") {
		t.Fatalf("got %v, want the memory budget at the file", err)
	}
	if _, err := LoadFS(context.Background(), fsys, "", "main.hcl", Options{VarFiles: []string{vars}}); err != nil {
		t.Fatalf("within the default budget: %v", err)
	}
}
