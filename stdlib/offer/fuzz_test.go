package offer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"patchbay/stdlib"
)

// FuzzParse feeds offer files, good and bad, JSON and CSV: Parse must
// never panic, every error must start with the file's name, and what it
// accepts must be rows the catalog reads back.
func FuzzParse(f *testing.F) {
	for _, glob := range []string{"testdata/*.json", "testdata/*.csv", "testdata/bad/*"} {
		files, _ := filepath.Glob(glob)
		for _, name := range files {
			data, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Add([]byte(`{"offerCode":"AWSDataTransfer","version":"1","publicationDate":"2026-12-01","products":{"A":{"attributes":{"transferType":"IntraRegion","fromRegionCode":"us-east-1"}}},"terms":{"OnDemand":{"A":{"A.T":{"priceDimensions":{"A.T.1":{"unit":"GB","pricePerUnit":{"USD":"1"}}}}}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Parse("fuzz", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz:") {
				t.Fatalf("error without the file's name: %v", err)
			}
			return
		}
		out, err := MarshalRows("fuzz", r.Rows)
		if err != nil {
			t.Fatal(err)
		}
		back, err := stdlib.ParsePrices("out", out)
		if err != nil {
			t.Fatalf("imported rows the catalog refuses: %v\n%s", err, out)
		}
		if len(back) != len(r.Rows) {
			t.Fatalf("read back %d rows of %d", len(back), len(r.Rows))
		}
	})
}
