//go:build unix

package planner_test

import "syscall"

// peakRSSMB is the process's peak resident set, in MiB (Linux reports
// ru_maxrss in KiB).
func peakRSSMB() (float64, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return float64(ru.Maxrss) / 1024, true
}
