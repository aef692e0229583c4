package cost

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"patchbay/lang"
)

// usageKeys are the usage amounts each kind of resource takes, per month.
var usageKeys = map[lang.Kind][]string{
	lang.KindTransitGW:    {"monthly_data_processed_gb"},
	lang.KindCoreNetwork:  {"monthly_data_processed_gb"},
	lang.KindLastMile:     {"monthly_data_transfer_out_gb"},
	lang.KindInterconnect: {"monthly_egress_gib"},
	lang.KindAttachment:   {"monthly_inter_region_gb"},
}

// Usage is an Infracost-style usage file: amounts per resource type (every
// resource of the kind) and per resource (which wins). Amounts are per
// month of 730 hours and prorated to the report's period.
type Usage struct {
	Defaults  map[string]map[string]float64 `json:"resource_type_default_usage"`
	Resources map[string]map[string]float64 `json:"resource_usage"`
}

// ParseUsage reads a usage file (JSON). Unknown keys are errors naming them.
func ParseUsage(file string, data []byte) (*Usage, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var u Usage
	if err := dec.Decode(&u); err != nil {
		return nil, fmt.Errorf("%s: %v", file, err)
	}
	for kind, amounts := range u.Defaults {
		if err := checkKeys(lang.Kind(kind), amounts); err != nil {
			return nil, fmt.Errorf("%s: resource_type_default_usage.%s: %v", file, kind, err)
		}
	}
	for ref, amounts := range u.Resources {
		kind, _, ok := strings.Cut(ref, ".")
		if !ok {
			return nil, fmt.Errorf("%s: resource_usage: %q is not an address like transit_gateway.hub", file, ref)
		}
		if err := checkKeys(lang.Kind(kind), amounts); err != nil {
			return nil, fmt.Errorf("%s: resource_usage.%s: %v", file, ref, err)
		}
	}
	return &u, nil
}

func checkKeys(kind lang.Kind, amounts map[string]float64) error {
	keys, ok := usageKeys[kind]
	if !ok {
		var kinds []string
		for k := range usageKeys {
			kinds = append(kinds, string(k))
		}
		sort.Strings(kinds)
		return fmt.Errorf("no usage for %s (usage applies to %s)", kind, strings.Join(kinds, ", "))
	}
	for k, v := range amounts {
		if !slices.Contains(keys, k) {
			return fmt.Errorf("unknown key %q (want %s)", k, strings.Join(keys, ", "))
		}
		if v < 0 {
			return fmt.Errorf("%s is negative", k)
		}
	}
	return nil
}

// check rejects usage for resources the design does not declare.
func (u *Usage) check(d *lang.Design) error {
	for _, ref := range slices.Sorted(maps.Keys(u.Resources)) {
		var r lang.Ref
		if err := r.UnmarshalText([]byte(ref)); err != nil {
			return err
		}
		if _, ok := d.Lookup(r); !ok {
			return fmt.Errorf("usage names %s, which the design does not declare", ref)
		}
	}
	return nil
}

// value is the monthly amount of key for r.
func (u *Usage) value(r lang.Ref, key string) float64 {
	if v, ok := u.Resources[r.String()][key]; ok {
		return v
	}
	return u.Defaults[string(r.Kind)][key]
}

// scaled prorates a monthly amount to the period.
func (u *Usage) scaled(monthly, hours float64) float64 { return monthly * hours / HoursPerMonth }
