package decl

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"go.starlark.net/starlark"

	"patchbay/lang"
	"patchbay/lang/cloudwan"
)

func edgeFn(c *call) (starlark.Value, error) {
	e := lang.Edge{Region: c.region("region", "aws"), ASN: c.asn("asn", 0), Range: c.here()}
	if c.err != nil {
		return nil, c.err
	}
	var asn starlark.Value = starlark.None
	if e.ASN != 0 {
		asn = asnValue(e.ASN)
	}
	return &spec{typ: "edge", payload: e, attrs: attrs{{"region", starlark.String(e.Region)}, {"asn", asn}}}, nil
}

func segmentFn(c *call) (starlark.Value, error) {
	s := lang.Segment{
		Name:               c.name("name"),
		IsolateAttachments: c.boolean("isolate_attachments", false),
		RequireAcceptance:  c.boolean("require_attachment_acceptance", false),
		EdgeRegions:        c.strs("edge_regions"),
		Range:              c.here(),
	}
	if c.err != nil {
		return nil, c.err
	}
	return &spec{typ: "segment", payload: s, attrs: attrs{
		{"name", starlark.String(s.Name)}, {"isolate_attachments", starlark.Bool(s.IsolateAttachments)},
		{"require_attachment_acceptance", starlark.Bool(s.RequireAcceptance)}, {"edge_regions", strTuple(s.EdgeRegions)},
	}}, nil
}

func actionSpec(c *call, a lang.SegmentAction) (starlark.Value, error) {
	if c.err != nil {
		return nil, c.err
	}
	a.Range = c.here()
	return &spec{typ: "segment_action", payload: a, attrs: attrs{
		{"action", starlark.String(a.Action)}, {"segment", starlark.String(a.Segment)},
	}}, nil
}

func shareFn(c *call) (starlark.Value, error) {
	a := lang.SegmentAction{Action: lang.ActionShare, Segment: c.str("segment", ""), ShareWith: c.strs("share_with")}
	if c.err == nil && len(a.ShareWith) == 0 {
		c.failf("share_with", "want at least one segment, or \"*\"")
	}
	return actionSpec(c, a)
}

func sendToFn(c *call) (starlark.Value, error) {
	return actionSpec(c, lang.SegmentAction{Action: lang.ActionSendTo, Segment: c.str("segment", ""), Via: c.strs("via")})
}

func sendViaFn(c *call) (starlark.Value, error) {
	a := lang.SegmentAction{Action: lang.ActionSendVia, Segment: c.str("segment", ""), WhenSentTo: c.strs("when_sent_to"),
		Via: c.strs("via"), Mode: c.str("mode", "single-hop")}
	if c.err == nil && a.Mode != "single-hop" && a.Mode != "dual-hop" {
		c.failf("mode", "want \"single-hop\" or \"dual-hop\", got %q", a.Mode)
	}
	return actionSpec(c, a)
}

func parseASNRange(s string) (lang.ASNRange, error) {
	lo, hi, ok := strings.Cut(s, "-")
	if !ok {
		hi = lo
	}
	l, err1 := strconv.ParseUint(strings.TrimSpace(lo), 10, 32)
	h, err2 := strconv.ParseUint(strings.TrimSpace(hi), 10, 32)
	if err1 != nil || err2 != nil || l == 0 || l > h {
		return lang.ASNRange{}, fmt.Errorf("invalid ASN range %q: want \"low-high\" with 1 <= low <= high <= 4294967295", s)
	}
	return lang.ASNRange{Low: uint32(l), High: uint32(h)}, nil
}

func coreNetworkFn(c *call) (starlark.Value, error) {
	cn := &lang.CoreNetwork{Meta: c.meta(c.name("name"))}
	rangeStrs := c.strs("asn_ranges")
	if rangeStrs == nil {
		rangeStrs = cat().ASNRangesOf("cloud_wan_policy")[:1] // the 16-bit private range, as Cloud WAN's console offers
	}
	for _, s := range rangeStrs {
		r, err := parseASNRange(s)
		if err != nil && c.err == nil {
			c.fail("asn_ranges", err)
		}
		cn.ASNRanges = append(cn.ASNRanges, r)
	}
	cn.NetworkFunctionGroups = c.strs("network_function_groups")
	used := map[uint32]bool{}
	for _, e := range specs[lang.Edge](c, "edges", "an edge()", "edge") {
		if cn.Edge(e.Region) != nil {
			c.failf("edges", "two edges in region %s: a core network has one edge per region", e.Region)
		}
		used[e.ASN] = true
		cn.Edges = append(cn.Edges, e)
	}
	if c.err == nil && len(cn.Edges) == 0 {
		c.failf("edges", "want at least one edge()")
	}
	// Like Cloud WAN, give edges without an ASN the next free one of the pool.
	for i := range cn.Edges {
		if cn.Edges[i].ASN != 0 || c.err != nil {
			continue
		}
		asn, ok := nextASN(cn.ASNRanges, used)
		if !ok {
			c.failf("asn_ranges", "no free ASN left for the edge in %s", cn.Edges[i].Region)
		}
		used[asn] = true
		cn.Edges[i].ASN = asn
	}
	for _, seg := range specs[lang.Segment](c, "segments", "a segment()", "segment") {
		if cn.Segment(seg.Name) != nil {
			c.failf("segments", "segment %q is declared twice", seg.Name)
		}
		cn.Segments = append(cn.Segments, seg)
	}
	if c.err == nil && len(cn.Segments) == 0 {
		c.failf("segments", "want at least one segment()")
	}
	edgeRegions := make([]string, len(cn.Edges))
	for i, e := range cn.Edges {
		edgeRegions[i] = e.Region
	}
	// A misspelt name would silently change who reaches whom: check them all.
	known := func(p string, i int, what, name string, names []string, star bool) {
		if c.err != nil || slices.Contains(names, name) || (star && name == "*") {
			return
		}
		where := ""
		if i >= 0 {
			where = fmt.Sprintf("element %d: ", i)
		}
		c.failf(p, "%sunknown %s %q%s", where, what, name, didYouMean(name, names))
	}
	for _, seg := range cn.Segments {
		for _, r := range seg.EdgeRegions {
			known("segments", -1, "edge region (segment "+seg.Name+")", r, edgeRegions, false)
		}
	}
	for i, a := range specs[lang.SegmentAction](c, "actions", "share(), send_to() or send_via()", "segment_action") {
		known("actions", i, "segment", a.Segment, cn.SegmentNames(), false)
		// "*" is every segment, written alone in the policy ("share-with":
		// "*"): beside names it has no document to go in.
		for _, list := range [][]string{a.ShareWith, a.WhenSentTo} {
			if c.err == nil && len(list) > 1 && slices.Contains(list, "*") {
				c.failf("actions", "element %d: \"*\" stands for every segment and goes alone, not beside names", i)
			}
		}
		for _, w := range a.ShareWith {
			known("actions", i, "segment to share with", w, cn.SegmentNames(), true)
		}
		for _, w := range a.WhenSentTo {
			known("actions", i, "segment", w, cn.SegmentNames(), true)
		}
		for _, g := range a.Via {
			known("actions", i, "network function group", g, cn.NetworkFunctionGroups, false)
		}
		cn.Actions = append(cn.Actions, a)
	}
	if c.err != nil {
		return nil, c.err
	}
	return c.b.add(cn, attrs{{"edge_regions", strTuple(edgeRegions)}, {"segments", strTuple(cn.SegmentNames())}})
}

// coreNetworkFromPolicyFn declares the core network a policy document
// describes (lang/cloudwan reads and checks it): its positions are the
// document's, so a finding about a segment points at the JSON.
func coreNetworkFromPolicyFn(c *call) (starlark.Value, error) {
	name, path := c.name("name"), c.str("policy", "")
	if c.err != nil {
		return nil, c.err
	}
	if c.b.read == nil {
		c.failf("policy", "this front-end reads no files")
		return nil, c.err
	}
	display, data, err := c.b.read(c.at, path)
	if err != nil {
		c.fail("policy", err)
		return nil, c.err
	}
	c.b.design.Files[display] = data
	cn, err := cloudwan.Decode(display, data)
	var se *lang.SourceError
	if errors.As(err, &se) {
		return nil, se.Diagnostics[0]
	}
	if err != nil {
		return nil, err
	}
	cn.Meta = c.meta(name)
	// Like Cloud WAN, give edges without an ASN the next free one of the pool.
	used := map[uint32]bool{}
	for _, e := range cn.Edges {
		used[e.ASN] = true
	}
	for i := range cn.Edges {
		if cn.Edges[i].ASN != 0 {
			continue
		}
		asn, ok := nextASN(cn.ASNRanges, used)
		if !ok {
			return nil, lang.Diagnostic{Rule: "argument", Summary: fmt.Sprintf("no free ASN left in asn-ranges for the edge in %s", cn.Edges[i].Region), Range: cn.Edges[i].Range}
		}
		used[asn] = true
		cn.Edges[i].ASN = asn
	}
	edgeRegions := make([]string, len(cn.Edges))
	for i, e := range cn.Edges {
		edgeRegions[i] = e.Region
	}
	return c.b.add(cn, attrs{{"edge_regions", strTuple(edgeRegions)}, {"segments", strTuple(cn.SegmentNames())}})
}

func nextASN(ranges []lang.ASNRange, used map[uint32]bool) (uint32, bool) {
	for _, r := range ranges {
		for a := uint64(r.Low); a <= uint64(r.High); a++ {
			if !used[uint32(a)] {
				return uint32(a), true
			}
			if a-uint64(r.Low) > 1<<16 {
				break // a pool this crowded is a design problem, not a search problem
			}
		}
	}
	return 0, false
}

func createRouteFn(c *call) (starlark.Value, error) {
	cn := c.resource("core_network", lang.KindCoreNetwork)
	a := lang.SegmentAction{
		Action:       lang.ActionCreateRoute,
		Segment:      c.segmentArg("segment", cn),
		Destinations: c.prefixes("destinations", 0),
		Target:       refOf(c.resource("attachment", lang.KindAttachment)),
		Blackhole:    c.boolean("blackhole", false),
		Range:        c.here(),
	}
	if c.err == nil && a.Blackhole == !a.Target.IsZero() {
		c.failf("attachment", "give either an attachment or blackhole = True")
	}
	if c.err != nil {
		return nil, c.err
	}
	core := cn.res.(*lang.CoreNetwork)
	core.Actions = append(core.Actions, a)
	return starlark.None, nil
}
