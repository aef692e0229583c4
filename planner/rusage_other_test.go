//go:build !unix

package planner_test

// peakRSSMB is not measured where getrusage does not exist.
func peakRSSMB() (float64, bool) { return 0, false }
