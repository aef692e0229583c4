package macsec

import (
	"math/rand/v2"
	"testing"
)

// TestAdmitAgreesWithValidate protects frames and validates them for real,
// against receive SAs that differ from the transmit SA in one field or in
// none, with windows and PNs around the 32-bit boundaries XPN recovers
// across, and checks Admit decides the same and leaves the same window.
func TestAdmitAgreesWithValidate(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	suites := []CipherSuite{GCMAES128, GCMAES256, GCMAESXPN128, GCMAESXPN256}
	key := func(n int) []byte {
		k := make([]byte, n)
		for i := range k {
			k[i] = byte(r.Uint32())
		}
		return k
	}
	near := func(at uint64) uint64 { return at + uint64(r.IntN(9)) - 4 }
	var admitted, refused int
	for i := range 20_000 {
		tx := &SA{Suite: suites[r.IntN(len(suites))], SCI: MakeSCI([6]byte{2, 0, 0, 0, 0, byte(r.IntN(2))}, 1), AN: uint8(r.IntN(4))}
		tx.Key = key(tx.Suite.KeyLen())
		if tx.Suite.XPN() {
			tx.SSCI = uint32(r.IntN(2)) + 1
			copy(tx.Salt[:], key(12))
		}
		rx := *tx
		rx.Key = append([]byte(nil), tx.Key...)
		switch r.IntN(9) {
		case 0:
			rx.Key[r.IntN(len(rx.Key))] ^= 1
		case 1:
			rx.AN = (rx.AN + 1) % 4
		case 2:
			rx.SCI[7] ^= 1
		case 3:
			rx.Suite = suites[r.IntN(len(suites))]
			if len(rx.Key) != rx.Suite.KeyLen() {
				rx.Key = key(rx.Suite.KeyLen())
			}
		case 4:
			rx.SSCI ^= 3
		case 5:
			rx.Salt[r.IntN(12)] ^= 0x80
		case 6:
			rx.AN = 4 // unusable
		}
		var pn uint64
		var w ReplayWindow
		switch base := [...]uint64{1, 1 << 32, 2 << 32, 1 << 20}[r.IntN(4)]; r.IntN(3) {
		case 0:
			pn, w.Next = near(base), near(base)
		case 1:
			pn, w.Next = near(base), near(base)+uint64(r.IntN(1<<20))
		default:
			pn, w.Next = max(near(base), 1), 0
		}
		pn = max(pn, 1)
		w.Window = uint64(r.IntN(3)) * uint64(r.IntN(64))
		frame := key(14 + r.IntN(100))
		wire, perr := AppendProtect(nil, tx, frame, pn, Options{Encrypt: true})
		w2 := w
		ok, aerr := Admit(tx, pn, &rx, &w2)
		if (perr == nil) != (aerr == nil) {
			t.Fatalf("case %d: protecting says %v, Admit %v", i, perr, aerr)
		}
		if perr != nil {
			continue
		}
		_, _, verr := AppendValidate(nil, &rx, &w, wire)
		if ok != (verr == nil) || w != w2 {
			t.Fatalf("case %d: %v tx %+v rx %+v PN %#x: validation says %v and leaves %+v, Admit %v and %+v", i, tx.Suite, tx, rx, pn, verr, w, ok, w2)
		}
		if ok {
			admitted++
		} else {
			refused++
		}
	}
	if admitted < 2000 || refused < 2000 {
		t.Fatalf("%d admitted, %d refused: the cases do not cover both", admitted, refused)
	}
}
