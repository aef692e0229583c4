// Package plantest loads and plans designs for the tests of the packages
// that consume plans, so each does not carry its own copy.
package plantest

import (
	"context"
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
