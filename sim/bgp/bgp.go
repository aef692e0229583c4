// Package bgp is eBGP as AWS runs it over Direct Connect and
// Interconnect: a Session per link and address family, each with its own
// TCP connection, timers and BFD, whose AWS end listens and whose far end
// connects. Each end is a Speaker running RFC 4271's finite state machine
// (FSMState); its messages are encoded and decoded with GoBGP's packet
// library (one family's multiprotocol capability, 4-octet ASes, IPv6 in
// MP_REACH_NLRI and MP_UNREACH_NLRI) and cross a model of TCP: reliable,
// ordered delivery over the link's latency, held while the link is down
// and sent when it returns. The AWS end refuses more prefixes than its
// limit (NOTIFICATION Cease/1 with RFC 4486's data, then an idle hold)
// and reads its local-preference communities (7224:7100, 7200, 7300);
// announcements wait out the MRAI, withdrawals do not.
//
// Build makes the plan's sessions from an Env (the engine, the network,
// Control for the timeline, RoutingChanged to reconverge, Send for the
// wire) and a Config (timers and limits). Routes enter the network
// through each speaker's network.Feed (Learn, then Receive) and leave it
// through the speaker as a network.Exporter, which TableChanged tells
// what to advertise again.
package bgp

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/osrg/gobgp/v3/pkg/packet/bgp"

	"patchbay/lang"
	"patchbay/planner"
	"patchbay/sim/engine"
	"patchbay/sim/network"
)

// FSMState is a state of the RFC 4271 finite state machine.
type FSMState uint8

const (
	Idle        FSMState = iota // no connection: before Start, after a reset, during an idle hold
	Connect                     // the far end: its SYN sent, awaiting the SYN-ACK
	Active                      // the AWS end: listening for the far end's SYN
	OpenSent                    // TCP up and our OPEN sent, awaiting the peer's
	OpenConfirm                 // OPENs exchanged and our KEEPALIVE sent, awaiting the peer's
	Established                 // KEEPALIVEs exchanged: UPDATEs flow both ways
)

// String is the state's name as RFC 4271 spells it.
func (s FSMState) String() string {
	return [...]string{"Idle", "Connect", "Active", "OpenSent", "OpenConfirm", "Established"}[s]
}

// AWS reads these communities on routes it receives as local preference
// (Direct Connect routing policies); a route without one is medium.
var awsLocalPref = map[uint32]uint32{7224<<16 | 7100: 100, 7224<<16 | 7200: 200, 7224<<16 | 7300: 300}

// Session is one eBGP session over a channel or last-mile connection:
// the AWS end (Ends[0]) listens, the far end (Ends[1]) connects, so the
// two never collide. It carries one address family, as Direct Connect's
// sessions do (planner.Session): a dual-stack link has two, each with its
// own TCP connection, timers and BFD, which fail together only when the
// link does.
type Session struct {
	live        bool          // the far end is a real router (GoLive)
	Name        string        // the planner's (planner.Session.Name)
	Link        *network.Link // the channel or last-mile connection it runs over
	VLAN        int           // the channel's or connection's VLAN tag
	Ends        [2]*Speaker   // the AWS end, then the far end; a Speaker's Side indexes it
	hold        time.Duration
	keepalive   time.Duration
	BFD         *planner.BFD // the detection the session runs; nil: none
	MaxPrefixes int          // what the AWS end accepts; 0: no limit
	afi         uint16       // 1 IPv4, 2 IPv6 (RFC 4760's AFIs)
	// group is every session over Link, this one included, IPv4 first.
	group []*Session
}

// carries reports whether p is of the session's address family.
func (se *Session) carries(p netip.Prefix) bool { return p.Addr().Is4() == (se.afi == afiIPv4) }

// Transport is the real TCP connection of a live session: what the AWS
// end sends goes out on it, to a real router.
type Transport interface {
	// Write sends whole BGP messages, in order, without blocking the run.
	Write(msgs []byte)
	// Close closes the connection once what was written has gone.
	Close()
}

// GoLive makes the session's far end a real router: the simulated far end
// never runs, and its AWS end takes connections through Accept. The AWS
// end keeps the plan's address: it is the next hop it advertises, as
// AWS's is, and what the capture shows. Call it before the ends start.
func (se *Session) GoLive() { se.live = true }

// Live reports whether the session's far end is a real router.
func (se *Session) Live() bool { return se.live }

// ASN is the end's autonomous system number, as the plan derived it.
func (sp *Speaker) ASN() uint32 { return sp.asn }

// Accept gives a live session's AWS end a connection from its real peer.
// As AWS's end does, it takes one only while it listens (Active, not in
// the idle hold after a Cease); false means it refused, and the caller
// closes the connection. Taking it, the end sends its OPEN.
// port and theirs are the connection's TCP ports, for the capture.
func (sp *Speaker) Accept(t Transport, port, theirs uint16) bool {
	if sp.Side != 0 || !sp.Session.live || sp.state != Active || sp.live != nil || !sp.Session.Link.Up() {
		return false
	}
	sp.live, sp.liveSeq, sp.liveAck, sp.livePort, sp.theirPort = t, 1, 1, port, theirs
	sp.tcpUp()
	return true
}

// Deliver hands a live session's AWS end one whole message its real peer
// sent; it is captured on the way, as the simulated far end's would be.
// t is the connection it came on: one the end has since given up on
// delivers nothing.
func (sp *Speaker) Deliver(t Transport, msg []byte) {
	if sp.live == nil || sp.live != t {
		return
	}
	peer := sp.Peer
	// The capture's numbers are relative to each direction's start.
	crossed := peer.env.Send(peer, sp.theirPort, sp.livePort, sp.liveAck, sp.liveSeq, PSH|ACK, msg)
	sp.liveAck += uint32(len(msg))
	if crossed {
		sp.receive(bgpMessage{bytes: msg})
	}
}

// PeerClosed tells a live session's AWS end that its real peer closed the
// connection (or it broke): the session is over (RFC 4271's
// TcpConnectionFails).
func (sp *Speaker) PeerClosed(t Transport, why string) {
	if sp.live == nil || sp.live != t {
		return
	}
	if sp.state >= OpenSent {
		sp.reset("the peer closed the TCP connection: " + why)
		return
	}
	sp.live.Close()
	sp.live, sp.liveHeld = nil, nil
}

const (
	afiIPv4 uint16 = 1
	afiIPv6 uint16 = 2
)

// Speaker is one end of a session.
type Speaker struct {
	// What every KEEPALIVE sent or received reads comes first: with
	// thousands of speakers, a KEEPALIVE's cost is mostly the lines it
	// misses. link is the session's, so that one sent reads nothing of
	// the session.
	env     *Set
	Session *Session // the session this is an end of
	Peer    *Speaker // the session's other end
	link    *network.Link
	Side    int     // 0 for the AWS end, 1 for the far end: its index in Session.Ends
	MAC     [6]byte // the interface's, locally administered, from its ID
	state   FSMState
	conn    *tcpConn
	hold    time.Duration // negotiated

	// What a KEEPALIVE sent reads besides, on the second line, and one
	// received, on the third, with the two timers inside the speaker
	// (TestSpeakerLayout): timers of their own, each run through a method
	// value, were three lines more a KEEPALIVE once thousands of sessions
	// ran. Sessions' KEEPALIVEs are half a minute apart, so each finds
	// its lines out of the cache.
	keepaliveTimer engine.Timer
	// live is the real TCP connection of a live session's AWS end (nil:
	// none, or the session is simulated end to end).
	live      Transport
	holdTimer engine.Timer

	Addr  netip.Addr     // the session's address on the link, of its family
	Iface *network.Iface // the router's interface on the link
	VRF   *network.VRF   // the table the end learns into and advertises from
	asn   uint32
	id    netip.Addr // the BGP identifier: the router's, one for all its sessions (planner.Side.RouterID)
	// linkAddr is the router's IPv4 address on the link, for the IPv6
	// session too: the peer address route selection compares.
	linkAddr netip.Addr

	// holdCfg is this end's configured hold time when it differs from the
	// session's (a customer router set otherwise); 0: the session's.
	holdCfg  time.Duration
	idleHold bool // after a Cease for too many prefixes: wait before listening again
	// foreignNoted: the timeline has said that the peer sent routes of a
	// family the session did not negotiate, which it says once a session.
	foreignNoted bool
	// peerOld: the peer's OPEN had no 4-octet AS capability, so it is an
	// OLD speaker of RFC 6793: paths go to it with 2-octet ASes, AS_TRANS
	// for the rest, and AS4_PATH beside, and come from it the same way.
	peerOld bool

	connectRetry, synRetry, mrai, flushTimer *engine.Timer
	synBackoff                               time.Duration

	ribIn   map[netip.Prefix]*network.Received
	feed    network.Feed // where what the session receives enters our table
	adjOut  map[netip.Prefix]*network.Attrs
	pending map[netip.Prefix]bool
	policy  lang.Advertise
	flood   []netip.Prefix

	liveHeld            [][]byte // what was sent while the link was down: TCP sends it when the link returns
	liveSeq, liveAck    uint32   // number what the live connection carries, in the capture
	livePort, theirPort uint16
	_                   [32]byte // to nine lines, so that a speaker starts on one
}

// keepaliveFire and holdFire are a speaker as what its KEEPALIVE and hold
// timers run.
type (
	keepaliveFire Speaker
	holdFire      Speaker
)

func (f *keepaliveFire) Fire() { (*Speaker)(f).onKeepalive() }
func (f *holdFire) Fire()      { (*Speaker)(f).onHoldExpired() }

// bgpMessage is what one TCP segment delivers: whole BGP messages.
type bgpMessage struct {
	bytes []byte
	paths sentPaths
}

// sentPaths are the paths of the prefixes a flush announces, in prefix
// order (network.ComparePrefixes): a slice the flush has anyway, searched, rather
// than a map built for every flush.
type sentPaths []sentPath

type sentPath struct {
	prefix netip.Prefix
	network.Received
}

// of is p's entry; the zero one if p is not there.
func (ps sentPaths) of(p netip.Prefix) network.Received {
	if i, ok := slices.BinarySearchFunc(ps, p, func(s sentPath, p netip.Prefix) int { return network.ComparePrefixes(s.prefix, p) }); ok {
		return ps[i].Received
	}
	return network.Received{}
}

// Over is the link the session runs over.
func (sp *Speaker) Over() *network.Link { return sp.link }

// Up reports whether the session is Established at this end.
func (sp *Speaker) Up() bool { return sp.state == Established }

// State is the end's state in RFC 4271's finite state machine.
func (sp *Speaker) State() FSMState { return sp.state }

// Received is what the end holds from its peer (its Adj-RIB-In), by
// prefix; the map is the speaker's, to read, not to change.
func (sp *Speaker) Received() map[netip.Prefix]*network.Received { return sp.ribIn }

// NegotiatedHold is the hold time the end agreed with its peer: the
// smaller of the two OPENs' (RFC 4271 §4.2); 0 before an OPEN arrived.
func (sp *Speaker) NegotiatedHold() time.Duration { return sp.hold }

// SetHoldTime configures the hold time this end proposes when it differs
// from the session's, as a customer router set otherwise does; 0: the
// session's.
func (sp *Speaker) SetHoldTime(d time.Duration) { sp.holdCfg = d }

// IdleHold reports whether the end waits before listening again, as it
// does after a Cease for too many prefixes.
func (sp *Speaker) IdleHold() bool { return sp.idleHold }

// NextKeepalive is when the end sends its next KEEPALIVE; 0 when none is
// scheduled.
func (sp *Speaker) NextKeepalive() time.Duration {
	if !sp.keepaliveTimer.Pending() {
		return 0
	}
	return sp.keepaliveTimer.When()
}

// flushLive sends a live end's held messages while its link is up.
func (sp *Speaker) flushLive() {
	if sp.live == nil || !sp.Session.Link.Up() {
		return
	}
	for _, m := range sp.liveHeld {
		if sp.env.Send(sp, sp.livePort, sp.theirPort, sp.liveSeq, sp.liveAck, PSH|ACK, m) {
			sp.live.Write(m)
		}
		sp.liveSeq += uint32(len(m))
	}
	sp.liveHeld = sp.liveHeld[:0]
}

// HeaderError ends a live session whose peer sent what is not a BGP
// message: NOTIFICATION 1 (message header error) with subcode sub and
// data (RFC 4271 §6.1: 1 connection not synchronized, for a bad marker;
// 2 bad message length, with the length).
func (sp *Speaker) HeaderError(t Transport, sub uint8, data []byte, why string) {
	if sp.live == nil || sp.live != t {
		return
	}
	sp.downWith(why, &notify{1, sub}, data)
}

// Sessions is the set's sessions, in the plan's order.
func (s *Set) Sessions() []*Session { return s.sessions }

// Session is the session of that name; nil when there is none.
func (s *Set) Session(name string) *Session {
	for _, se := range s.sessions {
		if se.Name == name {
			return se
		}
	}
	return nil
}

// Resume lets every connection over a link that is up again send what
// it held while the link was down, as TCP's retransmission does.
func (s *Set) Resume() {
	for _, se := range s.sessions {
		if se.Link.Up() {
			for _, sp := range se.Ends {
				if sp.conn != nil {
					sp.conn.linkUp()
				}
				sp.flushLive()
			}
		}
	}
}

// Shutdown closes every established session of device d with a Cease/2
// (administrative shutdown, RFC 4486), as a router taken out for
// maintenance does, so its peers withdraw its routes at once; why is for
// the timeline.
func (s *Set) Shutdown(d *network.Device, why string) {
	for _, se := range s.sessions {
		for _, sp := range se.Ends {
			if sp.Iface.Dev == d && sp.state == Established {
				sp.down(why, &notify{6, 2})
			}
		}
	}
}

func (sp *Speaker) holdTime() time.Duration {
	if sp.holdCfg > 0 {
		return sp.holdCfg
	}
	return sp.Session.hold
}

// String is the end's device name, as the timeline gives it.
func (sp *Speaker) String() string { return sp.Iface.Dev.Name }

// siblings are this end's speakers of every session over the link, this
// one included.
func (sp *Speaker) siblings() []*Speaker {
	out := make([]*Speaker, len(sp.Session.group))
	for i, se := range sp.Session.group {
		out[i] = se.Ends[sp.Side]
	}
	return out
}

func familyName(afi uint16) string {
	if afi == afiIPv6 {
		return "IPv6"
	}
	return "IPv4"
}

// linkLocal is the interface's IPv6 link-local address, its MAC as a
// modified EUI-64 (RFC 4291 §2.5.1 and appendix A; RFC 2464 §5), which an
// IPv6 next hop carries beside the global one when the peer shares the
// link (RFC 2545 §3). Invalid on an IPv4 session.
func (sp *Speaker) linkLocal() netip.Addr {
	if sp.Session.afi != afiIPv6 {
		return netip.Addr{}
	}
	m := sp.MAC
	return netip.AddrFrom16([16]byte{0: 0xfe, 1: 0x80, 8: m[0] ^ 0x02, 9: m[1], 10: m[2], 11: 0xff, 12: 0xfe, 13: m[3], 14: m[4], 15: m[5]})
}

// Build gives every session of the plan over a link of env's network its
// two speakers, each the learning end of the planner's relation into its
// table (network.Network.Learn) and an exporter from it. Call it before
// the network's Index; start the speakers with Start.
func Build(env Env, cfg Config, p *planner.Plan) *Set {
	set := &Set{Env: env, Config: cfg}
	n := env.Network
	vlans := map[string]int{}
	for _, ic := range p.Interconnects {
		for _, ch := range ic.Channels {
			vlans[ch.Name] = ch.VLAN
		}
	}
	for _, lm := range p.LastMiles {
		for _, c := range lm.Connections {
			vlans[c.Name] = c.VLAN
		}
	}
	groups := map[*network.Link][]*Session{}
	for _, ps := range p.Sessions {
		l, ok := n.Link(ps.Over)
		if !ok {
			continue
		}
		se := &Session{Name: ps.Name, Link: l, VLAN: vlans[ps.Over], hold: time.Duration(ps.HoldTime) * time.Second,
			keepalive: time.Duration(ps.Keepalive) * time.Second, BFD: ps.BFD, afi: afiIPv4}
		if slices.Equal(ps.AddressFamily, []string{"ipv6-unicast"}) {
			se.afi = afiIPv6
		}
		// Direct Connect's limit is "100 each for IPv4 and IPv6" routes from
		// on-premises, and each family has its session
		// (https://docs.aws.amazon.com/directconnect/latest/UserGuide/limits.html, read 2026-12).
		if l.Kind == "connection" {
			se.MaxPrefixes = cfg.MaxPrefixes
		}
		groups[l] = append(groups[l], se)
		for _, x := range groups[l] {
			x.group = groups[l]
		}
		for i, side := range []planner.Side{ps.Local, ps.Peer} {
			iface := l.A
			if iface.Dev.Name != side.Device {
				iface = l.B
			}
			sp := &Speaker{env: set, Session: se, link: l, Side: i, Iface: iface, VRF: iface.VRF, asn: side.ASN, Addr: side.Address, id: side.RouterID, linkAddr: side.Address,
				ribIn: map[netip.Prefix]*network.Received{}, adjOut: map[netip.Prefix]*network.Attrs{}, pending: map[netip.Prefix]bool{}}
			sp.MAC = [6]byte{0x02, 0x70, 0x62, byte(iface.ID >> 16), byte(iface.ID >> 8), byte(iface.ID)}
			if !sp.Addr.Is4() {
				// The IPv6 session compares as its link's IPv4 one.
				if first := groups[l][0]; first.afi == afiIPv4 {
					sp.linkAddr = first.Ends[i].Addr
				}
			}
			if !sp.id.IsValid() {
				// A router with no IPv4 session: the BGP identifier is four
				// octets (RFC 4271 §4.2), and RFC 6286 asks only that it be
				// non-zero and unique in its AS; the low four octets of its
				// address stand in.
				sp.id = netip.AddrFrom4([4]byte(sp.Addr.AsSlice()[12:]))
			}
			se.Ends[i] = sp
		}
		se.Ends[0].Peer, se.Ends[1].Peer = se.Ends[1], se.Ends[0]
		// Each session brings its family's routes over the planner's
		// relation between the two tables (Learn).
		for _, sp := range se.Ends {
			n.Learn(&sp.feed, sp.Iface, sp.Peer.VRF, sp.Peer.id, sp.Peer.linkAddr)
		}
		for _, sp := range se.Ends {
			n.AddExporter(sp.VRF, sp)
			sp.connectRetry = env.Engine.NewTimer(sp.onConnectRetry)
			sp.synRetry = env.Engine.NewTimer(sp.onSYNRetry)
			sp.holdTimer.SetHandler((*holdFire)(sp))
			sp.keepaliveTimer.SetHandler((*keepaliveFire)(sp))
			sp.mrai = env.Engine.NewTimer(sp.onMRAI)
			sp.flushTimer = env.Engine.NewTimer(sp.flush)
		}
		set.sessions = append(set.sessions, se)
	}
	return set
}

// Env is what BGP needs of the run: the clock, the network its routes
// enter and leave by, the timeline, routing to reconverge, and the wire
// its TCP segments cross.
type Env struct {
	Engine  *engine.Engine   // the run's clock, timers and random source
	Network *network.Network // where received routes enter and advertised ones come from
	// Control records a session's state change in the timeline.
	Control func(msg string)
	// RoutingChanged asks the network to reconverge, for cause.
	RoutingChanged func(cause string)
	// Send puts one of from's TCP segments on the wire (framing,
	// MACsec, capture) and reports whether the peer receives it.
	Send func(from *Speaker, sport, dport uint16, seq, ack uint32, flags Flags, payload []byte) bool
}

// Config is the BGP timers and limits a run's sessions share.
type Config struct {
	ConnectRetry time.Duration // RFC 4271's ConnectRetryTime
	MRAI         time.Duration // eBGP MinRouteAdvertisementIntervalTimer
	MaxPrefixes  int           // what an AWS end accepts over a last-mile connection, per family; 0: no limit
}

// Set is a run's BGP sessions, with what every speaker shares.
type Set struct {
	Env
	Config
	ports    int // ephemeral ports handed out so far, one counter per run
	sessions []*Session
	idle     []*tcpFlight // segments' flights not in use (tcpFlight)
}

// jitter is d scaled by a uniform factor in [0.75, 1], drawn from e's
// random source.
func jitter(e *engine.Engine, d time.Duration) time.Duration {
	return time.Duration(float64(d) * (0.75 + 0.25*e.Rand().Float64()))
}

// Start sets the end going: the AWS end listens (Active), the far end
// connects (Connect).
func (sp *Speaker) Start() {
	if sp.Side == 0 {
		sp.setState(Active, "")
		return
	}
	sp.connect()
}

func (sp *Speaker) setState(st FSMState, why string) {
	if sp.state == st {
		return
	}
	prev := sp.state
	sp.state = st
	sp.feed.SetEstablished(st == Established)
	if st == Established || prev == Established {
		msg := fmt.Sprintf("BGP %s at %s: %s → %s", sp.Session.Name, sp, prev, st)
		if why != "" {
			msg += " (" + why + ")"
		}
		// A failed device's own view is nobody's to see: its timers run
		// on, but only the living ends' transitions are news.
		if sp.Iface.Dev.Up() {
			sp.env.Control(msg)
		}
	}
}

// connect opens a TCP connection to the peer: a SYN now, retransmitted
// with exponential backoff (1 s, 2 s, 4 s …) until the ConnectRetry timer
// starts over, as a TCP stack does.
func (sp *Speaker) connect() {
	sp.setState(Connect, "")
	if sp.conn != nil {
		sp.conn.dead = true // a connection given up on: its late answers count for nothing
	}
	sp.conn = sp.env.newConn(sp)
	sp.conn.syn()
	sp.synBackoff = time.Second
	sp.env.Engine.Reset(sp.synRetry, sp.env.Engine.Now()+sp.synBackoff)
	sp.env.Engine.Reset(sp.connectRetry, sp.env.Engine.Now()+jitter(sp.env.Engine, sp.env.ConnectRetry))
}

func (sp *Speaker) onSYNRetry() {
	if sp.state != Connect || sp.conn == nil || sp.conn.ends[sp.Side].open {
		return
	}
	if sp.conn.dead {
		// BFD or MACsec took the last attempt down: try on a fresh one.
		sp.conn = sp.env.newConn(sp)
	}
	sp.conn.syn()
	sp.synBackoff *= 2
	sp.env.Engine.Reset(sp.synRetry, sp.env.Engine.Now()+sp.synBackoff)
}

func (sp *Speaker) onConnectRetry() {
	switch {
	case sp.Side == 0 && sp.idleHold:
		sp.idleHold = false
		sp.setState(Active, "")
	case sp.Side == 1 && (sp.state == Connect || sp.state == Idle):
		sp.connect()
	}
}

// tcpUp is the connection established: each side sends its OPEN.
func (sp *Speaker) tcpUp() {
	sp.env.Engine.Cancel(sp.synRetry)
	sp.env.Engine.Cancel(sp.connectRetry)
	hold := uint16(sp.holdTime() / time.Second)
	sp.send(encodeOpen(sp.asn, hold, sp.id, sp.Session.afi), nil)
	sp.setState(OpenSent, "")
	// RFC 4271 §8: a large hold time until the peer's OPEN arrives.
	sp.env.Engine.Reset(&sp.holdTimer, sp.env.Engine.Now()+4*time.Minute)
}

func (sp *Speaker) send(b []byte, paths sentPaths) {
	if sp.live != nil {
		// Nothing crosses a link that is down: TCP holds the message and
		// sends it when the link returns (Resume), unless the session
		// dies first.
		sp.liveHeld = append(sp.liveHeld, b)
		sp.flushLive()
		return
	}
	if sp.conn != nil && sp.conn.ends[sp.Side].open {
		sp.conn.data(sp, bgpMessage{bytes: b, paths: paths})
	}
}

// receive handles one BGP message from the peer.
func (sp *Speaker) receive(m bgpMessage) {
	if isKeepalive(m.bytes) {
		sp.onKeepaliveReceived()
		return
	}
	if sub, data, why := headerError(m.bytes); sub != 0 {
		sp.downWith(why, &notify{1, sub}, data)
		return
	}
	msg, err := decodeMessage(m.bytes)
	// An UPDATE with an error RFC 7606 handles without a reset: what
	// becomes of it, and the error, logged once its state is checked.
	var outcome string
	var malformed error
	var withdraw bool // treat-as-withdraw, of what the parser read and rawNLRI
	var rawNLRI []netip.Prefix
	if err != nil {
		// The parser's error carries the code RFC 4271 §6 and RFC 7606
		// give it, and how to handle it: an UPDATE whose attribute is
		// malformed has its routes withdrawn, or the attribute dropped,
		// and the session stays (RFC 7606 §2, §3).
		var me *bgp.MessageError
		switch {
		case !errors.As(err, &me) || me.TypeCode == 0:
			sp.down("cannot decode a message: "+err.Error(), &notify{1, 0})
			return
		case msg != nil && msg.Header.Type == bgp.BGP_MSG_UPDATE && me.ErrorHandling == bgp.ERROR_HANDLING_ATTRIBUTE_DISCARD:
			outcome, malformed = "its attribute dropped", err
		case msg != nil && msg.Header.Type == bgp.BGP_MSG_UPDATE && me.ErrorAttribute != nil && as4Attribute((*me.ErrorAttribute).GetType()):
			// "the 'attribute discard' approach is chosen to handle a
			// malformed AS4_PATH attribute", and AS4_AGGREGATOR alike
			// (RFC 6793 §6), where the parser would withdraw the routes.
			body, bad := msg.Body.(*bgp.BGPUpdate), (*me.ErrorAttribute).GetType()
			body.PathAttributes = slices.DeleteFunc(body.PathAttributes, func(pa bgp.PathAttributeInterface) bool { return pa.GetType() == bad })
			outcome, malformed = "its attribute dropped", err
		case msg != nil && msg.Header.Type == bgp.BGP_MSG_UPDATE && me.ErrorHandling == bgp.ERROR_HANDLING_TREAT_AS_WITHDRAW:
			// The parser may have stopped before the NLRI, or read it as
			// attributes: "the Total Attribute Length MUST be relied upon
			// to enable the beginning of the NLRI field to be located"
			// (RFC 7606 §4), and an NLRI that cannot be read resets the
			// session (§3).
			nlri, ok := classicNLRI(m.bytes)
			if !ok {
				sp.down("malformed UPDATE: its NLRI cannot be read past a malformed attribute ("+err.Error()+")", &notify{3, 1})
				return
			}
			outcome, malformed, withdraw, rawNLRI = "its routes treated as withdrawn", err, true, nlri
		default:
			sp.downWith("cannot decode a message: "+err.Error(), &notify{me.TypeCode, me.SubTypeCode}, me.Data)
			return
		}
	}
	switch body := msg.Body.(type) {
	case *bgp.BGPOpen:
		if sp.state != OpenSent {
			sp.unexpected("OPEN")
			return
		}
		// RFC 4271 §6.2: the version this end speaks, 4, is the one it
		// offers back.
		if body.Version != 4 {
			sp.downWith(fmt.Sprintf("OPEN of BGP version %d", body.Version), &notify{2, 1}, []byte{0, 4})
			return
		}
		peerAS := uint32(body.MyAS)
		as4 := false
		var families []bgp.RouteFamily
		for _, p := range body.OptParams {
			if _, ok := p.(*bgp.OptionParameterCapability); !ok {
				// Capabilities (RFC 5492) are the one optional parameter
				// BGP-4 defines now: "If one of the Optional Parameters in
				// the OPEN message is not recognized, then the Error
				// Subcode MUST be set to Unsupported Optional Parameters"
				// (RFC 4271 §6.2).
				sp.down("OPEN with an optional parameter other than capabilities", &notify{2, 4})
				return
			}
		}
		for _, p := range body.OptParams {
			if c, ok := p.(*bgp.OptionParameterCapability); ok {
				for _, cap := range c.Capability {
					switch f := cap.(type) {
					case *bgp.CapFourOctetASNumber:
						peerAS, as4 = f.CapValue, true
					case *bgp.CapMultiProtocol:
						families = append(families, f.CapValue)
					}
				}
			}
		}
		if peerAS != sp.Peer.asn {
			sp.down(fmt.Sprintf("OPEN from AS%d, expected AS%d", peerAS, sp.Peer.asn), &notify{2, 2})
			return
		}
		// "If the BGP Identifier field of the OPEN message is zero ... the
		// Error Subcode is set to 'Bad BGP Identifier'" (RFC 6286 §2.2).
		if body.ID.IsUnspecified() {
			sp.down("OPEN with BGP identifier 0.0.0.0", &notify{2, 3})
			return
		}
		// A speaker that announces no multiprotocol capability carries IPv4
		// unicast alone (RFC 4760 §8). Without the session's family in
		// common there is nothing to exchange: RFC 5492 §3's NOTIFICATION,
		// Unsupported Capability, with the capability it lacks.
		want := bgp.RF_IPv4_UC
		if sp.Session.afi == afiIPv6 {
			want = bgp.RF_IPv6_UC
		}
		if len(families) == 0 && want != bgp.RF_IPv4_UC || len(families) > 0 && !slices.Contains(families, want) {
			afi := sp.Session.afi
			sp.downWith(fmt.Sprintf("OPEN without %s unicast, the only family the session carries", familyName(afi)), &notify{2, 7},
				[]byte{1, 4, byte(afi >> 8), byte(afi), 0, 1})
			return
		}
		// An implementation "MUST reject Hold Time values of one or two
		// seconds" and "MAY reject any proposed Hold Time" (RFC 4271 §6.2):
		// the AWS end rejects 0 too, since "A hold value of 0 is not
		// supported" (Direct Connect user guide, BGP-specific settings,
		// https://docs.aws.amazon.com/directconnect/latest/UserGuide/bgp-specific-settings.html,
		// checked 2026-12).
		if body.HoldTime == 1 || body.HoldTime == 2 || body.HoldTime == 0 && sp.Side == 0 {
			sp.down(fmt.Sprintf("unacceptable hold time %d s", body.HoldTime), &notify{2, 6})
			return
		}
		// The lower hold time wins: never 0, which the AWS end refuses
		// and a simulated far end is never given.
		sp.hold = min(sp.holdTime(), time.Duration(body.HoldTime)*time.Second)
		sp.peerOld = !as4
		sp.send(encodeKeepalive(), nil)
		sp.setState(OpenConfirm, "")
		sp.restartHold()
		sp.scheduleKeepalive()
	case *bgp.BGPKeepAlive:
		sp.onKeepaliveReceived()
	case *bgp.BGPUpdate:
		if sp.state != Established {
			sp.unexpected("UPDATE")
			return
		}
		sp.restartHold()
		if sp.peerOld {
			twoOctetASPath(body)
		}
		u, err := decodeUpdate(body)
		if err != nil {
			sp.down("malformed UPDATE: "+err.Error(), &notify{3, 1})
			return
		}
		if missing := u.missing(); missing != "" && malformed == nil {
			// "If any of the well-known mandatory attributes are not
			// present in an UPDATE message, then 'treat-as-withdraw' MUST
			// be used" (RFC 7606 §3 (d)).
			outcome, malformed, withdraw = "its routes treated as withdrawn", fmt.Errorf("no %s", missing), true
		}
		if malformed != nil {
			sp.malformed(outcome, malformed)
		}
		if withdraw {
			u.withdrawn, u.announced, u.attrs = slices.Concat(u.withdrawn, u.announced, rawNLRI), nil, nil
		}
		if sp.peerOld {
			u.mergeAS4()
		}
		if other := sp.Session.keep(&u); len(other) > 0 && !sp.foreignNoted {
			sp.foreignNoted = true
			sp.env.Control(fmt.Sprintf("BGP %s at %s: the peer sent routes of %s, which the session did not negotiate: ignored, these and any more this session (RFC 5492 §3)",
				sp.Session.Name, sp, strings.Join(other, " and ")))
		}
		sp.apply(u, m.paths)
	case *bgp.BGPNotification:
		sp.down(fmt.Sprintf("NOTIFICATION %d/%d (%s) received", body.ErrorCode, body.ErrorSubcode, notificationText(body.ErrorCode, body.ErrorSubcode)), nil)
	}
}

// onKeepaliveReceived is a KEEPALIVE from the peer: it completes the
// OPEN exchange, or restarts the hold timer; before the peer's OPEN it is
// an error of the state machine (RFC 4271 §8.2.2, OpenSent, Event 26).
func (sp *Speaker) onKeepaliveReceived() {
	switch sp.state {
	case OpenSent:
		sp.unexpected("KEEPALIVE")
	case OpenConfirm:
		sp.foreignNoted = false
		sp.setState(Established, "")
		sp.restartHold()
		sp.announceAll()
	case Established:
		sp.restartHold()
	}
}

// unexpected ends the session on a message its state does not take:
// Finite State Machine Error with the subcode RFC 6608 §3 gives each
// state, 1 in OpenSent, 2 in OpenConfirm, 3 in Established.
func (sp *Speaker) unexpected(what string) {
	var sub uint8 // Unspecified Error, in any other state
	if sp.state >= OpenSent {
		sub = uint8(sp.state-OpenSent) + 1
	}
	sp.down(what+" in state "+sp.state.String(), &notify{5, sub})
}

// malformed notes an UPDATE with an error RFC 7606 handles without ending
// the session: the error is logged (§3 (j) asks for it), here in the
// timeline.
func (sp *Speaker) malformed(outcome string, err error) {
	sp.env.Control(fmt.Sprintf("BGP %s at %s: a malformed UPDATE, %s (RFC 7606): %v", sp.Session.Name, sp, outcome, err))
}

type notify struct{ code, subcode uint8 }

// RFC 4271 §4.5 and §6, RFC 4486 (Cease), RFC 5492 (capability), RFC
// 6608 (state machine).
var notificationNames = map[[2]uint8]string{
	{1, 1}: "message header error: connection not synchronized", {1, 2}: "message header error: bad message length",
	{1, 3}: "message header error: bad message type", {2, 1}: "OPEN message error: unsupported version number",
	{2, 2}: "OPEN message error: bad peer AS", {2, 3}: "OPEN message error: bad BGP identifier",
	{2, 4}: "OPEN message error: unsupported optional parameter", {2, 6}: "OPEN message error: unacceptable hold time",
	{2, 7}: "OPEN message error: unsupported capability", {6, 1}: "Cease: maximum number of prefixes reached",
	{6, 2}: "Cease: administrative shutdown", {5, 1}: "finite state machine error: unexpected message in OpenSent",
	{5, 2}: "finite state machine error: unexpected message in OpenConfirm",
	{5, 3}: "finite state machine error: unexpected message in Established",
}

func notificationText(code, sub uint8) string {
	if n, ok := notificationNames[[2]uint8{code, sub}]; ok {
		return n
	}
	switch code {
	case 2:
		return "OPEN message error"
	case 3:
		return "UPDATE message error"
	case 4:
		return "hold timer expired"
	case 5:
		return "finite state machine error"
	case 6:
		return "Cease"
	}
	return "message header error"
}

func (sp *Speaker) restartHold() {
	if sp.hold > 0 {
		sp.env.Engine.Reset(&sp.holdTimer, sp.env.Engine.Now()+sp.hold)
	} else {
		sp.env.Engine.Cancel(&sp.holdTimer)
	}
}

// scheduleKeepalive sets the next KEEPALIVE a third of the hold time
// ahead, jittered, but never less than a second, since KEEPALIVEs "MUST NOT
// be sent more frequently than one per second" (RFC 4271 §4.4): with a 3 s
// hold the jitter would otherwise bring them closer.
func (sp *Speaker) scheduleKeepalive() {
	if sp.hold > 0 {
		sp.env.Engine.Reset(&sp.keepaliveTimer, sp.env.Engine.Now()+max(jitter(sp.env.Engine, sp.hold/3), time.Second))
	}
}

func (sp *Speaker) onKeepalive() {
	if sp.state == OpenConfirm || sp.state == Established {
		sp.send(encodeKeepalive(), nil)
		sp.scheduleKeepalive()
	}
}

func (sp *Speaker) onHoldExpired() {
	if sp.state >= OpenSent {
		sp.down("hold timer expired", &notify{4, 0})
	}
}

// apply installs a received UPDATE, applying the import policy: AWS
// reads its local-preference communities, and refuses more prefixes from
// on-premises than its limit.
func (sp *Speaker) apply(u update, paths sentPaths) {
	for _, p := range u.withdrawn {
		if _, ok := sp.ribIn[p]; ok {
			delete(sp.ribIn, p)
			sp.feed.Receive(p, nil)
		}
	}
	if u.attrs != nil {
		a := *u.attrs
		a.LocalPref = network.DefaultLocalPref
		if sp.Side == 0 {
			// With more than one of AWS's tags, the highest preference
			// wins: they "are evaluated in order from lowest to highest
			// preference (where highest preference is preferred)" (Direct
			// Connect user guide, routing policies and BGP communities,
			// local preference BGP communities, read 2026-12).
			tagged := uint32(0)
			for _, c := range a.Communities {
				tagged = max(tagged, awsLocalPref[c])
			}
			if tagged != 0 {
				a.LocalPref = tagged
			}
		}
		loop := a.Holds(sp.asn)
		for _, p := range u.announced {
			if loop {
				if _, ok := sp.ribIn[p]; ok {
					delete(sp.ribIn, p)
					sp.feed.Receive(p, nil)
				}
				continue
			}
			e := paths.of(p)
			r := &network.Received{Attrs: &a, Path: e.Path, Origin: e.Origin}
			sp.ribIn[p] = r
			sp.feed.Receive(p, r)
		}
	}
	// A session carries one family, so its limit is that family's: the
	// other session of a dual-stack VIF stays up.
	if limit := sp.Session.MaxPrefixes; sp.Side == 0 && limit > 0 && len(sp.ribIn) > limit {
		sp.idleHold = true
		sp.down(fmt.Sprintf("%d %s prefixes from %s exceed the limit of %d: NOTIFICATION Cease/1 (maximum number of prefixes reached); the session stays idle for %s",
			len(sp.ribIn), familyName(sp.Session.afi), sp.Peer, limit, sp.env.ConnectRetry), &notify{6, 1})
		return
	}
	sp.env.RoutingChanged("BGP " + sp.Session.Name + " UPDATE at " + sp.String())
}

// down closes the session: a NOTIFICATION if there is one to send, then
// the connection; the routes it brought are gone.
func (sp *Speaker) down(why string, n *notify) { sp.downWith(why, n, nil) }

// downWith is down with the NOTIFICATION's data given.
func (sp *Speaker) downWith(why string, n *notify, data []byte) {
	// A real router refused before the session came up leaves no state
	// change in the timeline; the refusal is the news.
	if sp.live != nil && sp.state < Established {
		msg := fmt.Sprintf("BGP %s at %s: %s", sp.Session.Name, sp, why)
		if n != nil {
			msg += fmt.Sprintf(": NOTIFICATION %d/%d (%s) sent", n.code, n.subcode, notificationText(n.code, n.subcode))
		}
		sp.env.Control(msg)
	}
	if n != nil && (sp.live != nil || sp.conn != nil && sp.conn.ends[sp.Side].open) {
		if n.code == 6 && n.subcode == 1 {
			// RFC 4486 §4: AFI, SAFI (1, unicast) and the limit.
			m, afi := uint32(sp.Session.MaxPrefixes), sp.Session.afi
			data = []byte{byte(afi >> 8), byte(afi), 1, byte(m >> 24), byte(m >> 16), byte(m >> 8), byte(m)}
		}
		sp.send(encodeNotification(n.code, n.subcode, data), nil)
		if n.code == 4 {
			why = "hold timer expired: NOTIFICATION 4/0 sent"
		}
	}
	if sp.conn != nil {
		sp.conn.close(sp)
	}
	sp.reset(why)
	// The peer learns of it from the NOTIFICATION (or its own timers).
}

// reset returns a speaker to Idle and forgets the session's routes, then
// starts over: the AWS end listens again (after the idle hold, if any),
// the far end reconnects.
func (sp *Speaker) reset(why string) {
	was := sp.state
	sp.conn = nil
	if sp.live != nil {
		sp.live.Close()
		sp.live, sp.liveHeld = nil, nil
	}
	for _, t := range []*engine.Timer{&sp.holdTimer, &sp.keepaliveTimer, sp.mrai, sp.synRetry, sp.connectRetry} {
		sp.env.Engine.Cancel(t)
	}
	for p := range sp.ribIn {
		sp.feed.Receive(p, nil)
	}
	clear(sp.ribIn)
	clear(sp.adjOut)
	clear(sp.pending)
	sp.hold = 0
	if was == Established {
		sp.setState(Idle, why)
	} else {
		sp.state = Idle
		sp.feed.SetEstablished(false)
	}
	if sp.Side == 0 {
		if sp.idleHold {
			sp.env.Engine.Reset(sp.connectRetry, sp.env.Engine.Now()+sp.env.ConnectRetry)
		} else {
			sp.setState(Active, "")
		}
	} else {
		sp.connect()
	}
	if was == Established {
		sp.env.RoutingChanged("BGP " + sp.Session.Name + " down at " + sp.String())
	}
}

// BFDDown tears the session down at once, without waiting for the hold
// timer: what BFD is for. BFD runs per neighbour address (RFC 5881), so
// it speaks for this session only.
func (sp *Speaker) BFDDown() { sp.drop("BFD down") }

// LocalDown drops every session of this end over the link because this
// router knows the link is gone (its MACsec port went down), whatever
// family they carry.
func (sp *Speaker) LocalDown(why string) {
	for _, x := range sp.siblings() {
		x.drop(why)
	}
}

// drop ends this session without a word: nothing could cross anyway.
func (sp *Speaker) drop(why string) {
	if sp.live != nil && sp.state < OpenSent {
		sp.live.Close()
		sp.live, sp.liveHeld = nil, nil
	}
	if sp.state >= OpenSent || sp.state == Connect {
		was := sp.state
		if sp.conn != nil {
			sp.conn.abort()
		}
		if was >= OpenSent {
			sp.reset(why)
		}
	}
}

// TableChanged notes that our table's route for p changed, so what we
// advertise may have.
func (sp *Speaker) TableChanged(p netip.Prefix) {
	if !sp.Session.carries(p) {
		return
	}
	sp.pending[p] = true
	if sp.state == Established && !sp.flushTimer.Pending() {
		sp.env.Engine.Reset(sp.flushTimer, sp.env.Engine.Now())
	}
}

// announceAll sends the whole table once the session is up.
func (sp *Speaker) announceAll() {
	for p := range sp.VRF.Best.All() {
		if sp.Session.carries(p) {
			sp.pending[p] = true
		}
	}
	for _, p := range sp.flood {
		sp.pending[p] = true
	}
	sp.flush()
}

// desired is what we advertise for p now, nil for nothing.
func (sp *Speaker) desired(p netip.Prefix) *network.Attrs {
	// Whether there is anything to advertise first: a table's changes
	// reach every session it advertises over, and most are filtered.
	flood := slices.Contains(sp.flood, p)
	var r *network.Route
	if !flood {
		r = sp.VRF.Best.Get(p)
		if r == nil || !sp.Peer.feed.Exports(r) || r.Blackhole {
			return nil
		}
	}
	prepend := make([]uint32, 0, 1+sp.policy.Prepend)
	for range 1 + sp.policy.Prepend {
		prepend = append(prepend, sp.asn)
	}
	a := &network.Attrs{MED: sp.policy.MED, Communities: communities(sp.policy.Communities), ASPath: prepend}
	if r != nil && r.Attrs != nil {
		a.ASPath = append(a.ASPath, r.Attrs.ASPath...)
		a.Sets, a.Origin = r.Attrs.Sets, r.Attrs.Origin
	}
	return a
}

func communities(cs []string) []uint32 {
	var out []uint32
	for _, c := range cs {
		hi, lo, _ := strings.Cut(c, ":")
		h, _ := strconv.ParseUint(hi, 10, 16)
		l, _ := strconv.ParseUint(lo, 10, 16)
		out = append(out, uint32(h)<<16|uint32(l))
	}
	return out
}

// flush sends what changed: withdrawals at once, announcements at most
// once per MinRouteAdvertisementInterval.
func (sp *Speaker) flush() {
	if sp.state != Established || len(sp.pending) == 0 {
		return
	}
	keys := make([]netip.Prefix, 0, len(sp.pending))
	for p := range sp.pending {
		keys = append(keys, p)
	}
	slices.SortFunc(keys, network.ComparePrefixes)
	var withdraw []netip.Prefix
	var announce []announcement
	var paths sentPaths // in keys' order, which announce loses when sorted
	mraiRunning := sp.mrai.Pending()
	for _, p := range keys {
		want, had := sp.desired(p), sp.adjOut[p]
		switch {
		case want == nil && had != nil:
			withdraw = append(withdraw, p)
			delete(sp.adjOut, p)
			delete(sp.pending, p)
		case want == nil:
			delete(sp.pending, p)
		case want.Equal(had):
			delete(sp.pending, p)
		case !mraiRunning:
			announce = append(announce, announcement{p, want})
			sp.adjOut[p] = want
			delete(sp.pending, p)
			e := sentPath{prefix: p}
			if r := sp.VRF.Best.Get(p); r != nil {
				e.Path, e.Origin = r.Path, r.Origin
			} else {
				e.Path, e.Origin = []int32{int32(sp.VRF.ID)}, sp.VRF.String()
			}
			paths = append(paths, e)
		}
	}
	slices.SortStableFunc(announce, func(a, b announcement) int {
		if a.attrs.Equal(b.attrs) {
			return 0
		}
		return strings.Compare(fmt.Sprint(*a.attrs), fmt.Sprint(*b.attrs))
	})
	for _, msg := range encodeUpdates(withdraw, announce, sp.Addr, sp.linkLocal(), sp.peerOld) {
		sp.send(msg, paths)
	}
	if len(announce) > 0 && sp.env.MRAI > 0 {
		sp.env.Engine.Reset(sp.mrai, sp.env.Engine.Now()+jitter(sp.env.Engine, sp.env.MRAI))
	}
}

func (sp *Speaker) onMRAI() { sp.flush() }

// SetPolicy changes what the far end advertises over the link from now
// on, in every family: an advertise() names a channel or connection, not
// one of its sessions. The extra prefixes are IPv4 /24s, so they go over
// the IPv4 session.
func (sp *Speaker) SetPolicy(a lang.Advertise) {
	for _, x := range sp.siblings() {
		x.setSessionPolicy(a)
	}
}

func (sp *Speaker) setSessionPolicy(a lang.Advertise) {
	old := sp.flood
	sp.policy = a
	sp.flood = nil
	for i := range a.ExtraPrefixes {
		if sp.Session.afi == afiIPv4 {
			sp.flood = append(sp.flood, netip.PrefixFrom(netip.AddrFrom4([4]byte{198, 18 + byte(i/256), byte(i % 256), 0}), 24))
		}
	}
	for _, p := range slices.Concat(old, sp.flood) {
		sp.pending[p] = true
	}
	for p := range sp.adjOut {
		sp.pending[p] = true
	}
	if sp.state == Established {
		sp.env.Engine.Reset(sp.flushTimer, sp.env.Engine.Now())
	}
}
