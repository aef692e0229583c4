package planner

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"patchbay/lang"
)

var _ = register(&Rule{
	ID: "service-insertion", Severity: lang.SevError,
	Summary: "A Cloud WAN service insertion (send-via, send-to) that AWS refuses or that drops traffic.",
	Explain: `Cloud WAN steers traffic through the inspection VPCs of a network function group: send-via
between segments (east-west), send-to for a segment's default routes (north-south). patchbay routes
it: a segment's traffic to the other segment's attachments goes out to the group's inspection VPC
and comes back into the group's table (single-hop: in one of the two Regions, the only one with an
inspection VPC, else the first in the core network's edges as declared; dual-hop: in both). These
are refused or lose traffic:
- a send-via or send-to naming a group with no attachment: "If you attempt to create a service
  insertion policy that doesn't include an attachment, policy generation will fail" (policy
  reference, network-function-groups);
- two attachments of one group in one Region: "You can only have one attachment per network
  function group per Region" (service insertion);
- a send-via from a segment to itself on a segment without isolate_attachments: "Isolated mode is
  required for service insertion to work between attachments belonging to the same segment"
  (service insertion);
- a group used in dual-hop mode and in single-hop mode or by a send-to, or a segment used with
  both modes: AWS's service insertion blueprints say "send-to is single-hop by design, and you
  cannot configure a NFG with both single-hop and dual-hop modes";
- (warning) dual-hop with an attachment of a segment in a Region where the group has no
  inspection VPC: "the inspection attachment should be located in both Regions for each service
  insertion-enabled segment" (service insertion), and traffic from or to that Region is dropped.

Sources: https://docs.aws.amazon.com/network-manager/latest/cloudwan/cloudwan-policy-service-insertion.html
and https://docs.aws.amazon.com/network-manager/latest/cloudwan/cloudwan-policies-json.html (checked
2026-12).

Fix: attach an inspection VPC to the group in each Region it serves
(attach(vpc, core, network_function_group = "…")), isolate the segment, or use one mode per group.`,
	check: func(v *validator, rule *Rule) {
		d := v.p.Design
		for _, cn := range d.CoreNetworks {
			if len(cn.NetworkFunctionGroups) == 0 {
				continue
			}
			// The group's attachments by Region.
			members := map[string]map[string][]*lang.Attachment{}
			for _, a := range v.p.adjacent(cn.Ref()) {
				if a.NetworkFunctionGroup == "" {
					continue
				}
				vpc, ok := v.p.Design.Lookup(a.A)
				if !ok {
					continue
				}
				region := vpc.(*lang.VPC).Region
				if members[a.NetworkFunctionGroup] == nil {
					members[a.NetworkFunctionGroup] = map[string][]*lang.Attachment{}
				}
				members[a.NetworkFunctionGroup][region] = append(members[a.NetworkFunctionGroup][region], a)
			}
			for _, g := range cn.NetworkFunctionGroups {
				for _, e := range cn.Edges {
					if atts := members[g][e.Region]; len(atts) > 1 {
						v.report(rule, finding{at: atts[1].Source(), summary: fmt.Sprintf("%s: network function group %s has two attachments in %s, %s and %s: one per Region", cn.Ref(), g, e.Region, atts[0].Ref(), atts[1].Ref()),
							related: related(atts[0], "the first one")})
					}
				}
			}
			modes := map[string][]string{} // by group, and by "segment:" + name
			addMode := func(key, mode string) {
				if !slices.Contains(modes[key], mode) {
					modes[key] = append(modes[key], mode)
				}
			}
			for _, a := range cn.Actions {
				if a.Action != lang.ActionSendVia && a.Action != lang.ActionSendTo {
					continue
				}
				mode := a.Mode
				if a.Action == lang.ActionSendTo {
					mode = "send-to"
				}
				for _, g := range a.Via {
					addMode(g, mode)
					if len(members[g]) == 0 {
						v.report(rule, finding{at: a.Range, summary: fmt.Sprintf("%s: %s of segment %s goes through network function group %s, which has no attachment: AWS refuses the policy", cn.Ref(), a.Action, a.Segment, g),
							hint: fmt.Sprintf("attach an inspection VPC: attach(vpc, %s, network_function_group = %q)", cn.Name, g)})
					}
				}
				if a.Action != lang.ActionSendVia {
					continue
				}
				addMode("segment:"+a.Segment, mode)
				if s := cn.Segment(a.Segment); s != nil && !s.IsolateAttachments && slices.Contains(segmentsOf(cn, a.WhenSentTo), a.Segment) {
					v.report(rule, finding{at: a.Range, summary: fmt.Sprintf("%s: send-via from segment %s to itself, but the segment does not isolate its attachments: they reach each other directly, uninspected", cn.Ref(), a.Segment),
						hint: "set isolate_attachments = True on the segment"})
				}
				if a.Mode == "dual-hop" {
					v.dualHopGaps(rule, cn, a, members)
				}
			}
			keys := slices.Sorted(maps.Keys(modes))
			for _, key := range keys {
				ms := modes[key]
				if len(ms) < 2 || (!slices.Contains(ms, "dual-hop") && !strings.HasPrefix(key, "segment:")) {
					continue
				}
				what := "network function group " + key
				if s, ok := strings.CutPrefix(key, "segment:"); ok {
					what = "segment " + s
				}
				slices.Sort(ms)
				v.report(rule, finding{at: cn.Source(), summary: fmt.Sprintf("%s: %s is used with %s: one mode per group and segment", cn.Ref(), what, strings.Join(ms, " and ")),
					hint: "use a second network function group for the other mode"})
			}
		}
	},
})

var _ = register(&Rule{
	ID: "name-invalid", Severity: lang.SevError,
	Summary: "A Cloud WAN segment or network function group name that AWS refuses in a core network policy.",
	Explain: `The design's names become the names of the core network policy that patchbay export
cloudwan-policy and export terraform write, and AWS checks them there:
- a segment's name: "Valid characters are a–z, A–Z, and 0–9" (policy reference, segments); the AWS
  provider's policy document also wants a letter first and at most 64 characters, so "pci-zone",
  "prod_1" and "1prod" are refused though the design language takes them as names;
- a network function group's name is required, and at most 256 characters (the Network Manager API's
  NetworkFunctionGroup); it may have hyphens ("inspection-vpc" in the reference's own examples).

Sources: https://docs.aws.amazon.com/network-manager/latest/cloudwan/cloudwan-policies-json.html
and https://docs.aws.amazon.com/networkmanager/latest/APIReference/API_NetworkFunctionGroup.html
(checked 2026-12).

Fix: rename the segment to letters and digits starting with a letter (pciZone), and the attachments'
segment = ... with it; give the group a name of 1 to 256 characters.`,
	check: func(v *validator, rule *Rule) {
		for _, cn := range v.p.Design.CoreNetworks {
			for _, seg := range cn.Segments {
				if err := lang.CheckCloudWANSegmentName(seg.Name); err != nil {
					at := seg.Range
					if at.IsZero() {
						at = cn.Source()
					}
					v.report(rule, finding{at: at, summary: fmt.Sprintf("%s: %v: AWS refuses the policy", cn.Ref(), err),
						hint: "letters and digits only, starting with a letter"})
				}
			}
			for _, g := range cn.NetworkFunctionGroups {
				if err := lang.CheckCloudWANGroupName(g); err != nil {
					v.report(rule, finding{at: cn.Source(), summary: fmt.Sprintf("%s: %v: AWS refuses the policy", cn.Ref(), err)})
				}
			}
		}
	},
})

// dualHopGaps warns of the Regions where a dual-hop send-via's segments
// have attachments but the group has no inspection VPC.
func (v *validator) dualHopGaps(rule *Rule, cn *lang.CoreNetwork, a lang.SegmentAction, members map[string]map[string][]*lang.Attachment) {
	segs := append([]string{a.Segment}, segmentsOf(cn, a.WhenSentTo)...)
	var gaps []string
	for _, att := range v.p.adjacent(cn.Ref()) {
		if !slices.Contains(segs, att.Segment) {
			continue
		}
		region := v.attachmentRegion(att)
		for _, g := range a.Via {
			if region != "" && len(members[g]) > 0 && len(members[g][region]) == 0 && !slices.Contains(gaps, region+" ("+g+")") {
				gaps = append(gaps, region+" ("+g+")")
			}
		}
	}
	if len(gaps) > 0 {
		v.report(rule, finding{sev: sevPtr(lang.SevWarning), at: a.Range,
			summary: fmt.Sprintf("%s: dual-hop send-via of segment %s has attachments in %s without an inspection VPC of the group: traffic from or to there is dropped", cn.Ref(), a.Segment, strings.Join(gaps, ", ")),
			hint:    "attach an inspection VPC to the group in each of those Regions"})
	}
}

// attachmentRegion is the Region of a core network attachment's edge.
func (v *validator) attachmentRegion(a *lang.Attachment) string {
	x, _ := v.p.Design.Lookup(a.A)
	switch r := x.(type) {
	case *lang.VPC:
		return r.Region
	case *lang.TransitGateway:
		return r.Region
	}
	return "" // a DX gateway reaches every edge
}
