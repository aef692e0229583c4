package hcl

import (
	"context"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/zclconf/go-cty/cty"

	"patchbay/lang"
	pstdlib "patchbay/stdlib"
)

// FuzzLoad runs arbitrary HCL: the front-end must never panic, and every
// failure must be diagnostics pointing into a file it read.
func FuzzLoad(f *testing.F) {
	f.Add([]byte("vpc \"a\" {\n  region = \"us-east-1\"\n  cidr = \"10.0.0.0/16\"\n}\n"))
	f.Add([]byte("locals {\n  a = local.b\n  b = 1\n}\n"))
	f.Add([]byte("module \"m\" {\n  source = \"./lib.hcl\"\n  x = 1\n}\n"))
	f.Add([]byte("vpc \"v\" {\n  count = 2\n  region = \"us-east-1\"\n  cidr = cidrsubnet(\"10.0.0.0/8\", 8, count.index)\n}\n"))
	f.Add([]byte("core_network \"w\" {\n  edge {\n    region = \"us-east-1\"\n  }\n  segment \"s\" {}\n}\n"))
	f.Add([]byte("variable \"x\" {\n  type = number\n  default = \"a\"\n}\n"))
	f.Add([]byte("vpc \"a\" {\n  region = \"us-east-1\"\n  cidr = \"10.0.0.0/16\"\n}\nsite \"s\" {\n  cidr = \"192.168.0.0/16\"\n  asn = 65001\n}\n" +
		"scenario \"x\" {\n  flow {\n    source = vpc.a\n    destination = site.s\n  }\n  event {\n    at = \"1m\"\n    action = \"fail\"\n    device = vpc.a\n  }\n}\n"))
	f.Add([]byte("scenario \"x\" {\n  event {\n    at = \"1m\"\n    action = \"advertise\"\n    channel = \"s/conn1\"\n    prepend = 2\n    communities = [\"7224:7300\"]\n    med = 5\n    extra_prefixes = 100\n  }\n}\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		fsys := fstest.MapFS{
			"main.hcl": {Data: src},
			"lib.hcl":  {Data: []byte("variable \"x\" {}\noutput \"y\" {\n  value = var.x\n}\n")},
		}
		d, err := LoadFS(context.Background(), fsys, "", "main.hcl", Options{})
		if err == nil {
			if d == nil {
				t.Fatal("nil design without error")
			}
			return
		}
		var se *lang.SourceError
		if !errors.As(err, &se) || len(se.Diagnostics) == 0 {
			t.Fatalf("error is %T without diagnostics: %v", err, err)
		}
		for _, dg := range se.Diagnostics {
			if dg.Summary == "" {
				t.Fatalf("diagnostic without summary: %+v", dg)
			}
			if f := dg.Range.File; f != "" && f != "main.hcl" && f != "lib.hcl" {
				t.Fatalf("diagnostic points at %q, a file that was never read", f)
			}
		}
	})
}

// FuzzCIDRFunctions calls the HCL CIDR functions with arbitrary arguments:
// no panic, and every answer agrees with the Go code Starlark uses.
func FuzzCIDRFunctions(f *testing.F) {
	f.Add("10.0.0.0/8", int64(8), int64(3))
	f.Add("2001:db8::/32", int64(16), int64(-1))
	f.Add("10.1.2.3/33", int64(200), int64(1<<40))
	f.Fuzz(func(t *testing.T, prefix string, a, b int64) {
		p, perr := pstdlib.ParsePrefix(prefix)
		call := func(name string, args ...cty.Value) (cty.Value, error) {
			return functions[name].Call(args)
		}
		if v, err := call("cidrsubnet", cty.StringVal(prefix), cty.NumberIntVal(a), cty.NumberIntVal(b)); err == nil {
			if perr != nil {
				t.Fatalf("cidrsubnet accepted %q, which does not parse", prefix)
			}
			want, werr := pstdlib.CIDRSubnet(p, int(a), b)
			if werr != nil || v.AsString() != want.String() {
				t.Fatalf("cidrsubnet(%q, %d, %d) = %s, Go says %v %v", prefix, a, b, v.AsString(), want, werr)
			}
			got := netip.MustParsePrefix(v.AsString())
			if !pstdlib.PrefixContains(p, got) {
				t.Fatalf("cidrsubnet(%q, %d, %d) = %s, outside the prefix", prefix, a, b, got)
			}
		}
		if v, err := call("cidrhost", cty.StringVal(prefix), cty.NumberIntVal(a)); err == nil {
			want, werr := pstdlib.CIDRHost(p, a)
			if werr != nil || v.AsString() != want.String() {
				t.Fatalf("cidrhost(%q, %d) = %s, Go says %v %v", prefix, a, v.AsString(), want, werr)
			}
		}
		if a >= 0 && a <= 128 && b >= 0 && b <= 128 {
			if v, err := call("cidrsubnets", cty.StringVal(prefix), cty.NumberIntVal(a), cty.NumberIntVal(b)); err == nil && v.LengthInt() != 2 {
				t.Fatalf("cidrsubnets gave %d subnets for two sizes", v.LengthInt())
			}
		}
		_, _ = call("cidrnetmask", cty.StringVal(prefix))
	})
}

// FuzzVarFileJSON feeds arbitrary text as a .tfvars.json file: it must set
// the design's variables or be refused with diagnostics, never panic.
func FuzzVarFileJSON(f *testing.F) {
	f.Add([]byte(`{"x": 1, "r": "us-east-1"}`))
	f.Add([]byte(`{"x": [1, {"a": null}], "r": "${upper(\"a\")}"}`))
	f.Add([]byte(`[1]`))
	f.Add([]byte(`{"x": 1, "x": 2}`))
	f.Fuzz(func(t *testing.T, src []byte) {
		dir := t.TempDir()
		vars := filepath.Join(dir, "v.tfvars.json")
		if err := os.WriteFile(vars, src, 0o644); err != nil {
			t.Fatal(err)
		}
		fsys := fstest.MapFS{"main.hcl": {Data: []byte("variable \"x\" {\n  default = 0\n}\nvariable \"r\" {\n  default = \"us-east-1\"\n}\n")}}
		_, err := LoadFS(context.Background(), fsys, "", "main.hcl", Options{VarFiles: []string{vars}})
		var se *lang.SourceError
		if err != nil && (!errors.As(err, &se) || len(se.Diagnostics) == 0) {
			t.Fatalf("error is %T without diagnostics: %v", err, err)
		}
	})
}
