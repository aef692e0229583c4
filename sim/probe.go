package sim

import (
	"time"

	"patchbay/lang"
	"patchbay/sim/engine"
	"patchbay/sim/internal/units"
	"patchbay/sim/network"
)

// probe sends one packet every interval and times its round trip, like
// Network Synthetic Monitor. A probe is one 5-tuple: the flow hash pins it
// to one of the equal-cost paths each way.
type probe struct {
	spec     lang.Probe
	src, dst *network.Endpoint
	hash     uint64
	timer    *engine.Timer

	epoch    int // routing epoch the cached paths belong to
	fwd, rev network.PathPart

	sent, lost     int
	rttSum         time.Duration
	rttMin, rttMax time.Duration
	spans          []LossSpan
	winSent        int
	winLost        int
	winRTT         time.Duration
	winUtil        float64 // the busiest link a probe crossed in the window
	maxUtil        float64
}

// LossSpan is a run of consecutive lost probes.
type LossSpan struct {
	Start  time.Duration `json:"start_ns"`
	End    time.Duration `json:"end_ns"`
	Lost   int           `json:"lost"`
	Reason string        `json:"reason"`
}

func (pr *probe) paths(epoch int) {
	if pr.epoch == epoch {
		return
	}
	pr.epoch = epoch
	pr.fwd = first(network.Paths(pr.src, pr.dst, pr.spec.PacketSize, pr.hash))
	pr.rev = first(network.Paths(pr.dst, pr.src, pr.spec.PacketSize, pr.hash))
}

func first(ps []network.PathPart) network.PathPart { return ps[0] }

// sendProbe sends one probe now. It is lost when either direction is not
// delivered, or at random with the chance that a congested link drops it.
func (s *Sim) sendProbe(pr *probe) {
	now := s.e.Now()
	pr.paths(s.epoch)
	pr.sent++
	pr.winSent++
	reason := ""
	switch {
	case pr.fwd.Outcome != network.Delivered:
		reason = string(pr.fwd.Outcome) + " at " + pr.fwd.Where + " (outbound)"
	case pr.rev.Outcome != network.Delivered:
		reason = string(pr.rev.Outcome) + " at " + pr.rev.Where + " (return)"
	default:
		pass := s.passChance(pr.fwd) * s.passChance(pr.rev)
		if pass < 1 && s.e.Rand().Float64() >= pass {
			reason = string(network.Congestion)
		}
	}
	if reason != "" {
		pr.lost++
		pr.winLost++
		if n := len(pr.spans); n > 0 && pr.spans[n-1].End < 0 && pr.spans[n-1].Reason == reason {
			pr.spans[n-1].Lost++
		} else {
			pr.closeSpan(now)
			pr.spans = append(pr.spans, LossSpan{Start: now, End: -1, Lost: 1, Reason: reason})
		}
	} else {
		pr.closeSpan(now)
		rtt := pr.fwd.Latency() + pr.rev.Latency()
		u := max(s.pathUtilisation(pr.fwd), s.pathUtilisation(pr.rev))
		pr.winUtil, pr.maxUtil = max(pr.winUtil, u), max(pr.maxUtil, u)
		if pr.sent-pr.lost == 1 || rtt < pr.rttMin {
			pr.rttMin = rtt
		}
		pr.rttMax = max(pr.rttMax, rtt)
		pr.rttSum += rtt
		pr.winRTT += rtt
	}
	if next := now + pr.spec.Interval; next < s.sc.Duration {
		s.e.Reset(pr.timer, next)
	}
}

// closeSpan ends an open loss span at now.
func (pr *probe) closeSpan(now time.Duration) {
	if n := len(pr.spans); n > 0 && pr.spans[n-1].End < 0 {
		pr.spans[n-1].End = now
	}
}

// passChance is the chance a packet crosses every congested link of a path:
// a full direction passes capacity / arriving traffic of what reaches it.
func (s *Sim) passChance(p network.PathPart) float64 {
	pass := 1.0
	for _, h := range p.Hops {
		if !h.Link.Physical() {
			continue
		}
		d := network.DirOf(h)
		if a := s.traffic.Arriving[d]; a > 0 {
			if c := h.Link.Capacity(); c < a {
				pass *= c / a
			}
		}
	}
	return pass
}

// pathUtilisation is the utilisation of the busiest physical link on a path.
func (s *Sim) pathUtilisation(p network.PathPart) float64 {
	u := 0.0
	for _, h := range p.Hops {
		if c := h.Link.Capacity(); h.Link.Physical() && c > 0 {
			u = max(u, s.traffic.Wire[network.DirOf(h)]/c)
		}
	}
	return u
}

func (pr *probe) summary() ProbeSummary {
	ps := ProbeSummary{Name: pr.spec.Name, From: pr.spec.From.String(), To: pr.spec.To.String(), Interval: pr.spec.Interval,
		PacketSize: pr.spec.PacketSize, Sent: pr.sent, Lost: pr.lost, LossSpans: pr.spans, MaxUtilisation: units.RoundTo(pr.maxUtil, 1e-6)}
	if ok := pr.sent - pr.lost; ok > 0 {
		ps.RTTMin, ps.RTTMax, ps.RTTAvg = pr.rttMin, pr.rttMax, pr.rttSum/time.Duration(ok)
	}
	if ps.LossSpans == nil {
		ps.LossSpans = []LossSpan{}
	}
	return ps
}
