package stdlib

import (
	"errors"
	"fmt"
	"time"
)

// LatencyRow is one measured or estimated round trip.
type LatencyRow struct {
	A         string `json:"a"`
	B         string `json:"b"`
	RTTMicros int64  `json:"rtt_us"`
	Entry
}

// intraRegionKey names the default used when both ends are in one region:
// the catalog lists pairs of regions only, never a region with itself.
const intraRegionKey = "latency.intra_region_rtt_us"

// RTT returns the round-trip time between two regions (either order). For a == b it returns the
// intra-region default. ok is false when the catalog has no row for the pair.
//
// The returned row is oriented as asked (row.A == a), whatever order the
// file lists the pair in, so callers can print it without swapping. For
// a == b, a must be a catalog region: an unknown region has no round trip,
// not even to itself.
func (c *Catalog) RTT(a, b string) (rtt time.Duration, row LatencyRow, ok bool) {
	if a == b {
		d, found := find(c.Defaults, func(d DefaultValue) bool { return d.Key == intraRegionKey })
		if !found || c.regionsWithCode(a) == 0 {
			return 0, LatencyRow{}, false
		}
		row = LatencyRow{A: a, B: a, RTTMicros: d.Value, Entry: d.Entry}
	} else {
		row, ok = find(c.Latency, func(r LatencyRow) bool {
			return r.A == a && r.B == b || r.A == b && r.B == a
		})
		if !ok {
			return 0, LatencyRow{}, false
		}
		row.A, row.B = a, b
	}
	return time.Duration(row.RTTMicros) * time.Microsecond, row, true
}

// regionsWithCode counts regions of any provider with this code. Latency
// rows name regions by bare code, which works only while no two providers
// share one.
func (c *Catalog) regionsWithCode(code string) int {
	n := 0
	for _, r := range c.Regions {
		if r.Code == code {
			n++
		}
	}
	return n
}

// checkLatency reports every latency row that RTT would answer wrongly or
// ambiguously.
func (c *Catalog) checkLatency() error {
	var errs []error
	first := map[[2]string]LatencyRow{} // unordered pair → the row that listed it
	for _, r := range c.Latency {
		where := fmt.Sprintf("catalog latency %s ↔ %s", r.A, r.B)
		for _, code := range []string{r.A, r.B} {
			switch c.regionsWithCode(code) {
			case 0:
				errs = append(errs, fmt.Errorf("%s: region %q is not in regions.json", where, code))
			case 1:
			default:
				errs = append(errs, fmt.Errorf("%s: region code %q names regions of several providers", where, code))
			}
		}
		if r.A == r.B {
			errs = append(errs, fmt.Errorf("%s: a region paired with itself; the round trip inside a region is the default %s", where, intraRegionKey))
		}
		if r.RTTMicros <= 0 {
			errs = append(errs, fmt.Errorf("%s: rtt_us %d, want > 0", where, r.RTTMicros))
		}
		key := [2]string{min(r.A, r.B), max(r.A, r.B)}
		if prev, dup := first[key]; dup {
			errs = append(errs, fmt.Errorf("%s: pair listed twice (also as %s ↔ %s)", where, prev.A, prev.B))
		} else {
			first[key] = r
		}
	}
	return errors.Join(errs...)
}
