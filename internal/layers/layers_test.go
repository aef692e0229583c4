package layers

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "patchbay"

// allowed is, for each package, the module's packages its non-test files
// may import. A package missing from the table fails the test, so a new
// one is placed deliberately. Tests may import more (a planner test loads
// Starlark), since they are not part of what a layer offers.
var allowed = map[string][]string{
	"stdlib":       {},
	"stdlib/offer": {"stdlib"},

	"lang":           {"stdlib"},
	"lang/project":   {"lang"},
	"lang/decl":      {"lang", "lang/cloudwan", "stdlib"},
	"lang/starlark":  {"lang", "lang/decl", "lang/project", "stdlib"},
	"lang/hcl":       {"lang", "lang/decl", "lang/project", "lang/starlark", "stdlib"},
	"lang/load":      {"lang", "lang/hcl", "lang/starlark"},
	"lang/format":    {"lang"},
	"lang/cloudwan":  {"lang", "lang/format"},
	"lang/terraform": {"lang", "lang/cloudwan", "lang/format", "lang/hcl", "lang/project"},

	"planner":          {"lang", "stdlib"},
	"planner/cost":     {"lang", "planner", "stdlib"},
	"planner/render":   {"lang", "planner"},
	"planner/plantest": {"lang/load", "lang/starlark", "planner"},

	"sim/engine":         {},
	"sim/network":        {"planner"},
	"sim/bfd":            {"sim/engine", "sim/network"},
	"sim/bgp":            {"lang", "planner", "sim/engine", "sim/network"},
	"sim/mka":            {"sim/engine", "sim/internal/units", "sim/macsec", "sim/network", "stdlib"},
	"sim/internal/units": {},
	// Only tests import it: the layouts of sim/bfd, sim/macsec, sim/mka
	// and sim/network are checked with it.
	"sim/internal/cacheline": {},
	"sim/macsec":             {},
	"sim/wire":               {},
	"sim/plot":               {},
	"sim":                    {"lang", "planner", "sim/bfd", "sim/bgp", "sim/engine", "sim/internal/units", "sim/mka", "sim/network", "sim/plot", "stdlib"},
	"sim/sweep":              {"lang", "planner", "sim", "sim/internal/units", "sim/mka", "sim/network", "stdlib"},

	"cmd/patchbay": {"lang", "lang/cloudwan", "lang/decl", "lang/format", "lang/load", "lang/project", "lang/starlark", "lang/terraform",
		"planner", "planner/cost", "planner/render", "sim", "sim/mka", "sim/sweep", "stdlib", "stdlib/offer"},
	"cmd/patchbay/testdata/rsslaunch": {},

	"internal/layers": {},
}

func TestImportsFollowTheLayers(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatal("not at the module's root:", err)
	}
	imports := map[string]map[string]bool{}
	fset := token.NewFileSet()
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			// third_party holds patched copies of other modules; testdata
			// trees other than the helper commands hold scripts, not Go.
			if rel == "third_party" || strings.HasPrefix(d.Name(), ".") && rel != "." {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		pkg := filepath.ToSlash(filepath.Dir(rel))
		if imports[pkg] == nil {
			imports[pkg] = map[string]bool{}
		}
		for _, im := range f.Imports {
			p, _ := strconv.Unquote(im.Path.Value)
			if p == module || strings.HasPrefix(p, module+"/") {
				imports[pkg][strings.TrimPrefix(p, module+"/")] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for pkg, ims := range imports {
		ok, known := allowed[pkg]
		if !known {
			t.Errorf("%s is not in the layer table: add it with what it may import", pkg)
			continue
		}
		for im := range ims {
			if !slices.Contains(ok, im) {
				t.Errorf("%s imports %s, which its layer may not", pkg, im)
			}
		}
	}
	for pkg := range allowed {
		if imports[pkg] == nil {
			t.Errorf("the layer table names %s, which has no Go files", pkg)
		}
	}
}
