package bgp

import "patchbay/sim/engine"

// tcpConn is a BGP session's TCP connection, modelled as reliable, ordered
// delivery over the link's one-way latency: a segment sent while the link
// is up arrives one latency later; one sent while it is down waits in the
// sender's queue and goes out when the link returns (TCP retransmitting),
// unless the session dies first. Sequence and acknowledgement numbers are
// kept so a capture reads as one consistent stream per connection.
type tcpConn struct {
	env  *Set
	sess *Session
	dead bool
	// ends is indexed by the Speaker's Side; inside the connection, where
	// ends of their own were each a line more to every segment.
	ends [2]tcpEnd
}

type tcpEnd struct {
	port     uint16
	nxt, rcv uint32 // next sequence number to send; next expected from the peer
	held     []segment
	open     bool // this end has seen the three-way handshake through
}

type segment struct {
	flags   Flags
	payload bgpMessage
}

// Flags are a TCP segment's control bits (RFC 9293 §3.1), as Env.Send
// puts them on the wire.
type Flags uint8

const (
	FIN Flags = 1 << iota // no more data from the sender
	SYN                   // synchronize sequence numbers: opens a connection
	RST                   // reset the connection
	PSH                   // push: deliver the data at once
	ACK                   // the acknowledgement number is significant
)

// newConn starts a connection from sp (the far end, which connects) to
// the AWS end on port 179, with a fresh ephemeral port and initial
// sequence numbers from the run's random source.
func (s *Set) newConn(sp *Speaker) *tcpConn {
	c := &tcpConn{env: s, sess: sp.Session}
	s.ports++
	c.ends[sp.Side] = tcpEnd{port: 49152 + uint16(s.ports%16384), nxt: s.Engine.Rand().Uint32()}
	c.ends[1-sp.Side] = tcpEnd{port: 179, nxt: s.Engine.Rand().Uint32()}
	return c
}

func (c *tcpConn) syn() {
	a := c.sess.Ends[1]
	end := &c.ends[1]
	if !c.sess.Link.Up() {
		return // a SYN on a dead link is simply lost; connect retransmits it
	}
	c.transmit(a, segment{flags: SYN}, end.nxt, 0)
}

// transmit captures a segment and schedules its arrival.
func (c *tcpConn) transmit(from *Speaker, seg segment, seq, ack uint32) {
	s := c.env
	if !s.Send(from, c.ends[from.Side].port, c.ends[1-from.Side].port, seq, ack, seg.flags, seg.payload.bytes) {
		return // MACsec rejected it at the far end
	}
	f := s.flight()
	f.c, f.to, f.seg, f.seq = c, from.Peer, seg, seq
	s.Engine.Reset(&f.t, s.Engine.Now()+from.link.Latency)
}

// tcpFlight is a segment on its way to the peer, with the timer that
// delivers it. Flights are kept for the next segment, as BFD's and MKA's
// are, rather than a timer and a closure allocated for every segment:
// those were most of what a run allocated once its sessions were up.
type tcpFlight struct {
	t   engine.Timer
	c   *tcpConn
	to  *Speaker
	seg segment
	seq uint32
}

// Fire is the flight's timer: the segment arrives, unless its connection
// died on the way, or the receiver moved on to another and the segment
// is not the SYN that may open it.
func (f *tcpFlight) Fire() {
	c, to, seg, seq := f.c, f.to, f.seg, f.seq
	f.c, f.to, f.seg = nil, nil, segment{}
	s := c.env
	s.idle = append(s.idle, f) // free first: the arrival may send at once
	if c.dead || to.conn != c && seg.flags&(SYN|ACK) != SYN {
		return
	}
	c.arrive(to, seg, seq)
}

// flight is an idle flight, or a new one.
func (s *Set) flight() *tcpFlight {
	if n := len(s.idle); n > 0 {
		f := s.idle[n-1]
		s.idle = s.idle[:n-1]
		return f
	}
	f := &tcpFlight{}
	f.t.SetHandler(f)
	return f
}

func (c *tcpConn) arrive(to *Speaker, seg segment, seq uint32) {
	me := &c.ends[to.Side]
	switch {
	case seg.flags&SYN != 0 && seg.flags&ACK == 0:
		// The AWS end accepts only while it listens. A new SYN replaces
		// a half-open connection the far end has given up on.
		if to.state != Active {
			return
		}
		if to.conn != nil && to.conn != c {
			if to.conn.ends[to.Side].open && !to.conn.dead {
				return
			}
			to.conn.dead = true
		}
		if to.conn == c && me.rcv == seq+1 {
			// A retransmitted SYN: answer again with the same numbers.
			c.transmit(to, segment{flags: SYN | ACK}, me.nxt-1, me.rcv)
			return
		}
		to.conn = c
		me.rcv = seq + 1
		c.transmit(to, segment{flags: SYN | ACK}, me.nxt, me.rcv)
		me.nxt++
	case seg.flags&SYN != 0:
		if to.state != Connect || to.conn != c {
			return
		}
		me.rcv = seq + 1
		me.nxt++
		me.open = true
		c.transmit(to, segment{flags: ACK}, me.nxt, me.rcv)
		to.tcpUp()
	case seg.flags&FIN != 0:
		me.rcv = seq + uint32(len(seg.payload.bytes)) + 1
		if len(seg.payload.bytes) > 0 {
			to.receive(seg.payload)
		}
	case len(seg.payload.bytes) == 0:
		// The handshake's last ACK opens the passive end.
		if !me.open && to.Side == 0 && to.conn == c {
			me.open = true
			to.tcpUp()
		}
	default:
		me.rcv = seq + uint32(len(seg.payload.bytes))
		to.receive(seg.payload)
	}
}

// data sends one segment of BGP messages from sp.
func (c *tcpConn) data(sp *Speaker, m bgpMessage) {
	c.queue(sp, segment{flags: PSH | ACK, payload: m})
}

func (c *tcpConn) queue(sp *Speaker, seg segment) {
	end := &c.ends[sp.Side]
	if !sp.link.Up() || len(end.held) > 0 {
		end.held = append(end.held, seg)
		return
	}
	c.send(sp, seg)
}

func (c *tcpConn) send(sp *Speaker, seg segment) {
	end := &c.ends[sp.Side]
	seq := end.nxt
	end.nxt += uint32(len(seg.payload.bytes))
	if seg.flags&FIN != 0 {
		end.nxt++
	}
	c.transmit(sp, seg, seq, end.rcv)
}

// linkUp sends what waited while the link was down.
func (c *tcpConn) linkUp() {
	if c.dead {
		return
	}
	for side := range c.ends {
		end := &c.ends[side]
		held := end.held
		end.held = nil
		for _, seg := range held {
			c.send(c.sess.Ends[side], seg)
		}
	}
}

// close ends the connection from sp's side with a FIN (after whatever is
// queued); the peer's side closes when it reads the NOTIFICATION.
func (c *tcpConn) close(sp *Speaker) {
	if c.ends[sp.Side].open {
		c.queue(sp, segment{flags: FIN | ACK})
	}
	c.detach(sp)
}

// abort drops the connection without a word, as when BFD declares the
// path dead: nothing could cross it anyway.
func (c *tcpConn) abort() {
	c.dead = true
	for i := range c.ends {
		c.ends[i].held = nil
	}
}

func (c *tcpConn) detach(sp *Speaker) {
	if sp.Peer.conn != c {
		c.dead = true
	}
}
