package planner

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"patchbay/lang"
)

var _ = register(&Rule{
	ID: "resiliency", Severity: lang.SevError,
	Summary: "A connection has a single point of failure, or is doubled in an anti-pattern.",
	Explain: `AWS Interconnect is built as one resilient unit: the open specification requires at least
four channels per interconnect, spread over at least two physical facilities, each on its own
router. A design whose channels are fewer, or all in one facility, loses the path between the
networks with one facility (or one device).

A second Interconnect between the same regions and networks "for redundancy" is an anti-pattern
in AWS's own guidance (warning): the first one already is redundant, the second doubles the cost
and splits traffic without adding a failure domain.

Fix: leave the placement to patchbay (four channels over fac-a and fac-b), or list devices in two
facilities; remove the doubled Interconnect, or raise the bandwidth of the first.`,
	check: func(v *validator, rule *Rule) {
		minChannels := int(cat().Int("interconnect.channels"))
		minFacilities := int(cat().Int("interconnect.facilities"))
		for _, ip := range v.p.Interconnects {
			ic := ip.Declared
			facilities := map[string]bool{}
			for _, c := range ip.Channels {
				facilities[c.AWSFacility] = true
			}
			switch {
			case len(ip.Channels) < minChannels:
				v.report(rule, finding{at: ic.Source(), summary: fmt.Sprintf("%s has %d channels; production needs at least %d", ic.Ref(), len(ip.Channels), minChannels),
					hint: "list four devices, or leave devices out"})
			case len(facilities) < minFacilities:
				v.report(rule, finding{at: ic.Source(), summary: fmt.Sprintf("%s has every channel in %s: losing that facility loses the connection", ic.Ref(), ip.Channels[0].AWSFacility),
					hint: "place channels in two facilities, e.g. devices = [\"fac-a/r1\", \"fac-a/r2\", \"fac-b/r1\", \"fac-b/r2\"]"})
			}
		}
		type key struct {
			env  string
			peer lang.Ref
		}
		first := map[key]*lang.Interconnect{}
		for _, ip := range v.p.Interconnects {
			ic := ip.Declared
			k := key{ip.Environment, ic.Peer}
			if f, dup := first[k]; dup {
				v.report(rule, finding{sev: sevPtr(lang.SevWarning), at: ic.Source(),
					summary: fmt.Sprintf("%s doubles %s (%s to %s): a second Interconnect for redundancy is an anti-pattern", ic.Ref(), f.Ref(), ip.Environment, ic.Peer),
					related: related(f, "the first Interconnect"), hint: "one Interconnect is already redundant; raise its bandwidth instead"})
			} else {
				first[k] = ic
			}
		}
	},
})

var _ = register(&Rule{
	ID: "maintenance-deadlock", Severity: lang.SevWarning,
	Summary: "Interconnects share some devices but not all, which can deadlock maintenance.",
	Explain: `The open specification forbids scheduled maintenance on two devices of one interconnect at
the same time. Interconnects that share some devices but not all tie those rules together: with
devices [a,b,c,d], [a,e,c,d] and a third on [b,e], no device can enter maintenance without
blocking another interconnect's device, and the providers' schedulers can deadlock. Providers
check device groupings when they provision.

A partial overlap is a warning; a partial overlap that lies on a cycle of them (the example
above) is an error.

Fix: place interconnects on the same device set or on disjoint ones (devices = […]).`,
	check: func(v *validator, rule *Rule) {
		// Interconnects on the same device set never overlap partially, and
		// many often share one (every Interconnect of a design on the
		// default devices): they are grouped by set first, so the work is
		// the pairs of different sets, not of every two Interconnects.
		sets := make([][]string, len(v.p.Interconnects))
		var members [][]int // each set's Interconnects, ascending
		groupOf := map[string]int{}
		byDevice := map[string][]int{} // each device's sets, ascending
		for i, ip := range v.p.Interconnects {
			for _, c := range ip.Channels {
				sets[i] = append(sets[i], c.AWS.Device)
			}
			slices.Sort(sets[i])
			sets[i] = slices.Compact(sets[i])
			k := fmt.Sprintf("%q", sets[i]) // quoted: no two sets share a key
			g, ok := groupOf[k]
			if !ok {
				g = len(members)
				groupOf[k] = g
				members = append(members, nil)
				for _, dev := range sets[i] {
					byDevice[dev] = append(byDevice[dev], g)
				}
			}
			members[g] = append(members[g], i)
		}
		// Pairs that share a device but not the whole set, in declaration order.
		partial := map[int][]int{}
		var pairs [][2]int
		seen := map[[2]int]bool{}
		for _, dev := range slices.Sorted(maps.Keys(byDevice)) {
			gs := byDevice[dev]
			for x := range gs {
				for y := x + 1; y < len(gs); y++ {
					if seen[[2]int{gs[x], gs[y]}] {
						continue
					}
					seen[[2]int{gs[x], gs[y]}] = true
					for _, a := range members[gs[x]] {
						for _, b := range members[gs[y]] {
							a, b := min(a, b), max(a, b)
							pairs = append(pairs, [2]int{a, b})
							partial[a] = append(partial[a], b)
							partial[b] = append(partial[b], a)
						}
					}
				}
			}
		}
		slices.SortFunc(pairs, func(p, q [2]int) int { return cmpPair(p, q) })
		onCycle := cycleEdges(len(sets), partial)
		for _, pr := range pairs {
			a, b := v.p.Interconnects[pr[0]].Declared, v.p.Interconnects[pr[1]].Declared
			f := finding{at: b.Source(),
				summary: fmt.Sprintf("%s [%s] and %s [%s] share some devices but not all", b.Ref(), strings.Join(sets[pr[1]], ", "), a.Ref(), strings.Join(sets[pr[0]], ", ")),
				related: related(a, "the other interconnect"), hint: "use the same devices for both, or none in common"}
			if onCycle[pr] {
				f.sev = sevPtr(lang.SevError)
				f.summary += ", and the pair lies on a cycle of such interconnects: maintenance can deadlock"
			}
			v.report(rule, f)
		}
	},
})

func cmpPair(p, q [2]int) int {
	if p[0] != q[0] {
		return p[0] - q[0]
	}
	return p[1] - q[1]
}

// cycleEdges returns the edges of an undirected graph that lie on a cycle:
// every edge that is not a bridge (Tarjan: the edge u–v to a DFS child v is
// a bridge when nothing below v reaches back above it). Edges are keyed with
// the smaller vertex first.
func cycleEdges(n int, adj map[int][]int) map[[2]int]bool {
	disc, low := make([]int, n), make([]int, n)
	for i := range disc {
		disc[i] = -1
	}
	time := 0
	bridges := map[[2]int]bool{}
	var dfs func(u, parent int)
	dfs = func(u, parent int) {
		disc[u], low[u] = time, time
		time++
		for _, w := range adj[u] {
			switch {
			case disc[w] < 0:
				dfs(w, u)
				low[u] = min(low[u], low[w])
				if low[w] > disc[u] {
					bridges[[2]int{min(u, w), max(u, w)}] = true
				}
			case w != parent:
				low[u] = min(low[u], disc[w])
			}
		}
	}
	for u := range n {
		if disc[u] < 0 {
			dfs(u, -1)
		}
	}
	out := map[[2]int]bool{}
	for u, ws := range adj {
		for _, w := range ws {
			if e := [2]int{min(u, w), max(u, w)}; !bridges[e] {
				out[e] = true
			}
		}
	}
	return out
}
