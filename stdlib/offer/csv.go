package offer

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// The CSV's metadata rows, before the header: name → where it goes.
var csvMeta = map[string]string{
	"formatversion":   "",
	"disclaimer":      "",
	"publicationdate": "published",
	"version":         "version",
	"offercode":       "code",
}

// The header columns a price needs, folded.
var csvNeed = []string{"sku", "termtype", "unit", "priceperunit"}

func parseCSV(file string, data []byte, o *Offer) (map[string]*product, []string, string, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1 // metadata rows have two fields, the rest the header's count
	fail := func(err error) error {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return fmt.Errorf("%s:%d:%d: malformed CSV: %v", file, pe.Line, pe.Column, pe.Err)
		}
		return fmt.Errorf("%s: %v", file, err)
	}
	at := func(field int) string {
		line, col := r.FieldPos(field)
		return fmt.Sprintf("%s:%d:%d", file, line, col)
	}
	codePos := file + ":1:1"
	var header []string
	for header == nil {
		rec, err := r.Read()
		if err == io.EOF {
			return nil, nil, "", fmt.Errorf("%s: no header row (one starting \"SKU\"): is this an AWS Price List offer file?", file)
		}
		if err != nil {
			return nil, nil, "", fail(err)
		}
		name := fold(rec[0])
		if name == "sku" {
			header = make([]string, len(rec))
			for i, h := range rec {
				header[i] = fold(h)
			}
			break
		}
		dst, ok := csvMeta[name]
		if !ok || len(rec) != 2 {
			return nil, nil, "", fmt.Errorf("%s: want the metadata rows (\"FormatVersion\", \"Disclaimer\", \"Publication Date\", \"Version\", \"OfferCode\", each with its value) and then the header row starting \"SKU\"", at(0))
		}
		switch dst {
		case "published":
			o.Published = rec[1]
		case "version":
			o.Version = rec[1]
		case "code":
			o.Code, codePos = rec[1], at(1)
		}
	}
	headerPos := at(0)
	for _, m := range []struct{ name, v string }{{"OfferCode", o.Code}, {"Version", o.Version}, {"Publication Date", o.Published}} {
		if m.v == "" {
			return nil, nil, "", fmt.Errorf("%s: no %q metadata row before the header", headerPos, m.name)
		}
	}
	date, ok := publicationDate(o.Published)
	if !ok {
		return nil, nil, "", fmt.Errorf("%s: Publication Date %q: want a date such as 2026-12-01T00:00:00Z", file, o.Published)
	}
	o.Date = date
	col := map[string]int{}
	for i, h := range header {
		if _, dup := col[h]; !dup {
			col[h] = i
		}
	}
	for _, need := range csvNeed {
		if _, ok := col[need]; !ok {
			return nil, nil, "", fmt.Errorf("%s: the header has no %q column", headerPos, need)
		}
	}
	products := map[string]*product{}
	var order []string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, "", fail(err)
		}
		if len(rec) != len(header) {
			return nil, nil, "", fmt.Errorf("%s: %d fields, but the header has %d", at(0), len(rec), len(header))
		}
		get := func(name string) string {
			if i, ok := col[name]; ok {
				return rec[i]
			}
			return ""
		}
		sku := get("sku")
		if strings.TrimSpace(sku) == "" {
			return nil, nil, "", fmt.Errorf("%s: a price row without a SKU", at(col["sku"]))
		}
		pr, ok := products[sku]
		if !ok {
			attrs := make(map[string]string, len(header))
			for i, h := range header {
				if rec[i] != "" {
					attrs[h] = rec[i]
				}
			}
			pr = &product{sku: sku, family: get("productfamily"), attrs: attrs}
			products[sku] = pr
			order = append(order, sku)
		}
		if get("termtype") != "OnDemand" {
			continue
		}
		if strings.TrimSpace(get("unit")) == "" {
			return nil, nil, "", fmt.Errorf("%s: a price without a unit", at(col["unit"]))
		}
		rt := rate{code: get("ratecode"), unit: get("unit")}
		if cur, ok := col["currency"]; !ok || rec[cur] == "USD" {
			v, err := parsePrice(get("priceperunit"))
			if err != nil {
				return nil, nil, "", fmt.Errorf("%s: %v", at(col["priceperunit"]), err)
			}
			rt.usd, rt.hasUS = v, true
		}
		if i, ok := col["startingrange"]; ok {
			b, err := parseRange(rec[i])
			if err != nil {
				return nil, nil, "", fmt.Errorf("%s: StartingRange: %v", at(i), err)
			}
			rt.begin = b
		}
		pr.rates = append(pr.rates, rt)
	}
	return products, order, codePos, nil
}
