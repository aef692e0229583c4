package main

import (
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "rewrite testscript files with actual output (cmp against files in the archive)")

func TestMain(m *testing.M) {
	// The scripts spend most of their time waiting for the commands they
	// start, each a new process of this binary (398 of them; under the
	// race detector a start is a good part of a second), so more scripts
	// at once than processors keep the processors busy: with four at a
	// time instead of two, the race-checked package took 105 s instead of
	// 154 on two cores. A -parallel on the command line still decides:
	// flags are parsed after this.
	if err := flag.Set("test.parallel", strconv.Itoa(max(4, 2*runtime.GOMAXPROCS(0)))); err != nil {
		panic(err)
	}
	testscript.Main(m, map[string]func(){
		"patchbay": func() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the CLI behaviour cases in testdata/script. Each case is
// a txtar archive: commands, their expected output, and the files they read.
func TestScripts(t *testing.T) {
	examples, err := filepath.Abs("../../examples")
	if err != nil {
		t.Fatal(err)
	}
	cache := t.TempDir()
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: *update,
		Setup: func(env *testscript.Env) error {
			env.Setenv("EXAMPLES", examples)
			// Graphviz compiles its WebAssembly once into the user's cache
			// directory (render.CacheDir); testscript's HOME has none, so
			// share one across scripts instead of compiling in each.
			env.Setenv("XDG_CACHE_HOME", cache)
			return nil
		},
	})
}
