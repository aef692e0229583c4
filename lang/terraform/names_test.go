package terraform

import (
	"strings"
	"testing"
)

// TestGoogleNamesFitSixtyThree: a Google Cloud network's name, and its
// subnetworks' with "-N" after it, are at most 63 characters, and two long
// names that share their start stay apart.
func TestGoogleNamesFitSixtyThree(t *testing.T) {
	long := strings.Repeat("analytics-lake-", 5)
	a, b := gcpName(long+"east"), gcpName(long+"west")
	if len(a) > 60 || len(b) > 60 || a == b {
		t.Fatalf("%q (%d) and %q (%d): want at most 60 characters each, and different", a, len(a), b, len(b))
	}
	if a[len(a)-1] == '-' || !strings.HasPrefix(a, "analytics-lake-") {
		t.Errorf("%q: want the name's start and a letter or digit last", a)
	}
	if got := gcpName("Lake"); got != "lake" {
		t.Errorf("a short name: %q, want lake", got)
	}
}
