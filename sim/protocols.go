package sim

import (
	"patchbay/sim/bfd"
	"time"
)

// buildBFD gives every session that asks for BFD its two ends, in
// session order, end 0 first: the order the run's random draws follow.
func (s *sim) buildBFD() {
	slowTx := time.Duration(catInt("bfd.slow_tx_interval")) * time.Millisecond
	s.bfd = make([][2]*bfd.End, len(s.sessions))
	for i, se := range s.sessions {
		if se.bfd == nil {
			continue
		}
		cfg := bfd.Config{MinInterval: time.Duration(se.bfd.MinIntervalMS) * time.Millisecond, Multiplier: uint8(se.bfd.Multiplier), SlowTx: slowTx}
		for j, sp := range se.ends {
			s.bfd[i][j] = bfd.New(bfd.Env{Engine: s.e, Link: se.link, Device: sp.iface.Dev, Session: se.name, Control: s.control,
				Send: func(sport uint16, payload []byte) bool { return s.captureUDP(sp, sport, bfd.Port, payload) },
				Down: sp.bfdDown}, cfg)
		}
		bfd.Pair(s.bfd[i][0], s.bfd[i][1])
	}
}
