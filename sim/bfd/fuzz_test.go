package bfd

import "testing"

// FuzzParseBFD: the BFD reader refuses or accepts, never panics, and what
// it accepts follows RFC 5880's reception rules.
func FuzzParseBFD(f *testing.F) {
	f.Add(bfdPacket{version: 1, state: bfdUp, mult: 3, myDisc: 7, yourDisc: 9, minTx: 300000, minRx: 300000}.marshal())
	f.Add(bfdPacket{version: 1, state: bfdDown, mult: 3, myDisc: 7}.marshal())
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := parseBFD(b)
		if err != nil {
			return
		}
		if p.version != 1 || p.mult == 0 || p.myDisc == 0 || len(b) < 24 {
			t.Fatalf("accepted %+v from % x", p, b)
		}
		if again, err := parseBFD(p.marshal()); err != nil || again != p {
			t.Fatalf("round trip of %+v: %+v, %v", p, again, err)
		}
	})
}
