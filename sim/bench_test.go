package sim

import (
	"testing"
	"time"

	"patchbay/lang"
	"patchbay/planner/plantest"
)

// BenchmarkTransitHubHour runs one simulated hour of the transit-hub
// example with a probe every second between each spoke and Google Cloud,
// three flows, and a channel failing and coming back every ten minutes.
// It reports simulated seconds per real second.
func BenchmarkTransitHubHour(b *testing.B) {
	p := plantest.File(b, "../examples/transit_hub.star")
	sc := &lang.Scenario{Meta: lang.Meta{Name: "hour"}, Duration: time.Hour}
	for _, spoke := range []string{"vpc.web", "vpc.api", "vpc.data", "vpc.shared-services"} {
		sc.Probes = append(sc.Probes, probeOf(spoke+" probe", spoke, "gcp_vpc.warehouse"))
		sc.Flows = append(sc.Flows, flowOf(spoke+" flow", spoke, "gcp_vpc.warehouse", 1e9, 1500))
	}
	for t := 5 * time.Minute; t < time.Hour; t += 10 * time.Minute {
		sc.Events = append(sc.Events, at(t, lang.ActionFail, lang.TargetChannel, "use1-gcp/ch2"),
			at(t+time.Minute, lang.ActionRestore, lang.TargetChannel, "use1-gcp/ch2"))
	}
	b.ResetTimer()
	var events uint64
	for b.Loop() {
		s, err := start(p, sc, Options{Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		s.e.Run(sc.Duration)
		s.finish()
		events += s.e.Fired()
	}
	perRun := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(time.Hour.Seconds()/perRun, "sim-s/s")
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkConvergeTransitHub is one routing recomputation of the example.
func BenchmarkConvergeTransitHub(b *testing.B) {
	n, err := Build(plantest.File(b, "../examples/transit_hub.star"))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		n.converge(true)
	}
}
