package planner

import "patchbay/lang"

// ruleScenarioTarget's findings are made while resolving the scenarios
// (ResolvedScenario.Problems), which the simulator needs whether or not the
// design is validated; the check only reports them.
var ruleScenarioTarget = register(&Rule{
	ID: "scenario-target", Severity: lang.SevError,
	Summary: "A scenario acts on something the design does not have, or in a way it does not apply.",
	Explain: `A scenario's events name what they act on by the plan's derived names, which
'patchbay plan' prints: a member link ("aws-gcp-use1/ch1/m1") or a link inside a managed service
(an attachment's name), a channel ("aws-gcp-use1/ch1") or last-mile connection ("hq/conn1"), a
facility or partner location ("us-east-1/fac-a", "us-east-1/lumen-loc-a"), a device
("us-east-1/fac-a/aws-r1", "transit_gateway.hub", or "core_network.global" for every edge of a core
network), an Interconnect or a last mile. The planner resolves each against the topology it derives,
so a misspelt name fails 'patchbay validate' rather than waiting for 'patchbay sim'; a flow or probe
must run between networks of the design (a vpc, gcp_vpc or site).

A name can also exist and still not fit the event: set_bandwidth on a link inside a managed service
(attachments and associations have no capacity to set), advertise on a connection that carries no
BGP session, a MACsec key event (rotate_key, remove_key, mismatch_key) on a last-mile connection
without MACsec, or an action that does not apply to the kind of target. A scenario with any such
finding is not simulated.

Fix: use the name the hint suggests, or one from 'patchbay plan' (channels, connections, facilities
and devices are listed there); set bandwidth on a channel, connection, Interconnect or last mile.`,
	check: func(v *validator, rule *Rule) {
		for _, rs := range v.p.scenarios {
			v.out = append(v.out, rs.Problems...)
		}
	},
})
