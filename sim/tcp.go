package sim

// tcpConn is a BGP session's TCP connection, modelled as reliable, ordered
// delivery over the link's one-way latency: a segment sent while the link
// is up arrives one latency later; one sent while it is down waits in the
// sender's queue and goes out when the link returns (TCP retransmitting),
// unless the session dies first. Sequence and acknowledgement numbers are
// kept so a capture reads as one consistent stream per connection.
type tcpConn struct {
	sim  *sim
	sess *session
	ends [2]*tcpEnd // indexed by speaker side
	dead bool
}

type tcpEnd struct {
	port     uint16
	nxt, rcv uint32 // next sequence number to send; next expected from the peer
	held     []segment
	open     bool // this end has seen the three-way handshake through
}

type segment struct {
	flags   tcpFlags
	payload bgpMessage
}

type tcpFlags uint8

const (
	flagFIN tcpFlags = 1 << iota
	flagSYN
	flagRST
	flagPSH
	flagACK
)

// newConn starts a connection from sp (the far end, which connects) to
// the AWS end on port 179, with a fresh ephemeral port and initial
// sequence numbers from the run's random source.
func (s *sim) newConn(sp *speaker) *tcpConn {
	c := &tcpConn{sim: s, sess: sp.sess}
	s.ports++
	c.ends[sp.side] = &tcpEnd{port: 49152 + uint16(s.ports%16384), nxt: s.e.Rand().Uint32()}
	c.ends[1-sp.side] = &tcpEnd{port: 179, nxt: s.e.Rand().Uint32()}
	return c
}

func (c *tcpConn) syn() {
	a := c.sess.ends[1]
	end := c.ends[1]
	if !c.sess.link.Up() {
		return // a SYN on a dead link is simply lost; connect retransmits it
	}
	c.transmit(a, segment{flags: flagSYN}, end.nxt, 0)
}

// transmit captures a segment and schedules its arrival.
func (c *tcpConn) transmit(from *speaker, seg segment, seq, ack uint32) {
	s := c.sim
	if !s.captureTCP(from, c.ends[from.side].port, c.ends[1-from.side].port, seq, ack, seg.flags, seg.payload.bytes) {
		return // MACsec rejected it at the far end
	}
	to := from.peer
	s.e.After(c.sess.link.Latency, func() {
		if c.dead || to.conn != c && seg.flags&(flagSYN|flagACK) != flagSYN {
			return
		}
		c.arrive(to, seg, seq)
	})
}

func (c *tcpConn) arrive(to *speaker, seg segment, seq uint32) {
	me := c.ends[to.side]
	switch {
	case seg.flags&flagSYN != 0 && seg.flags&flagACK == 0:
		// The AWS end accepts only while it listens. A new SYN replaces
		// a half-open connection the far end has given up on.
		if to.state != stActive {
			return
		}
		if to.conn != nil && to.conn != c {
			if to.conn.ends[to.side].open && !to.conn.dead {
				return
			}
			to.conn.dead = true
		}
		if to.conn == c && me.rcv == seq+1 {
			// A retransmitted SYN: answer again with the same numbers.
			c.transmit(to, segment{flags: flagSYN | flagACK}, me.nxt-1, me.rcv)
			return
		}
		to.conn = c
		me.rcv = seq + 1
		c.transmit(to, segment{flags: flagSYN | flagACK}, me.nxt, me.rcv)
		me.nxt++
	case seg.flags&flagSYN != 0:
		if to.state != stConnect || to.conn != c {
			return
		}
		me.rcv = seq + 1
		me.nxt++
		me.open = true
		c.transmit(to, segment{flags: flagACK}, me.nxt, me.rcv)
		to.tcpUp()
	case seg.flags&flagFIN != 0:
		me.rcv = seq + uint32(len(seg.payload.bytes)) + 1
		if len(seg.payload.bytes) > 0 {
			to.receive(seg.payload)
		}
	case len(seg.payload.bytes) == 0:
		// The handshake's last ACK opens the passive end.
		if !me.open && to.side == 0 && to.conn == c {
			me.open = true
			to.tcpUp()
		}
	default:
		me.rcv = seq + uint32(len(seg.payload.bytes))
		to.receive(seg.payload)
	}
}

// data sends one segment of BGP messages from sp.
func (c *tcpConn) data(sp *speaker, m bgpMessage) {
	c.queue(sp, segment{flags: flagPSH | flagACK, payload: m})
}

func (c *tcpConn) queue(sp *speaker, seg segment) {
	end := c.ends[sp.side]
	if !c.sess.link.Up() || len(end.held) > 0 {
		end.held = append(end.held, seg)
		return
	}
	c.send(sp, seg)
}

func (c *tcpConn) send(sp *speaker, seg segment) {
	end := c.ends[sp.side]
	seq := end.nxt
	end.nxt += uint32(len(seg.payload.bytes))
	if seg.flags&flagFIN != 0 {
		end.nxt++
	}
	c.transmit(sp, seg, seq, end.rcv)
}

// linkUp sends what waited while the link was down.
func (c *tcpConn) linkUp() {
	if c.dead {
		return
	}
	for side, end := range c.ends {
		held := end.held
		end.held = nil
		for _, seg := range held {
			c.send(c.sess.ends[side], seg)
		}
	}
}

// close ends the connection from sp's side with a FIN (after whatever is
// queued); the peer's side closes when it reads the NOTIFICATION.
func (c *tcpConn) close(sp *speaker) {
	if c.ends[sp.side].open {
		c.queue(sp, segment{flags: flagFIN | flagACK})
	}
	c.detach(sp)
}

// abort drops the connection without a word, as when BFD declares the
// path dead: nothing could cross it anyway.
func (c *tcpConn) abort() {
	c.dead = true
	for _, e := range c.ends {
		e.held = nil
	}
}

func (c *tcpConn) detach(sp *speaker) {
	if sp.peer.conn != c {
		c.dead = true
	}
}
