//go:build unix

package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// Ctrl-C stops a long sim, sweep or script: exit 130, "interrupted", and
// none of the outputs it was asked for — nor a temporary file — left behind.
func TestInterrupt(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT to send")
	}
	bin := hostileBinary(t)
	// Twenty Interconnects with a flow each: a week of simulation, or a
	// simulated sweep of some 260 cases, is minutes of work, far more than
	// the test waits. The budgets are raised so that only the interrupt
	// stops them.
	var design strings.Builder
	var flows []string
	for i := range 20 {
		simPair(&design, i)
		flows = append(flows, fmt.Sprintf("flow(g%d, v%d, rate = \"1Gbps\")", i, i))
	}
	fmt.Fprintf(&design, "scenario(\"week\", duration = \"7d\", flows = [%s], probes = [probe(v0, g0, interval = \"1s\")])\n", strings.Join(flows, ", "))
	for _, c := range []struct {
		name   string
		args   []string
		script string // the design, when not the one above
	}{
		{"sim", []string{"sim", "--max-events", "1000000000000", "--metrics", "m.csv", "--plot", "p.svg", "--keylog", "k.log", "design.star"}, ""},
		{"sweep", []string{"sweep", "--simulate", "--max-events", "1000000000000", "-o", "out.json", "--plot", "p.svg", "--diagram", "d.dot", "design.star"}, ""},
		// A script still running: interrupted, not a script's error.
		{"script", []string{"render", "--max-steps", "1000000000000", "-o", "d.png", "design.star"}, "def f():\n    n = 0\n    for i in range(1000000000):\n        n += i\n    return n\n\nx = f()\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			src := design.String()
			if c.script != "" {
				src = c.script
			}
			if err := os.WriteFile(filepath.Join(dir, "design.star"), []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(bin, c.args...)
			cmd.Dir = dir
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			// Stderr is no terminal, so there is no progress line to wait
			// for: the design loads in well under this, and the run then
			// takes minutes.
			select {
			case err := <-exited:
				t.Fatalf("finished before the interrupt (%v); stderr:\n%s", err, stderr.String())
			case <-time.After(2 * time.Second):
			}
			if err := cmd.Process.Signal(os.Interrupt); err != nil {
				t.Fatal(err)
			}
			var err error
			select {
			case err = <-exited:
			case <-time.After(30 * time.Second):
				_ = cmd.Process.Kill()
				<-exited
				t.Fatalf("still running 30 s after the interrupt; stderr:\n%s", stderr.String())
			}
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != exitInterrupted {
				t.Errorf("exit %v, want %d; stderr:\n%s", err, exitInterrupted, stderr.String())
			}
			if got := stderr.String(); got != "patchbay: interrupted\n" {
				t.Errorf("stderr = %q, want %q", got, "patchbay: interrupted\n")
			}
			if stdout.Len() > 0 {
				t.Errorf("stdout has %d bytes after the interrupt:\n%.500s", stdout.Len(), stdout.String())
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			if !slices.Equal(names, []string{"design.star"}) {
				t.Errorf("the directory holds %v after the interrupt, want only design.star", names)
			}
		})
	}
}

// TestFIFOWaitsForAReaderAndCtrlC: an output that is a named pipe with no
// reader yet waits for one, as tee does — and Ctrl-C still stops the wait
// with exit 130, leaving the pipe a pipe.
func TestFIFOWaitsForAReaderAndCtrlC(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("named pipes and SIGINT")
	}
	bin := hostileBinary(t)
	design, err := filepath.Abs("../../examples/multicloud.star")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	fifo := filepath.Join(dir, "out.dot")
	if err := mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	// A reader that comes late gets the whole drawing.
	cmd := exec.Command(bin, "render", design, "-o", fifo)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	got, err := os.ReadFile(fifo)
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil || !bytes.HasPrefix(got, []byte("digraph")) {
		t.Fatalf("late reader: %v, read %.40q", err, got)
	}
	// No reader at all: Ctrl-C ends the wait.
	cmd = exec.Command(bin, "render", design, "-o", fifo)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	time.Sleep(500 * time.Millisecond)
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != exitInterrupted {
			t.Errorf("exit %v, want %d; stderr: %s", err, exitInterrupted, stderr.String())
		}
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("still waiting for a reader 10 s after Ctrl-C")
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&fs.ModeNamedPipe == 0 {
		t.Errorf("the pipe was replaced: %v %v", fi.Mode(), err)
	}
}
