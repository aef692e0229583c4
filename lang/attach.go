package lang

import (
	"fmt"
	"slices"
	"strings"
)

type attachRule struct {
	a, b         Kind
	kind         AttachmentKind
	needsSegment bool
}

// attachRules are the attachments AWS offers, each end kind in the order
// the attachment kind names them.
var attachRules = []attachRule{
	{KindVPC, KindTransitGW, AttachVPCTGW, false},
	{KindVPC, KindCoreNetwork, AttachVPCCloudWAN, true},
	{KindVPNGateway, KindVPC, AttachVGWVPC, false},
	{KindDXGateway, KindVPNGateway, AttachDXGWVGW, false},
	{KindDXGateway, KindTransitGW, AttachDXGWTGW, false},
	{KindDXGateway, KindCoreNetwork, AttachDXGWWAN, true},
	{KindTransitGW, KindCoreNetwork, AttachTGWCloudWAN, true},
	{KindTransitGW, KindTransitGW, AttachTGWPeering, false},
}

// ClassifyAttachment says what attaching x to y makes, in either argument
// order. swapped is true when y is the kind's first end. The error explains
// what each kind can attach to.
func ClassifyAttachment(x, y Kind) (kind AttachmentKind, swapped, needsSegment bool, err error) {
	for _, r := range attachRules {
		if r.a == x && r.b == y {
			return r.kind, false, r.needsSegment, nil
		}
		if r.a == y && r.b == x {
			return r.kind, true, r.needsSegment, nil
		}
	}
	return "", false, false, fmt.Errorf("cannot attach a %s to a %s: a %s attaches to %s", x, y, x, orList(AttachableTo(x)))
}

// AttachableTo lists the kinds k can be attached to, sorted.
func AttachableTo(k Kind) []string {
	var out []string
	for _, r := range attachRules {
		switch k {
		case r.a:
			out = append(out, string(r.b))
		case r.b:
			out = append(out, string(r.a))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// InterconnectAttachKinds are what an AWS Interconnect can attach to.
var InterconnectAttachKinds = []Kind{KindDXGateway, KindTransitGW, KindCoreNetwork}

// LastMileAttachKinds: a last-mile connection attaches through a Direct Connect gateway.
var LastMileAttachKinds = []Kind{KindDXGateway}

func orList(xs []string) string {
	if len(xs) == 0 {
		return "nothing"
	}
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = article(x) + " " + x
	}
	if len(s) == 1 {
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

// article is "an" before a kind that starts with a vowel ("an interconnect",
// "an attachment"): kind names are lower-case words, so the letter decides.
func article(kind string) string {
	if kind != "" && strings.ContainsRune("aeiou", rune(kind[0])) {
		return "an"
	}
	return "a"
}

// OrList joins kinds as "a vpc, an interconnect or a site" for error messages.
func OrList(ks []Kind) string {
	s := make([]string, len(ks))
	for i, k := range ks {
		s[i] = string(k)
	}
	return orList(s)
}
