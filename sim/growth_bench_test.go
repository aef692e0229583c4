package sim

import (
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"patchbay/lang"
	"patchbay/planner"
	"patchbay/planner/plantest"
)

// growthDesign is plantest.Interconnects's network (n Interconnects of four
// channels, a 1 Gbps flow over each) for ten minutes, with a channel of
// the first failing at five.
func growthDesign(n int) string {
	return plantest.Interconnects(n, "scenario(\"ten\", duration = \"10m\", flows = [%s], events = [at(\"5m\", fail(channel = \"ic0/ch1\"))])\n")
}

// BenchmarkSimGrowth runs the ten-minute scenario at 100 and 1,000
// channels and reports how much longer the larger takes: the goal is no
// faster growth than about n log n, at most 12 times.
func BenchmarkSimGrowth(b *testing.B) {
	sizes := []int{25, 250} // Interconnects: 100 and 1,000 channels
	scs := make([]*lang.Scenario, len(sizes))
	var elapsed [2]time.Duration
	var fired [2]uint64
	ps := make([]*planner.Plan, len(sizes))
	for i, n := range sizes {
		ps[i] = plantest.Source(b, growthDesign(n))
		scs[i] = ps[i].Design.Scenarios[0]
	}
	for b.Loop() {
		for i := range sizes {
			// Each run starts from a collected heap, as a command does in
			// a process of its own. Otherwise a collection that the
			// larger run's garbage brought on fell in two of three
			// smaller runs, which took about 8% longer, and the ratio
			// looked lower than it is.
			runtime.GC()
			t0 := time.Now()
			s := runGrowth(b, ps[i], scs[i])
			elapsed[i] += time.Since(t0)
			fired[i] += s.e.Fired()
		}
	}
	b.ReportMetric(float64(elapsed[0].Milliseconds())/float64(b.N), "100ch-ms")
	b.ReportMetric(float64(elapsed[1].Milliseconds())/float64(b.N), "1000ch-ms")
	b.ReportMetric(float64(elapsed[1])/float64(elapsed[0]), "x-growth")
	b.ReportMetric(float64(fired[1])/float64(fired[0]), "x-events")
}

// TestGrowthRun is one start and ten-minute run of the growth design at
// $PATCHBAY_GROWTH_RUN Interconnects (250: 1,000 channels), its plan
// included, for a cache simulator or a profiler to measure
// (bench/misses.sh); without the variable it is skipped.
func TestGrowthRun(t *testing.T) {
	n, err := strconv.Atoi(os.Getenv("PATCHBAY_GROWTH_RUN"))
	if err != nil || n <= 0 {
		t.Skip("PATCHBAY_GROWTH_RUN is not a number of Interconnects")
	}
	p := plantest.Source(t, growthDesign(n))
	runGrowth(t, p, p.Design.Scenarios[0])
}

// runGrowth starts the growth scenario sc of p and runs it to its end.
func runGrowth(tb testing.TB, p *planner.Plan, sc *lang.Scenario) *Sim {
	tb.Helper()
	// The default budget stops the larger run at 8m20s: it needs about
	// 11.4 million events.
	// On its own thread, as patchbay sim runs a scenario.
	s, err := Start(p, sc, Options{Seed: 1, MaxEvents: 100_000_000, OwnThread: true})
	if err != nil {
		tb.Fatal(err)
	}
	if err := s.e.Run(sc.Duration); err != nil {
		tb.Fatal(err)
	}
	s.finish()
	return s
}
