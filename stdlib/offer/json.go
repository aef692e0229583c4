package offer

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// jsonParser walks an offer file token by token rather than decoding it
// into one value: walking keeps the offset of every key, for errors at
// file:line:col, and keeps of each product only what the mapping reads.
type jsonParser struct {
	file     string
	data     []byte
	dec      *json.Decoder
	products map[string]*product
	order    []string
	rates    map[string][]rate // by SKU, for terms that come before products
	ratePos  map[string]int64
}

func parseJSON(file string, data []byte, o *Offer) (map[string]*product, []string, string, error) {
	p := &jsonParser{file: file, data: data, dec: json.NewDecoder(bytes.NewReader(data)),
		products: map[string]*product{}, rates: map[string][]rate{}, ratePos: map[string]int64{}}
	p.dec.UseNumber()
	var codeOff int64 = -1
	meta := map[string]*string{"offerCode": &o.Code, "version": &o.Version, "publicationDate": &o.Published}
	err := p.object(p.skipSpace(0), func(key string, _, val int64) error {
		if dst, ok := meta[key]; ok {
			if key == "offerCode" {
				codeOff = val
			}
			return p.str(val, key, dst)
		}
		switch key {
		case "products":
			return p.productsSection(val)
		case "terms":
			return p.termsSection(val)
		}
		return p.skip()
	})
	if err != nil {
		return nil, nil, "", err
	}
	if _, err := p.dec.Token(); err != io.EOF {
		return nil, nil, "", fmt.Errorf("%s: unexpected data after the offer's closing brace", p.pos(p.skipSpace(p.dec.InputOffset())))
	}
	for _, key := range []string{"offerCode", "version", "publicationDate"} {
		if *meta[key] == "" {
			return nil, nil, "", fmt.Errorf("%s: the offer has no %q (is this an AWS Price List offer file?)", p.pos(p.skipSpace(0)), key)
		}
	}
	date, ok := publicationDate(o.Published)
	if !ok {
		return nil, nil, "", fmt.Errorf("%s: publicationDate %q: want a date such as 2026-12-01T00:00:00Z", p.pos(p.skipSpace(0)), o.Published)
	}
	o.Date = date
	// In file order, so the first orphan is the one reported.
	skus := slices.SortedFunc(maps.Keys(p.rates), func(a, b string) int { return cmp.Compare(p.ratePos[a], p.ratePos[b]) })
	for _, sku := range skus {
		pr, ok := p.products[sku]
		if !ok {
			return nil, nil, "", fmt.Errorf("%s: terms price SKU %q, which is not among the products", p.pos(p.ratePos[sku]), sku)
		}
		pr.rates = append(pr.rates, p.rates[sku]...)
	}
	return p.products, p.order, p.pos(codeOff), nil
}

func (p *jsonParser) pos(off int64) string { return position(p.file, p.data, off) }

// skipSpace moves an offset past white space and the separators between
// tokens, to where the next token starts.
func (p *jsonParser) skipSpace(off int64) int64 {
	for off < int64(len(p.data)) && strings.IndexByte(" \t\r\n,:", p.data[off]) >= 0 {
		off++
	}
	return off
}

// fail turns a decoder error into file:line:col.
func (p *jsonParser) fail(at int64, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		// A streaming decoder's offsets count from where its buffer or
		// its last value began; scanning the whole file again (only on
		// failure) gives the true position of the first error.
		var raw json.RawMessage
		if err := json.Unmarshal(p.data, &raw); errors.As(err, &se) {
			if strings.Contains(se.Error(), "unexpected end") {
				return fmt.Errorf("%s: malformed JSON: the file ends inside a value", p.pos(int64(len(p.data))))
			}
			return fmt.Errorf("%s: malformed JSON: %v", p.pos(se.Offset-1), se)
		}
		return fmt.Errorf("%s: malformed JSON: %v", p.pos(at), err)
	case errors.As(err, &te):
		what := te.Field
		if what == "" {
			what = "value"
		}
		return fmt.Errorf("%s: %s: want a %s, not a %s", p.pos(at), what, te.Type.Kind(), te.Value)
	}
	return fmt.Errorf("%s: %v", p.pos(at), err)
}

// object reads an object starting at off, calling fn for each key with
// the offsets of the key and of its value; fn must consume the value.
func (p *jsonParser) object(off int64, fn func(key string, keyOff, valOff int64) error) error {
	tok, err := p.dec.Token()
	if err != nil {
		return p.fail(off, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("%s: want an object, not %s", p.pos(off), describe(tok))
	}
	for p.dec.More() {
		keyOff := p.skipSpace(p.dec.InputOffset())
		tok, err := p.dec.Token()
		if err != nil {
			return p.fail(keyOff, err)
		}
		key, ok := tok.(string)
		if !ok {
			return fmt.Errorf("%s: want a key, not %s", p.pos(keyOff), describe(tok))
		}
		if err := fn(key, keyOff, p.skipSpace(p.dec.InputOffset())); err != nil {
			return err
		}
	}
	if _, err := p.dec.Token(); err != nil {
		return p.fail(p.skipSpace(p.dec.InputOffset()), err)
	}
	return nil
}

func describe(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		if t == '[' {
			return "an array"
		}
		return fmt.Sprintf("%q", string(t))
	case string:
		return fmt.Sprintf("the string %q", t)
	case json.Number:
		return "the number " + t.String()
	case bool:
		return fmt.Sprint(t)
	case nil:
		return "null"
	}
	return fmt.Sprint(tok)
}

// skip consumes a value without keeping it.
func (p *jsonParser) skip() error {
	off := p.skipSpace(p.dec.InputOffset())
	var raw json.RawMessage
	if err := p.dec.Decode(&raw); err != nil {
		return p.fail(off, err)
	}
	return nil
}

// str reads a string value.
func (p *jsonParser) str(off int64, what string, dst *string) error {
	tok, err := p.dec.Token()
	if err != nil {
		return p.fail(off, err)
	}
	s, ok := tok.(string)
	if !ok {
		if d, isDelim := tok.(json.Delim); isDelim && (d == '{' || d == '[') {
			return fmt.Errorf("%s: %s: want a string, not %s", p.pos(off), what, map[json.Delim]string{'{': "an object", '[': "an array"}[d])
		}
		return fmt.Errorf("%s: %s: want a string, not %s", p.pos(off), what, describe(tok))
	}
	*dst = s
	return nil
}

func (p *jsonParser) productsSection(off int64) error {
	return p.object(off, func(key string, keyOff, val int64) error {
		var raw struct {
			SKU           string          `json:"sku"`
			ProductFamily string          `json:"productFamily"`
			Attributes    json.RawMessage `json:"attributes"`
		}
		if err := p.dec.Decode(&raw); err != nil {
			return p.fail(val, err)
		}
		sku := raw.SKU
		if sku == "" {
			sku = key
		}
		if sku != key {
			return fmt.Errorf("%s: product %q has sku %q: the two must agree", p.pos(keyOff), key, raw.SKU)
		}
		attrs := map[string]string{}
		if len(raw.Attributes) > 0 && string(raw.Attributes) != "null" {
			var m map[string]any
			if err := json.Unmarshal(raw.Attributes, &m); err != nil {
				return fmt.Errorf("%s: product %q: attributes: want an object of strings", p.pos(val), key)
			}
			for k, v := range m {
				s, ok := v.(string)
				if !ok {
					return fmt.Errorf("%s: product %q: attribute %q: want a string, not %s", p.pos(val), key, k, jsonKind(v))
				}
				attrs[fold(k)] = s
			}
		}
		if _, dup := p.products[sku]; dup {
			return fmt.Errorf("%s: product %q appears twice", p.pos(keyOff), sku)
		}
		p.products[sku] = &product{sku: sku, family: raw.ProductFamily, attrs: attrs}
		p.order = append(p.order, sku)
		return nil
	})
}

func jsonKind(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return "a string"
}

// termsSection reads terms; only OnDemand prices are list prices (Reserved
// terms are commitments a design does not make).
func (p *jsonParser) termsSection(off int64) error {
	return p.object(off, func(termType string, _, val int64) error {
		if termType != "OnDemand" {
			return p.skip()
		}
		return p.object(val, func(sku string, skuOff, val int64) error {
			if _, seen := p.ratePos[sku]; !seen {
				p.ratePos[sku] = skuOff
			}
			return p.object(val, func(_ string, _, val int64) error {
				return p.term(sku, val)
			})
		})
	})
}

// valueOf finds where the value of key starts inside the object just
// decoded from off, for an error that concerns that one value; fallback
// when the key cannot be found.
func (p *jsonParser) valueOf(off int64, key string, fallback int64) int64 {
	end := min(p.dec.InputOffset(), int64(len(p.data)))
	if off < 0 || off >= end {
		return fallback
	}
	m := regexp.MustCompile(`"` + regexp.QuoteMeta(key) + `"\s*:\s*`).FindIndex(p.data[off:end])
	if m == nil {
		return fallback
	}
	return off + int64(m[1])
}

// term reads one offer term of a SKU: its price dimensions.
func (p *jsonParser) term(sku string, off int64) error {
	return p.object(off, func(key string, _, val int64) error {
		switch key {
		case "sku":
			var s string
			if err := p.str(val, "sku", &s); err != nil {
				return err
			}
			if s != sku {
				return fmt.Errorf("%s: a term of SKU %q names SKU %q", p.pos(val), sku, s)
			}
			return nil
		case "priceDimensions":
			return p.object(val, func(code string, codeOff, val int64) error {
				var d struct {
					Unit         string            `json:"unit"`
					PricePerUnit map[string]string `json:"pricePerUnit"`
					BeginRange   string            `json:"beginRange"`
				}
				if err := p.dec.Decode(&d); err != nil {
					return p.fail(val, err)
				}
				r := rate{code: code, unit: d.Unit}
				if strings.TrimSpace(d.Unit) == "" {
					return fmt.Errorf("%s: price dimension %q has no unit", p.pos(codeOff), code)
				}
				usd, ok := d.PricePerUnit["USD"]
				if !ok && len(d.PricePerUnit) == 0 {
					return fmt.Errorf("%s: price dimension %q has no pricePerUnit", p.pos(codeOff), code)
				}
				if ok {
					v, err := parsePrice(usd)
					if err != nil {
						return fmt.Errorf("%s: price dimension %q: %v", p.pos(p.valueOf(val, "USD", codeOff)), code, err)
					}
					r.usd, r.hasUS = v, true
				}
				b, err := parseRange(d.BeginRange)
				if err != nil {
					return fmt.Errorf("%s: price dimension %q: beginRange: %v", p.pos(codeOff), code, err)
				}
				r.begin = b
				p.rates[sku] = append(p.rates[sku], r)
				return nil
			})
		}
		return p.skip()
	})
}
