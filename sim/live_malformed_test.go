//go:build linux

package sim

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/osrg/gobgp/v3/pkg/packet/bgp"

	"patchbay/planner/plantest"
)

// livePeer is this test speaking BGP, as a real router would, to the
// lab's hq/conn1 over 127/8: the connection, the run's timeline, and the
// end of the run.
type livePeer struct {
	t        *testing.T
	c        net.Conn
	timeline *lockedBuilder
	cancel   context.CancelFunc
	done     chan error
	ended    bool  // the run's error has been taken from done
	err      error // and this was it
}

// dialLab starts the lab's scenario with hq/conn1 live and connects to its
// AWS end from the router's address.
func dialLab(t *testing.T) *livePeer {
	a := labAddrs(4)
	p := plantest.File(t, "testdata/live/lab.star")
	sc := p.Design.Scenarios[0]
	aws := netip.AddrPortFrom(a.aws[0], livePort)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	s, err := Start(p, sc, Options{Seed: 1, Live: map[string]Live{"hq/conn1": {Listen: aws, Peer: a.router}}})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	lp := &livePeer{t: t, timeline: &lockedBuilder{}, cancel: cancel, done: make(chan error, 1)}
	go func() {
		_, err := s.RunLive(ctx, lp.timeline)
		lp.done <- err
	}()
	// The run ends before the test does, whatever happens to it: the next
	// live test listens on the same address.
	t.Cleanup(func() { cancel(); lp.wait() })
	ready(t, ctx, "the simulated AWS end", func() error {
		select {
		case err := <-lp.done:
			lp.ended, lp.err = true, err
			t.Fatalf("the live run ended before it took a connection: %v\ntimeline:\n%s", err, lp.timeline.String())
		default:
		}
		d := net.Dialer{LocalAddr: net.TCPAddrFromAddrPort(netip.AddrPortFrom(a.router, 0)), Timeout: time.Second}
		lp.c, err = d.DialContext(ctx, "tcp", aws.String())
		return err
	})
	t.Cleanup(func() { lp.c.Close() })
	_ = lp.c.SetDeadline(time.Now().Add(10 * time.Second))
	return lp
}

// read returns the type and body of the next whole message the AWS end
// sends.
func (lp *livePeer) read() (uint8, []byte) {
	lp.t.Helper()
	var h [19]byte
	if _, err := io.ReadFull(lp.c, h[:]); err != nil {
		lp.t.Fatalf("reading a message from the AWS end: %v\ntimeline:\n%s", err, lp.timeline.String())
	}
	body := make([]byte, int(binary.BigEndian.Uint16(h[16:18]))-len(h))
	if _, err := io.ReadFull(lp.c, body); err != nil {
		lp.t.Fatal(err)
	}
	if h[18] == bgp.BGP_MSG_NOTIFICATION && len(body) >= 2 {
		lp.t.Logf("NOTIFICATION %d/%d", body[0], body[1])
	}
	return h[18], body
}

func (lp *livePeer) send(m []byte) {
	lp.t.Helper()
	if _, err := lp.c.Write(m); err != nil {
		lp.t.Fatal(err)
	}
}

// open is the router's OPEN: AS65001, IPv4 unicast, the hold time given.
func (lp *livePeer) open(hold uint16) []byte {
	lp.t.Helper()
	m, err := bgp.NewBGPOpenMessage(65001, hold, "192.168.0.1", []bgp.OptionParameterInterface{
		bgp.NewOptionParameterCapability([]bgp.ParameterCapabilityInterface{
			bgp.NewCapMultiProtocol(bgp.RF_IPv4_UC), bgp.NewCapFourOctetASNumber(65001)}),
	}).Serialize()
	if err != nil {
		lp.t.Fatal(err)
	}
	return m
}

// wait waits for the run to end and returns its error.
// establish takes the session to Established from the AWS end's OPEN: the
// test's OPEN and KEEPALIVE, then the AWS end's KEEPALIVE.
func (lp *livePeer) establish() {
	lp.t.Helper()
	lp.establishWith(lp.open(90))
}

// establishWith is establish with the OPEN given.
func (lp *livePeer) establishWith(open []byte) {
	lp.t.Helper()
	ka, err := bgp.NewBGPKeepAliveMessage().Serialize()
	if err != nil {
		lp.t.Fatal(err)
	}
	if got, _ := lp.read(); got != bgp.BGP_MSG_OPEN {
		lp.t.Fatalf("the AWS end sent message type %d first, want its OPEN", got)
	}
	lp.send(open)
	lp.send(ka)
	for got, _ := lp.read(); got != bgp.BGP_MSG_KEEPALIVE; got, _ = lp.read() {
		if got == bgp.BGP_MSG_NOTIFICATION {
			lp.t.Fatalf("the AWS end refused the OPEN\ntimeline:\n%s", lp.timeline.String())
		}
	}
}

func (lp *livePeer) wait() error {
	if !lp.ended {
		lp.err, lp.ended = <-lp.done, true
	}
	return lp.err
}

// stillEstablished checks that the session is still Established after
// what the test sent: an OPEN now is an error of that state, which the
// AWS end answers with NOTIFICATION 5/3 before closing the connection.
func (lp *livePeer) stillEstablished() {
	lp.t.Helper()
	lp.send(lp.open(90))
	got, body := lp.read()
	for got == bgp.BGP_MSG_KEEPALIVE || got == bgp.BGP_MSG_UPDATE {
		got, body = lp.read()
	}
	if got != bgp.BGP_MSG_NOTIFICATION || len(body) < 2 || body[0] != 5 || body[1] != 3 {
		lp.t.Fatalf("the AWS end sent message type %d (% x), want NOTIFICATION 5/3 for an OPEN while Established\ntimeline:\n%s", got, body, lp.timeline.String())
	}
	lp.closed()
}

// closed checks that the AWS end closed the connection after its
// NOTIFICATION, then ends the run, which must not have failed before.
func (lp *livePeer) closed() {
	lp.t.Helper()
	if n, err := lp.c.Read(make([]byte, 1)); err == nil {
		lp.t.Errorf("the AWS end sent %d more octets after its NOTIFICATION, want the connection closed", n)
	}
	select {
	case err := <-lp.done:
		lp.ended, lp.err = true, err
		if err != nil {
			lp.t.Fatal(err)
		}
	default:
		lp.cancel()
		lp.wait()
	}
}

// TestLiveMalformedUpdate: a real peer that sends an UPDATE the BGP
// parser cannot read (an MP_REACH_NLRI of three octets, on which gobgp's
// parser indexes past the attribute's end) gets a NOTIFICATION and a
// closed connection, as for any message that does not decode, and the run
// goes on. The peer is this test, speaking BGP over 127/8 to the lab's
// hq/conn1.
func TestLiveMalformedUpdate(t *testing.T) {
	lp := dialLab(t)
	lp.establish()
	// The UPDATE: no withdrawn routes, 11 octets of attributes, the first an
	// optional MP_REACH_NLRI (type 14) of 3 octets (AFI 2, SAFI 128) where
	// RFC 4760 §3 needs at least the next hop's length besides.
	update := append(bytes.Repeat([]byte{0xff}, 16), 0, 34, bgp.BGP_MSG_UPDATE, 0, 0, 0, 11, 0x80, 14, 3, 0, 2, 128, '0', '0', '0', '0', '0')
	lp.send(update)
	for {
		got, _ := lp.read()
		if got == bgp.BGP_MSG_NOTIFICATION {
			break
		}
		if got != bgp.BGP_MSG_KEEPALIVE && got != bgp.BGP_MSG_UPDATE {
			t.Fatalf("after the malformed UPDATE the AWS end sent message type %d, want a NOTIFICATION", got)
		}
	}
	lp.closed()
	if !strings.Contains(lp.timeline.String(), "cannot decode a message: unreadable (the parser failed") {
		t.Errorf("the timeline does not say why the session went down:\n%s", lp.timeline.String())
	}
}

// TestLiveHoldTimeZeroRefused: a real router that offers a hold time of 0
// gets OPEN Message Error / Unacceptable Hold Time (2/6) from the AWS end,
// since Direct Connect does not support 0 ("A hold value of 0 is not
// supported", Direct Connect user guide, BGP-specific settings), though
// RFC 4271 lets two routers agree on it.
func TestLiveHoldTimeZeroRefused(t *testing.T) {
	lp := dialLab(t)
	if got, _ := lp.read(); got != bgp.BGP_MSG_OPEN {
		t.Fatalf("the AWS end sent message type %d first, want its OPEN", got)
	}
	lp.send(lp.open(0))
	got, body := lp.read()
	if got != bgp.BGP_MSG_NOTIFICATION || len(body) < 2 || body[0] != 2 || body[1] != 6 {
		t.Fatalf("after an OPEN with hold time 0 the AWS end sent message type %d (% x), want NOTIFICATION 2/6\ntimeline:\n%s", got, body, lp.timeline.String())
	}
	lp.closed()
	if !strings.Contains(lp.timeline.String(), "unacceptable hold time 0 s") {
		t.Errorf("the timeline does not say why the OPEN was refused:\n%s", lp.timeline.String())
	}
}

// TestLiveErrorsGetTheirCodes: what a real router sends that BGP refuses
// gets the NOTIFICATION the RFCs name for it, with its data: header
// errors (RFC 4271 §6.1), OPEN errors (§6.2, RFC 6286 §2.2), and a message
// the session's state does not take (RFC 6608 §3). gobgp's parser takes a
// KEEPALIVE of any length, a version-3 OPEN and an identifier of zero.
func TestLiveErrorsGetTheirCodes(t *testing.T) {
	ka, err := bgp.NewBGPKeepAliveMessage().Serialize()
	if err != nil {
		t.Fatal(err)
	}
	header := func(typ uint8, n int) []byte {
		return append(bytes.Repeat([]byte{0xff}, 16), byte(n>>8), byte(n), typ)
	}
	open := func(version uint8, id string) []byte {
		m, err := bgp.NewBGPOpenMessage(65001, 90, id, []bgp.OptionParameterInterface{
			bgp.NewOptionParameterCapability([]bgp.ParameterCapabilityInterface{
				bgp.NewCapMultiProtocol(bgp.RF_IPv4_UC), bgp.NewCapFourOctetASNumber(65001)}),
		}).Serialize()
		if err != nil {
			t.Fatal(err)
		}
		m[19] = version
		return m
	}
	update, err := bgp.NewBGPUpdateMessage(nil, []bgp.PathAttributeInterface{bgp.NewPathAttributeOrigin(0),
		bgp.NewPathAttributeAsPath([]bgp.AsPathParamInterface{bgp.NewAs4PathParam(bgp.BGP_ASPATH_ATTR_TYPE_SEQ, []uint32{65001})}),
		bgp.NewPathAttributeNextHop("127.0.0.11")}, []*bgp.IPAddrPrefix{bgp.NewIPAddrPrefix(16, "192.168.0.0")}).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name        string
		established bool
		send        [][]byte
		code, sub   uint8
		data        []byte
	}{
		{"a KEEPALIVE of 20 octets", true, [][]byte{append(header(bgp.BGP_MSG_KEEPALIVE, 20), 0)}, 1, 2, []byte{0, 20}},
		{"an UPDATE of 22 octets", true, [][]byte{append(header(bgp.BGP_MSG_UPDATE, 22), 0, 0, 0)}, 1, 2, []byte{0, 22}},
		{"a message of type 9", true, [][]byte{header(9, 19)}, 1, 3, []byte{9}},
		{"an OPEN of BGP version 3", false, [][]byte{open(3, "192.168.0.1")}, 2, 1, []byte{0, 4}},
		{"an OPEN with identifier 0.0.0.0", false, [][]byte{open(4, "0.0.0.0")}, 2, 3, nil},
		{"a KEEPALIVE before the OPEN", false, [][]byte{ka}, 5, 1, nil},
		{"an UPDATE before the KEEPALIVE", false, [][]byte{open(4, "192.168.0.1"), update}, 5, 2, nil},
		{"an OPEN once established", true, [][]byte{open(4, "192.168.0.1")}, 5, 3, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			lp := dialLab(t)
			if c.established {
				lp.establish()
			} else if got, _ := lp.read(); got != bgp.BGP_MSG_OPEN {
				t.Fatalf("the AWS end sent message type %d first, want its OPEN", got)
			}
			for _, m := range c.send {
				lp.send(m)
			}
			got, body := lp.read()
			for got == bgp.BGP_MSG_KEEPALIVE || got == bgp.BGP_MSG_UPDATE {
				got, body = lp.read()
			}
			if got != bgp.BGP_MSG_NOTIFICATION || len(body) < 2 || body[0] != c.code || body[1] != c.sub || !bytes.Equal(body[2:], c.data) {
				t.Fatalf("the AWS end sent message type %d (% x), want NOTIFICATION %d/%d with data % x\ntimeline:\n%s", got, body, c.code, c.sub, c.data, lp.timeline.String())
			}
			lp.closed()
		})
	}
}

// TestLiveUpdateWithoutOriginIsWithdrawn: an UPDATE that lacks a
// well-known mandatory attribute has its routes treated as withdrawn and
// the session stays (RFC 7606 §3 (d)), where it was installed with an
// empty AS path, the shortest there is. The OPEN sent after it shows the
// session still Established: it gets 5/3.
func TestLiveUpdateWithoutOriginIsWithdrawn(t *testing.T) {
	lp := dialLab(t)
	lp.establish()
	update, err := bgp.NewBGPUpdateMessage(nil, []bgp.PathAttributeInterface{
		bgp.NewPathAttributeAsPath([]bgp.AsPathParamInterface{bgp.NewAs4PathParam(bgp.BGP_ASPATH_ATTR_TYPE_SEQ, []uint32{65001})}),
		bgp.NewPathAttributeNextHop("127.0.0.11")}, []*bgp.IPAddrPrefix{bgp.NewIPAddrPrefix(16, "192.168.0.0")}).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	lp.send(update)
	lp.stillEstablished()
	if !strings.Contains(lp.timeline.String(), "a malformed UPDATE, its routes treated as withdrawn (RFC 7606): no ORIGIN") {
		t.Errorf("the timeline does not say what became of the UPDATE:\n%s", lp.timeline.String())
	}
}

// TestLiveOtherFamilyIsIgnored: a real router that sends IPv6 routes over
// the IPv4 session, which negotiated IPv4 unicast alone, has them ignored
// and said so once in the timeline, and the session stays Established: an
// OPEN sent after them is an error of the Established state (5/3).
func TestLiveOtherFamilyIsIgnored(t *testing.T) {
	lp := dialLab(t)
	lp.establish()
	update, err := bgp.NewBGPUpdateMessage(nil, []bgp.PathAttributeInterface{
		bgp.NewPathAttributeOrigin(0),
		bgp.NewPathAttributeAsPath([]bgp.AsPathParamInterface{bgp.NewAs4PathParam(bgp.BGP_ASPATH_ATTR_TYPE_SEQ, []uint32{65001})}),
		bgp.NewPathAttributeMpReachNLRI("2001:db8::1", []bgp.AddrPrefixInterface{bgp.NewIPv6AddrPrefix(32, "2001:db8::")}),
	}, nil).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	lp.send(update)
	lp.send(update)
	lp.stillEstablished()
	const said = "the peer sent routes of IPv6 unicast, which the session did not negotiate: ignored"
	if n := strings.Count(lp.timeline.String(), said); n != 1 {
		t.Errorf("the timeline says %d times that the IPv6 routes were ignored, want once:\n%s", n, lp.timeline.String())
	}
}

// TestLiveOldSpeaker: a real router whose OPEN has no 4-octet AS
// capability is an OLD speaker (RFC 6793): the AS_PATH the AWS end sends
// it holds 2-octet ASes, and no AS4_PATH, since every AS of the lab's
// fits in two octets (§4.2.2). The session stays up.
func TestLiveOldSpeaker(t *testing.T) {
	lp := dialLab(t)
	open, err := bgp.NewBGPOpenMessage(65001, 90, "192.168.0.1", []bgp.OptionParameterInterface{
		bgp.NewOptionParameterCapability([]bgp.ParameterCapabilityInterface{bgp.NewCapMultiProtocol(bgp.RF_IPv4_UC)}),
	}).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	lp.establishWith(open)
	got, body := lp.read()
	for got == bgp.BGP_MSG_KEEPALIVE {
		got, body = lp.read()
	}
	if got != bgp.BGP_MSG_UPDATE {
		t.Fatalf("the AWS end sent message type %d (% x), want its UPDATE\ntimeline:\n%s", got, body, lp.timeline.String())
	}
	attrs := map[uint8][]byte{}
	if len(body) >= 4 {
		w := int(binary.BigEndian.Uint16(body))
		if 2+w+2 <= len(body) {
			a := body[2+w+2:][:min(int(binary.BigEndian.Uint16(body[2+w:])), len(body)-2-w-2)]
			for len(a) >= 3 {
				n, hdr := int(a[2]), 3
				if a[0]&0x10 != 0 && len(a) >= 4 {
					n, hdr = int(binary.BigEndian.Uint16(a[2:])), 4
				}
				if hdr+n > len(a) {
					break
				}
				attrs[a[1]] = a[hdr : hdr+n]
				a = a[hdr+n:]
			}
		}
	}
	path, ok := attrs[uint8(bgp.BGP_ATTR_TYPE_AS_PATH)]
	if !ok {
		t.Fatalf("the UPDATE (% x) has no AS_PATH", body)
	}
	// 2-octet segments: a type (AS_SET or AS_SEQUENCE), a count of at
	// least one and two octets an AS, to the end; the first AS the DX
	// gateway's, 64512.
	for p := path; len(p) > 0; p = p[2+2*int(p[1]):] {
		if len(p) < 4 || p[0] != 1 && p[0] != 2 || p[1] == 0 || len(p) < 2+2*int(p[1]) {
			t.Fatalf("AS_PATH % x is not made of 2-octet segments", path)
		}
	}
	if first := binary.BigEndian.Uint16(path[2:]); first != 64512 {
		t.Errorf("AS_PATH % x starts with AS%d read as 2-octet, want AS64512", path, first)
	}
	if _, ok := attrs[uint8(bgp.BGP_ATTR_TYPE_AS4_PATH)]; ok {
		t.Errorf("the UPDATE carries AS4_PATH, though every AS fits in two octets")
	}
	// Its UPDATE with a malformed AS4_PATH (three octets): the attribute
	// is dropped, the route kept (RFC 6793 §6).
	attrsOut := []byte{
		0x40, 1, 1, 0, // ORIGIN IGP
		0x40, 2, 4, 2, 1, 0xfd, 0xe9, // AS_PATH, 2-octet: SEQ 65001
		0x40, 3, 4, 127, 0, 0, 11, // NEXT_HOP
		0xc0, 17, 3, 2, 1, 0, // AS4_PATH, too short to hold an AS
	}
	nlri := []byte{16, 192, 168}
	update := append(bytes.Repeat([]byte{0xff}, 16), 0, 0, bgp.BGP_MSG_UPDATE, 0, 0, 0, byte(len(attrsOut)))
	update = append(append(update, attrsOut...), nlri...)
	binary.BigEndian.PutUint16(update[16:], uint16(len(update)))
	lp.send(update)
	lp.stillEstablished()
	if tl := lp.timeline.String(); !strings.Contains(tl, "a malformed UPDATE, its attribute dropped") || strings.Contains(tl, "treated as withdrawn") {
		t.Errorf("the timeline does not say the AS4_PATH alone was dropped:\n%s", tl)
	}
}
