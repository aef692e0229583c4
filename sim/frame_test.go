package sim

import (
	"strings"
	"testing"
	"time"

	"patchbay/lang"
	"patchbay/planner/plantest"
	"patchbay/sim/macsec"
	"patchbay/sim/network"
	"patchbay/stdlib"
)

// A port carries frames, not IP packets: 64-byte packets take 138 octets
// of line time with MACsec (14 Ethernet + 4 802.1Q + 16 SecTAG with SCI +
// 64 + 16 ICV + 4 FCS + 20 preamble and gap) and 106 without it. A 100
// Gbps Interconnect (four 25 Gbps channels, always must_encrypt) offered
// 100 Gbps of them delivers 100 × 64/138 = 46.377 Gbps; a 10 Gbps
// unencrypted last mile 10 × 64/106 = 6.0377 Gbps. The rest is congestion.
func TestLineRateCountsWholeFrames(t *testing.T) {
	const ic = `
v = vpc("v", region = "us-east-1", cidr = "10.10.0.0/16", mtu = 8500)
g = gcp_vpc("g", project = "p", region = "us-east4", cidr = "10.20.0.0/16", mtu = 8500)
dx = dx_gateway("dx", asn = 64512)
vgw = vpn_gateway(v, asn = 64513)
attach(dx, vgw, allowed_prefixes = [v.cidr])
interconnect("ic", provider = "gcp", aws_region = "us-east-1", peer_region = "us-east4", bandwidth = "100Gbps", attach_to = dx, peer = g)
`
	const lm = `
v = vpc("v", region = "us-east-1", cidr = "10.10.0.0/16", mtu = 8500)
hq = site("hq", cidr = ["192.168.0.0/16"], asn = 65001, mtu = 8500)
dx = dx_gateway("dx", asn = 64512)
vgw = vpn_gateway(v, asn = 64513)
attach(dx, vgw, allowed_prefixes = [v.cidr])
last_mile("hq", partner = "lumen", region = "us-east-1", bandwidth = "10Gbps", site = hq, attach_to = dx, macsec_mode = "no_encrypt")
`
	for _, c := range []struct {
		name, src, group, from, to string
		offered, want              float64
		pps                        float64 // over all channels or connections, with the links full
	}{
		// 100e9 / (138 × 8) = 90,579,710.1 packets a second over the four
		// channels (DOMAIN §8: "~90 Mpps").
		{"interconnect", ic, "ic", "gcp_vpc.g", "vpc.v", 100 * gbps, 100 * gbps * 64 / 138, 100e9 / (138 * 8)},
		// 10e9 / (106 × 8) = 11,792,452.8 packets a second.
		{"last mile", lm, "hq", "site.hq", "vpc.v", 10 * gbps, 10 * gbps * 64 / 106, 10e9 / (106 * 8)},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := plantest.Source(t, c.src)
			flows := []lang.Flow{flowOf("small", c.from, c.to, c.offered, 64)}
			s := startSim(t, p, scenario(10*time.Second, flows))
			f := s.flows[0]
			if got := f.Delivered; !near(got, c.want) {
				t.Fatalf("delivered %.6g bps of 64-byte packets, want %.6g", got, c.want)
			}
			if lost := f.Lost[network.Congestion]; !near(lost, c.offered-c.want) {
				t.Fatalf("congestion %.6g bps, want %.6g", lost, c.offered-c.want)
			}
			total := 0.0
			for _, l := range s.n.Groups[c.group] {
				rates := s.packetRates(l)
				total += rates[0] + rates[1]
			}
			if !near(total, c.pps) {
				t.Fatalf("packets per second over %s: %.10g, want %.10g", c.group, total, c.pps)
			}
		})
	}
}

// The first rekey of a 32-bit PN at line rate, from frame arithmetic
// (DOMAIN §8): a channel set to B bits a second and filled with 64-byte
// packets sends B / (138 × 8) frames a second, so its PN reaches
// 0xC0000000 = 3,221,225,472 after 3,221,225,472 × 1104 / B seconds:
// 35.5626 s at 100 Gbps (90,579,710 frames a second, "~36 s" in DOMAIN
// §8) and 355.626 s at 10 Gbps. In an hour that is
// floor(3600 / 35.5626) = 101 rekeys at 100 Gbps and 10 at 10 Gbps, each
// after the last one's SAK was in at both ends (one 750 µs trip later),
// which the hour has room for: 101 × (35.5626 + 0.00075) = 3591.9 s.
func TestFirstRekeyAtLineRate(t *testing.T) {
	const src = `
v = vpc("v", region = "us-east-1", cidr = "10.10.0.0/16", mtu = 8500)
g = gcp_vpc("g", project = "p", region = "us-east4", cidr = "10.20.0.0/16", mtu = 8500)
dx = dx_gateway("dx", asn = 64512)
vgw = vpn_gateway(v, asn = 64513)
attach(dx, vgw, allowed_prefixes = [v.cidr])
interconnect("ic", provider = "gcp", aws_region = "us-east-1", peer_region = "us-east4", bandwidth = "100Gbps", attach_to = dx, peer = g)
`
	for _, c := range []struct {
		bw     float64
		first  time.Duration
		inHour int
	}{
		{100 * gbps, 35562329211, 101}, // 3221225472 × 1104 / 100e9 s, in ns
		{10 * gbps, 355623292109, 10},
	} {
		t.Run(stdlib.Bandwidth(c.bw).String(), func(t *testing.T) {
			p := plantest.Source(t, src)
			for _, ch := range p.Interconnects[0].Channels {
				// Not a design AWS offers at 100G (the rule macsec-cipher
				// says so); what a 32-bit PN does there is the point.
				ch.MACsecCipher = macsec.GCMAES256.String()
			}
			ev := at(0, lang.ActionSetBandwidth, lang.TargetChannel, "ic/ch1")
			ev.Bandwidth = stdlib.Bandwidth(c.bw)
			// Four times what ch1 can carry, so ch1 is full whatever
			// share of the flow it gets.
			flows := []lang.Flow{flowOf("small", "gcp_vpc.g", "vpc.v", 4*c.bw, 64)}
			tr, err := run(p, scenario(time.Hour, flows, ev), Options{Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			var rekeys []time.Duration
			for _, e := range tr.Events {
				if e.Kind == "control" && strings.HasPrefix(e.Message, "MKA ic/ch1: rekey") {
					rekeys = append(rekeys, e.T)
				}
			}
			if len(rekeys) != c.inHour {
				t.Fatalf("%d rekeys in an hour, want %d", len(rekeys), c.inHour)
			}
			// The warm-up's BGP and BFD frames used about 240 PNs; allow a
			// thousand frame times (11 µs at 100G, 110 µs at 10G).
			if d := c.first - rekeys[0]; d < 0 || d > time.Duration(1000*1104/c.bw*1e9) {
				t.Fatalf("first rekey at %v, want %v (control frames may bring it a little earlier)", rekeys[0], c.first)
			}
		})
	}
}
