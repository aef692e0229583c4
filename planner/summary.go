package planner

import (
	"slices"

	"patchbay/lang"
)

// GraphSummary describes the topology graph in numbers.
type GraphSummary struct {
	Vertices         int            `json:"vertices"`
	Edges            int            `json:"edges"`
	ByKind           map[string]int `json:"vertices_by_kind"`
	Components       int            `json:"components"`
	LargestComponent int            `json:"largest_component"`
	// Isolated lists resources attached to nothing: usually a forgotten attach().
	Isolated []string `json:"isolated"`
}

func (p *Plan) summarise() {
	g := p.graph
	s := GraphSummary{ByKind: map[string]int{}, Isolated: []string{}, Vertices: len(g.refs)}
	var isolated []lang.Ref
	for i, ref := range g.refs {
		s.ByKind[string(ref.Kind)]++
		s.Edges += len(g.adj[i])
		if len(g.adj[i]) == 0 {
			isolated = append(isolated, ref)
		}
	}
	s.Edges /= 2 // undirected: each edge is seen from both ends
	for _, ref := range isolated {
		s.Isolated = append(s.Isolated, ref.String())
	}
	slices.Sort(s.Isolated)
	seen := make([]bool, len(g.refs))
	var queue []int32
	for i := range g.refs {
		if seen[i] {
			continue
		}
		s.Components++
		size := 0
		queue = append(queue[:0], int32(i))
		seen[i] = true
		for len(queue) > 0 {
			v := queue[len(queue)-1]
			queue = queue[:len(queue)-1]
			size++
			for _, w := range g.adj[v] {
				if !seen[w] {
					seen[w] = true
					queue = append(queue, w)
				}
			}
		}
		s.LargestComponent = max(s.LargestComponent, size)
	}
	p.Summary = s
}
