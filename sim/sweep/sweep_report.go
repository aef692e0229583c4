package sweep

import (
	"patchbay/sim/internal/units"

	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"slices"
	"strings"
	"time"
)

// WriteJSON writes the sweep as indented JSON (patchbay.sweep/v2, docs/json.md), the
// cases one at a time: the bytes are encoding/json's for the whole value,
// without its copy of them all in memory.
func (s *Sweep) WriteJSON(w io.Writer) error {
	head := *s
	head.Cases = []Case{}
	text, err := json.MarshalIndent(&head, "", "  ")
	if err != nil {
		return err
	}
	// The top level's cases, at its indentation: strings are escaped and
	// deeper lines indented further, so nothing else matches.
	const mark = "\n  \"cases\": []"
	at := bytes.Index(text, []byte(mark))
	if at < 0 {
		return fmt.Errorf("sweep JSON: no cases field")
	}
	bw := bufio.NewWriter(w)
	bw.Write(text[:at])
	if len(s.Cases) == 0 {
		bw.WriteString(mark)
	} else {
		bw.WriteString("\n  \"cases\": [\n    ")
		for i := range s.Cases {
			c, err := json.MarshalIndent(&s.Cases[i], "    ", "  ")
			if err != nil {
				return err
			}
			if i > 0 {
				bw.WriteString(",\n    ")
			}
			bw.Write(c)
		}
		bw.WriteString("\n  ]")
	}
	bw.Write(text[at+len(mark):])
	bw.WriteByte('\n')
	return bw.Flush()
}

// caseLine summarises a case for the tables.
type caseLine struct {
	rank                      int
	failure                   string
	cut                       string // flows that lose everything
	shortfall, lost, blackout string
	broken                    string
}

func (s *Sweep) lines(limit int) []caseLine {
	var out []caseLine
	for rank, ci := range s.Ranking {
		if limit > 0 && rank >= limit {
			break
		}
		// The flows a case does not list are as they were: nothing cut,
		// short or lost.
		c := s.Cases[ci]
		var names []string
		for _, e := range c.Failed {
			names = append(names, e.String())
		}
		cut, short, bytes := 0, 0.0, int64(0)
		black := time.Duration(0)
		for _, f := range c.Flows {
			if f.Blackout < 0 {
				cut++
			}
			short += f.Shortfall
			bytes += f.LostBytes
			if f.Blackout < 0 || black >= 0 && f.Blackout > black {
				black = f.Blackout
			}
		}
		l := caseLine{rank: rank + 1, failure: strings.Join(names, " + "), cut: fmt.Sprintf("%d of %d", cut, len(s.Flows)),
			shortfall: units.Rate(short), lost: units.Bytes(bytes), blackout: blackoutText(black), broken: strings.Join(s.brokenWays(c), ", ")}
		if short == 0 {
			l.shortfall = "-"
		}
		out = append(out, l)
	}
	return out
}

// brokenWays names the objectives a case breaks, each with the one
// direction it breaks when the other holds.
func (s *Sweep) brokenWays(c Case) []string {
	out := make([]string, 0, len(c.Broken))
	for _, name := range c.Broken {
		i := slices.IndexFunc(s.Objectives, func(o Objective) bool { return o.Name == name })
		if i < 0 {
			out = append(out, name)
			continue
		}
		var ways []Direction
		for _, d := range s.Objectives[i].Directions {
			if slices.Contains(d.BrokenBy, c.Index) {
				ways = append(ways, d)
			}
		}
		if len(ways) == 1 && len(s.Objectives[i].Directions) > 1 {
			name += fmt.Sprintf(" (%s → %s)", ways[0].From, ways[0].To)
		}
		out = append(out, name)
	}
	return out
}

func blackoutText(d time.Duration) string {
	switch {
	case d < 0:
		return "until repaired"
	case d == 0:
		return "-"
	}
	return units.Span(d)
}

// WriteText writes the ranked failures (the worst 20), the objectives and
// the availability estimates for people; for a shard, only its header
// and its count of cases, since the ranking needs them all.
func (s *Sweep) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	kind := "single failures"
	if s.Depth == 2 {
		kind = "single failures and pairs"
		if s.Sampled {
			kind += " (pairs sampled)"
		}
	}
	fmt.Fprintf(bw, "sweep of %s: %d %s, %d flows", s.Design, s.Total, kind, len(s.Flows))
	if s.Scenario != "" {
		fmt.Fprintf(bw, " (scenario %s)", s.Scenario)
	}
	fmt.Fprintln(bw)
	if s.Shard != "" {
		fmt.Fprintf(bw, "shard %s: %d cases; merge the shards with 'patchbay sweep merge' for the ranking\n", s.Shard, len(s.Cases))
		return bw.Flush()
	}
	fmt.Fprintln(bw, "\nworst failures")
	lines := s.lines(20)
	width := len("failure")
	for _, l := range lines {
		width = max(width, len(l.failure))
	}
	fmt.Fprintf(bw, "  %4s  %-*s  %-12s %-12s %-14s %-15s %s\n", "rank", width, "failure", "flows cut", "shortfall", "lost meanwhile", "blackout", "objectives broken")
	for _, l := range lines {
		fmt.Fprintf(bw, "  %4d  %-*s  %-12s %-12s %-14s %-15s %s\n", l.rank, width, l.failure, l.cut, l.shortfall, l.lost, l.blackout, l.broken)
	}
	if len(s.Ranking) > 20 {
		fmt.Fprintf(bw, "  … and %d more (--format json has them all)\n", len(s.Ranking)-20)
	}
	if len(s.Objectives) > 0 {
		fmt.Fprintln(bw, "\nobjectives")
		for _, o := range s.Objectives {
			var bounds []string
			if o.MaxBlackout > 0 || o.NoBlackout {
				bounds = append(bounds, "blackout at most "+units.Span(o.MaxBlackout))
			}
			if o.MinBandwidth > 0 {
				bounds = append(bounds, "at least "+units.Rate(o.MinBandwidth))
			}
			fmt.Fprintf(bw, "  %s (%s → %s, %s): ", o.Name, o.From, o.To, strings.Join(bounds, ", "))
			if o.Unchecked {
				fmt.Fprintf(bw, "NOT CHECKED: the scenario has no flow between %s and %s\n", o.From, o.To)
				continue
			}
			verdicts := make([]string, len(o.Directions))
			for i, d := range o.Directions {
				verdicts[i] = s.verdict(d)
			}
			// Both ways alike read as one verdict; otherwise each way
			// says what broke it.
			if !slices.ContainsFunc(verdicts, func(v string) bool { return v != verdicts[0] }) {
				fmt.Fprintln(bw, verdicts[0])
				continue
			}
			fmt.Fprintln(bw, "BROKEN")
			for i, d := range o.Directions {
				fmt.Fprintf(bw, "    %s → %s: %s\n", d.From, d.To, verdicts[i])
			}
		}
	}
	if len(s.Availability) > 0 {
		fmt.Fprintln(bw, "\navailability (independent failures; figures from stdlib/catalog/availability.json)")
		for _, a := range s.Availability {
			verdict := "meets"
			if !a.MeetsSLA {
				verdict = "BELOW"
			}
			fmt.Fprintf(bw, "  %s: %.6f%%, %s the %.2f%% SLA", a.Flow, a.Availability*100, verdict, a.SLA*100)
			if len(a.Cuts) > 0 {
				fmt.Fprintf(bw, "; single points of failure: %s", strings.Join(a.Cuts, ", "))
			}
			switch {
			case a.PairCuts > 0:
				fmt.Fprintf(bw, "; %d pairs cut it", a.PairCuts)
			case !a.PairsSwept && len(a.Cuts) == 0:
				fmt.Fprint(bw, "; no single point of failure (an upper bound: --depth 2 counts the pairs that cut it)")
			}
			fmt.Fprintln(bw)
		}
	}
	return bw.Flush()
}

// verdict is what became of one direction of an objective.
func (s *Sweep) verdict(d Direction) string {
	switch {
	case d.BrokenBefore:
		return "BROKEN with nothing failed"
	case len(d.BrokenBy) == 0:
		return "met through every single failure"
	}
	var names []string
	for k, i := range d.BrokenBy {
		if k == 10 {
			names = append(names, fmt.Sprintf("and %d more", len(d.BrokenBy)-10))
			break
		}
		var parts []string
		for _, e := range s.Cases[i].Failed {
			parts = append(parts, e.String())
		}
		names = append(names, strings.Join(parts, " + "))
	}
	return "BROKEN by " + strings.Join(names, "; ")
}

// WriteMarkdown writes the report as markdown tables, for a pull request:
// the worst 20 failures, and the flows' availability.
func (s *Sweep) WriteMarkdown(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "### Failure sweep of `%s`\n\n%d cases, %d flows.\n\n", s.Design, s.Total, len(s.Flows))
	fmt.Fprintln(bw, "| rank | failure | flows cut | shortfall | lost meanwhile | blackout | objectives broken |")
	fmt.Fprintln(bw, "|---:|---|---|---|---|---|---|")
	esc := func(x string) string { return strings.ReplaceAll(x, "|", `\|`) }
	for _, l := range s.lines(20) {
		fmt.Fprintf(bw, "| %d | %s | %s | %s | %s | %s | %s |\n", l.rank, esc(l.failure), l.cut, l.shortfall, l.lost, l.blackout, esc(l.broken))
	}
	if len(s.Availability) > 0 {
		fmt.Fprintln(bw, "\n| flow | availability | SLA | single points of failure |")
		fmt.Fprintln(bw, "|---|---:|---:|---|")
		for _, a := range s.Availability {
			fmt.Fprintf(bw, "| %s | %.4f%% | %.2f%% | %s |\n", esc(a.Flow), a.Availability*100, a.SLA*100, esc(strings.Join(a.Cuts, ", ")))
		}
	}
	return bw.Flush()
}

// WriteBlackoutSVG draws the blackout (or, when longer, the disruption)
// of the worst failures (40 at most, in Ranking's order) as horizontal
// bars, worst first, each labelled with the failure in full:
// the label column is as wide as the longest name, so none is clipped. A
// failure that cuts a flow until it is repaired has no length to draw; its
// bar spans the axis, hatched, and says so in words, so it reads apart
// from the longest measured blackout without relying on colour.
func (s *Sweep) WriteBlackoutSVG(w io.Writer) error {
	const (
		font      = 11
		charWidth = 7.0 // wider than Liberation Sans's widest average at 11 px, so estimates never fall short
		row       = 20
		top       = 62
		axis      = 480 // the bars' length for the worst measured blackout
		valueW    = 110 // room after a bar for its value
	)
	n := min(len(s.Ranking), 40)
	worst := time.Duration(0)
	black := make([]time.Duration, n)
	labels := make([]string, n)
	labelW := 0.0
	for i := range n {
		c := s.Cases[s.Ranking[i]]
		for _, f := range c.Flows {
			if f.Blackout < 0 {
				black[i] = -1
				break
			}
			black[i] = max(black[i], f.Blackout, f.Disrupted)
		}
		worst = max(worst, black[i])
		var names []string
		for _, e := range c.Failed {
			names = append(names, e.String())
		}
		labels[i] = strings.Join(names, " + ")
		labelW = max(labelW, float64(len([]rune(labels[i])))*charWidth)
	}
	if worst == 0 {
		worst = time.Second
	}
	title := "Blackout or disruption per failure, worst first: " + s.Design
	left := 10 + labelW + 8
	width := max(left+axis+valueW, 20+float64(len([]rune(title)))*charWidth*15/11)
	height := float64(top + max(n, 1)*row + 60)
	scale := axis / worst.Seconds()
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" font-family="Liberation Sans, Arial, sans-serif" font-size="%d">`+"\n", width, height, font)
	fmt.Fprintln(bw, `<defs><pattern id="cut" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="8" height="8" fill="#f5b7b1"/><rect width="4" height="8" fill="#c0392b"/></pattern></defs>`)
	fmt.Fprintf(bw, `<rect width="%.0f" height="%.0f" fill="white"/>`+"\n", width, height)
	fmt.Fprintf(bw, `<text x="10" y="22" font-size="15">%s</text>`+"\n", html.EscapeString(title))
	// The time axis above the bars: 0 and the worst measured blackout.
	fmt.Fprintf(bw, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="black"/>`+"\n", left, top-6, left+axis, top-6)
	fmt.Fprintf(bw, `<text x="%.1f" y="%d" text-anchor="middle">0</text>`+"\n", left, top-12)
	fmt.Fprintf(bw, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`+"\n", left+axis, top-12, html.EscapeString(units.Span(worst)))
	if n == 0 {
		fmt.Fprintf(bw, `<text x="10" y="%d">No failure changes any flow.</text>`+"\n", top+14)
	}
	for i := range n {
		y := float64(top + i*row)
		fmt.Fprintf(bw, `<text x="%.1f" y="%.1f" text-anchor="end">%s</text>`+"\n", left-8, y+14, html.EscapeString(labels[i]))
		if black[i] < 0 {
			fmt.Fprintf(bw, `<rect x="%.1f" y="%.1f" width="%d" height="%d" fill="url(#cut)" stroke="#c0392b"/>`+"\n", left, y+3, axis, row-6)
			fmt.Fprintf(bw, `<text x="%.1f" y="%.1f" fill="#c0392b">until repaired</text>`+"\n", left+axis+6, y+14)
			continue
		}
		fmt.Fprintf(bw, `<rect x="%.1f" y="%.1f" width="%.1f" height="%d" fill="#2e86c1"/>`+"\n", left, y+3, black[i].Seconds()*scale, row-6)
		fmt.Fprintf(bw, `<text x="%.1f" y="%.1f">%s</text>`+"\n", left+black[i].Seconds()*scale+6, y+14, html.EscapeString(units.Span(black[i])))
	}
	legend := height - 30
	fmt.Fprintf(bw, `<rect x="10" y="%.1f" width="14" height="10" fill="#2e86c1"/><text x="30" y="%.1f">lost until routing settles (blackout or disruption)</text>`+"\n", legend, legend+9)
	fmt.Fprintf(bw, `<rect x="10" y="%.1f" width="14" height="10" fill="url(#cut)" stroke="#c0392b"/><text x="30" y="%.1f">a flow is cut until the failure is repaired</text>`+"\n", legend+14, legend+23)
	fmt.Fprintln(bw, "</svg>")
	return bw.Flush()
}
