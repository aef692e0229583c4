package main

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "rewrite testscript files with actual output (cmp against files in the archive)")

func TestMain(m *testing.M) {
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
			// A race-checked process that ends with more than one thread
			// sleeps a second first (the race runtime's atexit_sleep_ms),
			// so that reports from other threads come out: each of the
			// scripts' 398 commands did, and the scripts spent most of
			// their time waiting for it. A race is still reported as it
			// happens, and still fails the command.
			env.Setenv("GORACE", strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
			return nil
		},
	})
}
