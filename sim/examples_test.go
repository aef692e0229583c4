package sim

import (
	"bytes"
	"encoding/json"
	"flag"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"patchbay/planner"
	"patchbay/planner/plantest"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden timelines")

func runJSON(t *testing.T, p *planner.Plan, i int, seed uint64) []byte {
	t.Helper()
	tr, err := run(p, p.Design.Scenarios[i], Options{Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := tr.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Every example rehearses at least one scenario; its timeline is golden.
func TestExampleScenarios(t *testing.T) {
	for _, file := range plantest.Examples(t, "../examples") {
		p := plantest.File(t, file)
		if len(p.Design.Scenarios) == 0 {
			t.Errorf("%s declares no scenario", file)
		}
		for _, sc := range p.Design.Scenarios {
			tr, err := run(p, sc, Options{Seed: 1})
			if err != nil {
				t.Fatalf("%s %s: %v", file, sc.Name, err)
			}
			if tr.HasErrors() {
				t.Errorf("%s %s broke a rule: %+v", file, sc.Name, tr.Findings)
			}
			var b bytes.Buffer
			if err := tr.WriteText(&b); err != nil {
				t.Fatal(err)
			}
			name := strings.TrimSuffix(filepath.Base(file), ".star") + "." + sc.Name + ".txt"
			plantest.Golden(t, filepath.Join("testdata", name), b.Bytes(), *updateGolden)
		}
	}
}

// The JSON trace of every example scenario is byte-identical across runs
// and whatever GOMAXPROCS is; a different seed is allowed to differ.
func TestExampleScenariosAreDeterministic(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, file := range plantest.Examples(t, "../examples") {
		p := plantest.File(t, file)
		for i, sc := range p.Design.Scenarios {
			runtime.GOMAXPROCS(2)
			first := runJSON(t, p, i, 7)
			for run := range 5 {
				runtime.GOMAXPROCS(1 + run%2)
				// A fresh plan each time: nothing may leak between runs.
				if got := runJSON(t, plantest.File(t, file), i, 7); !bytes.Equal(got, first) {
					t.Fatalf("%s %s: run %d (GOMAXPROCS %d) differs", file, sc.Name, run, 1+run%2)
				}
			}
		}
	}
}

// Both languages describe the same scenarios: their traces differ only in
// the file names.
func TestExampleScenariosAgreeAcrossLanguages(t *testing.T) {
	for _, file := range plantest.Examples(t, "../examples") {
		ps, ph := plantest.File(t, file), plantest.File(t, strings.TrimSuffix(file, ".star")+".hcl")
		if len(ps.Design.Scenarios) != len(ph.Design.Scenarios) {
			t.Fatalf("%s: %d scenarios in Starlark, %d in HCL", file, len(ps.Design.Scenarios), len(ph.Design.Scenarios))
		}
		for i := range ps.Design.Scenarios {
			s, h := withoutSources(t, runJSON(t, ps, i, 1)), withoutSources(t, runJSON(t, ph, i, 1))
			if !bytes.Equal(s, h) {
				t.Errorf("%s: scenario %s differs between Starlark and HCL:\n%s\n----\n%s", file, ps.Design.Scenarios[i].Name, s, h)
			}
		}
	}
}

// withoutSources blanks the script positions in a JSON trace.
func withoutSources(t *testing.T, b []byte) []byte {
	t.Helper()
	var tr Trace
	if err := json.Unmarshal(b, &tr); err != nil {
		t.Fatal(err)
	}
	tr.Source = ""
	for i := range tr.Findings {
		tr.Findings[i].Source = ""
	}
	out, err := json.Marshal(tr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
