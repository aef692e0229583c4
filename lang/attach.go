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
	switch len(xs) {
	case 0:
		return "nothing"
	case 1:
		return "a " + xs[0]
	}
	return "a " + strings.Join(xs[:len(xs)-1], ", a ") + " or a " + xs[len(xs)-1]
}

// OrList joins kinds as "a x, a y or a z" for error messages.
func OrList(ks []Kind) string {
	s := make([]string, len(ks))
	for i, k := range ks {
		s[i] = string(k)
	}
	return orList(s)
}
