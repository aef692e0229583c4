package stdlib

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestCatalogDefaultLoads(t *testing.T) {
	c := Default()
	if c == nil {
		t.Fatal("Default() = nil")
	}
	if Default() != c {
		t.Error("Default() reads the catalog more than once")
	}
	fresh, err := loadCatalog()
	if err != nil {
		t.Fatalf("loadCatalog: %v", err)
	}
	for _, n := range []struct {
		what string
		got  int
	}{
		{"regions", len(fresh.Regions)}, {"providers", len(fresh.Providers)}, {"environments", len(fresh.Environments)},
		{"partners", len(fresh.Partners)}, {"bandwidths", len(fresh.Bandwidths)}, {"defaults", len(fresh.Defaults)},
		{"latency rows", len(fresh.Latency)}, {"availability rows", len(fresh.Availabilities)},
	} {
		if n.got == 0 {
			t.Errorf("catalog has no %s", n.what)
		}
	}
}

func TestCatalogEnvironmentsAreTheOfferedPairs(t *testing.T) {
	c := Default()
	// The pairs the region availability page lists (DOMAIN.md §8; https://docs.aws.amazon.com/interconnect/latest/userguide/region-availability.html, 2026-12-03).
	want := []string{
		"gcp us-east-1 us-east4",
		"gcp us-west-1 us-west2",
		"gcp us-west-2 us-west1",
		"gcp eu-west-2 europe-west2",
		"gcp eu-central-1 europe-west3",
		"gcp ap-southeast-1 asia-southeast1",
		"oci us-east-1 us-ashburn-1",
	}
	var got []string
	for _, e := range c.Environments {
		got = append(got, e.Provider+" "+e.AWSRegion+" "+e.PeerRegion)
		if e.Availability != "available" {
			t.Errorf("environment %s %s: availability %q, want available", e.AWSRegion, e.PeerRegion, e.Availability)
		}
		if _, ok := c.Region("aws", e.AWSRegion); !ok {
			t.Errorf("environment's AWS region %s is not in the catalog", e.AWSRegion)
		}
		if _, ok := c.Region(e.Provider, e.PeerRegion); !ok {
			t.Errorf("environment's %s region %s is not in the catalog", e.Provider, e.PeerRegion)
		}
	}
	if !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))) {
		t.Errorf("environments %v, want exactly %v", got, want)
	}
	for _, tc := range []struct {
		provider, aws, peer string
		ok                  bool
		metro               string
	}{
		{"gcp", "us-east-1", "us-east4", true, "N. Virginia"},
		{"gcp", "us-west-1", "us-west2", true, "Los Angeles"},
		{"gcp", "eu-central-1", "europe-west3", true, "Frankfurt"},
		{"gcp", "us-east4", "us-east-1", false, ""},     // sides swapped
		{"gcp", "us-east-1", "us-west2", false, ""},     // not a pair
		{"gcp", "eu-west-1", "europe-west1", false, ""}, // not offered
		{"azure", "us-east-1", "eastus", false, ""},     // announced only
		{"gcp", "ap-southeast-1", "asia-southeast1", true, "Singapore"},
		{"oci", "us-east-1", "us-ashburn-1", true, "Ashburn"},
		{"oci", "us-west-2", "us-phoenix-1", false, ""}, // not a pair
	} {
		e, ok := c.Environment(tc.provider, tc.aws, tc.peer)
		if ok != tc.ok || e.Metro != tc.metro {
			t.Errorf("Environment(%s, %s, %s) = %q, %v; want %q, %v", tc.provider, tc.aws, tc.peer, e.Metro, ok, tc.metro, tc.ok)
		}
	}
}

func TestCatalogProviders(t *testing.T) {
	c := Default()
	if got, want := c.ProviderNames(), []string{"gcp", "azure", "oci"}; !slices.Equal(got, want) {
		t.Errorf("ProviderNames = %v, want %v", got, want)
	}
	for name, want := range map[string]struct {
		avail    string
		modelled bool
	}{"gcp": {"available", true}, "azure": {"announced", false}, "oci": {"available", false}} {
		p, ok := c.Provider(name)
		if !ok || p.Availability != want.avail || p.Modelled != want.modelled {
			t.Errorf("Provider(%s) = %+v, %v; want availability %s, modelled %v", name, p, ok, want.avail, want.modelled)
		}
	}
	if _, ok := c.Provider("aws"); ok {
		t.Error("aws is listed as a partner cloud of itself")
	}
}

func TestCatalogPartners(t *testing.T) {
	c := Default()
	for _, tc := range []struct {
		name, display, region, availability string
	}{
		{"lumen", "Lumen", "us-east-1", "available"},
		{"att", "AT&T", "us-east-1", "planned"},
		{"megaport", "Megaport", "us-east-1", "planned"},
	} {
		p, ok := c.Partner(tc.name)
		if !ok {
			t.Errorf("no partner %s", tc.name)
			continue
		}
		if p.Display != tc.display || p.Region != tc.region || p.Availability != tc.availability {
			t.Errorf("Partner(%s) = %+v, want %s in %s, %s", tc.name, p, tc.display, tc.region, tc.availability)
		}
	}
	if got := c.PartnerNames(); !slices.Equal(got, []string{"lumen", "att", "megaport"}) {
		t.Errorf("PartnerNames = %v", got)
	}
	if _, ok := c.Partner("equinix"); ok {
		t.Error("unknown partner found")
	}
	var available []string
	for _, p := range c.Partners {
		if p.Availability == "available" {
			available = append(available, p.Name+"@"+p.Region)
		}
	}
	if !slices.Equal(available, []string{"lumen@us-east-1"}) {
		t.Errorf("available partners %v, want only lumen in us-east-1", available)
	}
}

func TestCatalogBandwidths(t *testing.T) {
	c := Default()
	lm, ok := c.BandwidthOffer("last_mile")
	if !ok {
		t.Fatal("no last_mile bandwidth offer")
	}
	var want []Bandwidth
	for _, g := range []uint64{1, 2, 5, 10, 25, 50, 100} {
		want = append(want, Bandwidth(g*1_000_000_000))
	}
	if !slices.Equal(lm.Sizes, want) {
		t.Errorf("last-mile sizes %v, want %v", lm.Sizes, want)
	}
	var names []string
	for _, s := range lm.Sizes {
		names = append(names, s.String())
	}
	if got := strings.Join(names, " "); got != "1Gbps 2Gbps 5Gbps 10Gbps 25Gbps 50Gbps 100Gbps" {
		t.Errorf("last-mile sizes print as %q", got)
	}
	ic, ok := c.BandwidthOffer("interconnect")
	if !ok || len(ic.Sizes) != len(ic.Raw) || len(ic.Sizes) == 0 {
		t.Fatalf("interconnect offer %+v, %v", ic, ok)
	}
	if ic.Sizes[0] != Bandwidth(500_000_000) {
		t.Errorf("smallest interconnect size %v, want 500Mbps", ic.Sizes[0])
	}
	if !slices.IsSorted(ic.Sizes) || !slices.IsSorted(lm.Sizes) {
		t.Error("offered sizes are not in increasing order")
	}
	if _, ok := c.BandwidthOffer("vpn"); ok {
		t.Error("unknown connection kind has an offer")
	}
}

func TestCatalogRegions(t *testing.T) {
	c := Default()
	seen := map[string]bool{}
	for _, r := range c.Regions {
		key := r.Provider + "/" + r.Code
		if seen[key] {
			t.Errorf("region %s listed twice", key)
		}
		seen[key] = true
		if r.Name == "" || r.Metro == "" {
			t.Errorf("region %s lacks a name or metro", key)
		}
	}
	for _, tc := range []struct{ provider, code, metro string }{
		{"aws", "us-east-1", "Northern Virginia"},
		{"gcp", "us-east4", "Northern Virginia"},
		{"gcp", "europe-west2", "London"},
		{"aws", "eu-west-2", "London"},
	} {
		r, ok := c.Region(tc.provider, tc.code)
		if !ok || r.Metro != tc.metro {
			t.Errorf("Region(%s, %s) = %+v, %v; want metro %s", tc.provider, tc.code, r, ok, tc.metro)
		}
	}
	if _, ok := c.Region("aws", "us-east4"); ok {
		t.Error("a GCP code is found as an AWS region")
	}
	aws := c.RegionCodes("aws")
	if len(aws) == 0 || aws[0] != "us-east-1" || slices.Contains(aws, "us-east4") {
		t.Errorf("RegionCodes(aws) = %v", aws)
	}
	if got := c.RegionCodes("nope"); got != nil {
		t.Errorf("RegionCodes(nope) = %v, want nil", got)
	}
}

// entries lists every catalog row's provenance with a name for messages.
func entries(c *Catalog) map[string]Entry {
	m := map[string]Entry{}
	for _, r := range c.Regions {
		m["region "+r.Provider+"/"+r.Code] = r.Entry
	}
	for _, p := range c.Providers {
		m["provider "+p.Name] = p.Entry
	}
	for _, e := range c.Environments {
		m["environment "+e.AWSRegion+"+"+e.PeerRegion] = e.Entry
	}
	for _, p := range c.Partners {
		m["partner "+p.Name] = p.Entry
	}
	for _, b := range c.Bandwidths {
		m["bandwidths "+b.Connection] = b.Entry
	}
	for _, d := range c.Defaults {
		m["default "+d.Key] = d.Entry
	}
	for _, l := range c.Latency {
		m["latency "+l.A+"↔"+l.B] = l.Entry
	}
	for _, p := range c.Policies {
		m["policy "+p.Key] = p.Entry
	}
	for _, p := range c.Ports {
		m["port "+p.RawSpeed] = p.Entry
	}
	for _, a := range c.Availabilities {
		m["availability "+a.Component] = a.Entry
	}
	return m
}

func TestCatalogRowsHaveProvenance(t *testing.T) {
	c := Default()
	rows := entries(c)
	if want := len(c.Regions) + len(c.Providers) + len(c.Environments) + len(c.Partners) + len(c.Bandwidths) + len(c.Defaults) + len(c.Latency) +
		len(c.Policies) + len(c.Ports) + len(c.Availabilities); len(rows) != want {
		t.Errorf("%d distinct rows, want %d (a row name repeats)", len(rows), want)
	}
	for name, e := range rows {
		if strings.TrimSpace(e.Source) == "" {
			t.Errorf("%s: no source", name)
		}
		if _, err := time.Parse(time.DateOnly, e.Date); err != nil {
			t.Errorf("%s: date %q is not YYYY-MM-DD: %v", name, e.Date, err)
		}
		if !e.Status.IsValid() {
			t.Errorf("%s: status %q", name, e.Status)
		}
	}
}

func TestCatalogCheckRejectsRowsWithoutProvenance(t *testing.T) {
	good := Entry{Source: "a source", Date: "2026-11-01", Status: "published"}
	for _, tc := range []struct {
		name string
		c    *Catalog
		err  string
	}{
		{"complete", &Catalog{Regions: []Region{{Provider: "aws", Code: "x", Entry: good}}}, ""},
		{"no source", &Catalog{Regions: []Region{{Entry: Entry{Date: "2026-11-01", Status: "published"}}}}, "no source or date"},
		{"no date", &Catalog{Partners: []Partner{{Entry: Entry{Source: "s", Status: "published"}}}}, "no source or date"},
		{"bad status", &Catalog{Defaults: []DefaultValue{{Key: "k", Entry: Entry{Source: "s", Date: "2026-11-01", Status: "guessed"}}}}, `status "guessed"`},
		{"second row", &Catalog{Providers: []Provider{{Entry: good}}, Environments: []Environment{{Entry: Entry{Source: "s", Date: "d"}}}}, `catalog row 1: status ""`},
	} {
		err := tc.c.check()
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.err)
		}
	}
}

func TestCatalogDefaultsAreUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, d := range Default().Defaults {
		if seen[d.Key] {
			t.Errorf("default %s is listed twice; the later silently wins", d.Key)
		}
		seen[d.Key] = true
		if d.Unit == "" {
			t.Errorf("default %s has no unit", d.Key)
		}
	}
}

func TestCatalogInt(t *testing.T) {
	c := Default()
	for key, want := range map[string]int64{
		"vpc.mtu":                       9001,
		"transit_gateway.asn":           64512,
		"gcp.peer_asn":                  16550,
		"interconnect.aws_max_mtu":      8500,
		"interconnect.gcp_max_mtu":      8896,
		"interconnect.channels":         4,
		"interconnect.facilities":       2,
		"interconnect.first_vlan":       1025,
		"last_mile.connections":         4,
		"last_mile.locations":           2,
		"last_mile.transit_vif_mtu":     8500,
		"last_mile.private_vif_mtu":     8500,
		"bgp.hold_time":                 90,
		"bgp.keepalive":                 30,
		"bfd.min_interval":              300,
		"bfd.multiplier":                3,
		"transit_gateway.mtu":           8500,
		"dx_gateway.asn":                64512,
		"vpn_gateway.asn":               64512,
		"gcp_vpc.mtu":                   1460,
		"gcp_vpc.max_mtu":               8896,
		"site.mtu":                      1500,
		"latency.intra_region_rtt_us":   500,
		"latency.intra_facility_rtt_us": 100,
		"latency.last_mile_rtt_us":      2000,
	} {
		if got := c.Int(key); got != want {
			t.Errorf("Int(%q) = %d, want %d", key, got, want)
		}
	}
}

func TestCatalogIntPanicsOnUnknownKey(t *testing.T) {
	defer func() {
		r := recover()
		if r == nil {
			t.Fatal("Int of an unknown key did not panic")
		}
		if msg := fmt.Sprint(r); !strings.Contains(msg, `"no.such.key"`) {
			t.Errorf("panic %q does not name the key", msg)
		}
	}()
	Default().Int("no.such.key")
}

func TestParseStatus(t *testing.T) {
	for _, s := range []Status{Published, Secondary, Estimated, Unknown} {
		if got, err := ParseStatus(s.String()); err != nil || got != s {
			t.Errorf("ParseStatus(%q) = %q, %v", s, got, err)
		}
	}
	for _, bad := range []string{"", "Published", "guessed", " unknown"} {
		if got, err := ParseStatus(bad); err == nil || got != "" || Status(bad).IsValid() {
			t.Errorf("ParseStatus(%q) = %q, %v; want an error", bad, got, err)
		}
	}
	if _, err := ParseStatus("guessed"); err == nil || err.Error() != `unknown status "guessed" (want published, secondary, estimated, unknown)` {
		t.Errorf("error: %v", err)
	}
}
