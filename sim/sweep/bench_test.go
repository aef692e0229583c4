package sweep

import (
	"fmt"
	"io"
	"runtime"
	"testing"
	"time"

	"patchbay/planner/plantest"
)

// BenchmarkSweep is the N-1 sweep of designs with 100, 1,000 and 5,000
// channels (each a LAG of two members, so twice as many member links),
// on all cores, with the JSON written: it reports the bytes of JSON per
// case, which stay flat as the design grows since a case lists only the
// flows it changes.
func BenchmarkSweep(b *testing.B) {
	for _, n := range []int{25, 250, 1250} {
		b.Run(fmt.Sprintf("channels=%d", 4*n), func(b *testing.B) {
			p := plantest.Source(b, sweepDesign(n))
			var cases, size int
			for b.Loop() {
				s, err := Run(p, p.Design.Scenarios[0], Options{Depth: 1})
				if err != nil {
					b.Fatal(err)
				}
				var cw countingWriter
				if err := s.WriteJSON(&cw); err != nil {
					b.Fatal(err)
				}
				cases, size = s.Total, int(cw)
			}
			b.ReportMetric(float64(cases), "cases")
			b.ReportMetric(float64(size)/float64(cases), "json-bytes/case")
		})
	}
}

// BenchmarkSweepShard times shard 1 of 2 and the unsharded sweep in turn,
// the shard's JSON written as 'sweep --shard' writes it, and reports their
// ratio: the goal is at most half, plus 10%. The design is planned once,
// outside the timing, as both a shard and a whole run plan it the same,
// and the collector runs before each timed run, outside the timing too.
// Two sweeps: the steady state of 1,000 channels, whose cases are so cheap
// (0.1 ms each) that building the network, which every shard repeats, is a
// third of the whole; and the simulated sweep of 24 channels, each case a
// full simulation, the kind of sweep that is worth sharding.
func BenchmarkSweepShard(b *testing.B) {
	for _, bc := range []struct {
		name string
		n    int
		o    Options
	}{
		{"steady-1000ch", 250, Options{Depth: 1}},
		{"simulated-24ch", 6, Options{Depth: 1, Simulate: true}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			p := plantest.Source(b, sweepDesign(bc.n))
			sc := p.Design.Scenarios[0]
			var whole, shard, build time.Duration
			for b.Loop() {
				// Each timed run starts with the collector's work done:
				// otherwise the shard, timed after the whole sweep, would
				// pay for the whole sweep's garbage.
				runtime.GC()
				t := time.Now()
				s, err := Run(p, sc, bc.o)
				if err != nil {
					b.Fatal(err)
				}
				if err := s.WriteJSON(io.Discard); err != nil {
					b.Fatal(err)
				}
				whole += time.Since(t)
				runtime.GC()
				t = time.Now()
				o := bc.o
				o.Shard, o.Shards = 0, 2
				s, err = Run(p, sc, o)
				if err != nil {
					b.Fatal(err)
				}
				if err := s.WriteJSON(io.Discard); err != nil {
					b.Fatal(err)
				}
				shard += time.Since(t)
				runtime.GC()
				t = time.Now()
				if _, err := newSweeper(p, sweepFlows(p, sc)); err != nil {
					b.Fatal(err)
				}
				build += time.Since(t)
			}
			b.ReportMetric(float64(shard)/float64(whole), "shard/whole")
			b.ReportMetric(float64(build)/float64(whole), "build/whole")
		})
	}
}

type countingWriter int

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}
