// Command patchbay plans, prices, simulates and draws private cloud network
// designs written in Starlark. It only wires flags, files and exit codes; the
// work happens in lang, planner and sim.
package main

import (
	"os"
	"runtime/debug"
)

// gcPercent is the collector's GOGC for a run, unless GOGC is set. A
// command is a short batch that keeps most of what it makes (a design's
// every resource, a plan's every table), which at the default 100 the
// collector marks again at each doubling of the heap: validating the
// 10,000-VPC design spent about a fifth of its time collecting, and 200
// took its time from 2.4–2.7× bare Starlark's to 1.5–1.85× (with bare
// Starlark at 200 too). The heap may then reach three times what is live
// rather than twice; the script's memory budget counts what it holds, not
// garbage (lang/starlark's watchMemory collects before it refuses). The
// Go compiler raises its starting GOGC for the same reason.
// BenchmarkValidateVsBareStarlark (planner) runs at the same setting.
const gcPercent = 200

func main() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(gcPercent)
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
