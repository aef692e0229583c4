package stdlib

import (
	"strings"
	"testing"
)

func TestCatalogAvailability(t *testing.T) {
	c := Default()
	for _, tc := range []struct {
		component string
		want      float64
		status    Status
	}{
		// The two SLAs AWS publishes for AWS Interconnect (DOMAIN §1).
		{"interconnect", 0.9999, "published"},
		{"last_mile", 0.9999, "published"},
		// Uptime Institute Tier III.
		{"facility", 0.99982, "estimated"},
		{"router", 0.9999, "estimated"},
		{"link", 0.9995, "estimated"},
		{"partner_edge", 0.9999, "estimated"},
		{"customer_router", 0.999, "estimated"},
		{"managed_service", 0.9995, "estimated"},
	} {
		got, row, ok := c.Availability(tc.component)
		if !ok || got != tc.want || row.Availability != got || row.Component != tc.component || row.Status != tc.status {
			t.Errorf("Availability(%q) = %v, %+v, %v; want %v, %s", tc.component, got, row, ok, tc.want, tc.status)
		}
	}
	if len(c.Availabilities) != 8 {
		t.Errorf("%d availability rows, want the 8 above", len(c.Availabilities))
	}
	if a, row, ok := c.Availability("satellite"); ok || a != 0 || row.Component != "" {
		t.Errorf("Availability(satellite) = %v, %+v, %v; want nothing", a, row, ok)
	}
}

func TestAvailabilityCatalogIsValidated(t *testing.T) {
	const prov = `"source": "s", "date": "2026-11-26", "status": "estimated"`
	row := func(component, availability string) string {
		return `{"component": "` + component + `", "availability": ` + availability + `, ` + prov + `}`
	}
	file := func(rows ...string) string { return `{"availability": [` + strings.Join(rows, ",") + `]}` }
	for _, tc := range []struct {
		name, data string
		errs       []string
	}{
		{"valid", file(row("router", "0.9999"), row("link", "1")), nil},
		{"empty", `{"availability": []}`, nil},
		{"percent, not a fraction", file(row("router", "99.99")), []string{`catalog availability "router": 99.99 is outside (0, 1]: write 99.99% as 0.9999`}},
		{"zero", file(row("router", "0")), []string{`catalog availability "router": 0 is outside (0, 1]`}},
		{"negative", file(row("link", "-0.5")), []string{`catalog availability "link": -0.5 is outside (0, 1]`}},
		{"listed twice", file(row("link", "0.9995"), row("link", "0.999")), []string{`catalog availability "link": listed twice`}},
		{"no component", file(row("", "0.9")), []string{"catalog availability: a row has no component"}},
		{"unknown field", `{"availability": [{"component": "link", "uptime": 0.9995, ` + prov + `}]}`,
			[]string{`catalog availability.json: json: unknown field "uptime"`}},
		{"string figure", `{"availability": [{"component": "link", "availability": "99.95%", ` + prov + `}]}`,
			[]string{"catalog availability.json: json: cannot unmarshal string"}},
		{"no provenance", `{"availability": [{"component": "link", "availability": 0.9995}]}`, []string{"no source or date"}},
		{"bad status", `{"availability": [{"component": "link", "availability": 0.9995, "source": "s", "date": "2026-11-26", "status": "guessed"}]}`,
			[]string{`status "guessed"`}},
		{"every problem reported", file(row("x", "2"), row("x", "0.5")), []string{
			`catalog availability "x": 2 is outside (0, 1]`,
			`catalog availability "x": listed twice`,
		}},
	} {
		_, err := loadCatalogFS(catalogWith(t, "availability.json", tc.data))
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
