// Package cloudwan reads and writes AWS Cloud WAN core network policy
// documents (version 2021.12, the JSON the Network Manager API and the
// console take): Export writes a design's core network as its policy;
// Import reads a policy, checked against the policy reference with errors
// at the document's line and column, into a design's declarations.
//
// Reference: "Core network policy version parameters in AWS Cloud WAN",
// https://docs.aws.amazon.com/network-manager/latest/cloudwan/cloudwan-policies-json.html
// (read 2026-12).
package cloudwan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	"patchbay/lang"
)

// Version is the policy format written and read: 2021.12. (2025.11 adds
// routing policies, which patchbay does not model.)
const Version = "2021.12"

// The tag the exported attachment policy places attachments by: an
// attachment tagged segment=NAME joins segment NAME, one tagged
// network-function-group=NAME that group. The Terraform export writes
// these tags on the attachments.
const (
	SegmentTag = "segment"
	GroupTag   = "network-function-group"
)

// Policy is a core network policy document, its members in the order
// the reference lists them.
type Policy struct {
	Version               string             `json:"version"`                           // always Version
	Configuration         Configuration      `json:"core-network-configuration"`        // the ASN pool and the edges
	Segments              []Segment          `json:"segments"`                          // at least one
	NetworkFunctionGroups []FunctionGroup    `json:"network-function-groups,omitempty"` // inspection groups that send-to and send-via name
	SegmentActions        []SegmentAction    `json:"segment-actions,omitempty"`         // in the document's order
	AttachmentPolicies    []AttachmentPolicy `json:"attachment-policies,omitempty"`     // rules by rule-number
}

// Configuration is core-network-configuration: the ASN pool and an edge
// per Region.
type Configuration struct {
	ASNRanges     []string       `json:"asn-ranges"`     // "low-high" within the private 2- and 4-byte ranges
	EdgeLocations []EdgeLocation `json:"edge-locations"` // one per Region
}

// EdgeLocation is a Region with a core network edge, and its ASN.
type EdgeLocation struct {
	Location string `json:"location"`      // an AWS Region code
	ASN      uint32 `json:"asn,omitempty"` // 0: Cloud WAN picks one from asn-ranges
}

// Segment is a segment: its edges (all when none are listed), isolation
// and whether attachments need accepting. Both are always written, since
// the reference's defaults differ from the design's (acceptance is
// required unless the segment says otherwise).
type Segment struct {
	Name                        string   `json:"name"`                          // unique; a letter, then letters and digits, at most 64
	EdgeLocations               []string `json:"edge-locations,omitempty"`      // Regions among the core network's; none means all
	IsolateAttachments          bool     `json:"isolate-attachments"`           // attachments reach each other only by static routes
	RequireAttachmentAcceptance bool     `json:"require-attachment-acceptance"` // the reference defaults it to true
}

// FunctionGroup is a network function group: attachments of inspection
// appliances that segments' traffic is sent through.
type FunctionGroup struct {
	Name                        string `json:"name"`                          // unique; 1 to 256 characters (hyphens too)
	RequireAttachmentAcceptance bool   `json:"require-attachment-acceptance"` // the reference defaults it to true
}

// SegmentAction is one of share, create-route, send-to and send-via.
type SegmentAction struct {
	Action                string      `json:"action"`                            // "share", "create-route", "send-to" or "send-via"
	Segment               string      `json:"segment"`                           // the segment the action is on
	Mode                  string      `json:"mode,omitempty"`                    // "attachment-route" for share; "single-hop" or "dual-hop" for send-via
	ShareWith             any         `json:"share-with,omitempty"`              // "*" or a list of segments
	DestinationCIDRBlocks []string    `json:"destination-cidr-blocks,omitempty"` // create-route's prefixes
	Destinations          []string    `json:"destinations,omitempty"`            // "blackhole", or attachment IDs
	WhenSentTo            *WhenSentTo `json:"when-sent-to,omitempty"`            // send-via only
	Via                   *Via        `json:"via,omitempty"`                     // send-to and send-via
}

// WhenSentTo is the segments a send-via applies to traffic towards.
type WhenSentTo struct {
	Segments any `json:"segments"` // "*" or a list of segments
}

// Via is the network function groups traffic is sent through.
type Via struct {
	NetworkFunctionGroups []string `json:"network-function-groups"` // groups of the policy
}

// AttachmentPolicy is a rule that places attachments that match its
// conditions.
type AttachmentPolicy struct {
	RuleNumber     int               `json:"rule-number"`               // 1–65535, unique; rules are evaluated lowest first
	ConditionLogic string            `json:"condition-logic,omitempty"` // "and" or "or", needed with more than one condition
	Conditions     []Condition       `json:"conditions"`                // at least one
	Action         AttachmentActions `json:"action"`                    // what a matching attachment joins
}

// Condition is one test of an attachment (its tags, account, Region …).
type Condition struct {
	Type     string `json:"type"`               // "tag-exists", "tag-value", "account-id", "region", "resource-id", "attachment-type", or "any"
	Operator string `json:"operator,omitempty"` // "equals", "not-equals", "contains", "begins-with"
	Key      string `json:"key,omitempty"`      // the tag key, for tag conditions
	Value    string `json:"value,omitempty"`    // what the operator compares with
}

// AttachmentActions is what a matching rule does with the attachment.
type AttachmentActions struct {
	AssociationMethod         string `json:"association-method,omitempty"`            // "constant" (Segment) or "tag" (TagValueOfKey)
	Segment                   string `json:"segment,omitempty"`                       // with association-method constant
	TagValueOfKey             string `json:"tag-value-of-key,omitempty"`              // the tag whose value names the segment
	RequireAcceptance         bool   `json:"require-acceptance,omitempty"`            // only true is allowed
	AddToNetworkFunctionGroup string `json:"add-to-network-function-group,omitempty"` // instead of a segment
}

// Export is the policy of core network cn of design d. Attachments are
// placed by tag (SegmentTag, GroupTag); a create-route to an attachment
// names it by the design's name for the attachment, as
// "attachment:NAME", where the deployed policy needs its ID.
func Export(d *lang.Design, cn *lang.CoreNetwork) *Policy {
	p := &Policy{Version: Version}
	for _, r := range cn.ASNRanges {
		p.Configuration.ASNRanges = append(p.Configuration.ASNRanges, r.String())
	}
	for _, e := range cn.Edges {
		p.Configuration.EdgeLocations = append(p.Configuration.EdgeLocations, EdgeLocation{Location: e.Region, ASN: e.ASN})
	}
	for _, s := range cn.Segments {
		p.Segments = append(p.Segments, Segment{Name: s.Name, EdgeLocations: s.EdgeRegions, IsolateAttachments: s.IsolateAttachments,
			RequireAttachmentAcceptance: s.RequireAcceptance})
	}
	// patchbay's network function groups take their members without
	// acceptance, which the reference asks be said.
	for _, g := range cn.NetworkFunctionGroups {
		p.NetworkFunctionGroups = append(p.NetworkFunctionGroups, FunctionGroup{Name: g})
	}
	for _, a := range cn.Actions {
		sa := SegmentAction{Action: string(a.Action), Segment: a.Segment}
		switch a.Action {
		case lang.ActionShare:
			sa.Mode = "attachment-route"
			if slices.Equal(a.ShareWith, []string{"*"}) {
				sa.ShareWith = "*"
			} else {
				sa.ShareWith = a.ShareWith
			}
		case lang.ActionSendTo:
			sa.Via = &Via{NetworkFunctionGroups: a.Via}
		case lang.ActionSendVia:
			sa.Mode = a.Mode
			sa.WhenSentTo = &WhenSentTo{Segments: a.WhenSentTo}
			if slices.Equal(a.WhenSentTo, []string{"*"}) {
				sa.WhenSentTo.Segments = "*"
			}
			sa.Via = &Via{NetworkFunctionGroups: a.Via}
		case lang.ActionCreateRoute:
			for _, d := range a.Destinations {
				sa.DestinationCIDRBlocks = append(sa.DestinationCIDRBlocks, d.String())
			}
			if a.Blackhole {
				sa.Destinations = []string{"blackhole"}
			} else {
				sa.Destinations = []string{"attachment:" + a.Target.Name}
			}
		}
		p.SegmentActions = append(p.SegmentActions, sa)
	}
	// One rule places every attachment in the segment its tag names; one
	// more per network function group its members join.
	segments, groups := false, []string{}
	for _, a := range d.Attachments {
		if a.A != cn.Ref() && a.B != cn.Ref() {
			continue
		}
		switch {
		case a.NetworkFunctionGroup != "":
			if !slices.Contains(groups, a.NetworkFunctionGroup) {
				groups = append(groups, a.NetworkFunctionGroup)
			}
		case a.Segment != "":
			segments = true
		}
	}
	// A rule with one condition needs no condition-logic; one that adds
	// to a network function group wants "and" and a tag-exists condition
	// (reference, attachment-policies).
	if segments {
		p.AttachmentPolicies = append(p.AttachmentPolicies, AttachmentPolicy{RuleNumber: 100,
			Conditions: []Condition{{Type: "tag-exists", Key: SegmentTag}},
			Action:     AttachmentActions{AssociationMethod: "tag", TagValueOfKey: SegmentTag}})
	}
	for i, g := range groups {
		p.AttachmentPolicies = append(p.AttachmentPolicies, AttachmentPolicy{RuleNumber: 200 + 100*i, ConditionLogic: "and",
			Conditions: []Condition{{Type: "tag-exists", Key: GroupTag}, {Type: "tag-value", Operator: "equals", Key: GroupTag, Value: g}},
			Action:     AttachmentActions{AddToNetworkFunctionGroup: g}})
	}
	return p
}

// JSON is the policy as the console and the API take it: indented by two
// spaces, members in the reference's order, with a final newline.
func (p *Policy) JSON() []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(p); err != nil {
		panic(fmt.Sprintf("cloudwan: encoding a policy: %v", err))
	}
	return b.Bytes()
}
