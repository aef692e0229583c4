package cloudwan

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"patchbay/lang"
	"patchbay/lang/format"
)

// importer checks a policy document against the reference and writes the
// design's declarations for it. Every error names the document's line
// and column; what the design does not model is listed in a comment of
// the output rather than dropped in silence.
type importer struct {
	file    string
	src     []byte
	diags   lang.Diagnostics
	skipped []string

	edges    []string
	segments []string
	groups   []string

	// cn is the core network the document describes, each part's Range
	// its place in the document (Decode).
	cn lang.CoreNetwork
}

func (im *importer) at(n *node) lang.Range {
	line, col := position(im.src, n.off)
	return lang.Range{File: im.file, Start: lang.Pos{Line: int32(line), Col: int32(col)}}
}

func (im *importer) errf(n *node, format string, args ...any) {
	im.diags = append(im.diags, lang.Diagnostic{Severity: lang.SevError, Rule: "cloudwan-policy", Summary: fmt.Sprintf(format, args...), Range: im.at(n)})
}

// object checks n is an object whose members are among known.
func (im *importer) object(n *node, what string, known ...string) bool {
	if n.kind != 'o' {
		im.errf(n, "%s: want an object", what)
		return false
	}
	for i, k := range n.keys {
		if !slices.Contains(known, k) {
			im.diags = append(im.diags, lang.Diagnostic{Severity: lang.SevError, Rule: "cloudwan-policy",
				Summary: fmt.Sprintf("%s: %q is not a member of the 2021.12 policy reference's %s (it has %s)", what, k, what, strings.Join(known, ", ")),
				Range:   im.at(&node{off: n.koffs[i]})})
		}
	}
	return true
}

func (im *importer) str(n *node, what string) (string, bool) {
	if n == nil {
		return "", false
	}
	if n.kind != 's' {
		im.errf(n, "%s: want a string", what)
		return "", false
	}
	return n.str, true
}

func (im *importer) boolean(n *node, what string) bool {
	if n == nil {
		return false
	}
	if n.kind != 'b' {
		im.errf(n, "%s: want true or false", what)
	}
	return n.b
}

func (im *importer) strs(n *node, what string) []string {
	if n == nil {
		return nil
	}
	if n.kind != 'a' {
		im.errf(n, "%s: want a list of strings", what)
		return nil
	}
	var out []string
	for i, v := range n.vals {
		if s, ok := im.str(v, fmt.Sprintf("%s element %d", what, i)); ok {
			out = append(out, s)
		}
	}
	return out
}

// insideCIDRs checks a list of inside CIDR blocks, the ranges Transit
// Gateway Connect tunnels take their addresses from: CIDR blocks, an IPv4
// one no smaller than a /24 ("the minimum is a /24 for IPv4", policy
// reference, core-network-configuration, read 2026-12).
func (im *importer) insideCIDRs(n *node, what string) {
	if n.kind != 'a' {
		im.errf(n, "%s: want a list of CIDR blocks", what)
		return
	}
	for i, v := range n.vals {
		s, ok := im.str(v, fmt.Sprintf("%s element %d", what, i))
		if !ok {
			continue
		}
		p, err := netip.ParsePrefix(s)
		switch {
		case err != nil || p.Masked() != p:
			im.errf(v, "%s element %d: %q is not a CIDR block", what, i, s)
		case p.Addr().Is4() && p.Bits() > 24:
			im.errf(v, "%s element %d: %s is smaller than a /24, the least an IPv4 inside CIDR block may be", what, i, s)
		}
	}
}

// names checks each of list names one of known.
func (im *importer) names(n *node, what, kind string, known []string) []string {
	out := im.strs(n, what)
	for i, s := range out {
		if !slices.Contains(known, s) {
			im.errf(n.vals[i], "%s: no %s %q in the policy (it has %s)", what, kind, s, strings.Join(known, ", "))
		}
	}
	return out
}

// Import reads a Cloud WAN policy document and writes, in Starlark, the
// core network it describes as core_network(name, ...) and its routes as
// create_route(...). Attachments are the design's to declare (attach(...,
// segment = ...)), so the attachment policies are checked and listed in a
// comment. Errors are a *lang.SourceError at the document's positions.
func Import(file string, src []byte, name string) ([]byte, error) {
	return ImportAs(file, src, name, ident(name))
}

// ImportAs is Import with the core network bound to variable, for a
// caller that writes the rest of the design around it.
func ImportAs(file string, src []byte, name, variable string) ([]byte, error) {
	im, err := read(file, src)
	if err != nil {
		return nil, err
	}
	return format.Source(name+".star", im.starlark(name, variable))
}

// Decode reads a Cloud WAN policy document, checked as Import checks it,
// into the core network it describes: its ASN ranges, edges (an edge
// without an ASN has 0, for the caller to give the next free one),
// segments, network function groups and segment actions, blackhole
// routes among them, each with its place in the document as its Range.
// The core network's Meta is the caller's to set. Errors are a
// *lang.SourceError at the document's positions.
func Decode(file string, src []byte) (*lang.CoreNetwork, error) {
	im, err := read(file, src)
	if err != nil {
		return nil, err
	}
	return &im.cn, nil
}

// read parses and checks a document.
func read(file string, src []byte) (*importer, error) {
	im := &importer{file: file, src: src}
	root, err := parse(src)
	if err != nil {
		var se *syntaxError
		errors.As(err, &se)
		im.errf(&node{off: se.off}, "not JSON: %s", se.msg)
		return nil, im.fail()
	}
	im.check(root)
	if len(im.diags) > 0 {
		return nil, im.fail()
	}
	return im, nil
}

func (im *importer) fail() error {
	return &lang.SourceError{Diagnostics: im.diags, Files: lang.Sources{im.file: im.src}}
}

// check reads a document into im.cn, noting what it skips and what the
// reference refuses.
func (im *importer) check(root *node) {
	if !im.object(root, "the policy", "version", "core-network-configuration", "segments", "network-function-groups", "segment-actions", "attachment-policies") {
		return
	}
	if v, ok := im.str(root.get("version"), "version"); !ok || v != Version {
		n := root.get("version")
		if n == nil {
			n = root
		}
		im.errf(n, "version: want %q, the policy format patchbay reads", Version)
	}
	im.configuration(root.get("core-network-configuration"), root)
	im.functionGroups(root.get("network-function-groups"))
	im.segmentsOf(root.get("segments"), root)
	im.actions(root.get("segment-actions"))
	im.attachmentPolicies(root.get("attachment-policies"))
}

// starlark is the core network im read, declared as name and bound to
// variable: core_network with its segment actions, create_route for its
// routes, and a comment listing what was not imported.
func (im *importer) starlark(name, variable string) []byte {
	quote := func(ss []string) string {
		q := make([]string, len(ss))
		for i, s := range ss {
			q[i] = strconv.Quote(s)
		}
		return "[" + strings.Join(q, ", ") + "]"
	}
	cn := &im.cn
	var b strings.Builder
	fmt.Fprintf(&b, "# Cloud WAN core network %s, imported from the policy document %s.\n", format.CommentText(name), format.CommentText(file(im.file)))
	fmt.Fprintf(&b, "%s = core_network(\n    %q,\n", variable, name)
	ranges := make([]string, len(cn.ASNRanges))
	for i, r := range cn.ASNRanges {
		ranges[i] = r.String()
	}
	fmt.Fprintf(&b, "    asn_ranges = %s,\n    edges = [\n", quote(ranges))
	for _, e := range cn.Edges {
		if e.ASN != 0 {
			fmt.Fprintf(&b, "        edge(%q, asn = %d),\n", e.Region, e.ASN)
		} else {
			fmt.Fprintf(&b, "        edge(%q),\n", e.Region)
		}
	}
	b.WriteString("    ],\n")
	if len(cn.NetworkFunctionGroups) > 0 {
		fmt.Fprintf(&b, "    network_function_groups = %s,\n", quote(cn.NetworkFunctionGroups))
	}
	b.WriteString("    segments = [\n")
	for _, s := range cn.Segments {
		args := []string{strconv.Quote(s.Name)}
		if s.IsolateAttachments {
			args = append(args, "isolate_attachments = True")
		}
		if s.RequireAcceptance {
			args = append(args, "require_attachment_acceptance = True")
		}
		if s.EdgeRegions != nil {
			args = append(args, "edge_regions = "+quote(s.EdgeRegions))
		}
		fmt.Fprintf(&b, "        segment(%s),\n", strings.Join(args, ", "))
	}
	b.WriteString("    ],\n")
	var acts []string
	var routes strings.Builder
	for _, a := range cn.Actions {
		switch a.Action {
		case lang.ActionShare:
			with := quote(a.ShareWith)
			if slices.Equal(a.ShareWith, []string{"*"}) {
				with = `"*"`
			}
			acts = append(acts, fmt.Sprintf("share(%q, share_with = %s)", a.Segment, with))
		case lang.ActionSendTo:
			acts = append(acts, fmt.Sprintf("send_to(%q, via = %s)", a.Segment, quote(a.Via)))
		case lang.ActionSendVia:
			acts = append(acts, fmt.Sprintf("send_via(%q, when_sent_to = %s, via = %s, mode = %q)", a.Segment, quote(a.WhenSentTo), quote(a.Via), a.Mode))
		case lang.ActionCreateRoute:
			dests := make([]string, len(a.Destinations))
			for i, d := range a.Destinations {
				dests[i] = d.String()
			}
			fmt.Fprintf(&routes, "create_route(%s, segment = %q, destinations = %s, blackhole = True)\n", variable, a.Segment, quote(dests))
		}
	}
	if len(acts) > 0 {
		fmt.Fprintf(&b, "    actions = [\n        %s,\n    ],\n", strings.Join(acts, ",\n        "))
	}
	b.WriteString(")\n")
	b.WriteString(routes.String())
	if len(im.skipped) > 0 {
		b.WriteString("\n# Not imported (patchbay does not model them, or they place attachments, which the design declares):\n")
		for _, s := range im.skipped {
			fmt.Fprintf(&b, "#   %s\n", format.CommentText(s))
		}
	}
	return []byte(b.String())
}

func file(path string) string {
	if i := strings.LastIndexAny(path, `/\`); i >= 0 {
		return path[i+1:]
	}
	return path
}

var notIdent = regexp.MustCompile(`[^A-Za-z0-9_]`)

// reserved are Starlark's keywords and the words it reserves.
var reserved = []string{"and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif", "else",
	"except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "load", "nonlocal", "not", "or", "pass",
	"raise", "return", "try", "while", "with", "yield", "True", "False", "None"}

// ident is a Starlark variable for the core network's name.
func ident(name string) string {
	s := notIdent.ReplaceAllString(name, "_")
	if s == "" || s[0] >= '0' && s[0] <= '9' || slices.Contains(reserved, s) {
		s = "wan_" + s
	}
	return s
}

func (im *importer) configuration(n *node, root *node) {
	if n == nil {
		im.errf(root, "the policy has no core-network-configuration: it is required")
		return
	}
	if !im.object(n, "core-network-configuration", "asn-ranges", "edge-locations", "inside-cidr-blocks", "vpn-ecmp-support",
		"dns-support", "security-group-referencing-support") {
		return
	}
	// Members the design does not model are still checked, so that a
	// document import accepts is one AWS would.
	for _, k := range []string{"inside-cidr-blocks", "vpn-ecmp-support", "dns-support", "security-group-referencing-support"} {
		if v := n.get(k); v != nil {
			im.skipped = append(im.skipped, "core-network-configuration."+k)
			if k == "inside-cidr-blocks" {
				im.insideCIDRs(v, k)
			} else {
				im.boolean(v, k)
			}
		}
	}
	ranges := n.get("asn-ranges")
	switch {
	case ranges == nil:
		im.errf(n, "core-network-configuration has no asn-ranges: it is required")
	case ranges.kind == 'a' && len(ranges.vals) == 0:
		im.errf(ranges, "asn-ranges is empty: the edges' ASNs come from it")
	}
	for i, s := range im.strs(ranges, "asn-ranges") {
		r, err := asnRange(s)
		if err != nil {
			im.errf(ranges.vals[i], "asn-ranges element %d: %v", i, err)
			continue
		}
		im.cn.ASNRanges = append(im.cn.ASNRanges, r)
	}
	locs := n.get("edge-locations")
	if locs == nil || locs.kind != 'a' || len(locs.vals) == 0 {
		if locs == nil {
			locs = n
		}
		im.errf(locs, "edge-locations: want a list of at least one {\"location\": REGION}")
		return
	}
	for i, e := range locs.vals {
		what := fmt.Sprintf("edge-locations element %d", i)
		if !im.object(e, what, "location", "asn", "inside-cidr-blocks") {
			continue
		}
		if v := e.get("inside-cidr-blocks"); v != nil {
			im.skipped = append(im.skipped, what+".inside-cidr-blocks")
			im.insideCIDRs(v, what+" inside-cidr-blocks")
		}
		loc, ok := im.str(e.get("location"), what+" location")
		if !ok {
			if e.get("location") == nil {
				im.errf(e, "%s has no location: it is required", what)
			}
			continue
		}
		if !awsRegion.MatchString(loc) {
			im.errf(e.get("location"), "%s: %q is not an AWS Region", what, loc)
		}
		if slices.Contains(im.edges, loc) {
			im.errf(e.get("location"), "%s: a second edge in %s: a core network has one per Region", what, loc)
		}
		im.edges = append(im.edges, loc)
		if a := e.get("asn"); a != nil {
			v, err := strconv.ParseUint(a.str, 10, 32)
			if a.kind != 'n' || err != nil {
				im.errf(a, "%s asn: want a whole number", what)
				continue
			}
			if !slices.ContainsFunc(im.cn.ASNRanges, func(r lang.ASNRange) bool { return r.Contains(uint32(v)) }) {
				im.errf(a, "%s asn %d is outside the asn-ranges", what, v)
			}
			im.cn.Edges = append(im.cn.Edges, lang.Edge{Region: loc, ASN: uint32(v), Range: im.at(e)})
		} else {
			im.cn.Edges = append(im.cn.Edges, lang.Edge{Region: loc, Range: im.at(e)})
		}
	}
}

var awsRegion = regexp.MustCompile(`^[a-z]{2}(-gov)?-[a-z]+-\d$`)

// asnRange reads "low-high" (a single ASN too), within 1–4294967295.
func asnRange(s string) (lang.ASNRange, error) {
	lo, hi, ok := strings.Cut(s, "-")
	if !ok {
		hi = lo
	}
	l, err1 := strconv.ParseUint(lo, 10, 32)
	h, err2 := strconv.ParseUint(hi, 10, 32)
	if err1 != nil || err2 != nil || h < l {
		return lang.ASNRange{}, fmt.Errorf("%q is not LOW-HIGH", s)
	}
	// "No other ASN ranges can be used": the 16- and 32-bit private ones.
	if !(l >= 64512 && h <= 65534 || l >= 4200000000 && h <= 4294967294) {
		return lang.ASNRange{}, fmt.Errorf("%q is outside the private ranges Cloud WAN allows, 64512-65534 and 4200000000-4294967294", s)
	}
	return lang.ASNRange{Low: uint32(l), High: uint32(h)}, nil
}

func (im *importer) functionGroups(n *node) {
	if n == nil {
		return
	}
	if n.kind != 'a' {
		im.errf(n, "network-function-groups: want a list")
		return
	}
	for i, g := range n.vals {
		what := fmt.Sprintf("network-function-groups element %d", i)
		if !im.object(g, what, "name", "description", "require-attachment-acceptance") {
			continue
		}
		name, ok := im.str(g.get("name"), what+" name")
		if !ok {
			im.errf(g, "%s has no name: it is required", what)
			continue
		}
		if err := lang.CheckCloudWANGroupName(name); err != nil {
			im.errf(g.get("name"), "%s: %v", what, err)
		}
		if slices.Contains(im.groups, name) {
			im.errf(g.get("name"), "%s: %q is declared twice", what, name)
		}
		if im.boolean(g.get("require-attachment-acceptance"), what+" require-attachment-acceptance") {
			im.skipped = append(im.skipped, what+".require-attachment-acceptance")
		}
		im.groups = append(im.groups, name)
		im.cn.NetworkFunctionGroups = append(im.cn.NetworkFunctionGroups, name)
	}
}

func (im *importer) segmentsOf(n *node, root *node) {
	if n == nil || n.kind != 'a' || len(n.vals) == 0 {
		if n == nil {
			n = root
		}
		im.errf(n, "segments: want a list of at least one segment: it is required")
		return
	}
	for i, s := range n.vals {
		what := fmt.Sprintf("segments element %d", i)
		if !im.object(s, what, "name", "description", "edge-locations", "isolate-attachments", "require-attachment-acceptance",
			"deny-filter", "allow-filter") {
			continue
		}
		name, ok := im.str(s.get("name"), what+" name")
		if !ok {
			im.errf(s, "%s has no name: it is required", what)
			continue
		}
		if err := lang.CheckCloudWANSegmentName(name); err != nil {
			im.errf(s.get("name"), "%s: %v", what, err)
		}
		if slices.Contains(im.segments, name) || slices.Contains(im.groups, name) {
			im.errf(s.get("name"), "%s: %q is declared twice", what, name)
		}
		im.segments = append(im.segments, name)
		seg := lang.Segment{Name: name, Range: im.at(s)}
		if im.boolean(s.get("isolate-attachments"), what+" isolate-attachments") {
			seg.IsolateAttachments = true
		}
		// The reference's default is to require acceptance; the design's
		// not to.
		if acc := s.get("require-attachment-acceptance"); acc == nil || im.boolean(acc, what+" require-attachment-acceptance") {
			seg.RequireAcceptance = true
		}
		if e := s.get("edge-locations"); e != nil {
			seg.EdgeRegions = im.names(e, what+" edge-locations", "edge location", im.edges)
		}
		im.cn.Segments = append(im.cn.Segments, seg)
		for _, k := range []string{"deny-filter", "allow-filter"} {
			if s.get(k) != nil {
				im.skipped = append(im.skipped, what+"."+k)
			}
		}
		if s.get("deny-filter") != nil && s.get("allow-filter") != nil {
			im.errf(s.get("allow-filter"), "%s: a segment has an allow-filter or a deny-filter, not both", what)
		}
	}
	// Filters may name segments declared after them.
	for i, s := range n.vals {
		if s.kind != 'o' {
			continue
		}
		for _, k := range []string{"deny-filter", "allow-filter"} {
			if f := s.get(k); f != nil {
				im.names(f, fmt.Sprintf("segments element %d %s", i, k), "segment", im.segments)
			}
		}
	}
}

// actions writes the segment actions core_network takes; create-route
// ones come back as create_route calls, which follow the core network.
func (im *importer) actions(n *node) {
	if n == nil {
		return
	}
	if n.kind != 'a' {
		im.errf(n, "segment-actions: want a list")
		return
	}
	for i, a := range n.vals {
		what := fmt.Sprintf("segment-actions element %d", i)
		if !im.object(a, what, "action", "segment", "mode", "share-with", "destination-cidr-blocks", "destinations", "description",
			"via", "when-sent-to") {
			continue
		}
		action, ok := im.str(a.get("action"), what+" action")
		if !ok {
			im.errf(a, "%s has no action: it is required", what)
			continue
		}
		seg, ok := im.str(a.get("segment"), what+" segment")
		if !ok {
			im.errf(a, "%s has no segment: it is required", what)
			continue
		}
		if !slices.Contains(im.segments, seg) {
			im.errf(a.get("segment"), "%s: no segment %q in the policy (it has %s)", what, seg, strings.Join(im.segments, ", "))
		}
		if m := a.get("mode"); m != nil && action != "share" && action != "send-via" {
			im.errf(m, "%s: only share and send-via take a mode", what)
		}
		switch action {
		case "share":
			// "If the action to take is share, the following parameters are
			// required": the segment, mode and share-with (policy reference).
			if m := a.get("mode"); m == nil {
				im.errf(a, "%s: a share needs mode, \"attachment-route\"", what)
			} else if v, _ := im.str(m, what+" mode"); v != "attachment-route" {
				im.errf(m, "%s: a share's mode is \"attachment-route\"", what)
			}
			w := a.get("share-with")
			switch {
			case w == nil:
				im.errf(a, "%s: a share needs share-with", what)
			case w.kind == 's' && w.str == "*":
				im.cn.Actions = append(im.cn.Actions, lang.SegmentAction{Action: lang.ActionShare, Segment: seg, ShareWith: []string{"*"}, Range: im.at(a)})
			case w.kind == 'a':
				with := im.names(w, what+" share-with", "segment", im.segments)
				im.cn.Actions = append(im.cn.Actions, lang.SegmentAction{Action: lang.ActionShare, Segment: seg, ShareWith: with, Range: im.at(a)})
			case w.kind == 'o':
				im.skipped = append(im.skipped, what+" (share-with \"except\")")
			default:
				im.errf(w, "%s share-with: want \"*\" or a list of segments", what)
			}
		case "create-route":
			cidrs := im.strs(a.get("destination-cidr-blocks"), what+" destination-cidr-blocks")
			if len(cidrs) == 0 {
				im.errf(a, "%s: a create-route needs destination-cidr-blocks", what)
			}
			for j, c := range cidrs {
				if p, err := netip.ParsePrefix(c); err != nil || p.Masked() != p {
					im.errf(a.get("destination-cidr-blocks").vals[j], "%s destination-cidr-blocks element %d: %q is not a CIDR block", what, j, c)
				}
			}
			dests := im.strs(a.get("destinations"), what+" destinations")
			switch {
			case slices.Equal(dests, []string{"blackhole"}):
				var ps []netip.Prefix
				for _, c := range cidrs {
					if p, err := netip.ParsePrefix(c); err == nil {
						ps = append(ps, p)
					}
				}
				im.cn.Actions = append(im.cn.Actions, lang.SegmentAction{Action: lang.ActionCreateRoute, Segment: seg, Destinations: ps, Blackhole: true, Range: im.at(a)})
			case len(dests) == 0 || slices.Contains(dests, "blackhole"):
				im.errf(a, "%s: destinations: want [\"blackhole\"] or attachment IDs", what)
			default:
				// The attachment is the design's to declare; its ID is
				// the deployment's.
				im.skipped = append(im.skipped, fmt.Sprintf("%s (create-route %s to %s: declare it with create_route(..., attachment = ...))",
					what, strings.Join(cidrs, ", "), strings.Join(dests, ", ")))
			}
		case "send-to", "send-via":
			via := a.get("via")
			if via == nil || !im.object(via, what+" via", "network-function-groups", "with-edge-overrides") {
				if via == nil {
					im.errf(a, "%s: a %s needs via", what, action)
				}
				continue
			}
			if via.get("with-edge-overrides") != nil {
				im.skipped = append(im.skipped, what+".via.with-edge-overrides")
			}
			groups := im.names(via.get("network-function-groups"), what+" via network-function-groups", "network function group", im.groups)
			if action == "send-to" {
				im.cn.Actions = append(im.cn.Actions, lang.SegmentAction{Action: lang.ActionSendTo, Segment: seg, Via: groups, Range: im.at(a)})
				continue
			}
			mode := "single-hop"
			if m := a.get("mode"); m != nil {
				mode, _ = im.str(m, what+" mode")
				if mode != "single-hop" && mode != "dual-hop" {
					im.errf(m, "%s: a send-via's mode is \"single-hop\" or \"dual-hop\"", what)
				}
			}
			w := a.get("when-sent-to")
			if w == nil || !im.object(w, what+" when-sent-to", "segments") {
				if w == nil {
					im.errf(a, "%s: a send-via needs when-sent-to", what)
				}
				continue
			}
			// "*", every segment, is a string in place of the list, as in
			// share-with (AWS's dual-hop inspection sample writes
			// "when-sent-to": {"segments": "*"}).
			var to []string
			if sg := w.get("segments"); sg != nil && sg.kind == 's' && sg.str == "*" {
				to = []string{"*"}
			} else {
				to = im.names(sg, what+" when-sent-to segments", "segment", im.segments)
			}
			im.cn.Actions = append(im.cn.Actions, lang.SegmentAction{Action: lang.ActionSendVia, Segment: seg, WhenSentTo: to, Via: groups, Mode: mode, Range: im.at(a)})
		default:
			im.errf(a.get("action"), "%s: action %q: want share, create-route, send-to or send-via", what, action)
		}
	}
}

var conditionTypes = []string{"any", "account-id", "attachment-type", "region", "resource-id", "tag-exists", "tag-value"}

func (im *importer) attachmentPolicies(n *node) {
	if n == nil {
		return
	}
	if n.kind != 'a' {
		im.errf(n, "attachment-policies: want a list")
		return
	}
	seen := map[string]bool{}
	for i, r := range n.vals {
		what := fmt.Sprintf("attachment-policies element %d", i)
		if !im.object(r, what, "rule-number", "description", "condition-logic", "conditions", "action") {
			continue
		}
		num := r.get("rule-number")
		if v, err := strconv.Atoi(func() string {
			if num == nil {
				return ""
			}
			return num.str
		}()); num == nil || num.kind != 'n' || err != nil || v < 1 || v > 65535 {
			if num == nil {
				num = r
			}
			im.errf(num, "%s: rule-number: want a whole number from 1 to 65535", what)
		} else if seen[num.str] {
			im.errf(num, "%s: rule-number %s is used twice", what, num.str)
		} else {
			seen[num.str] = true
		}
		if l := r.get("condition-logic"); l != nil {
			if v, _ := im.str(l, what+" condition-logic"); v != "and" && v != "or" {
				im.errf(l, "%s: condition-logic is \"and\" or \"or\"", what)
			}
		}
		conds := r.get("conditions")
		if conds != nil && conds.kind == 'a' && len(conds.vals) > 1 && r.get("condition-logic") == nil {
			im.errf(conds, "%s: more than one condition needs condition-logic (\"and\" or \"or\")", what)
		}
		if conds == nil || conds.kind != 'a' || len(conds.vals) == 0 {
			if conds == nil {
				conds = r
			}
			im.errf(conds, "%s: conditions: want a list of at least one", what)
		} else {
			for j, c := range conds.vals {
				cw := fmt.Sprintf("%s conditions element %d", what, j)
				if !im.object(c, cw, "type", "operator", "key", "value") {
					continue
				}
				t, ok := im.str(c.get("type"), cw+" type")
				if !ok || !slices.Contains(conditionTypes, t) {
					at := c.get("type")
					if at == nil {
						at = c
					}
					im.errf(at, "%s: type: want one of %s", cw, strings.Join(conditionTypes, ", "))
					continue
				}
				// Which of key, operator and value each type takes.
				want := map[string][3]bool{"any": {}, "tag-exists": {true}, "tag-value": {true, true, true},
					"region": {false, true, true}, "resource-id": {false, true, true}, "account-id": {false, true, true},
					"attachment-type": {false, true, true}}[t]
				for k, field := range []string{"key", "operator", "value"} {
					switch f := c.get(field); {
					case want[k] && f == nil:
						im.errf(c, "%s: a %s condition needs %s", cw, t, field)
					case !want[k] && f != nil:
						im.errf(f, "%s: a %s condition takes no %s", cw, t, field)
					}
				}
				if o := c.get("operator"); o != nil {
					if v, _ := im.str(o, cw+" operator"); !slices.Contains([]string{"equals", "not-equals", "contains", "begins-with"}, v) {
						im.errf(o, "%s: operator: want equals, not-equals, contains or begins-with", cw)
					}
				}
			}
		}
		act := r.get("action")
		if act == nil || !im.object(act, what+" action", "association-method", "segment", "tag-value-of-key", "require-acceptance", "add-to-network-function-group") {
			if act == nil {
				im.errf(r, "%s has no action: it is required", what)
			}
			continue
		}
		if g := act.get("add-to-network-function-group"); g != nil {
			im.names(&node{kind: 'a', vals: []*node{g}}, what+" action add-to-network-function-group", "network function group", im.groups)
			logic, _ := im.str(r.get("condition-logic"), what+" condition-logic")
			hasTag := conds != nil && slices.ContainsFunc(conds.vals, func(c *node) bool { return c.kind == 'o' && c.get("type") != nil && c.get("type").str == "tag-exists" })
			if logic != "and" || !hasTag {
				im.errf(g, "%s: a rule that adds to a network function group needs condition-logic \"and\" and a tag-exists condition", what)
			}
		}
		if ra := act.get("require-acceptance"); ra != nil && !im.boolean(ra, what+" action require-acceptance") {
			im.errf(ra, "%s: require-acceptance can only be true", what)
		}
		switch m, _ := im.str(act.get("association-method"), what+" action association-method"); m {
		case "constant":
			if s := act.get("segment"); s == nil {
				im.errf(act, "%s: a constant association names its segment", what)
			} else {
				im.names(&node{kind: 'a', vals: []*node{s}}, what+" action segment", "segment", im.segments)
			}
		case "tag":
			if act.get("tag-value-of-key") == nil {
				im.errf(act, "%s: a tag association names its tag-value-of-key", what)
			}
		case "":
			if act.get("add-to-network-function-group") == nil {
				im.errf(act, "%s: the action needs association-method (constant or tag) or add-to-network-function-group", what)
			}
		default:
			im.errf(act.get("association-method"), "%s: association-method is \"constant\" or \"tag\"", what)
		}
		im.skipped = append(im.skipped, what+" (attachments are placed by attach(..., segment = ...))")
	}
}
