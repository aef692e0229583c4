package planner_test

import (
	"context"
	"os"
	"testing"

	"patchbay/lang/starlark"
	"patchbay/planner"
)

func TestExplore(t *testing.T) {
	for _, f := range []string{"multicloud", "last_mile", "transit_hub", "global_wan"} {
		d, err := starlark.LoadFile(context.Background(), "../examples/"+f+".star", starlark.Options{})
		if err != nil {
			t.Fatal(err)
		}
		p, err := planner.New(d)
		if err != nil {
			t.Fatal(err)
		}
		p.WriteText(os.Stdout)
	}
}
