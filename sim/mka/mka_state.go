package mka

import (
	"fmt"
	"math"
	"time"

	"patchbay/sim/engine"
	"patchbay/sim/internal/units"
	"patchbay/stdlib"
)

// secState is what a Link follows besides its SAs and an MKPDU reads:
// each end's own view of its controlled port, transmit SAs whose packet
// numbers ran out, and whether a rotation runs and peers report no SAK.
// It is seven bytes, beside the link's MKA timer. (What only a rekey
// reads, secRekey, is kept apart, on a line an MKPDU does not read; so
// are the rotation's key and the count of MKPDUs without a SAK, which
// an MKPDU reads only while these say there are some.)
type secState struct {
	// up is each end's controlled port as that end sees it. The two differ
	// while one end's CA has restarted (its key was changed) and the other
	// still hears the peer it last validated, for up to a lifetime.
	up [2]bool
	// exhausted marks an end whose transmit SA has used its last PN.
	exhausted [2]bool
	// busy: the link is on its Set's busy list, since SetRates with no
	// traffic might change something (quiet was false when it last ran,
	// or something has happened on the link since).
	busy bool
	// rot: a rotation runs (Link.rotating is not nil).
	rot bool
	// noSAK: MKPDUs without a SAK in use are being counted
	// (linkAbout.noSAKUse is not nil, though it may be empty).
	noSAK bool
}

// secRekey is what a Link follows for its rekeys: when the key server
// last drew a SAK, and when a transmit SA's packet numbers run out.
type secRekey struct {
	exhaust  *engine.Timer // the first transmit PN reaches the suite's maximum
	drawn    []drawn       // when the key server last drew a SAK for each CA (drawnAt)
	reported bool          // the exhaustion finding is made once per link
}

// mkaMissingSAKUse is how many MKPDUs in a row a live peer may send without
// a SAK Use set before the key server gives it a new SAK. One can be in
// flight while the peer receives the SAK, so two mean the peer lost it: its
// own view of the CA went down while the key server's did not. wpa_supplicant
// (src/pae/ieee802_1x_kay.c, MAX_MISSING_SAK_USE, read 2026-12) tolerates ten
// before dropping the peer; a new SAK is the standard way back, since a SAK
// must never be reused with PNs counting from one again.
const mkaMissingSAKUse = 2

// hearsLivePeer reports whether the CA this end transmits with has a live
// peer: a participant whose peer it heard within the lifetime and which
// lists it (IEEE 802.1X-2010 §9.4, live and potential peer lists).
func (e *mkaEnd) hearsLivePeer(now time.Duration) bool {
	if e.txKey == nil {
		return false
	}
	p := e.partFor(e.txKey)
	return p != nil && p.peerAlive(now) && p.peer.live
}

// endDown takes one end's controlled port down: it forgets its SAs and the
// SAKs of its CAs, as the CP state machine's CHANGE state does (IEEE
// 802.1X-2010 clause 12, "controlledPortEnabled = FALSE" and the SAs
// deleted; wpa_supplicant src/pae/ieee802_1x_cp.c, read 2026-12). The
// router at that end sees its own port go down, as with loss of light, and
// under must_encrypt drops its BGP sessions at once; the other end learns
// only from its own timers (BFD, or its MKA lifetime).
func (sl *Link) endDown(e *mkaEnd, why string) {
	s := &sl.env
	sl.st.up[e.side] = false
	sl.st.exhausted[e.side] = false
	sl.tx[e.side], e.txKey = nil, nil
	sl.setRx(int(e.side), nil)
	for _, p := range e.parts() {
		p.sak, p.sent, p.inUse, p.sakSA = nil, false, false, nil
	}
	// Unsecured before the routers react: what they send next (a SYN, a
	// BFD packet) must see the link as it now is.
	if sl.secured {
		sl.secured = false
		s.RoutingChanged("MACsec " + sl.about.name)
	}
	// A failed or maintained device's own view is nobody's to see, as
	// with BGP's.
	if d := sl.about.ifaces[e.side].Dev; d.Up() {
		s.Control(fmt.Sprintf("MKA %s at %s: %s; %s", sl.about.name, d.Name, why, sl.downWhat()))
	}
	if sl.mode == stdlib.MustEncrypt {
		s.PortDown(int(e.side), "MACsec down")
	}
}

// downWhat says what the link does without an agreed SAK.
func (sl *Link) downWhat() string {
	if sl.mode == stdlib.ShouldEncrypt {
		return "should_encrypt: traffic continues unencrypted"
	}
	return "the link is down: must_encrypt fails closed"
}

// pending reports whether the key server's SAK for p's CA is distributed
// but not yet reported in use: a rekey in progress.
func (sl *Link) pending(p *participant) bool { return p.sak != nil && !p.inUse }

// sakAllowedAt is the earliest the key server may draw p's CA's next SAK:
// "The Key Server must not generate new SAKs faster than once every MKA Life
// time.Duration (IEEE802.1X-2010 Clause 9.8)" (Extreme Networks, EMS event
// MACsec.MKA.PortSAKDistUnExpct,
// https://documentation.extremenetworks.com/ems_catalog_31.4/GUID-F1FC1196-4B17-4262-9803-B1F477EFA412.shtml,
// read 2026-12); wpa_supplicant's ieee802_1x_kay_generate_new_sak likewise
// wants "MKA life time elapse since last distribution" (src/pae/
// ieee802_1x_kay.c, read 2026-12). It also keeps a rekey in progress from
// starting another.
func (sl *Link) sakAllowedAt(p *participant) (time.Duration, bool) {
	t, ok := sl.drawnAt(p)
	return t + Lifetime, ok
}

// drawn is when the key server last drew a SAK for a CA. A link's key
// server runs a CA or two, so they are a short list: every change of
// routing reschedules every link's rekey (SetRates), which a map's hash
// made a growing share of convergence as designs grew.
type drawn struct {
	p  *participant
	at time.Duration
}

// drawnAt is when the key server last drew a SAK for p's CA; false if never.
func (sl *Link) drawnAt(p *participant) (time.Duration, bool) {
	for _, d := range sl.rk.drawn {
		if d.p == p {
			return d.at, true
		}
	}
	return 0, false
}

// setDrawn notes that the key server drew a SAK for p's CA at at.
func (sl *Link) setDrawn(p *participant, at time.Duration) {
	for i := range sl.rk.drawn {
		if sl.rk.drawn[i].p == p {
			sl.rk.drawn[i].at = at
			return
		}
	}
	sl.rk.drawn = append(sl.rk.drawn, drawn{p, at})
}

// drawSAK has the key server draw its CA's next SAK and notes when.
func (sl *Link) drawSAK(p *participant) {
	p.newSAK()
	sl.setDrawn(p, sl.env.e.Now())
	if sl.st.noSAK {
		delete(sl.about.noSAKUse, p)
	}
}

// sakUseMissing counts a live peer's MKPDU that reports no SAK in use while
// the key server has distributed one, and reports whether the peer has
// lost it.
func (sl *Link) sakUseMissing(p *participant, missing bool) bool {
	if !missing {
		// Emptied, the map goes: the next MKPDU then reads no more than
		// the flag beside the link's timer.
		if sl.st.noSAK {
			delete(sl.about.noSAKUse, p)
			if len(sl.about.noSAKUse) == 0 {
				sl.about.noSAKUse, sl.st.noSAK = nil, false
			}
		}
		return false
	}
	if !sl.st.noSAK {
		sl.about.noSAKUse, sl.st.noSAK = map[*participant]int{}, true
	}
	sl.about.noSAKUse[p]++
	return sl.about.noSAKUse[p] >= mkaMissingSAKUse
}

// atThreshold reports whether direction dir's PN has reached the rekey
// threshold, within the nanosecond the timer that fired was rounded to.
func (sl *Link) atThreshold(dir int) bool {
	return float64(sl.suite.RekeyThreshold())-sl.pn[dir] <= sl.pps[dir]*1e-9+1
}

// exhaustNow runs when a transmit PN reaches the suite's maximum.
func (sl *Link) exhaustNow() {
	sl.stir()
	s := &sl.env
	s.Advance()
	maxPN := float64(sl.suite.MaxPN())
	for i := range sl.ends() {
		if sl.tx[i] != nil && !sl.st.exhausted[i] && sl.pps[i] > 0 && (maxPN-sl.pn[i])/sl.pps[i] <= 1e-9 {
			sl.exhaust(i)
		}
	}
	sl.SetRates(sl.pps)
}

// exhaust stops an end's transmit SA, whose PN has reached the suite's
// maximum: a SecY never reuses a PN with a SAK, so it sends nothing more
// with that SA (IEEE 802.1AE-2018 clause 10, the transmit SA's nextPN; as
// Linux does in drivers/net/macsec.c, tx_sa_update_pn: on wrap the SA goes
// inactive and, protecting frames, the SecY not operational; read 2026-12).
// The link has no SA that end can use until the key server's next SAK is
// installed there; the routers are not told, so BFD notices if that takes
// longer than its detection time.
func (sl *Link) exhaust(side int) {
	s := &sl.env
	maxPN := sl.suite.MaxPN()
	sl.pn[side] = max(sl.pn[side], float64(maxPN))
	sl.st.exhausted[side] = true
	an := uint8(0)
	if tx := sl.tx[side]; tx != nil {
		an = tx.AN
	}
	s.Control(fmt.Sprintf("MKA %s at %s: the packet number of AN %d reached %#x; the SecY sends nothing more with it until a new SAK is in; %s",
		sl.about.name, sl.about.ifaces[side].Dev.Name, an, maxPN, sl.downWhat()))
	if !sl.rk.reported {
		sl.rk.reported = true
		sl.exhaustionFinding(side)
	}
	sl.check()
}

// exhaustionFinding reports the first exhaustion on a link: what ran out,
// when, why a rekey could not prevent it, and the fix.
func (sl *Link) exhaustionFinding(side int) {
	s := &sl.env
	pps := sl.pps[side]
	lasts, xpn := "no time", "practically forever"
	if pps > 0 {
		lasts = time.Duration(float64(sl.suite.MaxPN()) / pps * 1e9).Round(time.Millisecond).String()
		// XPN's 64-bit PN: 2^64 − 2 PNs per SAK (macsec.CipherSuite.MaxPN).
		if years := math.Exp2(64) / pps / (365.25 * 24 * 3600); years < 1e6 {
			xpn = fmt.Sprintf("%.0f years", years)
		} else {
			xpn = fmt.Sprintf("%.1e years", years)
		}
	}
	s.Finding("macsec-pn-exhausted",
		fmt.Sprintf("%s: the packet number of %s's transmit SA (%s) ran out at %s, before a new SAK was in: at %.0f packets a second a SAK lasts %s, "+
			"and the key server may draw one at most once every %s; %s until the next SAK is installed",
			sl.about.name, sl.about.ifaces[side].Dev.Name, sl.suite, units.Clock(s.e.Now()), pps, lasts, Lifetime, sl.downWhat()),
		fmt.Sprintf("use an XPN cipher suite (macsec_cipher = %q on %s): its 64-bit packet number lasts %s at this rate",
			"GCM-AES-XPN-256", sl.about.group, xpn))
}

// nextAt is now plus secs seconds, rounded up to the nanosecond so that the
// PN has reached its mark when the timer fires.
func nextAt(now time.Duration, secs float64) time.Duration {
	return now + time.Duration(math.Ceil(max(secs, 0)*1e9))
}
