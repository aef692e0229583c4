package stdlib

import (
	"io/fs"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func TestRTT(t *testing.T) {
	c := Default()
	for _, tc := range []struct {
		a, b   string
		want   time.Duration
		status Status
	}{
		{"us-east-1", "us-west-2", 64 * time.Millisecond, "secondary"},
		{"us-west-2", "us-east-1", 64 * time.Millisecond, "secondary"},
		{"us-east-1", "us-west-1", 64 * time.Millisecond, "secondary"},
		{"eu-west-2", "us-east-1", 78 * time.Millisecond, "secondary"},
		{"us-east-1", "eu-central-1", 93 * time.Millisecond, "secondary"},
		{"eu-central-1", "eu-west-2", 18 * time.Millisecond, "secondary"},
		{"us-west-1", "us-west-2", 22 * time.Millisecond, "secondary"},
		{"us-east-2", "us-east-1", 15 * time.Millisecond, "secondary"},
		{"us-east-1", "us-east4", 1500 * time.Microsecond, "estimated"},
		{"us-west1", "us-west-2", 1500 * time.Microsecond, "estimated"},
		{"eu-west-2", "europe-west2", 1500 * time.Microsecond, "estimated"},
		{"europe-west3", "eu-central-1", 1500 * time.Microsecond, "estimated"},
		{"us-west-1", "us-west2", 7500 * time.Microsecond, "estimated"},
		{"us-west2", "us-west-1", 7500 * time.Microsecond, "estimated"},
	} {
		rtt, row, ok := c.RTT(tc.a, tc.b)
		if !ok || rtt != tc.want {
			t.Errorf("RTT(%s, %s) = %v, %v; want %v", tc.a, tc.b, rtt, ok, tc.want)
			continue
		}
		if row.A != tc.a || row.B != tc.b || row.Status != tc.status || row.Source == "" {
			t.Errorf("RTT(%s, %s) row %+v, want it oriented as asked with status %s", tc.a, tc.b, row, tc.status)
		}
	}
	// Every AWS Interconnect pair must have a round trip, or the simulator
	// cannot place a cross-cloud link.
	for _, e := range c.Environments {
		if _, _, ok := c.RTT(e.AWSRegion, e.PeerRegion); !ok {
			t.Errorf("no RTT for the offered pair %s ↔ %s", e.AWSRegion, e.PeerRegion)
		}
	}
}

func TestRTTSameRegionIsTheIntraRegionDefault(t *testing.T) {
	c := Default()
	for _, code := range []string{"us-east-1", "europe-west2", "af-south-1"} {
		rtt, row, ok := c.RTT(code, code)
		if !ok || rtt != 500*time.Microsecond {
			t.Errorf("RTT(%s, %[1]s) = %v, %v; want 500µs", code, rtt, ok)
		}
		d, _ := find(c.Defaults, func(d DefaultValue) bool { return d.Key == intraRegionKey })
		if row.A != code || row.B != code || row.RTTMicros != 500 || row.Entry != d.Entry {
			t.Errorf("RTT(%s, %[1]s) row %+v, want the default's provenance %+v", code, row, d.Entry)
		}
	}
}

func TestRTTUnknown(t *testing.T) {
	c := Default()
	for _, p := range [][2]string{
		{"us-east-1", "ap-southeast-1"}, // both regions known, no row
		{"af-south-1", "af-south-1x"},
		{"us-east-1", "nowhere"},
		{"nowhere", "nowhere"}, // not a region, so not even the intra-region default
		{"", ""},
	} {
		if rtt, row, ok := c.RTT(p[0], p[1]); ok || rtt != 0 || row != (LatencyRow{}) {
			t.Errorf("RTT(%q, %q) = %v, %+v, %v; want not found", p[0], p[1], rtt, row, ok)
		}
	}
	// A catalog without the default cannot answer a == b either.
	c = &Catalog{Regions: []Region{{Provider: "aws", Code: "us-east-1"}}}
	if _, _, ok := c.RTT("us-east-1", "us-east-1"); ok {
		t.Error("RTT(a, a) found without an intra-region default")
	}
}

// catalogWith is the embedded catalog's files with name replaced by data.
func catalogWith(t *testing.T, name, data string) fs.FS {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(catalogFS, "catalog", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(catalogFS, path)
		m[path] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	m["catalog/"+name] = &fstest.MapFile{Data: []byte(data)}
	return m
}

func TestLatencyCatalogIsValidated(t *testing.T) {
	const prov = `"source": "s", "date": "2026-11-01", "status": "estimated"`
	row := func(a, b string, us int) string {
		return `{"a": "` + a + `", "b": "` + b + `", "rtt_us": ` + strconv.Itoa(us) + `, ` + prov + `}`
	}
	file := func(rows ...string) string { return `{"latency": [` + strings.Join(rows, ",") + `]}` }
	for _, tc := range []struct {
		name, data string
		errs       []string
	}{
		{"valid", file(row("us-east-1", "us-west-2", 64000), row("us-west-2", "us-west1", 1500)), nil},
		{"empty", `{"latency": []}`, nil},
		{"unknown field", `{"latency": [{"a": "us-east-1", "b": "us-west-2", "rtt_ms": 64, ` + prov + `}]}`,
			[]string{`catalog latency.json: json: unknown field "rtt_ms"`}},
		{"unknown top-level key", `{"latencies": []}`, []string{`unknown field "latencies"`}},
		{"trailing data", `{"latency": []} {}`, []string{"data after the top-level object"}},
		{"no provenance", `{"latency": [{"a": "us-east-1", "b": "us-west-2", "rtt_us": 64000}]}`, []string{"no source or date"}},
		{"bad status", `{"latency": [{"a": "us-east-1", "b": "us-west-2", "rtt_us": 1, "source": "s", "date": "2026-11-01", "status": "measured"}]}`,
			[]string{`status "measured"`}},
		{"listed twice", file(row("us-east-1", "us-west-2", 64000), row("us-east-1", "us-west-2", 65000)),
			[]string{"catalog latency us-east-1 ↔ us-west-2: pair listed twice (also as us-east-1 ↔ us-west-2)"}},
		{"listed twice, swapped", file(row("us-east-1", "us-west-2", 64000), row("us-west-2", "us-east-1", 64000)),
			[]string{"catalog latency us-west-2 ↔ us-east-1: pair listed twice (also as us-east-1 ↔ us-west-2)"}},
		{"zero rtt", file(row("us-east-1", "us-west-2", 0)), []string{"rtt_us 0, want > 0"}},
		{"negative rtt", file(row("us-east-1", "us-west-2", -5)), []string{"rtt_us -5, want > 0"}},
		{"unknown region", file(row("us-east-1", "us-east-9", 1)), []string{`region "us-east-9" is not in regions.json`}},
		{"misspelt gcp code", file(row("us-east-1", "us-east-4", 1)), []string{`region "us-east-4" is not in regions.json`}},
		{"region with itself", file(row("us-east-1", "us-east-1", 1)), []string{"a region paired with itself"}},
		{"every problem reported", file(row("x", "y", 0), row("y", "x", 1)), []string{
			`catalog latency x ↔ y: region "x" is not in regions.json`,
			`catalog latency x ↔ y: region "y" is not in regions.json`,
			"catalog latency x ↔ y: rtt_us 0, want > 0",
			"catalog latency y ↔ x: pair listed twice (also as x ↔ y)",
		}},
	} {
		_, err := loadCatalogFS(catalogWith(t, "latency.json", tc.data))
		if len(tc.errs) == 0 {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: loaded, want errors %q", tc.name, tc.errs)
			continue
		}
		for _, want := range tc.errs {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: error %q, want it to contain %q", tc.name, err, want)
			}
		}
	}
}

func TestLatencyRegionCodeMustBeUnambiguous(t *testing.T) {
	good := Entry{Source: "s", Date: "2026-11-01", Status: "estimated"}
	c := &Catalog{
		Regions: []Region{
			{Provider: "aws", Code: "shared-1", Entry: good},
			{Provider: "gcp", Code: "shared-1", Entry: good},
			{Provider: "aws", Code: "other-1", Entry: good},
		},
		Latency: []LatencyRow{{A: "shared-1", B: "other-1", RTTMicros: 1, Entry: good}},
	}
	if err := c.check(); err == nil || !strings.Contains(err.Error(), `region code "shared-1" names regions of several providers`) {
		t.Errorf("check() = %v, want the ambiguous code reported", err)
	}
}

func TestCatalogFilesRefuseUnknownFields(t *testing.T) {
	// The other files are read the same way: a misspelt key is an error,
	// not a silently dropped fact.
	data := `{"defaults": [{"key": "k", "value": 1, "unit": "count", "vaule": 2, "source": "s", "date": "2026-11-01", "status": "estimated"}]}`
	_, err := loadCatalogFS(catalogWith(t, "defaults.json", data))
	if err == nil || !strings.Contains(err.Error(), `catalog defaults.json: json: unknown field "vaule"`) {
		t.Errorf("load = %v, want the unknown field refused", err)
	}
}
