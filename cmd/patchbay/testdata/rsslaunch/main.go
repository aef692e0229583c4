// Command rsslaunch runs a program and writes its peak resident memory in
// KiB to the file named by $RSSLAUNCH_OUT, exiting with the program's exit
// code (128+signal when a signal ended it).
//
// The hostile-input test starts each case through it because Linux charges
// a child the parent's resident set at exec: a child started straight from
// the test process (hundreds of MiB) reports at least that much, whatever
// it used itself. This launcher is a few MiB, so what it reports is the
// program's own peak.
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: rsslaunch PROGRAM [ARG...]")
		os.Exit(125)
	}
	cmd := exec.Command(os.Args[1], os.Args[2:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		fmt.Fprintln(os.Stderr, "rsslaunch:", err)
		os.Exit(125)
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if ru == nil {
		fmt.Fprintln(os.Stderr, "rsslaunch: no resource usage")
		os.Exit(125)
	}
	if err := os.WriteFile(os.Getenv("RSSLAUNCH_OUT"), fmt.Appendf(nil, "%d\n", ru.Maxrss), 0o600); err != nil {
		fmt.Fprintln(os.Stderr, "rsslaunch:", err)
		os.Exit(125)
	}
	ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if ws.Signaled() {
		os.Exit(128 + int(ws.Signal()))
	}
	os.Exit(ws.ExitStatus())
}
