package planner

// DeriveTopology derives a plan's topology again, for the benchmark that
// measures what deriving it costs validation.
func DeriveTopology(p *Plan) { p.deriveTopology() }
