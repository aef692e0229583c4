// Package offer reads AWS Price List bulk offer files, JSON or CSV, and
// turns the networking prices patchbay knows how to use into price catalog
// rows (stdlib.PriceRow).
//
// The file formats are AWS's, as described in "Reading the service price
// list file for an AWS service"
// (https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/reading-service-price-list-file-for-services.html,
// formerly https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/reading-an-offer.html;
// read 2026-12-04): JSON with formatVersion, offerCode, version,
// publicationDate, products keyed by SKU and terms.OnDemand keyed by SKU
// then offer term code, each with priceDimensions keyed by rate code; CSV
// with five metadata rows, then a header row whose first columns are the
// pricing details (SKU, OfferTermCode, RateCode, TermType, PriceDescription,
// EffectiveDate, StartingRange, EndingRange, Unit, PricePerUnit, Currency)
// and whose other columns are the product's attributes.
package offer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"patchbay/stdlib"
)

// MaxSize is the largest offer file read: room for the networking offers,
// while a wrong offer's file (compute offers are far larger) or a device
// cannot exhaust memory. The whole file is held at once, since products
// and the terms that price them may come in either order.
const MaxSize = 512 << 20

// URL is where AWS publishes the current offer file of an offer code
// (https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/using-the-aws-price-list-bulk-api-fetching-price-list-files-manually.html,
// read 2026-12-04).
func URL(code string) string {
	return "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/" + code + "/current/index.json"
}

// Codes are the offer codes patchbay imports, in the order update fetches
// them.
var Codes = []string{"AmazonVPC", "AWSDirectConnect", "AWSCloudWAN", "AWSDataTransfer"}

// Offer is an offer file's metadata.
type Offer struct {
	Code        string // AmazonVPC, …
	Version     string
	Published   string // as the file writes it
	Date        string // YYYY-MM-DD, the publication date
	Format      string // json or csv
	Description string // for the catalog rows' source
}

// Result is what one offer file yields.
type Result struct {
	Offer Offer
	Rows  []stdlib.PriceRow // sorted, one per thing priced
	// Skipped counts, per product family, the products no row came from.
	Skipped map[string]int
	// UnknownRegion is how many of the skipped products are in a region
	// (or between regions) patchbay's region catalog does not have.
	UnknownRegion int
	// Conflicts is how many products priced something another product of
	// the file had priced differently; the lowest price is kept.
	Conflicts int
}

// Summary describes what was skipped, for standard error; "" when nothing
// was.
func (r *Result) Summary() string {
	var parts []string
	if n := r.skippedTotal(); n > 0 {
		fams := make([]string, 0, len(r.Skipped))
		for _, f := range slices.Sorted(maps.Keys(r.Skipped)) {
			fams = append(fams, fmt.Sprintf("%s (%d)", f, r.Skipped[f]))
		}
		s := fmt.Sprintf("skipped %s of %s %s", plural(n, "product"), map[bool]string{true: "family", false: "families"}[len(fams) == 1], strings.Join(fams, ", "))
		if r.UnknownRegion > 0 {
			s += fmt.Sprintf("; %d of them in regions patchbay's catalog does not have", r.UnknownRegion)
		}
		parts = append(parts, s)
	}
	if r.Conflicts > 0 {
		parts = append(parts, fmt.Sprintf("%s priced something again at another price; the lowest is kept", plural(r.Conflicts, "product")))
	}
	return strings.Join(parts, "; ")
}

func (r *Result) skippedTotal() int {
	n := 0
	for _, c := range r.Skipped {
		n += c
	}
	return n
}

// plural writes a count and a noun that takes an s.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// ReadAll reads at most MaxSize bytes from r (an HTTP body, say), failing
// beyond: the size a file reports may change while it is read.
func ReadAll(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxSize {
		return nil, tooLarge()
	}
	return data, nil
}

func tooLarge() error {
	return fmt.Errorf("refused: larger than %d MiB, the limit for an offer file", MaxSize>>20)
}

// product is an offer file's product: its family and attributes, with
// attribute names folded (lower case, no spaces) so the JSON's
// "regionCode" and the CSV's "Region Code" are one name.
type product struct {
	sku    string
	family string
	attrs  map[string]string
	rates  []rate
}

// rate is one OnDemand price dimension of a product.
type rate struct {
	code  string
	unit  string
	usd   float64
	hasUS bool
	begin float64
}

func fold(name string) string {
	return strings.ToLower(strings.Join(strings.Fields(name), ""))
}

// Parse reads an offer file, JSON or CSV (told apart by the first
// character), and maps its products to catalog rows. Errors name
// file:line:column.
func Parse(file string, data []byte) (*Result, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var (
		o        Offer
		products map[string]*product
		order    []string
		codePos  string
		err      error
	)
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) > 0 && trimmed[0] == '{' {
		o.Format = "json"
		products, order, codePos, err = parseJSON(file, data, &o)
	} else {
		o.Format = "csv"
		products, order, codePos, err = parseCSV(file, data, &o)
	}
	if err != nil {
		return nil, err
	}
	if !slices.Contains(Codes, o.Code) {
		return nil, fmt.Errorf("%s: offer %q: patchbay imports %s", codePos, o.Code, strings.Join(Codes, ", "))
	}
	o.Description = fmt.Sprintf("AWS Price List %s version %s, published %s, %s", o.Code, o.Version, o.Published, URL(o.Code))
	return mapOffer(o, products, order), nil
}

// marshalRow writes one row as one line; a region pair's ">" stays as it
// is rather than becoming \u003e.
func marshalRow(r stdlib.PriceRow) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// position turns a byte offset into line:column (column in characters).
func position(file string, data []byte, off int64) string {
	if off < 0 {
		off = 0
	}
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	start := bytes.LastIndexByte(before, '\n') + 1
	col := utf8.RuneCount(before[start:]) + 1
	return fmt.Sprintf("%s:%d:%d", file, line, col)
}

// parsePrice reads a price the way AWS writes it ("0.0500000000"). Go
// would also take "NaN", "Inf" and "1e999" (as infinity); none is a price.
func parsePrice(s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || v != v || v < 0 || v > 1e15 {
		return 0, fmt.Errorf("price %q is not a price (want a number >= 0)", s)
	}
	return v, nil
}

// parseRange reads a tier's beginRange; "" counts as 0.
func parseRange(s string) (float64, error) {
	if strings.TrimSpace(s) == "" {
		return 0, nil
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || v != v || v < 0 {
		return 0, fmt.Errorf("range %q is not a number", s)
	}
	return v, nil
}

// publicationDate checks the offer's date and returns its YYYY-MM-DD part;
// AWS writes an RFC 3339 time ("2026-12-01T00:00:00Z").
func publicationDate(s string) (string, bool) {
	if len(s) < 10 {
		return "", false
	}
	d := s[:10]
	for i, c := range d {
		switch {
		case i == 4 || i == 7:
			if c != '-' {
				return "", false
			}
		case c < '0' || c > '9':
			return "", false
		}
	}
	if len(s) > 10 && s[10] != 'T' && s[10] != ' ' {
		return "", false
	}
	return d, true
}
