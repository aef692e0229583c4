package planner_test

import (
	"context"
	"os"
	"runtime/debug"
	"testing"
	"testing/fstest"
	"time"

	gostarlark "go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
	"go.starlark.net/syntax"

	"patchbay/lang/starlark"
	"patchbay/planner"
)

// bareStarlark evaluates src with every builtin it calls replaced by a stub
// that returns its arguments as a struct: the loops alone, which no
// front-end can make cheaper — the reference patchbay's own cost is
// measured against.
func bareStarlark(tb testing.TB, src string) {
	stub := func(name string) *gostarlark.Builtin {
		return gostarlark.NewBuiltin(name, func(_ *gostarlark.Thread, _ *gostarlark.Builtin, args gostarlark.Tuple, kwargs []gostarlark.Tuple) (gostarlark.Value, error) {
			kw := append([]gostarlark.Tuple{{gostarlark.String("args"), args}}, kwargs...)
			return starlarkstruct.FromKeywords(starlarkstruct.Default, kw), nil
		})
	}
	predeclared := gostarlark.StringDict{}
	for _, n := range []string{"core_network", "edge", "segment", "share", "vpc", "attach", "route_table", "route", "transit_gateway", "cidrsubnet"} {
		predeclared[n] = stub(n)
	}
	thread := &gostarlark.Thread{Name: "bare"}
	if _, err := gostarlark.ExecFileOptions(&syntax.FileOptions{Set: true, TopLevelControl: true}, thread, "v.star", src, predeclared); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkValidateVsBareStarlark loads, plans and validates the
// 10,000-VPC / 100,000-prefix design (what `patchbay validate` does before
// printing) and evaluates the same script with stub builtins, reporting
// the ratio of the two: the goal is at most 2.
//
// Both run with the collector at the GOGC the command runs at (200, see
// cmd/patchbay's gcPercent), unless GOGC is set: at the default 100,
// validating is 2.4–2.5× bare Starlark, most of the difference the
// collector marking the design's resources again at each doubling.
func BenchmarkValidateVsBareStarlark(b *testing.B) {
	if _, set := os.LookupEnv("GOGC"); !set {
		defer debug.SetGCPercent(debug.SetGCPercent(200))
	}
	src := validationDesign()
	fsys := fstest.MapFS{"v.star": {Data: []byte(src)}}
	var full, bare time.Duration
	for b.Loop() {
		t0 := time.Now()
		d, err := starlark.LoadFS(context.Background(), fsys, "", "v.star", starlark.Options{MaxSteps: 100_000_000})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := planner.New(d); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		bareStarlark(b, src)
		full += t1.Sub(t0)
		bare += time.Since(t1)
	}
	b.ReportMetric(float64(full.Milliseconds())/float64(b.N), "validate-ms")
	b.ReportMetric(float64(bare.Milliseconds())/float64(b.N), "bare-starlark-ms")
	b.ReportMetric(float64(full)/float64(bare), "x-bare")
}
