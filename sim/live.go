package sim

import (
	"bufio"
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
	"syscall"
	"time"

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
	in chan func()
}

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
			for _, x := range s.sessions {
				names = append(names, x.Name)
			}
			return fmt.Errorf("--listen %s: the design has no BGP session of that name (it has %s)", name, joinOr(names))
		}
		peer := l.Peer
		if !peer.IsValid() {
			peer = se.Ends[1].Addr
		}
		if !l.Listen.IsValid() || peer.Is4() != l.Listen.Addr().Is4() {
			return fmt.Errorf("--listen %s=%s: the real router's address %s is of another family", name, l.Listen, peer)
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
	l.in = make(chan func(), 256)
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
				if !c.closed {
					c.closed = true
					close(c.out)
				}
				c.shut()
			}
		}
		wg.Wait()
	}()
	bfdIn := map[netip.Addr]*net.UDPConn{}
	for _, ls := range l.sessions {
		ln, err := net.ListenTCP("tcp", net.TCPAddrFromAddrPort(ls.listen))
		if err != nil {
			return nil, fmt.Errorf("live session %s: %w", ls.se.Name, err)
		}
		ls.ln = ln
		wg.Add(1)
		go func() { defer wg.Done(); l.accept(ctxRun, s, ls) }()
		if ls.se.BFD == nil {
			continue
		}
		for i, se := range s.sessions {
			if se == ls.se {
				ls.bfd = s.bfd[i][0]
			}
		}
		if ls.bfdOut, err = bfdSender(ls.listen.Addr()); err != nil {
			return nil, fmt.Errorf("live session %s: BFD: %w", ls.se.Name, err)
		}
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
			go func() { defer wg.Done(); l.readBFD(ctxRun, s, c) }()
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
		l.closeRevived()
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
		case fn := <-l.in:
			timer.Stop()
			if err := s.RunUntil(min(time.Since(start), s.sc.Duration)); err != nil {
				return nil, err
			}
			fn()
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

// post hands fn to the run's goroutine; false once the run is over.
func (l *liveRun) post(ctx context.Context, fn func()) bool {
	select {
	case l.in <- fn:
		return true
	case <-ctx.Done():
		return false
	}
}

// accept takes the real router's connections. One from another address
// is refused, as AWS's end refuses a neighbour it was not configured
// with; one while the session is up, or in its idle hold, too.
func (l *liveRun) accept(ctx context.Context, s *Sim, ls *liveSession) {
	for {
		c, err := ls.ln.AcceptTCP()
		if err != nil {
			return
		}
		lc := &liveConn{c: c, link: ls.se.Link, out: make(chan []byte, 1024)}
		from := c.RemoteAddr().(*net.TCPAddr).AddrPort()
		if !l.post(ctx, func() {
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
				ls.conns = append(ls.conns, lc)
				go lc.write()
				go l.read(ctx, s, ls, lc)
			}
		}) {
			c.Close()
			return
		}
	}
}

// read splits what the real router sends into BGP messages (RFC 4271
// §4.1: a 16-octet marker, the length, the type) and hands each to the
// AWS end, unless the link is down: then nothing crosses.
func (l *liveRun) read(ctx context.Context, s *Sim, ls *liveSession, lc *liveConn) {
	r := bufio.NewReader(lc.c)
	for {
		var hdr [19]byte
		_, err := io.ReadFull(r, hdr[:])
		n := int(binary.BigEndian.Uint16(hdr[16:18]))
		if err == nil && (n < 19 || n > 4096) {
			err = fmt.Errorf("a message of %d octets", n)
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
			l.post(ctx, func() {
				if lc.zombie {
					lc.shut()
					return
				}
				ls.se.Ends[0].PeerClosed(why)
				lc.shut()
			})
			return
		}
		if !l.post(ctx, func() {
			if !lc.zombie && lc.link.Up() {
				ls.se.Ends[0].Deliver(msg)
			}
		}) {
			return
		}
	}
}

// readBFD hands the real routers' BFD packets to their sessions' AWS
// ends, by sender.
func (l *liveRun) readBFD(ctx context.Context, s *Sim, c *net.UDPConn) {
	buf := make([]byte, 1500)
	for {
		n, from, err := c.ReadFromUDPAddrPort(buf)
		if err != nil {
			return
		}
		pkt := slices.Clone(buf[:n])
		if !l.post(ctx, func() {
			for _, ls := range l.sessions {
				if ls.bfd == nil || ls.peer != from.Addr().Unmap() || !ls.se.Link.Up() {
					continue
				}
				far := ls.se.Ends[1]
				if s.captureUDP(far, from.Port(), bfd.Port, pkt) {
					ls.bfd.Receive(pkt)
				}
			}
		}) {
			return
		}
	}
}

// closeRevived closes the connections left open while their link was
// down, once it is up again: the AWS end forgot them, and a segment that
// reaches it now gets a reset, as from a TCP stack without the connection.
func (l *liveRun) closeRevived() {
	for _, ls := range l.sessions {
		ls.conns = slices.DeleteFunc(ls.conns, func(c *liveConn) bool {
			if c.closed {
				return true
			}
			if c.zombie && c.link.Up() {
				c.reset()
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
		raw, err := c.SyscallConn()
		if err == nil {
			_ = raw.Control(func(fd uintptr) {
				if addr.Is4() {
					err = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_IP, syscall.IP_TTL, 255)
				} else {
					err = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_IPV6, syscall.IPV6_UNICAST_HOPS, 255)
				}
			})
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
// a slow router never holds up the run.
type liveConn struct {
	c    *net.TCPConn
	link interface{ Up() bool }
	out  chan []byte
	// closed: the AWS end is done with it. zombie: it was done while the
	// link was down, so the real router cannot have heard; the socket
	// stays open and silent until the router gives up or the link returns.
	closed, zombie bool
	once           sync.Once
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
		c.closed = true
		close(c.out)
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
	close(c.out)
}

// write sends what was queued, then closes the socket once Close came.
func (c *liveConn) write() {
	for b := range c.out {
		_ = c.c.SetWriteDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.c.Write(b); err != nil {
			break
		}
	}
	c.shut()
}

// reset drops the connection with a TCP reset.
func (c *liveConn) reset() {
	_ = c.c.SetLinger(0)
	c.shut()
}

func (c *liveConn) shut() {
	c.once.Do(func() { c.c.Close() })
}
