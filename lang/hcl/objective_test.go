package hcl

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"patchbay/lang"
	"patchbay/lang/starlark"
	"patchbay/stdlib"
)

// TestObjectiveBlock: an objective block declares what objective() does in
// Starlark, the label being the name, "SRC->DST" included.
func TestObjectiveBlock(t *testing.T) {
	src := scenarioNets + `
objective "payments->analytics" {
  source        = vpc.payments
  destination   = gcp_vpc.analytics
  max_blackout  = "1s"
  min_bandwidth = "4Gbps"
}

objective "never-dark" {
  source       = gcp_vpc.analytics
  destination  = vpc.payments
  max_blackout = "0s"
}

objective "floor" {
  source        = gcp_vpc.analytics
  destination   = vpc.payments
  max_blackout  = null
  min_bandwidth = "500Mbps"
}

objective "per-size" {
  for_each      = { small = "1Gbps", large = "3Gbps" }
  source        = vpc.payments
  destination   = gcp_vpc.analytics
  min_bandwidth = each.value
}
`
	d, err := loadHCL(t, src)
	if err != nil {
		t.Fatal(err)
	}
	star := `payments = vpc("payments", region = "us-east-1", cidr = "10.10.0.0/16")
analytics = gcp_vpc("analytics", project = "p", region = "us-east4", cidr = "10.20.0.0/16")
hub = transit_gateway("hub", region = "us-east-1")
core = dx_gateway("core")
interconnect("use1-gcp", provider = "gcp", aws_region = "us-east-1", peer_region = "us-east4", bandwidth = "5Gbps", attach_to = core, peer = analytics)
objective(payments, analytics, max_blackout = "1s", min_bandwidth = "4Gbps")
objective(analytics, payments, max_blackout = "0s", name = "never-dark")
objective(analytics, payments, min_bandwidth = "500Mbps", name = "floor")
objective(payments, analytics, min_bandwidth = "3Gbps", name = "per-size-large")
objective(payments, analytics, min_bandwidth = "1Gbps", name = "per-size-small")
`
	sd, err := starlark.LoadFS(context.Background(), fstest.MapFS{"main.star": {Data: []byte(star)}}, "", "main.star", starlark.Options{})
	if err != nil {
		t.Fatal(err)
	}
	strip := func(os []*lang.Objective) []lang.Objective {
		var out []lang.Objective
		for _, o := range os {
			x := *o
			x.Meta = lang.Meta{Name: o.Name}
			out = append(out, x)
		}
		return out
	}
	if a, b := strip(d.Objectives), strip(sd.Objectives); !reflect.DeepEqual(a, b) {
		t.Errorf("HCL and Starlark disagree:\n hcl: %+v\nstar: %+v", a, b)
	}

	// Spot checks, so that agreeing on something wrong fails too.
	if len(d.Objectives) != 5 {
		t.Fatalf("%d objectives, want 5", len(d.Objectives))
	}
	pay, ana := lang.Ref{Kind: lang.KindVPC, Name: "payments"}, lang.Ref{Kind: lang.KindGCPVPC, Name: "analytics"}
	if o := d.Objectives[0]; o.Name != "payments->analytics" || o.From != pay || o.To != ana ||
		o.MaxBlackout != time.Second || o.MinBandwidth != stdlib.Bandwidth(4e9) || o.NoBlackout {
		t.Errorf("first objective %+v", o)
	}
	if o := d.Objectives[1]; !o.NoBlackout || o.MaxBlackout != 0 || o.MinBandwidth != 0 {
		t.Errorf(`max_blackout = "0s": %+v, want NoBlackout`, o)
	}
	if o := d.Objectives[2]; o.NoBlackout || o.MaxBlackout != 0 || o.MinBandwidth != stdlib.Bandwidth(500e6) {
		t.Errorf("max_blackout = null: %+v, want no blackout bound", o)
	}
	if want := posOf(t, src, `objective "payments->analytics"`); d.Objectives[0].Range.File != "main.hcl" || d.Objectives[0].Range.Start != want {
		t.Errorf("objective at %v, want main.hcl:%d:%d", d.Objectives[0].Range, want.Line, want.Col)
	}
}

func TestObjectiveBlockErrors(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		at         string // where the error starts: the first occurrence in the body
		summary    string
		hint       string
	}{
		{"no bound", `
objective "x" {
  source      = vpc.payments
  destination = gcp_vpc.analytics
}
`, `objective "x"`, "objective: give max_blackout, min_bandwidth or both: an objective without a bound holds whatever fails",
			`max_blackout = "1s" bounds the time without delivery (detection and convergence); min_bandwidth = "4Gbps" what is left once routing settles`},
		{"same networks", `
objective "x" {
  source       = vpc.payments
  destination  = vpc.payments
  max_blackout = "1s"
}
`, "vpc.payments\n  max", "objective: destination: source and destination are the same network", ""},
		{"bad duration", `
objective "x" {
  source       = vpc.payments
  destination  = gcp_vpc.analytics
  max_blackout = "1 sec"
}
`, `"1 sec"`, `objective: max_blackout: invalid duration "1 sec": spaces are not allowed`, ""},
		{"duration a number", `
objective "x" {
  source       = vpc.payments
  destination  = gcp_vpc.analytics
  max_blackout = 1
}
`, `1
}`, "objective: max_blackout: want a string, got int", ""},
		{"bad bandwidth", `
objective "x" {
  source        = vpc.payments
  destination   = gcp_vpc.analytics
  min_bandwidth = "lots"
}
`, `"lots"`, `objective: min_bandwidth: invalid bandwidth "lots": want a number and a unit such as 500Mbps or 10Gbps`, ""},
		{"no destination", `
objective "x" {
  source       = vpc.payments
  max_blackout = "1s"
}
`, `objective "x"`, "objective: destination: missing required argument (vpc | gcp_vpc | site)", "only a flow() as source brings its own destination"},
		{"source a gateway", `
objective "x" {
  source       = dx_gateway.core
  destination  = vpc.payments
  max_blackout = "1s"
}
`, `dx_gateway.core`, `objective: source: want a vpc, a gcp_vpc, a site or a flow(), got dx_gateway "core"`, ""},
		{"misspelt attribute", `
objective "x" {
  source       = vpc.payments
  destination  = gcp_vpc.analytics
  max_blakout  = "1s"
}
`, `max_blakout`, `objective: unknown argument "max_blakout"`, `did you mean "max_blackout"?`},
		{"empty label", `
objective "" {
  source       = vpc.payments
  destination  = gcp_vpc.analytics
  max_blackout = "1s"
}
`, `objective ""`, "objective: name: must not be empty", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := scenarioNets + tc.body
			_, err := loadHCL(t, src)
			var se *lang.SourceError
			if !errors.As(err, &se) || len(se.Diagnostics) != 1 {
				t.Fatalf("got %v, want one diagnostic", err)
			}
			d := se.Diagnostics[0]
			if d.Summary != tc.summary || d.Hint != tc.hint {
				t.Errorf("got %q (hint %q)\nwant %q (hint %q)", d.Summary, d.Hint, tc.summary, tc.hint)
			}
			i := strings.Index(tc.body, tc.at)
			if i < 0 {
				t.Fatalf("%q not in the case", tc.at)
			}
			if want := posIn(src, len(scenarioNets)+i); d.Range.File != "main.hcl" || d.Range.Start != want {
				t.Errorf("error at %v, want main.hcl:%d:%d", d.Range, want.Line, want.Col)
			}
		})
	}
}

// TestObjectiveBlockDuplicate: two blocks of one label are refused before
// either is declared, pointing at both.
func TestObjectiveBlockDuplicate(t *testing.T) {
	body := `
objective "x" {
  source       = vpc.payments
  destination  = gcp_vpc.analytics
  max_blackout = "1s"
}

objective "x" {
  source        = gcp_vpc.analytics
  destination   = vpc.payments
  min_bandwidth = "1Gbps"
}
`
	src := scenarioNets + body
	_, err := loadHCL(t, src)
	var se *lang.SourceError
	if !errors.As(err, &se) || len(se.Diagnostics) != 1 {
		t.Fatalf("got %v, want one diagnostic", err)
	}
	d := se.Diagnostics[0]
	second := posIn(src, len(scenarioNets)+strings.LastIndex(body, `objective "x"`))
	if d.Rule != "duplicate" || d.Summary != "objective.x is declared twice" || d.Range.Start != second ||
		len(d.Related) != 1 || d.Related[0].Range.Start != posOf(t, src, `objective "x"`) {
		t.Errorf("got %+v, want the second block reported with the first", d)
	}
}
