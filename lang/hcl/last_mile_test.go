package hcl

import (
	"errors"
	"testing"

	"patchbay/lang"
)

const lastMileNets = `site "hq" {
  cidr = "192.168.0.0/16"
  asn  = 65001
}

dx_gateway "core" {}
`

func TestLastMileBFD(t *testing.T) {
	for _, tc := range []struct {
		name, attr string
		want       bool
	}{
		{"by default", "", true},
		{"on", "  bfd       = true\n", true},
		{"off", "  bfd       = false\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := loadHCL(t, lastMileNets+`
last_mile "lm" {
  partner   = "lumen"
  region    = "us-east-1"
  bandwidth = "1Gbps"
  site      = site.hq
  attach_to = dx_gateway.core
`+tc.attr+`}
`)
			if err != nil {
				t.Fatal(err)
			}
			if lm := d.LastMiles[0]; lm.BFD != tc.want || !lm.MACsec {
				t.Errorf("bfd %v macsec %v, want bfd %v and MACsec on", lm.BFD, lm.MACsec, tc.want)
			}
		})
	}

	src := lastMileNets + `
last_mile "lm" {
  partner   = "lumen"
  region    = "us-east-1"
  bandwidth = "1Gbps"
  site      = site.hq
  attach_to = dx_gateway.core
  bfd       = "no"
}
`
	_, err := loadHCL(t, src)
	var se *lang.SourceError
	if !errors.As(err, &se) || len(se.Diagnostics) != 1 {
		t.Fatalf("got %v, want one diagnostic", err)
	}
	d := se.Diagnostics[0]
	if want := posOf(t, src, `"no"`); d.Summary != "last_mile: bfd: want True or False, got string" || d.Range.Start != want {
		t.Errorf("got %q at %v, want the bool error at %d:%d", d.Summary, d.Range, want.Line, want.Col)
	}
}
