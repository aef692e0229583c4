package stdlib

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"reflect"
	"slices"
	"sync"
)

//go:embed catalog/*.json catalog/*.jsonl
var catalogFS embed.FS

// Entry is the provenance every catalog row carries: where the fact comes
// from, when it was read, and how sure it is.
type Entry struct {
	Source string `json:"source"`
	Date   string `json:"date"`
	Status Status `json:"status"`
}

// Region is a cloud region.
type Region struct {
	Provider string `json:"provider"`
	Code     string `json:"code"`
	Name     string `json:"name"`
	Metro    string `json:"metro"`
	Entry
}

// Provider is a partner cloud of AWS Interconnect – multicloud.
type Provider struct {
	Name         string `json:"name"`
	Display      string `json:"display"`
	Availability string `json:"availability"` // available, preview, announced
	// Modelled: patchbay models the provider's networks (a gcp_vpc for
	// Google Cloud); an offered provider that is not modelled cannot be
	// planned yet.
	Modelled bool   `json:"modelled"`
	Note     string `json:"note"`
	Entry
}

// Environment is a pair of provider locations an Interconnect can be ordered in.
type Environment struct {
	Provider     string `json:"provider"`
	AWSRegion    string `json:"aws_region"`
	PeerRegion   string `json:"peer_region"`
	Metro        string `json:"metro"`
	Availability string `json:"availability"`
	Entry
}

// Partner is a last-mile partner in one region.
type Partner struct {
	Name         string `json:"name"`
	Display      string `json:"display"`
	Region       string `json:"region"`
	Availability string `json:"availability"` // available, planned
	Entry
}

// BandwidthOffer lists the sizes offered for one kind of connection.
type BandwidthOffer struct {
	Connection string      `json:"connection"`
	Sizes      []Bandwidth `json:"-"`
	Raw        []string    `json:"sizes"`
	Entry
}

// DefaultValue is a number the product uses unless told otherwise.
type DefaultValue struct {
	Key   string `json:"key"`
	Value int64  `json:"value"`
	Unit  string `json:"unit"`
	Entry
}

// Policy is a textual default: a choice patchbay makes where the products
// leave it to the provider.
type Policy struct {
	Key   string `json:"key"`
	Value string `json:"value"`
	Entry
}

// Quota is a service limit; designs above it fail at provisioning.
type Quota struct {
	Key   string `json:"key"`
	Value int64  `json:"value"`
	Unit  string `json:"unit"`
	Note  string `json:"note"`
	// Adjustable: the account's limit can be raised on request. Rows that
	// do not say are taken as adjustable, as most AWS quotas are.
	Adjustable *bool `json:"adjustable,omitempty"`
	Entry
}

// CanRaise reports whether the quota can be raised on request.
func (q Quota) CanRaise() bool { return q.Adjustable == nil || *q.Adjustable }

// ASNRangeRow is an inclusive range of AS numbers with one use:
// amazon_side, cloud_wan_policy, private, reserved, amazon_reserved.
type ASNRangeRow struct {
	Use  string `json:"use"`
	Low  uint32 `json:"low"`
	High uint32 `json:"high"`
	Entry
}

// Catalog is the embedded, sourced data patchbay knows about clouds.
type Catalog struct {
	Regions      []Region         `json:"regions"`
	Providers    []Provider       `json:"providers"`
	Environments []Environment    `json:"environments"`
	Partners     []Partner        `json:"partners"`
	Bandwidths   []BandwidthOffer `json:"bandwidths"`
	Defaults     []DefaultValue   `json:"defaults"`
	Quotas       []Quota          `json:"quotas"`
	Policies     []Policy         `json:"policies"`
	ASNRanges    []ASNRangeRow    `json:"asn_ranges"`
	Latency      []LatencyRow     `json:"latency"`
	Ports        []Port           `json:"ports"`
	// Availabilities is named so that Availability can be the lookup.
	Availabilities []AvailabilityRow `json:"availability"`

	defaults map[string]int64
}

// Default returns the embedded catalog, read once.
var Default = sync.OnceValue(func() *Catalog {
	c, err := loadCatalog()
	if err != nil {
		// The data ships inside the binary and a test reads it; failing here
		// means the build itself is broken.
		panic(err)
	}
	return c
})

func loadCatalog() (*Catalog, error) {
	return loadCatalogFS(catalogFS)
}

// loadCatalogFS reads the catalog files from fsys, so tests can load a
// catalog with one file replaced.
func loadCatalogFS(fsys fs.FS) (*Catalog, error) {
	c := &Catalog{}
	for _, name := range []string{"regions.json", "interconnect.json", "defaults.json", "quotas.json", "asn.json", "latency.json", "ports.json", "availability.json"} {
		b, err := fs.ReadFile(fsys, "catalog/"+name)
		if err != nil {
			return nil, err
		}
		file := &Catalog{}
		if err := decodeStrict(b, file); err != nil {
			return nil, fmt.Errorf("catalog %s: %w", name, err)
		}
		c.append(file)
	}
	for i := range c.Bandwidths {
		o := &c.Bandwidths[i]
		for _, s := range o.Raw {
			bw, err := ParseBandwidth(s)
			if err != nil {
				return nil, fmt.Errorf("catalog bandwidths %s: %w", o.Connection, err)
			}
			o.Sizes = append(o.Sizes, bw)
		}
	}
	c.defaults = map[string]int64{}
	for _, d := range c.Defaults {
		c.defaults[d.Key] = d.Value
	}
	return c, errors.Join(c.parsePorts(), c.check())
}

// append adds the rows of another file to c's. Decoding every file into c
// directly would not do: encoding/json replaces a slice it decodes into, so
// a second file with policies would silently drop the first file's.
func (c *Catalog) append(file *Catalog) {
	dst, src := reflect.ValueOf(c).Elem(), reflect.ValueOf(file).Elem()
	for i := range dst.NumField() {
		if f := dst.Field(i); f.CanSet() && f.Kind() == reflect.Slice {
			f.Set(reflect.AppendSlice(f, src.Field(i)))
		}
	}
}

// decodeStrict refuses fields the types do not have: a misspelt key would
// otherwise drop a fact silently (a row without "rtt_us" would read as 0).
func decodeStrict(b []byte, c *Catalog) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(c); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the top-level object")
	}
	return nil
}

// check rejects rows without provenance, so no fact enters unsourced,
// latency rows that RTT could not answer from unambiguously, textual
// defaults given twice (Text would silently take the first), and
// availability figures that are no fraction or are given twice.
func (c *Catalog) check() error {
	return errors.Join(c.checkProvenance(), c.checkLatency(), c.checkPolicies(), c.checkAvailability())
}

func (c *Catalog) checkPolicies() error {
	var errs []error
	seen := map[string]bool{}
	for _, p := range c.Policies {
		if seen[p.Key] {
			errs = append(errs, fmt.Errorf("catalog policy %s is listed twice", p.Key))
		}
		seen[p.Key] = true
	}
	return errors.Join(errs...)
}

func (c *Catalog) checkProvenance() error {
	entries := slices.Concat(
		entriesOf(c.Regions, func(r Region) Entry { return r.Entry }),
		entriesOf(c.Providers, func(p Provider) Entry { return p.Entry }),
		entriesOf(c.Environments, func(e Environment) Entry { return e.Entry }),
		entriesOf(c.Partners, func(p Partner) Entry { return p.Entry }),
		entriesOf(c.Bandwidths, func(b BandwidthOffer) Entry { return b.Entry }),
		entriesOf(c.Defaults, func(d DefaultValue) Entry { return d.Entry }),
		entriesOf(c.Quotas, func(q Quota) Entry { return q.Entry }),
		entriesOf(c.ASNRanges, func(a ASNRangeRow) Entry { return a.Entry }),
		entriesOf(c.Policies, func(p Policy) Entry { return p.Entry }),
		entriesOf(c.Latency, func(l LatencyRow) Entry { return l.Entry }),
		entriesOf(c.Ports, func(p Port) Entry { return p.Entry }),
		entriesOf(c.Availabilities, func(a AvailabilityRow) Entry { return a.Entry }),
	)
	for i, e := range entries {
		if e.Source == "" || e.Date == "" {
			return fmt.Errorf("catalog row %d has no source or date", i)
		}
		if !e.Status.IsValid() {
			return fmt.Errorf("catalog row %d: status %q", i, e.Status)
		}
	}
	return nil
}

// Region returns the region code of provider ("aws", "gcp", "azure", "oci").
func (c *Catalog) Region(provider, code string) (Region, bool) {
	return find(c.Regions, func(r Region) bool { return r.Provider == provider && r.Code == code })
}

// RegionCodes lists provider's region codes in catalog order.
func (c *Catalog) RegionCodes(provider string) []string {
	var out []string
	for _, r := range c.Regions {
		if r.Provider == provider {
			out = append(out, r.Code)
		}
	}
	return out
}

// Provider returns a partner cloud by name.
func (c *Catalog) Provider(name string) (Provider, bool) {
	return find(c.Providers, func(p Provider) bool { return p.Name == name })
}

// ProviderNames lists the partner clouds the catalog knows.
func (c *Catalog) ProviderNames() []string {
	return collect(c.Providers, func(p Provider) string { return p.Name })
}

// Environment returns the offered pair of locations, if any.
func (c *Catalog) Environment(provider, awsRegion, peerRegion string) (Environment, bool) {
	return find(c.Environments, func(e Environment) bool {
		return e.Provider == provider && e.AWSRegion == awsRegion && e.PeerRegion == peerRegion
	})
}

// Partner returns a last-mile partner by name.
func (c *Catalog) Partner(name string) (Partner, bool) {
	return find(c.Partners, func(p Partner) bool { return p.Name == name })
}

// PartnerNames lists the last-mile partners the catalog knows.
func (c *Catalog) PartnerNames() []string {
	return collect(c.Partners, func(p Partner) string { return p.Name })
}

// BandwidthOffer returns the sizes offered for a connection kind
// ("interconnect", "last_mile").
func (c *Catalog) BandwidthOffer(connection string) (BandwidthOffer, bool) {
	return find(c.Bandwidths, func(b BandwidthOffer) bool { return b.Connection == connection })
}

// Int returns a default value. An unknown key is a programming error.
func (c *Catalog) Int(key string) int64 {
	v, ok := c.defaults[key]
	if !ok {
		panic(fmt.Sprintf("stdlib: no default %q in the catalog", key))
	}
	return v
}

// Text returns a textual default. An unknown key is a programming error.
func (c *Catalog) Text(key string) string {
	p, ok := find(c.Policies, func(p Policy) bool { return p.Key == key })
	if !ok {
		panic(fmt.Sprintf("stdlib: no policy %q in the catalog", key))
	}
	return p.Value
}

// Quota returns a service limit by key, and whether the catalog has it.
func (c *Catalog) Quota(key string) (Quota, bool) {
	return find(c.Quotas, func(q Quota) bool { return q.Key == key })
}

// ASNIn reports whether asn lies in a range of the given use.
func (c *Catalog) ASNIn(use string, asn uint32) bool {
	for _, r := range c.ASNRanges {
		if r.Use == use && asn >= r.Low && asn <= r.High {
			return true
		}
	}
	return false
}

// ASNRangesOf lists the ranges of one use as "low-high" strings, for messages.
func (c *Catalog) ASNRangesOf(use string) []string {
	var out []string
	for _, r := range c.ASNRanges {
		if r.Use == use {
			out = append(out, fmt.Sprintf("%d-%d", r.Low, r.High))
		}
	}
	return out
}

func find[T any](rows []T, match func(T) bool) (T, bool) {
	for _, r := range rows {
		if match(r) {
			return r, true
		}
	}
	var zero T
	return zero, false
}

func collect[T any](rows []T, field func(T) string) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = field(r)
	}
	return out
}

func entriesOf[T any](rows []T, entry func(T) Entry) []Entry {
	out := make([]Entry, len(rows))
	for i, r := range rows {
		out[i] = entry(r)
	}
	return out
}
