package macsec

import (
	"crypto/aes"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
)

// EAPOLEtherType is the EtherType of EAPOL frames, MKPDUs among them.
const EAPOLEtherType = 0x888E

// PAEGroupAddress is the destination of MKPDUs on a point-to-point link: the
// nearest non-TPMR bridge group address, which bridges do not forward.
var PAEGroupAddress = [6]byte{0x01, 0x80, 0xC2, 0x00, 0x00, 0x03}

// EAPOL header values of an MKPDU.
const (
	eapolVersion = 3 // 802.1X-2010 and later
	eapolMKA     = 5 // Packet Type EAPOL-MKA
)

// DefaultAlgorithmAgility is the only MKA algorithm suite defined: AES-CMAC-128 ICVs
// and the KDF of IEEE 802.1X-2010.
const DefaultAlgorithmAgility = 0x0080C201

// Parameter set types (IEEE 802.1X-2010 Table 11-7; XPN from 802.1X-2020).
const (
	setLive      = 1
	setPotential = 2
	setSAKUse    = 3
	setDistSAK   = 4
	setXPN       = 8
	setICV       = 255
)

// Fixed lengths of parameter set bodies.
const (
	basicFixedLen = 28 // SCI, MI, MN and Algorithm Agility before the CKN
	sakUseLen     = 40
	xpnLen        = 8
	maxBodyLen    = 0xFFF // 12-bit parameter set body length
	maxCKNLen     = 32
)

// ErrMKPDU means an MKPDU could not be decoded or encoded.
var ErrMKPDU = errors.New("macsec: invalid MKPDU")

// ErrMKPDUICV means an MKPDU's ICV does not verify under the ICK: another
// CAK, or an altered frame.
var ErrMKPDUICV = errors.New("macsec: MKPDU ICV check failed")

// Peer is one entry of a peer list: a member identifier and the latest
// message number received from it.
type Peer struct {
	MI [12]byte
	MN uint32
}

// SAKUse is the MACsec SAK Use parameter set (IEEE 802.1X-2010 Figure 11-10):
// which SAKs a participant transmits and receives with, and the lowest PN it
// accepts for each, identified by the key server's MI and the key number.
type SAKUse struct {
	LatestAN           uint8 // 0-3
	LatestTx, LatestRx bool
	OldAN              uint8 // 0-3
	OldTx, OldRx       bool
	PlainTx            bool // frames are sent unprotected (protectFrames false)
	PlainRx            bool // unprotected frames are accepted (validateFrames not Strict)
	DelayProtect       bool // LPNs are reported often enough for delay protection
	// Empty sends a body of length 0, which says MACsec is not in use; the
	// key fields below must then be zero (802.1X-2020 Figure 11-10 note d).
	Empty             bool
	LatestKeyServerMI [12]byte
	LatestKN          uint32
	LatestLowestPN    uint32 // low 32 bits; XPN carries the rest
	OldKeyServerMI    [12]byte
	OldKN             uint32
	OldLowestPN       uint32
}

// Confidentiality offsets of the Distributed SAK parameter set.
const (
	IntegrityOnly      = iota // no confidentiality
	ConfidentialityO0         // confidentiality, offset 0
	ConfidentialityO30        // the first 30 octets of user data in the clear
	ConfidentialityO50        // the first 50 octets of user data in the clear
)

// DistSAK is the Distributed SAK parameter set (IEEE 802.1X-2010 Figure
// 11-11): the key server's new SAK, wrapped under the KEK.
type DistSAK struct {
	AN                    uint8 // the AN to install the SAK with, 0-3
	ConfidentialityOffset uint8 // IntegrityOnly, ConfidentialityO0, O30 or O50
	KN                    uint32
	// Suite is sent only when it is not the default GCM-AES-128; 0 means
	// the default. Decoding a set without one yields GCMAES128.
	Suite CipherSuite
	// WrappedSAK is the AES-wrapped SAK, 8 octets longer than the SAK;
	// empty, the set has length 0 and tells peers not to use MACsec.
	WrappedSAK []byte
}

// XPN is the XPN parameter set of IEEE 802.1X-2020 (type 8): the MKA
// suspension time and the most significant halves of the lowest
// acceptable PNs the SAK Use set reports.
type XPN struct {
	SuspensionTime     uint8 // seconds; 0 when no suspension is requested
	LatestLowestPNHigh uint32
	OldLowestPNHigh    uint32
}

// MKPDU is one MKA message with the parameter sets patchbay uses. Peer lists
// are sent when non-empty, the other sets when non-nil.
type MKPDU struct {
	Version          uint8 // MKA version: 1 (802.1X-2010), 2 (802.1Xbx-2014), 3 (802.1X-2020, XPN)
	Priority         uint8 // key server priority; the lowest value wins
	KeyServer        bool
	MACsecDesired    bool
	Capability       uint8 // MACsec capability 0-3 (3: confidentiality with offsets 0, 30, 50)
	SCI              SCI
	MI               [12]byte
	MN               uint32
	AlgorithmAgility uint32 // DefaultAlgorithmAgility
	CKN              []byte // 1-32 octets
	Live, Potential  []Peer
	// KeyServerSSCI is octet 2 of the Live Peer List set: the SSCI the key
	// server uses with an XPN SAK, in MKA version 3 (802.1X-2020 §11.11.3).
	// Setting it sends the Live Peer List even without live peers.
	KeyServerSSCI uint8
	SAKUse        *SAKUse
	DistSAK       *DistSAK
	XPN           *XPN
	// ICVIndicator sends the ICV Indicator parameter set before the ICV.
	// MKA needs it only for ICVs of a non-default length, which this
	// package does not produce; decoding records whether it was there.
	ICVIndicator bool
	ICV          [16]byte
}

// Marshal encodes m as an EAPOL-MKA frame body — the EAPOL header (version 3,
// packet type 5, length) and the MKPDU, every parameter set padded to a
// multiple of 4 octets — ending with the ICV: AES-CMAC under ick of the
// frame's destination and source addresses, the EAPOL EtherType and every
// octet before the ICV (IEEE 802.1X-2010 §9.4.1). dst is usually
// PAEGroupAddress. m is not modified.
func (m *MKPDU) Marshal(ick []byte, dst, src [6]byte) ([]byte, error) {
	if err := ickLen(ick); err != nil {
		return nil, err
	}
	return m.marshal(cmacKeyFor(ick), dst, src)
}

// MarshalKey is Marshal under an ICK set up once with NewICK.
func (m *MKPDU) MarshalKey(k *ICKey, dst, src [6]byte) ([]byte, error) {
	return m.AppendMarshalKey(make([]byte, 0, 256), k, nil, dst, src)
}

// AppendMarshalKey is MarshalKey appending the frame body to b, computing
// the ICV in st (a new state when nil), so that a sender that keeps its
// buffers (a participant's MKPDUs in flight) builds one without
// allocating.
func (m *MKPDU) AppendMarshalKey(b []byte, k *ICKey, st *ICKState, dst, src [6]byte) ([]byte, error) {
	return m.appendMarshal(b, st.under(k), dst, src)
}

// AppendMarshalUnsigned is AppendMarshalKey without computing the ICV:
// its 16 octets are m.ICV. SignMKPDUKey computes it later, when someone
// reads it after all. A simulated MKPDU whose bytes nobody reads, checked
// by a receiver with the very key it would be signed with, then costs no
// CMAC at either end: two took a third of a large run's time.
func (m *MKPDU) AppendMarshalUnsigned(b []byte) ([]byte, error) { return m.appendEncode(b) }

// SignMKPDUKey computes the ICV of an EAPOL-MKA frame body b (from the
// EAPOL header on) sent from src to dst under k, in st (a new state when
// nil), and writes it in place: b as AppendMarshalKey would have made it.
func SignMKPDUKey(k *ICKey, st *ICKState, dst, src [6]byte, b []byte) error {
	n, err := icvAt(b)
	if err != nil {
		return err
	}
	sign(st.under(k), dst, src, b[:n+16])
	return nil
}

func (m *MKPDU) marshal(k *cmacKey, dst, src [6]byte) ([]byte, error) {
	return m.appendMarshal(make([]byte, 0, 256), &cmacState{k: k}, dst, src)
}

func (m *MKPDU) appendMarshal(b []byte, st *cmacState, dst, src [6]byte) ([]byte, error) {
	start := len(b)
	b, err := m.appendEncode(b)
	if err != nil {
		return nil, err
	}
	sign(st, dst, src, b[start:])
	return b, nil
}

// sign writes the ICV of frame, an EAPOL-MKA frame body that ends with
// it, over the addresses and every octet before it.
func sign(st *cmacState, dst, src [6]byte, frame []byte) {
	n := len(frame) - 16
	icv := mkpduICV(st, dst, src, frame[:n])
	copy(frame[n:], icv[:])
}

// VerifyMKPDU checks the ICV of an EAPOL-MKA frame body b (from the EAPOL
// header on) that was sent from src to dst.
func VerifyMKPDU(ick []byte, dst, src [6]byte, b []byte) error {
	if err := ickLen(ick); err != nil {
		return err
	}
	return verifyMKPDU(&cmacState{k: cmacKeyFor(ick)}, dst, src, b)
}

// VerifyMKPDUKey is VerifyMKPDU under an ICK set up once with NewICK,
// computing in st (a new state when nil).
func VerifyMKPDUKey(k *ICKey, st *ICKState, dst, src [6]byte, b []byte) error {
	return verifyMKPDU(st.under(k), dst, src, b)
}

func verifyMKPDU(st *cmacState, dst, src [6]byte, b []byte) error {
	n, err := icvAt(b)
	if err != nil {
		return err
	}
	want := mkpduICV(st, dst, src, b[:n])
	if subtle.ConstantTimeCompare(want[:], b[n:n+16]) != 1 {
		return ErrMKPDUICV
	}
	return nil
}

// ICKey is an ICK with its AES-CMAC set up: an MKA participant signs and
// checks every MKPDU with one, and looking it up in a shared cache on
// each cost a hash of the key, a lock every worker of a sweep contends
// for, and at thousands of participants a cache miss. Its subkey is in
// it, not an object of its own, and it is 32 bytes, so that an MKA key
// holds its name and its ICK on one cache line. The state of the CMAC
// being computed is an ICKState apart, which the caller keeps: allocated
// for every MKPDU, it would be garbage (the AES instance's interface
// hides that it does not keep it), and a state in each key would be one
// more line an MKPDU writes, for each of thousands of links.
type ICKey struct {
	k cmacKey
}

// ICKState is where a CMAC under an ICKey is computed: one serves one
// MKPDU at a time, so one goroutine at a time.
type ICKState struct{ st cmacState }

// under is st set to compute under k; a new state when st is nil.
func (st *ICKState) under(k *ICKey) *cmacState {
	if st == nil {
		st = new(ICKState)
	}
	st.st.k = &k.k
	return &st.st
}

// NewICK sets up ick (16 or 32 octets) for MarshalKey and VerifyMKPDUKey.
// The key is copied: changing ick afterwards changes nothing.
func NewICK(ick []byte) (*ICKey, error) {
	k := new(ICKey)
	if err := k.Set(ick); err != nil {
		return nil, err
	}
	return k, nil
}

// Set is NewICK for an ICKey kept inside something else (an MKA key), so
// that it is read with it.
func (k *ICKey) Set(ick []byte) error {
	if err := ickLen(ick); err != nil {
		return err
	}
	block, err := aes.NewCipher(ick)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrMKPDU, err)
	}
	k.k.set(block)
	return nil
}

func ickLen(ick []byte) error {
	if len(ick) != 16 && len(ick) != 32 {
		return fmt.Errorf("%w: an ICK is 16 or 32 octets, not %d", ErrMKPDU, len(ick))
	}
	return nil
}

// mkpduICV takes the ICV with st, which it resets first.
func mkpduICV(m *cmacState, dst, src [6]byte, eapol []byte) [16]byte {
	*m = cmacState{k: m.k}
	m.write(dst[:])
	m.write(src[:])
	var et [2]byte
	binary.BigEndian.PutUint16(et[:], EAPOLEtherType)
	m.write(et[:])
	m.write(eapol)
	return m.sum()
}

// icvAt is where the ICV of the EAPOL-MKA frame body b starts: its last
// 16 octets, before any padding past the body's length.
func icvAt(b []byte) (int, error) {
	body, err := eapolBody(b)
	if err != nil {
		return 0, err
	}
	if len(body) < 16 {
		return 0, fmt.Errorf("%w: %d octets leave no room for the ICV", ErrMKPDU, len(body))
	}
	return 4 + len(body) - 16, nil
}

// eapolBody checks the EAPOL header of an MKPDU and returns the packet body;
// octets past the body length, such as Ethernet padding, are not part of it.
func eapolBody(b []byte) ([]byte, error) {
	if len(b) < 4 {
		return nil, fmt.Errorf("%w: %d octets, an EAPOL header has 4", ErrMKPDU, len(b))
	}
	if b[1] != eapolMKA {
		return nil, fmt.Errorf("%w: EAPOL packet type %d is not EAPOL-MKA", ErrMKPDU, b[1])
	}
	n := int(binary.BigEndian.Uint16(b[2:]))
	if len(b)-4 < n {
		return nil, fmt.Errorf("%w: EAPOL body length %d but %d octets follow the header", ErrMKPDU, n, len(b)-4)
	}
	return b[4 : 4+n], nil
}

// setHeader appends a parameter set header: the type (or, for the basic set,
// the MKA version), a type-specific octet, four type-specific bits and the
// 12-bit body length.
func setHeader(b []byte, typ, octet2, nibble uint8, n int) []byte {
	return append(b, typ, octet2, nibble<<4|uint8(n>>8), uint8(n))
}

// pad4 pads a parameter set body to a multiple of 4 octets.
func pad4(b []byte, n int) []byte {
	for ; n%4 != 0; n++ {
		b = append(b, 0)
	}
	return b
}

func bit(v bool, b uint8) uint8 {
	if v {
		return b
	}
	return 0
}

// Check reports why m would not encode, as Marshal would; nil when it
// would.
func (m *MKPDU) Check() error { return m.check() }

func (m *MKPDU) check() error {
	switch {
	case m.Capability > 3:
		return fmt.Errorf("%w: MACsec capability %d", ErrMKPDU, m.Capability)
	case len(m.CKN) == 0 || len(m.CKN) > maxCKNLen:
		return fmt.Errorf("%w: a CKN is 1 to %d octets, not %d", ErrMKPDU, maxCKNLen, len(m.CKN))
	case 16*len(m.Live) > maxBodyLen || 16*len(m.Potential) > maxBodyLen:
		return fmt.Errorf("%w: more than %d peers in a list", ErrMKPDU, maxBodyLen/16)
	}
	if u := m.SAKUse; u != nil {
		if u.LatestAN > 3 || u.OldAN > 3 {
			return fmt.Errorf("%w: SAK Use AN above 3", ErrMKPDU)
		}
		if u.Empty && (u.LatestKeyServerMI != [12]byte{} || u.LatestKN != 0 || u.LatestLowestPN != 0 ||
			u.OldKeyServerMI != [12]byte{} || u.OldKN != 0 || u.OldLowestPN != 0) {
			return fmt.Errorf("%w: an empty SAK Use set has no keys", ErrMKPDU)
		}
	}
	if d := m.DistSAK; d != nil {
		if d.AN > 3 || d.ConfidentialityOffset > 3 {
			return fmt.Errorf("%w: Distributed SAK AN %d, confidentiality offset %d", ErrMKPDU, d.AN, d.ConfidentialityOffset)
		}
		if err := checkWrapped(d.Suite, d.KN, d.WrappedSAK); err != nil {
			return err
		}
	}
	return nil
}

// checkWrapped checks that a wrapped SAK can be a key of the suite, so that
// what decodes also encodes.
func checkWrapped(suite CipherSuite, kn uint32, w []byte) error {
	if len(w) == 0 {
		if kn != 0 || suite != 0 {
			return fmt.Errorf("%w: a Distributed SAK without a key has no KN or suite", ErrMKPDU)
		}
		return nil
	}
	if suite == 0 {
		suite = GCMAES128
	}
	if len(w) < 24 || len(w)%8 != 0 || 12+len(w) > maxBodyLen {
		return fmt.Errorf("%w: a wrapped SAK of %d octets", ErrMKPDU, len(w))
	}
	if suite.Known() && len(w) != suite.KeyLen()+8 {
		return fmt.Errorf("%w: %v wraps to %d octets, not %d", ErrMKPDU, suite, suite.KeyLen()+8, len(w))
	}
	return nil
}

// encode is Marshal with m.ICV as the ICV.
func (m *MKPDU) encode() ([]byte, error) {
	return m.appendEncode(make([]byte, 0, 256))
}

// appendEncode is encode appending to b.
func (m *MKPDU) appendEncode(b []byte) ([]byte, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	start := len(b)
	b = append(b, eapolVersion, eapolMKA, 0, 0)

	n := basicFixedLen + len(m.CKN)
	b = setHeader(b, m.Version, m.Priority,
		bit(m.KeyServer, 8)|bit(m.MACsecDesired, 4)|m.Capability, n)
	b = append(b, m.SCI[:]...)
	b = append(b, m.MI[:]...)
	b = binary.BigEndian.AppendUint32(b, m.MN)
	b = binary.BigEndian.AppendUint32(b, m.AlgorithmAgility)
	b = append(b, m.CKN...)
	b = pad4(b, n)

	peers := func(typ, octet2 uint8, ps []Peer) {
		b = setHeader(b, typ, octet2, 0, 16*len(ps))
		for _, p := range ps {
			b = append(b, p.MI[:]...)
			b = binary.BigEndian.AppendUint32(b, p.MN)
		}
	}
	if len(m.Live) > 0 || m.KeyServerSSCI != 0 {
		peers(setLive, m.KeyServerSSCI, m.Live)
	}
	if len(m.Potential) > 0 {
		peers(setPotential, 0, m.Potential)
	}

	if u := m.SAKUse; u != nil {
		n := sakUseLen
		if u.Empty {
			n = 0
		}
		flags := u.LatestAN<<6 | bit(u.LatestTx, 0x20) | bit(u.LatestRx, 0x10) |
			u.OldAN<<2 | bit(u.OldTx, 0x02) | bit(u.OldRx, 0x01)
		b = setHeader(b, setSAKUse, flags, bit(u.PlainTx, 8)|bit(u.PlainRx, 4)|bit(u.DelayProtect, 1), n)
		if n > 0 {
			b = append(b, u.LatestKeyServerMI[:]...)
			b = binary.BigEndian.AppendUint32(b, u.LatestKN)
			b = binary.BigEndian.AppendUint32(b, u.LatestLowestPN)
			b = append(b, u.OldKeyServerMI[:]...)
			b = binary.BigEndian.AppendUint32(b, u.OldKN)
			b = binary.BigEndian.AppendUint32(b, u.OldLowestPN)
		}
	}

	if d := m.DistSAK; d != nil {
		n := 0
		if len(d.WrappedSAK) > 0 {
			n = 4 + len(d.WrappedSAK)
			if d.Suite != 0 && d.Suite != GCMAES128 {
				n += 8
			}
		}
		b = setHeader(b, setDistSAK, d.AN<<6|d.ConfidentialityOffset<<4, 0, n)
		if n > 0 {
			b = binary.BigEndian.AppendUint32(b, d.KN)
			if n > 4+len(d.WrappedSAK) {
				b = binary.BigEndian.AppendUint64(b, uint64(d.Suite))
			}
			b = append(b, d.WrappedSAK...)
		}
		b = pad4(b, n)
	}

	if x := m.XPN; x != nil {
		b = setHeader(b, setXPN, x.SuspensionTime, 0, xpnLen)
		b = binary.BigEndian.AppendUint32(b, x.LatestLowestPNHigh)
		b = binary.BigEndian.AppendUint32(b, x.OldLowestPNHigh)
	}

	if m.ICVIndicator {
		// Its length field gives the ICV's length; the ICV is its body.
		b = setHeader(b, setICV, 0, 0, ICVLen)
	}
	b = append(b, m.ICV[:]...)

	n = len(b) - start - 4
	if n > 0xFFFF {
		return nil, fmt.Errorf("%w: %d octets do not fit an EAPOL body", ErrMKPDU, n)
	}
	binary.BigEndian.PutUint16(b[start+2:], uint16(n))
	return b, nil
}

// ParseMKPDU decodes an EAPOL-MKA frame body (EAPOL header and MKPDU, from
// just after the EtherType). It does not check the ICV: see VerifyMKPDU.
// Parameter sets this package does not use (Distributed CAK, KMD,
// Announcement and any later type) are skipped rather than refused, so that
// sets a later MKA version adds, or a peer's announcements, do not make the
// rest of the MKPDU unreadable.
func ParseMKPDU(b []byte) (*MKPDU, error) {
	return new(MKPDUReader).Parse(b)
}

// MKPDUReader decodes MKPDUs into storage it keeps: a participant reads
// one every two seconds for as long as a run lasts.
type MKPDUReader struct {
	m         MKPDU
	ckn       []byte
	live, pot []Peer
	use       SAKUse
	dist      DistSAK
	wrapped   []byte
	xpn       XPN
}

// Parse is ParseMKPDU, but what it returns (and what that points to) is
// the reader's, valid until the next Parse.
func (r *MKPDUReader) Parse(b []byte) (*MKPDU, error) {
	body, err := eapolBody(b)
	if err != nil {
		return nil, err
	}
	if len(body) < 4+basicFixedLen+16 {
		return nil, fmt.Errorf("%w: %d octets, too short for the basic parameter set and ICV", ErrMKPDU, len(body))
	}
	m := &r.m
	*m = MKPDU{
		Version:       body[0],
		Priority:      body[1],
		KeyServer:     body[2]&0x80 != 0,
		MACsecDesired: body[2]&0x40 != 0,
		Capability:    body[2] >> 4 & 3,
	}
	n := int(binary.BigEndian.Uint16(body[2:]) & maxBodyLen)
	if n < basicFixedLen || n-basicFixedLen > maxCKNLen || n-basicFixedLen == 0 {
		return nil, fmt.Errorf("%w: basic parameter set of %d octets", ErrMKPDU, n)
	}
	p := (n + 3) &^ 3
	if 4+p > len(body)-16 {
		return nil, fmt.Errorf("%w: basic parameter set overruns the MKPDU", ErrMKPDU)
	}
	s := body[4:]
	m.SCI = SCI(s[0:8])
	m.MI = [12]byte(s[8:20])
	m.MN = binary.BigEndian.Uint32(s[20:])
	m.AlgorithmAgility = binary.BigEndian.Uint32(s[24:])
	r.ckn = append(r.ckn[:0], s[basicFixedLen:n]...)
	m.CKN = r.ckn
	rest := body[4+p:]

	// The set types that may appear once, as bits: a map made for every
	// MKPDU was 2.5–4.5% of a simulated run's time under pprof.
	var seen uint64
	for len(rest) > 16 {
		if len(rest) < 4+16 {
			return nil, fmt.Errorf("%w: %d stray octets before the ICV", ErrMKPDU, len(rest)-16)
		}
		typ := rest[0]
		n := int(binary.BigEndian.Uint16(rest[2:]) & maxBodyLen)
		switch typ {
		case setLive, setPotential, setSAKUse, setDistSAK, setXPN:
			if seen&(1<<typ) != 0 {
				return nil, fmt.Errorf("%w: parameter set %d appears twice", ErrMKPDU, typ)
			}
			seen |= 1 << typ
		}
		if typ == setICV {
			if n != ICVLen || len(rest) != 4+ICVLen {
				return nil, fmt.Errorf("%w: ICV indicator for a %d-octet ICV with %d octets left", ErrMKPDU, n, len(rest)-4)
			}
			m.ICVIndicator = true
			rest = rest[4:]
			break
		}
		p := (n + 3) &^ 3
		if 4+p > len(rest)-16 {
			return nil, fmt.Errorf("%w: parameter set %d of %d octets overruns the MKPDU", ErrMKPDU, typ, n)
		}
		set := rest[:4+n]
		if err := r.parseSet(typ, set); err != nil {
			return nil, err
		}
		rest = rest[4+p:]
	}
	if len(rest) != 16 {
		return nil, fmt.Errorf("%w: %d octets where the ICV should be", ErrMKPDU, len(rest))
	}
	m.ICV = [16]byte(rest)
	return m, nil
}

// parseSet decodes one parameter set, header included, without padding.
func (r *MKPDUReader) parseSet(typ uint8, set []byte) error {
	m := &r.m
	body := set[4:]
	switch typ {
	case setLive, setPotential:
		if len(body)%16 != 0 {
			return fmt.Errorf("%w: a peer list of %d octets", ErrMKPDU, len(body))
		}
		keep := &r.pot
		if typ == setLive {
			keep = &r.live
		}
		ps := (*keep)[:0]
		if ps == nil {
			ps = make([]Peer, 0, len(body)/16)
		}
		for ; len(body) > 0; body = body[16:] {
			ps = append(ps, Peer{MI: [12]byte(body[:12]), MN: binary.BigEndian.Uint32(body[12:])})
		}
		*keep = ps
		if typ == setLive {
			m.Live, m.KeyServerSSCI = ps, set[1]
		} else {
			m.Potential = ps
		}
	case setSAKUse:
		u := &r.use
		*u = SAKUse{
			LatestAN: set[1] >> 6, LatestTx: set[1]&0x20 != 0, LatestRx: set[1]&0x10 != 0,
			OldAN: set[1] >> 2 & 3, OldTx: set[1]&0x02 != 0, OldRx: set[1]&0x01 != 0,
			PlainTx: set[2]&0x80 != 0, PlainRx: set[2]&0x40 != 0, DelayProtect: set[2]&0x10 != 0,
		}
		switch len(body) {
		case 0:
			u.Empty = true
		case sakUseLen:
			u.LatestKeyServerMI = [12]byte(body[0:12])
			u.LatestKN = binary.BigEndian.Uint32(body[12:])
			u.LatestLowestPN = binary.BigEndian.Uint32(body[16:])
			u.OldKeyServerMI = [12]byte(body[20:32])
			u.OldKN = binary.BigEndian.Uint32(body[32:])
			u.OldLowestPN = binary.BigEndian.Uint32(body[36:])
		default:
			return fmt.Errorf("%w: a SAK Use set is 0 or %d octets, not %d", ErrMKPDU, sakUseLen, len(body))
		}
		m.SAKUse = u
	case setDistSAK:
		d := &r.dist
		*d = DistSAK{AN: set[1] >> 6, ConfidentialityOffset: set[1] >> 4 & 3}
		switch {
		case len(body) == 0:
		case len(body) == 28:
			d.KN = binary.BigEndian.Uint32(body)
			d.Suite = GCMAES128
			r.wrapped = append(r.wrapped[:0], body[4:]...)
			d.WrappedSAK = r.wrapped
		case len(body) >= 36:
			d.KN = binary.BigEndian.Uint32(body)
			d.Suite = CipherSuite(binary.BigEndian.Uint64(body[4:]))
			r.wrapped = append(r.wrapped[:0], body[12:]...)
			d.WrappedSAK = r.wrapped
		default:
			return fmt.Errorf("%w: a Distributed SAK set of %d octets", ErrMKPDU, len(body))
		}
		if err := checkWrapped(d.Suite, d.KN, d.WrappedSAK); err != nil {
			return err
		}
		m.DistSAK = d
	case setXPN:
		if len(body) != xpnLen {
			return fmt.Errorf("%w: an XPN set is %d octets, not %d", ErrMKPDU, xpnLen, len(body))
		}
		r.xpn = XPN{
			SuspensionTime:     set[1],
			LatestLowestPNHigh: binary.BigEndian.Uint32(body),
			OldLowestPNHigh:    binary.BigEndian.Uint32(body[4:]),
		}
		m.XPN = &r.xpn
	}
	return nil
}
