package cost

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
)

func money(x float64) string {
	s := fmt.Sprintf("%.2f", x)
	if x < 0 {
		return "-$" + s[1:]
	}
	return "$" + s
}

func unitPrice(l Line) string {
	if l.UnitPrice == nil {
		return "—"
	}
	return fmt.Sprintf("$%s/%s", trimZeros(*l.UnitPrice), l.Unit)
}

func trimZeros(x float64) string {
	s := fmt.Sprintf("%.4f", x)
	s = strings.TrimRight(s, "0")
	if strings.HasSuffix(s, ".") {
		s += "00"
	} else if i := strings.IndexByte(s, '.'); len(s)-i == 2 {
		s += "0"
	}
	return s
}

func quantity(l Line) string {
	if l.Unit == "h" {
		return trimNum(l.Quantity)
	}
	return trimNum(l.Quantity) + " " + l.Unit
}

func trimNum(x float64) string {
	s := fmt.Sprintf("%.3f", x)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s
}

// costCell marks estimated costs with ~ and unpriced ones loudly.
func costCell(l Line) string {
	switch {
	case l.Unpriced():
		return "UNPRICED"
	case l.Status == "estimated":
		return "~" + money(*l.Cost)
	}
	return money(*l.Cost)
}

func hourlyCell(l Line) string {
	if l.Hourly == nil {
		return ""
	}
	return money(*l.Hourly)
}

func period(hours float64) string {
	if hours == HoursPerMonth {
		return "a month (730 h)"
	}
	return trimNum(hours) + " h"
}

var cloudNames = map[string]string{"aws": "AWS", "gcp": "Google Cloud"}

// Summary is the one-line total plan shows.
func (r *Report) Summary() string {
	return strings.TrimPrefix(r.totalLine(), "Total for ")
}

func (r *Report) totalLine() string {
	var parts []string
	for _, c := range slices.Sorted(maps.Keys(r.Totals.ByCloud)) {
		parts = append(parts, fmt.Sprintf("%s %s", cloudNames[c], money(r.Totals.ByCloud[c])))
	}
	s := fmt.Sprintf("Total for %s: %s", period(r.Hours), money(r.Totals.Cost))
	if len(parts) > 0 {
		s += " (" + strings.Join(parts, ", ") + ")"
	}
	if r.Totals.Low != r.Totals.High {
		s += fmt.Sprintf("; %s to %s with estimated prices", money(r.Totals.Low), money(r.Totals.High))
	}
	if r.Totals.Unpriced > 0 {
		s += fmt.Sprintf("; %d component%s UNPRICED, not in the total", r.Totals.Unpriced, map[bool]string{true: "", false: "s"}[r.Totals.Unpriced == 1])
	}
	return s
}

// WriteText writes the breakdown for people. explain adds, under each line,
// the catalog row its price came from.
func (r *Report) WriteText(w io.Writer, explain bool) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Cost for %s\n\n", period(r.Hours))
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  RESOURCE\tCLOUD\tCOMPONENT\tQUANTITY\tUNIT PRICE\tHOURLY\tCOST\tSTATUS\tNOTE")
	for _, l := range r.Lines {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", l.Resource, l.Cloud, l.Component, quantity(l), unitPrice(l), hourlyCell(l), costCell(l), l.Status, l.Note)
	}
	tw.Flush()
	fmt.Fprintf(&b, "\n%s\n", r.totalLine())
	if explain {
		b.WriteString("\nWhere each price comes from:\n")
		seen := map[string]bool{}
		for _, l := range r.Lines {
			key := l.Price + l.Source
			if seen[key] {
				continue
			}
			seen[key] = true
			fmt.Fprintf(&b, "  %s\n", explainLine(l))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func explainLine(l Line) string {
	if l.Catalog == "" {
		return l.Source
	}
	return fmt.Sprintf("%s (%s): %s, %s, %s", l.Price, l.Catalog, l.Source, l.Date, l.Status)
}

// WriteMarkdown writes the breakdown as a table for a pull request comment.
func (r *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "### Cost for %s\n\n", period(r.Hours))
	b.WriteString("| Resource | Cloud | Component | Quantity | Unit price | Hourly | Cost | Status |\n")
	b.WriteString("|---|---|---|---:|---:|---:|---:|---|\n")
	for _, l := range r.Lines {
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s | %s | **%s** | %s |\n", l.Resource, l.Cloud, l.Component, quantity(l), unitPrice(l), hourlyCell(l), costCell(l), l.Status)
	}
	fmt.Fprintf(&b, "\n%s\n", r.totalLine())
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON writes the report (schema patchbay.cost/v1).
func (r *Report) WriteJSON(w io.Writer) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// ReadJSON reads a saved report, for --compare.
func ReadJSON(data []byte) (*Report, error) {
	var r Report
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, err
	}
	if r.Schema != "patchbay.cost/v1" {
		return nil, fmt.Errorf("not a patchbay cost report (schema %q)", r.Schema)
	}
	return &r, nil
}

// Diff is the change per resource between two reports.
type Diff struct {
	Resource string   `json:"resource"`
	Before   *float64 `json:"before"` // nil: absent or unpriced
	After    *float64 `json:"after"`
	Change   float64  `json:"change"`
	Note     string   `json:"note,omitempty"`
}

// byResource sums each resource's priced lines; a resource with any
// unpriced line has no total (it is not $0, only unknown).
func (r *Report) byResource() (map[string]float64, map[string]bool) {
	sum, unpriced := map[string]float64{}, map[string]bool{}
	for _, l := range r.Lines {
		if l.Unpriced() {
			unpriced[l.Resource] = true
			sum[l.Resource] += 0
			continue
		}
		sum[l.Resource] += *l.Cost
	}
	return sum, unpriced
}

// CompareReport is --compare's JSON document (schema patchbay.cost-compare/v1).
type CompareReport struct {
	Schema    string  `json:"schema"`
	Hours     float64 `json:"hours"`
	Before    Totals  `json:"before"`
	After     Totals  `json:"after"`
	Complete  bool    `json:"complete"` // false when unpriced components make the change unknown in part
	Resources []Diff  `json:"resources"`
}

// Compare lists what changed from before to r, resource by resource. The
// two reports must cover the same period.
func (r *Report) Compare(before *Report) (*CompareReport, error) {
	if before.Hours != r.Hours {
		return nil, fmt.Errorf("the reports cover different periods (%s and %s): price both for the same --hours", period(before.Hours), period(r.Hours))
	}
	a, au := before.byResource()
	b, bu := r.byResource()
	names := slices.Sorted(maps.Keys(a))
	for n := range b {
		if _, ok := a[n]; !ok {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	out := &CompareReport{Schema: "patchbay.cost-compare/v1", Hours: r.Hours, Before: before.Totals, After: r.Totals,
		Complete: before.Totals.Unpriced == 0 && r.Totals.Unpriced == 0, Resources: []Diff{}}
	for _, n := range names {
		d := Diff{Resource: n}
		_, inA := a[n]
		_, inB := b[n]
		if inA && !au[n] {
			v := a[n]
			d.Before = &v
		}
		if inB && !bu[n] {
			v := b[n]
			d.After = &v
		}
		switch {
		case au[n] || bu[n]:
			// An unpriced side makes the change unknown, not a saving.
			d.Note = "unpriced: change unknown"
			if au[n] != bu[n] {
				d.Note = "unpriced on one side: change unknown"
			}
		default:
			var x, y float64
			if d.Before != nil {
				x = *d.Before
			}
			if d.After != nil {
				y = *d.After
			}
			d.Change = round(y - x)
		}
		if d.Change != 0 || d.Note != "" && (au[n] != bu[n] || a[n] != b[n]) || inA != inB {
			out.Resources = append(out.Resources, d)
		}
	}
	return out, nil
}

func cell(v *float64) string {
	if v == nil {
		return "—"
	}
	return money(*v)
}

func signed(x float64) string {
	if x > 0 {
		return "+" + money(x)
	}
	return money(x)
}

// WriteCompare writes the differences and the change of the total.
func WriteCompare(w io.Writer, before, after *Report, markdown bool) error {
	c, err := after.Compare(before)
	if err != nil {
		return err
	}
	diffs := c.Resources
	var b strings.Builder
	total := round(after.Totals.Cost - before.Totals.Cost)
	if markdown {
		fmt.Fprintf(&b, "### Cost change for %s: %s\n\n| Resource | Before | After | Change |\n|---|---:|---:|---:|\n", period(after.Hours), signed(total))
		for _, d := range diffs {
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s %s |\n", d.Resource, cell(d.Before), cell(d.After), signed(d.Change), d.Note)
		}
		fmt.Fprintf(&b, "| **Total** | %s | %s | **%s** |\n", money(before.Totals.Cost), money(after.Totals.Cost), signed(total))
		if !c.Complete {
			b.WriteString("\nUnpriced components are left out of both totals, so the change is incomplete.\n")
		}
	} else {
		fmt.Fprintf(&b, "Cost change for %s\n\n", period(after.Hours))
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  RESOURCE\tBEFORE\tAFTER\tCHANGE\tNOTE")
		for _, d := range diffs {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", d.Resource, cell(d.Before), cell(d.After), signed(d.Change), d.Note)
		}
		fmt.Fprintf(tw, "  Total\t%s\t%s\t%s\t\n", money(before.Totals.Cost), money(after.Totals.Cost), signed(total))
		tw.Flush()
		if !c.Complete {
			b.WriteString("\nUnpriced components are left out of both totals, so the change is incomplete.\n")
		}
	}
	_, err = io.WriteString(w, b.String())
	return err
}
