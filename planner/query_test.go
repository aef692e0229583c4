package planner_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"patchbay/planner"
	"patchbay/planner/plantest"
)

// describeRoutes prints everything about a table's routes that the
// decision process decides, for comparing two ways of computing them.
func describeRoutes(rs []*planner.Route) string {
	var b strings.Builder
	for _, r := range rs {
		var hops []int
		for _, h := range r.NextHops {
			hops = append(hops, h.ID)
		}
		fmt.Fprintf(&b, "%s pref=%d as=%d tag=%s path=%v hops=%v local=%v blackhole=%v src=%s\n",
			r.Prefix, r.Pref, r.ASPath, r.Tag, r.Path, hops, r.Local, r.Blackhole, r.Source)
	}
	return b.String()
}

// TestRoutesOfAgrees checks that solving one table over only the tables
// that can feed it, and solving every table without keeping the solution,
// both give what the full, kept solution gives: for every table of every
// example and valid corpus design, and of a hub whose spokes are stubs.
func TestRoutesOfAgrees(t *testing.T) {
	valid, _ := filepath.Glob("../testdata/valid/*")
	hcl, _ := filepath.Glob("../examples/*.hcl")
	files := slices.Concat(plantest.Examples(t, "../examples"), hcl, valid)
	plans := map[string]*planner.Plan{}
	for _, f := range files {
		plans[f] = plantest.File(t, f)
	}
	var hub strings.Builder
	hub.WriteString("t = transit_gateway(\"hub\", region = \"us-east-1\", asn = 64512)\n")
	hub.WriteString("u = transit_gateway(\"far\", region = \"us-east-1\", asn = 64513)\n")
	for i := range 12 {
		fmt.Fprintf(&hub, "v%d = vpc(\"v%d\", region = \"us-east-1\", cidr = \"10.0.%d.0/24\")\nattach(v%d, t)\n", i, i, i, i)
	}
	hub.WriteString("both = vpc(\"both\", region = \"us-east-1\", cidr = \"10.1.0.0/24\")\nattach(both, t)\nattach(both, u)\n")
	hub.WriteString("w = vpc(\"w\", region = \"us-east-1\", cidr = \"10.2.0.0/24\")\nattach(w, u)\n")
	plans["generated hub"] = plantest.Source(t, hub.String())

	for name, p := range plans {
		topo := p.Topology()
		if topo.Err != nil {
			continue
		}
		// Routes keeps what it solves and the other two read it, so
		// they go first.
		var alone [][]*planner.Route
		for _, tb := range topo.Tables {
			alone = append(alone, topo.RoutesOf([]*planner.Table{tb})[0])
		}
		all := topo.RoutesOf(topo.Tables)
		for i, tb := range topo.Tables {
			want := describeRoutes(topo.Routes(tb))
			if got := describeRoutes(alone[i]); got != want {
				t.Errorf("%s: %s solved alone:\n%s\nsolved with every table:\n%s", name, tb, got, want)
			}
			if got := describeRoutes(all[i]); got != want {
				t.Errorf("%s: %s solved without keeping:\n%s\nkept:\n%s", name, tb, got, want)
			}
		}
	}
}

// TestRoutesWithin checks the bound on routes listed and the stop on a
// done context, for a few tables (each solved alone) and for many (one
// solution per prefix): exactly the routes there are pass, one fewer
// allowed is refused.
func TestRoutesWithin(t *testing.T) {
	var src strings.Builder
	src.WriteString("t = transit_gateway(\"hub\", region = \"us-east-1\", asn = 64512)\n")
	for i := range 8 {
		fmt.Fprintf(&src, "attach(vpc(\"v%d\", region = \"us-east-1\", cidr = \"10.0.%d.0/24\"), t)\n", i, i)
	}
	topo := plantest.Source(t, src.String()).Topology()
	if topo.Err != nil {
		t.Fatal(topo.Err)
	}
	for _, tables := range [][]*planner.Table{topo.Tables[:2], topo.Tables} {
		n := 0
		for _, rs := range topo.RoutesOf(tables) {
			n += len(rs)
		}
		if _, err := topo.RoutesWithin(context.Background(), tables, n); err != nil {
			t.Errorf("%d tables, %d routes allowed: %v", len(tables), n, err)
		}
		var tooMany *planner.TooManyRoutes
		if _, err := topo.RoutesWithin(context.Background(), tables, n-1); !errors.As(err, &tooMany) || tooMany.Tables != len(tables) {
			t.Errorf("%d tables, %d routes allowed: %v, want TooManyRoutes", len(tables), n-1, err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := topo.RoutesWithin(ctx, tables, 0); !errors.Is(err, context.Canceled) {
			t.Errorf("%d tables, cancelled: %v", len(tables), err)
		}
	}
}
