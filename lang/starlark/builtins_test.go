package starlark

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"testing/fstest"

	"patchbay/lang"
)

func TestExplore(t *testing.T) {
	scripts := []string{
		"p = vpc(\"a\", region = \"us-east-1\", cidr = \"10.0.0.0/16\")\np.cidr = \"x\"",
		"p = vpc(\"a\", region = \"us-east-1\", cidr = \"10.0.0.0/16\")\np.nope",
		"load(\"@stdlib//ipam.star\", \"ipam\")\nprint(ipam.plan(\"10.0.0.0/16\", {\"small\": 24, \"big\": 20, \"mid\": 22}))\nprint(ipam.subnet(\"10.0.0.0/8\", 16, 2))",
		"load(\"lib.star\", \"x\")",
		"vpc(\"a\", \"mars-1\", \"10.0.0.0/16\")",
		"load(\"lib2.star\", \"y\")",
		"load(\"lib3.star\", \"z\")",
		"v = vpc(\"a\", region = \"us-east-1\", cidr = \"10.0.0.0/16\")\nh = transit_gateway(\"h\", region = \"us-east-1\")\nattach(v, h)\nattach(h, v)",
		"x = [vpc(\"a%d\" % i, region = \"us-east-1\", cidr = \"10.0.0.0/16\") for i in range(2)]",
		"f = vpc\nf(\"a\", region = \"us-east-1\", cidr = \"10.0.0.0/16\")",
	}
	for _, s := range scripts {
		var out bytes.Buffer
		fsys := fstest.MapFS{"main.star": {Data: []byte(s)}, "lib.star": {Data: []byte("def f():\n    fail(\"in lib\")\nx = f()")}, "lib2.star": {Data: []byte("y = 1\nvpc(\"a\", region = \"mars-1\", cidr = \"10.0.0.0/16\")")}, "lib3.star": {Data: []byte("z = 1\nvpc(\"a\", region = \"us-east-1\", cidr = \"10.0.0.0/16\")\nvpc(\"a\", region = \"us-east-1\", cidr = \"10.0.0.0/16\")")}}
		d, err := LoadFS(context.Background(), fsys, "proj", "main.star", Options{MaxSteps: 100000, Print: &out})
		var b bytes.Buffer
		ds := lang.AsDiagnostics(err, "x")
		j, _ := json.Marshal(ds)
		fmt.Printf("---- %s\n%T %s out=%q d=%v\n", s, err, j, out.String(), d != nil)
		if d != nil {
			j, _ := json.Marshal(d)
			fmt.Println(string(j))
		}
		lang.WriteDiagnostics(&b, ds, lang.Sources{"main.star": []byte(s)})
		fmt.Println(b.String())
	}
}
