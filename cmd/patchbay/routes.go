package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"patchbay/lang"
	"patchbay/planner"
)

// routeCodes are the one-letter codes of how a table learned a route, in
// the order the legend lists them. Letters follow router habit where one
// exists (L local, S static, B BGP).
var routeCodes = []struct {
	tag, code, meaning string
}{
	{planner.TagLocal, "L", "local: the network's own prefix"},
	{planner.TagStatic, "S", "static: a configured route or a Cloud WAN create-route"},
	{planner.TagVPC, "P", "a network's prefix, propagated to its gateway or router"},
	{planner.TagGateway, "G", "from the AWS side: a network's gateway, or the gateway behind an edge router"},
	{planner.TagPeer, "B", "over BGP from the far side of an Interconnect or last mile"},
	{planner.TagEdge, "E", "from an AWS edge router (Direct Connect, Interconnect, last mile)"},
	{planner.TagAttachment, "A", "from a Cloud WAN attachment"},
	{planner.TagMesh, "M", "from another Cloud WAN edge"},
	{planner.TagShare, "H", "shared from another Cloud WAN segment"},
	{planner.TagPeering, "W", "over Transit Gateway ↔ Cloud WAN peering"},
}

func routeCode(tag string) string {
	for _, c := range routeCodes {
		if c.tag == tag {
			return c.code
		}
	}
	return "?"
}

// defaultMaxRoutes bounds the routes one command lists, which it holds in
// memory until each table is written: a million is some 150 MB of text.
const defaultMaxRoutes = 1_000_000

func routesCmd(ctx context.Context, g *globalFlags, stdout, stderr io.Writer) *cobra.Command {
	var maxRoutes int
	cmd := &cobra.Command{
		Use:   "routes FILE [TABLE...]",
		Short: "Show the derived routing tables, all or the named ones",
		Long: `routes prints the routing tables the planner derives from the design, with every link up
and every BGP session established: per table, each prefix with how it was learned, where
traffic for it goes (the link left by and the device at its far end; several for equal-cost
paths), the link's MTU and the declaration that put the route there.

TABLE is a table's printed name ("transit_gateway.hub [hub/spokes]"), its own name
("hub/spokes") or a device's name ("vpc.web", "transit_gateway.hub") for all its tables.
Without TABLE every table is printed: on a large design that is every prefix times every
table, so name the table you want. More than --max-routes routes in all is refused.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(g, "text", "json"); err != nil {
				return err
			}
			p, err := planFile(ctx, g, args[0], stdout, stderr)
			if err != nil {
				return err
			}
			topo := p.Topology()
			if topo.Err != nil {
				return fmt.Errorf("%s: the routing model cannot be built: %v", args[0], topo.Err)
			}
			tables, err := selectTables(topo, args[1:])
			if err != nil {
				return err
			}
			if maxRoutes < 0 {
				return fmt.Errorf("--max-routes %d: want 0 (no bound) or more", maxRoutes)
			}
			all, err := topo.RoutesWithin(ctx, tables, maxRoutes)
			var tooMany *planner.TooManyRoutes
			if errors.As(err, &tooMany) {
				what := "the tables named hold"
				if len(args) == 1 {
					what = "every table of the design holds"
				}
				count := fmt.Sprintf("%d tables", tooMany.Tables)
				if tooMany.Tables == 1 {
					count = "1 table"
				}
				return fmt.Errorf("%s: %s more than %d routes in all (%s): name the tables you want (patchbay routes FILE TABLE…) or raise --max-routes",
					args[0], what, tooMany.Max, count)
			}
			if err != nil {
				return err
			}
			w := bufio.NewWriter(stdout)
			if g.format == "json" {
				err = writeRoutesJSON(w, tables, all)
			} else {
				err = writeRoutesText(w, tables, all)
			}
			if err != nil {
				return err
			}
			return w.Flush()
		},
	}
	cmd.Flags().IntVar(&maxRoutes, "max-routes", defaultMaxRoutes, "the most routes to list, in all tables (0: no bound)")
	return cmd
}

// selectTables resolves the TABLE arguments, every table when there are
// none, sorted by printed name and without repeats.
func selectTables(topo *planner.Topology, names []string) ([]*planner.Table, error) {
	var out []*planner.Table
	if len(names) == 0 {
		out = slices.Clone(topo.Tables)
	}
	for _, n := range names {
		found := topo.TableNamed(n)
		if len(found) == 0 {
			return nil, unknownTable(topo, n)
		}
		for _, tb := range found {
			if !slices.Contains(out, tb) {
				out = append(out, tb)
			}
		}
	}
	slices.SortFunc(out, func(a, b *planner.Table) int {
		if c := strings.Compare(a.String(), b.String()); c != 0 {
			return c
		}
		return a.ID - b.ID
	})
	return out, nil
}

// maxListed bounds the tables an error lists: a generated design has
// tens of thousands.
const maxListed = 40

func unknownTable(topo *planner.Topology, name string) error {
	var printed, candidates []string
	for _, tb := range topo.Tables {
		printed = append(printed, tb.String())
		candidates = append(candidates, tb.String(), tb.Device.Name)
		if tb.Name != "" {
			candidates = append(candidates, tb.Name)
		}
	}
	slices.Sort(printed)
	hint := ""
	if n := lang.Nearest(name, candidates); n != "" {
		hint = fmt.Sprintf(" (did you mean %q?)", n)
	}
	list := printed
	more := ""
	if len(list) > maxListed {
		list, more = list[:maxListed], fmt.Sprintf("\n  … and %d more", len(printed)-maxListed)
	}
	return fmt.Errorf("no table %q%s; the design's tables are:\n  %s%s", name, hint, strings.Join(list, "\n  "), more)
}

// declaredAt is where a table's declaration is, or says it has none:
// edge routers and a gateway's default table are built by the service.
func declaredAt(r lang.Range) string {
	if r.IsZero() {
		return "(built by the service, no declaration)"
	}
	return r.String()
}

func writeRoutesText(w io.Writer, tables []*planner.Table, all [][]*planner.Route) error {
	fmt.Fprintln(w, "Codes:")
	for _, c := range routeCodes {
		fmt.Fprintf(w, "  %s  %s\n", c.code, c.meaning)
	}
	fmt.Fprintln(w, "  [preference/AS-path length]: lower preference wins, then the shorter AS path; a Cloud WAN edge ranks its dynamic routes (4 and up) by AS path first")
	for i, tb := range tables {
		fmt.Fprintf(w, "\n%s  %s\n", tb, declaredAt(tb.Source))
		routes := all[i]
		if len(routes) == 0 {
			fmt.Fprintln(w, "  no routes")
			continue
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, r := range routes {
			lead := fmt.Sprintf("  %s\t%s\t[%d/%d]", routeCode(r.Tag), r.Prefix, r.Pref, r.ASPath)
			switch {
			case r.Local:
				fmt.Fprintf(tw, "%s\tlocal\t\t%s\n", lead, r.Source)
			case r.Blackhole:
				fmt.Fprintf(tw, "%s\tblackhole\t\t%s\n", lead, r.Source)
			default:
				// Equal-cost next hops continue on lines of their own,
				// without the source, which the first line gives. A route
				// with an MTU of its own sends no larger over the link.
				for i, h := range r.NextHops {
					mtu := r.HopMTU(h)
					if i == 0 {
						fmt.Fprintf(tw, "%s\tvia %s → %s\tmtu %d\t%s\n", lead, h.Link.Name, h.Peer().Device.Name, mtu, r.Source)
					} else {
						fmt.Fprintf(tw, "\t\t\tvia %s → %s\tmtu %d\n", h.Link.Name, h.Peer().Device.Name, mtu)
					}
				}
			}
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

type routesTableJSON struct {
	Name       string      `json:"name"`
	Device     string      `json:"device"`
	DeclaredAt lang.Range  `json:"declared_at"`
	Routes     []routeJSON `json:"routes"`
}

type routeJSON struct {
	Prefix       string        `json:"prefix"`
	Learned      string        `json:"learned"`
	Preference   int           `json:"preference"`
	ASPathLength int           `json:"as_path_length"`
	NextHops     []nextHopJSON `json:"next_hops"`
	Local        bool          `json:"local"`
	Blackhole    bool          `json:"blackhole"`
	Origin       string        `json:"origin"`
	Why          string        `json:"why"`
	Source       lang.Range    `json:"source"`
}

type nextHopJSON struct {
	Link   string `json:"link"`
	Device string `json:"device"`
	MTU    int    `json:"mtu"`
}

// writeRoutesJSON writes the same bytes writeJSON would for the whole
// document, one table at a time.
func writeRoutesJSON(w io.Writer, tables []*planner.Table, all [][]*planner.Route) error {
	if len(tables) == 0 {
		_, err := io.WriteString(w, "{\n  \"schema\": \"patchbay.routes/v1\",\n  \"tables\": []\n}\n")
		return err
	}
	if _, err := io.WriteString(w, "{\n  \"schema\": \"patchbay.routes/v1\",\n  \"tables\": [\n    "); err != nil {
		return err
	}
	for i, tb := range tables {
		t := routesTableJSON{Name: tb.String(), Device: tb.Device.Name, DeclaredAt: tb.Source, Routes: []routeJSON{}}
		for _, r := range all[i] {
			rj := routeJSON{Prefix: r.Prefix.String(), Learned: r.Tag, Preference: r.Pref, ASPathLength: r.ASPath,
				NextHops: []nextHopJSON{}, Local: r.Local, Blackhole: r.Blackhole, Origin: r.Origin, Source: r.Source}
			if r.Via != nil {
				rj.Why = r.Via.Why
			}
			for _, h := range r.NextHops {
				rj.NextHops = append(rj.NextHops, nextHopJSON{Link: h.Link.Name, Device: h.Peer().Device.Name, MTU: r.HopMTU(h)})
			}
			t.Routes = append(t.Routes, rj)
		}
		b, err := json.MarshalIndent(t, "    ", "  ")
		if err != nil {
			return err
		}
		if i > 0 {
			b = append([]byte(",\n    "), b...)
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, "\n  ]\n}\n")
	return err
}
