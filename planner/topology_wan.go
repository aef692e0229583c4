package planner

import (
	"fmt"
	"net/netip"
	"slices"

	"patchbay/lang"
)

// Cloud WAN service insertion
// (https://docs.aws.amazon.com/network-manager/latest/cloudwan/cloudwan-policy-service-insertion.html,
// checked 2026-12). A network function group has a route table on every
// edge and at most one attachment per Region, the inspection VPC. Traffic
// a send-via or send-to steers goes out to that VPC, and what the VPC
// sends back is looked up in the group's table, which holds the
// attachments of the segments the group serves. Each group has two tables
// per edge: post, where traffic coming back from the edge's inspection VPC
// is looked up, and pre, which sends everything to the inspection VPC.
// Two meshes join the edges: pre (steered traffic on its way to an
// inspection VPC in another Region) and post (inspected traffic on its way
// to its destination's edge), which lands in pre again for a dual-hop
// group, so the destination's Region inspects it a second time.
type nfgEdge struct {
	post, pre *Table
	iface     *Iface               // the edge's end of the inspection VPC's attachment; nil: none in this Region
	mesh      map[string][2]*Iface // per other edge region: this edge's end of the pre and post mesh links
}

func (b *topoBuilder) nfgKey(cn *lang.CoreNetwork, region, group string) string {
	return cn.Name + "/" + region + "/" + group
}

// dualHop reports whether a send-via action steers through group in
// dual-hop mode (the planner reports a group used in both modes).
func dualHop(cn *lang.CoreNetwork, group string) bool {
	for _, a := range cn.Actions {
		if a.Action == lang.ActionSendVia && a.Mode == "dual-hop" && slices.Contains(a.Via, group) {
			return true
		}
	}
	return false
}

// nfgTables makes the groups' tables on every edge and their meshes.
func (b *topoBuilder) nfgTables(cn *lang.CoreNetwork) {
	mtu := int(cat().Int("cloud_wan.mtu"))
	for _, g := range cn.NetworkFunctionGroups {
		for _, e := range cn.Edges {
			dev := b.named[b.edgeName(cn, e.Region)]
			ne := &nfgEdge{post: b.t.table(dev, "nfg:"+g), pre: b.t.table(dev, "nfg:"+g+"/to-inspection"), mesh: map[string][2]*Iface{}}
			ne.post.Source, ne.pre.Source = cn.Source(), cn.Source()
			b.nfg[b.nfgKey(cn, e.Region, g)] = ne
		}
		dual := dualHop(cn, g)
		for i, e := range cn.Edges {
			for _, f := range cn.Edges[i+1:] {
				x, y := b.nfg[b.nfgKey(cn, e.Region, g)], b.nfg[b.nfgKey(cn, f.Region, g)]
				pre := b.t.connect(fmt.Sprintf("%s/mesh/%s-%s/nfg:%s/to-inspection", cn.Name, e.Region, f.Region, g), "mesh",
					x.pre.Device, x.pre, y.pre.Device, y.pre, b.between(e.Region, f.Region), mtu)
				xin, yin := x.post, y.post
				if dual {
					xin, yin = x.pre, y.pre
				}
				post := b.t.connect(fmt.Sprintf("%s/mesh/%s-%s/nfg:%s", cn.Name, e.Region, f.Region, g), "mesh",
					x.post.Device, xin, y.post.Device, yin, b.between(e.Region, f.Region), mtu)
				pre.Source, post.Source = cn.Source(), cn.Source()
				x.mesh[f.Region] = [2]*Iface{pre.A, post.A}
				y.mesh[e.Region] = [2]*Iface{pre.B, post.B}
				why := "inspected traffic crosses to the destination's edge"
				b.learn(x.post, y.post, post.A, PrefRemote, TagMesh, onlyAttachment, why, cn.Source()).ASN = f.ASN
				b.learn(y.post, x.post, post.B, PrefRemote, TagMesh, onlyAttachment, why, cn.Source()).ASN = e.ASN
			}
		}
	}
}

// nfgAttach joins an inspection VPC to its group's table on the edge of
// its Region.
func (b *topoBuilder) nfgAttach(a *lang.Attachment, vpcLearns func(lang.Ref, *Table, *Iface, lang.Range)) {
	cn, _ := b.lookup(a.B).(*lang.CoreNetwork)
	ne := b.nfg[b.nfgKey(cn, b.region(a.A), a.NetworkFunctionGroup)]
	if cn == nil || ne == nil {
		return // no edge in the VPC's Region: attach-invalid
	}
	vpc := b.dev(a.A)
	l := b.t.connect(a.Ref().String(), "attachment", vpc, vpc.Tables[0], ne.post.Device, ne.post, b.intraRegion(), int(cat().Int("cloud_wan.mtu")))
	l.Source = a.Source()
	b.target(a.Ref(), l.B)
	if ne.iface == nil { // one attachment per group and Region; the planner reports a second
		ne.iface = l.B
		b.learn(ne.pre, ne.post, l.B, PrefInsert, TagInsert, Filter{}, "traffic for the network function group goes to its inspection VPC", a.Source()).Redirect = true
	}
	vpcLearns(a.A, ne.post, l.A, a.Source())
}

// inspectAt is the Region whose inspection VPC single-hop traffic between
// the edges in from and to crosses: the only one of the two that has one,
// else the one first among the core network's edges. AWS picks by a
// "default Region priority list" it does not publish, and falls back to
// another Region when neither has one; patchbay takes the core network's
// edges in the order declared (estimated). "" when the group has no
// inspection VPC at all.
func (b *topoBuilder) inspectAt(cn *lang.CoreNetwork, group, from, to string) string {
	has := func(r string) bool {
		ne := b.nfg[b.nfgKey(cn, r, group)]
		return ne != nil && ne.iface != nil
	}
	first := ""
	for _, e := range cn.Edges {
		if (e.Region == from || e.Region == to) && has(e.Region) {
			return e.Region
		}
		if first == "" && has(e.Region) {
			first = e.Region
		}
	}
	return first
}

// steer is the interface on the edge in region that sends traffic to the
// inspection VPC in region at: its own, or the pre mesh towards at.
func (b *topoBuilder) steer(cn *lang.CoreNetwork, group, region, at string) *Iface {
	ne := b.nfg[b.nfgKey(cn, region, group)]
	if ne == nil || at == "" {
		return nil
	}
	if at == region {
		return ne.iface
	}
	return ne.mesh[at][0]
}

// segmentsOf expands when_sent_to's "*".
func segmentsOf(cn *lang.CoreNetwork, names []string) []string {
	if slices.Contains(names, "*") {
		return cn.SegmentNames()
	}
	return names
}

// serviceInsertion installs what send-via and send-to steer.
func (b *topoBuilder) serviceInsertion() {
	for _, cn := range b.p.Design.CoreNetworks {
		if len(cn.NetworkFunctionGroups) == 0 {
			continue
		}
		served := map[string][]string{} // group → segments whose attachments its tables hold
		serve := func(g, s string) {
			if !slices.Contains(served[g], s) {
				served[g] = append(served[g], s)
			}
		}
		for i := range cn.Actions {
			a := &cn.Actions[i]
			switch a.Action {
			case lang.ActionSendVia:
				for _, g := range a.Via {
					serve(g, a.Segment)
					for _, w := range segmentsOf(cn, a.WhenSentTo) {
						serve(g, w)
						b.sendVia(cn, a, g, a.Segment, w)
						if w != a.Segment {
							b.sendVia(cn, a, g, w, a.Segment) // inspected both ways
						}
					}
				}
			case lang.ActionSendTo:
				for _, g := range a.Via {
					serve(g, a.Segment)
				}
			}
		}
		for _, g := range cn.NetworkFunctionGroups {
			for _, e := range cn.Edges {
				ne := b.nfg[b.nfgKey(cn, e.Region, g)]
				for _, s := range served[g] {
					if v := b.seg[b.segKey(cn, e.Region, s)]; v != nil {
						b.learn(ne.post, v, nil, 0, TagAttachment, onlyAttachment,
							fmt.Sprintf("the network function group's table holds segment %s's attachments", s), cn.Source()).KeepPref = true
					}
				}
			}
		}
	}
}

// sendVia steers segment src's traffic to segment dst's attachments
// through group: each edge's table for src's attachments learns dst's
// attachments on every edge, with the inspection VPC as next hop.
func (b *topoBuilder) sendVia(cn *lang.CoreNetwork, a *lang.SegmentAction, group, src, dst string) {
	dual := a.Mode == "dual-hop"
	for _, e := range cn.Edges {
		ingress, _ := b.segmentTables(cn.Ref(), e.Region, src)
		if ingress == nil {
			continue
		}
		for _, f := range cn.Edges {
			from := b.seg[b.segKey(cn, f.Region, dst)]
			if from == nil {
				continue
			}
			at := e.Region // dual-hop: first in the source's Region
			if !dual {
				at = b.inspectAt(cn, group, e.Region, f.Region)
			}
			via := b.steer(cn, group, e.Region, at)
			if via == nil {
				continue // no inspection VPC to go through: AWS drops the traffic
			}
			b.learn(ingress, from, via, PrefInsert, TagInsert, onlyAttachment,
				fmt.Sprintf("send-via: segment %s's traffic to %s goes through network function group %s (%s)", src, dst, group, a.Mode), a.Range).Redirect = true
		}
	}
}

// defaultRoutes are what send-to steers: the segment's default routes.
var defaultRoutes = []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0"), netip.MustParsePrefix("::/0")}

// sendToStatics installs send-to's default routes towards the group's
// inspection VPC: the edge's own, else the one inspectAt picks.
func (b *topoBuilder) sendToStatics() {
	for _, cn := range b.p.Design.CoreNetworks {
		for i := range cn.Actions {
			a := &cn.Actions[i]
			if a.Action != lang.ActionSendTo || len(a.Via) == 0 {
				continue
			}
			g := a.Via[0] // the first group the action names
			for _, e := range cn.Edges {
				ingress, _ := b.segmentTables(cn.Ref(), e.Region, a.Segment)
				via := b.steer(cn, g, e.Region, b.inspectAt(cn, g, e.Region, e.Region))
				if ingress == nil || via == nil {
					continue
				}
				for _, p := range defaultRoutes {
					b.t.statics = append(b.t.statics, &Static{Table: ingress, Prefix: p, NextHops: []*Iface{via}, Pref: PrefInsert, Tag: TagInsert, at: &a.Range})
				}
			}
		}
	}
}
