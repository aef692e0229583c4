package stdlib

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// macsecCiphers are the cipher suites of IEEE 802.1AE and its extended
// packet numbering amendment (802.1AEbw), spelt as AWS and most routers
// spell them. Which of them AWS accepts on a port is catalog data (Port);
// this is only what the standard defines, so a typo can be told from a
// suite AWS refuses.
var macsecCiphers = []string{"GCM-AES-128", "GCM-AES-256", "GCM-AES-XPN-128", "GCM-AES-XPN-256"}

// MACsecMode is a Direct Connect MACsec encryption mode, as AWS names it:
// NoEncrypt runs no MACsec, ShouldEncrypt carries traffic in the clear when
// MKA cannot agree on a key, MustEncrypt takes the connection down instead.
// The zero value is no mode at all: a link inside a managed service, which
// runs no MACsec, or a declaration that leaves the mode to its default.
// Source: Direct Connect User Guide, MACsec
// (https://docs.aws.amazon.com/directconnect/latest/UserGuide/MACsec.html,
// read 2026-12).
type MACsecMode string

// The modes.
const (
	NoEncrypt     MACsecMode = "no_encrypt"
	ShouldEncrypt MACsecMode = "should_encrypt"
	MustEncrypt   MACsecMode = "must_encrypt"
)

var macsecModes = []string{string(NoEncrypt), string(ShouldEncrypt), string(MustEncrypt)}

// ParseMACsecMode reads a mode's name, exactly as AWS writes it.
func ParseMACsecMode(s string) (MACsecMode, error) {
	if slices.Contains(macsecModes, s) {
		return MACsecMode(s), nil
	}
	return "", fmt.Errorf("unknown MACsec mode %q (want %s)", s, strings.Join(macsecModes, ", "))
}

// String is the mode's name; the zero value's is empty.
func (m MACsecMode) String() string { return string(m) }

// Encrypts reports whether the mode runs MACsec: should_encrypt or
// must_encrypt.
func (m MACsecMode) Encrypts() bool { return m == ShouldEncrypt || m == MustEncrypt }

// MACsecCiphers lists the IEEE 802.1AE cipher suites in canonical form.
func MACsecCiphers() []string { return slices.Clone(macsecCiphers) }

// MACsecModes lists Direct Connect's MACsec encryption modes.
func MACsecModes() []string { return slices.Clone(macsecModes) }

// CanonicalMACsecCipher returns the canonical spelling of a cipher suite
// written in any case ("gcm-aes-xpn-256" → "GCM-AES-XPN-256"), and whether
// it is one at all.
func CanonicalMACsecCipher(s string) (string, bool) {
	u := strings.ToUpper(s)
	return u, slices.Contains(macsecCiphers, u)
}

// Port is a standard Direct Connect port speed and the MACsec cipher suites
// AWS supports on a port of that speed. An empty list means AWS publishes
// none for the speed, not that MACsec is off.
type Port struct {
	Speed         Bandwidth `json:"-"`
	RawSpeed      string    `json:"speed"`
	MACsecCiphers []string  `json:"macsec_ciphers"`
	Entry
}

// PortFor returns the smallest port whose speed, times links, carries bw:
// the port each of links equal members needs to share bw between them. ok
// is false when even the largest port is too small.
func (c *Catalog) PortFor(bw Bandwidth, links int) (Port, bool) {
	n := uint64(max(links, 1))
	// Rounded up, so a share that is not a whole number of bits per second
	// (1Gbps over 3 links) never fits a port a fraction too small.
	share := uint64(bw) / n
	if uint64(bw)%n != 0 {
		share++
	}
	for _, p := range c.Ports {
		if uint64(p.Speed) >= share {
			return p, true
		}
	}
	return Port{}, false
}

// MACsecCiphersAnywhere lists, in canonical order, the suites AWS supports
// on a port of some speed: what holds on any port whatever its speed (AWS
// takes 256-bit keys only).
func (c *Catalog) MACsecCiphersAnywhere() []string {
	var out []string
	for _, s := range macsecCiphers {
		for _, p := range c.Ports {
			if slices.Contains(p.MACsecCiphers, s) {
				out = append(out, s)
				break
			}
		}
	}
	return out
}

// parsePorts fills each port's speed and reports every row the planner
// would read wrongly: speeds out of order or repeated (PortFor takes the
// first that fits), and suites that are not 802.1AE's or not in canonical
// form (a lower-case one would never match a design's).
func (c *Catalog) parsePorts() error {
	var errs []error
	for i := range c.Ports {
		p := &c.Ports[i]
		where := fmt.Sprintf("catalog port %q", p.RawSpeed)
		bw, err := ParseBandwidth(p.RawSpeed)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", where, err))
			continue
		}
		p.Speed = bw
		if i > 0 && c.Ports[i-1].Speed >= bw {
			errs = append(errs, fmt.Errorf("%s: after %s: list ports from the slowest, each once", where, c.Ports[i-1].RawSpeed))
		}
		for j, s := range p.MACsecCiphers {
			switch {
			case !slices.Contains(macsecCiphers, s):
				errs = append(errs, fmt.Errorf("%s: %q is not an 802.1AE cipher suite (%s)", where, s, strings.Join(macsecCiphers, ", ")))
			case slices.Index(p.MACsecCiphers, s) < j:
				errs = append(errs, fmt.Errorf("%s: %s is listed twice", where, s))
			}
		}
	}
	return errors.Join(errs...)
}

// MACsecSupport says, for messages and documentation, which suites AWS
// supports on which ports: "GCM-AES-256 or GCM-AES-XPN-256 on 10Gbps ports,
// GCM-AES-XPN-256 on 100Gbps and 400Gbps ports".
func (c *Catalog) MACsecSupport() string {
	var parts []string
	var speeds []string
	for i, p := range c.Ports {
		if len(p.MACsecCiphers) == 0 {
			continue
		}
		speeds = append(speeds, p.RawSpeed)
		if i+1 < len(c.Ports) && slices.Equal(c.Ports[i+1].MACsecCiphers, p.MACsecCiphers) {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s on %s ports", strings.Join(p.MACsecCiphers, " or "), strings.Join(speeds, " and ")))
		speeds = nil
	}
	return strings.Join(parts, ", ")
}
