package stdlib

import (
	"errors"
	"fmt"
)

// AvailabilityRow is the fraction of time one kind of component is up:
// an SLA where the provider commits to one, else an estimate. The failure
// sweep multiplies them along the failures that cut a flow, so they stand
// for components failing independently of each other.
type AvailabilityRow struct {
	Component    string  `json:"component"`
	Availability float64 `json:"availability"`
	Entry
}

// Availability returns the availability of a kind of component
// ("interconnect", "last_mile", "facility", "router", "link",
// "partner_edge", "customer_router", "managed_service") and its row, for
// the provenance; ok is false when the catalog has no figure for it.
func (c *Catalog) Availability(component string) (float64, AvailabilityRow, bool) {
	r, ok := find(c.Availabilities, func(r AvailabilityRow) bool { return r.Component == component })
	return r.Availability, r, ok
}

// checkAvailability reports rows Availability would answer wrongly: a
// figure that is no fraction of time (so 99.99 for 99.99% is caught), and a
// component listed twice, where the later row would never be read.
func (c *Catalog) checkAvailability() error {
	var errs []error
	seen := map[string]bool{}
	for _, r := range c.Availabilities {
		where := fmt.Sprintf("catalog availability %q", r.Component)
		if r.Component == "" {
			errs = append(errs, errors.New("catalog availability: a row has no component"))
		}
		// Written this way round so NaN fails too.
		if !(r.Availability > 0 && r.Availability <= 1) {
			errs = append(errs, fmt.Errorf("%s: %v is outside (0, 1]: write 99.99%% as 0.9999", where, r.Availability))
		}
		if seen[r.Component] {
			errs = append(errs, fmt.Errorf("%s: listed twice", where))
		}
		seen[r.Component] = true
	}
	return errors.Join(errs...)
}
