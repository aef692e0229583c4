package planner

import (
	"fmt"
	"slices"
	"strings"

	"patchbay/lang"
	"patchbay/stdlib"
)

func offeredPairs(provider string) string {
	var s []string
	for _, e := range cat().Environments {
		if e.Provider == provider {
			s = append(s, fmt.Sprintf("%s ↔ %s (%s)", e.AWSRegion, e.PeerRegion, e.Metro))
		}
	}
	return strings.Join(s, ", ")
}

var _ = register(&Rule{
	ID: "provider-unavailable", Severity: lang.SevError,
	Summary: "The Interconnect's partner cloud is not offered, or not modelled by patchbay yet.",
	Explain: `AWS Interconnect – multicloud is offered with the providers and in the region pairs its
region availability page lists: Google Cloud in six pairs and Oracle Cloud Infrastructure in one
(us-east-1 ↔ us-ashburn-1). Microsoft Azure is announced for later and cannot be ordered.

patchbay models Google Cloud networks (gcp_vpc) only. An Interconnect with a provider AWS offers
but patchbay does not model yet (Oracle Cloud Infrastructure) is reported as "not modelled": the
design may be right, but patchbay cannot plan or check its far side. Its region pair is still
checked (region-pair-unsupported).

Fix: use provider = "gcp" in an offered pair, or keep the design as a plan for when the provider
is offered (or modelled).`,
	check: func(v *validator, rule *Rule) {
		for _, ic := range v.p.Design.Interconnects {
			pr, ok := cat().Provider(ic.Provider)
			switch {
			case !ok:
			case pr.Availability != "available":
				v.report(rule, finding{at: ic.Source(),
					summary: fmt.Sprintf("%s: %s is %s for AWS Interconnect (%s)", ic.Ref(), pr.Display, pr.Availability, pr.Note),
					hint:    "offered today: " + offeredProviders()})
			case !pr.Modelled:
				v.report(rule, finding{at: ic.Source(),
					summary: fmt.Sprintf("%s: AWS offers Interconnect with %s (%s), but patchbay does not model %s networks yet, so it cannot plan this one", ic.Ref(), pr.Display, pr.Note, pr.Display),
					hint:    "patchbay models Google Cloud (provider = \"gcp\", peer = a gcp_vpc)"})
			}
		}
	},
})

// offeredProviders lists the providers AWS offers, with their pairs.
func offeredProviders() string {
	var s []string
	for _, pr := range cat().Providers {
		if pr.Availability == "available" {
			s = append(s, fmt.Sprintf("%s (provider = %q: %s)", pr.Display, pr.Name, offeredPairs(pr.Name)))
		}
	}
	return strings.Join(s, "; ")
}

var _ = register(&Rule{
	ID: "region-pair-unsupported", Severity: lang.SevError,
	Summary: "The Interconnect's pair of regions is not offered.",
	Explain: `AWS Interconnect – multicloud is offered in specific pairs of locations (environments),
as its region availability page lists them. With Google Cloud: us-east-1 ↔ us-east4
(N. Virginia), us-west-1 ↔ us-west2 (Los Angeles), us-west-2 ↔ us-west1 (Oregon), eu-west-2 ↔
europe-west2 (London), eu-central-1 ↔ europe-west3 (Frankfurt), ap-southeast-1 ↔ asia-southeast1
(Singapore). With Oracle Cloud Infrastructure: us-east-1 ↔ us-ashburn-1 (Ashburn). Any other
pair cannot be ordered.

Fix: move the Interconnect to an offered pair, and reach other regions through Cloud WAN or
Transit Gateway peering.`,
	check: func(v *validator, rule *Rule) {
		for _, ic := range v.p.Design.Interconnects {
			// A provider AWS offers but patchbay does not model still has
			// its pairs: provider-unavailable says the rest.
			pr, ok := cat().Provider(ic.Provider)
			if !ok || pr.Availability != "available" {
				continue // provider-unavailable says it
			}
			if _, ok := cat().Environment(ic.Provider, ic.AWSRegion, ic.PeerRegion); !ok {
				v.report(rule, finding{at: ic.Source(),
					summary: fmt.Sprintf("%s: %s ↔ %s %s is not an offered region pair", ic.Ref(), ic.AWSRegion, pr.Display, ic.PeerRegion),
					hint:    "offered pairs: " + offeredPairs(ic.Provider)})
			}
		}
	},
})

var _ = register(&Rule{
	ID: "partner-unavailable", Severity: lang.SevError,
	Summary: "The last-mile partner is not offered in that region.",
	Explain: `AWS Interconnect – last mile launches in us-east-1 with Lumen; AT&T and Megaport are in
progress. A last-mile connection with another partner, or in another region, cannot be ordered.

Fix: use partner = "lumen" in region = "us-east-1", or reach other regions through the Direct
Connect gateway the connection attaches to.`,
	check: func(v *validator, rule *Rule) {
		var offered []string
		for _, p := range cat().Partners {
			if p.Availability == "available" {
				offered = append(offered, fmt.Sprintf("%s in %s", p.Name, p.Region))
			}
		}
		for _, lm := range v.p.Design.LastMiles {
			p, _ := cat().Partner(lm.Partner)
			switch {
			case p.Availability != "available":
				v.report(rule, finding{at: lm.Source(),
					summary: fmt.Sprintf("%s: %s is %s, not yet offered", lm.Ref(), p.Display, p.Availability),
					hint:    "offered today: " + strings.Join(offered, ", ")})
			case p.Region != lm.Region:
				v.report(rule, finding{at: lm.Source(),
					summary: fmt.Sprintf("%s: %s offers last mile in %s, not %s", lm.Ref(), p.Display, p.Region, lm.Region),
					hint:    "offered today: " + strings.Join(offered, ", ")})
			}
		}
	},
})

var _ = register(&Rule{
	ID: "bandwidth-invalid", Severity: lang.SevError,
	Summary: "The bandwidth is not an offered size for the kind of connection.",
	Explain: `Connections come in fixed sizes. Last mile: 1, 2, 5, 10, 25, 50 or 100 Gbps (changeable
later without reprovisioning). Multicloud Interconnect: 500 Mbps (free at tier 1, one per region and
provider), 1, 2, 5, 10, 20, 50 or 100 Gbps — the sizes between the published price points are
those Google's side of the connection offers (its Transport.Bandwidth: 20, not 25), an estimate in
the catalog.

Fix: pick the next offered size up.`,
	check: func(v *validator, rule *Rule) {
		check := func(r lang.Resource, conn string, bw stdlib.Bandwidth) {
			offer, _ := cat().BandwidthOffer(conn)
			if slices.Contains(offer.Sizes, bw) {
				return
			}
			hint := "offered: " + strings.Join(offer.Raw, ", ")
			for _, s := range offer.Sizes {
				if s > bw {
					hint = fmt.Sprintf("the next offered size is %s (offered: %s)", s, strings.Join(offer.Raw, ", "))
					break
				}
			}
			v.report(rule, finding{at: r.Source(), summary: fmt.Sprintf("%s: %s is not an offered bandwidth", r.Ref(), bw), hint: hint})
		}
		for _, ic := range v.p.Design.Interconnects {
			check(ic, "interconnect", ic.Bandwidth)
		}
		for _, lm := range v.p.Design.LastMiles {
			check(lm, "last_mile", lm.Bandwidth)
		}
	},
})
