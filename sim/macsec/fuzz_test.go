package macsec

import (
	"bytes"
	"testing"
)

// A SecTAG that parses re-encodes to exactly the octets it came from: every
// bit on the wire is either a field or must be zero.
func FuzzParseSecTAG(f *testing.F) {
	for _, v := range vectors {
		f.Add(v.protected(f)[12:])
	}
	f.Add([]byte{0x88, 0xE5, 0x80, 0, 0, 0, 0, 1})
	f.Add([]byte{0x88, 0xE5, 0x60, 0x3F, 0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8})
	f.Fuzz(func(t *testing.T, b []byte) {
		tag, n, err := ParseSecTAG(b)
		if err != nil {
			return
		}
		if n != tag.Len() || n > len(b) || tag.SC != (tag.SCI != nil) {
			t.Fatalf("tag %+v of %d octets from %d", tag, n, len(b))
		}
		if got := tag.Append(nil); !bytes.Equal(got, b[:n]) {
			t.Fatalf("re-encoded %X from %X", got, b[:n])
		}
	})
}

// Validate never panics, and what it accepts is exactly what Protect makes
// of the frame it returns.
func FuzzValidate(f *testing.F) {
	for i, v := range vectors {
		f.Add(v.protected(f), uint8(i), v.pn()-1, uint64(0))
	}
	for i, s := range allSuites {
		sa := testSA(s)
		pn := uint64(5)
		if s.XPN() {
			pn += 1 << 32
		}
		p, err := Protect(sa, testFrame(sa, 64), pn, i%2 == 0)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(p, uint8(len(vectors)+i), pn-4, uint64(16))
	}
	sas := make([]*SA, 0, len(vectors)+len(allSuites))
	for _, v := range vectors {
		sas = append(sas, v.sa(f))
	}
	for _, s := range allSuites {
		sas = append(sas, testSA(s))
	}
	f.Fuzz(func(t *testing.T, frame []byte, which uint8, next, window uint64) {
		sa := sas[int(which)%len(sas)]
		w := ReplayWindow{Next: next, Window: window}
		in := bytes.Clone(frame)
		out, pn, err := Validate(sa, &w, frame)
		if !bytes.Equal(in, frame) {
			t.Fatal("Validate changed its input")
		}
		if err != nil {
			if w.Next != next {
				t.Fatal("a rejected frame moved the window")
			}
			return
		}
		if pn < (&ReplayWindow{Next: next, Window: window}).Lowest() || w.Next <= pn {
			t.Fatalf("PN %#x accepted with next %#x window %#x, next now %#x", pn, next, window, w.Next)
		}
		tag, _, _ := ParseSecTAG(frame[12:])
		o := Options{Encrypt: tag.E, OmitSCI: !tag.SC, EndStation: tag.ES, SCB: tag.SCB}
		again, err := ProtectWith(sa, out, pn, o)
		if err != nil || !bytes.Equal(again, frame) {
			t.Fatalf("re-protecting gives %X, %v; validated %X", again, err, frame)
		}
	})
}

// ParseMKPDU never panics, and what it decodes encodes back to an MKPDU that
// decodes the same, with the same ICV.
func FuzzParseMKPDU(f *testing.F) {
	ick := make([]byte, 16)
	for _, m := range []*MKPDU{keyServerMKPDU(), xpnMKPDU()} {
		b, err := m.Marshal(ick, PAEGroupAddress, hostA)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{3, 5, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseMKPDU(b)
		if err != nil {
			return
		}
		enc, err := m.encode()
		if err != nil {
			t.Fatalf("decoded %+v but cannot encode it: %v", m, err)
		}
		again, err := ParseMKPDU(enc)
		if err != nil {
			t.Fatalf("re-encoded MKPDU does not decode: %v\n%X", err, enc)
		}
		if !equalMKPDU(m, again) {
			t.Fatalf("decoded\n%+v\nre-decoded\n%+v", m, again)
		}
		// Marshal signs what encode lays out.
		signed, err := m.Marshal(ick, PAEGroupAddress, hostA)
		if err != nil || !bytes.Equal(signed[:len(signed)-16], enc[:len(enc)-16]) {
			t.Fatalf("Marshal differs from encode: %v", err)
		}
		if err := VerifyMKPDU(ick, PAEGroupAddress, hostA, signed); err != nil {
			t.Fatal(err)
		}
	})
}
