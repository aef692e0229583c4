package stdlib

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// PriceRow is one price of the catalog: what is priced (provider, service,
// component), where (region, region pair or location, "*" for anywhere),
// for which size (capacity, tier, attachment type), per what unit, and
// where the number comes from. Price is nil when no price is known: such a
// component is reported as unpriced, never as free.
type PriceRow struct {
	Provider       string   `json:"provider"`
	Service        string   `json:"service"`
	Component      string   `json:"component"`
	Region         string   `json:"region,omitempty"`
	RegionPair     string   `json:"region_pair,omitempty"` // "from>to"
	Location       string   `json:"location,omitempty"`
	Capacity       string   `json:"capacity,omitempty"`
	Tier           int      `json:"tier,omitempty"`
	AttachmentType string   `json:"attachment_type,omitempty"`
	Unit           string   `json:"unit"` // h, GB, GiB
	Price          *float64 `json:"price"`
	Date           string   `json:"date"`
	Source         string   `json:"source"`
	Status         Status   `json:"status"`

	File string `json:"file,omitempty"` // where the row was read, for --explain
	Line int    `json:"line,omitempty"`
}

// Key identifies what a row prices; a user catalog row with the same key
// replaces the built-in one.
func (r PriceRow) Key() string {
	return strings.Join([]string{r.Provider, r.Service, r.Component, r.Region, r.RegionPair, r.Location,
		r.Capacity, fmt.Sprint(r.Tier), r.AttachmentType}, "|")
}

// ID is the row's readable name in reports.
func (r PriceRow) ID() string {
	parts := []string{r.Provider, r.Service, r.Component}
	for _, s := range []string{r.Region, r.RegionPair, r.Location, r.Capacity, r.AttachmentType} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	if r.Tier != 0 {
		parts = append(parts, fmt.Sprintf("tier%d", r.Tier))
	}
	return strings.Join(parts, "/")
}

var (
	priceUnits = []string{"h", "GB", "GiB"}
	// partner: a last-mile partner's own charge (Lumen's circuit, say).
	priceProviders = []string{"aws", "gcp", "azure", "oci", "partner"}
	isoDate        = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
)

// ParsePrices reads a price catalog: one JSON object per line, blank lines
// and lines starting with # ignored. Every problem names file:line.
func ParsePrices(file string, data []byte) ([]PriceRow, error) {
	var rows []PriceRow
	first := map[string]int{} // key → line, so a file cannot price one thing twice
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		dec := json.NewDecoder(strings.NewReader(text))
		dec.DisallowUnknownFields()
		var r PriceRow
		if err := dec.Decode(&r); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", file, line, err)
		}
		if err := r.check(); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", file, line, err)
		}
		if prev, dup := first[r.Key()]; dup {
			return nil, fmt.Errorf("%s:%d: prices %s again (first on line %d)", file, line, r.ID(), prev)
		}
		first[r.Key()] = line
		r.File, r.Line = file, line
		rows = append(rows, r)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %v", file, err)
	}
	return rows, nil
}

func (r PriceRow) check() error {
	switch {
	case r.Provider == "" || r.Service == "" || r.Component == "":
		return fmt.Errorf("a price needs provider, service and component")
	case !slices.Contains(priceProviders, r.Provider):
		return fmt.Errorf("unknown provider %q (want %s)", r.Provider, strings.Join(priceProviders, ", "))
	case !isoDate.MatchString(r.Date):
		return fmt.Errorf("date %q: want YYYY-MM-DD", r.Date)
	case r.Tier < 0 || r.Tier > 5:
		return fmt.Errorf("tier %d: want 1 to 5 (or none)", r.Tier)
	case r.Region != "" && r.Region != "*" && !knownRegion(r.Region):
		return fmt.Errorf("unknown region %q", r.Region)
	case !slices.Contains(priceUnits, r.Unit):
		return fmt.Errorf("unknown unit %q (want %s)", r.Unit, strings.Join(priceUnits, ", "))
	case r.Price != nil && (*r.Price < 0 || math.IsNaN(*r.Price) || math.IsInf(*r.Price, 0)):
		return fmt.Errorf("price %v is not a price (want a number >= 0, or null when unknown)", *r.Price)
	case strings.TrimSpace(r.Source) == "":
		return fmt.Errorf("missing source: every price says where it comes from")
	case !r.Status.IsValid():
		_, err := ParseStatus(string(r.Status))
		return err
	case r.Price == nil && r.Status != Unknown:
		return fmt.Errorf("a null price must have status \"unknown\"")
	case r.Price != nil && r.Status == Unknown:
		return fmt.Errorf("a known price cannot have status \"unknown\"")
	case r.Capacity != "" && r.Capacity != "*":
		if _, err := ParseBandwidth(r.Capacity); err != nil {
			return fmt.Errorf("capacity: %v", err)
		}
	}
	return nil
}

func knownRegion(code string) bool {
	for _, p := range []string{"aws", "gcp", "azure", "oci"} {
		if _, ok := Default().Region(p, code); ok {
			return true
		}
	}
	return false
}

// PriceBook answers price queries.
type PriceBook struct {
	rows []PriceRow
}

var defaultPrices = sync.OnceValues(func() (*PriceBook, error) {
	data, err := catalogFS.ReadFile("catalog/prices.jsonl")
	if err != nil {
		return nil, err
	}
	rows, err := ParsePrices("stdlib/catalog/prices.jsonl", data)
	return &PriceBook{rows: rows}, err
})

// DefaultPrices is the built-in price catalog.
func DefaultPrices() *PriceBook {
	b, err := defaultPrices()
	if err != nil {
		panic(err) // embedded data; a test reads it
	}
	return b
}

// With returns a book where rows replace built-in rows of the same key and
// add the others.
func (b *PriceBook) With(rows []PriceRow) *PriceBook {
	out := &PriceBook{rows: slices.Clone(b.rows)}
	index := map[string]int{}
	for i, r := range out.rows {
		index[r.Key()] = i
	}
	for _, r := range rows {
		if i, ok := index[r.Key()]; ok {
			out.rows[i] = r
		} else {
			index[r.Key()] = len(out.rows)
			out.rows = append(out.rows, r)
		}
	}
	return out
}

// Rows lists the book's rows.
func (b *PriceBook) Rows() []PriceRow { return b.rows }

// PriceQuery asks for one component's price.
type PriceQuery struct {
	Provider, Service, Component string
	Region, RegionPair, Location string
	Capacity                     string
	Tier                         int
	AttachmentType               string
}

// Find returns the row for q: dimensions must match; a row for the exact
// scope or capacity wins over a "*" row (a capacity of "*" says one row
// holds for every size, e.g. a price known to be unpublished).
func (b *PriceBook) Find(q PriceQuery) (PriceRow, bool) {
	var best PriceRow
	bestScore := -1
	for _, r := range b.rows {
		if r.Provider != q.Provider || r.Service != q.Service || r.Component != q.Component ||
			r.Tier != q.Tier || r.AttachmentType != q.AttachmentType {
			continue
		}
		score, ok := 0, true
		for _, s := range [][2]string{{r.Region, q.Region}, {r.RegionPair, q.RegionPair}, {r.Location, q.Location}, {r.Capacity, q.Capacity}} {
			switch {
			case s[0] == s[1]:
				score++
			case s[0] == "*":
			default:
				ok = false
			}
		}
		if ok && score > bestScore {
			best, bestScore = r, score
		}
	}
	return best, bestScore >= 0
}
