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
		"def f(n):\n    for i in range(1000000000):\n        pass\nf(1)",
		`interconnect("x", provider="gcp", aws_region="us-east-1", peer_region="us-east4", bandwidth="fast", attach_to=dx_gateway("d"), peer=gcp_vpc("g", project="p", region="us-east4", cidr="10.0.0.0/16"))`,
		`cn = core_network("c", edges=[edge("us-east-1")], segments=[segment("prod")])
v = vpc("a", region = "us-east-1", cidr = "10.0.0.0/16")
attach(v, cn)`,
		`cn = core_network("c", edges=[edge("us-east-1")], segments=[segment("prod")])
v = vpc("a", region = "us-east-1", cidr = "10.0.0.0/16")
attach(v, cn, segment="prd")`,
		`load("a.star", "a")`,
		`load("@stdlib//nope.star", "a")`,
		`print("hi")`,
	}
	for _, s := range []string{`vpn_gateway(None)`, `route_table("r", vpc=None)`, `tgw_route_table("t", transit_gateway=None)`, `create_route(None, segment="x", destinations="10.0.0.0/8", blackhole=True)`, `monitor("m", source=None, destination=vpc("a", region = "us-east-1", cidr = "10.0.0.0/16"))`, `last_mile("l", partner="lumen", region="us-east-1", bandwidth="1Gbps", site=None, attach_to=dx_gateway("d"))`} {
		func() {
			defer func() { fmt.Printf("PANIC? %s: %v\n", s, recover()) }()
			LoadFS(context.Background(), fstest.MapFS{"main.star": {Data: []byte(s)}}, "", "main.star", Options{})
		}()
	}
	for _, s := range scripts {
		var out bytes.Buffer
		fsys := fstest.MapFS{"main.star": {Data: []byte(s)}, "a.star": {Data: []byte("load(\"b/c.star\", \"c\")\na = 1")}, "b/c.star": {Data: []byte("load(\"../a.star\", \"a\")\nc = 1")}}
		d, err := LoadFS(context.Background(), fsys, "", "main.star", Options{MaxSteps: 100000, Print: &out})
		var b bytes.Buffer
		ds := lang.AsDiagnostics(err, "x")
		j, _ := json.Marshal(ds)
		fmt.Printf("---- %s\n%T %s out=%q d=%v\n", s, err, j, out.String(), d != nil)
		lang.WriteDiagnostics(&b, ds, lang.Sources{"main.star": []byte(s)})
		fmt.Println(b.String())
	}
}
