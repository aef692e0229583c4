package layers

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// documented are the packages whose every exported identifier, fields
// and methods included, must carry a doc comment: the simulator's layers,
// which are read by people who add a protocol or a failure model without
// knowing the rest.
var documented = []string{"sim/engine", "sim/network", "sim/bfd", "sim/bgp", "sim/mka", "sim/sweep", "sim/internal/units", "lang/cloudwan", "lang/terraform"}

func TestExportedIdentifiersAreDocumented(t *testing.T) {
	for _, pkg := range documented {
		fset := token.NewFileSet()
		pkgs, err := parser.ParseDir(fset, filepath.Join("../..", pkg), func(fi fs.FileInfo) bool {
			return !strings.HasSuffix(fi.Name(), "_test.go")
		}, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		if len(pkgs) != 1 {
			t.Fatalf("%s: %d packages", pkg, len(pkgs))
		}
		for _, p := range pkgs {
			hasDoc := false
			for name, f := range p.Files {
				if f.Doc != nil {
					hasDoc = true
				}
				for _, msg := range undocumented(f) {
					t.Errorf("%s: %s has no doc comment", filepath.Join(pkg, filepath.Base(name)), msg)
				}
			}
			if !hasDoc {
				t.Errorf("%s has no package doc comment", pkg)
			}
		}
	}
}

// undocumented lists the exported declarations of f without a comment:
// functions, methods of exported types, types, constants, variables and
// the exported fields and methods of exported structs and interfaces.
func undocumented(f *ast.File) []string {
	var out []string
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if !d.Name.IsExported() || d.Doc != nil {
				continue
			}
			if d.Recv != nil {
				if recv := receiverName(d.Recv.List[0].Type); ast.IsExported(recv) {
					out = append(out, recv+"."+d.Name.Name)
				}
				continue
			}
			out = append(out, d.Name.Name)
		case *ast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					if !s.Name.IsExported() {
						continue
					}
					if s.Doc == nil && d.Doc == nil {
						out = append(out, s.Name.Name)
					}
					var fields *ast.FieldList
					switch t := s.Type.(type) {
					case *ast.StructType:
						fields = t.Fields
					case *ast.InterfaceType:
						fields = t.Methods
					}
					if fields == nil {
						continue
					}
					for _, fl := range fields.List {
						for _, n := range fl.Names {
							if n.IsExported() && fl.Doc == nil && fl.Comment == nil {
								out = append(out, s.Name.Name+"."+n.Name)
							}
						}
					}
				case *ast.ValueSpec:
					for _, n := range s.Names {
						// A commented group documents its members.
						if n.IsExported() && s.Doc == nil && s.Comment == nil && d.Doc == nil {
							out = append(out, n.Name)
						}
					}
				}
			}
		}
	}
	return out
}

func receiverName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.StarExpr:
		return receiverName(e.X)
	case *ast.IndexExpr:
		return receiverName(e.X)
	case *ast.Ident:
		return e.Name
	}
	return ""
}
