package macsec

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"
)

// TestAdmitAgreesWithValidate protects frames and validates them for real,
// against receive SAs that differ from the transmit SA in one field or in
// none (an unknown suite among them), or whose SCI or salt is chosen so
// that both sides build the same IV under different suites; with windows
// and PNs around the 32-bit boundaries XPN recovers across and the ends
// of the 64-bit range, and windows from none to all of it. It checks
// Admit decides the same and leaves the same window.
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
	var admitted, refused, selfAdmitted int
	for i := range 50_000 {
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
			rx.Suite = append(suites, CipherSuite(99))[r.IntN(len(suites)+1)]
			if rx.Suite.Known() && len(rx.Key) != rx.Suite.KeyLen() {
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
		switch base := [...]uint64{1, 1 << 32, 2 << 32, 1 << 20, 1 << 63, math.MaxUint64 - 4}[r.IntN(6)]; r.IntN(3) {
		case 0:
			pn, w.Next = near(base), near(base)
		case 1:
			pn, w.Next = near(base), near(base)+uint64(r.IntN(1<<20))
		default:
			pn, w.Next = max(near(base), 1), 0
		}
		pn = max(pn, 1)
		w.Window = [...]uint64{0, 1, 64, 1 << 32, math.MaxUint64}[r.IntN(5)]
		if r.IntN(4) == 0 && rx.Suite.Known() && rx.AN < 4 {
			// The same IV from both sides under different suites: GCM
			// then accepts, and Admit must too.
			var sent [12]byte
			tx.iv(&sent, pn)
			if rx.Suite.XPN() {
				var raw [12]byte
				binary.BigEndian.PutUint32(raw[:4], rx.SSCI)
				binary.BigEndian.PutUint64(raw[4:], pn)
				for j := range raw {
					rx.Salt[j] = raw[j] ^ sent[j]
				}
			} else {
				copy(rx.SCI[:], sent[:8])
			}
		}
		frame := key(14 + r.IntN(100))
		wire, perr := AppendProtect(nil, tx, frame, pn, Options{Encrypt: true})
		w2 := w
		cerr := tx.CanProtect(pn)
		if (perr == nil) != (cerr == nil) {
			t.Fatalf("case %d: protecting says %v, CanProtect %v", i, perr, cerr)
		}
		if perr != nil {
			continue
		}
		// The receive SA being the transmit SA itself, as both ends
		// share one in a run: AdmitSelf decides without reading it.
		ws, wv := w, w
		self := AdmitSelf(pn, tx.Suite.XPN(), &ws)
		_, _, serr := AppendValidate(nil, tx, &wv, wire)
		if self != (serr == nil) || ws != wv {
			t.Fatalf("case %d: %v tx %+v PN %#x, window %+v: validation with tx says %v and leaves %+v, AdmitSelf %v and %+v", i, tx.Suite, tx, pn, w, serr, wv, self, ws)
		}
		if self {
			selfAdmitted++
		}
		ok := Admit(tx, pn, &rx, &w2)
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
	if admitted < 2000 || refused < 2000 || selfAdmitted < 2000 || selfAdmitted > 48_000 {
		t.Fatalf("%d admitted, %d refused (%d by the transmit SA itself): the cases do not cover both", admitted, refused, selfAdmitted)
	}
}
