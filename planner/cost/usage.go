package cost

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"patchbay/lang"
	"patchbay/planner"
)

// UsageKey is one monthly amount a kind of resource takes from a usage
// file. The same table checks usage files and writes --sync-usage, so a
// key the pricer reads is always one a user can set and is offered.
type UsageKey struct {
	Kind  lang.Kind
	Key   string
	Unit  string
	About string // what the amount is, for the comment --sync-usage writes
	// applies says whether a resource of the kind uses the key (only
	// peering attachments carry inter-region transfer, only Google
	// Interconnects have Google egress); nil: every resource of the kind.
	applies func(lang.Resource) bool
}

// usageTable lists every usage amount the pricer reads, in the order
// --sync-usage writes them. A last mile takes none: AWS Interconnect's
// hourly fee includes data transfer, so cost.go prices none.
var usageTable = []UsageKey{
	{Kind: lang.KindTransitGW, Key: "monthly_data_processed_gb", Unit: "GB", About: "data the Transit Gateway processes"},
	{Kind: lang.KindCoreNetwork, Key: "monthly_data_processed_gb", Unit: "GB", About: "data the core network processes"},
	{Kind: lang.KindInterconnect, Key: "monthly_egress_gib", Unit: "GiB", About: "data Google sends to AWS over the Interconnect",
		applies: func(r lang.Resource) bool { ic, ok := r.(*lang.Interconnect); return ok && ic.Provider == "gcp" }},
	{Kind: lang.KindAttachment, Key: "monthly_inter_region_gb", Unit: "GB", About: "data the peering's first Transit Gateway sends to the second",
		applies: isPeering},
	{Kind: lang.KindAttachment, Key: "monthly_inter_region_gb_return", Unit: "GB", About: "data the peering's second Transit Gateway sends back to the first",
		applies: isPeering},
}

// isPeering: only a Transit Gateway peering carries inter-region transfer.
func isPeering(r lang.Resource) bool {
	a, ok := r.(*lang.Attachment)
	return ok && a.Kind == lang.AttachTGWPeering
}

// UsageKeys lists every usage amount the pricer reads.
func UsageKeys() []UsageKey { return slices.Clone(usageTable) }

// keysOf are the usage keys a kind takes.
func keysOf(kind lang.Kind) []UsageKey {
	var out []UsageKey
	for _, k := range usageTable {
		if k.Kind == kind {
			out = append(out, k)
		}
	}
	return out
}

// UsageVersion is the usage file version patchbay reads and writes, the
// one Infracost's usage files carry.
const UsageVersion = "0.1"

// Usage is an Infracost-style usage file: amounts per resource type (every
// resource of the kind) and per resource (which wins). Amounts are per
// month of 730 hours and prorated to the report's period.
type Usage struct {
	Version   string                        `json:"version,omitempty"`
	Defaults  map[string]map[string]float64 `json:"resource_type_default_usage"`
	Resources map[string]map[string]float64 `json:"resource_usage"`
}

// IsYAML says whether a usage file name is read as YAML rather than JSON.
func IsYAML(file string) bool {
	switch strings.ToLower(filepath.Ext(file)) {
	case ".yml", ".yaml":
		return true
	}
	return false
}

// ParseUsage reads a usage file, YAML when its name ends .yml or .yaml and
// JSON otherwise. Unknown keys are errors naming them.
func ParseUsage(file string, data []byte) (*Usage, error) {
	if IsYAML(file) {
		return ParseUsageYAML(file, data)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var u Usage
	if err := dec.Decode(&u); err != nil {
		return nil, jsonError(file, data, err)
	}
	if u.Version != "" && u.Version != UsageVersion {
		return nil, fmt.Errorf("%s: version %q: want %q", file, u.Version, UsageVersion)
	}
	for kind, amounts := range u.Defaults {
		if err := checkKeys(lang.Kind(kind), amounts); err != nil {
			return nil, fmt.Errorf("%s: resource_type_default_usage.%s: %v", file, kind, err)
		}
	}
	for ref, amounts := range u.Resources {
		if err := checkRef(ref); err != nil {
			return nil, fmt.Errorf("%s: resource_usage: %v", file, err)
		}
		kind, _, _ := strings.Cut(ref, ".")
		if err := checkKeys(lang.Kind(kind), amounts); err != nil {
			return nil, fmt.Errorf("%s: resource_usage.%s: %v", file, ref, err)
		}
	}
	return &u, nil
}

// jsonError places syntax and type errors at file:line:col, as the YAML
// reader does; encoding/json gives only a byte offset, and nothing at all
// for an unknown field.
func jsonError(file string, data []byte, err error) error {
	var offset int64 = -1
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		offset = syn.Offset - 1 // the offset is past the offending byte
	case errors.As(err, &typ):
		offset = typ.Offset
	}
	if offset < 0 || offset > int64(len(data)) {
		return fmt.Errorf("%s: %v", file, err)
	}
	before := data[:offset]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(offset) - bytes.LastIndexByte(before, '\n')
	return fmt.Errorf("%s:%d:%d: %v", file, line, col, err)
}

func checkRef(ref string) error {
	if _, _, ok := strings.Cut(ref, "."); !ok {
		return fmt.Errorf("%q is not an address like transit_gateway.hub", ref)
	}
	return nil
}

func usageKinds() string {
	var kinds []string
	for _, k := range usageTable {
		kinds = append(kinds, string(k.Kind))
	}
	slices.Sort(kinds)
	return strings.Join(slices.Compact(kinds), ", ")
}

func checkKind(kind lang.Kind) ([]string, error) {
	var names []string
	for _, k := range keysOf(kind) {
		names = append(names, k.Key)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no usage for %s (usage applies to %s)", kind, usageKinds())
	}
	return names, nil
}

func checkKeys(kind lang.Kind, amounts map[string]float64) error {
	keys, err := checkKind(kind)
	if err != nil {
		return err
	}
	for _, k := range slices.Sorted(maps.Keys(amounts)) {
		if err := checkAmount(keys, k, amounts[k]); err != nil {
			return err
		}
	}
	return nil
}

func checkAmount(keys []string, k string, v float64) error {
	if !slices.Contains(keys, k) {
		return fmt.Errorf("unknown key %q (want %s)", k, strings.Join(keys, ", "))
	}
	if v < 0 {
		return fmt.Errorf("%s is negative", k)
	}
	return nil
}

// ParseUsageYAML reads Infracost's YAML shape, whatever the file's name. It walks the node tree
// rather than decoding into structs so that every error can name the line
// and column, and so that anchors, aliases and tags, which a usage file
// never needs, are refused before they can expand.
func ParseUsageYAML(file string, data []byte) (*Usage, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: empty usage file: want version: %s", file, UsageVersion)
		}
		return nil, yamlError(file, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, fmt.Errorf("%s:%d:%d: a second YAML document: a usage file has one", file, extra.Line, extra.Column)
	} else if !errors.Is(err, io.EOF) {
		return nil, yamlError(file, err)
	}
	p := yamlParser{file: file}
	u, err := p.document(&doc)
	if err != nil {
		return nil, err
	}
	return u, nil
}

// yamlError turns the library's "yaml: line N: …" into "file:N: …", to
// read like every other file error.
func yamlError(file string, err error) error {
	s := strings.TrimPrefix(err.Error(), "yaml: ")
	if rest, ok := strings.CutPrefix(s, "line "); ok {
		if n, msg, ok := strings.Cut(rest, ": "); ok {
			if _, err := strconv.Atoi(n); err == nil {
				return fmt.Errorf("%s:%s: %s", file, n, msg)
			}
		}
	}
	return fmt.Errorf("%s: %s", file, s)
}

type yamlParser struct{ file string }

func (p yamlParser) errorf(n *yaml.Node, format string, args ...any) error {
	return fmt.Errorf("%s:%d:%d: %s", p.file, n.Line, n.Column, fmt.Sprintf(format, args...))
}

// mapping checks that n is a plain mapping and calls f for each key in
// file order, refusing a key twice.
func (p yamlParser) mapping(n *yaml.Node, what string, f func(key, val *yaml.Node) error) error {
	if err := p.plain(n); err != nil {
		return err
	}
	if n.Kind != yaml.MappingNode {
		if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
			return nil // "resource_usage:" with nothing under it
		}
		return p.errorf(n, "%s: want a mapping", what)
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if err := p.plain(k); err != nil {
			return err
		}
		if k.Kind != yaml.ScalarNode {
			return p.errorf(k, "%s: a key must be a plain name", what)
		}
		if line, ok := seen[k.Value]; ok {
			return p.errorf(k, "%s: %q again (first on line %d)", what, k.Value, line)
		}
		seen[k.Value] = k.Line
		if err := p.plain(v); err != nil {
			return err
		}
		if err := f(k, v); err != nil {
			return err
		}
	}
	return nil
}

// plain refuses what YAML can do but a usage file must not: anchors and
// aliases (whose expansion can be made exponential) and explicit tags.
func (p yamlParser) plain(n *yaml.Node) error {
	switch {
	case n.Kind == yaml.AliasNode:
		return p.errorf(n, "alias *%s: a usage file has no aliases; write the amounts out", n.Value)
	case n.Anchor != "":
		return p.errorf(n, "anchor &%s: a usage file has no anchors", n.Anchor)
	case n.Tag != "" && n.Tag != "!" && n.Style&yaml.TaggedStyle != 0:
		return p.errorf(n, "tag %s: a usage file has no tags", n.Tag)
	}
	return nil
}

func (p yamlParser) document(doc *yaml.Node) (*Usage, error) {
	root := doc
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		root = doc.Content[0]
	}
	u := &Usage{}
	var version *yaml.Node
	err := p.mapping(root, "usage file", func(k, v *yaml.Node) error {
		switch k.Value {
		case "version":
			version = v
			if v.Kind != yaml.ScalarNode || v.Value != UsageVersion {
				return p.errorf(v, "version %s: want %s", v.Value, UsageVersion)
			}
			u.Version = UsageVersion
		case "resource_type_default_usage":
			u.Defaults = map[string]map[string]float64{}
			return p.mapping(v, k.Value, func(kind, amounts *yaml.Node) error {
				if _, err := checkKind(lang.Kind(kind.Value)); err != nil {
					return p.errorf(kind, "resource_type_default_usage: %v", err)
				}
				m, err := p.amounts(lang.Kind(kind.Value), k.Value+"."+kind.Value, amounts)
				u.Defaults[kind.Value] = m
				return err
			})
		case "resource_usage":
			u.Resources = map[string]map[string]float64{}
			return p.mapping(v, k.Value, func(ref, amounts *yaml.Node) error {
				if err := checkRef(ref.Value); err != nil {
					return p.errorf(ref, "resource_usage: %v", err)
				}
				kind, _, _ := strings.Cut(ref.Value, ".")
				if _, err := checkKind(lang.Kind(kind)); err != nil {
					return p.errorf(ref, "resource_usage.%s: %v", ref.Value, err)
				}
				m, err := p.amounts(lang.Kind(kind), k.Value+"."+ref.Value, amounts)
				u.Resources[ref.Value] = m
				return err
			})
		default:
			return p.errorf(k, "unknown key %q (want version, resource_type_default_usage, resource_usage)", k.Value)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if version == nil {
		return nil, p.errorf(root, "no version: want version: %s first, as Infracost's usage files have", UsageVersion)
	}
	return u, nil
}

func (p yamlParser) amounts(kind lang.Kind, what string, n *yaml.Node) (map[string]float64, error) {
	keys, _ := checkKind(kind)
	m := map[string]float64{}
	err := p.mapping(n, what, func(k, v *yaml.Node) error {
		if v.Kind != yaml.ScalarNode || (v.ShortTag() != "!!int" && v.ShortTag() != "!!float") {
			return p.errorf(v, "%s.%s: want a number", what, k.Value)
		}
		x, err := strconv.ParseFloat(strings.ReplaceAll(v.Value, "_", ""), 64)
		if err != nil || math.IsInf(x, 0) || math.IsNaN(x) {
			return p.errorf(v, "%s.%s: %s is not an amount", what, k.Value, v.Value)
		}
		if err := checkAmount(keys, k.Value, x); err != nil {
			at := v
			if !slices.Contains(keys, k.Value) {
				at = k
			}
			return p.errorf(at, "%s: %v", what, err)
		}
		m[k.Value] = x
		return nil
	})
	return m, err
}

// check rejects usage for resources the design does not declare.
func (u *Usage) check(d *lang.Design) error {
	for _, ref := range slices.Sorted(maps.Keys(u.Resources)) {
		var r lang.Ref
		if err := r.UnmarshalText([]byte(ref)); err != nil {
			return err
		}
		if _, ok := d.Lookup(r); !ok {
			return fmt.Errorf("usage names %s, which the design does not declare", ref)
		}
	}
	return nil
}

// value is the monthly amount of key for r.
func (u *Usage) value(r lang.Ref, key string) float64 {
	if v, ok := u.Resources[r.String()][key]; ok {
		return v
	}
	return u.Defaults[string(r.Kind)][key]
}

// scaled prorates a monthly amount to the period.
func (u *Usage) scaled(monthly, hours float64) float64 { return monthly * hours / HoursPerMonth }

// SyncResult is what SyncUsage wrote, for the message the CLI prints.
type SyncResult struct {
	Resources int      // resources of the design that take usage
	Keys      int      // usage keys written for them
	Kept      int      // of those, amounts carried over from the old file
	Dropped   []string // resources the old file named that the design lacks
}

// SyncUsage writes a YAML usage file listing every usage key of every
// resource of the plan that takes one, like infracost breakdown
// --sync-usage-file. Amounts set in old (the file being replaced; nil for
// none) are kept, defaults per resource type too; other keys get 0, or are
// written commented out when a type default applies, since an entry under
// resource_usage would override it. Resources the old file names but the
// design no longer declares are dropped (and reported): --usage would
// refuse them.
func SyncUsage(p *planner.Plan, old *Usage) ([]byte, SyncResult, error) {
	if old == nil {
		old = &Usage{}
	}
	var res SyncResult
	type entry struct {
		ref  string
		keys []UsageKey
	}
	var entries []entry
	for _, r := range p.Design.All() {
		var keys []UsageKey
		for _, k := range keysOf(r.Ref().Kind) {
			if k.applies == nil || k.applies(r) {
				keys = append(keys, k)
			}
		}
		if len(keys) > 0 {
			entries = append(entries, entry{r.Ref().String(), keys})
		}
	}
	slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.ref, b.ref) })
	listed := map[string]bool{}
	for _, e := range entries {
		listed[e.ref] = true
	}
	for _, ref := range slices.Sorted(maps.Keys(old.Resources)) {
		if !listed[ref] {
			res.Dropped = append(res.Dropped, ref)
		}
	}

	var b strings.Builder
	b.WriteString("# Usage for patchbay cost --usage: amounts a month (730 hours), prorated by --hours.\n")
	b.WriteString("# Written by patchbay cost --sync-usage, which keeps the amounts set here when it runs again.\n")
	fmt.Fprintf(&b, "version: %s\n", UsageVersion)
	if len(old.Defaults) > 0 {
		b.WriteString("\n# Amounts for every resource of a type; resource_usage wins.\nresource_type_default_usage:\n")
		for _, kind := range slices.Sorted(maps.Keys(old.Defaults)) {
			fmt.Fprintf(&b, "  %s:\n", yamlKey(kind))
			for _, k := range keysOf(lang.Kind(kind)) {
				if v, ok := old.Defaults[kind][k.Key]; ok {
					fmt.Fprintf(&b, "    %s: %s # %s, %s a month\n", k.Key, yamlNumber(v), k.About, k.Unit)
				}
			}
		}
	}
	b.WriteString("\nresource_usage:")
	if len(entries) == 0 {
		b.WriteString(" {} # no resource of the design takes usage")
	}
	b.WriteString("\n")
	for _, e := range entries {
		res.Resources++
		fmt.Fprintf(&b, "  %s:\n", yamlKey(e.ref))
		for _, k := range e.keys {
			res.Keys++
			comment := fmt.Sprintf("%s, %s a month", k.About, k.Unit)
			if v, ok := old.Resources[e.ref][k.Key]; ok {
				res.Kept++
				fmt.Fprintf(&b, "    %s: %s # %s\n", k.Key, yamlNumber(v), comment)
			} else if v, ok := old.Defaults[string(k.Kind)][k.Key]; ok {
				fmt.Fprintf(&b, "    # %s: 0 # %s; the type default, %s, applies\n", k.Key, comment, yamlNumber(v))
			} else {
				fmt.Fprintf(&b, "    %s: 0 # %s\n", k.Key, comment)
			}
		}
	}
	return []byte(b.String()), res, nil
}

var bareKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]*$`)

// yamlKey writes a mapping key bare when YAML reads it back as the same
// string, and double-quoted otherwise (JSON's quoting is YAML's too).
func yamlKey(s string) string {
	switch strings.ToLower(s) {
	case "true", "false", "yes", "no", "on", "off", "null", "y", "n":
		return strconv.Quote(s)
	}
	if bareKey.MatchString(s) {
		return s
	}
	b, _ := json.Marshal(s)
	return string(b)
}

func yamlNumber(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
