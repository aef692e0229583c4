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

// End is one end of an asynchronous-mode BFD session.
//
// Its fields are grouped by the packet that reads them, a cache line to
// a group, since with thousands of sessions each line a packet touches is
// a cache miss: the first line for a packet sent, the second for one sent
// or received. An End is 192 bytes, a multiple of 64, so it starts on a
// line, and the third line is read only by a capture or a state change.
// TestEndLayout holds it to this. Intervals are kept in microseconds, as
// the packets carry them (RFC 5880 §4.1), so that what both read fits
// one line.
//
// One timer serves both the packets and the detection time: it is set
// for the next packet, or for when the detection time runs out if that
// comes first. A timer of the detection's own, pushed back by every packet
// received, was a line more an end, and a queue entry to move every
// detection time.
type End struct {
	// Sending.
	tx         engine.Timer
	diag, mult uint8
	side       uint8 // Env.Side
	myDisc     uint32
	link       *network.Link

	// Both.
	pass func(l *network.Link, side int) bool // Env.Pass
	peer *End
	// flights holds the flights not in use, to send again, shared by
	// the run's ends (Env.Flights): BFD is most of a run's events, and a
	// packet, its timer and its closure allocated each time made the
	// collector and fresh memory a growing share of every event as
	// designs grew. It holds the run's engine too, which every packet
	// reads, and which an end of its own would have a line less for.
	flights      *Flights
	minTx, minRx uint32 // µs: bfd.DesiredMinTxInterval once Up, bfd.RequiredMinRxInterval
	// remoteMinRx is bfd.RemoteMinRxInterval, the slowest the peer said
	// it accepts, in µs; 1 until it has said (RFC 5880 §6.8.1).
	remoteMinRx uint32
	yourDisc    uint32
	// detectAt is when the detection time runs out; never when it does
	// not run (the session is neither Init nor Up).
	detectAt time.Duration
	// txAt is when the next packet is due, never before the end starts:
	// where tx is set unless detectFirst, when it is set for detectAt
	// instead.
	txAt        time.Duration
	remoteMinTx uint32 // µs: the peer's Desired Min TX Interval
	state       uint8
	// polling: a Poll Sequence is running (RFC 5880 §6.5), every packet
	// carries P until one with F comes back.
	polling     bool
	remoteMult  uint8
	detectFirst bool

	// The rest: the slow rate, the timeline, the wire with a capture, BGP.
	slowTx time.Duration // the interval before Up (Config.SlowTx)
	env    *Env
	port   uint16
	_      [46]byte // to 192 bytes
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
func (b *End) free(f *bfdFlight) { b.flights.idle = append(b.flights.idle, f) }

// flight is an idle flight, or a new one, for a packet of b's.
func (b *End) flight() *bfdFlight {
	if idle := b.flights.idle; len(idle) > 0 {
		f := idle[len(idle)-1]
		b.flights.idle = idle[:len(idle)-1]
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
	// from end Side of Link arrives. A function of the link, not a
	// closure, so that a packet reads no object of its own to find it.
	Pass func(l *network.Link, side int) bool
	// Side is which end of Link this end is, as Pass takes it: 0 or 1.
	Side int
	// Flights is shared by the run's ends (see Flights); nil gives the
	// end a set of its own.
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

// Pair makes two ends each other's peer: the one its packets reach.
func Pair(a, b *End) { a.peer, b.peer = b, a }

// New is a BFD end configured as cfg, in state Down; Pair gives it its
// peer once both ends exist. It draws its discriminator and source port
// from the run's random source.
func New(env Env, cfg Config) *End {
	if cfg.MinInterval < 0 || cfg.MinInterval/time.Microsecond > math.MaxUint32 {
		// The packets carry it in 32 bits of microseconds (RFC 5880 §4.1).
		panic(fmt.Sprintf("bfd: interval %v out of the range a packet can carry", cfg.MinInterval))
	}
	iv := uint32(cfg.MinInterval / time.Microsecond)
	fl := env.Flights
	if fl == nil {
		fl = &Flights{}
	}
	switch fl.e {
	case nil:
		fl.e = env.Engine
	case env.Engine:
	default:
		panic("bfd: Flights shared by ends of two runs")
	}
	b := &End{env: &env, flights: fl, link: env.Link, pass: env.Pass, side: uint8(env.Side), detectAt: never, txAt: never,
		slowTx: cfg.SlowTx, state: bfdDown, myDisc: env.Engine.Rand().Uint32() | 1, minTx: iv, minRx: iv, remoteMinRx: 1, mult: cfg.Multiplier,
		port: 49152 + uint16(env.Engine.Rand().IntN(16384))}
	b.tx.SetHandler((*txTimer)(b))
	return b
}

// txTimer is an end as what its timer runs.
type txTimer End

// Fire is the next packet, or the detection time running out when it
// comes first; the packet is then still due at txAt.
func (t *txTimer) Fire() {
	b := (*End)(t)
	if !b.detectFirst {
		b.send()
		return
	}
	b.detectFirst, b.detectAt = false, never
	b.expired()
	if !b.tx.Pending() && b.txAt != never {
		b.engine().Reset(&b.tx, b.txAt)
	}
}

// engine is the run's clock, timers and random source.
func (b *End) engine() *engine.Engine { return b.flights.e }

// Start has the end send its first packet after one (jittered) interval.
func (b *End) Start() { b.sendAt(b.engine().Now() + b.interval()) }

// sendAt sets the next packet for at: the timer is set for it, or for
// detectAt if that comes first. At the same instant the detection goes
// first. With a timer each, the one set earlier went first: usually the
// detection's, set by a packet received a detection time before, longer
// than the interval. The timer's place among other events due at that
// nanosecond is that of its last setting, which may differ from the place
// a timer of the detection's own would have had. Intervals are jittered,
// so such meetings happen only by chance.
func (b *End) sendAt(at time.Duration) {
	b.txAt = at
	if b.detectAt <= at {
		b.detectFirst = true
		b.engine().Reset(&b.tx, b.detectAt)
		return
	}
	b.detectFirst = false
	b.engine().Reset(&b.tx, at)
}

// detectBy sets when the detection time runs out: a packet came while
// Init or Up. The timer moves only if it now comes no later than the next
// packet (never, before the end starts), or no longer does; most packets
// read no line of the end but the one they share with the sender's.
func (b *End) detectBy(at time.Duration) {
	b.detectAt = at
	switch {
	case b.detectFirst && at > b.txAt:
		b.detectFirst = false
		b.engine().Reset(&b.tx, b.txAt)
	case b.detectFirst:
		b.engine().Reset(&b.tx, at)
	case at <= b.txAt && (b.tx.Pending() || b.txAt == never):
		b.detectFirst = true
		b.engine().Reset(&b.tx, at)
	}
}

// noDetect stops the detection time: the session left Init and Up.
func (b *End) noDetect() {
	b.detectAt = never
	if b.detectFirst {
		b.detectFirst = false
		if b.txAt == never {
			b.engine().Cancel(&b.tx) // not started: no packet is due
		} else {
			b.engine().Reset(&b.tx, b.txAt)
		}
	}
}

// interval is the time to the next packet: the negotiated rate when Up,
// at most one a second otherwise, less a random 0–25% (RFC 5880 §6.8.7).
func (b *End) interval() time.Duration {
	iv := us(max(b.minTx, b.remoteMinRx))
	if b.state != bfdUp {
		iv = max(iv, b.slowTx)
	}
	return time.Duration(float64(iv) * (0.75 + 0.25*b.engine().Rand().Float64()))
}

// desiredMinTx is bfd.DesiredMinTxInterval: RFC 5880 §6.8.3 has it at
// least a second until the session is Up, so the peer's detection time
// allows for the slow rate.
func (b *End) desiredMinTx() time.Duration {
	if b.state != bfdUp {
		return max(us(b.minTx), b.slowTx)
	}
	return us(b.minTx)
}

// send is the periodic transmission, with P set while polling.
func (b *End) send() {
	b.transmit(b.polling, false)
	b.sendAt(b.engine().Now() + b.interval())
}

func (b *End) transmit(poll, final bool) {
	p := bfdPacket{version: 1, diag: b.diag, state: b.state, mult: b.mult, myDisc: b.myDisc, yourDisc: b.yourDisc,
		poll: poll, final: final, minTx: uint32(b.desiredMinTx() / time.Microsecond), minRx: b.minRx}
	l := b.link
	if l.Up() {
		f := b.flight()
		p.put(&f.pkt)
		var arrives bool
		if b.pass != nil {
			arrives = b.pass(l, int(b.side))
		} else {
			arrives = b.env.Send(b.port, f.pkt[:])
		}
		if arrives {
			f.to = b.peer
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
func (b *End) SetPort(p uint16) { b.port = p }

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
		if b.env.Device.Up() {
			b.env.Control(fmt.Sprintf("BFD %s at %s: %s → %s%s", b.env.Session, b.env.Device.Name, bfdStateNames[prev], bfdStateNames[st], why))
		}
	}
	if prev == bfdUp && st == bfdDown {
		b.env.Down()
	}
}
