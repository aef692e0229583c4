package mka

import (
	"bytes"
	"testing"

	"patchbay/sim/macsec"
)

// TestAuthentic: an MKPDU left unsigned by its sender is taken as
// authentic without a CMAC only when the receiver checks it with the
// sender's own key; with another key of the same octets it is signed and
// checks, with a key of other octets it does not, and a signed MKPDU is
// checked as it always was. An MKPDU held rather than encoded is checked
// as its encoding would be.
func TestAuthentic(t *testing.T) {
	sl := &Link{env: Env{shared: &shared{}}}
	for i := range sl.pair {
		sl.pair[i] = mkaEnd{side: uint8(i), addr: [6]byte{2, 0, 0, 0, 0, byte(i + 1)}}
	}
	newKey := func(secret byte) *cak {
		k := &cak{id: 1}
		for i := range k.name {
			k.name[i], k.secret[i] = byte(i), secret
		}
		k.derive()
		return k
	}
	key, twin, other := newKey(1), newKey(1), newKey(2)
	from, to := &sl.pair[0], &sl.pair[1]
	m := macsec.MKPDU{Version: 3, KeyServer: true, MACsecDesired: true, Capability: 3, SCI: from.sci(),
		MI: [12]byte{1, 2, 3}, MN: 7, AlgorithmAgility: 0x0080C201, CKN: key.ckn()}
	unsigned, err := m.AppendMarshalUnsigned(nil)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := m.AppendMarshalKey(nil, &key.ick, nil, GroupAddress, from.mac())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name      string
		b         []byte
		signer, k *cak
		want      bool
	}{
		{"unsigned, the sender's key", unsigned, key, key, true},
		{"unsigned, a key of the same octets", unsigned, key, twin, true},
		{"unsigned, another key", unsigned, key, other, false},
		{"signed, the sender's key", signed, nil, key, true},
		{"signed, a key of the same octets", signed, nil, twin, true},
		{"signed, another key", signed, nil, other, false},
		{"unsigned taken for signed", unsigned, nil, key, false},
		{"held, the sender's key", nil, key, key, true},
		{"held, a key of the same octets", nil, key, twin, true},
		{"held, another key", nil, key, other, false},
	} {
		f := &mkaFlight{buf: bytes.Clone(c.b), signer: c.signer}
		if c.b == nil {
			f.m, f.held = m, true
		}
		if got := to.authentic(f, c.k); got != c.want {
			t.Errorf("%s: authentic %v, want %v", c.name, got, c.want)
		}
	}
}
