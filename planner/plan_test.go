package planner_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"patchbay/lang"
	"patchbay/lang/starlark"
	"patchbay/planner"
)

func TestExplore(t *testing.T) {
	d := lang.NewDesign()
	d.Add(&lang.VPC{Meta: lang.Meta{Name: "v"}, Region: "us-east-1", MTU: 9001})
	d.Add(&lang.Monitor{Meta: lang.Meta{Name: "m"}, From: lang.Ref{Kind: "vpc", Name: "v"}, To: lang.Ref{Kind: "vpc", Name: "v"}})
	d.Add(&lang.Attachment{Meta: lang.Meta{Name: "x"}, Kind: lang.AttachVPCTGW, A: lang.Ref{Kind: "vpc", Name: "v"}, B: lang.Ref{Kind: "monitor", Name: "m"}})
	func() {
		defer func() { fmt.Println("recover:", recover()) }()
		_, err := planner.New(d)
		fmt.Println("err:", err)
	}()
	var b strings.Builder
	b.WriteString(`g = gcp_vpc("g", project="p", region="us-east4", cidr="10.0.0.0/16")
d = dx_gateway("d")
for i in range(1110):
    interconnect("ic%d" % i, provider="gcp", aws_region="us-east-1", peer_region="us-east4", bandwidth="1Gbps", attach_to=d, peer=g)
`)
	start := time.Now()
	des, err := starlark.LoadFS(context.Background(), fstest.MapFS{"main.star": {Data: []byte(b.String())}}, "", "main.star", starlark.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := planner.New(des)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println(time.Since(start), len(p.Interconnects), p.Interconnects[len(p.Interconnects)-1].Channels[3].Subnet, p.Findings)
}
