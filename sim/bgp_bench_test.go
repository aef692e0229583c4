package sim

import (
	"runtime"
	"testing"
	"time"

	"patchbay/lang"
	"patchbay/planner/plantest"
)

// BenchmarkBGPRecompute is the routing half of BenchmarkBGPConvergence on
// its own: one full recomputation of bgpDesign's tables once every
// session is up and its 50,000 routes are in (what a run does at time
// zero and after each failure), without the BFD, MKA and BGP traffic
// around it. It reports the megabytes allocated per recomputation.
func BenchmarkBGPRecompute(b *testing.B) {
	p := plantest.Source(b, bgpDesign())
	s, err := Start(p, &lang.Scenario{Meta: lang.Meta{Name: "bgp"}, Duration: time.Second}, Options{Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	s.e.Run(0) // the warm-up: every session established and every route in
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for b.Loop() {
		if _, n := s.n.ConvergeN(true, maxRouteChanges); n != 0 {
			b.Fatalf("%d forwarding entries changed in a steady state", n)
		}
	}
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/1e6, "MB/op")
}
