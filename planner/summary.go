package planner

import (
	"slices"
	"strings"
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
	adj, err := p.graph.AdjacencyMap()
	if err != nil {
		panic(err) // the in-memory store cannot fail
	}
	s := GraphSummary{ByKind: map[string]int{}, Isolated: []string{}}
	ids := make([]string, 0, len(adj))
	for id, nbrs := range adj {
		ids = append(ids, id)
		s.Edges += len(nbrs)
	}
	s.Edges /= 2 // undirected: each edge is seen from both ends
	slices.Sort(ids)
	s.Vertices = len(ids)
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		kind, _, _ := strings.Cut(id, ".")
		s.ByKind[kind]++
		if len(adj[id]) == 0 {
			s.Isolated = append(s.Isolated, id)
		}
		if seen[id] {
			continue
		}
		s.Components++
		size := 0
		queue := []string{id}
		seen[id] = true
		for len(queue) > 0 {
			v := queue[len(queue)-1]
			queue = queue[:len(queue)-1]
			size++
			for w := range adj[v] {
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
