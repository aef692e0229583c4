//go:build unix

package planner_test

import (
	"runtime"
	"syscall"
)

// peakRSSMB is the process's peak resident set, in MiB: getrusage gives
// ru_maxrss in bytes on macOS and in KiB elsewhere.
func peakRSSMB() (float64, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		return float64(ru.Maxrss) / (1 << 20), true
	}
	return float64(ru.Maxrss) / 1024, true
}
