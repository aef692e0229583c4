package decl

import "testing"

func FuzzParseASNRange(f *testing.F) {
	for _, s := range []string{"64512-65534", "1", "4200000000-4294967294", "5-1", "-", "0-0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := parseASNRange(s)
		if err != nil {
			return
		}
		if r.Low == 0 || r.Low > r.High {
			t.Fatalf("%q parsed to invalid range %v", s, r)
		}
		back, err := parseASNRange(r.String())
		if err != nil || back != r {
			t.Fatalf("%q: %v does not round-trip: %v %v", s, r, back, err)
		}
	})
}
