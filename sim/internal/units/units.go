// Package units writes the simulator's quantities as its reports read
// them — rates, bytes, virtual times, counts — and rounds rates so float
// noise never reaches a report. The run, the sweep and MACsec's findings
// share it, so a figure reads the same wherever it appears.
package units

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Thousands writes n with thousands separators, as budgets are read.
func Thousands(n uint64) string {
	d := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range d {
		if i > 0 && (len(d)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// Clock writes a moment of virtual time as seconds with millisecond
// precision.
func Clock(t time.Duration) string { return strconv.FormatFloat(t.Seconds(), 'f', 3, 64) + "s" }

// Span writes a duration to the millisecond.
func Span(d time.Duration) string {
	if d == 0 {
		return "0s"
	}
	return d.Round(time.Millisecond).String()
}

// MS writes a duration in milliseconds with three decimals.
func MS(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', 3, 64) + " ms" }

// Rate writes bits per second in the largest unit that keeps a digit
// before the point; infinite or negative is "unlimited".
func Rate(bps float64) string {
	switch {
	case math.IsInf(bps, 1) || bps < 0:
		return "unlimited"
	case bps >= 1e9:
		return strconv.FormatFloat(math.Round(bps/1e6)/1e3, 'f', -1, 64) + " Gbps"
	case bps >= 1e6:
		return strconv.FormatFloat(math.Round(bps/1e3)/1e3, 'f', -1, 64) + " Mbps"
	case bps >= 1e3:
		return strconv.FormatFloat(math.Round(bps)/1e3, 'f', -1, 64) + " kbps"
	}
	return strconv.FormatFloat(math.Round(bps), 'f', -1, 64) + " bps"
}

// Bytes writes a byte count in decimal units, three decimals above a
// thousand.
func Bytes(b int64) string {
	switch {
	case b >= 1e9:
		return strconv.FormatFloat(float64(b)/1e9, 'f', 3, 64) + " GB"
	case b >= 1e6:
		return strconv.FormatFloat(float64(b)/1e6, 'f', 3, 64) + " MB"
	case b >= 1e3:
		return strconv.FormatFloat(float64(b)/1e3, 'f', 3, 64) + " kB"
	}
	return strconv.FormatInt(b, 10) + " B"
}

// Round keeps a rate to the bit per second, so float noise never reaches
// a report.
func Round(x float64) float64 { return math.Round(x) }

// RoundTo rounds to a multiple of q (a power of ten below one), dividing
// last so that 0.2 prints as 0.2.
func RoundTo(x, q float64) float64 { return math.Round(x/q) / math.Round(1/q) }
