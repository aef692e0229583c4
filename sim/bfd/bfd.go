// Package bfd is Bidirectional Forwarding Detection (RFC 5880) in
// asynchronous mode over a single hop (RFC 5881), as AWS runs it on
// Direct Connect and Interconnect BGP sessions: the state machine, the
// slow rate until Up, Poll/Final when intervals change, jittered
// transmission and the detection time that takes a session down well
// before BGP's hold timer would. An end knows the run only through its
// Env: the clock, the link it crosses, and callbacks for the timeline,
// the wire and BGP.
package bfd

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"patchbay/sim/engine"
	"patchbay/sim/network"
)

// BFD session states (RFC 5880 §4.1).
const (
	bfdAdminDown uint8 = iota
	bfdDown
	bfdInit
	bfdUp
)

// Diagnostic codes (RFC 5880 §4.1).
const (
	diagNone            uint8 = 0
	diagDetectExpired   uint8 = 1
	diagNeighborSignals uint8 = 3
)

var bfdStateNames = [...]string{"AdminDown", "Down", "Init", "Up"}

// Port is the destination port of single-hop BFD control packets
// (RFC 5881).
const Port = 3784

// bfdPacket is a BFD control packet without authentication.
type bfdPacket struct {
	version, diag, state, mult uint8
	poll, final                bool
	myDisc, yourDisc           uint32
	minTx, minRx, minEchoRx    uint32 // microseconds
}

func (p bfdPacket) marshal() []byte {
	var b [24]byte
	p.put(&b)
	return b[:]
}

func (p bfdPacket) put(b *[24]byte) {
	b[0] = p.version<<5 | p.diag&0x1f
	b[1] = p.state << 6
	if p.poll {
		b[1] |= 0x20
	}
	if p.final {
		b[1] |= 0x10
	}
	b[2] = p.mult
	b[3] = 24
	binary.BigEndian.PutUint32(b[4:], p.myDisc)
	binary.BigEndian.PutUint32(b[8:], p.yourDisc)
	binary.BigEndian.PutUint32(b[12:], p.minTx)
	binary.BigEndian.PutUint32(b[16:], p.minRx)
	binary.BigEndian.PutUint32(b[20:], p.minEchoRx)
}

// parseBFD reads a control packet and applies the reception checks of
// RFC 5880 §6.8.6 that do not depend on session state, and one of its own.
func parseBFD(b []byte) (bfdPacket, error) {
	if len(b) < 24 {
		return bfdPacket{}, fmt.Errorf("BFD packet of %d bytes, want at least 24", len(b))
	}
	p := bfdPacket{version: b[0] >> 5, diag: b[0] & 0x1f, state: b[1] >> 6, poll: b[1]&0x20 != 0, final: b[1]&0x10 != 0, mult: b[2],
		myDisc: binary.BigEndian.Uint32(b[4:]), yourDisc: binary.BigEndian.Uint32(b[8:]),
		minTx: binary.BigEndian.Uint32(b[12:]), minRx: binary.BigEndian.Uint32(b[16:]), minEchoRx: binary.BigEndian.Uint32(b[20:])}
	switch {
	case p.version != 1:
		return p, fmt.Errorf("BFD version %d, want 1", p.version)
	case int(b[3]) != len(b) || b[3] < 24:
		return p, fmt.Errorf("BFD length field %d, packet %d bytes", b[3], len(b))
	case b[1]&0x04 != 0:
		return p, errors.New("BFD authentication is not used on these sessions")
	case p.mult == 0:
		return p, errors.New("BFD detect multiplier 0")
	case b[1]&0x01 != 0:
		return p, errors.New("BFD multipoint bit set")
	case p.poll && p.final:
		// Not among §6.8.6's checks, but a Poll asks and a Final answers
		// (§6.5): no sender that follows the RFC sets both, so such a
		// packet is refused as malformed rather than half obeyed.
		return p, errors.New("BFD poll and final bits both set")
	case p.myDisc == 0:
		return p, errors.New("BFD my discriminator 0")
	case p.yourDisc == 0 && p.state != bfdDown && p.state != bfdAdminDown:
		return p, fmt.Errorf("BFD your discriminator 0 in state %s", bfdStateNames[p.state])
	}
	return p, nil
}

// End is one end of an asynchronous-mode BFD session. The two ends of a
// session live in one object, a session, which runs one timer for both.
//
// One timer serves both ends, both their packets and their detection
// times: it is set for whichever comes first of the two ends' next packets
// and the detection times that would run out before them. A timer of each
// end's own was a line more a session, read only by that end's packets, so
// at half the rate of the rest and the first line of a session to fall
// out of the processor's caches once thousands ran; and a timer of each
// detection's own, pushed back by every packet received, a line more
// again, and a queue entry to move every detection time.
//
// An end's fields are what its packets, sent or received, read: 56
// bytes, two to a session beside the timer and what both ends share, so
// that a session's packets read three lines (TestSessionLayout).
// Intervals are kept in microseconds, as the packets carry them (RFC 5880
// §4.1), so that they fit.
type End struct {
	s *session

	side, diag, mult uint8
	state            uint8
	remoteMult       uint8
	// polling: a Poll Sequence is running (RFC 5880 §6.5), every packet
	// carries P until one with F comes back.
	polling bool
	// The end's share of the session's timer, as a timer of its own
	// would be: pending, set for detectAt when detectFirst and for txAt
	// otherwise (session.due).
	pending, detectFirst bool

	myDisc, yourDisc uint32
	minTx, minRx     uint32 // µs: bfd.DesiredMinTxInterval once Up, bfd.RequiredMinRxInterval
	// remoteMinRx is bfd.RemoteMinRxInterval, the slowest the peer said
	// it accepts, in µs; 1 until it has said (RFC 5880 §6.8.1).
	remoteMinRx uint32
	remoteMinTx uint32 // µs: the peer's Desired Min TX Interval
	// detectAt is when the detection time runs out; never when it does
	// not run (the session is neither Init nor Up).
	detectAt time.Duration
	// txAt is when the next packet is due, never before the end starts.
	txAt time.Duration
}

// session is the two ends of a BFD session: what every packet reads on
// the first three lines, the timer's first, the rest on the fourth. It
// is five lines (TestSessionLayout): a whole number, so it starts on
// one, and not four. Address bits 6 and 7 are the low bits of a line's
// set in the L1 and the L2, and the allocator lays 256-byte objects
// 256 bytes apart from the start of a page, so at four lines every
// session's first line had the same two bits and fell in the same
// quarter of the sets, its second and third in two more quarters, and
// the fourth held no line a packet reads: at 1,000 channels the full
// quarter missed while the empty one had room. At five lines each of a
// session's lines falls in every quarter in turn.
type session struct {
	t    engine.Timer // for the first due of the two ends (due)
	link *network.Link
	// flights holds the flights not in use, to send again, shared by
	// the run's sessions (Env.Flights): BFD is most of a run's events,
	// and a packet, its timer and its closure allocated each time made the
	// collector and fresh memory a growing share of every event as
	// designs grew. It holds the run's engine too, which every packet
	// reads.
	flights *Flights

	ends [2]End
	// pass is Env.Pass, for the ends that have one (viaPass).
	pass    func(l *network.Link, side int) bool
	viaPass [2]bool

	// The rest: the slow rate, the timeline, the wire with a capture, BGP.
	slowTx time.Duration // the interval before Up (Config.SlowTx)
	envs   [2]*Env
	ports  [2]uint16
	_      [98]byte // to five lines (above)
}

// never is a time no event reaches: a detection time that does not run.
const never = time.Duration(math.MaxInt64)

// us is an interval of whole microseconds as a Duration.
func us(v uint32) time.Duration { return time.Duration(v) * time.Microsecond }

// Flights is where BFD ends keep the flights of their packets between
// uses. One for all the ends of a run keeps the few flights in use at any
// moment in the processor's caches, where a flight of each end's own was
// a cache miss or two a packet once thousands of ends were running.
type Flights struct {
	idle []*bfdFlight
	e    *engine.Engine // the run's, which the ends share too
}

// bfdFlight is a control packet on its way to the peer, with the timer
// that delivers it.
type bfdFlight struct {
	t        engine.Timer // in the flight, not beside it: one object to reach, not two
	from, to *End
	pkt      [24]byte
}

// Fire is the flight's timer: the packet arrives.
func (f *bfdFlight) Fire() { f.arrive() }

// arrive hands the packet to the peer. The flight is free again first:
// the peer may answer a Poll at once, with a packet of its own.
func (f *bfdFlight) arrive() {
	pkt := f.pkt
	f.from.free(f)
	f.to.receive(pkt[:])
}

// free keeps f, back or never sent, for a next packet.
func (b *End) free(f *bfdFlight) { b.s.flights.idle = append(b.s.flights.idle, f) }

// flight is an idle flight, or a new one, for a packet of b's.
func (b *End) flight() *bfdFlight {
	if idle := b.s.flights.idle; len(idle) > 0 {
		f := idle[len(idle)-1]
		b.s.flights.idle = idle[:len(idle)-1]
		f.from = b
		return f
	}
	f := &bfdFlight{from: b}
	f.t.SetHandler(f)
	return f
}

// Env is what a BFD end needs of the run: the clock and its random
// source, the link it runs over, and how to send, report and give up. It
// knows nothing of BGP, which BFD serves, or of the run.
type Env struct {
	Engine  *engine.Engine  // the run's clock, timers and random source
	Link    *network.Link   // the link the session runs over: packets cross only while it is up
	Device  *network.Device // the end's router: a router that is down reports nothing
	Session string          // the BGP session's name, for the timeline
	// Control records a state change in the timeline.
	Control func(msg string)
	// Send puts a packet from sport to the BFD port on the wire, and
	// reports whether it arrives.
	Send func(sport uint16, payload []byte) bool
	// Pass, when set, is used instead of Send for a packet whose bytes
	// nobody reads (no capture is written): it reports whether a packet
	// from the given side of Link arrives. A function of the link, not a
	// closure, so that a packet reads no object of its own to find it.
	Pass func(l *network.Link, side int) bool
	// Flights is shared by the run's sessions (see Flights); nil gives
	// the session a set of its own.
	Flights *Flights
	// Down is told when the session goes from Up to Down.
	Down func()
}

// Config is how a session's BFD runs.
type Config struct {
	MinInterval time.Duration // desired minimum transmit and required receive interval once Up, in whole µs as packets carry it
	Multiplier  uint8         // detection time multiplier
	SlowTx      time.Duration // the transmit interval before Up: at least a second (RFC 5880 §6.8.3)
}

// NewSession is a session's two ends, configured as cfg, in state Down,
// each the other's peer: end i runs as env[i] says, from side i of the
// link (as Env.Pass takes it). The ends draw their discriminators and
// source ports from the run's random source, end 0 first. Both must share
// an engine, a link and a Flights, and a Pass when both have one.
func NewSession(env [2]Env, cfg Config) [2]*End {
	if cfg.MinInterval < 0 || cfg.MinInterval/time.Microsecond > math.MaxUint32 {
		// The packets carry it in 32 bits of microseconds (RFC 5880 §4.1).
		panic(fmt.Sprintf("bfd: interval %v out of the range a packet can carry", cfg.MinInterval))
	}
	if env[0].Engine != env[1].Engine || env[0].Link != env[1].Link || env[0].Flights != env[1].Flights {
		panic("bfd: a session's ends on two engines, links or sets of flights")
	}
	iv := uint32(cfg.MinInterval / time.Microsecond)
	fl := env[0].Flights
	if fl == nil {
		fl = &Flights{}
	}
	switch fl.e {
	case nil:
		fl.e = env[0].Engine
	case env[0].Engine:
	default:
		panic("bfd: Flights shared by ends of two runs")
	}
	s := &session{link: env[0].Link, flights: fl, slowTx: cfg.SlowTx}
	for i := range env {
		ev := env[i]
		s.envs[i] = &ev
		if ev.Pass != nil {
			s.pass, s.viaPass[i] = ev.Pass, true
		}
		s.ends[i] = End{s: s, side: uint8(i), detectAt: never, txAt: never, state: bfdDown, myDisc: ev.Engine.Rand().Uint32() | 1,
			minTx: iv, minRx: iv, remoteMinRx: 1, mult: cfg.Multiplier}
		s.ports[i] = 49152 + uint16(ev.Engine.Rand().IntN(16384))
	}
	s.t.SetHandler((*sessionTimer)(s))
	return [2]*End{&s.ends[0], &s.ends[1]}
}

// peer is the other end of the session: the one b's packets reach.
func (b *End) peer() *End { return &b.s.ends[(b.side^1)&1] }

// sessionTimer is a session as what its timer runs.
type sessionTimer session

// Fire is the due end's next packet, or its detection time running out
// when that comes first; the packet is then still due at txAt.
func (t *sessionTimer) Fire() {
	s := (*session)(t)
	b := s.due()
	b.pending = false
	if !b.detectFirst {
		b.send()
		return
	}
	b.detectFirst, b.detectAt = false, never
	b.expired()
	if !b.pending && b.txAt != never {
		b.pending = true
	}
	s.schedule()
}

// at is when b's share of the timer is set for, while pending.
func (b *End) at() time.Duration {
	if b.detectFirst {
		return b.detectAt
	}
	return b.txAt
}

// due is the end the session's timer is for: of the ends whose share is
// pending, the one set for the earlier time, end 0 at a tie; nil when
// neither's is. With a timer each, the one set earlier went first at a
// tie; intervals are jittered, so ends meet only by chance.
func (s *session) due() *End {
	a, b := &s.ends[0], &s.ends[1]
	if b.pending && (!a.pending || b.at() < a.at()) {
		return b
	}
	if a.pending {
		return a
	}
	return nil
}

// schedule sets the session's timer for the due end. A timer already set
// for that time is left as it is, so that an end whose share did not move
// keeps its place among the events due at that nanosecond, as its own
// timer would have: the place of a timer's last setting. When the due end
// changes because the other end's share moved, the timer's place is that
// of this setting, which may differ from the one a timer of the due end's
// own would have had; again only by chance do such meetings happen.
func (s *session) schedule() {
	// A pending share is never set for never (sendAt, detectBy).
	at := never
	if a := &s.ends[0]; a.pending {
		at = a.at()
	}
	if b := &s.ends[1]; b.pending {
		at = min(at, b.at())
	}
	e := s.flights.e
	if at == never {
		e.Cancel(&s.t)
		return
	}
	at = max(at, e.Now())
	if s.t.Pending() && s.t.When() == at {
		return
	}
	e.Reset(&s.t, at)
}

// arm sets b's share of the timer for at(): its next packet, or its
// detection time if that comes first.
func (b *End) arm() {
	b.pending = true
	b.s.schedule()
}

// engine is the run's clock, timers and random source.
func (b *End) engine() *engine.Engine { return b.s.flights.e }

// Start has the end send its first packet after one (jittered) interval.
func (b *End) Start() { b.sendAt(b.engine().Now() + b.interval()) }

// sendAt sets the next packet for at: the end's share of the timer is set
// for it, or for detectAt if that comes first. At the same instant the
// detection goes first. With a timer each, the one set earlier went
// first: usually the detection's, set by a packet received a detection
// time before, longer than the interval. Intervals are jittered, so such
// meetings happen only by chance.
func (b *End) sendAt(at time.Duration) {
	b.txAt = at
	b.detectFirst = b.detectAt <= at
	b.arm()
}

// detectBy sets when the detection time runs out: a packet came while
// Init or Up. The end's share of the timer moves only if the detection
// now comes no later than the next packet (never, before the end starts),
// or no longer does; most packets move nothing.
func (b *End) detectBy(at time.Duration) {
	b.detectAt = at
	switch {
	case b.detectFirst && at > b.txAt:
		b.detectFirst = false
		b.arm()
	case b.detectFirst:
		b.arm()
	case at <= b.txAt && (b.pending || b.txAt == never):
		b.detectFirst = true
		b.arm()
	}
}

// noDetect stops the detection time: the session left Init and Up.
func (b *End) noDetect() {
	b.detectAt = never
	if b.detectFirst {
		b.detectFirst = false
		if b.txAt == never {
			b.pending = false // not started: no packet is due
			b.s.schedule()
		} else {
			b.arm()
		}
	}
}

// interval is the time to the next packet: the negotiated rate when Up,
// at most one a second otherwise, less a random 0–25% (RFC 5880 §6.8.7).
// With a Detect Mult of 1 the same section wants it "no more than 90% of
// the negotiated transmission interval, and ... no less than 75%", so that
// a packet leaves before the peer's detection time runs out: 10–25% less.
func (b *End) interval() time.Duration {
	iv := us(max(b.minTx, b.remoteMinRx))
	if b.state != bfdUp {
		iv = max(iv, b.s.slowTx)
	}
	upTo := 0.25
	if b.mult == 1 {
		upTo = 0.15
	}
	return time.Duration(float64(iv) * (0.75 + upTo*b.engine().Rand().Float64()))
}

// desiredMinTx is bfd.DesiredMinTxInterval: RFC 5880 §6.8.3 has it at
// least a second until the session is Up, so the peer's detection time
// allows for the slow rate.
func (b *End) desiredMinTx() time.Duration {
	if b.state != bfdUp {
		return max(us(b.minTx), b.s.slowTx)
	}
	return us(b.minTx)
}

// send is the periodic transmission, with P set while polling. A peer
// whose Required Min RX Interval is zero wants none: "A system MUST NOT
// periodically transmit BFD Control packets if bfd.RemoteMinRxInterval is
// zero" (RFC 5880 §6.8.7). The timer keeps its period, so transmission
// resumes at the next one after the peer asks again; a Poll is still
// answered (receive).
func (b *End) send() {
	if b.remoteMinRx != 0 {
		b.transmit(b.polling, false)
	}
	b.sendAt(b.engine().Now() + b.interval())
}

func (b *End) transmit(poll, final bool) {
	p := bfdPacket{version: 1, diag: b.diag, state: b.state, mult: b.mult, myDisc: b.myDisc, yourDisc: b.yourDisc,
		poll: poll, final: final, minTx: uint32(b.desiredMinTx() / time.Microsecond), minRx: b.minRx}
	s := b.s
	l := s.link
	if l.Up() {
		f := b.flight()
		p.put(&f.pkt)
		var arrives bool
		if side := b.side & 1; s.viaPass[side] {
			arrives = s.pass(l, int(side))
		} else {
			arrives = s.envs[side].Send(s.ports[side], f.pkt[:])
		}
		if arrives {
			f.to = b.peer()
			b.engine().Reset(&f.t, b.engine().Now()+l.Latency)
		} else {
			b.free(f)
		}
	}
}

// Receive handles a control packet from the peer: the simulated peer's
// arrive by themselves; a real router's, in a live run, come through here.
// A packet for another session (its Your Discriminator not ours) is
// discarded (RFC 5880 §6.8.6).
func (b *End) Receive(raw []byte) {
	if len(raw) >= 12 {
		if your := binary.BigEndian.Uint32(raw[8:12]); your != 0 && your != b.myDisc {
			return
		}
	}
	b.receive(raw)
}

// Discriminator is the end's My Discriminator.
func (b *End) Discriminator() uint32 { return b.myDisc }

// SetPort sets the source port the end's packets carry (in captures): in
// a live run, the port of the socket that sends them.
func (b *End) SetPort(p uint16) { b.s.ports[b.side] = p }

func (b *End) receive(raw []byte) {
	p, err := parseBFD(raw)
	if err != nil {
		return // RFC 5880: discard
	}
	b.yourDisc = p.myDisc
	b.remoteMinTx = p.minTx
	b.remoteMinRx = p.minRx
	b.remoteMult = p.mult
	prev := b.state
	switch {
	case p.state == bfdAdminDown:
		if b.state != bfdDown {
			b.setState(bfdDown, diagNeighborSignals)
		}
	case b.state == bfdDown && p.state == bfdDown:
		b.setState(bfdInit, diagNone)
	case b.state == bfdDown && p.state == bfdInit, b.state == bfdInit && (p.state == bfdInit || p.state == bfdUp):
		b.setState(bfdUp, diagNone)
	case b.state == bfdUp && p.state == bfdDown:
		b.setState(bfdDown, diagNeighborSignals)
	}
	if b.state == bfdInit || b.state == bfdUp {
		b.detectBy(b.engine().Now() + b.detectionTime())
	}
	// RFC 5880 §6.8.6: a Final ends our Poll Sequence; a Poll is answered
	// with a Final "as soon as practicable, without respect to the
	// transmission timer" (§6.8.7), in whatever state we are now.
	if p.final {
		b.polling = false
	}
	if p.poll {
		b.transmit(false, true)
	}
	if prev != bfdUp && b.state == bfdUp {
		// Up: DesiredMinTxInterval drops from the slow rate to the
		// configured one, which §6.8.3 says MUST start a Poll Sequence
		// while Up. A decrease may be used at once (only an increase waits
		// for the Final), so the next packet goes at the fast rate, with P.
		b.polling = true
		b.sendAt(b.engine().Now() + b.interval())
	}
}

// detectionTime is the remote multiplier times the slower of what we
// accept and what the peer sends (RFC 5880 §6.8.4).
func (b *End) detectionTime() time.Duration {
	return time.Duration(b.remoteMult) * us(max(b.minRx, b.remoteMinTx))
}

func (b *End) expired() {
	if b.state == bfdInit || b.state == bfdUp {
		b.yourDisc = 0
		b.setState(bfdDown, diagDetectExpired)
	}
}

func (b *End) setState(st, diag uint8) {
	prev := b.state
	b.state, b.diag = st, diag
	if st != bfdUp {
		// A Poll Sequence only ever asks a peer that is Up to confirm a
		// change; leaving Up abandons it.
		b.polling = false
	}
	if st != bfdUp && st != bfdInit {
		b.noDetect()
	}
	if prev == bfdUp || st == bfdUp {
		why := ""
		switch diag {
		case diagDetectExpired:
			why = fmt.Sprintf(" (control detection time expired: no packet for %s)", b.detectionTime())
		case diagNeighborSignals:
			why = " (neighbour signalled session down)"
		}
		if env := b.s.envs[b.side]; env.Device.Up() {
			env.Control(fmt.Sprintf("BFD %s at %s: %s → %s%s", env.Session, env.Device.Name, bfdStateNames[prev], bfdStateNames[st], why))
		}
	}
	if prev == bfdUp && st == bfdDown {
		b.s.envs[b.side].Down()
	}
}
