package wire

import "testing"

// FuzzDecode feeds arbitrary bytes to the decoder: it must refuse or
// decode, never panic, and a decoded message's length is its size.
func FuzzDecode(f *testing.F) {
	keepalive := append(marker(), 0, 19, 4)
	f.Add(keepalive, true)
	f.Add(append(marker(), 0, 23, 2, 0, 0, 0, 0), false)
	f.Add(append(marker(), 0, 21, 3, 6, 1), true)
	f.Fuzz(func(t *testing.T, b []byte, asn4 bool) {
		m, err := Decode(b, asn4)
		if err == nil && m.Length != len(b) {
			t.Fatalf("decoded length %d for %d bytes", m.Length, len(b))
		}
		msgs, rest, err := Split(b)
		total := len(rest)
		for _, m := range msgs {
			total += len(m)
		}
		if err == nil && total != len(b) {
			t.Fatalf("split lost bytes: %d of %d", total, len(b))
		}
	})
}

func marker() []byte {
	b := make([]byte, 16)
	for i := range b {
		b[i] = 0xff
	}
	return b
}
