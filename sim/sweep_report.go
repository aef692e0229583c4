package sim

import (
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

// WriteJSON writes the sweep as indented JSON, the cases one at a time:
// the bytes are encoding/json's for the whole value, without its copy of
// them all in memory.
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
			shortfall: rate(short), lost: bytesText(bytes), blackout: blackoutText(black), broken: strings.Join(s.brokenWays(c), ", ")}
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
	return span(d)
}

// WriteText writes the ranked failures, the objectives and the
// availability estimates for people.
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
				bounds = append(bounds, "blackout at most "+span(o.MaxBlackout))
			}
			if o.MinBandwidth > 0 {
				bounds = append(bounds, "at least "+rate(o.MinBandwidth))
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

// WriteMarkdown writes the report as a markdown table, for a pull request.
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

// WriteBlackoutSVG draws the blackout of the worst failures as bars, worst
// first; a failure that cuts a flow until repaired reaches the top.
func (s *Sweep) WriteBlackoutSVG(w io.Writer) error {
	const width, height, left, top, bottom = 900, 420, 70, 40, 150
	n := min(len(s.Ranking), 40)
	worst := time.Duration(0)
	black := make([]time.Duration, n)
	for i := range n {
		for _, f := range s.Cases[s.Ranking[i]].Flows {
			if f.Blackout < 0 {
				black[i] = -1
				break
			}
			black[i] = max(black[i], f.Blackout, f.Disrupted)
		}
		worst = max(worst, black[i])
	}
	if worst == 0 {
		worst = time.Second
	}
	scale := float64(height-top-bottom) / (worst.Seconds() * 1.1)
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="Liberation Sans, Arial, sans-serif" font-size="11">`+"\n", width, height)
	fmt.Fprintf(bw, `<rect width="%d" height="%d" fill="white"/>`+"\n", width, height)
	fmt.Fprintf(bw, `<text x="%d" y="22" font-size="15">Blackout or disruption per failure, worst first: %s</text>`+"\n", left, html.EscapeString(s.Design))
	base := height - bottom
	fmt.Fprintf(bw, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>`+"\n", left, base, width-10, base)
	fmt.Fprintf(bw, `<text x="10" y="%d">%s</text>`+"\n", top+10, html.EscapeString(span(time.Duration(float64(worst)*1.1))))
	fmt.Fprintf(bw, `<text x="10" y="%d">0</text>`+"\n", base)
	bar := float64(width-left-20) / float64(max(n, 1))
	for i := range n {
		x := float64(left) + float64(i)*bar
		h := float64(height - top - bottom)
		color := "#c0392b"
		if black[i] >= 0 {
			h = black[i].Seconds() * scale
			color = "#2e86c1"
		}
		fmt.Fprintf(bw, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>`+"\n", x+1, float64(base)-h, bar-2, h, color)
		var names []string
		for _, e := range s.Cases[s.Ranking[i]].Failed {
			names = append(names, e.Name)
		}
		fmt.Fprintf(bw, `<text transform="translate(%.1f,%d) rotate(60)">%s</text>`+"\n", x+bar/2, base+6, html.EscapeString(strings.Join(names, " + ")))
	}
	fmt.Fprintf(bw, `<text x="%d" y="%d" fill="#c0392b">red: a flow is cut until the failure is repaired</text>`+"\n", left, height-8)
	fmt.Fprintln(bw, "</svg>")
	return bw.Flush()
}
