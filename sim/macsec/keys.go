package macsec

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
)

// CMAC is AES-CMAC (RFC 4493, NIST SP 800-38B) of msg under key, a 16-, 24-
// or 32-octet AES key. MKA uses it for its KDF and for MKPDU ICVs. It panics
// on any other key length: every caller in MKA has a key of a length the
// standard fixes, so a wrong one is a programming error.
func CMAC(key, msg []byte) [16]byte {
	m := cmacState{k: cmacKeyFor(key)}
	m.write(msg)
	return m.sum()
}

// cmacKey is a key's AES instance with its CMAC subkey K1 (RFC 4493
// §2.3), which depends on the key alone. K2 is K1 doubled once more, taken
// when a message ends in a partial block: kept, it would make a key 48
// bytes, and an MKA key with its name no longer one cache line.
type cmacKey struct {
	block cipher.Block
	k1    [16]byte
}

func newCMACKey(block cipher.Block) *cmacKey {
	k := new(cmacKey)
	k.set(block)
	return k
}

// set makes k block's, with its subkey K1.
func (k *cmacKey) set(block cipher.Block) {
	*k = cmacKey{block: block}
	block.Encrypt(k.k1[:], k.k1[:])
	double(&k.k1)
}

// cmacKeys keeps what CMAC set up for each key it has used, for the
// byte-slice functions (CMAC, the KDF, Marshal and VerifyMKPDU), whose
// callers use the same few keys again and again, where setting up AES
// costs more than the CMAC itself; the simulator's participants hold an
// ICKey instead. The bound only keeps a long-lived process from growing
// without end. crypto/aes's cipher.Block holds no per-call state, so it is
// shared.
var cmacKeys struct {
	sync.Mutex
	m map[string]*cmacKey
}

const maxCMACKeys = 1 << 14

func cmacKeyFor(key []byte) *cmacKey {
	cmacKeys.Lock()
	defer cmacKeys.Unlock()
	if k, ok := cmacKeys.m[string(key)]; ok {
		return k
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		panic("macsec: CMAC: " + err.Error())
	}
	if cmacKeys.m == nil || len(cmacKeys.m) >= maxCMACKeys {
		cmacKeys.m = map[string]*cmacKey{}
	}
	k := newCMACKey(block)
	cmacKeys.m[string(key)] = k
	return k
}

// cmacState is a CMAC over a message written in pieces, so that an MKPDU's
// ICV is taken over the addresses and the body without copying them into
// one buffer first.
type cmacState struct {
	k *cmacKey
	x [16]byte // the CBC-MAC chain so far
	// buf holds the message's last n octets not yet chained: a full
	// block is kept until more follows, since the last block is masked.
	buf [16]byte
	n   int
}

func (m *cmacState) write(p []byte) {
	for len(p) > 0 {
		if m.n == 16 {
			subtle.XORBytes(m.x[:], m.x[:], m.buf[:])
			m.k.block.Encrypt(m.x[:], m.x[:])
			m.n = 0
		}
		c := copy(m.buf[m.n:], p)
		m.n += c
		p = p[c:]
	}
}

// sum ends the MAC. It masks the last block with K1 when complete and with
// K2 after 10* padding, which is what keeps messages that differ only in
// padding apart.
func (m *cmacState) sum() [16]byte {
	last := m.buf
	if m.n == 16 {
		subtle.XORBytes(last[:], last[:], m.k.k1[:])
	} else {
		clear(last[m.n:])
		last[m.n] = 0x80
		k2 := m.k.k1
		double(&k2)
		subtle.XORBytes(last[:], last[:], k2[:])
	}
	subtle.XORBytes(m.x[:], m.x[:], last[:])
	m.k.block.Encrypt(m.x[:], m.x[:])
	return m.x
}

// double multiplies b by x in GF(2^128) with the CMAC polynomial
// x^128 + x^7 + x^2 + x + 1.
func double(b *[16]byte) {
	hi, lo := binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])
	carry := hi >> 63
	binary.BigEndian.PutUint64(b[:8], hi<<1|lo>>63)
	binary.BigEndian.PutUint64(b[8:], lo<<1^0x87*carry)
}

// KDF is the key derivation function of IEEE 802.1X-2010 §6.2.1: AES-CMAC
// under key in counter mode (NIST SP 800-108) with an 8-bit counter before
// the fixed data Label ‖ 0x00 ‖ Context ‖ L, where L is the output length in
// bits as 16 bits. key is 16 or 32 octets and bits a positive multiple of 8
// up to 255 blocks; anything else panics, as for CMAC.
func KDF(key []byte, label string, context []byte, bits int) []byte {
	if len(key) != 16 && len(key) != 32 {
		panic(fmt.Sprintf("macsec: KDF key of %d octets (want 16 or 32)", len(key)))
	}
	if bits <= 0 || bits%8 != 0 || bits > 255*128 || bits > 0xFFFF {
		panic(fmt.Sprintf("macsec: KDF output of %d bits", bits))
	}
	fixed := make([]byte, 0, len(label)+1+len(context)+2)
	fixed = append(fixed, label...)
	fixed = append(fixed, 0)
	fixed = append(fixed, context...)
	fixed = binary.BigEndian.AppendUint16(fixed, uint16(bits))
	return kdfCounter(key, fixed, bits/8)
}

// kdfCounter is SP 800-108 counter mode with an 8-bit counter before the
// fixed input data, separate from KDF so that NIST's own vectors, whose
// fixed data is opaque, can test it.
func kdfCounter(key, fixed []byte, n int) []byte {
	block, err := aes.NewCipher(key)
	if err != nil {
		panic("macsec: KDF: " + err.Error())
	}
	k := newCMACKey(block)
	msg := append([]byte{0}, fixed...)
	out := make([]byte, 0, n+15)
	for i := 1; len(out) < n; i++ {
		msg[0] = byte(i)
		m := cmacState{k: k}
		m.write(msg)
		sum := m.sum()
		out = append(out, sum[:]...)
	}
	return out[:n]
}

// keyContext is the context of the ICK and KEK derivations: the first 16
// octets of the CKN, zero padded (IEEE 802.1X-2010 §9.3.3).
func keyContext(ckn []byte) []byte {
	var c [16]byte
	copy(c[:], ckn)
	return c[:]
}

// ICK derives the ICV Key that authenticates MKPDUs from a CAK (16 or 32
// octets) and its name: KDF(CAK, "IEEE8021 ICK", CKN[0:16], len(CAK)).
func ICK(cak, ckn []byte) []byte {
	return KDF(cak, "IEEE8021 ICK", keyContext(ckn), 8*len(cak))
}

// KEK derives the Key Encrypting Key that wraps distributed SAKs:
// KDF(CAK, "IEEE8021 KEK", CKN[0:16], len(CAK)).
func KEK(cak, ckn []byte) []byte {
	return KDF(cak, "IEEE8021 KEK", keyContext(ckn), 8*len(cak))
}

// keyWrapIV is the default initial value of RFC 3394 §2.2.3.1.
var keyWrapIV = [8]byte{0xA6, 0xA6, 0xA6, 0xA6, 0xA6, 0xA6, 0xA6, 0xA6}

// ErrUnwrap means a wrapped key failed RFC 3394's integrity check: the KEK is
// wrong or the wrapped key was altered.
var ErrUnwrap = errors.New("macsec: key unwrap integrity check failed")

// Wrap wraps key (at least 16 octets, a multiple of 8) under kek with the
// AES Key Wrap of RFC 3394, as the key server does to a SAK before it
// distributes it (IEEE 802.1X-2010 §9.8).
func Wrap(kek, key []byte) ([]byte, error) {
	block, err := aes.NewCipher(kek)
	if err != nil {
		return nil, fmt.Errorf("macsec: key wrap: %w", err)
	}
	if len(key) < 16 || len(key)%8 != 0 {
		return nil, fmt.Errorf("macsec: key wrap: a %d-octet key is not a multiple of 8 octets of at least 16", len(key))
	}
	n := len(key) / 8
	out := make([]byte, 8+len(key))
	copy(out, keyWrapIV[:])
	copy(out[8:], key)
	var b [16]byte
	for j := 0; j < 6; j++ {
		for i := 1; i <= n; i++ {
			copy(b[:8], out[:8])
			copy(b[8:], out[8*i:8*i+8])
			block.Encrypt(b[:], b[:])
			t := uint64(n*j + i)
			binary.BigEndian.PutUint64(out[:8], binary.BigEndian.Uint64(b[:8])^t)
			copy(out[8*i:], b[8:])
		}
	}
	return out, nil
}

// Unwrap reverses Wrap and checks the integrity value, returning ErrUnwrap
// when it does not match.
func Unwrap(kek, wrapped []byte) ([]byte, error) {
	block, err := aes.NewCipher(kek)
	if err != nil {
		return nil, fmt.Errorf("macsec: key unwrap: %w", err)
	}
	if len(wrapped) < 24 || len(wrapped)%8 != 0 {
		return nil, fmt.Errorf("macsec: key unwrap: a %d-octet wrapped key is not a multiple of 8 octets of at least 24", len(wrapped))
	}
	n := len(wrapped)/8 - 1
	var a [8]byte
	copy(a[:], wrapped)
	r := make([]byte, 8*n)
	copy(r, wrapped[8:])
	var b [16]byte
	for j := 5; j >= 0; j-- {
		for i := n; i >= 1; i-- {
			t := uint64(n*j + i)
			binary.BigEndian.PutUint64(b[:8], binary.BigEndian.Uint64(a[:])^t)
			copy(b[8:], r[8*(i-1):8*i])
			block.Decrypt(b[:], b[:])
			copy(a[:], b[:8])
			copy(r[8*(i-1):], b[8:])
		}
	}
	if subtle.ConstantTimeCompare(a[:], keyWrapIV[:]) != 1 {
		return nil, ErrUnwrap
	}
	return r, nil
}
