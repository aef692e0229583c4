package sim

import (
	"testing"
	"time"

	"patchbay/lang"
	"patchbay/planner/plantest"
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
			if got := f.delivered; !near(got, c.want) {
				t.Fatalf("delivered %.6g bps of 64-byte packets, want %.6g", got, c.want)
			}
			if lost := f.lost[Congestion]; !near(lost, c.offered-c.want) {
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
