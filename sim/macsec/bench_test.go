package macsec

import "testing"

// BenchmarkProtect protects 1500-octet frames (a full Ethernet payload plus
// the MAC header); MB/s counts the frames' octets.
func BenchmarkProtect(b *testing.B) {
	for _, s := range allSuites {
		for _, mode := range []struct {
			name    string
			encrypt bool
		}{{"integrity", false}, {"confidentiality", true}} {
			b.Run(s.String()+"/"+mode.name, func(b *testing.B) {
				sa := testSA(s)
				f := testFrame(sa, 1500)
				b.SetBytes(int64(len(f)))
				b.ReportAllocs()
				pn := uint64(1)
				for b.Loop() {
					if _, err := Protect(sa, f, pn, mode.encrypt); err != nil {
						b.Fatal(err)
					}
					pn++
				}
			})
		}
	}
}

// BenchmarkValidate is the receive side of BenchmarkProtect.
func BenchmarkValidate(b *testing.B) {
	for _, s := range []CipherSuite{GCMAES128, GCMAESXPN256} {
		b.Run(s.String(), func(b *testing.B) {
			sa := testSA(s)
			p, err := Protect(sa, testFrame(sa, 1500), 1, true)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(1500)
			b.ReportAllocs()
			for b.Loop() {
				w := ReplayWindow{Next: 1}
				if _, _, err := Validate(sa, &w, p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
