package macsec

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"slices"
)

// EtherType is the MACsec EtherType, the first two octets of the SecTAG.
const EtherType = 0x88E5

// ICVLen is the length of the ICV every GCM-AES suite appends.
const ICVLen = 16

// Overhead is what Protect adds to a frame: a 16-octet SecTAG with SCI and
// the ICV — 32 octets, the figure AWS quotes for its MACsec links.
const Overhead = 16 + ICVLen

// shortLimit is the secure-data length from which SL is zero: shorter frames
// may have been padded on the wire, so the SecTAG carries their real length
// (IEEE 802.1AE §9.7).
const shortLimit = 48

// Errors Validate and Protect wrap, so callers can count discards the way a
// SecY's counters do.
var (
	// ErrBadTag: not a MACsec frame, or a SecTAG that §9.12 says to discard
	// (InPktsBadTag).
	ErrBadTag = errors.New("macsec: invalid SecTAG")
	// ErrNoSA: the frame names an SC or AN this SA is not (InPktsNoSCI,
	// InPktsNotUsingSA).
	ErrNoSA = errors.New("macsec: frame is for another SA")
	// ErrLate: the PN is below the replay window (InPktsLate).
	ErrLate = errors.New("macsec: PN below the replay window")
	// ErrICV: the ICV does not verify — wrong key, or the frame was
	// altered (InPktsNotValid).
	ErrICV = errors.New("macsec: ICV check failed")
	// ErrPN: the PN is zero or beyond what the suite can send.
	ErrPN = errors.New("macsec: invalid packet number")
	// ErrKey: the SA's suite, key or AN cannot be used.
	ErrKey = errors.New("macsec: unusable SA")
)

// SCI is a Secure Channel Identifier: the transmitter's MAC address and a
// 16-bit port identifier.
type SCI [8]byte

// MakeSCI builds the SCI of port on the system with address mac.
func MakeSCI(mac [6]byte, port uint16) SCI {
	var s SCI
	copy(s[:], mac[:])
	binary.BigEndian.PutUint16(s[6:], port)
	return s
}

// MAC is the address part of the SCI.
func (s SCI) MAC() [6]byte { return [6]byte(s[:6]) }

// Port is the port identifier part of the SCI.
func (s SCI) Port() uint16 { return binary.BigEndian.Uint16(s[6:]) }

// String is the SCI in hexadecimal, as `ip macsec show` prints it.
func (s SCI) String() string { return hex.EncodeToString(s[:]) }

// SA is one secure association's keying state, as the KaY installs it in
// the SecY: the same SA serves the transmitter and every receiver of the SC.
//
// What every frame reads, up to Salt, is on the first 64 bytes, and an SA
// is 128 bytes, so it starts on a cache line: with thousands of SAs, an SA
// across two lines cost a packet a second cache miss. TestSALayout holds
// it to this.
type SA struct {
	Suite CipherSuite
	Key   []byte   // the SAK
	SCI   SCI      // the transmitter's SCI
	AN    uint8    // association number 0-3
	SSCI  uint32   // XPN only: the short SCI the key server assigned
	Salt  [12]byte // XPN only: mixed into every IV

	gcm cipher.AEAD // set up on first use, for gcmKey
	// gcmKey is held in the SA rather than behind a slice: checking it on
	// every frame then reads no memory besides the SA and its key.
	gcmKey    [32]byte
	gcmKeyLen uint8
	// ivBuf is scratch for the IV of the frame at hand: passed to the AEAD
	// through an interface, a local array escaped to the heap on every
	// frame. It makes an SA unsafe for concurrent use, as its lazily set
	// up AEAD already did.
	ivBuf [12]byte
}

// SecTAG is the MACsec header that follows the source MAC address
// (IEEE 802.1AE §9.3), starting with the MACsec EtherType.
type SecTAG struct {
	ES, SC, SCB, E, C bool // TCI bits (V must be 0)
	AN                uint8
	SL                uint8  // short length: the secure data's length when below 48, else 0
	PN                uint32 // low 32 bits of the PN on the wire
	SCI               *SCI   // present when SC is set
}

// TCI bits, in the octet they share with the AN.
const (
	tciV   = 0x80
	tciES  = 0x40
	tciSC  = 0x20
	tciSCB = 0x10
	tciE   = 0x08
	tciC   = 0x04
)

// Len is the SecTAG's length in octets, EtherType included: 8, or 16 with an
// SCI.
func (t SecTAG) Len() int {
	if t.SC {
		return 16
	}
	return 8
}

// Append encodes the SecTAG after b. It does not check the tag: Protect and
// the tests build tags that ParseSecTAG rejects on purpose.
func (t SecTAG) Append(b []byte) []byte {
	tci := t.AN & 3
	for _, f := range []struct {
		set bool
		bit uint8
	}{{t.ES, tciES}, {t.SC, tciSC}, {t.SCB, tciSCB}, {t.E, tciE}, {t.C, tciC}} {
		if f.set {
			tci |= f.bit
		}
	}
	b = binary.BigEndian.AppendUint16(b, EtherType)
	b = append(b, tci, t.SL&0x3F)
	b = binary.BigEndian.AppendUint32(b, t.PN)
	if t.SC {
		var sci SCI
		if t.SCI != nil {
			sci = *t.SCI
		}
		b = append(b, sci[:]...)
	}
	return b
}

// ParseSecTAG decodes the SecTAG at the start of b (b[0:2] is the MACsec
// EtherType) and returns it with its length. It applies the checks of IEEE
// 802.1AE-2018 §9.12 that need no SA: the V bit clear, SC clear when ES or SCB
// is set, the reserved bits of the SL octet clear and SL below 48.
func ParseSecTAG(b []byte) (SecTAG, int, error) {
	t, sci, n, err := parseSecTAG(b)
	if err == nil && t.SC {
		t.SCI = &sci
	}
	return t, n, err
}

// parseSecTAG is ParseSecTAG with the SCI returned apart (t.SCI left nil),
// which Validate reads without allocating it for every frame.
func parseSecTAG(b []byte) (t SecTAG, sci SCI, n int, err error) {
	if len(b) < 8 {
		return SecTAG{}, SCI{}, 0, fmt.Errorf("%w: %d octets, a SecTAG has at least 8", ErrBadTag, len(b))
	}
	if et := binary.BigEndian.Uint16(b); et != EtherType {
		return SecTAG{}, SCI{}, 0, fmt.Errorf("%w: EtherType %#04x is not MACsec", ErrBadTag, et)
	}
	tci, sl := b[2], b[3]
	t = SecTAG{
		ES:  tci&tciES != 0,
		SC:  tci&tciSC != 0,
		SCB: tci&tciSCB != 0,
		E:   tci&tciE != 0,
		C:   tci&tciC != 0,
		AN:  tci & 3,
		SL:  sl & 0x3F,
		PN:  binary.BigEndian.Uint32(b[4:]),
	}
	switch {
	case tci&tciV != 0:
		return SecTAG{}, SCI{}, 0, fmt.Errorf("%w: version bit set", ErrBadTag)
	case t.SC && (t.ES || t.SCB):
		return SecTAG{}, SCI{}, 0, fmt.Errorf("%w: SC set together with ES or SCB", ErrBadTag)
	case sl&0xC0 != 0:
		return SecTAG{}, SCI{}, 0, fmt.Errorf("%w: reserved bits of the SL octet set", ErrBadTag)
	case t.SL >= shortLimit:
		return SecTAG{}, SCI{}, 0, fmt.Errorf("%w: short length %d is not below %d", ErrBadTag, t.SL, shortLimit)
	}
	if t.SC {
		if len(b) < 16 {
			return SecTAG{}, SCI{}, 0, fmt.Errorf("%w: SC set but %d octets leave no room for the SCI", ErrBadTag, len(b))
		}
		sci = SCI(b[8:16])
	}
	return t, sci, t.Len(), nil
}

// Options chooses how Protect marks a frame. The zero value is what Protect
// sends: SCI included, integrity only.
type Options struct {
	Encrypt bool // confidentiality with offset 0: E and C set
	// OmitSCI leaves the SCI out (SC clear); the receiver then infers it,
	// from the source address and port 1 when EndStation is set
	// else from its only peer on a point-to-point link.
	OmitSCI    bool
	EndStation bool // the ES bit; needs OmitSCI and an SA whose SCI is the source MAC and port 1
	SCB        bool // the SCB bit (EPON single copy broadcast); needs OmitSCI
}

// Protect turns an Ethernet frame (destination and source MAC, EtherType and
// payload; no FCS) into a MACsec frame: a SecTAG that carries the SCI, as AWS
// sends it, and the given PN, then the user data (the EtherType and payload),
// encrypted when encrypt is set, else in the clear, then the ICV.
func Protect(sa *SA, frame []byte, pn uint64, encrypt bool) ([]byte, error) {
	return ProtectWith(sa, frame, pn, Options{Encrypt: encrypt})
}

// ProtectWith is Protect with the SecTAG's other encodings, which the
// standard's test vectors use.
func ProtectWith(sa *SA, frame []byte, pn uint64, o Options) ([]byte, error) {
	return AppendProtect(nil, sa, frame, pn, o)
}

// AppendProtect is ProtectWith appending the MACsec frame to dst, which
// must not overlap frame: a simulation protecting millions of frames
// reuses one buffer instead of allocating each.
func AppendProtect(dst []byte, sa *SA, frame []byte, pn uint64, o Options) ([]byte, error) {
	if len(frame) < 14 {
		return nil, fmt.Errorf("macsec: a %d-octet frame has no EtherType", len(frame))
	}
	if err := sa.CanProtect(pn); err != nil {
		return nil, err
	}
	aead, err := sa.aead()
	if err != nil {
		return nil, err
	}
	if (o.EndStation || o.SCB) && !o.OmitSCI {
		return nil, fmt.Errorf("%w: the ES and SCB bits are only sent without an SCI", ErrKey)
	}
	if o.EndStation && sa.SCI != MakeSCI([6]byte(frame[6:12]), 1) {
		// The receiver would build the IV from the source address and
		// port 1, so any other SCI makes a frame nobody can validate.
		return nil, fmt.Errorf("%w: ES set but the SCI %v is not the source address with port 1", ErrKey, sa.SCI)
	}
	user := frame[12:]
	tag := SecTAG{
		ES: o.EndStation, SC: !o.OmitSCI, SCB: o.SCB,
		E: o.Encrypt, C: o.Encrypt,
		AN: sa.AN, PN: uint32(pn),
	}
	if len(user) < shortLimit {
		tag.SL = uint8(len(user))
	}
	if tag.SC {
		sci := sa.SCI
		tag.SCI = &sci
	}
	out := slices.Grow(dst, len(frame)+tag.Len()+ICVLen)
	out = append(out, frame[:12]...)
	out = tag.Append(out)
	iv := &sa.ivBuf
	sa.iv(iv, pn)
	if o.Encrypt {
		// The MAC addresses and SecTAG are authenticated, not encrypted;
		// Seal writes past them, so they can serve as the AAD in place.
		return aead.Seal(out, iv[:], user, out[len(dst):]), nil
	}
	// Integrity only: GCM with nothing to encrypt and the whole frame as
	// AAD (GMAC), which leaves the user data readable on the wire.
	out = append(out, user...)
	return aead.Seal(out, iv[:], nil, out[len(dst):]), nil
}

// ReplayWindow is a receive SA's replay state (IEEE 802.1AE): Next is
// the next PN expected (one past the highest PN validated) and Window the
// replay window; frames with a PN below Next−Window are late, and discarded as
// replays. With Window 0 only ever-increasing PNs are accepted; within a
// larger window the standard accepts a PN it has seen before, and so does
// Validate. The zero value accepts any valid PN.
type ReplayWindow struct {
	Next   uint64
	Window uint64
}

// Lowest is the lowest acceptable PN (RxSA lowestPN); never 0, which no frame
// carries.
func (w *ReplayWindow) Lowest() uint64 {
	if w.Next > w.Window && w.Next-w.Window > 1 {
		return w.Next - w.Window
	}
	return 1
}

// RecoverPN rebuilds an XPN frame's 64-bit PN from the 32 bits on the wire:
// the smallest PN not below the lowest acceptable PN whose low half matches
// (IEEE 802.1AEbw). ok is false if no such PN exists.
func (w *ReplayWindow) RecoverPN(low uint32) (pn uint64, ok bool) {
	lowest := w.Lowest()
	pn = lowest&^0xFFFFFFFF | uint64(low)
	if pn < lowest {
		if pn>>32 == math.MaxUint32 {
			return 0, false
		}
		pn += 1 << 32
	}
	return pn, true
}

// advance records a validated PN, which is below MaxPN+1.
func (w *ReplayWindow) advance(pn uint64) {
	if pn >= w.Next {
		w.Next = pn + 1
	}
}

// Validate checks a MACsec frame against a receive SA and strips it: it
// parses the SecTAG, checks the frame names this SA's SC and AN, recovers the
// full PN (for XPN from the low 32 bits and w, as IEEE 802.1AEbw does),
// discards late frames, verifies the ICV, decrypts, and returns the original
// frame (destination, source, EtherType, payload) and its PN. Only a frame
// that validates advances w. The frame is not modified.
func Validate(sa *SA, w *ReplayWindow, frame []byte) ([]byte, uint64, error) {
	return AppendValidate(nil, sa, w, frame)
}

// AppendValidate is Validate appending the original frame to dst, which
// must not overlap frame, so that checking frames allocates nothing.
func AppendValidate(dst []byte, sa *SA, w *ReplayWindow, frame []byte) ([]byte, uint64, error) {
	if w == nil {
		return nil, 0, fmt.Errorf("%w: no replay window", ErrKey)
	}
	aead, err := sa.aead()
	if err != nil {
		return nil, 0, err
	}
	if len(frame) < 12 {
		return nil, 0, fmt.Errorf("%w: %d-octet frame", ErrBadTag, len(frame))
	}
	tag, tagSCI, n, err := parseSecTAG(frame[12:])
	if err != nil {
		return nil, 0, err
	}
	hdrLen := 12 + n
	secure := len(frame) - hdrLen - ICVLen
	switch {
	case secure < 0 || tag.SL != 0 && secure != int(tag.SL):
		return nil, 0, fmt.Errorf("%w: %d octets of secure data, short length %d", ErrBadTag, max(secure, 0), tag.SL)
	case tag.SL == 0 && secure < shortLimit:
		return nil, 0, fmt.Errorf("%w: %d octets of secure data but short length 0", ErrBadTag, secure)
	case tag.E != tag.C:
		// E without C marks frames for the KaY, not the controlled port;
		// C without E means an ICV length GCM-AES never uses.
		return nil, 0, fmt.Errorf("%w: E=%v with C=%v", ErrBadTag, tag.E, tag.C)
	case secure < 2:
		return nil, 0, fmt.Errorf("%w: no EtherType in the secure data", ErrBadTag)
	}
	var sci SCI
	switch {
	case tag.SC:
		sci = tagSCI
	case tag.ES:
		sci = MakeSCI([6]byte(frame[6:12]), 1)
	default:
		sci = sa.SCI // point to point: the one peer's SC
	}
	if sci != sa.SCI {
		return nil, 0, fmt.Errorf("%w: SCI %v, the SA's is %v", ErrNoSA, sci, sa.SCI)
	}
	if tag.AN != sa.AN {
		return nil, 0, fmt.Errorf("%w: AN %d, the SA's is %d", ErrNoSA, tag.AN, sa.AN)
	}
	pn := uint64(tag.PN)
	if sa.Suite.XPN() {
		var ok bool
		if pn, ok = w.RecoverPN(tag.PN); !ok {
			return nil, 0, fmt.Errorf("%w: no PN above %#x ends in %#08x", ErrLate, w.Lowest(), tag.PN)
		}
	} else if pn == 0 {
		return nil, 0, fmt.Errorf("%w: PN 0", ErrPN)
	}
	if pn < w.Lowest() {
		return nil, 0, fmt.Errorf("%w: PN %#x, lowest acceptable %#x", ErrLate, pn, w.Lowest())
	}
	if pn > sa.Suite.MaxPN() {
		return nil, 0, fmt.Errorf("%w: %#x is past the last PN", ErrPN, pn)
	}
	iv := &sa.ivBuf
	sa.iv(iv, pn)
	out := append(slices.Grow(dst, 12+secure), frame[:12]...)
	if tag.E {
		if out, err = aead.Open(out, iv[:], frame[hdrLen:], frame[:hdrLen]); err != nil {
			return nil, 0, fmt.Errorf("%w: PN %#x", ErrICV, pn)
		}
	} else {
		if _, err = aead.Open(nil, iv[:], frame[len(frame)-ICVLen:], frame[:len(frame)-ICVLen]); err != nil {
			return nil, 0, fmt.Errorf("%w: PN %#x", ErrICV, pn)
		}
		out = append(out, frame[hdrLen:hdrLen+secure]...)
	}
	w.advance(pn)
	return out, pn, nil
}

// CanProtect says why sa cannot protect a frame with PN pn (what
// AppendProtect would refuse before building it); nil when it can.
func (sa *SA) CanProtect(pn uint64) error {
	if err := sa.usable(); err != nil {
		return err
	}
	if pn == 0 || pn > sa.Suite.MaxPN() {
		return fmt.Errorf("%w: %#x with %v", ErrPN, pn, sa.Suite)
	}
	return nil
}

// Admit is what validating a frame that tx protected with PN pn (as
// AppendProtect sends it, with the SCI; tx.CanProtect(pn) must be nil)
// against the receive SA sa and its window w would decide, and does to w,
// without the frame: for a run that reads no frame's bytes. It checks the
// same things in the same order as AppendValidate, and the frame checks
// that cannot fail on what AppendProtect built are left out. The ICV
// verifies when the receiver computes GCM with the transmitter's key and
// IV, since the AAD and the ciphertext are the transmitter's: Admit
// compares the keys and the twelve octets of IV each side builds for the
// PN (the receiver's from the PN it recovers). With any other key or IV,
// a real GCM tag matches with probability 2^-128, which Admit takes as
// never.
func Admit(tx *SA, pn uint64, sa *SA, w *ReplayWindow) bool {
	if w == nil || sa.usable() != nil || tx.SCI != sa.SCI || tx.AN != sa.AN {
		return false
	}
	got := uint64(uint32(pn)) // the PN field on the wire
	if sa.Suite.XPN() {
		var ok bool
		if got, ok = w.RecoverPN(uint32(pn)); !ok {
			return false
		}
	} else if got == 0 {
		return false
	}
	if got < w.Lowest() || got > sa.Suite.MaxPN() {
		return false
	}
	var sent, built [12]byte
	tx.iv(&sent, pn)
	sa.iv(&built, got)
	if sent != built || !bytes.Equal(tx.Key, sa.Key) {
		return false
	}
	w.advance(got)
	return true
}

// AdmitSelf is Admit(tx, pn, tx, w): validating against the very SA that
// protected the frame, as when both ends of a link hold one SA. Then only
// the window and the PN decide, and the SA is not read: with thousands of
// SAs, reading it cost each packet a cache miss. xpn is tx.Suite.XPN(),
// and tx.CanProtect(pn) must be nil. The frame carries the PN's low 32
// bits; under XPN the receiver recovers the rest from w, and the ICV
// verifies only if it recovers pn itself, since the IV is built from the
// full PN under the same SSCI and salt.
func AdmitSelf(pn uint64, xpn bool, w *ReplayWindow) bool {
	got := uint64(uint32(pn))
	if xpn {
		var ok bool
		if got, ok = w.RecoverPN(uint32(pn)); !ok {
			return false
		}
	} else if got == 0 {
		return false
	}
	if got < w.Lowest() || got != pn {
		return false
	}
	w.advance(got)
	return true
}

// iv writes the GCM IV for pn: SCI ‖ PN for the 32-bit suites, and for XPN
// (SSCI ‖ PN) XOR Salt (IEEE 802.1AE-2018 clause 14).
func (sa *SA) iv(iv *[12]byte, pn uint64) {
	if !sa.Suite.XPN() {
		copy(iv[:8], sa.SCI[:])
		binary.BigEndian.PutUint32(iv[8:], uint32(pn))
		return
	}
	binary.BigEndian.PutUint32(iv[:4], sa.SSCI)
	binary.BigEndian.PutUint64(iv[4:], pn)
	for i := range iv {
		iv[i] ^= sa.Salt[i]
	}
}

// ShareAEAD makes sa use o's AES-GCM instance when both hold the same key
// under the same suite, as a transmit SA and the peer's receive SA for it
// do: protecting a frame and validating it then read one cipher state, not
// two copies of it. It reports whether they share it.
func (sa *SA) ShareAEAD(o *SA) bool {
	if sa == o || sa.Suite != o.Suite || !bytes.Equal(sa.Key, o.Key) {
		return false
	}
	a, err := o.aead()
	if err != nil {
		return false
	}
	sa.gcm, sa.gcmKeyLen = a, uint8(copy(sa.gcmKey[:], sa.Key))
	return true
}

// usable says why sa can neither protect nor validate a frame; nil when
// it can.
func (sa *SA) usable() error {
	switch {
	case sa == nil:
		return fmt.Errorf("%w: no SA", ErrKey)
	case !sa.Suite.Known():
		return fmt.Errorf("%w: cipher suite %v", ErrKey, sa.Suite)
	case len(sa.Key) != sa.Suite.KeyLen():
		return fmt.Errorf("%w: %v needs a %d-octet SAK, not %d", ErrKey, sa.Suite, sa.Suite.KeyLen(), len(sa.Key))
	case sa.AN > 3:
		return fmt.Errorf("%w: AN %d", ErrKey, sa.AN)
	}
	return nil
}

func (sa *SA) aead() (cipher.AEAD, error) {
	if err := sa.usable(); err != nil {
		return nil, err
	}
	// Setting up AES-GCM costs about four times as much as sealing a
	// 1500-octet frame, and an SA protects millions of frames with one SAK:
	// the instance lives with the SA (a bounded global cache thrashed once
	// a simulation held more SAs than it had room for). It is rebuilt if
	// the key was changed in place.
	if sa.gcm != nil && int(sa.gcmKeyLen) == len(sa.Key) && bytes.Equal(sa.gcmKey[:sa.gcmKeyLen], sa.Key) {
		return sa.gcm, nil
	}
	block, err := aes.NewCipher(sa.Key)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKey, err)
	}
	a, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKey, err)
	}
	sa.gcm, sa.gcmKeyLen = a, uint8(copy(sa.gcmKey[:], sa.Key))
	return a, nil
}
