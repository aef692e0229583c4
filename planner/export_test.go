package planner

// DeriveTopology derives a plan's topology again, for the benchmark that
// measures what deriving it costs validation.
func DeriveTopology(p *Plan) {
	p.topoOnce.Do(func() {}) // Topology returns this one, not a derivation of its own
	p.deriveTopology()
}
