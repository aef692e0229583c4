// Package plantest loads and plans designs for the tests of the packages
// that consume plans, so each does not carry its own copy.
package plantest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"patchbay/lang/load"
	"patchbay/lang/starlark"
	"patchbay/planner"
)

// File loads and plans a design file of either language.
func File(t testing.TB, file string) *planner.Plan {
	t.Helper()
	d, err := load.File(context.Background(), file, load.Options{})
	if err != nil {
		t.Fatalf("load %s: %v", file, err)
	}
	p, err := planner.New(d)
	if err != nil {
		t.Fatalf("plan %s: %v", file, err)
	}
	return p
}

// Source loads and plans Starlark text as the file main.star.
func Source(t testing.TB, src string) *planner.Plan {
	t.Helper()
	d, err := starlark.LoadFS(context.Background(), fstest.MapFS{"main.star": {Data: []byte(src)}}, "", "main.star", starlark.Options{})
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	p, err := planner.New(d)
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	return p
}

// Examples lists the Starlark examples (each has an HCL twin that plans the
// same), failing the test when there are none.
func Examples(t testing.TB, dir string) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.star"))
	if len(files) == 0 {
		t.Fatalf("no examples in %s", dir)
	}
	return files
}

// Golden compares got with the golden file, or rewrites the file when
// update is set (the test's -update flag).
func Golden(t testing.TB, golden string, got []byte, update bool) {
	t.Helper()
	if update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run the test with -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n%s", golden, got)
	}
}
