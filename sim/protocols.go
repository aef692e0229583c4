package sim

import (
	"time"

	"patchbay/lang"
	"patchbay/planner"
	"patchbay/sim/bfd"
	"patchbay/sim/bgp"
	"patchbay/sim/mka"
	"patchbay/sim/network"
	"patchbay/stdlib"
)

// buildBGP builds the plan's sessions, with the catalog's timers and
// limits, wired to the run's timeline, routing and wire.
func (s *Sim) buildBGP(p *planner.Plan) {
	env := bgp.Env{Engine: s.e, Network: s.n, Control: s.control, RoutingChanged: s.routingChanged, Send: s.captureTCP}
	cfg := bgp.Config{
		ConnectRetry: time.Duration(catInt("bgp.connect_retry")) * time.Second,
		MRAI:         time.Duration(catInt("bgp.mrai_ebgp")) * time.Second,
		MaxPrefixes:  catInt("last_mile.max_prefixes"),
	}
	s.bgp = bgp.Build(env, cfg, p)
}

// buildBFD gives every session that asks for BFD its two ends, in
// session order, end 0 first: the order the run's random draws follow.
func (s *Sim) buildBFD() {
	slowTx := time.Duration(catInt("bfd.slow_tx_interval")) * time.Millisecond
	s.bfd = make([][2]*bfd.End, len(s.bgp.Sessions()))
	flights := &bfd.Flights{}
	for i, se := range s.bgp.Sessions() {
		if se.BFD == nil {
			continue
		}
		cfg := bfd.Config{MinInterval: time.Duration(se.BFD.MinIntervalMS) * time.Millisecond, Multiplier: uint8(se.BFD.Multiplier), SlowTx: slowTx}
		var envs [2]bfd.Env
		for j, sp := range se.Ends {
			env := bfd.Env{Engine: s.e, Link: se.Link, Device: sp.Iface.Dev, Session: se.Name, Control: s.control, Down: sp.BFDDown, Flights: flights,
				Send: func(sport uint16, payload []byte) bool { return s.captureUDP(sp, sport, bfd.Port, payload) }}
			if !s.capturing() {
				// Nothing reads the packets' bytes: the far end decides
				// from the link alone (deliverOn), and a packet reads no
				// closure, speaker or session to get there.
				env.Pass = deliverOn
			}
			if se.Live() && j == 0 {
				// The real router's BFD hears the AWS end over UDP; nothing
				// arrives in the simulation.
				env.Pass, env.Send = nil, func(sport uint16, payload []byte) bool {
					if s.captureUDP(sp, sport, bfd.Port, payload) {
						s.live.sendBFD(se, payload)
					}
					return false
				}
			}
			envs[j] = env
		}
		s.bfd[i] = bfd.NewSession(envs, cfg)
	}
}

// buildMACsec sets up MACsec on every channel (must_encrypt, the open
// specification's failure mode: fail closed) and every last-mile
// connection that encrypts, in that order: the order of their first keys'
// random draws.
func (s *Sim) buildMACsec(p *planner.Plan) {
	var capture func(src [6]byte, body []byte)
	if s.cap != nil {
		capture = s.captureEAPOL
	}
	s.mka = mka.NewSet(s.e, &s.last, capture)
	add := func(name, group string, mode stdlib.MACsecMode, cipher, manager string) {
		se := s.bgp.Session(name)
		if se == nil || !mode.Encrypts() {
			return
		}
		s.mka.Add(s.mkaEnv(se, group), mka.Config{Name: name, Group: group, Mode: mode, Cipher: cipher, Manager: manager, Link: se.Link,
			Ifaces: [2]*network.Iface{se.Ends[0].Iface, se.Ends[1].Iface}, MACs: [2][6]byte{se.Ends[0].MAC, se.Ends[1].MAC}})
	}
	for _, ic := range p.Interconnects {
		for _, ch := range ic.Channels {
			add(ch.Name, ic.Interconnect.Name, stdlib.MustEncrypt, ch.MACsecCipher, ch.MACsecManager)
		}
	}
	for _, lm := range p.LastMiles {
		for _, c := range lm.Connections {
			add(c.Name, lm.LastMile.Name, c.MACsec, c.MACsecCipher, cat().Text("interconnect.macsec_manager"))
		}
	}
}

// mkaEnv wires MACsec on se's link, of group, to the run.
func (s *Sim) mkaEnv(se *bgp.Session, group string) mka.Env {
	changed := func(cause string) {
		s.gateChange(se.Link)
		s.routingChanged(cause)
	}
	return mka.Env{Control: s.control, Advance: s.advance, RoutingChanged: changed,
		PortDown: func(side int, why string) {
			for _, x := range s.bgp.Sessions() {
				if x.Link == se.Link {
					x.Ends[side].LocalDown(why)
				}
			}
		},
		Finding: func(rule, message, hint string) {
			s.out.Findings = append(s.out.Findings, Finding{T: s.e.Now(), Rule: rule, Severity: "error", Message: message,
				Source: s.rateSource(group, se.Link.Name), Hint: hint})
		},
		KeyLog: s.opts.KeyLog, PlainBuf: &s.plainBuf}
}

// rateSource is the last set_bandwidth so far of a link or of its group
// (Interconnect or last mile), else the scenario.
func (s *Sim) rateSource(group, link string) string {
	src, at := s.sc.Range.String(), time.Duration(-1)
	for _, ev := range s.sc.Events {
		if ev.Action == lang.ActionSetBandwidth && ev.At <= s.e.Now() && ev.At >= at && (ev.Target.Name == group || ev.Target.Name == link) {
			src, at = ev.Range.String(), ev.At
		}
	}
	return src
}

// secOf is l's MACsec, nil when none runs on it.
func secOf(l *network.Link) *mka.Link {
	sl, _ := l.Gate().(*mka.Link)
	return sl
}
