// Command patchbay plans, prices, simulates and draws private cloud network
// designs written in Starlark. It only wires flags, files and exit codes; the
// work happens in lang, planner and sim.
package main

import (
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
