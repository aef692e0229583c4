// Package wire decodes the control-plane packets the simulator writes —
// BGP-4 messages — independently of the codec that encodes them, so tests
// can check every message means what the simulator meant.
package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
)

// Message types (RFC 4271 §4.1, RFC 2918).
const (
	TypeOpen         = 1
	TypeUpdate       = 2
	TypeNotification = 3
	TypeKeepalive    = 4
	TypeRouteRefresh = 5
)

// Message is one decoded BGP message.
type Message struct {
	Type         int
	Length       int
	Open         *Open
	Update       *Update
	Notification *Notification
}

// Open is an OPEN message with the capabilities patchbay uses.
type Open struct {
	Version   int
	MyAS      uint16
	HoldTime  uint16
	ID        netip.Addr
	AS4       uint32 // 4-octet AS capability (RFC 6793), 0 when absent
	Families  []Family
	UnknownCa []int // capability codes not understood
}

// Family is an AFI/SAFI pair from the multiprotocol capability.
type Family struct{ AFI, SAFI int }

// Update is an UPDATE with its path attributes.
type Update struct {
	Withdrawn   []netip.Prefix
	NLRI        []netip.Prefix
	Origin      int // -1 when absent
	ASPath      []uint32
	NextHop     netip.Addr
	MED         *uint32
	LocalPref   *uint32
	Communities []uint32
	MPReach     []netip.Prefix
	MPNextHop   netip.Addr
	// MPLinkLocal is the link-local half of a 32-byte IPv6 next hop
	// (RFC 2545 §3), invalid when there is none.
	MPLinkLocal netip.Addr
	MPUnreach   []netip.Prefix
}

// Notification is a NOTIFICATION's error code, subcode and data.
type Notification struct {
	Code, Subcode int
	Data          []byte
}

// Split cuts a TCP stream's bytes into BGP messages, checking each
// header; rest is an incomplete message at the end.
func Split(stream []byte) (msgs [][]byte, rest []byte, err error) {
	for len(stream) >= 19 {
		n := int(binary.BigEndian.Uint16(stream[16:18]))
		if n < 19 || n > 4096 {
			return msgs, stream, fmt.Errorf("BGP length %d outside 19–4096", n)
		}
		if len(stream) < n {
			break
		}
		msgs = append(msgs, stream[:n])
		stream = stream[n:]
	}
	return msgs, stream, nil
}

// Decode decodes one whole BGP message. asn4 says whether AS numbers in
// AS_PATH are four octets (both ends sent the capability).
func Decode(b []byte, asn4 bool) (*Message, error) {
	if len(b) < 19 {
		return nil, fmt.Errorf("BGP message of %d bytes, shorter than a header", len(b))
	}
	for i := range 16 {
		if b[i] != 0xff {
			return nil, errors.New("BGP marker is not all ones")
		}
	}
	m := &Message{Length: int(binary.BigEndian.Uint16(b[16:18])), Type: int(b[18])}
	if m.Length != len(b) {
		return nil, fmt.Errorf("BGP length field %d, message %d bytes", m.Length, len(b))
	}
	body := b[19:]
	var err error
	switch m.Type {
	case TypeOpen:
		m.Open, err = decodeOpen(body)
	case TypeUpdate:
		m.Update, err = decodeUpdate(body, asn4)
	case TypeNotification:
		if len(body) < 2 {
			return nil, errors.New("NOTIFICATION shorter than 2 bytes")
		}
		m.Notification = &Notification{Code: int(body[0]), Subcode: int(body[1]), Data: append([]byte(nil), body[2:]...)}
	case TypeKeepalive:
		if len(body) != 0 {
			return nil, fmt.Errorf("KEEPALIVE of %d bytes, want 19", len(b))
		}
	case TypeRouteRefresh:
	default:
		return nil, fmt.Errorf("BGP message type %d", m.Type)
	}
	if err != nil {
		return nil, err
	}
	return m, nil
}

func decodeOpen(b []byte) (*Open, error) {
	if len(b) < 10 {
		return nil, errors.New("OPEN shorter than 10 bytes")
	}
	o := &Open{Version: int(b[0]), MyAS: binary.BigEndian.Uint16(b[1:3]), HoldTime: binary.BigEndian.Uint16(b[3:5]),
		ID: netip.AddrFrom4([4]byte(b[5:9]))}
	optLen := int(b[9])
	opts := b[10:]
	if len(opts) != optLen {
		return nil, fmt.Errorf("OPEN optional parameters length %d, have %d bytes", optLen, len(opts))
	}
	for len(opts) > 0 {
		if len(opts) < 2 || len(opts) < 2+int(opts[1]) {
			return nil, errors.New("OPEN optional parameter truncated")
		}
		typ, val := opts[0], opts[2:2+int(opts[1])]
		opts = opts[2+int(opts[1]):]
		if typ != 2 {
			continue // only capabilities (RFC 5492) are used
		}
		for len(val) > 0 {
			if len(val) < 2 || len(val) < 2+int(val[1]) {
				return nil, errors.New("capability truncated")
			}
			code, cv := val[0], val[2:2+int(val[1])]
			val = val[2+int(val[1]):]
			switch {
			case code == 1 && len(cv) == 4:
				o.Families = append(o.Families, Family{int(binary.BigEndian.Uint16(cv[:2])), int(cv[3])})
			case code == 65 && len(cv) == 4:
				o.AS4 = binary.BigEndian.Uint32(cv)
			default:
				o.UnknownCa = append(o.UnknownCa, int(code))
			}
		}
	}
	return o, nil
}

func decodeUpdate(b []byte, asn4 bool) (*Update, error) {
	u := &Update{Origin: -1}
	if len(b) < 4 {
		return nil, errors.New("UPDATE shorter than 4 bytes")
	}
	wl := int(binary.BigEndian.Uint16(b[:2]))
	if len(b) < 2+wl+2 {
		return nil, errors.New("UPDATE withdrawn routes truncated")
	}
	var err error
	if u.Withdrawn, err = prefixes(b[2:2+wl], 4); err != nil {
		return nil, err
	}
	rest := b[2+wl:]
	al := int(binary.BigEndian.Uint16(rest[:2]))
	if len(rest) < 2+al {
		return nil, errors.New("UPDATE path attributes truncated")
	}
	attrs := rest[2 : 2+al]
	if u.NLRI, err = prefixes(rest[2+al:], 4); err != nil {
		return nil, err
	}
	for len(attrs) > 0 {
		if len(attrs) < 3 {
			return nil, errors.New("path attribute header truncated")
		}
		flags, code := attrs[0], attrs[1]
		hl, n := 3, int(attrs[2])
		if flags&0x10 != 0 { // extended length
			if len(attrs) < 4 {
				return nil, errors.New("path attribute header truncated")
			}
			hl, n = 4, int(binary.BigEndian.Uint16(attrs[2:4]))
		}
		if len(attrs) < hl+n {
			return nil, fmt.Errorf("path attribute %d truncated", code)
		}
		v := attrs[hl : hl+n]
		attrs = attrs[hl+n:]
		if err := u.attribute(code, v, asn4); err != nil {
			return nil, err
		}
	}
	return u, nil
}

func (u *Update) attribute(code byte, v []byte, asn4 bool) error {
	switch code {
	case 1:
		if len(v) != 1 || v[0] > 2 {
			return fmt.Errorf("ORIGIN %v", v)
		}
		u.Origin = int(v[0])
	case 2:
		w := 2
		if asn4 {
			w = 4
		}
		for len(v) > 0 {
			if len(v) < 2 || len(v) < 2+int(v[1])*w {
				return errors.New("AS_PATH segment truncated")
			}
			n := int(v[1])
			seg := v[2 : 2+n*w]
			v = v[2+n*w:]
			for i := range n {
				if w == 4 {
					u.ASPath = append(u.ASPath, binary.BigEndian.Uint32(seg[i*4:]))
				} else {
					u.ASPath = append(u.ASPath, uint32(binary.BigEndian.Uint16(seg[i*2:])))
				}
			}
		}
	case 3:
		if len(v) != 4 {
			return fmt.Errorf("NEXT_HOP of %d bytes", len(v))
		}
		u.NextHop = netip.AddrFrom4([4]byte(v))
	case 4, 5:
		if len(v) != 4 {
			return fmt.Errorf("attribute %d of %d bytes, want 4", code, len(v))
		}
		x := binary.BigEndian.Uint32(v)
		if code == 4 {
			u.MED = &x
		} else {
			u.LocalPref = &x
		}
	case 8:
		if len(v)%4 != 0 {
			return fmt.Errorf("COMMUNITIES of %d bytes", len(v))
		}
		for i := 0; i < len(v); i += 4 {
			u.Communities = append(u.Communities, binary.BigEndian.Uint32(v[i:]))
		}
	case 14:
		if len(v) < 5 {
			return errors.New("MP_REACH_NLRI truncated")
		}
		afi, nhl := binary.BigEndian.Uint16(v[:2]), int(v[3])
		if len(v) < 4+nhl+1 {
			return errors.New("MP_REACH_NLRI next hop truncated")
		}
		nh := v[4 : 4+nhl]
		switch len(nh) {
		case 16, 32:
			u.MPNextHop = netip.AddrFrom16([16]byte(nh[:16]))
			if len(nh) == 32 {
				u.MPLinkLocal = netip.AddrFrom16([16]byte(nh[16:]))
			}
		case 4:
			u.MPNextHop = netip.AddrFrom4([4]byte(nh))
		}
		width := 4
		if afi == 2 {
			width = 16
		}
		var err error
		u.MPReach, err = prefixes(v[4+nhl+1:], width)
		return err
	case 15:
		if len(v) < 3 {
			return errors.New("MP_UNREACH_NLRI truncated")
		}
		width := 4
		if binary.BigEndian.Uint16(v[:2]) == 2 {
			width = 16
		}
		var err error
		u.MPUnreach, err = prefixes(v[3:], width)
		return err
	}
	return nil
}

// prefixes reads NLRI: a length in bits, then the fewest bytes holding it.
func prefixes(b []byte, width int) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for len(b) > 0 {
		bits := int(b[0])
		n := (bits + 7) / 8
		if bits > width*8 || len(b) < 1+n {
			return nil, fmt.Errorf("NLRI prefix of %d bits truncated or too long", bits)
		}
		var raw [16]byte
		copy(raw[:], b[1:1+n])
		b = b[1+n:]
		var a netip.Addr
		if width == 4 {
			a = netip.AddrFrom4([4]byte(raw[:4]))
		} else {
			a = netip.AddrFrom16(raw)
		}
		p := netip.PrefixFrom(a, bits)
		if p.Masked() != p {
			return nil, fmt.Errorf("NLRI %s has host bits", p)
		}
		out = append(out, p)
	}
	return out, nil
}
