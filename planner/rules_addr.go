package planner

import (
	"fmt"
	"net/netip"

	"patchbay/lang"
	"patchbay/stdlib"
)

var _ = register(&Rule{
	ID: "cidr-overlap", Severity: lang.SevError,
	Summary: "Two networks that reach each other have overlapping address space.",
	Explain: `Two networks that can reach each other over some path — a Transit Gateway route table
(association and propagation), a Cloud WAN segment (with its isolation and sharing), a Direct
Connect gateway, an Interconnect or a last-mile connection — have overlapping IPv4 or IPv6
prefixes. The routing table that holds both cannot send traffic to both: one destination
becomes unreachable, or traffic goes to the wrong network. AWS Interconnect requires the VPC
CIDRs on both sides not to overlap.

Networks that can never reach each other (for example two VPCs in an isolated segment, or on
Transit Gateway route tables that do not propagate to each other) may overlap.

What a Direct Connect gateway advertises on-premises follows its associations' allowed prefixes:
for a Transit Gateway association the listed prefixes themselves are advertised, so a summary
that covers a site's block overlaps it; for a virtual private gateway association the list only
filters and the VPC's own CIDR is what is advertised. (AWS Direct Connect User Guide, "Allowed
prefixes interactions",
https://docs.aws.amazon.com/directconnect/latest/UserGuide/allowed-to-prefixes.html, checked
2026-12.) An attachment to a Cloud WAN core network takes no allowed prefixes: its segment's
routes are advertised, and a design's list filters them, as an outbound routing policy would.

Fix: renumber one of the networks (the @stdlib//ipam.star module allocates disjoint blocks), or
separate them: associate and propagate their attachments to different route tables, or isolate
the segment.`,
	check: func(v *validator, rule *Rule) {
		// One finding per later-declared network, naming the first network
		// it overlaps and counting the rest, so that a thousand copies of
		// one CIDR make a thousand findings, not half a million.
		type clash struct {
			a, b entry // a declared first
			dom  *domain
		}
		const shown = 5
		byLater := map[lang.Resource][]clash{}
		more := map[lang.Resource]int{}
		var order []lang.Resource
		// Each owner gets a dense number; each later owner a bitset of the
		// earlier owners already counted, so a pair met again (through
		// another prefix or another table) counts once, at O(1) a pair.
		gid := map[lang.Resource]int{}
		met := map[lang.Resource][]uint64{}
		number := func(r lang.Resource) int {
			n, ok := gid[r]
			if !ok {
				n = len(gid)
				gid[r] = n
			}
			return n
		}
		for _, dom := range v.reach.domains {
			v.reach.overlaps(dom, func(a, b entry) {
				if a.owner.Seq() > b.owner.Seq() {
					a, b = b, a
				}
				n := number(a.owner)
				bits := met[b.owner]
				if w := n / 64; w >= len(bits) {
					bits = append(bits, make([]uint64, w-len(bits)+1)...)
				}
				if bits[n/64]&(1<<(n%64)) != 0 {
					return
				}
				bits[n/64] |= 1 << (n % 64)
				met[b.owner] = bits
				cs, ok := byLater[b.owner]
				if !ok {
					order = append(order, b.owner)
				}
				if len(cs) < shown {
					byLater[b.owner] = append(cs, clash{a, b, dom})
				} else {
					more[b.owner]++
				}
			}, func(e entry, n int) { more[e.owner] += n })
		}
		for _, y := range order {
			cs := byLater[y]
			first := cs[0]
			summary := fmt.Sprintf("%s overlaps %s, and %s holds both", describeEntry(first.b), describeEntry(first.a), first.dom.name)
			if n := len(cs) - 1 + more[y]; n > 0 {
				summary += fmt.Sprintf(" (and %d more overlaps)", n)
			}
			var rel []lang.Related
			for _, c := range cs {
				rel = append(rel, lang.Related{Range: c.a.owner.Source(), Message: fmt.Sprintf("%s declared here", describeEntry(c.a))})
			}
			v.report(rule, finding{at: y.Source(), summary: summary, related: rel,
				hint: "renumber one of them, or keep them apart in separate route tables or an isolated segment"})
		}
	},
})

func describeEntry(e entry) string {
	if a, ok := e.owner.(*lang.Attachment); ok {
		return fmt.Sprintf("allowed prefix %s of %s", e.pfx, a.Ref())
	}
	return fmt.Sprintf("%s (%s)", e.owner.Ref(), e.pfx)
}

// special IPv4 ranges no network may use.
var specialV4 = []struct {
	pfx  netip.Prefix
	what string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), `"this network" (RFC 1122)`},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback"},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved (RFC 1112)"},
}

var linkLocalV4 = netip.MustParsePrefix("169.254.0.0/16")

var _ = register(&Rule{
	ID: "cidr-invalid", Severity: lang.SevError,
	Summary: "A CIDR has host bits set, lies in a reserved range, or has a size AWS does not accept.",
	Explain: `A prefix is not usable as written:
- host bits are set ("10.0.3.7/24" means 10.0.3.0/24, but the script said something else);
- it lies in a special range: 0.0.0.0/8, 127.0.0.0/8 (loopback), 224.0.0.0/4 (multicast),
  240.0.0.0/4 (reserved), ::/96 (IPv6 unspecified, loopback and deprecated IPv4-compatible
  addresses), ff00::/8 (IPv6 multicast) — or, for a VPC, overlaps 169.254.0.0/16 or fe80::/10
  (link-local: EC2 metadata lives there and Interconnect peering addresses come from there).
  A prefix that merely contains a special range, such as a site advertising 0.0.0.0/0, is fine;
- an AWS VPC IPv4 block is outside /16 to /28, the sizes AWS accepts;
- a VPC's blocks overlap each other, or a secondary block breaks the restrictions that follow from
  the primary (Amazon VPC User Guide, "IPv4 CIDR block association restrictions",
  https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html, checked 2026-12): with
  a primary in one RFC 1918 range no block from another, and none from 198.19.0.0/16; with a
  primary in 10.0.0.0/15 nothing from 10.0.0.0/16; with a primary in 172.16.0.0/12 nothing from
  172.31.0.0/16; with a primary in 198.19.0.0/16 nothing from RFC 1918; with a public or
  100.64.0.0/10 primary nothing from RFC 1918 or 198.19.0.0/16;
- a Transit Gateway CIDR block is smaller than /24 (IPv4) or /64 (IPv6);
- a Google Cloud VPC network's IPv6 range is not one /48 inside fd20::/20, the ULA space its
  internal IPv6 range comes from (Compute Engine API, Network internalIpv6Range,
  https://cloud.google.com/compute/docs/reference/rest/v1/networks, checked 2026-12);
- a Google Cloud range in 169.254.0.0/16 or smaller than /29: Google prohibits link-local subnet
  ranges and a subnet's IPv4 range is /29 or larger (https://cloud.google.com/vpc/docs/subnets,
  checked 2026-12). Its MTU (1300-8896) is checked when the script runs.

Fix: write the network address with its length (use cidrsubnet or ipam helpers), and pick
addresses from private space (RFC 1918 for IPv4).`,
	check: func(v *validator, rule *Rule) {
		d := v.p.Design
		check := func(r lang.Resource, what string, ps []netip.Prefix, vpc bool) {
			for _, p := range ps {
				if msg := prefixProblem(p, vpc); msg != "" {
					v.report(rule, finding{at: r.Source(), summary: fmt.Sprintf("%s %s %s: %s", r.Ref(), what, p, msg)})
				}
			}
		}
		for _, x := range d.VPCs {
			check(x, "cidr", x.CIDRs, true)
			check(x, "ipv6_cidr", x.IPv6, true)
			for _, p := range x.CIDRs {
				if !stdlib.HasHostBits(p) && (p.Bits() < 16 || p.Bits() > 28) {
					v.report(rule, finding{at: x.Source(), summary: fmt.Sprintf("%s cidr %s: a VPC IPv4 block must be between /16 and /28", x.Ref(), p)})
				}
			}
			for i, p := range x.CIDRs {
				if i == 0 {
					continue
				}
				for _, q := range x.CIDRs[:i] {
					if p.Masked().Overlaps(q.Masked()) {
						v.report(rule, finding{at: x.Source(), summary: fmt.Sprintf("%s cidr %s overlaps its block %s: the blocks of one VPC may not overlap", x.Ref(), p, q)})
					}
				}
				if why := secondaryRestricted(x.CIDRs[0].Masked(), p.Masked()); why != "" {
					v.report(rule, finding{at: x.Source(), summary: fmt.Sprintf("%s cidr %s: %s", x.Ref(), p, why),
						hint: "pick the secondary block from the primary's own RFC 1918 range (outside what is restricted), from 100.64.0.0/10, or from public space the account owns"})
				}
			}
		}
		ula := netip.MustParsePrefix("fd20::/20")
		for _, x := range d.GCPVPCs {
			check(x, "cidr", x.CIDRs, false)
			check(x, "ipv6_cidr", x.IPv6, false)
			// Google Cloud refuses subnet ranges in 169.254.0.0/16 and
			// primary IPv4 ranges smaller than /29 (VPC subnets, valid and
			// prohibited IPv4 ranges, https://cloud.google.com/vpc/docs/subnets,
			// checked 2026-12).
			for _, p := range x.CIDRs {
				switch {
				case prefixProblem(p, false) != "":
				case linkLocalV4.Overlaps(p.Masked()):
					v.report(rule, finding{at: x.Source(), summary: fmt.Sprintf("%s cidr %s: Google Cloud prohibits subnet ranges in %s (link-local)", x.Ref(), p, linkLocalV4)})
				case p.Bits() > 29:
					v.report(rule, finding{at: x.Source(), summary: fmt.Sprintf("%s cidr %s: a Google Cloud subnet's IPv4 range is /29 or larger", x.Ref(), p)})
				}
			}
			// A Google Cloud VPC network's internal IPv6 range is one /48
			// ULA inside fd20::/20 (Compute Engine API, Network
			// internalIpv6Range, https://cloud.google.com/compute/docs/reference/rest/v1/networks,
			// checked 2026-12).
			for _, p := range x.IPv6 {
				if prefixProblem(p, false) == "" && (p.Bits() != 48 || !ula.Contains(p.Addr())) {
					v.report(rule, finding{at: x.Source(), summary: fmt.Sprintf("%s ipv6_cidr %s: a Google Cloud VPC network's internal IPv6 range is a /48 inside fd20::/20", x.Ref(), p),
						hint: "pick a /48 such as fd20:1:2::/48, or let Google Cloud assign one"})
				}
			}
			if len(x.IPv6) > 1 {
				v.report(rule, finding{at: x.Source(), summary: fmt.Sprintf("%s has %d IPv6 ranges: a Google Cloud VPC network has one internal IPv6 range", x.Ref(), len(x.IPv6))})
			}
		}
		for _, x := range d.Sites {
			check(x, "cidr", x.CIDRs, false)
			check(x, "ipv6_cidr", x.IPv6, false)
		}
		for _, x := range d.TransitGateways {
			check(x, "cidr_blocks", x.CIDRBlocks, true)
			for _, p := range x.CIDRBlocks {
				if (p.Addr().Is4() && p.Bits() > 24) || (p.Addr().Is6() && p.Bits() > 64) {
					v.report(rule, finding{at: x.Source(), summary: fmt.Sprintf("%s cidr_blocks %s: a Transit Gateway CIDR block must be /24 or larger (IPv6: /64 or larger)", x.Ref(), p)})
				}
			}
		}
		for _, a := range d.Attachments {
			check(a, "allowed_prefixes", a.AllowedPrefixes, false)
		}
		hostBits := func(at lang.Range, what string, dst netip.Prefix) {
			if stdlib.HasHostBits(dst) {
				v.report(rule, finding{at: at, summary: fmt.Sprintf("%s destination %s has host bits set (the network is %s)", what, dst, dst.Masked())})
			}
		}
		for _, t := range d.RouteTables {
			for _, rt := range t.Routes {
				hostBits(rt.Range, "route", rt.Destination)
			}
		}
		for _, t := range d.TGWRouteTables {
			for _, rt := range t.Routes {
				hostBits(rt.Range, "route", rt.Destination)
			}
		}
		for _, cn := range d.CoreNetworks {
			for _, act := range cn.Actions {
				for _, dst := range act.Destinations {
					hostBits(act.Range, "create-route", dst)
				}
			}
		}
	},
})

// special IPv6 ranges no network may lie in.
var specialV6 = []struct {
	pfx  netip.Prefix
	what string
}{
	{netip.MustParsePrefix("::/96"), "reserved (the unspecified and loopback addresses, deprecated IPv4-compatible addresses)"},
	{netip.MustParsePrefix("ff00::/8"), "multicast"},
}

var linkLocalV6 = netip.MustParsePrefix("fe80::/10")

// within reports whether p lies inside s. A prefix that only contains a
// special range (a site advertising 0.0.0.0/0) is not a problem.
// The ranges of the secondary-block restrictions.
var (
	rfc1918 = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("172.16.0.0/12"), netip.MustParsePrefix("192.168.0.0/16")}
	net198  = netip.MustParsePrefix("198.19.0.0/16")
	// Parsed once: every secondary block of every VPC is checked.
	ten15, ten16 = netip.MustParsePrefix("10.0.0.0/15"), netip.MustParsePrefix("10.0.0.0/16")
	net172_31    = netip.MustParsePrefix("172.31.0.0/16")
)

// secondaryRestricted says why AWS refuses secondary as an IPv4 block of a
// VPC whose primary block is primary, "" when it accepts it. The table is
// the Amazon VPC User Guide's "IPv4 CIDR block association restrictions"
// (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html,
// checked 2026-12):
//   - primary in an RFC 1918 range: no block from another RFC 1918 range
//     and none from 198.19.0.0/16; with a primary in 10.0.0.0/15, nothing
//     from 10.0.0.0/16; with a primary in 172.16.0.0/12, nothing from
//     172.31.0.0/16;
//   - primary in 198.19.0.0/16: no block from an RFC 1918 range;
//   - primary publicly routable or in 100.64.0.0/10: no block from an
//     RFC 1918 range and none from 198.19.0.0/16.
func secondaryRestricted(primary, secondary netip.Prefix) string {
	home := -1 // the RFC 1918 range of the primary
	for i, r := range rfc1918 {
		if r.Contains(primary.Addr()) {
			home = i
		}
	}
	for i, r := range rfc1918 {
		if secondary.Overlaps(r) && i != home {
			return fmt.Sprintf("with the primary block %s a VPC takes no secondary block from %s", primary, r)
		}
	}
	if secondary.Overlaps(net198) && !net198.Contains(primary.Addr()) {
		return fmt.Sprintf("with the primary block %s a VPC takes no secondary block from %s", primary, net198)
	}
	if ten15.Contains(primary.Addr()) {
		if secondary.Overlaps(ten16) {
			return fmt.Sprintf("with a primary block in %s (%s) a VPC takes no secondary block from %s", ten15, primary, ten16)
		}
	}
	if home == 1 {
		if r := net172_31; secondary.Overlaps(r) {
			return fmt.Sprintf("with a primary block in %s (%s) a VPC takes no secondary block from %s", rfc1918[1], primary, r)
		}
	}
	return ""
}

func within(p, s netip.Prefix) bool { return p.Bits() >= s.Bits() && s.Contains(p.Addr()) }

// prefixProblem says what is wrong with a network's prefix, or "".
func prefixProblem(p netip.Prefix, vpc bool) string {
	if stdlib.HasHostBits(p) {
		return fmt.Sprintf("host bits are set (the network is %s)", p.Masked())
	}
	m := p.Masked()
	special, linkLocal := specialV4, linkLocalV4
	if m.Addr().Is6() {
		special, linkLocal = specialV6, linkLocalV6
	}
	for _, s := range special {
		if within(m, s.pfx) {
			return fmt.Sprintf("lies in %s, which is %s", s.pfx, s.what)
		}
	}
	if vpc && linkLocal.Overlaps(m) {
		return fmt.Sprintf("overlaps %s, which is link-local (EC2 metadata, Interconnect peering addresses)", linkLocal)
	}
	return ""
}

var ruleIPVersion = register(&Rule{
	ID: "ip-version-mismatch", Severity: lang.SevError,
	Summary: "IPv6 is configured on one side of an Interconnect or last-mile connection and not on the other.",
	Explain: `AWS Interconnect requires IPv4, IPv6 or both to be configured consistently on both sides.
When the Google Cloud network (or the on-premises site) has IPv6 and no VPC that reaches it does,
or the other way round, the IPv6 BGP family carries nothing and IPv6 traffic has no path. The VPCs
counted are those whose route tables (TGW tables, Cloud WAN segments and their sharing, the DX
gateway) hold the far network.

Fix: add IPv6 CIDRs on the side that lacks them (ipv6_cidr = …), or remove IPv6 from the other.`,
	check: func(v *validator, rule *Rule) {
		d := v.p.Design
		sideHasV6 := func(es []exported) (bool, lang.Resource) {
			for _, e := range es {
				if _, v6 := e.net.Addresses(); len(v6) > 0 {
					return true, e.net
				}
			}
			return false, nil
		}
		check := func(conn lang.Resource, far lang.Network, aws []exported) {
			if len(aws) == 0 {
				return
			}
			_, farV6 := far.Addresses()
			awsV6, example := sideHasV6(aws)
			switch {
			case len(farV6) > 0 && !awsV6:
				v.report(rule, finding{at: conn.Source(),
					summary: fmt.Sprintf("%s: %s has IPv6 but no VPC on the AWS side does", conn.Ref(), far.Ref()),
					related: related(far, "IPv6 configured here"), hint: "add ipv6_cidr to the VPCs behind " + conn.Ref().String()})
			case len(farV6) == 0 && awsV6:
				v.report(rule, finding{at: conn.Source(),
					summary: fmt.Sprintf("%s: %s has IPv6 but %s does not", conn.Ref(), example.Ref(), far.Ref()),
					related: related(example, "IPv6 configured here"), hint: "add ipv6_cidr to " + far.Ref().String()})
			}
		}
		for _, ic := range d.Interconnects {
			peer := v.reach.network(ic.Peer)
			check(ic, peer, v.reach.vpcsReaching(peer))
		}
		for _, lm := range d.LastMiles {
			site := v.reach.network(lm.Site)
			check(lm, site, v.reach.vpcsReaching(site))
		}
	},
})
