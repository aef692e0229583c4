package sim

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"patchbay/lang"
	"patchbay/sim/internal/units"
	"patchbay/sim/network"
	"patchbay/stdlib"
)

// traceSchema names the JSON trace format (docs/json.md).
const traceSchema = "patchbay.trace/v1"

// Trace is what a run recorded. Times are nanoseconds of virtual time.
type Trace struct {
	Schema   string         `json:"schema"`
	Scenario string         `json:"scenario"`
	Source   string         `json:"source"`
	Seed     uint64         `json:"seed"`
	Duration time.Duration  `json:"duration_ns"`
	Interval time.Duration  `json:"interval_ns"`
	Network  NetworkSummary `json:"network"`
	Events   []TraceEvent   `json:"events"`
	Flows    []FlowSummary  `json:"flows"`
	Probes   []ProbeSummary `json:"probes"`
	Findings []Finding      `json:"findings"`
	// Convergence follows each scenario event until routing settles.
	Convergence []Convergence `json:"convergence"`
	// Metrics are the sampled series; the CSV export writes them, the
	// JSON trace leaves them out to stay readable.
	Metrics []Sample `json:"-"`
}

// NetworkSummary counts what the run instantiated.
type NetworkSummary struct {
	Devices   int     `json:"devices"`
	Links     int     `json:"links"`
	Physical  int     `json:"physical_links"`
	Tables    int     `json:"routing_tables"`
	Reference string  `json:"routing"`
	Capacity  []Group `json:"capacity"`
}

// Group is the capacity of an Interconnect or last mile.
type Group struct {
	Name     string  `json:"name"`
	Links    int     `json:"links"`
	Capacity float64 `json:"capacity_bps"`
}

// TraceEvent is one moment something changed.
type TraceEvent struct {
	T            time.Duration       `json:"t_ns"`
	Kind         string              `json:"kind"`
	Message      string              `json:"message"`
	Links        []LinkState         `json:"links,omitempty"`
	Routes       int                 `json:"route_changes"`
	RouteChanges []network.FIBChange `json:"route_changes_detail,omitempty"`
	Flows        []FlowChange        `json:"flows,omitempty"`
}

// LinkState is a link whose state or capacity changed.
type LinkState struct {
	Link     string  `json:"link"`
	Up       bool    `json:"up"`
	Members  int     `json:"members_up"`
	Capacity float64 `json:"capacity_bps"`
	Why      string  `json:"why,omitempty"` // what holds a link with members up down
}

// FlowChange is a flow's rates after a change.
type FlowChange struct {
	Flow      string             `json:"flow"`
	Demand    float64            `json:"demand_bps"`
	Delivered float64            `json:"delivered_bps"`
	Lost      map[string]float64 `json:"lost_bps"`
	Why       []string           `json:"why,omitempty"`
	Over      []string           `json:"over,omitempty"`  // the physical links that carry it
	Clear     []string           `json:"clear,omitempty"` // links it crosses unencrypted although it should not (should_encrypt without MKA)
	Paths     []string           `json:"paths,omitempty"`
}

// FlowSummary is a flow's account over the run.
type FlowSummary struct {
	Name           string           `json:"name"`
	From           string           `json:"source"`
	To             string           `json:"destination"`
	Rate           float64          `json:"rate_bps"`
	PacketSize     int              `json:"packet_size"`
	Active         time.Duration    `json:"active_ns"`
	DemandBytes    int64            `json:"demand_bytes"`
	DeliveredBytes int64            `json:"delivered_bytes"`
	LostBytes      map[string]int64 `json:"lost_bytes"`
	Blackout       time.Duration    `json:"blackout_ns"`
	Degraded       time.Duration    `json:"degraded_ns"`
	Outages        []Outage         `json:"outages"`
}

// ProbeSummary is a probe's account over the run.
type ProbeSummary struct {
	Name       string        `json:"name"`
	From       string        `json:"source"`
	To         string        `json:"destination"`
	Interval   time.Duration `json:"interval_ns"`
	PacketSize int           `json:"packet_size"`
	Sent       int           `json:"sent"`
	Lost       int           `json:"lost"`
	RTTMin     time.Duration `json:"rtt_min_ns"`
	RTTAvg     time.Duration `json:"rtt_avg_ns"`
	RTTMax     time.Duration `json:"rtt_max_ns"`
	// MaxUtilisation is the highest utilisation of any link a returned
	// probe crossed, out or back, when it crossed it.
	MaxUtilisation float64    `json:"max_path_utilisation"`
	LossSpans      []LossSpan `json:"loss_spans"`
}

// Convergence is what one scenario event set off: how long until the
// control plane reacted (BFD, BGP or a forwarding change), how long until
// the last forwarding change before the next event, and what each flow
// lost in between. Nil durations: nothing reacted, or forwarding never
// changed.
type Convergence struct {
	Event     string         `json:"event"`
	T         time.Duration  `json:"t_ns"`
	Detection *time.Duration `json:"detection_ns"`
	Stable    *time.Duration `json:"stable_ns"`
	Flows     []FlowLoss     `json:"flows"`
}

// FlowLoss is what a flow lost while routing converged.
type FlowLoss struct {
	Flow    string `json:"flow"`
	Bytes   int64  `json:"lost_bytes"`
	Packets int64  `json:"lost_packets"`
}

// Finding is a rule a scenario broke while it ran.
type Finding struct {
	T        time.Duration `json:"t_ns"`
	Rule     string        `json:"rule"`
	Severity string        `json:"severity"`
	Message  string        `json:"message"`
	Source   string        `json:"source"`
	Hint     string        `json:"hint,omitempty"`
}

// Sample is one metric value for the window ending at T.
type Sample struct {
	T       time.Duration
	Metric  string
	Subject string
	Value   float64
}

// HasErrors reports whether a finding is an error.
func (t *Trace) HasErrors() bool {
	for _, f := range t.Findings {
		if f.Severity == "error" {
			return true
		}
	}
	return false
}

func newTrace(sc *lang.Scenario, opts Options, n *network.Network) *Trace {
	t := &Trace{Schema: traceSchema, Scenario: sc.Name, Source: sc.Range.String(), Seed: opts.Seed, Duration: sc.Duration,
		Interval: opts.Interval, Events: []TraceEvent{}, Flows: []FlowSummary{}, Probes: []ProbeSummary{}, Findings: []Finding{},
		Convergence: []Convergence{}}
	t.Network = NetworkSummary{Devices: len(n.Devices), Links: len(n.Links), Tables: len(n.VRFs), Capacity: []Group{},
		Reference: "MACsec with MKA, eBGP and BFD on every channel and connection, detecting failures by their timers; managed services (TGW, Cloud WAN, DX gateway) propagate at once"}
	for _, l := range n.Links {
		if l.Physical() {
			t.Network.Physical++
		}
	}
	for _, g := range sortedKeys(n.Groups) {
		c := 0.0
		for _, l := range n.Groups[g] {
			c += l.NominalCapacity()
		}
		t.Network.Capacity = append(t.Network.Capacity, Group{Name: g, Links: len(n.Groups[g]), Capacity: c})
	}
	return t
}

func groupCapacity(links []*network.Link) float64 {
	c := 0.0
	for _, l := range links {
		c += l.Capacity()
	}
	return c
}

// WriteJSON writes the trace as indented JSON.
func (t *Trace) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(t)
}

// WriteMetricsCSV writes every sample as time_s,metric,subject,value.
func (t *Trace) WriteMetricsCSV(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "time_s,metric,subject,value")
	for _, s := range t.Metrics {
		fmt.Fprintf(bw, "%s,%s,%s,%s\n", strconv.FormatFloat(s.T.Seconds(), 'f', -1, 64), s.Metric, csvField(s.Subject),
			strconv.FormatFloat(s.Value, 'g', -1, 64))
	}
	return bw.Flush()
}

func csvField(s string) string {
	if strings.ContainsAny(s, ",\"\n") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

// WriteText writes the timeline for people: what changed when, what each
// flow lost and for how long, what the probes saw.
func (t *Trace) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "scenario %s (%s), %s, seed %d\n", t.Scenario, t.Source, stdlib.FormatDuration(t.Duration), t.Seed)
	fmt.Fprintf(bw, "network: %d devices, %d links (%d physical), %d routing tables\nrouting: %s\n",
		t.Network.Devices, t.Network.Links, t.Network.Physical, t.Network.Tables, t.Network.Reference)
	for _, g := range t.Network.Capacity {
		fmt.Fprintf(bw, "  %s: %d links, %s\n", g.Name, g.Links, units.Rate(g.Capacity))
	}
	fmt.Fprintln(bw, "\ntimeline")
	for _, e := range t.Events {
		writeEvent(bw, e)
	}
	for _, f := range t.Findings {
		fmt.Fprintf(bw, "  %9s  %s[%s]: %s\n  %9s    at %s\n", units.Clock(f.T), f.Severity, f.Rule, f.Message, "", f.Source)
		if f.Hint != "" {
			fmt.Fprintf(bw, "  %9s    hint: %s\n", "", f.Hint)
		}
	}
	if len(t.Convergence) > 0 {
		fmt.Fprintln(bw, "\nconvergence")
		for _, c := range t.Convergence {
			fmt.Fprintf(bw, "  %9s  %s\n", units.Clock(c.T), c.Event)
			switch {
			case c.Detection == nil:
				fmt.Fprintf(bw, "  %9s    no reaction\n", "")
			case c.Stable == nil:
				fmt.Fprintf(bw, "  %9s    reacted after %s; forwarding did not change\n", "", units.Span(*c.Detection))
			default:
				fmt.Fprintf(bw, "  %9s    reacted after %s, forwarding stable after %s\n", "", units.Span(*c.Detection), units.Span(*c.Stable))
			}
			for _, f := range c.Flows {
				fmt.Fprintf(bw, "  %9s    %s lost %s (%d packets) meanwhile\n", "", f.Flow, units.Bytes(f.Bytes), f.Packets)
			}
		}
	}
	fmt.Fprintln(bw, "\nflows")
	for _, f := range t.Flows {
		lost := int64(0)
		for _, v := range f.LostBytes {
			lost += v
		}
		fmt.Fprintf(bw, "  %s (%s → %s, %s, %d-byte packets)\n", f.Name, f.From, f.To, units.Rate(f.Rate), f.PacketSize)
		fmt.Fprintf(bw, "    delivered %s of %s, lost %s", units.Bytes(f.DeliveredBytes), units.Bytes(f.DemandBytes), units.Bytes(lost))
		for _, o := range sortedKeys(f.LostBytes) {
			fmt.Fprintf(bw, "; %s %s", o, units.Bytes(f.LostBytes[o]))
		}
		fmt.Fprintf(bw, "\n    blackout %s, degraded %s\n", units.Span(f.Blackout), units.Span(f.Degraded))
		for _, o := range f.Outages {
			fmt.Fprintf(bw, "    lost traffic %s – %s (%s, up to %.1f%%): %s\n", units.Clock(o.Start), units.Clock(o.End), units.Span(o.End-o.Start), o.Worst*100, strings.Join(o.Cause, ", "))
		}
	}
	fmt.Fprintln(bw, "\nprobes")
	for _, p := range t.Probes {
		fmt.Fprintf(bw, "  %s (%s → %s, every %s): sent %d, lost %d", p.Name, p.From, p.To, stdlib.FormatDuration(p.Interval), p.Sent, p.Lost)
		if p.Sent > p.Lost {
			fmt.Fprintf(bw, ", rtt min/avg/max %s/%s/%s, busiest link on its path %.1f%%", units.MS(p.RTTMin), units.MS(p.RTTAvg), units.MS(p.RTTMax), p.MaxUtilisation*100)
		}
		fmt.Fprintln(bw)
		for _, s := range p.LossSpans {
			fmt.Fprintf(bw, "    lost %d probes %s – %s: %s\n", s.Lost, units.Clock(s.Start), units.Clock(s.End), s.Reason)
		}
	}
	return bw.Flush()
}

func sortedStringKeys[V any](m map[string]V) []string { return sortedKeys(m) }

// Outage is a span in which a flow lost traffic.
type Outage struct {
	Start time.Duration `json:"start_ns"`
	End   time.Duration `json:"end_ns"`
	Worst float64       `json:"worst_loss_fraction"`
	Cause []string      `json:"causes"`
}

// writeEvent writes one timeline event as the text report does: what
// happened, then the links, forwarding entries and flows it changed.
func writeEvent(bw *bufio.Writer, e TraceEvent) {
	fmt.Fprintf(bw, "  %9s  %s\n", units.Clock(e.T), e.Message)
	for _, l := range e.Links {
		state := "down"
		if l.Up {
			state = "up"
		}
		if l.Why != "" {
			state += " (" + l.Why + ")"
		}
		if l.Capacity < 0 {
			fmt.Fprintf(bw, "  %9s    link %s %s\n", "", l.Link, state)
		} else {
			fmt.Fprintf(bw, "  %9s    link %s %s, %d members up, %s\n", "", l.Link, state, l.Members, units.Rate(l.Capacity))
		}
	}
	if e.Routes > 0 {
		fmt.Fprintf(bw, "  %9s    %d forwarding entries changed\n", "", e.Routes)
	}
	for _, f := range e.Flows {
		if f.Demand == 0 {
			fmt.Fprintf(bw, "  %9s    flow %s: not running\n", "", f.Flow)
			continue
		}
		fmt.Fprintf(bw, "  %9s    flow %s: %s of %s delivered", "", f.Flow, units.Rate(f.Delivered), units.Rate(f.Demand))
		for _, o := range sortedKeys(f.Lost) {
			fmt.Fprintf(bw, ", %s lost (%s)", units.Rate(f.Lost[o]), o)
		}
		if len(f.Over) > 0 {
			fmt.Fprintf(bw, ", over %s", strings.Join(f.Over, ", "))
		}
		fmt.Fprintln(bw)
		if len(f.Clear) > 0 {
			fmt.Fprintf(bw, "  %9s      UNENCRYPTED over %s (should_encrypt without an agreed MACsec key)\n", "", strings.Join(f.Clear, ", "))
		}
		for _, why := range f.Why {
			fmt.Fprintf(bw, "  %9s      why: %s\n", "", why)
		}
	}
}
