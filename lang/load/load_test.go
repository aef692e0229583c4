package load_test

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"patchbay/lang/load"
	"patchbay/planner"
)

// withoutPositions drops what legitimately differs between the languages:
// source ranges and the list of files read. A scenario's flows and probes
// use "source" for the network they start from, which is kept.
func withoutPositions(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			switch k {
			case "source":
				if _, isRange := e.(map[string]any); isRange {
					continue
				}
			case "source_range", "range", "stack", "files":
				continue
			case "related":
				// Keep the messages, not where they point.
				var msgs []any
				for _, r := range e.([]any) {
					msgs = append(msgs, r.(map[string]any)["message"])
				}
				out[k] = msgs
				continue
			}
			out[k] = withoutPositions(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = withoutPositions(e)
		}
		return out
	}
	return v
}

func planJSON(t *testing.T, file string) []byte {
	t.Helper()
	d, err := load.File(context.Background(), file, load.Options{})
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	p, err := planner.New(d)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	var buf bytes.Buffer
	if err := p.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	out, err := json.MarshalIndent(withoutPositions(doc), "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestLanguagesAgree: every example exists in Starlark and HCL, and the two
// plan to the same JSON once source ranges are left out.
func TestLanguagesAgree(t *testing.T) {
	stars, _ := filepath.Glob("../../examples/*.star")
	hcls, _ := filepath.Glob("../../examples/*.hcl")
	if len(stars) == 0 || len(stars) != len(hcls) {
		t.Fatalf("%d Starlark examples, %d HCL examples: every example needs both", len(stars), len(hcls))
	}
	for _, star := range stars {
		name := strings.TrimSuffix(filepath.Base(star), ".star")
		t.Run(name, func(t *testing.T) {
			a, b := planJSON(t, star), planJSON(t, strings.TrimSuffix(star, ".star")+".hcl")
			if !bytes.Equal(a, b) {
				al, bl := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
				for i := range min(len(al), len(bl)) {
					if al[i] != bl[i] {
						t.Fatalf("plans differ at line %d:\n star: %s\n  hcl: %s", i+1, al[i], bl[i])
					}
				}
				t.Fatalf("plans differ in length: %d and %d lines", len(al), len(bl))
			}
		})
	}
}
