package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"patchbay/stdlib"
	"patchbay/stdlib/offer"
)

// withOffers points update at a local server for the test's duration.
func withOffers(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	old := offerBaseURL
	offerBaseURL = srv.URL
	t.Cleanup(func() { offerBaseURL = old; srv.Close() })
	return srv
}

// offerFiles serves the offer package's fixtures where AWS publishes the
// real files: /CODE/current/index.json.
func offerFiles(t *testing.T, hits *[]string) http.Handler {
	files := map[string]string{"AmazonVPC": "vpc.json", "AWSCloudWAN": "cloudwan.json", "AWSDirectConnect": "directconnect.json", "AWSDataTransfer": "datatransfer.json"}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		code, ok := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, "/"), "/current/index.json")
		name, known := files[code]
		if !ok || !known {
			http.NotFound(w, r)
			return
		}
		*hits = append(*hits, code)
		http.ServeFile(w, r, filepath.Join("..", "..", "stdlib", "offer", "testdata", name))
	})
}

func TestCatalogUpdate(t *testing.T) {
	var hits []string
	withOffers(t, offerFiles(t, &hits))
	out := filepath.Join(t.TempDir(), "aws.jsonl")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"catalog", "update", "-o", out}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if strings.Join(hits, ",") != "AmazonVPC,AWSDirectConnect,AWSCloudWAN,AWSDataTransfer" {
		t.Errorf("fetched %v", hits)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := stdlib.ParsePrices(out, data)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 7+10+9+4 {
		t.Errorf("%d rows:\n%s", len(rows), data)
	}
	book := stdlib.DefaultPrices().With(rows)
	row, ok := book.Find(stdlib.PriceQuery{Provider: "aws", Service: "cloud_wan", Component: "attachment", Region: "us-east-2", AttachmentType: "vpc"})
	if !ok || *row.Price != 0.065 || !strings.Contains(row.Source, "AWSCloudWAN version 20261120184100") {
		t.Errorf("cloud_wan attachment us-east-2: %+v", row)
	}
	for _, want := range []string{"catalog update: " + offerBaseURL + "/AmazonVPC/current/index.json: AmazonVPC version 20261120184100 of 2026-11-20: 7 rows; skipped 2 products",
		"/AWSDataTransfer/current/index.json: AWSDataTransfer version 20261120184100 of 2026-11-20: 4 rows"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout: %s", stdout.String())
	}

	// --offer picks offers; without -o the lines go to standard output.
	hits = nil
	stdout.Reset()
	if code := run([]string{"catalog", "update", "--offer", "AWSDataTransfer"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if strings.Join(hits, ",") != "AWSDataTransfer" || !strings.Contains(stdout.String(), `"region_pair":"us-east-1>us-east-2"`) {
		t.Errorf("fetched %v, wrote:\n%s", hits, stdout.String())
	}
}

// Offline, update says so and points at import; nothing is written.
func TestCatalogUpdateOffline(t *testing.T) {
	srv := withOffers(t, http.NotFoundHandler())
	srv.Close() // nothing listens there any more: as good as offline
	out := filepath.Join(t.TempDir(), "aws.jsonl")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"catalog", "update", "-o", out}, &stdout, &stderr); code != 2 {
		t.Fatalf("exit %d, want 2: %s", code, stderr.String())
	}
	host := strings.TrimPrefix(srv.URL, "http://")
	msg := stderr.String()
	if !strings.HasPrefix(msg, "catalog update: cannot reach "+host+" (") ||
		!strings.HasSuffix(msg, "): the machine is offline? Download the offer files elsewhere and run `patchbay catalog import aws-offer FILE`\n") {
		t.Errorf("stderr: %q", msg)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("update wrote a file while offline")
	}
}

func TestCatalogUpdateHTTPError(t *testing.T) {
	withOffers(t, http.NotFoundHandler())
	var stdout, stderr bytes.Buffer
	if code := run([]string{"catalog", "update"}, &stdout, &stderr); code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	if want := "/AmazonVPC/current/index.json: the server answered 404 Not Found\n"; !strings.HasSuffix(stderr.String(), want) {
		t.Errorf("stderr %q, want …%q", stderr.String(), want)
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout: %s", stdout.String())
	}
}

func TestCatalogReadFileRefuses(t *testing.T) {
	dir := t.TempDir()
	if _, err := readOfferFile(dir); err == nil || !strings.Contains(err.Error(), "a directory") {
		t.Errorf("directory: %v", err)
	}
	if _, err := readOfferFile(filepath.Join(dir, "none.json")); err == nil || err.Error() != "no such file" {
		t.Errorf("missing: %v", err)
	}
	big := filepath.Join(dir, "big.json")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	// Sparse: no disk space is used for the hole.
	if err := f.Truncate(offer.MaxSize + 1); err != nil {
		t.Skip("cannot make a sparse file:", err)
	}
	f.Close()
	if _, err := readOfferFile(big); err == nil || !strings.Contains(err.Error(), "larger than 512 MiB") {
		t.Errorf("big: %v", err)
	}
}
