package cost

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"patchbay/lang"
	"patchbay/planner"
	"patchbay/stdlib"
)

// Currency is what every price in the catalog is in.
const Currency = "USD"

func money(x float64) string {
	s := fmt.Sprintf("%.2f", x)
	if x < 0 {
		return "-$" + s[1:]
	}
	return "$" + s
}

// moneyComma is money with thousands separators, for Markdown, which is
// read as a bill; the text report keeps plain numbers that scripts grep.
func moneyComma(x float64) string {
	s := money(x)
	sign, rest, _ := strings.Cut(s, "$")
	whole, cents, _ := strings.Cut(rest, ".")
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return sign + "$" + b.String() + "." + cents
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
func costCell(l Line, m func(float64) string) string {
	switch {
	case l.Unpriced():
		return "UNPRICED"
	case l.Status == stdlib.Estimated:
		return "~" + m(*l.Cost)
	}
	return m(*l.Cost)
}

func hourlyCell(l Line, m func(float64) string) string {
	if l.Hourly == nil {
		return ""
	}
	return m(*l.Hourly)
}

func period(hours float64) string {
	if hours == HoursPerMonth {
		return "a month (730 h)"
	}
	return trimNum(hours) + " h"
}

var cloudNames = map[string]string{"aws": "AWS", "gcp": "Google Cloud", "partner": "partners"}

func cloudName(c string) string {
	if n, ok := cloudNames[c]; ok {
		return n
	}
	return c
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// Missing is a component left out of the total, and why.
type Missing struct {
	Resource  string `json:"resource"`
	Cloud     string `json:"cloud"`
	Component string `json:"component"`
	Price     string `json:"price_id,omitempty"` // the catalog row that matched, if one did
	Reason    string `json:"reason"`
}

// Missing lists the unpriced components, in the report's order.
func (r *Report) Missing() []Missing {
	out := []Missing{}
	for _, l := range r.Lines {
		if !l.Unpriced() {
			continue
		}
		reason := l.Source
		if l.Catalog != "" {
			// A row matched but carries no price: its source says why.
			reason = fmt.Sprintf("the catalog has no price (%s): %s", l.Catalog, l.Source)
		}
		out = append(out, Missing{Resource: l.Resource, Cloud: l.Cloud, Component: l.Component, Price: l.Price, Reason: reason})
	}
	return out
}

// Complete says whether every component is priced, so that the total is
// the whole cost rather than a lower bound.
func (r *Report) Complete() bool {
	for _, l := range r.Lines {
		if l.Unpriced() {
			return false
		}
	}
	return true
}

// totalParts is the headline: "Total for …: [at least ]$X" and what
// follows it (per cloud, range, unpriced count), apart so that Markdown can
// set the first in bold.
func (r *Report) totalParts(m func(float64) string) (head, tail string) {
	unpriced := map[string]int{}
	for _, l := range r.Lines {
		if l.Unpriced() {
			unpriced[l.Cloud]++
		}
	}
	clouds := slices.Sorted(maps.Keys(r.Totals.ByCloud))
	for c := range unpriced {
		if _, ok := r.Totals.ByCloud[c]; !ok {
			clouds = append(clouds, c)
		}
	}
	slices.Sort(clouds)
	var parts []string
	for _, c := range clouds {
		sum, priced := r.Totals.ByCloud[c]
		switch {
		case !priced:
			parts = append(parts, cloudName(c)+" unknown")
		case unpriced[c] > 0:
			parts = append(parts, fmt.Sprintf("%s at least %s", cloudName(c), m(sum)))
		default:
			parts = append(parts, fmt.Sprintf("%s %s", cloudName(c), m(sum)))
		}
	}
	n := len(r.Missing())
	head = fmt.Sprintf("Total for %s: %s", period(r.Hours), m(r.Totals.Cost))
	if n > 0 {
		head = fmt.Sprintf("Total for %s: at least %s", period(r.Hours), m(r.Totals.Cost))
	}
	if len(parts) > 0 {
		tail += " (" + strings.Join(parts, ", ") + ")"
	}
	if r.Totals.Low != r.Totals.High {
		what := ""
		if n > 0 {
			what = "the priced part "
		}
		tail += fmt.Sprintf("; %s%s to %s with estimated prices", what, m(r.Totals.Low), m(r.Totals.High))
	}
	if n > 0 {
		tail += fmt.Sprintf("; %s UNPRICED, not in the total", plural(n, "component", "components"))
	}
	return head, tail
}

func (r *Report) totalLine() string {
	head, tail := r.totalParts(money)
	return head + tail
}

// Summary is the one-line total plan shows: "at least" when components are
// unpriced, as in the report.
func (r *Report) Summary() string {
	return strings.TrimPrefix(r.totalLine(), "Total for ")
}

// WriteText writes the breakdown for people. explain adds, under each line,
// the catalog row its price came from.
func (r *Report) WriteText(w io.Writer, explain bool) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Cost for %s\n\n", period(r.Hours))
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  RESOURCE\tCLOUD\tCOMPONENT\tQUANTITY\tUNIT PRICE\tHOURLY\tCOST\tSTATUS\tNOTE")
	for _, l := range r.Lines {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", l.Resource, l.Cloud, l.Component, quantity(l), unitPrice(l), hourlyCell(l, money), costCell(l, money), l.Status, l.Note)
	}
	tw.Flush()
	fmt.Fprintf(&b, "\n%s\n", r.totalLine())
	if missing := r.Missing(); len(missing) > 0 {
		b.WriteString("\nNot in the total (UNPRICED):\n")
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		for _, m := range missing {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", m.Resource, m.Component, m.Reason)
		}
		tw.Flush()
	}
	if explain {
		b.WriteString("\nWhere each price comes from:\n")
		for _, l := range r.sourceLines() {
			fmt.Fprintf(&b, "  %s\n", explainLine(l))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// sourceLines is one line for each distinct price row (or missing row)
// behind the report, in the report's order.
func (r *Report) sourceLines() []Line {
	var out []Line
	seen := map[string]bool{}
	for _, l := range r.Lines {
		key := l.Price + l.Source
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, l)
	}
	return out
}

func explainLine(l Line) string {
	if l.Catalog == "" {
		return l.Source
	}
	return fmt.Sprintf("%s (%s): %s, %s, %s", l.Price, l.Catalog, l.Source, l.Date, l.Status)
}

// mdText makes catalog and design text safe in a Markdown table cell of a
// pull-request comment: a | would end the cell, a newline the row, and
// HTML (a user catalog's "</details>", say) would change the page.
func mdText(s string) string {
	return strings.NewReplacer("|", `\|`, "\r", " ", "\n", " ", "&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// mdCode is s as inline code; a backquote inside would end it early.
func mdCode(s string) string {
	return "`" + strings.NewReplacer("`", "'", "|", `\|`, "\n", " ", "\r", " ").Replace(s) + "`"
}

// WriteMarkdown writes the breakdown as a table for a pull request comment:
// the total up front in bold, what is missing from it, and the catalog rows
// behind the prices folded away under Sources.
func (r *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "### Cost for %s\n\n", period(r.Hours))
	b.WriteString("| Resource | Cloud | Component | Quantity | Unit price | Hourly | Cost | Status | Note |\n")
	b.WriteString("|---|---|---|---:|---:|---:|---:|---|---|\n")
	for _, l := range r.Lines {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | **%s** | %s | %s |\n", mdCode(l.Resource), mdText(l.Cloud), mdText(l.Component),
			mdText(quantity(l)), mdText(unitPrice(l)), hourlyCell(l, moneyComma), costCell(l, moneyComma), mdText(l.Status.String()), mdText(l.Note))
	}
	head, tail := r.totalParts(moneyComma)
	fmt.Fprintf(&b, "\n**%s**%s\n", head, mdText(tail))
	if missing := r.Missing(); len(missing) > 0 {
		b.WriteString("\nNot in the total (UNPRICED):\n\n")
		for _, m := range missing {
			fmt.Fprintf(&b, "- %s %s: %s\n", mdCode(m.Resource), mdText(m.Component), mdText(m.Reason))
		}
	}
	if sources := r.sourceLines(); len(sources) > 0 {
		// GitHub renders Markdown inside <details> only after a blank line.
		b.WriteString("\n<details><summary>Sources</summary>\n\n| Price | Catalog | Source | Date | Status |\n|---|---|---|---|---|\n")
		for _, l := range sources {
			price, catalog, date := "—", "—", "—"
			if l.Price != "" {
				price = mdCode(l.Price)
			}
			if l.Catalog != "" {
				catalog = mdText(l.Catalog)
			}
			if l.Date != "" {
				date = mdText(l.Date)
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", price, catalog, mdText(l.Source), date, mdText(l.Status.String()))
		}
		b.WriteString("\n</details>\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// plainReport is Report without its methods, to embed in jsonReport.
type plainReport Report

// jsonReport is a report's JSON: the report's own fields, then what is
// computed from them. Its Schema shadows the embedded one only to put it
// first, with the currency beside it.
type jsonReport struct {
	Schema   string `json:"schema"`
	Currency string `json:"currency"`
	plainReport
	Complete bool      `json:"complete"` // false: the totals leave out what "unpriced" lists
	Unpriced []Missing `json:"unpriced"`
	Skipped  *[]Skip   `json:"skipped,omitempty"` // with --show-skipped
}

func (r *Report) jsonDoc() jsonReport {
	return jsonReport{Schema: r.Schema, Currency: Currency, plainReport: plainReport(*r), Complete: r.Complete(), Unpriced: r.Missing()}
}

// WriteJSON writes the report (schema patchbay.cost/v1).
func (r *Report) WriteJSON(w io.Writer) error {
	return writeIndented(w, r.jsonDoc())
}

// WriteJSONSkipped writes the report with the resources that cost nothing.
func (r *Report) WriteJSONSkipped(w io.Writer, skipped []Skip) error {
	doc := r.jsonDoc()
	if skipped == nil {
		skipped = []Skip{}
	}
	doc.Skipped = &skipped
	return writeIndented(w, doc)
}

func writeIndented(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
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
	// Reports from before the currency field are in dollars too.
	var head struct {
		Currency *string `json:"currency"`
	}
	if err := json.Unmarshal(data, &head); err == nil && head.Currency != nil && *head.Currency != Currency {
		return nil, fmt.Errorf("the report is in %q; patchbay prices in %s", *head.Currency, Currency)
	}
	return &r, nil
}

// Skip is a resource of the design that adds nothing to the bill: free
// (priced, at $0) or not charged at all (no component to price).
type Skip struct {
	Resource string `json:"resource"`
	Free     bool   `json:"free"` // true: priced at $0; false: no component of its own to price
	Reason   string `json:"reason"`
}

// Skipped lists the resources of the plan that cost nothing in r and why,
// in the design's order, as Infracost's "resources skipped or free".
func Skipped(p *planner.Plan, r *Report) []Skip {
	lines := map[string][]Line{}
	for _, l := range r.Lines {
		lines[l.Resource] = append(lines[l.Resource], l)
	}
	out := []Skip{}
	for _, res := range p.Design.All() {
		ref := res.Ref()
		if ref.Kind == lang.KindScenario || ref.Kind == lang.KindObjective {
			continue // part of the design file, not of the network
		}
		ls := lines[ref.String()]
		if len(ls) == 0 {
			out = append(out, Skip{Resource: ref.String(), Reason: notCharged(p, res)})
			continue
		}
		free := true
		var why []string
		for _, l := range ls {
			if l.Unpriced() || *l.Cost != 0 {
				free = false
				break
			}
			about := l.Source
			if l.Note != "" {
				about = l.Note
			}
			why = append(why, l.Component+": "+about)
		}
		if free {
			out = append(out, Skip{Resource: ref.String(), Free: true, Reason: "$0 — " + strings.Join(why, "; ")})
		}
	}
	return out
}

func (s Skip) label() string {
	if s.Free {
		return "free"
	}
	return "none of its own"
}

// notCharged says why a resource has no component to price.
func notCharged(p *planner.Plan, res lang.Resource) string {
	switch x := res.(type) {
	case *lang.VPC:
		return "a VPC itself is free"
	case *lang.GCPVPC:
		return "a VPC network itself is free"
	case *lang.Site:
		return "on premises, outside both clouds"
	case *lang.VPNGateway:
		return "a virtual private gateway itself is free"
	case *lang.TransitGateway:
		return "no attachments, and no monthly_data_processed_gb in --usage"
	case *lang.Attachment:
		var on []string
		for _, end := range []lang.Ref{x.A, x.B} {
			if end.Kind == lang.KindTransitGW || end.Kind == lang.KindCoreNetwork {
				on = append(on, end.String())
			}
		}
		switch {
		case x.Kind == lang.AttachTGWPeering:
			return "billed as an attachment of " + strings.Join(on, " and ") + "; inter-region transfer needs monthly_inter_region_gb (and _return) in --usage"
		case len(on) > 0:
			return "billed as an attachment of " + strings.Join(on, " and ")
		}
		return "an association with a virtual private gateway or DX gateway is free"
	}
	switch res.Ref().Kind {
	case lang.KindRouteTable, lang.KindTGWRouteTable:
		return "route tables are free"
	}
	return "nothing of it is priced"
}

// WriteSkippedText lists what Skipped found, after a text report.
func WriteSkippedText(w io.Writer, skipped []Skip) error {
	var b strings.Builder
	free := 0
	for _, s := range skipped {
		if s.Free {
			free++
		}
	}
	fmt.Fprintf(&b, "\nResources that cost nothing: %d free, %d with no cost of their own\n", free, len(skipped)-free)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	for _, s := range skipped {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", s.Resource, s.label(), s.Reason)
	}
	tw.Flush()
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteSkippedMarkdown lists what Skipped found, folded, after a Markdown
// report.
func WriteSkippedMarkdown(w io.Writer, skipped []Skip) error {
	var b strings.Builder
	fmt.Fprintf(&b, "\n<details><summary>%s that cost nothing</summary>\n\n| Resource | Cost | Why |\n|---|---|---|\n", plural(len(skipped), "resource", "resources"))
	for _, s := range skipped {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", mdCode(s.Resource), s.label(), mdText(s.Reason))
	}
	b.WriteString("\n</details>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// Diff is the change per resource between two reports.
type Diff struct {
	Resource       string   `json:"resource"`
	Before         *float64 `json:"before"` // nil: absent or unpriced
	After          *float64 `json:"after"`
	BeforeUnpriced bool     `json:"before_unpriced,omitempty"` // nil because a component is unpriced
	AfterUnpriced  bool     `json:"after_unpriced,omitempty"`
	Change         float64  `json:"change"` // null in JSON when not Known
	Known          bool     `json:"-"`      // false: an unpriced component makes the change unknown
	Note           string   `json:"note,omitempty"`

	beforePriced, afterPriced float64 // the priced part of an unpriced side
}

// MarshalJSON writes an unknown change as null, never as 0.
func (d Diff) MarshalJSON() ([]byte, error) {
	out := struct {
		Resource       string   `json:"resource"`
		Before         *float64 `json:"before"`
		After          *float64 `json:"after"`
		BeforeUnpriced bool     `json:"before_unpriced,omitempty"`
		AfterUnpriced  bool     `json:"after_unpriced,omitempty"`
		Change         *float64 `json:"change"`
		Note           string   `json:"note,omitempty"`
	}{d.Resource, d.Before, d.After, d.BeforeUnpriced, d.AfterUnpriced, nil, d.Note}
	if d.Known {
		c := d.Change
		out.Change = &c
	}
	return json.Marshal(out)
}

// resourceCost is one resource's side of a comparison: what its priced
// components sum to and which components are unpriced.
type resourceCost struct {
	sum      float64
	unpriced []string // one key per unpriced component, sorted
}

func (r *Report) byResource() map[string]*resourceCost {
	out := map[string]*resourceCost{}
	for _, l := range r.Lines {
		c := out[l.Resource]
		if c == nil {
			c = &resourceCost{}
			out[l.Resource] = c
		}
		if l.Unpriced() {
			c.unpriced = append(c.unpriced, strings.Join([]string{l.Cloud, l.Component, strconv.FormatFloat(l.Quantity, 'g', -1, 64), l.Unit}, "\x00"))
			continue
		}
		c.sum += *l.Cost
	}
	for _, c := range out {
		slices.Sort(c.unpriced)
	}
	return out
}

// CompareReport is --compare's JSON document (schema patchbay.cost-compare/v1).
type CompareReport struct {
	Schema   string  `json:"schema"`
	Currency string  `json:"currency"`
	Hours    float64 `json:"hours"`
	Before   Totals  `json:"before"`
	After    Totals  `json:"after"`
	Complete bool    `json:"complete"` // false: unpriced components leave one total or both a lower bound
	// Change is the change of the total; null when an unpriced component
	// makes it unknown. ChangeAtLeast is then its lower bound, when the
	// before side of every unknown resource is fully priced.
	Change        *float64 `json:"change"`
	ChangeAtLeast *float64 `json:"change_at_least,omitempty"`
	Resources     []Diff   `json:"resources"`
}

// Compare lists what changed from before to r, resource by resource. The
// two reports must cover the same period.
//
// A resource's change is unknown when either side has an unpriced component
// in it, except when both sides have the same unpriced components (same
// component and quantity): those cost the same before and after, whatever
// the price, so they cancel out. Without that, a design with one unpriced
// monitor could never be compared.
func (r *Report) Compare(before *Report) (*CompareReport, error) {
	if before.Hours != r.Hours {
		return nil, fmt.Errorf("the reports cover different periods (%s and %s): price both for the same --hours", period(before.Hours), period(r.Hours))
	}
	a, b := before.byResource(), r.byResource()
	names := slices.Sorted(maps.Keys(a))
	for n := range b {
		if _, ok := a[n]; !ok {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	out := &CompareReport{Schema: "patchbay.cost-compare/v1", Currency: Currency, Hours: r.Hours, Before: before.Totals, After: r.Totals,
		Complete: before.Complete() && r.Complete(), Resources: []Diff{}}
	known, bounded := true, true
	var low float64 // the total change's lower bound
	for _, n := range names {
		d := Diff{Resource: n, Known: true}
		x, y := a[n], b[n]
		var xs, ys float64
		var xu, yu []string
		if x != nil {
			xs, xu = x.sum, x.unpriced
			d.BeforeUnpriced, d.beforePriced = len(xu) > 0, xs
			if !d.BeforeUnpriced {
				d.Before = &xs
			}
		}
		if y != nil {
			ys, yu = y.sum, y.unpriced
			d.AfterUnpriced, d.afterPriced = len(yu) > 0, ys
			if !d.AfterUnpriced {
				d.After = &ys
			}
		}
		switch {
		case len(xu) == 0 && len(yu) == 0:
			d.Change = round(ys - xs)
		case slices.Equal(xu, yu):
			d.Change = round(ys - xs)
			d.Note = "UNPRICED components unchanged"
		default:
			// An unpriced side makes the change unknown, not a saving.
			d.Known = false
			d.Note = "unpriced: change unknown"
			if (len(xu) > 0) != (len(yu) > 0) {
				d.Note = "unpriced on one side: change unknown"
			}
		}
		if d.Known {
			low += d.Change
		} else {
			known = false
			if len(xu) > 0 {
				bounded = false // the before side could be anything
			} else {
				low += ys - xs // the after side is at least its priced part
			}
		}
		if !d.Known || d.Change != 0 || (x == nil) != (y == nil) {
			out.Resources = append(out.Resources, d)
		}
	}
	switch {
	case known:
		c := round(r.Totals.Cost - before.Totals.Cost)
		out.Change = &c
	case bounded:
		l := round(low)
		out.ChangeAtLeast = &l
	}
	return out, nil
}

func (d Diff) beforeCell(m func(float64) string) string {
	return sideCell(d.Before, d.BeforeUnpriced, d.beforePriced, m)
}

func (d Diff) afterCell(m func(float64) string) string {
	return sideCell(d.After, d.AfterUnpriced, d.afterPriced, m)
}

// sideCell is one side of a resource: its cost, "—" when absent, and
// when a component is unpriced, what the rest comes to as a lower bound.
func sideCell(v *float64, unpriced bool, priced float64, m func(float64) string) string {
	switch {
	case unpriced && priced != 0:
		return "at least " + m(priced)
	case unpriced:
		return "UNPRICED"
	case v == nil:
		return "—"
	}
	return m(*v)
}

func signed(x float64, m func(float64) string) string {
	if x > 0 {
		return "+" + m(x)
	}
	return m(x)
}

func (d Diff) changeCell(m func(float64) string) string {
	if !d.Known {
		return "unknown"
	}
	return signed(d.Change, m)
}

// totalChange is the change of the total as a cell: unknown, with its
// lower bound when there is one.
func (c *CompareReport) totalChange(m func(float64) string) string {
	switch {
	case c.Change != nil:
		return signed(*c.Change, m)
	case c.ChangeAtLeast != nil:
		return "unknown (at least " + signed(*c.ChangeAtLeast, m) + ")"
	}
	return "unknown"
}

func totalCell(t Totals, complete bool, m func(float64) string) string {
	if complete {
		return m(t.Cost)
	}
	return "at least " + m(t.Cost)
}

// compareNote says what the unpriced components do to the comparison.
func (c *CompareReport) compareNote() string {
	switch {
	case c.Complete:
		return ""
	case c.Change != nil:
		return "Unpriced components are the same on both sides, so they cancel out of the change; both totals are lower bounds."
	}
	return "Unpriced components are left out of both totals, so the change is unknown; price them with --catalog."
}

// WriteCompare writes the differences and the change of the total.
func WriteCompare(w io.Writer, before, after *Report, markdown bool) error {
	c, err := after.Compare(before)
	if err != nil {
		return err
	}
	bc, ac := before.Complete(), after.Complete()
	var b strings.Builder
	if markdown {
		m := moneyComma
		fmt.Fprintf(&b, "### Cost change for %s: %s\n\n| Resource | Before | After | Change | Note |\n|---|---:|---:|---:|---|\n", period(after.Hours), c.totalChange(m))
		for _, d := range c.Resources {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", mdCode(d.Resource), d.beforeCell(m), d.afterCell(m), d.changeCell(m), mdText(d.Note))
		}
		fmt.Fprintf(&b, "| **Total** | %s | %s | **%s** | |\n", totalCell(before.Totals, bc, m), totalCell(after.Totals, ac, m), c.totalChange(m))
		if note := c.compareNote(); note != "" {
			b.WriteString("\n" + note + "\n")
		}
	} else {
		m := money
		fmt.Fprintf(&b, "Cost change for %s\n\n", period(after.Hours))
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  RESOURCE\tBEFORE\tAFTER\tCHANGE\tNOTE")
		for _, d := range c.Resources {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", d.Resource, d.beforeCell(m), d.afterCell(m), d.changeCell(m), d.Note)
		}
		fmt.Fprintf(tw, "  Total\t%s\t%s\t%s\t\n", totalCell(before.Totals, bc, m), totalCell(after.Totals, ac, m), c.totalChange(m))
		tw.Flush()
		if note := c.compareNote(); note != "" {
			b.WriteString("\n" + note + "\n")
		}
	}
	_, err = io.WriteString(w, b.String())
	return err
}

// Budget checks answer "is it above the limit?" for --fail-above and
// --fail-increase-above. With unpriced components the answer can be yes
// (the priced part alone is above) or unknown, never a confident no.

// Verdict is a budget check's answer.
type Verdict int

const (
	Within    Verdict = iota // at or below the limit
	Above                    // above it, for certain
	Undecided                // unpriced components could take it either way
)

// CheckTotal compares the total with limit and says why when it is not
// within it.
func (r *Report) CheckTotal(limit float64) (Verdict, string) {
	n := len(r.Missing())
	switch {
	case r.Totals.Cost > limit && n == 0:
		return Above, fmt.Sprintf("the total for %s is %s, above %s", period(r.Hours), money(r.Totals.Cost), money(limit))
	case r.Totals.Cost > limit:
		return Above, fmt.Sprintf("the priced part of the total for %s is already %s, above %s, without %s UNPRICED", period(r.Hours), money(r.Totals.Cost), money(limit), plural(n, "component", "components"))
	case n > 0:
		return Undecided, fmt.Sprintf("cannot tell whether the total for %s is above %s: %s is priced and %s UNPRICED (a --catalog row prices them)", period(r.Hours), money(limit), money(r.Totals.Cost), plural(n, "component is", "components are"))
	}
	return Within, ""
}

// CheckIncrease compares the change of the total with limit.
func (c *CompareReport) CheckIncrease(limit float64) (Verdict, string) {
	switch {
	case c.Change != nil && *c.Change > limit:
		return Above, fmt.Sprintf("the total for %s rises by %s, more than %s", period(c.Hours), money(*c.Change), money(limit))
	case c.Change != nil:
		return Within, ""
	case c.ChangeAtLeast != nil && *c.ChangeAtLeast > limit:
		return Above, fmt.Sprintf("the total for %s rises by at least %s, more than %s, whatever the UNPRICED components cost", period(c.Hours), money(*c.ChangeAtLeast), money(limit))
	}
	unknown := 0
	for _, d := range c.Resources {
		if !d.Known {
			unknown++
		}
	}
	return Undecided, fmt.Sprintf("cannot tell whether the total for %s rises by more than %s: the change of %s is unknown (UNPRICED components)", period(c.Hours), money(limit), plural(unknown, "resource", "resources"))
}
