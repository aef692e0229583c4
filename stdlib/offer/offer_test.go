package offer

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"patchbay/stdlib"
)

// brief is a row as the tests compare it: what it prices, per what, and
// for how much.
func brief(r stdlib.PriceRow) string {
	return fmt.Sprintf("%s %s %v", r.ID(), r.Unit, *r.Price)
}

func parseFile(t *testing.T, name string) *Result {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	r, err := Parse(name, data)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// The fixtures are small offer files in AWS's two formats; each offer's
// JSON and CSV hold the same products and must give the same rows.
func TestCatalogFixtures(t *testing.T) {
	for _, tc := range []struct {
		file    string
		code    string
		rows    []string
		summary string
	}{
		{"vpc", "AmazonVPC", []string{
			"aws/transit_gateway/attachment/eu-central-1 h 0.06", // "EU (Frankfurt)"
			"aws/transit_gateway/attachment/eu-central-1/vpc h 0.06",
			"aws/transit_gateway/attachment/us-east-1 h 0.05",
			"aws/transit_gateway/attachment/us-east-1/vpc h 0.05",
			"aws/transit_gateway/attachment/us-east-2/peering h 0.05",
			"aws/transit_gateway/data_processing/us-east-1 GB 0.02",
			"aws/transit_gateway/data_processing/us-east-1/vpc GB 0.02",
		}, "skipped 2 products of families NAT Gateway (1), Transit Gateway (1); 1 of them in regions patchbay's catalog does not have"},
		{"cloudwan", "AWSCloudWAN", []string{
			"aws/cloud_wan/attachment/us-east-1 h 0.065",
			"aws/cloud_wan/attachment/us-east-1/connect h 0.065",
			"aws/cloud_wan/attachment/us-east-1/vpc h 0.065",
			"aws/cloud_wan/attachment/us-east-2 h 0.065",
			"aws/cloud_wan/attachment/us-east-2/vpc h 0.065",
			"aws/cloud_wan/core_network_edge/us-east-1 h 0.5",
			"aws/cloud_wan/data_processing/ap-southeast-2 GB 0.02",
			"aws/cloud_wan/data_processing/ap-southeast-2/vpc GB 0.02",
			"aws/cloud_wan/data_processing/us-east-1 GB 0.02",
			"aws/cloud_wan/data_processing/us-east-1/vpc GB 0.02",
		}, "skipped 1 product of family (none) (1); 1 of them in regions patchbay's catalog does not have"},
		{"directconnect", "AWSDirectConnect", []string{
			"aws/direct_connect/data_transfer_out/eu-central-1 GB 0.02",
			"aws/direct_connect/data_transfer_out/eu-central-1/EqFA5 GB 0.02",
			"aws/direct_connect/data_transfer_out/us-east-1 GB 0.02", // the lower of EqDC2's and EqFA5's
			"aws/direct_connect/data_transfer_out/us-east-1/EqDC2 GB 0.02",
			"aws/direct_connect/data_transfer_out/us-east-1/EqFA5 GB 0.0282",
			"aws/direct_connect/dedicated_port/EqDC2/1Gbps h 0.3",
			"aws/direct_connect/dedicated_port/EqDC2/10Gbps h 2.25",
			"aws/direct_connect/dedicated_port/EqFA5/100Gbps h 22.5",
			"aws/direct_connect/hosted_connection/EqDC2/500Mbps h 0.2",
		}, "skipped 1 product of family Data Transfer (1)"},
		{"datatransfer", "AWSDataTransfer", []string{
			"aws/data_transfer/inter_az/us-east-1 GB 0.01",
			"aws/data_transfer/inter_region/us-east-1>eu-central-1 GB 0.02",
			"aws/data_transfer/inter_region/us-east-1>us-east-2 GB 0.01",
			"aws/data_transfer/inter_region/us-east-2>us-east-1 GB 0.01",
		}, "skipped 2 products of family Data Transfer (2); 1 of them in regions patchbay's catalog does not have"},
	} {
		for _, ext := range []string{".json", ".csv"} {
			t.Run(tc.file+ext, func(t *testing.T) {
				r := parseFile(t, tc.file+ext)
				if r.Offer.Code != tc.code || r.Offer.Date != "2026-11-20" || r.Offer.Version != "20261120184100" || r.Offer.Format != ext[1:] {
					t.Errorf("offer = %+v", r.Offer)
				}
				var got []string
				for _, row := range r.Rows {
					got = append(got, brief(row))
					if row.Date != "2026-11-20" || row.Status != "published" ||
						!strings.HasPrefix(row.Source, "AWS Price List "+tc.code+" version 20261120184100, published 2026-11-20T18:41:00Z, https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/"+tc.code+"/current/index.json") {
						t.Errorf("row %s: date %q status %q source %q", row.ID(), row.Date, row.Status, row.Source)
					}
				}
				if !slices.Equal(got, tc.rows) {
					t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.rows, "\n"))
				}
				if s := r.Summary(); s != tc.summary {
					t.Errorf("summary %q, want %q", s, tc.summary)
				}
				// What import writes, the catalog reads back.
				data, err := MarshalRows("imported", r.Rows)
				if err != nil {
					t.Fatal(err)
				}
				back, err := stdlib.ParsePrices("out.jsonl", data)
				if err != nil {
					t.Fatalf("%v\n%s", err, data)
				}
				if len(back) != len(r.Rows) {
					t.Errorf("read back %d rows of %d", len(back), len(r.Rows))
				}
			})
		}
	}
}

// The pricer finds imported rows: the queries planner/cost makes.
func TestCatalogRowsAnswerThePricer(t *testing.T) {
	var rows []stdlib.PriceRow
	for _, f := range []string{"vpc.json", "cloudwan.csv", "directconnect.json", "datatransfer.csv"} {
		rows = append(rows, parseFile(t, f).Rows...)
	}
	book := (&stdlib.PriceBook{}).With(rows)
	for _, q := range []struct {
		q    stdlib.PriceQuery
		want float64
	}{
		{stdlib.PriceQuery{Provider: "aws", Service: "transit_gateway", Component: "attachment", Region: "eu-central-1"}, 0.06},
		{stdlib.PriceQuery{Provider: "aws", Service: "transit_gateway", Component: "data_processing", Region: "us-east-1"}, 0.02},
		{stdlib.PriceQuery{Provider: "aws", Service: "cloud_wan", Component: "core_network_edge", Region: "us-east-1"}, 0.5},
		{stdlib.PriceQuery{Provider: "aws", Service: "cloud_wan", Component: "attachment", Region: "us-east-2", AttachmentType: "vpc"}, 0.065},
		{stdlib.PriceQuery{Provider: "aws", Service: "cloud_wan", Component: "data_processing", Region: "ap-southeast-2"}, 0.02},
		{stdlib.PriceQuery{Provider: "aws", Service: "direct_connect", Component: "data_transfer_out", Region: "us-east-1"}, 0.02},
		{stdlib.PriceQuery{Provider: "aws", Service: "data_transfer", Component: "inter_region", RegionPair: "us-east-1>us-east-2"}, 0.01},
		{stdlib.PriceQuery{Provider: "aws", Service: "data_transfer", Component: "inter_az", Region: "us-east-1"}, 0.01},
	} {
		row, ok := book.Find(q.q)
		if !ok || row.Price == nil || *row.Price != q.want {
			t.Errorf("%+v: got %v %v, want %v", q.q, ok, row.Price, q.want)
		}
	}
}

// A tiered price keeps the tier that starts at 0, wherever it is listed;
// a price in another currency only is skipped.
func TestCatalogFirstTier(t *testing.T) {
	doc := `{"offerCode": "AWSDataTransfer", "version": "1", "publicationDate": "2026-12-01T00:00:00Z",
 "products": {
  "A": {"sku": "A", "productFamily": "Data Transfer", "attributes": {"transferType": "InterRegion Outbound", "fromRegionCode": "us-east-1", "toRegionCode": "us-west-2"}},
  "B": {"sku": "B", "productFamily": "Data Transfer", "attributes": {"transferType": "InterRegion Outbound", "fromRegionCode": "us-west-2", "toRegionCode": "us-east-1"}}},
 "terms": {"OnDemand": {
  "A": {"A.T": {"priceDimensions": {
    "A.T.2": {"unit": "GB", "beginRange": "10240", "endRange": "Inf", "pricePerUnit": {"USD": "0.0150000000"}},
    "A.T.1": {"unit": "GB", "beginRange": "0", "endRange": "10240", "pricePerUnit": {"USD": "0.0200000000"}}}}},
  "B": {"B.T": {"priceDimensions": {
    "B.T.1": {"unit": "GB", "beginRange": "0", "endRange": "Inf", "pricePerUnit": {"CNY": "0.1"}}}}}}}}`
	r, err := Parse("tiers.json", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Rows) != 1 || brief(r.Rows[0]) != "aws/data_transfer/inter_region/us-east-1>us-west-2 GB 0.02" {
		t.Errorf("rows = %v", r.Rows)
	}
	if r.Summary() != "skipped 1 product of family Data Transfer (1)" {
		t.Errorf("summary %q", r.Summary())
	}
}

// Two products pricing one thing differently: the lower price is kept and
// the conflict reported, whichever comes first.
func TestCatalogConflict(t *testing.T) {
	doc := `"FormatVersion","v1.0"
"Disclaimer","d"
"Publication Date","2026-12-01T00:00:00Z"
"Version","1"
"OfferCode","AmazonVPC"
"SKU","OfferTermCode","RateCode","TermType","PriceDescription","EffectiveDate","StartingRange","EndingRange","Unit","PricePerUnit","Currency","usageType","operation","Region Code"
"A","T","A.T.1","OnDemand","","2026-12-01","0","Inf","Hrs","0.07","USD","TransitGateway-Hours","TransitGatewayVPN","us-east-1"
"B","T","B.T.1","OnDemand","","2026-12-01","0","Inf","Hrs","0.05","USD","USE1-TransitGateway-Hours","TransitGatewayVPN","us-east-1"
"C","T","C.T.1","Reserved","","2026-12-01","0","Inf","Hrs","0.01","USD","TransitGateway-Hours","TransitGatewayVPN","us-east-1"
`
	r, err := Parse("conflict.csv", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Rows) != 1 || brief(r.Rows[0]) != "aws/transit_gateway/attachment/us-east-1/vpn h 0.05" || r.Conflicts != 1 {
		t.Errorf("rows = %v, conflicts %d", r.Rows, r.Conflicts)
	}
	// C has only a Reserved price: not a list price, so skipped.
	if !strings.Contains(r.Summary(), "skipped 1 product of family (none) (1)") {
		t.Errorf("summary %q", r.Summary())
	}
}

// Bad input is an error at file:line:col, never a panic.
func TestCatalogMalformed(t *testing.T) {
	for _, tc := range []struct{ file, want string }{
		{"syntax.json", `^syntax.json:10:59: malformed JSON: invalid character '"' after object key:value pair$`},
		{"truncated.json", `^truncated.json:9:1: malformed JSON: the file ends inside a value$`},
		{"price.json", `^price.json:24:40: price dimension "2Q9T5N7K3WZ8XD4H.JRTCKXETXF.6YS6EN2CT7": price "five cents" is not a price`},
		{"nocode.json", `^nocode.json:1:1: the offer has no "offerCode"`},
		{"ec2.json", `^ec2.json:3:16: offer "AmazonEC2": patchbay imports AmazonVPC, AWSDirectConnect, AWSCloudWAN, AWSDataTransfer$`},
		{"products.json", `^products.json:6:15: want an object, not an array$`},
		{"orphan.json", `^orphan.json:9:7: terms price SKU "2Q9T5N7K3WZ8XD4H", which is not among the products$`},
		{"price.csv", `^price.csv:8:172: price "0.02x" is not a price`},
		{"fields.csv", `^fields.csv:8:1: 21 fields, but the header has 22$`},
		{"quote.csv", `^quote.csv:8:202: malformed CSV: extraneous or missing " in quoted-field$`},
		{"nocode.csv", `^nocode.csv:5:1: no "OfferCode" metadata row before the header$`},
		{"header.csv", `^header.csv:3:1: want the metadata rows`},
	} {
		data, err := os.ReadFile(filepath.Join("testdata", "bad", tc.file))
		if err != nil {
			t.Fatal(err)
		}
		_, err = Parse(tc.file, data)
		if err == nil || !regexp.MustCompile(tc.want).MatchString(err.Error()) {
			t.Errorf("%s: got %v, want %s", tc.file, err, tc.want)
		}
	}
	for _, tc := range []struct{ doc, want string }{
		{`{"offerCode": "AmazonVPC"} x`, `^s:1:28: unexpected data after`},
		{`{"a":1,}`, `^s:1:8: malformed JSON: invalid character '}'`},
		{"{\n  \"products\": {\"x\": {\"sku\": 5}}}", `^s:2:21: sku: want a string, not a number$`},
		{`{"offerCode": "AmazonVPC", "version": "1", "publicationDate": "yesterday"}`, `^s:1:1: publicationDate "yesterday"`},
		{`{"offerCode": "AmazonVPC", "version": "1", "publicationDate": "2026-12-01", "terms": {"OnDemand": {"A": {"A.T": {"priceDimensions": {"A.T.1": {"unit": "Hrs", "pricePerUnit": {"USD": "NaN"}}}}}}}}`, `^s:1:183: .*price "NaN" is not a price`},
		{"", `^s: no header row`},
	} {
		_, err := Parse("s", []byte(tc.doc))
		if err == nil || !regexp.MustCompile(tc.want).MatchString(err.Error()) {
			t.Errorf("%q: got %v, want %s", tc.doc, err, tc.want)
		}
	}
}

// BenchmarkParse reads a JSON offer the size of a regional networking
// offer file: thousands of products, each with one OnDemand price.
func BenchmarkParse(b *testing.B) {
	var doc strings.Builder
	doc.WriteString(`{"formatVersion":"v1.0","offerCode":"AWSDataTransfer","version":"1","publicationDate":"2026-12-01T00:00:00Z","products":{`)
	regions := []string{"us-east-1", "us-east-2", "us-west-2", "eu-central-1", "ap-southeast-2", "mx-central-1"}
	const n = 5000
	for i := range n {
		if i > 0 {
			doc.WriteByte(',')
		}
		fmt.Fprintf(&doc, `"S%d":{"sku":"S%d","productFamily":"Data Transfer","attributes":{"servicecode":"AWSDataTransfer","transferType":"InterRegion Outbound","fromRegionCode":%q,"toRegionCode":%q,"usagetype":"X-AWS-Out-Bytes"}}`,
			i, i, regions[i%len(regions)], regions[(i/len(regions))%len(regions)])
	}
	doc.WriteString(`},"terms":{"OnDemand":{`)
	for i := range n {
		if i > 0 {
			doc.WriteByte(',')
		}
		fmt.Fprintf(&doc, `"S%d":{"S%d.T":{"offerTermCode":"T","sku":"S%d","priceDimensions":{"S%d.T.R":{"unit":"GB","beginRange":"0","endRange":"Inf","pricePerUnit":{"USD":"0.0200000000"}}}}}`, i, i, i, i)
	}
	doc.WriteString(`}}}`)
	data := []byte(doc.String())
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse("bench.json", data); err != nil {
			b.Fatal(err)
		}
	}
}
