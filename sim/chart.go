package sim

import (
	"io"
	"strings"

	"patchbay/sim/plot"
)

// WriteSVG plots the run: utilisation of every physical link direction
// that carried traffic, each flow's loss, each probe's round trip, with
// the scenario's events as markers.
func (t *Trace) WriteSVG(w io.Writer) error {
	series := map[string]map[string][]plot.Point{}
	var order []string // metric/subject in first-seen order, which is stable
	used := map[string]bool{}
	for _, s := range t.Metrics {
		if series[s.Metric] == nil {
			series[s.Metric] = map[string][]plot.Point{}
		}
		v := s.Value
		switch s.Metric {
		case "link_utilisation", "flow_loss_fraction":
			v *= 100
		}
		if _, ok := series[s.Metric][s.Subject]; !ok {
			order = append(order, s.Metric+"\x00"+s.Subject)
		}
		series[s.Metric][s.Subject] = append(series[s.Metric][s.Subject], plot.Point{T: s.T, V: v})
		if v != 0 {
			used[s.Metric+"\x00"+s.Subject] = true
		}
	}
	panel := func(metric, title, ylabel string, onlyUsed bool) plot.Panel {
		p := plot.Panel{Title: title, YLabel: ylabel}
		for _, key := range order {
			m, subject, _ := strings.Cut(key, "\x00")
			if m != metric || (onlyUsed && !used[key]) {
				continue
			}
			p.Series = append(p.Series, plot.Series{Name: subject, Points: series[m][subject]})
		}
		return p
	}
	panels := []plot.Panel{
		panel("link_utilisation", "Link utilisation", "%", true),
		panel("flow_loss_fraction", "Flow loss", "%", false),
		panel("probe_rtt_ms", "Probe round trip", "ms", false),
	}
	var markers []plot.Marker
	for _, e := range t.Events {
		if e.T == 0 && e.Message == "start" {
			continue
		}
		label, _, _ := strings.Cut(e.Message, ":")
		label, _, _ = strings.Cut(label, " (")
		// What the scenario did is named; what the protocols did in
		// answer is a tick in the rug.
		kind := plot.Event
		if e.Kind != "change" {
			kind = plot.Transition
		}
		markers = append(markers, plot.Marker{At: e.T, Label: label, Kind: kind})
	}
	return plot.SVG(w, "patchbay sim: scenario "+t.Scenario, t.Duration, panels, markers)
}
