package stdlib

import (
	"fmt"
	"slices"
	"strings"
)

// Status is how sure a catalog fact or price is, as its row says:
//
//   - Published: the provider's own documentation or price list;
//   - Secondary: another source quoting or measuring it;
//   - Estimated: patchbay's choice where no source gives it (listed in the
//     README);
//   - Unknown: nothing is known — a price of null, reported as unpriced,
//     never as free.
//
// The zero value is no status, which no row may have: a fact is never
// taken as sourced because its status was left out. Its text form is the
// lower-case word the catalogs and JSON reports use.
type Status string

// The statuses, from most to least sure.
const (
	Published Status = "published"
	Secondary Status = "secondary"
	Estimated Status = "estimated"
	Unknown   Status = "unknown"
)

var allStatuses = []Status{Published, Secondary, Estimated, Unknown}

// ParseStatus reads a status's text form, exactly as written.
func ParseStatus(s string) (Status, error) {
	if st := Status(s); st.IsValid() {
		return st, nil
	}
	return "", fmt.Errorf("unknown status %q (want %s)", s, statusList())
}

// IsValid reports whether s is one of the four statuses.
func (s Status) IsValid() bool { return slices.Contains(allStatuses, s) }

// String is the status's text form; the zero value's is empty.
func (s Status) String() string { return string(s) }

func statusList() string {
	names := make([]string, len(allStatuses))
	for i, s := range allStatuses {
		names[i] = string(s)
	}
	return strings.Join(names, ", ")
}
