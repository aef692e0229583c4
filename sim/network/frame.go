package network

import (
	"patchbay/planner"
)

// frameFactor is how many bits of line time each bit of size-byte IP
// packets takes on l: Ethernet, 802.1Q, FCS, preamble and gap always, and
// MACsec's SecTAG and ICV while it protects the link's traffic. Links
// inside a managed service carry no frames the model counts.
func (l *Link) frameFactor(size int) float64 {
	if !l.Physical() || size <= 0 {
		return 1
	}
	return float64(planner.WireBytes(size, l.protected())) / float64(size)
}
