package planner_test

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"patchbay/lang"
	"patchbay/planner"
	"patchbay/planner/plantest"
)

// The corpus in ../testdata, in both languages (HCL comments start with #
// too): every design in invalid/ says, with comments,
// exactly which rules fire and where; every design in valid/ must raise
// nothing. A comment "# want: RULE [RULE …]" on a line expects one finding
// of each RULE reported at that line (RULE:warning or RULE:error also pins
// its severity); "# related: RULE" expects a finding of
// RULE whose related location is that line. Annotations count in loaded
// files too, so findings in a loaded module are placed there. A valid
// design names the rules it exercises without firing them in a comment
// "# checks: RULE [RULE …]": every rule needs one.

var (
	annotation = regexp.MustCompile(`#\s*(want|related):\s*([a-z0-9 :-]+)$`)
	checks     = regexp.MustCompile(`(?m)^#\s*checks:\s*([a-z0-9 -]+)$`)
)

type mark struct {
	kind, rule, file string
	line             int
	sev              string // "" in an annotation: any severity
}

func (m mark) String() string {
	s := fmt.Sprintf("%s:%d %s %s", m.file, m.line, m.kind, m.rule)
	if m.sev != "" {
		s += ":" + m.sev
	}
	return s
}

// matches reports whether a finding's mark satisfies an annotation.
func (m mark) matches(want mark) bool {
	return m.kind == want.kind && m.rule == want.rule && m.file == want.file && m.line == want.line && (want.sev == "" || want.sev == m.sev)
}

func wants(src lang.Sources) []mark {
	var out []mark
	for file, text := range src {
		for i, line := range strings.Split(string(text), "\n") {
			m := annotation.FindStringSubmatch(strings.TrimSpace(line))
			if m == nil {
				continue
			}
			for _, tok := range strings.Fields(m[2]) {
				rule, sev, _ := strings.Cut(tok, ":")
				out = append(out, mark{m[1], rule, file, i + 1, sev})
			}
		}
	}
	return out
}

func got(findings lang.Diagnostics) []mark {
	var out []mark
	for _, f := range findings {
		out = append(out, mark{"want", f.Rule, f.Range.File, int(f.Range.Start.Line), f.Severity.String()})
		for _, r := range f.Related {
			out = append(out, mark{"related", f.Rule, r.Range.File, int(r.Range.Start.Line), f.Severity.String()})
		}
	}
	return out
}

func sortMarks(ms []mark) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.String()
	}
	slices.Sort(out)
	return out
}

// corpus lists a directory's designs: its Starlark files, then its HCL ones.
func corpus(t *testing.T, dir string) []string {
	star, _ := filepath.Glob(filepath.Join(dir, "*.star"))
	hcl, _ := filepath.Glob(filepath.Join(dir, "*.hcl"))
	if len(hcl) == 0 {
		t.Errorf("no HCL designs in %s", dir)
	}
	return append(star, hcl...)
}

func TestInvalidCorpus(t *testing.T) {
	files := corpus(t, "../testdata/invalid")
	if len(files) == 0 {
		t.Fatal("no corpus")
	}
	fired := map[string]bool{}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			p := plantest.File(t, file)
			want := wants(p.Design.Files)
			if len(want) == 0 {
				t.Fatal("no # want: annotations")
			}
			g := got(p.Findings)
			// Related marks are expected only where annotated: compare wants
			// exactly, and each related annotation must be among the got ones.
			var gotWants, gotRelated []mark
			for _, m := range g {
				if m.kind == "want" {
					gotWants = append(gotWants, m)
					fired[m.rule] = true
				} else {
					gotRelated = append(gotRelated, m)
				}
			}
			var unmatched []string
			for _, w := range want {
				pool := &gotWants
				if w.kind == "related" {
					pool = &gotRelated
				}
				i := slices.IndexFunc(*pool, func(g mark) bool { return g.matches(w) })
				if i < 0 {
					unmatched = append(unmatched, w.String())
					continue
				}
				if w.kind == "want" {
					*pool = slices.Delete(*pool, i, i+1) // each finding satisfies one want
				}
			}
			if len(unmatched) > 0 || len(gotWants) > 0 {
				var b strings.Builder
				_ = lang.WriteDiagnostics(&b, p.Findings, p.Design.Files)
				t.Errorf("findings differ\n expected but missing: %v\n found but not expected: %v\n%s", unmatched, sortMarks(gotWants), b.String())
			}
		})
	}
	for _, r := range planner.Rules() {
		if !fired[r.ID] {
			t.Errorf("rule %s has no firing case in testdata/invalid", r.ID)
		}
	}
}

func TestValidCorpus(t *testing.T) {
	files := corpus(t, "../testdata/valid")
	examples, _ := filepath.Glob("../examples/*.star")
	if len(files) == 0 {
		t.Fatal("no corpus")
	}
	checked := map[string]bool{}
	for _, file := range append(files, examples...) {
		t.Run(filepath.Base(file), func(t *testing.T) {
			p := plantest.File(t, file)
			for _, src := range p.Design.Files {
				for _, m := range checks.FindAllStringSubmatch(string(src), -1) {
					for _, r := range strings.Fields(m[1]) {
						checked[r] = true
					}
				}
			}
			if len(p.Findings) > 0 {
				var b strings.Builder
				_ = lang.WriteDiagnostics(&b, p.Findings, p.Design.Files)
				t.Errorf("a valid design raised findings:\n%s", b.String())
			}
		})
	}
	for _, r := range planner.Rules() {
		if !checked[r.ID] {
			t.Errorf("rule %s has no non-firing case (# checks: %s) in testdata/valid", r.ID, r.ID)
		}
	}
}
