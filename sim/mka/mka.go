// Package mka is MACsec Key Agreement (IEEE 802.1X-2020 MKA) over
// pre-shared CAKs, as AWS Interconnect channels (must_encrypt: fail
// closed) and Direct Connect last-mile connections (should_encrypt or
// must_encrypt) run it. The AWS end is the key server: it draws each SAK
// and distributes it wrapped with the KEK. A participant sends an MKPDU
// every Hello (2 s) and forgets a peer silent for a Lifetime (6 s). The
// key server rekeys when a transmit packet number reaches the suite's
// threshold (0xC000000000000000 with the XPN suites, the default), and an
// SA whose packet numbers run out sends nothing until the next SAK. Key
// rotation keeps the open specification's rules: the manager rotates, a
// channel holds two keys at most, one channel of an interconnect rotates
// at a time, and the next waits out a bake time. Frames are protected and
// validated with sim/macsec; the KeyLog, NSS-style, lets Wireshark decrypt
// the capture.
//
// A run makes a Set (NewSet, with the run's clock, when its traffic was
// last integrated, and the capture) and calls Add per link with a Config
// and an Env: the timeline, traffic integration, routing, BGP's port down,
// findings and the key log. Each Link is its network link's Gate
// (network.Link.SetGate).
package mka

import (
	"bytes"
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"
	"unsafe"

	"patchbay/sim/engine"
	"patchbay/sim/internal/units"
	"patchbay/sim/macsec"
	"patchbay/sim/network"
	"patchbay/stdlib"
)

// MKA timers (IEEE 802.1X-2010 §9.16): a participant sends an MKPDU every
// hello time and forgets a peer it has not heard from for the lifetime.
const (
	Hello    = 2 * time.Second // MKA Hello Time
	Lifetime = 6 * time.Second // MKA Life Time
	// rotationBake is the open specification's wait after a key rotation
	// before the next one on the same interconnect.
	rotationBake = 2 * time.Hour
)

// GroupAddress is the MKA group address (nearest non-TPMR bridge).
var GroupAddress = [6]byte{0x01, 0x80, 0xc2, 0x00, 0x00, 0x03}

// cak is one pre-shared connectivity association key with its name.
//
// What an MKPDU encoded or checked reads of it, the name's octets and
// the ICK, is on its first line: a slice of the name's, or the ICK's CMAC
// state (the run's, Set.ick), would take it to two, each a cache miss an
// MKPDU once thousands of links ran. (An MKPDU no capture reads, between
// ends that share the key, reads neither: mkaFlight.held.) A cak is 192
// bytes, so it starts on a line (TestCAKLayout).
type cak struct {
	name [32]byte // the CKN's octets: 32, as AWS writes them in 64 hex digits
	// The ICK and KEK, derived from the key and its name when a
	// participant first uses it (IEEE 802.1X-2010 §9.3.3): the two ends'
	// participants for one key derive the same ones, so they share them.
	// An MKPDU is then checked with the key schedule its sender has just
	// used, not with a second copy of it elsewhere in memory.
	ick     macsec.ICKey
	id      int      // 1 for a link's first key, 2 for the next …
	secret  [32]byte // the key's octets
	kek     []byte
	derived bool     // ick and kek are set
	_       [63]byte // to 192 bytes
}

// ckn is the key's name.
func (k *cak) ckn() []byte { return k.name[:] }

// key is the key's octets.
func (k *cak) key() []byte { return k.secret[:] }

// derive sets k's ICK and KEK up, once: a participant's MKPDUs use them.
func (k *cak) derive() {
	if !k.derived {
		if err := k.ick.Set(macsec.ICK(k.key(), k.ckn())); err != nil {
			panic(fmt.Sprintf("sim: MKA: %v", err)) // a CAK is 32 octets: its ICK is too
		}
		k.kek, k.derived = macsec.KEK(k.key(), k.ckn()), true
	}
}

// Link is MACsec on one channel or connection: the keys installed, an
// MKA participant per end and key, and the secure associations in use.
type Link struct {
	// What every protected packet reads comes first: with thousands of
	// links, each line a packet touches is a cache miss. A Link's size is
	// a multiple of 64 bytes, so it starts on a line: a packet from the
	// AWS end reads the first line only, one from the far end the second
	// too. The SAs are the link's rather than each end's for that reason:
	// reading them through the ends cost a packet two more lines; and the
	// receive SAs are held in the link, not in arrays of their own, a
	// line more each.
	secured bool       // both ends transmit with a SAK the other has
	must    bool       // mode is must_encrypt: nothing crosses until a key is agreed
	xpn     bool       // suite.XPN(), read here rather than from suite on a line an MKPDU seldom reads
	nin     [2]uint8   // how many of in0, in1 are in use
	pn      [2]float64 // packets sent each way under the current SAK, traffic included
	// tx is each end's transmit SA, nil when it has none; in0 and in1
	// the receive SAs for what end 0 and end 1 send, newest first (the
	// other end's, rxOf), each with its replay window: every protected
	// frame reads both, and a map from one to the other cost a cache
	// miss per frame once a design held thousands of SAs. An end keeps
	// two (addRx).
	tx  [2]*macsec.SA
	in0 [2]rxSA
	// pps is packets per second each way now, on the second line, which
	// a packet from the far end reads too, as integrating the traffic
	// every second does.
	pps [2]float64
	in1 [2]rxSA
	// On the third line, beside in1's second SA, what packets and MKPDUs
	// seldom read: the rekey timer when a SAK is installed, the mode when
	// a should_encrypt link carries traffic in the clear, the cipher suite
	// (an MKPDU reads xpn), and the key a rotation in progress moves to
	// (st.rot says whether there is one).
	rekey    *engine.Timer
	mode     stdlib.MACsecMode
	suite    macsec.CipherSuite
	rotating *cak

	// What an MKPDU sent or received reads besides, on the fourth line:
	// the link's two ends themselves, then the network link and the
	// pointer to the run's shared state (env.shared). Ends in objects of
	// their own would be a line more for every MKPDU to read, once a
	// second on every link, where what a run reads each second at 1,000
	// channels is already a little more than the processor's L2.
	// TestLinkLayout holds them there.
	pair [2]mkaEnd
	link *network.Link
	env  Env

	rk       secRekey
	about    *linkAbout // what messages and refusals say of it
	rekeys   int32
	idx      int32         // its place in Set.links, the order SetRates goes in
	rotated  time.Duration // when the last rotation finished; -1: never
	rejected int           // protected frames the far end refused

	// The link's MKA timer, on the last line: every hello, and every
	// lifetime that runs out, of the participants at both ends (due),
	// with the one it is set for: finding it again when the timer fires
	// went from the link to each end to its participants, each a cache
	// miss waiting for the one before once thousands of links ran. The
	// link stays seven lines, what it reads seldom behind about: at eight,
	// a power of two, every link's first line, which every protected
	// packet reads, fell in the same eighth of the processor's cache sets,
	// and missed twice as often under cachegrind. What else an MKPDU
	// reads of the link is beside the timer (st).
	dueLife bool // the timer is set for dueP's peer's lifetime, not its hello
	st      secState
	t       engine.Timer
	dueP    *participant // the participant the timer is set for (schedule)
}

// ends is the link's two ends, AWS's first.
func (sl *Link) ends() [2]*mkaEnd { return [2]*mkaEnd{&sl.pair[0], &sl.pair[1]} }

// linkAbout is what a link's messages and refusals say of it, and what
// it and its ends keep that is seldom read (endCold, the count of
// MKPDUs without a SAK).
type linkAbout struct {
	name    string            // the link's first session's, for messages
	ifaces  [2]*network.Iface // the link's ends, AWS's first
	group   string            // the Interconnect or last mile
	manager string
	ends    [2]endCold
	// noSAKUse counts MKPDUs in a row from a live peer that uses no SAK;
	// nil when none is counting (Link.st.noSAK).
	noSAKUse map[*participant]int
}

// rxOf is end side's receive SAs, newest first: a slice of the link's own
// array.
func (sl *Link) rxOf(side int) []rxSA {
	d := 1 - side
	return sl.in(d)[:sl.nin[d]]
}

// in is the receive SAs for what end d sends.
func (sl *Link) in(d int) *[2]rxSA {
	if d == 0 {
		return &sl.in0
	}
	return &sl.in1
}

// setRx makes rxs (at most two) end side's receive SAs.
func (sl *Link) setRx(side int, rxs []rxSA) {
	d := 1 - side
	in := sl.in(d)
	*in = [2]rxSA{}
	sl.nin[d] = uint8(copy(in[:], rxs))
}

// mkaEnd is one end's MACsec entity: its keys (which differ from the
// peer's only when misconfigured), its MKA participants and its SAs.
//
// It holds what an MKPDU reads of it, its participant included as long
// as one key runs (part0), in 24 bytes, and it lives in its link
// (Link.pair), on the line with what else an MKPDU reads there
// (TestLinkLayout): every hello reads both ends. What else an end keeps,
// seldom read, is the link's (endCold).
type mkaEnd struct {
	txKey *cak    // the CA the transmit SA (Link.tx) belongs to
	addr  [6]byte // the end's MAC address: its SCI's first six octets
	side  uint8   // 0 the AWS end (key server), 1 the far end
	// n is how many participants run, counted to 2: part0 holds the
	// one there is, if any; while two or more run (during a rotation,
	// or a key reconfigured), all of them are listed in the end's
	// endCold.parts, and part0 is empty.
	n     uint8
	part0 [1]*participant
}

// sl is the link e is an end of. An end is only ever Link.pair[side],
// so the link is found from where the end is, rather than from a
// pointer that would take the end to 32 bytes and the link's fourth
// line past a line. The arithmetic stays within the Link, as
// unsafe.Pointer's rule for it requires. An end made anywhere else, or
// copied out of its link, would find a wrong Link here: ends are made
// only by Set.Add, in place, and used only through pointers (ends);
// the race detector's pointer checks stop a run that breaks this.
func (e *mkaEnd) sl() *Link {
	return (*Link)(unsafe.Add(unsafe.Pointer(e), -int(unsafe.Offsetof(Link{}.pair))-int(e.side)*int(unsafe.Sizeof(mkaEnd{}))))
}

// endCold is what an end keeps that is seldom read: its keys, the key
// log's last SA, and its participants while two or more run, which only
// then every MKPDU reads.
type endCold struct {
	keys   []*cak         // installed, oldest first
	logged *macsec.SA     // the last SA of this end's SC written to the key log
	parts  []*participant // its participants while more than one runs (mkaEnd.n)
}

// cold is what else e keeps.
func (e *mkaEnd) cold() *endCold { return &e.sl().about.ends[e.side] }

// parts is the end's participants, in the order they started.
func (e *mkaEnd) parts() []*participant {
	if e.n < 2 {
		return e.part0[:e.n]
	}
	return e.cold().parts
}

// setParts makes ps the end's participants.
func (e *mkaEnd) setParts(ps []*participant) {
	e.n = uint8(min(len(ps), 2))
	e.part0[0] = nil
	e.cold().parts = nil
	switch e.n {
	case 2:
		e.cold().parts = ps
	case 1:
		e.part0[0] = ps[0]
	}
}

// sci is the end's secure channel identifier: its MAC address and port 1.
func (e *mkaEnd) sci() macsec.SCI {
	return macsec.SCI{e.addr[0], e.addr[1], e.addr[2], e.addr[3], e.addr[4], e.addr[5], 0, 1}
}

// mac is the end's MAC address.
func (e *mkaEnd) mac() [6]byte { return e.addr }

// rxSA is a receive SA and its replay state.
type rxSA struct {
	sa *macsec.SA
	w  macsec.ReplayWindow
}

// participant is one MKA instance: one end running one CAK.
type participant struct {
	// An MKPDU sent or received reads nearly all of it, and with
	// thousands of links each line an MKPDU touches is a cache miss: a
	// participant is 96 bytes, and a link's first two are made together
	// (Link.start), so that the two take three lines (the allocator
	// starts 192-byte objects on a line; TestParticipantLayout). What an
	// MKPDU reads of it that follows from elsewhere is not kept: its
	// priority (its end's side), when its peer's lifetime ends (when the
	// peer was last heard), the peer's SCI (the far end's). Its hello
	// and its peer's lifetime are the link's timer's to keep (Link.t):
	// timers of its own would be a line and a half of it, two queue
	// entries, and a line more for each MKPDU.
	hello time.Duration // when it sends its next MKPDU; never while it sends one
	end   *mkaEnd
	key   *cak
	// The SAK of this CA (drawn by the key server, received by the
	// other): its octets, behind a pointer. Nothing writes into a SAK
	// once drawn, nor through this pointer, which the far end's
	// participant shares when the bytes agree (receive): a new SAK is a
	// new pointer.
	sak *[]byte
	// sakSA is an SA found to be of the SAK (its AN and key): SAs do
	// not change once installed, so it still is while the SAK is the
	// same, and lowestAcceptablePN finds it without reading an SA. Every
	// change of sak or an clears it.
	sakSA *macsec.SA
	mi    [12]byte
	mn    uint32
	kn    uint32
	an    uint8
	sent  bool // distributed in an MKPDU
	inUse bool // the peer reported it installed (key server), or installed here
	// life: the peer's lifetime runs, to end a Lifetime after it was
	// last heard (expire), unless an MKPDU comes first; false when no
	// peer is heard, or its lifetime ran out.
	life bool
	peer peerInfo // the one peer heard last
}

// expire is when the peer's lifetime runs out; never when it does not run.
func (p *participant) expire() time.Duration {
	if !p.life {
		return never
	}
	return p.peer.heard + Lifetime
}

// priority is the participant's Key Server Priority: the AWS end is the
// key server, and the lower value wins.
func (p *participant) priority() uint8 {
	if p.end.side == 1 {
		return 16
	}
	return 0
}

// peerSCI is the SCI of the peer, which is always the far end: MKPDUs
// reach an end from the other end of its link alone.
func (p *participant) peerSCI() macsec.SCI {
	return p.end.sl().ends()[1-p.end.side].sci()
}

// mkaTimer is a link as what its timer runs: the first of its
// participants' hellos and peers' lifetimes (due).
type mkaTimer Link

// Fire sends the due participant's next MKPDU, every Hello, or is its
// peer's lifetime running out.
func (t *mkaTimer) Fire() {
	sl := (*Link)(t)
	p := sl.dueP
	switch {
	case sl.dueLife:
		p.life = false
		sl.check()
	default:
		p.hello = never
		p.send()
		sl.check()
		p.hello = sl.env.e.Now() + Hello
	}
	sl.schedule()
}

// never is a time no event reaches: a deadline not set.
const never = time.Duration(math.MaxInt64)

// due is the participant whose hello or peer's lifetime comes first, and
// whether it is the lifetime; nil when neither end runs one. At a tie a
// lifetime goes before a hello, as with timers of their own, which went in
// the order they were set: a lifetime ending now was set 6 s ago, a hello
// 2 s ago. Lifetimes end at MKPDUs' arrivals and hellos start at random
// instants, so two of either meet only by chance, and then the first found
// goes first (end 0's participants before end 1's).
func (sl *Link) due() (first *participant, life bool) {
	at := never
	for _, e := range sl.ends() {
		for _, p := range e.parts() {
			if p.hello < at {
				first, life, at = p, false, p.hello
			}
			if x := p.expire(); x < at || x == at && !life {
				first, life, at = p, true, x
			}
		}
	}
	return first, life
}

// schedule sets the link's timer for its due participant, and notes
// which it is for; a timer already set for that time stays as it is.
func (sl *Link) schedule() {
	e := sl.env.e
	p, life := sl.due()
	sl.dueP, sl.dueLife = p, life
	if p == nil {
		e.Cancel(&sl.t)
		return
	}
	at := p.hello
	if life {
		at = p.expire()
	}
	if sl.t.Pending() && sl.t.When() == at {
		return
	}
	e.Reset(&sl.t, at)
}

type peerInfo struct {
	mi    [12]byte
	mn    uint32
	heard time.Duration
	live  bool // it lists us: liveness is mutual
	known bool // a peer was heard: the rest is its
}

// Env is what MACsec on a link needs of the run: the Set's shared state
// (filled in by Add), the timeline, the integration of traffic up to now
// (packet numbers follow it), routing to reconverge, the sessions over
// the link to take down, findings, and the key log. MKA reaches nothing
// else of the run.
type Env struct {
	// What every MKPDU reads comes first, on the line of Link it shares
	// with what else an MKPDU reads.
	*shared
	// Control writes msg to the run's timeline of control-plane events.
	Control func(msg string)
	// Advance integrates traffic up to now, which counts the packet
	// numbers sent (Set.Advance).
	Advance func()
	// RoutingChanged tells the run the link's secured state changed:
	// routing reconverges and traffic is recomputed.
	RoutingChanged func(cause string)
	// PortDown takes down the BGP sessions over the link at one end, as a
	// must_encrypt port that has lost its key does.
	PortDown func(side int, why string)
	// Finding reports an error the run found on the link now.
	Finding func(rule, message, hint string)
	KeyLog  *KeyLog // where each SA installed is written; nil: nowhere
	// PlainBuf is the run's scratch buffer for validated frames.
	PlainBuf *[]byte
}

// Config is MACsec on one channel or connection, as the plan has it.
type Config struct {
	Name    string            // the link's first session's, for messages
	Group   string            // the Interconnect or last mile, whose channels rotate keys one at a time
	Mode    stdlib.MACsecMode // what the link does without an agreed key
	Cipher  string            // the cipher suite; an unknown one is GCM-AES-XPN-256, the specification's
	Manager string            // who may rotate the keys
	Link    *network.Link     // the link MACsec guards, whose gate it becomes
	Ifaces  [2]*network.Iface // the link's ends, AWS's (the key server's) first
	MACs    [2][6]byte        // each end's MAC address, its SCI's first six octets
}

// Set is a run's MACsec links, in the order they were added. Its links
// point into it (Env.shared), so a Set is used through the pointer NewSet
// returns, never copied.
type Set struct {
	shared
	links []*Link
}

// shared is what a Set's links share, which every MKPDU reads.
type shared struct {
	e *engine.Engine // the run's clock, timers and random source
	// last points to when traffic was last integrated: what was sent
	// since is extrapolated from the rates. (A pointer, where a function
	// would be one more object for an MKPDU to read.)
	last *time.Duration
	// capture records an MKPDU from src to the MKA group address; nil
	// when no capture is written.
	capture func(src [6]byte, body []byte)
	// mkpdus is the set's one reader of MKPDUs: an MKPDU is read through
	// before the next arrives.
	mkpdus macsec.MKPDUReader
	// flights holds the MKPDU flights not in use, shared by every end
	// of the set: the few in flight at any moment, and their buffers,
	// stay in the processor's caches, where a flight of each end's own
	// was a cache miss or more an MKPDU once thousands of links ran.
	flights []*mkaFlight
	ick     macsec.ICKState // the links' keys compute their ICVs here, one MKPDU at a time
	// busy lists the links SetRates may change something on although
	// they carry no traffic (Link.stir), in no order; idle is the list
	// before, kept for its memory.
	busy, idle []*Link
}

// NewSet is an empty set of MACsec links whose keys, identifiers and
// timers come from e. last points to when the run last integrated its
// traffic, which packet numbers follow; capture, when not nil, records
// each MKPDU sent from src to the MKA group address.
func NewSet(e *engine.Engine, last *time.Duration, capture func(src [6]byte, body []byte)) *Set {
	return &Set{shared: shared{e: e, last: last, capture: capture}}
}

// Add sets up MACsec on a link with one key, drawn now from the run's
// random source, and makes it the link's gate.
func (s *Set) Add(env Env, c Config) *Link {
	suite, err := macsec.ParseCipherSuite(c.Cipher)
	if err != nil {
		suite = macsec.GCMAESXPN256
	}
	env.shared = &s.shared
	sl := &Link{env: env, link: c.Link, about: &linkAbout{name: c.Name, ifaces: c.Ifaces, group: c.Group, manager: c.Manager}, mode: c.Mode, must: c.Mode == stdlib.MustEncrypt, suite: suite, xpn: suite.XPN(), rotated: -1}
	sl.rekey = s.e.NewTimer(sl.rekeyNow)
	sl.t.SetHandler((*mkaTimer)(sl))
	first := s.newCAK(1)
	for i := range sl.pair {
		e := &sl.pair[i]
		e.side, e.addr = uint8(i), c.MACs[i]
		e.cold().keys = []*cak{first}
	}
	sl.idx = int32(len(s.links))
	s.links = append(s.links, sl)
	sl.stir()
	c.Link.SetGate(sl)
	return sl
}

// newCAK draws a key and its name from the run's random source: 32
// octets each, 64 hex digits as AWS writes them.
func (s *Set) newCAK(id int) *cak {
	k := &cak{id: id}
	for i := range k.name {
		k.name[i] = byte(s.e.Rand().Uint32())
		k.secret[i] = byte(s.e.Rand().Uint32())
	}
	return k
}

// Start starts every link's MKA, in order.
func (s *Set) Start() {
	for _, sl := range s.links {
		sl.start()
	}
}

// Advance counts the packets sent in dt seconds at the links' rates.
func (s *Set) Advance(dt float64) {
	for _, sl := range s.links {
		for i := range sl.pn {
			sl.pn[i] += sl.pps[i] * dt
		}
	}
}

func (sl *Link) start() {
	sl.stir()
	// The two ends' first participants, made together (participant).
	pair := new([2]participant)
	for i, e := range sl.ends() {
		e.startIn(&pair[i], e.cold().keys[0])
	}
}

// startParticipant starts a participant for key k at e.
func (e *mkaEnd) startParticipant(k *cak) *participant { return e.startIn(new(participant), k) }

// startIn starts the participant p, zero, for key k at e.
func (e *mkaEnd) startIn(p *participant, k *cak) *participant {
	s := &e.sl().env
	p.end, p.key = e, k
	k.derive()
	for i := range p.mi {
		p.mi[i] = byte(s.e.Rand().Uint32())
	}
	p.hello = s.e.Now() + time.Duration(s.e.Rand().Int64N(int64(Hello/4)))
	e.setParts(append(slices.Clone(e.parts()), p))
	e.sl().schedule()
	return p
}

func (p *participant) stop() {
	e := p.end
	// One key running again, its participant goes back in the end.
	e.setParts(slices.DeleteFunc(slices.Clone(e.parts()), func(x *participant) bool { return x == p }))
	e.sl().schedule()
}

func (p *participant) keyServer() bool { return p.end.side == 0 }

func (p *participant) peerAlive(now time.Duration) bool {
	return p.peer.known && now-p.peer.heard < Lifetime
}

// send transmits an MKPDU on the link's uncontrolled port: the basic
// parameters, the peer lists, the SAK in use, and from the key server a
// newly drawn SAK, wrapped with the KEK.
func (p *participant) send() {
	e, sl, s := p.end, p.end.sl(), &p.end.sl().env
	p.mn++
	// The MKPDU and its sets are built in the flight that carries it, so
	// that none is allocated: an end sends one every two seconds.
	f := e.flight()
	m := &f.m
	*m = macsec.MKPDU{Version: 3, Priority: p.priority(), KeyServer: p.keyServer(), MACsecDesired: true, Capability: 3,
		SCI: e.sci(), MI: p.mi, MN: p.mn, AlgorithmAgility: 0x0080C201, CKN: p.key.ckn()}
	if pi := &p.peer; p.peerAlive(s.e.Now()) {
		f.peer[0] = macsec.Peer{MI: pi.mi, MN: pi.mn}
		if pi.live {
			m.Live = f.peer[:]
		} else {
			m.Potential = f.peer[:]
		}
	}
	// A SAK counts as sent only when its MKPDU can leave: one drawn while
	// the link is down goes out with the first hello after it is back.
	if p.keyServer() && p.sak != nil && !p.sent && p.peerAlive(s.e.Now()) && p.peer.live && sl.link.PhysUp() {
		if wrapped, err := macsec.Wrap(p.key.kek, *p.sak); err == nil {
			f.dist = macsec.DistSAK{AN: p.an, KN: p.kn, ConfidentialityOffset: macsec.ConfidentialityO0, WrappedSAK: wrapped}
			if sl.suite != macsec.GCMAES128 {
				f.dist.Suite = sl.suite
			}
			m.DistSAK = &f.dist
			if sl.xpn {
				// A peer maps SCIs to SSCIs from this (IEEE 802.1X-2020 §11.11.3).
				m.KeyServerSSCI = uint8(macsec.SSCI(e.sci(), []macsec.SCI{e.sci(), p.peerSCI()}))
			}
			p.sent = true
			// Ready to receive under the new SAK before the peer starts
			// sending with it, so no frame falls between the two.
			e.addRx(p, p.peerSCI())
		}
	}
	var lpn uint64 // the Latest Key's Lowest Acceptable PN; 0 while there is none
	if p.sak != nil && (p.inUse || !p.keyServer()) {
		lpn = e.lowestAcceptablePN(p)
		// The set carries the low 32 bits; with XPN the XPN set below
		// carries the rest (IEEE 802.1X-2020 Figure 11-10 and the XPN
		// parameter set, type 8).
		f.use = macsec.SAKUse{LatestKN: p.kn, LatestAN: p.an, LatestTx: true, LatestRx: true,
			LatestLowestPN: uint32(lpn), LatestKeyServerMI: p.keyServerMI()}
		m.SAKUse = &f.use
	}
	if sl.xpn {
		// No Old Key is reported, so its MSBs stay 0.
		f.xpn = macsec.XPN{SuspensionTime: 0, LatestLowestPNHigh: uint32(lpn >> 32)}
		m.XPN = &f.xpn
	}
	var err error
	if s.capture == nil {
		// Nobody reads the bytes: the MKPDU itself travels, and the
		// receiver encodes and signs it only if its key is not this one;
		// otherwise it knows the ICV would check. Encoding it here copied
		// the CKN from the key, a line nothing else of a hello reads:
		// once thousands of links ran, a cache miss every hello.
		err = m.Check()
		f.signer, f.held = p.key, true
	} else {
		f.buf, err = m.AppendMarshalKey(f.buf[:0], &p.key.ick, &s.ick, GroupAddress, e.mac())
		f.signer, f.held = nil, false
	}
	if err != nil || !sl.link.PhysUp() {
		e.free(f)
		return
	}
	if s.capture != nil {
		s.capture(e.mac(), f.buf)
	}
	f.to = sl.ends()[1-e.side]
	s.e.Reset(&f.t, s.e.Now()+sl.link.Latency)
}

// authentic reports whether the ICV of the MKPDU f carries, from the
// peer, checks with key k. f.signer, when not nil, is the key the sender
// left the ICV out under; an MKPDU held rather than encoded
// (mkaFlight.held) is encoded here for the check, as its sender would
// have, unless k is that key: the check would pass.
func (e *mkaEnd) authentic(f *mkaFlight, k *cak) bool {
	signer := f.signer
	if signer == k {
		return true // signed and checked with one ICK: it would check
	}
	b := f.buf
	if f.held {
		var err error
		if b, err = f.m.AppendMarshalUnsigned(f.buf[:0]); err != nil {
			return false
		}
		f.buf = b
	}
	src := e.sl().ends()[1-e.side].mac()
	if signer != nil && macsec.SignMKPDUKey(&signer.ick, &e.sl().env.ick, GroupAddress, src, b) != nil {
		return false
	}
	return macsec.VerifyMKPDUKey(&k.ick, &e.sl().env.ick, GroupAddress, src, b) == nil
}

// mkaFlight is an MKPDU on its way to the peer, with the timer that
// delivers it; like BFD's, flights are reused rather than a timer and a
// closure allocated for every MKPDU.
// buf is the MKPDU's bytes when a capture reads them, built in place so
// that they are reused too; otherwise the receiver's scratch space for
// encoding the held MKPDU (authentic).
type mkaFlight struct {
	t        engine.Timer
	from, to *mkaEnd
	buf      []byte
	// signer is the key the MKPDU's ICV is to be computed with, which
	// the sender left out; nil when it is in.
	signer *cak
	// m is the MKPDU, built here with the sets it points to (send);
	// held: it travels as m, not as bytes in buf, since no capture
	// reads them.
	m    macsec.MKPDU
	held bool
	peer [1]macsec.Peer
	use  macsec.SAKUse
	dist macsec.DistSAK
	xpn  macsec.XPN
}

// Fire is the flight's timer: the MKPDU arrives.
func (f *mkaFlight) Fire() { f.arrive() }

func (f *mkaFlight) arrive() {
	to := f.to
	f.to = nil
	// Idle only once read: the MKPDU is the flight's (m, or buf).
	to.receive(f)
	f.from.free(f)
}

// free keeps f, delivered or never sent, for a next MKPDU.
func (e *mkaEnd) free(f *mkaFlight) {
	idle := &e.sl().env.flights
	*idle = append(*idle, f)
}

// flight is an idle flight, or a new one, for an MKPDU of e's.
func (e *mkaEnd) flight() *mkaFlight {
	if idle := &e.sl().env.flights; len(*idle) > 0 {
		n := len(*idle) - 1
		f := (*idle)[n]
		*idle = (*idle)[:n]
		f.from = e
		return f
	}
	f := &mkaFlight{from: e}
	f.t.SetHandler(f)
	return f
}

// receive reads the MKPDU f carries: one naming a CKN this end has, whose
// ICV checks with that key's ICK, updates the participant running that
// key. Anything else is as if never heard: that is how a key mismatch
// shows. An MKPDU sent without its ICV (signer, not nil) is signed here
// with the sender's key, unless that is the key it would be checked with:
// the check would pass, since the bytes did not change on the way.
func (e *mkaEnd) receive(f *mkaFlight) {
	e.sl().dueNow()
	m := &f.m
	if !f.held {
		var err error
		if m, err = e.sl().env.mkpdus.Parse(f.buf); err != nil {
			return
		}
	}
	var p *participant
	for _, x := range e.parts() {
		// The sender's key names itself: its name need not be read.
		if x.key == f.signer || bytes.Equal(x.key.ckn(), m.CKN) {
			p = x
		}
	}
	if p == nil || !e.authentic(f, p.key) {
		return
	}
	s := &e.sl().env
	if !p.peer.known || p.peer.mi != m.MI {
		p.peer = peerInfo{known: true, mi: m.MI}
	}
	p.peer.mn, p.peer.heard, p.life = m.MN, s.e.Now(), true
	e.sl().schedule()
	wasLive := p.peer.live
	listed := func(x macsec.Peer) bool { return x.MI == p.mi }
	p.peer.live = slices.ContainsFunc(m.Live, listed) || slices.ContainsFunc(m.Potential, listed)
	switch {
	case p.keyServer() && p.peer.live && p.sak == nil:
		e.sl().drawSAK(p)
		p.send()
	case !wasLive && p.peer.live:
		p.send() // answer at once, so liveness is mutual within a round trip
	}
	if m.DistSAK != nil && !p.keyServer() || m.SAKUse != nil && p.keyServer() && !p.inUse {
		// A SAK installed below restarts a PN count: the old SA's must
		// first be brought up to now.
		s.Advance()
	}
	if d := m.DistSAK; d != nil && !p.keyServer() {
		if sak, err := macsec.Unwrap(p.key.kek, d.WrappedSAK); err == nil && (p.sak == nil || d.KN != p.kn) {
			// The key server's copy, when the bytes agree (they do unless
			// the ends' keys differ): the SAs and checks that compare the
			// two ends' keys then compare one array with itself, which
			// reads neither. Nothing writes into a SAK once drawn.
			own := &sak
			if ks := e.sl().ends()[1-e.side].partFor(p.key); ks != nil && ks.sak != nil && bytes.Equal(*ks.sak, sak) {
				own = ks.sak
			}
			p.sak, p.kn, p.an, p.inUse, p.sakSA = own, d.KN, d.AN, true, nil
			e.install(p, m.SCI)
			p.send() // report the SAK in use at once
		}
	}
	if u := m.SAKUse; u != nil && p.keyServer() && p.sak != nil && u.LatestKN == p.kn && u.LatestRx && !p.inUse {
		p.inUse = true
		e.install(p, m.SCI)
	}
	// A live peer that reports no SAK in use, MKPDU after MKPDU, has lost
	// the one distributed (its own view of the CA went down while this end
	// still heard it): it gets a new one, when one may be drawn.
	if p.keyServer() && e.sl().sakUseMissing(p, p.sak != nil && p.sent && p.peer.live && m.SAKUse == nil) {
		if at, ok := e.sl().sakAllowedAt(p); !ok || s.e.Now() >= at {
			e.sl().drawSAK(p)
			p.send()
		}
	}
	e.sl().check()
}

// dueNow runs, before an MKPDU arriving now is read, what the link's
// timer has due at this very instant: the hellos and lifetimes of its
// participants at either end. With timers of their own they went first:
// a lifetime ending now was set 6 s ago, a hello 2 s ago, both before the
// MKPDU left. An MKPDU lost twice over makes the third arrive as the
// lifetime it would have renewed runs out (hellos are not jittered, and
// the lifetime is three of them), and the lifetime ends first. The link's
// timer, set again whenever the link's deadlines move, may come after the
// MKPDU now; what is run here is charged as the event it was. (Had the
// run's budget run out between the two, the run would have stopped before
// the MKPDU; now it stops after it.)
func (sl *Link) dueNow() {
	e := sl.env.e
	for sl.t.Pending() && sl.t.When() == e.Now() {
		e.Charge(1)
		(*mkaTimer)(sl).Fire()
	}
}

// newSAK is the key server drawing a new secure association key for its CA.
// Only the key is random: an XPN suite's salt follows from this
// participant's MI and the KN (mkaEnd.salt), as a standard peer derives it.
func (p *participant) newSAK() {
	s := &p.end.sl().env
	sak := make([]byte, p.end.sl().suite.KeyLen())
	for i := range sak {
		sak[i] = byte(s.e.Rand().Uint32())
	}
	p.sak, p.sakSA = &sak, nil
	if p.kn > 0 {
		p.an = (p.an + 1) % 4
	}
	p.kn++
	p.sent, p.inUse = false, false
}

// install makes a CA's SAK this end's transmit SA and adds it to the
// receive SAs, keeping the previous one so frames in flight validate.
func (e *mkaEnd) install(p *participant, peerSCI macsec.SCI) {
	tx := &macsec.SA{Suite: e.sl().suite, Key: *p.sak, SCI: e.sci(), AN: p.an}
	if e.sl().xpn {
		tx.SSCI, tx.Salt = macsec.SSCI(e.sci(), []macsec.SCI{e.sci(), peerSCI}), e.salt(p)
	}
	if err := tx.CanProtect(1); err != nil {
		panic(fmt.Sprintf("sim: installing a %s SA: %v", e.sl().about.name, err))
	}
	e.sl().tx[e.side] = tx
	e.logSA(p, tx)
	peerRx := e.sl().rxOf(1 - int(e.side))
	for i := range peerRx {
		if peerRx[i].sa.AN == tx.AN {
			shareKey(&peerRx[i], tx)
		}
	}
	e.txKey = p.key
	e.sl().pn[e.side] = 0 // the last PN used: a new SA's first frame takes PN 1 (IEEE 802.1AE nextPN)
	e.addRx(p, peerSCI)
	e.sl().SetRates(e.sl().pps) // the new SA counts from one: reschedule the next rekey
}

// salt is the XPN salt of a CA's current SAK, which each end derives on its
// own from the key server's MI and the KN (IEEE 802.1AE-2018 §10.7.8; see
// macsec.XPNSalt): the key server from its own MI, the other end from the MI
// in the key server's MKPDUs.
func (e *mkaEnd) salt(p *participant) [12]byte {
	return macsec.XPNSalt(p.keyServerMI(), p.kn)
}

// keyServerMI is the MI of the key server that distributed the CA's
// current SAK: with the KN, what names the SAK in MKPDUs (IEEE 802.1X-2010
// Figure 11-10, "Latest Key: Key Server Member Identifier"). The far end
// only hears SAKs from the one key server it peers with, p.peer; before it
// has a peer it has no SAK, and the zero MI says so.
func (p *participant) keyServerMI() [12]byte {
	switch {
	case p.keyServer():
		return p.mi
	case p.peer.known:
		return p.peer.mi
	}
	return [12]byte{}
}

// addRx accepts frames the peer protects with a CA's current SAK, keeping
// the previous receive SA so frames in flight still validate.
func (e *mkaEnd) addRx(p *participant, peerSCI macsec.SCI) {
	for _, r := range e.sl().rxOf(int(e.side)) {
		if p.ofSAK(r.sa) {
			return
		}
	}
	rx := &macsec.SA{Suite: e.sl().suite, Key: *p.sak, SCI: peerSCI, AN: p.an}
	peerTx := e.sl().tx[1-e.side]
	if e.sl().xpn {
		// The peer transmits with its own SSCI, fixed by the order of the
		// two SCIs (macsec.SSCI), not by which end is the key server.
		rx.SSCI, rx.Salt = macsec.SSCI(peerSCI, []macsec.SCI{e.sci(), peerSCI}), e.salt(p)
	}
	e.logSA(p, rx)
	r := rxSA{sa: rx, w: macsec.ReplayWindow{Next: 1}}
	if peerTx != nil && peerTx.AN == rx.AN {
		shareKey(&r, peerTx)
	}
	rxs := append([]rxSA{r}, e.sl().rxOf(int(e.side))...)
	if len(rxs) > 2 {
		// Two receive SAs are kept, the newest and the one before; but
		// never drop the one the peer still transmits with (a SAK redrawn
		// before the peer installed the last one), or its frames in the
		// meantime would not validate.
		drop := len(rxs) - 1
		if sa := rxs[drop].sa; peerTx != nil && sa.AN == peerTx.AN && bytes.Equal(sa.Key, peerTx.Key) {
			drop--
		}
		rxs = slices.Delete(rxs, drop, drop+1)
	}
	e.sl().setRx(int(e.side), rxs)
}

// shareKey has a receive SA use its peer's transmit SA's key and cipher
// when they agree (the usual case: the two ends hold the same SAK): every
// protected frame is sealed with one and opened with the other at once, and
// one copy of the keys stays in cache where two would not. When the two
// are alike in every field, as they are unless the ends disagree, the
// receive SA is the transmit SA itself: validating a frame then reads the
// SA that has just protected it, not another in memory. Neither is
// changed once installed, and the replay window is the entry's own.
func shareKey(r *rxSA, tx *macsec.SA) {
	rx := r.sa
	if !rx.ShareAEAD(tx) {
		return
	}
	rx.Key = tx.Key
	if rx.Suite == tx.Suite && rx.SCI == tx.SCI && rx.AN == tx.AN && rx.SSCI == tx.SSCI && rx.Salt == tx.Salt {
		r.sa = tx
	}
}

// lowestAcceptablePN is what this end reports in the SAK Use set as the
// Latest Key Lowest Acceptable PN (IEEE 802.1X-2010 Figure 11-10): the
// lowest PN its receive SA for the CA's current SAK accepts, i.e. the next
// PN it expects less the replay window, never below 1 (the receive SA's
// lowestPN, IEEE 802.1AE-2018 §10.6). The key server compares every
// member's report with the suite's threshold to rekey before the PNs run out
// (802.1X-2020 §9.8, as quoted in Wireshark's packet-macsec.c), so the value
// follows the peer's real transmit PN: control frames advance the replay
// window as they validate (sim/pcap.go), and the fluid traffic between them
// counts in Link.pn, here extrapolated to now less the link's latency,
// since frames still on the wire have not been received. (wpa_supplicant
// 2.11's KaY reports instead its transmit SA's PN of one hello earlier, what
// 802.1X-2010 clause 9 asks for delay protection; these MKPDUs do not set
// Delay Protect.)
func (e *mkaEnd) lowestAcceptablePN(p *participant) uint64 {
	var w *macsec.ReplayWindow
	rxs := e.sl().rxOf(int(e.side))
	for i := range rxs {
		if p.ofSAK(rxs[i].sa) {
			w = &rxs[i].w
			break
		}
	}
	if w == nil {
		return 1
	}
	next := w.Next
	sl, peer := e.sl(), 1-e.side
	if tx := sl.tx[peer]; tx != nil && p.ofSAK(tx) {
		elapsed := (sl.env.e.Now() - *sl.env.last - sl.link.Latency).Seconds()
		if sent := sl.pn[peer] + sl.pps[peer]*elapsed; sent >= 1 {
			next = max(next, uint64(sent)+1)
		}
	}
	return (&macsec.ReplayWindow{Next: next, Window: w.Window}).Lowest()
}

// ofSAK reports whether sa is of p's SAK: its AN and key.
func (p *participant) ofSAK(sa *macsec.SA) bool {
	if sa == p.sakSA && sa != nil {
		return true
	}
	if sa.AN == p.an && bytes.Equal(sa.Key, *p.sak) {
		p.sakSA = sa
		return true
	}
	return false
}

// validates reports whether e holds a receive SA for the peer's transmit
// SA tx: each end is up by its own view, but frames cross only when the
// other can check them (an end that lost its SAs cannot, until the key
// server moves on to the SAK it redistributes).
func (e *mkaEnd) validates(tx *macsec.SA) bool {
	// The SA itself, as both ends usually hold it, is found without
	// reading it.
	return tx != nil && slices.ContainsFunc(e.sl().rxOf(int(e.side)), func(r rxSA) bool {
		return r.sa == tx || r.sa.AN == tx.AN && bytes.Equal(r.sa.Key, tx.Key)
	})
}

// partFor is the participant running key k (or one with an equal CKN),
// nil when there is none.
func (e *mkaEnd) partFor(k *cak) *participant {
	for _, p := range e.parts() {
		// The key itself, as it usually is, is found without reading
		// the names.
		if p.key == k || p.key.name == k.name {
			return p
		}
	}
	return nil
}

// check works out each end's view of its controlled port and whether the
// link is secured: both ends transmit with a SAK of a CA whose peer they
// hear, and neither SA has run out of packet numbers. A change is a
// topology event, since must_encrypt takes the link down without it.
func (sl *Link) check() {
	sl.stir()
	s := &sl.env
	now := s.e.Now()
	if sl.st.rot {
		if p, q := sl.ends()[0].partFor(sl.rotating), sl.ends()[1].partFor(sl.rotating); p != nil && q != nil && p.inUse && q.inUse {
			sl.rotated, sl.rotating, sl.st.rot = now, nil, false
			s.Control(fmt.Sprintf("MKA %s: rotation to key %d complete; the previous key stays until removed", sl.about.name, p.key.id))
		}
	}
	// Each end decides for itself (IEEE 802.1X-2010 §9.4: a peer is live
	// while its MKPDUs keep arriving within the lifetime): an end that no
	// longer hears its peer takes its own port down, and the other keeps
	// its SAs until its own lifetime runs out. A rekey or a rotation keeps
	// the old SA until the new one is in, so neither interrupts this.
	for _, e := range sl.ends() {
		up := sl.tx[e.side] != nil && e.hearsLivePeer(now)
		if sl.st.up[e.side] && !up {
			sl.endDown(e, fmt.Sprintf("no live peer for %s", Lifetime))
		}
		sl.st.up[e.side] = up
	}
	agreed := sl.st.up[0] && sl.st.up[1] && !sl.st.exhausted[0] && !sl.st.exhausted[1] &&
		sl.ends()[1].validates(sl.tx[0]) && sl.ends()[0].validates(sl.tx[1])
	if agreed == sl.secured {
		return
	}
	sl.secured = agreed
	if agreed {
		s.Control(fmt.Sprintf("MKA %s: secured with %s (key %d)", sl.about.name, sl.suite, sl.ends()[0].txKey.id))
	}
	// Only the sessions over the link change routing, and they report
	// what they drop; traffic is recomputed either way.
	s.RoutingChanged("MACsec " + sl.about.name)
}

// Open is the link's gate: must_encrypt passes nothing until a key is
// agreed.
func (sl *Link) Open() bool { return sl.secured || !sl.must }

// Clear is the link's gate too: should_encrypt passes traffic unprotected
// until a key is agreed.
func (sl *Link) Clear() bool { return !sl.secured && sl.mode == stdlib.ShouldEncrypt }

// Why says why a closed gate is closed.
func (sl *Link) Why() string { return "MACsec must_encrypt without an agreed key" }

// SetRates gives every link its packet rate each way, from rates (a link
// not in it carries no traffic), in the order the links were added: it
// calls Link.SetRates on each link that carries traffic now, and on each
// busy one, where something may have changed since it last ran. On the
// rest it would do nothing. A call on every link at every change of
// routing grew with the square of the design: a run's warm-up has a
// change each time one more channel's MKA comes up.
func (s *Set) SetRates(rates map[*network.Link][2]float64) {
	for l, r := range rates {
		if sl, ok := l.Gate().(*Link); ok && r != ([2]float64{}) {
			sl.stir()
		}
	}
	todo := s.busy
	s.busy, s.idle = s.idle[:0], nil
	slices.SortFunc(todo, func(a, b *Link) int { return cmp.Compare(a.idx, b.idx) })
	for _, sl := range todo {
		sl.SetRates(rates[sl.link])
	}
	for _, sl := range todo {
		if sl.quiet() {
			sl.st.busy = false
		} else {
			s.busy = append(s.busy, sl)
		}
	}
	s.idle = todo[:0]
}

// stir puts sl on its Set's busy list: something happened on it, after
// which SetRates may have something to do there although the link carries
// no traffic. Whatever runs MKA on a link stirs it before the event
// ends: check does, which hellos, lifetimes, MKPDUs received, key
// mismatches, port resets and exhausted SAs all end in; the rest (rekey
// and exhaustion timers, rotations, key removals, a link starting, a
// packet number reaching the rekey threshold) stir it themselves.
func (sl *Link) stir() {
	if !sl.st.busy {
		sl.st.busy = true
		sl.env.busy = append(sl.env.busy, sl)
	}
}

// quiet reports whether SetRates with no traffic would leave sl as it
// is: no packet rate to clear, no rekey or end of a transmit SA to cancel
// or set, and none of what makes a rekey due without traffic (a PN at the
// threshold, a SAK the far end has not taken up, an exhausted SA that a
// new one replaced). It reads what SetRates reads.
func (sl *Link) quiet() bool {
	if sl.pps != ([2]float64{}) || sl.rekey.Pending() || (sl.rk.exhaust != nil && sl.rk.exhaust.Pending()) {
		return false
	}
	maxPN := float64(sl.suite.MaxPN())
	for i := range 2 {
		if sl.st.exhausted[i] && sl.pn[i] < maxPN {
			return false
		}
	}
	if sl.tx[0] == nil || sl.tx[1] == nil {
		return true
	}
	ks := sl.ends()[0]
	p := ks.partFor(ks.txKey)
	if p == nil {
		return true
	}
	thr := float64(sl.suite.RekeyThreshold())
	return sl.pn[0] < thr && sl.pn[1] < thr && !sl.pending(p)
}

// SetRates takes each direction's packet rate from the traffic and
// schedules the rekey for when the first transmit PN reaches the cipher
// suite's threshold (0xC0000000, or 0xC000000000000000 with XPN), and the
// end of a transmit SA for when a PN would pass the suite's maximum.
func (sl *Link) SetRates(pps [2]float64) {
	s := &sl.env
	now := s.e.Now()
	if !sl.secured {
		// Traffic crosses in the clear (should_encrypt) or not at all:
		// no frame takes a PN.
		pps = [2]float64{}
	}
	sl.pps = pps
	s.e.Cancel(sl.rekey)
	if sl.rk.exhaust != nil {
		s.e.Cancel(sl.rk.exhaust)
	}
	maxPN := float64(sl.suite.MaxPN())
	for i := range 2 {
		if sl.st.exhausted[i] && sl.pn[i] < maxPN {
			// A new SA counts from one: this end transmits again.
			sl.st.exhausted[i] = false
			s.e.After(0, sl.check)
		}
	}
	// Rekeys are the key server's, for the CA it transmits with, once both
	// ends have SAs to move on from.
	ks := sl.ends()[0]
	if sl.tx[0] == nil || sl.tx[1] == nil {
		return
	}
	p := ks.partFor(ks.txKey)
	if p == nil {
		return
	}
	thr := float64(sl.suite.RekeyThreshold())
	rekey, exhaust := time.Duration(-1), time.Duration(-1)
	for i := range 2 {
		if sl.pn[i] >= thr {
			// Past the threshold with the traffic gone (a link down, an
			// exhausted SA): the rekey is still due.
			rekey = now
		}
		if pps[i] <= 0 {
			continue
		}
		// Beyond 1e9 s is beyond any run: XPN at any rate.
		if secs := (thr - sl.pn[i]) / pps[i]; secs <= 1e9 {
			if at := now + time.Duration(max(secs, 0)*1e9); rekey < 0 || at < rekey {
				rekey = at
			}
		}
		if secs := (maxPN - sl.pn[i]) / pps[i]; !sl.st.exhausted[i] && secs <= 1e9 {
			if at := nextAt(now, secs); exhaust < 0 || at < exhaust {
				exhaust = at
			}
		}
	}
	if sl.pending(p) {
		// The far end may install the new SAK before the key server hears
		// so, restarting only its own PN: the key server's is still at the
		// threshold, and must not start another rekey. Only a SAK that
		// went unanswered for a lifetime is replaced.
		if _, ok := sl.drawnAt(p); !ok {
			sl.setDrawn(p, now)
		}
		rekey = now
	}
	if at, ok := sl.sakAllowedAt(p); ok && rekey >= 0 && rekey < at {
		rekey = at
	}
	if rekey >= 0 {
		s.e.Reset(sl.rekey, rekey)
	}
	if exhaust >= 0 {
		if sl.rk.exhaust == nil {
			sl.rk.exhaust = s.e.NewTimer(sl.exhaustNow)
		}
		s.e.Reset(sl.rk.exhaust, exhaust)
	}
}

// rekeyNow is a transmit PN at the threshold: the key server draws a new
// SAK for the CA in use and distributes it; the far end installs it for
// receive and transmit at once (the key server already receives with it)
// and reports it in SAK Use, and then the key server transmits with it too
// (IEEE 802.1X-2010 §9.8). One rekey runs at a time: the next threshold is
// counted from the new SAs' PNs.
func (sl *Link) rekeyNow() {
	sl.stir()
	s := &sl.env
	s.Advance()
	e := sl.ends()[0]
	if e.txKey == nil || sl.tx[1] == nil {
		return
	}
	p := e.partFor(e.txKey)
	if p == nil {
		return
	}
	if at, ok := sl.sakAllowedAt(p); ok && s.e.Now() < at {
		s.e.Reset(sl.rekey, at)
		return
	}
	dir := 0
	if sl.pn[1] > sl.pn[0] {
		dir = 1
	}
	why := fmt.Sprintf("the packet number from %s reached %#x", sl.about.ifaces[dir].Dev.Name, sl.suite.RekeyThreshold())
	switch {
	case sl.pending(p):
		why = fmt.Sprintf("SAK %d was not reported in use within %s", p.kn, Lifetime)
	case !sl.atThreshold(dir):
		// Nothing is due: the rates changed since this was scheduled.
		sl.SetRates(sl.pps)
		return
	}
	sl.drawSAK(p)
	sl.rekeys++
	s.Control(fmt.Sprintf("MKA %s: rekey %d — %s; the key server distributes a new SAK (AN %d)", sl.about.name, sl.rekeys, why, p.an))
	// Each direction counts on under the old SA until its end installs
	// the new one.
	p.send()
}

// Refusal is a key operation the open specification forbids: why, and
// what to do instead.
type Refusal struct {
	Message, Hint string // the rule broken, and what to do instead ("" when nothing can be done)
}

// Rotate checks the specification's rules for a rotation of sl's key by
// by (its manager when empty) and starts it: a new CAK/CKN on both ends,
// MKA agreeing on it beside the old one.
func (s *Set) Rotate(sl *Link, by string) (string, *Refusal) {
	sl.stir()
	now := s.e.Now()
	name := sl.about.name
	if by == "" {
		by = sl.about.manager
	}
	if by != sl.about.manager {
		return "", &Refusal{fmt.Sprintf("%s tried to rotate the MACsec key of %s, whose manager is %s: only the manager rotates keys", by, name, sl.about.manager),
			fmt.Sprintf("rotate_key(channel = %q, by = %q)", name, sl.about.manager)}
	}
	if n := len(sl.ends()[0].cold().keys); n >= 2 {
		return "", &Refusal{fmt.Sprintf("%s already has two keys: a channel holds at most two", name), fmt.Sprintf("remove_key(channel = %q) first", name)}
	}
	for _, o := range s.links {
		if o.about.group != sl.about.group {
			continue
		}
		if o.rotating != nil {
			return "", &Refusal{fmt.Sprintf("%s is still rotating its key: one channel of %s rotates at a time", o.about.name, sl.about.group), "wait until it finishes"}
		}
		if o.rotated >= 0 && now < o.rotated+rotationBake {
			return "", &Refusal{fmt.Sprintf("%s finished rotating at %s: %s must bake for %s before the next rotation (from %s)",
				o.about.name, units.Clock(o.rotated), sl.about.group, rotationBake, units.Clock(o.rotated+rotationBake)), "rotate after the bake"}
		}
	}
	// "A Channel is limited to 2 MacSecKey objects … amongst the N
	// Channels on the respective parent Interconnect, the limit is N+1"
	// (the open specification, schemas/macseckey/mac_sec_key.yaml, read
	// 2026-12): one channel may hold a second key at a time.
	channels, keys := 0, 1 // the new one
	var holder *Link
	for _, o := range s.links {
		if o.about.group == sl.about.group {
			channels++
			keys += len(o.ends()[0].cold().keys)
			if len(o.ends()[0].cold().keys) > 1 && holder == nil {
				holder = o
			}
		}
	}
	if keys > channels+1 && holder != nil {
		return "", &Refusal{fmt.Sprintf("%s would hold %d MACsec keys on its %d channels: at most one more than its channels (%s still holds two)",
			sl.about.group, keys, channels, holder.about.name), fmt.Sprintf("remove_key(channel = %q) first", holder.about.name)}
	}
	k := s.newCAK(sl.ends()[0].cold().keys[len(sl.ends()[0].cold().keys)-1].id + 1)
	for _, e := range sl.ends() {
		e.cold().keys = append(e.cold().keys, k)
		e.startParticipant(k)
	}
	sl.rotating, sl.st.rot = k, true
	return fmt.Sprintf("%s rotates the MACsec key of %s to key %d", by, name, k.id), nil
}

// RemoveKey deletes the previous key; the active one stays, as the
// specification requires. key is "active" when the script asked for the
// active key.
func (sl *Link) RemoveKey(key string) (string, *Refusal) {
	sl.stir()
	name := sl.about.name
	inUse := func(k *cak) bool {
		for _, e := range sl.ends() {
			if e.txKey != nil && e.txKey.name == k.name {
				return true
			}
		}
		return false
	}
	if key == "active" || len(sl.ends()[0].cold().keys) == 2 && (sl.rotating != nil || inUse(sl.ends()[0].cold().keys[0])) {
		return "", &Refusal{fmt.Sprintf("removing the active MACsec key of %s: an active key cannot be deleted", name),
			"rotate to a new key first, then remove the previous one"}
	}
	if len(sl.ends()[0].cold().keys) < 2 {
		return "", &Refusal{fmt.Sprintf("%s has no previous key to remove", name), ""}
	}
	old := sl.ends()[0].cold().keys[0]
	for _, e := range sl.ends() {
		e.cold().keys = e.cold().keys[1:]
		for _, p := range slices.Clone(e.parts()) {
			if p.key.id == old.id {
				p.stop()
			}
		}
	}
	return fmt.Sprintf("remove MACsec key %d of %s", old.id, name), nil
}

// MismatchKey gives the far end a different key than the AWS end, as a
// misconfiguration would; its MKPDUs stop validating at the AWS end, and
// the AWS end's stop validating there. key is "ckn" to change the key's
// name, else the key itself changes.
func (s *Set) MismatchKey(sl *Link, key string) string {
	far := sl.ends()[1]
	fk := far.cold().keys
	old := fk[len(fk)-1]
	bad := s.newCAK(old.id)
	what := "CAK"
	if key == "ckn" {
		what = "CKN"
		bad.secret = old.secret
	} else {
		bad.name = old.name
	}
	fk[len(fk)-1] = bad
	for _, p := range slices.Clone(far.parts()) {
		if p.key == old {
			p.stop()
		}
	}
	far.startParticipant(bad)
	// Reconfiguring a key restarts the far end's CA: its SAs go with it,
	// so it can neither protect nor validate a frame. The AWS end is not
	// told: it keeps its participant, SAs and live peer until the peer's
	// lifetime runs out, 6 s after the last MKPDU it validated (or BFD
	// notices first, as nothing crosses the link any more).
	if far.txKey == old {
		sl.endDown(far, "its CA restarted with the changed "+what)
	}
	sl.check()
	return fmt.Sprintf("the far end of %s now has a different %s for key %d", sl.about.name, what, old.id)
}

// Protect protects frame, sent from end side, under that end's transmit
// SA, appending the result to buf, and checks it with the far end's
// receive SAs and replay windows. sent is false when the SA has no packet
// number left, so nothing leaves (see exhaust) and the link waits for the
// next SAK; accepted is false when the far end refused the frame.
func (sl *Link) Protect(side int, buf, frame []byte) (wire []byte, sent, accepted bool) {
	pn, ok := sl.nextPN(side)
	if !ok {
		return nil, false, false
	}
	wire, err := macsec.AppendProtect(buf, sl.tx[side], frame, pn, macsec.Options{Encrypt: true})
	if err != nil {
		panic(fmt.Sprintf("sim: protecting a %s frame: %v", sl.about.name, err))
	}
	if !sl.ends()[1-side].accept(wire) {
		sl.rejected++
		return wire, true, false
	}
	return wire, true, true
}

// Deliver is Protect for a frame whose bytes nobody reads (no capture is
// written): the same packet number is used and the far end decides the
// same and advances the same replay window (macsec.Admit), but no frame
// is built and no cipher runs. Sealing and opening every control packet
// was most of a run's work, and the cipher state of every link in use
// made a large design's working set outgrow the processor's caches.
func (sl *Link) Deliver(side int) (sent, accepted bool) {
	pn, ok := sl.nextPN(side)
	if !ok {
		return false, false
	}
	tx, rx := sl.tx[side], sl.rxOf(1-side)
	if len(rx) == 0 || rx[0].sa != tx {
		// Checked as protecting would; the SA itself was checked when
		// installed (install), and an SA does not change after that.
		if err := tx.CanProtect(pn); err != nil {
			panic(fmt.Sprintf("sim: protecting a %s frame: %v", sl.about.name, err))
		}
	}
	for i := range rx {
		var ok bool
		if rx[i].sa == tx {
			// Both ends hold the one SA (shareKey): the window and the
			// PN decide, without reading the SA.
			ok = macsec.AdmitSelf(pn, sl.xpn, &rx[i].w)
		} else {
			ok = macsec.Admit(tx, pn, rx[i].sa, &rx[i].w)
		}
		if ok {
			return true, true
		}
	}
	sl.rejected++
	return true, false
}

// nextPN takes the packet number of end side's next frame; false when the
// SA has none left, so nothing leaves (see exhaust).
func (sl *Link) nextPN(side int) (uint64, bool) {
	// From xpn: the suite itself is on a line a packet from the far end
	// does not otherwise read.
	pn := math.Floor(sl.pn[side]) + 1
	if pn > float64(macsec.MaxPN(sl.xpn)) {
		sl.exhaust(side)
		return 0, false
	}
	if pn >= float64(macsec.RekeyThreshold(sl.xpn)) {
		sl.stir() // a rekey is due (SetRates)
	}
	sl.pn[side] = pn
	return uint64(pn), true
}

// accept validates a protected frame with a receive SA of this end.
func (e *mkaEnd) accept(wire []byte) bool {
	buf := e.sl().env.PlainBuf
	rxs := e.sl().rxOf(int(e.side))
	for i := range rxs {
		plain, _, err := macsec.AppendValidate((*buf)[:0], rxs[i].sa, &rxs[i].w, wire)
		if plain != nil {
			*buf = plain
		}
		if err == nil {
			return true
		}
	}
	return false
}

// Status is MACsec on a link as it is now, for reports and checks.
type Status struct {
	Name     string             // the link's first session's
	Suite    macsec.CipherSuite // the cipher suite in use
	Secured  bool               // both ends transmit with a SAK the other has
	Rekeys   int                // SAKs distributed after the first
	Rejected int                // protected frames the far end refused
	PN       [2]float64         // packets sent each way under the current SAK
	Ends     [2]EndStatus       // the AWS end (the key server) first
}

// EndStatus is one end's MACsec as it is now.
type EndStatus struct {
	MAC   [6]byte       // the end's MAC address, its SCI's first six octets
	Tx    *macsec.SA    // the transmit SA; nil when the end has none
	MI    [12]byte      // its first MKA participant's member identifier; zero when it has none
	Heard time.Duration // when that participant last heard its peer
	Hello time.Duration // when that participant sends its next MKPDU
}

// Status is sl as it is now.
func (sl *Link) Status() Status {
	st := Status{Name: sl.about.name, Suite: sl.suite, Secured: sl.secured, Rekeys: int(sl.rekeys), Rejected: sl.rejected, PN: sl.pn}
	for i, e := range sl.ends() {
		es := &st.Ends[i]
		es.MAC, es.Tx = e.mac(), sl.tx[i]
		if ps := e.parts(); len(ps) > 0 {
			p := ps[0]
			es.MI, es.Hello = p.mi, p.hello
			if p.peer.known {
				es.Heard = p.peer.heard
			}
		}
	}
	return st
}

// ResetPort takes end side's MACsec down as a port reset does: its CA
// restarts, its SAs go, and it starts over with the keys it has.
func (sl *Link) ResetPort(side int, why string) {
	sl.endDown(sl.ends()[side], why)
	sl.check()
}

// Links is the set's links, in the order they were added.
func (s *Set) Links() []*Link { return s.links }

// Secured reports whether both ends transmit with a SAK the other has.
func (sl *Link) Secured() bool { return sl.secured }

// Link is the network link MACsec runs on.
func (sl *Link) Link() *network.Link { return sl.link }

// Ends is the link's ends, AWS's (the key server's) first.
func (sl *Link) Ends() [2]*network.Iface { return sl.about.ifaces }
