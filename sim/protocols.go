package sim

import (
	"patchbay/planner"
	"patchbay/sim/bfd"
	"patchbay/sim/bgp"
	"time"
)

// buildBGP builds the plan's sessions, with the catalog's timers and
// limits, wired to the run's timeline, routing and wire.
func (s *sim) buildBGP(p *planner.Plan) {
	s.bgp = bgp.Build(bgp.Env{Engine: s.e, Network: s.n, Control: s.control, RoutingChanged: s.routingChanged, Send: s.captureTCP}, bgp.Config{ConnectRetry: time.Duration(catInt("bgp.connect_retry")) * time.Second,
		MRAI:        time.Duration(catInt("bgp.mrai_ebgp")) * time.Second,
		MaxPrefixes: catInt("last_mile.max_prefixes")}, p)
	s.sessions = s.bgp.Sessions()
}

// buildBFD gives every session that asks for BFD its two ends, in
// session order, end 0 first: the order the run's random draws follow.
func (s *sim) buildBFD() {
	slowTx := time.Duration(catInt("bfd.slow_tx_interval")) * time.Millisecond
	s.bfd = make([][2]*bfd.End, len(s.sessions))
	for i, se := range s.sessions {
		if se.BFD == nil {
			continue
		}
		cfg := bfd.Config{MinInterval: time.Duration(se.BFD.MinIntervalMS) * time.Millisecond, Multiplier: uint8(se.BFD.Multiplier), SlowTx: slowTx}
		for j, sp := range se.Ends {
			s.bfd[i][j] = bfd.New(bfd.Env{Engine: s.e, Link: se.Link, Device: sp.Iface.Dev, Session: se.Name, Control: s.control,
				Send: func(sport uint16, payload []byte) bool { return s.captureUDP(sp, sport, bfd.Port, payload) },
				Down: sp.BFDDown}, cfg)
		}
		bfd.Pair(s.bfd[i][0], s.bfd[i][1])
	}
}
