package sim

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"

	"patchbay/sim/bfd"
	"patchbay/sim/bgp"
)

// Live is where a live session's AWS end listens for its real router, and
// the address that router connects from.
type Live struct {
	Listen netip.AddrPort
	// Peer is the real router's address; the zero value is the plan's
	// address for the far end.
	Peer netip.Addr
}

// liveRun is what a live run holds beside the simulation: the sessions
// whose far end is real, and the sockets that reach them.
type liveRun struct {
	sessions []*liveSession
	// in carries what the sockets' goroutines received to the run's
	// goroutine, which alone touches the simulation.
	in chan event
}

// event is what a socket's goroutine hands the run: run, on the run's
// goroutine; or, when the run is over before it could, abandon, which
// releases what the event holds (a connection accepted, say).
type event struct{ run, abandon func() }

type liveSession struct {
	se     *bgp.Session
	bfd    *bfd.End // the AWS end's, nil without BFD
	listen netip.AddrPort
	peer   netip.Addr
	ln     *net.TCPListener
	bfdOut *net.UDPConn // from a port of 49152–65535 (RFC 5881 §4), TTL 255
	conns  []*liveConn  // every connection accepted and not yet closed
	// refused is the refusals the timeline has told: a router retries
	// every few seconds, and the news is the first.
	refused map[string]bool
}

// goLive makes the sessions Options.Live names live, before they start.
func (s *Sim) goLive() error {
	if len(s.opts.Live) == 0 {
		return nil
	}
	s.live = &liveRun{}
	for _, name := range slices.Sorted(maps.Keys(s.opts.Live)) {
		l := s.opts.Live[name]
		se := s.bgp.Session(name)
		if se == nil {
			var names []string
			for _, x := range s.bgp.Sessions() {
				names = append(names, x.Name)
			}
			return fmt.Errorf("--listen %s: the design has no BGP session of that name (it has %s)", name, joinOr(names))
		}
		peer := l.Peer
		if !peer.IsValid() {
			peer = se.Ends[1].Addr
		}
		if !l.Listen.IsValid() || peer.Is4() != l.Listen.Addr().Is4() {
			flag := "--listen " + name + "=" + l.Listen.String()
			if l.Peer.IsValid() {
				flag = "--peer " + name + "=" + l.Peer.String()
			}
			return fmt.Errorf("%s: the AWS end listens on %s, and the real router's address %s is of another family", flag, l.Listen, peer)
		}
		se.GoLive()
		s.live.sessions = append(s.live.sessions, &liveSession{se: se, listen: l.Listen, peer: peer})
	}
	return nil
}

func joinOr(names []string) string {
	switch len(names) {
	case 0:
		return "none"
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// sendBFD puts the AWS end's BFD packet on the wire to the real router.
func (l *liveRun) sendBFD(se *bgp.Session, payload []byte) {
	if l == nil {
		return
	}
	for _, ls := range l.sessions {
		if ls.se == se && ls.bfdOut != nil {
			_, _ = ls.bfdOut.WriteToUDPAddrPort(payload, netip.AddrPortFrom(ls.peer, bfd.Port))
		}
	}
}

// RunLive runs the scenario in real time, its virtual clock locked to the
// wall clock from time zero (the warm-up before it runs at once), with
// every live session's AWS end listening for its real router: BGP over
// TCP, and BFD over UDP when the session runs it. What the real router
// sends enters the simulation as the simulated far end's would; scenario
// events act on the live sessions as on the rest (a failed link carries
// nothing either way). Each timeline event is written to w as it happens.
// It returns the trace at the scenario's end, or ctx's error.
func (s *Sim) RunLive(ctx context.Context, w io.Writer) (*Trace, error) {
	if s.live == nil {
		return nil, errors.New("sim: RunLive without a live session (Options.Live)")
	}
	if err := s.RunUntil(0); err != nil {
		return nil, err
	}
	l := s.live
	l.in = make(chan event, 256)
	// Cancelling ctxRun stops the sockets' goroutines.
	ctxRun, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() {
		cancel()
		for _, ls := range l.sessions {
			if ls.ln != nil {
				ls.ln.Close()
			}
			if ls.bfdOut != nil {
				ls.bfdOut.Close()
			}
			for _, c := range ls.conns {
				c.shut()
			}
		}
		wg.Wait()
		// What the sockets handed over too late.
		for {
			select {
			case ev := <-l.in:
				if ev.abandon != nil {
					ev.abandon()
				}
			default:
				return
			}
		}
	}()
	bfdIn := map[netip.Addr]*net.UDPConn{}
	for _, ls := range l.sessions {
		ln, err := net.ListenTCP("tcp", net.TCPAddrFromAddrPort(ls.listen))
		if err != nil {
			return nil, fmt.Errorf("live session %s: %w", ls.se.Name, err)
		}
		ls.ln = ln
		fmt.Fprintf(w, "patchbay: session %s: the AWS end listens on %s for %s\n", ls.se.Name, ln.Addr(), ls.peer)
		wg.Add(1)
		go func() { defer wg.Done(); l.accept(ctxRun, s, ls, &wg) }()
		if ls.se.BFD == nil {
			continue
		}
		for i, se := range s.bgp.Sessions() {
			if se == ls.se {
				ls.bfd = s.bfd[i][0]
			}
		}
		if ls.bfdOut, err = bfdSender(ls.listen.Addr()); err != nil {
			return nil, fmt.Errorf("live session %s: BFD: %w", ls.se.Name, err)
		}
		// What the capture shows is what the router sees.
		ls.bfd.SetPort(uint16(ls.bfdOut.LocalAddr().(*net.UDPAddr).Port))
		// One listener per address on port 3784: sessions that share an
		// address tell their packets apart by the sender.
		if bfdIn[ls.listen.Addr()] == nil {
			c, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(ls.listen.Addr(), bfd.Port)))
			if err != nil {
				return nil, fmt.Errorf("live session %s: BFD: %w", ls.se.Name, err)
			}
			bfdIn[ls.listen.Addr()] = c
			defer c.Close()
			wg.Add(1)
			go func() { defer wg.Done(); l.readBFD(ctxRun, s, c, ls.listen.Addr()) }()
		}
	}
	start := time.Now()
	printed := 0
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	for {
		now := min(time.Since(start), s.sc.Duration)
		if err := s.RunUntil(now); err != nil {
			return nil, err
		}
		l.tidy()
		for ; printed < len(s.out.Events); printed++ {
			writeEvent(bw, s.out.Events[printed])
		}
		bw.Flush()
		if now >= s.sc.Duration {
			break
		}
		wait := s.sc.Duration - now
		if next, ok := s.e.Next(); ok {
			wait = min(wait, max(next-now, 0))
		}
		timer := time.NewTimer(wait)
		select {
		case ev := <-l.in:
			timer.Stop()
			if err := s.RunUntil(min(time.Since(start), s.sc.Duration)); err != nil {
				if ev.abandon != nil {
					ev.abandon()
				}
				return nil, err
			}
			ev.run()
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return nil, ctx.Err()
		}
	}
	s.finish()
	for ; printed < len(s.out.Events); printed++ {
		writeEvent(bw, s.out.Events[printed])
	}
	for _, c := range []*capture{s.cap, s.capIn} {
		if c != nil && c.err != nil {
			return nil, fmt.Errorf("writing the capture: %w", c.err)
		}
	}
	return s.out, nil
}

// post hands ev to the run's goroutine; false once the run is over, when
// ev is abandoned.
func (l *liveRun) post(ctx context.Context, ev event) bool {
	select {
	case l.in <- ev:
		return true
	case <-ctx.Done():
		if ev.abandon != nil {
			ev.abandon()
		}
		return false
	}
}

// accept takes the real router's connections. One from another address
// is refused, as AWS's end refuses a neighbour it was not configured
// with; one while the session is up, or in its idle hold, too.
func (l *liveRun) accept(ctx context.Context, s *Sim, ls *liveSession, wg *sync.WaitGroup) {
	for {
		c, err := ls.ln.AcceptTCP()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of descriptors, say: try again shortly.
			time.Sleep(100 * time.Millisecond)
			continue
		}
		lc := &liveConn{c: c, link: ls.se.Link, out: make(chan []byte, 1024), done: make(chan struct{})}
		from := c.RemoteAddr().(*net.TCPAddr).AddrPort()
		l.post(ctx, event{run: func() {
			aws := ls.se.Ends[0]
			refuse := func(msg string) {
				if !ls.refused[msg] {
					if ls.refused == nil {
						ls.refused = map[string]bool{}
					}
					ls.refused[msg] = true
					s.control(msg)
				}
				lc.reset()
			}
			switch {
			case !ls.se.Link.Up():
				// The SYN would never have arrived; the nearest a socket
				// can come is a reset.
				refuse(fmt.Sprintf("BGP %s at %s: connection from %s dropped: %s is down", ls.se.Name, aws, from.Addr().Unmap(), ls.se.Link.Name))
			case from.Addr().Unmap() != ls.peer:
				refuse(fmt.Sprintf("BGP %s at %s: connection from %s refused: the session's peer is %s", ls.se.Name, aws, from.Addr().Unmap(), ls.peer))
			case !aws.Accept(lc, ls.listen.Port(), from.Port()):
				refuse(fmt.Sprintf("BGP %s at %s: connection from %s refused: the end is %s, not listening", ls.se.Name, aws, from.Addr().Unmap(), aws.State()))
			default:
				// Each episode's refusals are news again.
				ls.refused = nil
				ls.conns = append(ls.conns, lc)
				wg.Add(2)
				go func() { defer wg.Done(); lc.write() }()
				go func() { defer wg.Done(); l.read(ctx, ls, lc) }()
			}
		}, abandon: lc.reset})
	}
}

// maxHeld bounds what a connection keeps while its link is down: a
// router that sends that much into a dead link has lost the session.
const maxHeld = 1024

// read splits what the real router sends into BGP messages (RFC 4271
// §4.1: a 16-octet marker of ones, the length, the type) and hands each
// to the AWS end. While the link is down nothing crosses: what arrives
// is held, as the router's TCP would retransmit it, and delivered when
// the link returns (tidy).
func (l *liveRun) read(ctx context.Context, ls *liveSession, lc *liveConn) {
	r := bufio.NewReader(lc.c)
	aws := ls.se.Ends[0]
	for {
		var hdr [19]byte
		_, err := io.ReadFull(r, hdr[:])
		n := int(binary.BigEndian.Uint16(hdr[16:18]))
		if err == nil && !bytes.Equal(hdr[:16], bytes.Repeat([]byte{0xff}, 16)) {
			l.post(ctx, event{run: func() {
				aws.HeaderError(lc, 1, nil, "a message without the marker of ones: NOTIFICATION 1/1 (connection not synchronized)")
			}})
			return
		}
		if err == nil && (n < 19 || n > 4096) {
			l.post(ctx, event{run: func() {
				aws.HeaderError(lc, 2, hdr[16:18], fmt.Sprintf("a message of %d octets: NOTIFICATION 1/2 (bad message length)", n))
			}})
			return
		}
		var msg []byte
		if err == nil {
			msg = make([]byte, n)
			copy(msg, hdr[:])
			_, err = io.ReadFull(r, msg[19:])
		}
		if err != nil {
			why := err.Error()
			if errors.Is(err, io.EOF) {
				why = "closed"
			}
			if lc.stalled.Load() {
				why = "it read nothing for 1,024 messages, and the connection was reset"
			}
			l.post(ctx, event{run: func() {
				switch {
				case lc.zombie:
				case !lc.link.Up():
					// Its FIN crossed no link: the AWS end's timers
					// decide, or it hears when the link returns.
					lc.peerGone = why
					return
				default:
					aws.PeerClosed(lc, why)
				}
				lc.shut()
			}})
			return
		}
		if !l.post(ctx, event{run: func() {
			switch {
			case lc.zombie:
			case !lc.link.Up():
				if len(lc.held) < maxHeld {
					lc.held = append(lc.held, msg)
				}
			default:
				aws.Deliver(lc, msg)
			}
		}}) {
			return
		}
	}
}

// readBFD hands the real routers' BFD packets, arriving at local, to
// their sessions' AWS ends: by the sender, and by Your Discriminator when
// the packet has one (RFC 5880 §6.8.6), so that two sessions with one
// router stay apart.
func (l *liveRun) readBFD(ctx context.Context, s *Sim, c *net.UDPConn, local netip.Addr) {
	buf := make([]byte, 1500)
	for {
		n, from, err := c.ReadFromUDPAddrPort(buf)
		if err != nil {
			return
		}
		pkt := slices.Clone(buf[:n])
		if !l.post(ctx, event{run: func() {
			var your uint32
			if len(pkt) >= 12 {
				your = binary.BigEndian.Uint32(pkt[8:12])
			}
			for _, ls := range l.sessions {
				if ls.bfd == nil || ls.listen.Addr() != local || ls.peer != from.Addr().Unmap() || !ls.se.Link.Up() ||
					your != 0 && your != ls.bfd.Discriminator() {
					continue
				}
				if s.captureUDP(ls.se.Ends[1], from.Port(), bfd.Port, pkt) {
					ls.bfd.Receive(pkt)
				}
			}
		}}) {
			return
		}
	}
}

// tidy settles the connections with the links as they are now: one left
// open while its link was down is reset once it is up again (the AWS end
// forgot it, and a segment that reaches it gets a reset, as from a TCP
// stack without the connection); what a connection held while its link
// was down is delivered; a close that could not cross is heard.
func (l *liveRun) tidy() {
	for _, ls := range l.sessions {
		ls.conns = slices.DeleteFunc(ls.conns, func(c *liveConn) bool {
			up := c.link.Up()
			switch {
			case c.zombie:
				if up {
					c.reset()
					return true
				}
				return false
			case c.closed:
				return true
			case !up:
				return false
			}
			for _, m := range c.held {
				ls.se.Ends[0].Deliver(c, m)
			}
			c.held = nil
			if c.peerGone != "" {
				ls.se.Ends[0].PeerClosed(c, c.peerGone)
				c.shut()
				return true
			}
			return false
		})
	}
}

// bfdSender is a UDP socket at addr for BFD control packets: from a port
// of 49152–65535 and with TTL 255, as RFC 5881 §4 and §5 ask, for the
// receiver checks both.
func bfdSender(addr netip.Addr) (*net.UDPConn, error) {
	var last error
	for port := 49152; port < 49152+64; port++ {
		c, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(addr, uint16(port))))
		if err != nil {
			last = err
			continue
		}
		if addr.Is4() {
			err = ipv4.NewConn(c).SetTTL(255)
		} else {
			err = ipv6.NewConn(c).SetHopLimit(255)
		}
		if err != nil {
			c.Close()
			return nil, err
		}
		return c, nil
	}
	return nil, last
}

// liveConn is a live session's TCP connection as the AWS end's BGP sees
// it (bgp.Transport). Writes go out through a goroutine of their own, so
// a slow router never holds up the run. Its fields but stalled are the
// run goroutine's.
type liveConn struct {
	c    *net.TCPConn
	link interface{ Up() bool }
	out  chan []byte
	done chan struct{} // closed with the socket
	// closed: the AWS end is done with it. zombie: it was done while the
	// link was down, so the real router cannot have heard; the socket
	// stays open and silent until the router gives up or the link returns.
	closed, zombie, outClosed bool
	held                      [][]byte // received while the link was down
	peerGone                  string   // the router closed it while the link was down: why
	stalled                   atomic.Bool
	once                      sync.Once
}

// Write queues messages. A router that reads nothing while 1,024 writes
// pile up has stalled the session: the connection is reset, as a TCP
// stack gives up on a peer that acknowledges nothing, rather than lose a
// message from the middle of the stream.
func (c *liveConn) Write(msgs []byte) {
	if c.closed {
		return
	}
	select {
	case c.out <- slices.Clone(msgs):
	default:
		c.stalled.Store(true)
		c.closed = true
		c.closeOut()
		c.reset()
	}
}

// Close closes the connection after what was written, unless the link is
// down: then the router hears nothing (see zombie).
func (c *liveConn) Close() {
	if c.closed {
		return
	}
	c.closed = true
	if !c.link.Up() {
		c.zombie = true
		return
	}
	c.closeOut()
}

func (c *liveConn) closeOut() {
	if !c.outClosed {
		c.outClosed = true
		close(c.out)
	}
}

// write sends what was queued, then closes the socket once Close came;
// it stops when the socket is closed under it.
func (c *liveConn) write() {
	for {
		select {
		case b, ok := <-c.out:
			if !ok {
				c.shut()
				return
			}
			_ = c.c.SetWriteDeadline(time.Now().Add(5 * time.Second))
			if _, err := c.c.Write(b); err != nil {
				select {
				case <-c.done: // closed under it
				default:
					c.stalled.Store(true)
					c.reset()
				}
				return
			}
		case <-c.done:
			return
		}
	}
}

// reset drops the connection with a TCP reset.
func (c *liveConn) reset() {
	_ = c.c.SetLinger(0)
	c.shut()
}

func (c *liveConn) shut() {
	c.once.Do(func() {
		close(c.done)
		c.c.Close()
	})
}
