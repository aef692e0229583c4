package sim

import (
	"bytes"
	"fmt"
	"slices"
	"time"

	"patchbay/planner"
	"patchbay/sim/macsec"
)

// MACsec modes of a link (Direct Connect's names).
const (
	modeNone   = "no_encrypt"
	modeShould = "should_encrypt"
	modeMust   = "must_encrypt"
)

// MKA timers (IEEE 802.1X-2010 §9.16): a participant sends an MKPDU every
// hello time and forgets a peer it has not heard from for the lifetime.
const (
	mkaHello    = 2 * time.Second
	mkaLifetime = 6 * time.Second
	// rotationBake is the open specification's wait after a key rotation
	// before the next one on the same interconnect.
	rotationBake = 2 * time.Hour
)

// eapolDst is the MKA group address (nearest non-TPMR bridge).
var eapolDst = [6]byte{0x01, 0x80, 0xc2, 0x00, 0x00, 0x03}

// cak is one pre-shared connectivity association key with its name.
type cak struct {
	ckn, key []byte
	id       int // 1 for a link's first key, 2 for the next …
}

// secLink is MACsec on one channel or connection: the keys installed, an
// MKA participant per end and key, and the secure associations in use.
type secLink struct {
	sim     *sim
	link    *Link
	sess    *session
	group   string // the Interconnect or last mile
	mode    string
	suite   macsec.CipherSuite
	manager string
	ends    [2]*mkaEnd

	secured  bool       // both ends transmit with a SAK the other has
	pn       [2]float64 // packets sent each way under the current SAK, traffic included
	pps      [2]float64 // packets per second each way now
	rekey    *Timer
	rekeys   int
	rotated  Time // when the last rotation finished; -1: never
	rotating *cak // the key a rotation in progress moves to
	rejected int  // protected frames the far end refused
}

// mkaEnd is one end's MACsec entity: its keys (which differ from the
// peer's only when misconfigured), its MKA participants and its SAs.
type mkaEnd struct {
	sl    *secLink
	side  int // 0 the AWS end (key server), 1 the far end
	mac   [6]byte
	sci   macsec.SCI
	keys  []*cak // installed, oldest first
	parts []*participant

	tx     *macsec.SA
	txKey  *cak // the CA the transmit SA belongs to
	rx     []*macsec.SA
	window map[*macsec.SA]*macsec.ReplayWindow
}

// participant is one MKA instance: one end running one CAK.
type participant struct {
	end      *mkaEnd
	key      *cak
	mi       [12]byte
	mn       uint32
	priority uint8
	peer     *peerInfo
	hello    *Timer
	expire   *Timer // the peer's lifetime runs out
	ick, kek []byte

	// The SAK of this CA (drawn by the key server, received by the other).
	kn     uint32
	an     uint8
	sak    []byte
	salt   [12]byte
	sent   bool // distributed in an MKPDU
	inUse  bool // the peer reported it installed (key server), or installed here
	rekeys int
}

type peerInfo struct {
	mi    [12]byte
	mn    uint32
	sci   macsec.SCI
	heard Time
	live  bool // it lists us: liveness is mutual
}

func (s *sim) buildMACsec(p *planner.Plan) {
	byName := map[string]*session{}
	for _, se := range s.sessions {
		byName[se.name] = se
	}
	add := func(name, group, mode, cipher, manager string) {
		se := byName[name]
		if se == nil || mode == modeNone || mode == "" {
			return
		}
		suite, err := macsec.ParseCipherSuite(cipher)
		if err != nil {
			suite = macsec.GCMAESXPN256
		}
		sl := &secLink{sim: s, link: se.link, sess: se, group: group, mode: mode, suite: suite, manager: manager, rotated: -1}
		sl.rekey = s.e.NewTimer(sl.rekeyNow)
		first := s.newCAK(1)
		for i, sp := range se.ends {
			e := &mkaEnd{sl: sl, side: i, mac: sp.mac, keys: []*cak{first}, window: map[*macsec.SA]*macsec.ReplayWindow{}}
			copy(e.sci[:6], sp.mac[:])
			e.sci[7] = 1
			sl.ends[i] = e
		}
		s.macsec = append(s.macsec, sl)
		se.link.sec = sl
	}
	for _, ic := range p.Interconnects {
		for _, ch := range ic.Channels {
			// The specification's failure mode: fail closed.
			add(ch.Name, ic.Interconnect.Name, modeMust, ch.MACsecCipher, ch.MACsecManager)
		}
	}
	for _, lm := range p.LastMiles {
		for _, c := range lm.Connections {
			add(c.Name, lm.LastMile.Name, c.MACsec, c.MACsecCipher, cat().Text("interconnect.macsec_manager"))
		}
	}
}

// newCAK draws a key and its name from the run's random source: 32
// octets each, 64 hex digits as AWS writes them.
func (s *sim) newCAK(id int) *cak {
	k := &cak{ckn: make([]byte, 32), key: make([]byte, 32), id: id}
	for i := range k.ckn {
		k.ckn[i] = byte(s.e.Rand().Uint32())
		k.key[i] = byte(s.e.Rand().Uint32())
	}
	return k
}

func (sl *secLink) start() {
	for _, e := range sl.ends {
		e.startParticipant(e.keys[0])
	}
}

func (e *mkaEnd) startParticipant(k *cak) *participant {
	s := e.sl.sim
	p := &participant{end: e, key: k, ick: macsec.ICK(k.key, k.ckn), kek: macsec.KEK(k.key, k.ckn)}
	// The AWS end is the key server: the lower priority value wins.
	if e.side == 1 {
		p.priority = 16
	}
	for i := range p.mi {
		p.mi[i] = byte(s.e.Rand().Uint32())
	}
	p.expire = s.e.NewTimer(e.sl.check)
	p.hello = s.e.NewTimer(func() {
		p.send()
		e.sl.check()
		s.e.Reset(p.hello, s.e.Now()+mkaHello)
	})
	s.e.Reset(p.hello, s.e.Now()+time.Duration(s.e.Rand().Int64N(int64(mkaHello/4))))
	e.parts = append(e.parts, p)
	return p
}

func (p *participant) stop() {
	p.end.sl.sim.e.Cancel(p.hello)
	p.end.sl.sim.e.Cancel(p.expire)
	p.end.parts = slices.DeleteFunc(p.end.parts, func(x *participant) bool { return x == p })
}

func (p *participant) keyServer() bool { return p.end.side == 0 }

func (p *participant) peerAlive(now Time) bool {
	return p.peer != nil && now-p.peer.heard < mkaLifetime
}

// send transmits an MKPDU on the link's uncontrolled port: the basic
// parameters, the peer lists, the SAK in use, and from the key server a
// newly drawn SAK, wrapped with the KEK.
func (p *participant) send() {
	e, sl, s := p.end, p.end.sl, p.end.sl.sim
	p.mn++
	m := &macsec.MKPDU{Version: 3, Priority: p.priority, KeyServer: p.keyServer(), MACsecDesired: true, Capability: 3,
		SCI: e.sci, MI: p.mi, MN: p.mn, AlgorithmAgility: 0x0080C201, CKN: p.key.ckn}
	if pi := p.peer; p.peerAlive(s.e.Now()) {
		if pi.live {
			m.Live = []macsec.Peer{{MI: pi.mi, MN: pi.mn}}
		} else {
			m.Potential = []macsec.Peer{{MI: pi.mi, MN: pi.mn}}
		}
	}
	if p.keyServer() && p.sak != nil && !p.sent && p.peerAlive(s.e.Now()) && p.peer.live {
		if wrapped, err := macsec.Wrap(p.kek, p.sak); err == nil {
			m.DistSAK = &macsec.DistSAK{AN: p.an, KN: p.kn, ConfidentialityOffset: macsec.ConfidentialityO0, WrappedSAK: wrapped}
			if sl.suite != macsec.GCMAES128 {
				m.DistSAK.Suite = sl.suite
			}
			p.sent = true
			// Ready to receive under the new SAK before the peer starts
			// sending with it, so no frame falls between the two.
			e.addRx(p, p.peer.sci)
		}
	}
	if p.sak != nil && (p.inUse || !p.keyServer()) {
		m.SAKUse = &macsec.SAKUse{LatestKN: p.kn, LatestAN: p.an, LatestTx: true, LatestRx: true, LatestLowestPN: 1}
		if p.keyServer() {
			m.SAKUse.LatestKeyServerMI = p.mi
		} else if p.peer != nil {
			m.SAKUse.LatestKeyServerMI = p.peer.mi
		}
	}
	if sl.suite.XPN() {
		m.XPN = &macsec.XPN{SuspensionTime: 0}
	}
	b, err := m.Marshal(p.ick, eapolDst, e.mac)
	if err != nil {
		return
	}
	if !sl.link.physUp() {
		return
	}
	s.captureEAPOL(e, b)
	peer := sl.ends[1-e.side]
	s.e.After(sl.link.Latency, func() { peer.receive(b) })
}

// receive reads an MKPDU: one naming a CKN this end has, whose ICV
// checks with that key's ICK, updates the participant running that key.
// Anything else is as if never heard: that is how a key mismatch shows.
func (e *mkaEnd) receive(b []byte) {
	m, err := macsec.ParseMKPDU(b)
	if err != nil {
		return
	}
	var p *participant
	for _, x := range e.parts {
		if bytes.Equal(x.key.ckn, m.CKN) {
			p = x
		}
	}
	if p == nil || macsec.VerifyMKPDU(p.ick, eapolDst, e.sl.ends[1-e.side].mac, b) != nil {
		return
	}
	s := e.sl.sim
	if p.peer == nil || p.peer.mi != m.MI {
		p.peer = &peerInfo{mi: m.MI, sci: m.SCI}
	}
	p.peer.mn, p.peer.heard = m.MN, s.e.Now()
	s.e.Reset(p.expire, s.e.Now()+mkaLifetime)
	wasLive := p.peer.live
	p.peer.live = slices.ContainsFunc(slices.Concat(m.Live, m.Potential), func(x macsec.Peer) bool { return x.MI == p.mi })
	switch {
	case p.keyServer() && p.peer.live && p.sak == nil:
		p.newSAK()
		p.send()
	case !wasLive && p.peer.live:
		p.send() // answer at once, so liveness is mutual within a round trip
	}
	if d := m.DistSAK; d != nil && !p.keyServer() {
		if sak, err := macsec.Unwrap(p.kek, d.WrappedSAK); err == nil && (p.sak == nil || d.KN != p.kn) {
			p.sak, p.kn, p.an, p.inUse = sak, d.KN, d.AN, true
			e.install(p, m.SCI)
			p.send() // report the SAK in use at once
		}
	}
	if u := m.SAKUse; u != nil && p.keyServer() && p.sak != nil && u.LatestKN == p.kn && u.LatestRx && !p.inUse {
		p.inUse = true
		e.install(p, m.SCI)
	}
	e.sl.check()
}

// newSAK is the key server drawing a new secure association key for its CA.
func (p *participant) newSAK() {
	s := p.end.sl.sim
	p.sak = make([]byte, p.end.sl.suite.KeyLen())
	for i := range p.sak {
		p.sak[i] = byte(s.e.Rand().Uint32())
	}
	for i := range p.salt {
		p.salt[i] = byte(s.e.Rand().Uint32())
	}
	if p.kn > 0 {
		p.an = (p.an + 1) % 4
	}
	p.kn++
	p.sent, p.inUse = false, false
}

// install makes a CA's SAK this end's transmit SA and adds it to the
// receive SAs, keeping the previous one so frames in flight validate.
func (e *mkaEnd) install(p *participant, peerSCI macsec.SCI) {
	salt := e.salt(p)
	e.tx = &macsec.SA{Suite: e.sl.suite, Key: p.sak, SCI: e.sci, AN: p.an, SSCI: uint32(e.side + 1), Salt: salt}
	e.txKey = p.key
	e.sl.pn[e.side] = 1
	e.addRx(p, peerSCI)
	e.sl.setRates(e.sl.pps) // the new SA counts from one: reschedule the next rekey
}

// salt is the XPN salt of a CA's SAK: derived from the MIs in 802.1AEbw;
// both ends must agree, so take the key server's.
func (e *mkaEnd) salt(p *participant) [12]byte {
	if p.keyServer() {
		return p.salt
	}
	if ks := e.sl.ends[0].partFor(p.key); ks != nil {
		return ks.salt
	}
	return [12]byte{}
}

// addRx accepts frames the peer protects with a CA's current SAK, keeping
// the previous receive SA so frames in flight still validate.
func (e *mkaEnd) addRx(p *participant, peerSCI macsec.SCI) {
	for _, sa := range e.rx {
		if bytes.Equal(sa.Key, p.sak) && sa.AN == p.an {
			return
		}
	}
	rx := &macsec.SA{Suite: e.sl.suite, Key: p.sak, SCI: peerSCI, AN: p.an, SSCI: uint32(2 - e.side), Salt: e.salt(p)}
	e.rx = append([]*macsec.SA{rx}, e.rx...)
	if len(e.rx) > 2 {
		delete(e.window, e.rx[2])
		e.rx = e.rx[:2]
	}
	e.window[rx] = &macsec.ReplayWindow{Next: 1}
}

// partFor is the participant running key k (or one with an equal CKN),
// nil when there is none.
func (e *mkaEnd) partFor(k *cak) *participant {
	for _, p := range e.parts {
		if bytes.Equal(p.key.ckn, k.ckn) {
			return p
		}
	}
	return nil
}

// check works out whether the link is secured: both ends transmit with a
// SAK of a CA whose peer is alive. A change is a topology event, since
// must_encrypt takes the link down without it.
func (sl *secLink) check() {
	s := sl.sim
	now := s.e.Now()
	// Secured while some CA is alive at both ends and both transmit with
	// a SAK: a rekey or a rotation keeps the old SA until the new one is in.
	alive := false
	for _, p := range sl.ends[0].parts {
		if q := sl.ends[1].partFor(p.key); q != nil && p.peerAlive(now) && p.peer.live && q.peerAlive(now) && q.peer.live {
			alive = true
		}
	}
	agreed := alive && sl.ends[0].tx != nil && sl.ends[1].tx != nil
	if sl.rotating != nil {
		if p, q := sl.ends[0].partFor(sl.rotating), sl.ends[1].partFor(sl.rotating); p != nil && q != nil && p.inUse && q.inUse {
			sl.rotated, sl.rotating = now, nil
			s.control(fmt.Sprintf("MKA %s: rotation to key %d complete; the previous key stays until removed", sl.sess.name, p.key.id))
		}
	}
	if agreed == sl.secured {
		return
	}
	sl.secured = agreed
	if agreed {
		s.control(fmt.Sprintf("MKA %s: secured with %s (key %d)", sl.sess.name, sl.suite, sl.ends[0].txKey.id))
	} else {
		what := "the link is down: must_encrypt fails closed"
		if sl.mode == modeShould {
			what = "should_encrypt: traffic continues unencrypted"
		}
		for _, e := range sl.ends {
			e.tx, e.txKey, e.rx = nil, nil, nil
			clear(e.window)
			for _, p := range e.parts {
				p.sak, p.sent, p.inUse = nil, false, false
			}
		}
		s.control(fmt.Sprintf("MKA %s: no live peer for %s; %s", sl.sess.name, mkaLifetime, what))
		if sl.mode == modeMust {
			// The routers' own controlled ports went down: they know at
			// once, as with loss of light, and drop the BGP session.
			for _, sp := range sl.sess.ends {
				sp.localDown("MACsec down")
			}
		}
	}
	// Only the sessions over the link change routing, and they report
	// what they drop; traffic is recomputed either way.
	s.routingChanged("MACsec " + sl.sess.name)
}

// clear reports whether l carries traffic unprotected although it should
// be encrypted (should_encrypt without an agreed key).
func (l *Link) inTheClear() bool {
	return l.sec != nil && !l.sec.secured && l.sec.mode == modeShould
}

// setRates takes each direction's packet rate from the traffic and
// schedules the rekey for when the first transmit PN reaches the cipher
// suite's threshold (0xC0000000, or 0xC000000000000000 with XPN).
func (sl *secLink) setRates(pps [2]float64) {
	s := sl.sim
	sl.pps = pps
	s.e.Cancel(sl.rekey)
	if !sl.secured {
		return
	}
	thr := float64(sl.suite.RekeyThreshold())
	next := time.Duration(-1)
	for i := range 2 {
		if pps[i] <= 0 {
			continue
		}
		secs := (thr - sl.pn[i]) / pps[i]
		if secs > 1e9 {
			continue // beyond any run: XPN at any rate
		}
		d := time.Duration(max(secs, 0) * 1e9)
		if next < 0 || d < next {
			next = d
		}
	}
	if next >= 0 {
		s.e.Reset(sl.rekey, s.e.Now()+next)
	}
}

// rekeyNow is a transmit PN at the threshold: the key server draws a new
// SAK for the CA in use, and the ends move to it.
func (sl *secLink) rekeyNow() {
	s := sl.sim
	s.advance()
	e := sl.ends[0]
	if e.txKey == nil {
		return
	}
	p := e.partFor(e.txKey)
	if p == nil {
		return
	}
	p.newSAK()
	p.rekeys++
	sl.rekeys++
	dir := 0
	if sl.pn[1] > sl.pn[0] {
		dir = 1
	}
	s.control(fmt.Sprintf("MKA %s: rekey %d — the packet number from %s reached %#x; the key server distributes a new SAK (AN %d)",
		sl.sess.name, sl.rekeys, sl.sess.ends[dir], sl.suite.RekeyThreshold(), p.an))
	// Each direction counts on under the old SA until its end installs
	// the new one.
	p.send()
}
