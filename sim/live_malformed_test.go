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

// TestLiveMalformedUpdate: a real peer that sends an UPDATE the BGP
// parser cannot read (an MP_REACH_NLRI of three octets, on which gobgp's
// parser indexes past the attribute's end) gets a NOTIFICATION and a
// closed connection, as for any message that does not decode, and the run
// goes on. The peer is this test, speaking BGP over 127/8 to the lab's
// hq/conn1.
func TestLiveMalformedUpdate(t *testing.T) {
	a := labAddrs(4)
	p := plantest.File(t, "testdata/live/lab.star")
	sc := p.Design.Scenarios[0]
	aws := netip.AddrPortFrom(a.aws[0], livePort)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := Start(p, sc, Options{Seed: 1, Live: map[string]Live{"hq/conn1": {Listen: aws, Peer: a.router}}})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	var timeline lockedBuilder
	go func() {
		_, err := s.RunLive(ctx, &timeline)
		done <- err
	}()
	var c net.Conn
	ready(t, ctx, "the simulated AWS end", func() error {
		d := net.Dialer{LocalAddr: net.TCPAddrFromAddrPort(netip.AddrPortFrom(a.router, 0)), Timeout: time.Second}
		c, err = d.DialContext(ctx, "tcp", aws.String())
		return err
	})
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))

	// read returns the type of the next whole message the AWS end sends.
	read := func() uint8 {
		t.Helper()
		var h [19]byte
		if _, err := io.ReadFull(c, h[:]); err != nil {
			t.Fatalf("reading a message from the AWS end: %v\ntimeline:\n%s", err, timeline.String())
		}
		body := make([]byte, int(binary.BigEndian.Uint16(h[16:18]))-len(h))
		if _, err := io.ReadFull(c, body); err != nil {
			t.Fatal(err)
		}
		if h[18] == bgp.BGP_MSG_NOTIFICATION && len(body) >= 2 {
			t.Logf("NOTIFICATION %d/%d", body[0], body[1])
		}
		return h[18]
	}
	send := func(m []byte) {
		t.Helper()
		if _, err := c.Write(m); err != nil {
			t.Fatal(err)
		}
	}
	open, err := bgp.NewBGPOpenMessage(65001, 90, "192.168.0.1", []bgp.OptionParameterInterface{
		bgp.NewOptionParameterCapability([]bgp.ParameterCapabilityInterface{
			bgp.NewCapMultiProtocol(bgp.RF_IPv4_UC), bgp.NewCapFourOctetASNumber(65001)}),
	}).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	keepalive, err := bgp.NewBGPKeepAliveMessage().Serialize()
	if err != nil {
		t.Fatal(err)
	}
	if got := read(); got != bgp.BGP_MSG_OPEN {
		t.Fatalf("the AWS end sent message type %d first, want its OPEN", got)
	}
	send(open)
	send(keepalive)
	for got := read(); got != bgp.BGP_MSG_KEEPALIVE; got = read() {
		if got == bgp.BGP_MSG_NOTIFICATION {
			t.Fatalf("the AWS end refused the OPEN\ntimeline:\n%s", timeline.String())
		}
	}
	// The UPDATE: no withdrawn routes, 11 octets of attributes, the first an
	// optional MP_REACH_NLRI (type 14) of 3 octets (AFI 2, SAFI 128) where
	// RFC 4760 §3 needs at least the next hop's length besides.
	update := append(bytes.Repeat([]byte{0xff}, 16), 0, 34, bgp.BGP_MSG_UPDATE, 0, 0, 0, 11, 0x80, 14, 3, 0, 2, 128, '0', '0', '0', '0', '0')
	send(update)
	for {
		got := read()
		if got == bgp.BGP_MSG_NOTIFICATION {
			break
		}
		if got != bgp.BGP_MSG_KEEPALIVE && got != bgp.BGP_MSG_UPDATE {
			t.Fatalf("after the malformed UPDATE the AWS end sent message type %d, want a NOTIFICATION", got)
		}
	}
	if n, err := c.Read(make([]byte, 1)); err == nil {
		t.Errorf("the AWS end sent %d more octets after its NOTIFICATION, want the connection closed", n)
	}
	cancel()
	if err := <-done; err != nil && ctx.Err() == nil {
		t.Fatal(err)
	}
	if !strings.Contains(timeline.String(), "cannot decode a message: unreadable (the parser failed") {
		t.Errorf("the timeline does not say why the session went down:\n%s", timeline.String())
	}
}
