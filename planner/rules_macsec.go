package planner

import (
	"fmt"
	"slices"
	"strings"

	"patchbay/lang"
	"patchbay/stdlib"
)

var _ = register(&Rule{
	ID: "macsec-cipher", Severity: lang.SevError,
	Summary: "A MACsec cipher suite AWS does not support at the link's port speed.",
	Explain: `AWS runs MACsec on the physical links of an Interconnect's channels and of a last-mile
connection and, as on Direct Connect, supports only some cipher suites at each port speed: on
10 Gbps ports GCM-AES-256 or GCM-AES-XPN-256, on 100 and 400 Gbps ports GCM-AES-XPN-256 only. Keys
are 256-bit only, so GCM-AES-128 and GCM-AES-XPN-128 are refused at any speed. From 100 Gbps AWS
requires XPN (extended packet numbering) because a 32-bit packet number runs out in under a minute
of small frames at that rate, and every time it does MKA has to move to a new key.

The port speed is derived: the smallest standard port (1, 10, 100 or 400 Gbps) that carries one
member link's share of the bandwidth. An Interconnect's bandwidth is shared by its channels and
their member links (two each), a last mile's by its four connections of one circuit each; so a
10Gbps Interconnect runs 10G ports and a 100Gbps one 100G ports, and a 100Gbps last mile 100G
ports. AWS publishes no suite for 1 Gbps ports, so there only the key length is checked. A last
mile without MACsec (macsec = False, or macsec_mode = "no_encrypt") runs no suite and is not
checked.

Fix: leave macsec_cipher out (GCM-AES-XPN-256 is assumed, as AWS manages the keys) or set a suite
the port supports; GCM-AES-XPN-256 works at every speed.`,
	check: func(v *validator, rule *Rule) {
		// Every channel of an Interconnect, and every connection of a last
		// mile, shares one cipher and one port speed, so the first speaks
		// for all: one finding per declaration.
		for _, ip := range v.p.Interconnects {
			if len(ip.Channels) > 0 {
				c := ip.Channels[0]
				checkCipher(v, rule, ip.Declared, "its channels", c.MACsecCipher, c.PortSpeed, "interconnect.macsec_cipher")
			}
		}
		for _, lp := range v.p.LastMiles {
			lm, _ := v.p.Design.Lookup(lp.LastMile)
			if len(lp.Connections) > 0 {
				c := lp.Connections[0]
				checkCipher(v, rule, lm, "its connections", c.MACsecCipher, c.PortSpeed, "last_mile.macsec_cipher")
			}
		}
	},
})

// checkCipher reports cipher if AWS does not support it on ports of speed.
// A speed with no published suites (1 Gbps) or none at all (no standard
// port is large enough) is held to what AWS supports anywhere, which rules
// out 128-bit keys and nothing else.
func checkCipher(v *validator, rule *Rule, r lang.Resource, links, cipher, speed, defaultKey string) {
	if cipher == "" {
		return // MACsec is off
	}
	port, known := portBySpeed(speed)
	allowed := port.MACsecCiphers
	if !known || len(allowed) == 0 {
		allowed = cat().MACsecCiphersAnywhere()
	}
	if slices.Contains(allowed, cipher) {
		return
	}
	suggest := cat().Text(defaultKey)
	if !slices.Contains(allowed, suggest) {
		suggest = allowed[len(allowed)-1]
	}
	f := finding{at: r.Source(), hint: fmt.Sprintf("AWS supports %s on %s ports: set macsec_cipher = %q", strings.Join(allowed, " or "), speed, suggest)}
	switch {
	case speed == "":
		f.hint = fmt.Sprintf("AWS takes 256-bit suites only (%s): set macsec_cipher = %q", strings.Join(allowed, " or "), suggest)
	case len(port.MACsecCiphers) == 0:
		f.hint = fmt.Sprintf("AWS takes 256-bit suites only (%s) and publishes none for %s ports: set macsec_cipher = %q", strings.Join(allowed, " or "), speed, suggest)
	}
	switch {
	case strings.HasSuffix(cipher, "-128"):
		f.summary = fmt.Sprintf("%s: MACsec cipher %s has a 128-bit key, and AWS takes 256-bit keys only", r.Ref(), cipher)
	default:
		f.summary = fmt.Sprintf("%s: MACsec cipher %s is not supported on the %s ports of %s", r.Ref(), cipher, speed, links)
		if !strings.Contains(cipher, "-XPN-") {
			f.detail = "from 100 Gbps AWS requires extended packet numbering (XPN): a 32-bit packet number runs out in under a minute of small frames at that rate"
		}
	}
	v.report(rule, f)
}

// portBySpeed finds the catalog's port of a derived speed.
func portBySpeed(speed string) (stdlib.Port, bool) {
	for _, p := range cat().Ports {
		if p.Speed.String() == speed {
			return p, true
		}
	}
	return stdlib.Port{}, false
}
