package planner

import (
	"fmt"
	"slices"
	"strings"

	"patchbay/lang"
)

// Rule is one check of the validation catalog. Each finds all of its
// violations; its ID is stable, so CI and suppressions can name it.
type Rule struct {
	ID       string
	Severity lang.Severity // the usual severity; a finding may be milder
	Summary  string
	Explain  string // what it means, why it matters, how to fix it
	// Sources are the documents the rule follows; none for a rule about
	// patchbay's own names.
	Sources []Source
	check   func(v *validator, rule *Rule)
}

// Rules returns the catalog, sorted by ID.
func Rules() []*Rule {
	out := slices.Clone(rules)
	slices.SortFunc(out, func(a, b *Rule) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// RuleByID looks a rule up; the error lists the known IDs.
func RuleByID(id string) (*Rule, error) {
	for _, r := range rules {
		if r.ID == id {
			return r, nil
		}
	}
	ids := make([]string, 0, len(rules))
	for _, r := range Rules() {
		ids = append(ids, r.ID)
	}
	msg := fmt.Sprintf("no rule %q", id)
	if n := lang.Nearest(id, ids); n != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", n)
	}
	return nil, fmt.Errorf("%s; known rules: %s", msg, strings.Join(ids, ", "))
}

// rules is filled by the rule files' init functions, in run order.
var rules []*Rule

func register(r *Rule) *Rule {
	rules = append(rules, r)
	return r
}

// ruleAddressExhausted is reported while deriving, not by a check: the
// planner runs out of addresses or VLANs to give channels.
var ruleAddressExhausted = register(&Rule{
	ID: "address-exhausted", Severity: lang.SevError,
	Summary: "The planner ran out of link-local subnets or VLANs for channels and connections.",
	Explain: `Every Interconnect channel and last-mile connection gets its own link-local /30 (from
169.254.100.0 up to the end of 169.254.0.0/16, skipping 169.254.169.0/24) and its own VLAN (1025 to
4094). A design with more channels than that cannot be addressed the way patchbay lays it out.

Fix: split the design, or use fewer, larger connections (raise the bandwidth instead of adding
Interconnects).`,
})

// validator runs the rules over a plan and collects findings.
type validator struct {
	p      *Plan
	quotas map[string]int64
	// limits remembers the catalog's quotas: the quota rule asks for the
	// same few for every resource, and the catalog is a list.
	limits map[string]int64
	reach  *reachability
	out    lang.Diagnostics
}

// finding is one problem a rule reports.
type finding struct {
	sev     *lang.Severity // nil: the rule's severity
	at      lang.Range
	summary string
	detail  string
	hint    string
	related []lang.Related
}

func (v *validator) report(r *Rule, f finding) {
	sev := r.Severity
	if f.sev != nil {
		sev = *f.sev
	}
	v.out = append(v.out, lang.Diagnostic{Severity: sev, Rule: r.ID, Summary: f.summary, Detail: f.detail,
		Hint: f.hint, Range: f.at, Related: f.related})
}

func related(r lang.Resource, msg string) []lang.Related {
	return []lang.Related{{Range: r.Source(), Message: msg}}
}

func sevPtr(s lang.Severity) *lang.Severity { return &s }

// quota returns a service limit: the design's override, else the catalog's.
func (v *validator) quota(key string) int64 {
	if q, ok := v.quotas[key]; ok {
		return q
	}
	if q, ok := v.limits[key]; ok {
		return q
	}
	q, ok := cat().Quota(key)
	if !ok {
		panic("planner: no quota " + key) // a rule names a key the catalog lacks
	}
	v.limits[key] = q.Value
	return q.Value
}

func (p *Plan) validate(quotas map[string]int64) {
	v := &validator{p: p, quotas: quotas, limits: map[string]int64{}}
	v.reach = newReachability(p)
	for _, r := range rules {
		if r.check != nil {
			r.check(v, r)
		}
	}
	p.Findings = append(p.Findings, v.out...)
}
