package main

import (
	"fmt"
	"io"
	"os"
	"time"
)

// exitInterrupted is the shell's code for a process stopped by SIGINT
// (128 + 2), so scripts tell Ctrl-C from a failure.
const exitInterrupted = 130

// interrupted reports a run stopped by Ctrl-C. It is returned before any
// output is written: a stopped run leaves nothing behind.
func interrupted(stderr io.Writer) error {
	fmt.Fprintln(stderr, "patchbay: interrupted")
	return exitError{exitInterrupted}
}

// progress is a status line for long runs, on a terminal only: tests, CI
// logs and redirected output never see it, so they stay byte-identical.
// It appears once the run has taken delay, changes at most every
// progressEvery, and is erased when the run ends. A nil *progress shows
// nothing.
type progress struct {
	w           io.Writer
	start, last time.Time
	delay       time.Duration
	shown       bool
}

const progressEvery = 200 * time.Millisecond

// newProgress returns a status line on stderr when it is a terminal, else nil.
func newProgress(stderr io.Writer, delay time.Duration) *progress {
	f, ok := stderr.(*os.File)
	if !ok || !isTerminal(f) {
		return nil
	}
	return &progress{w: stderr, start: time.Now(), delay: delay}
}

// show replaces the status line, if the rate allows.
func (p *progress) show(format string, args ...any) {
	if p == nil {
		return
	}
	now := time.Now()
	if now.Sub(p.start) < p.delay || now.Sub(p.last) < progressEvery {
		return
	}
	p.last, p.shown = now, true
	// \r returns to the start of the line and \x1b[K clears the rest of it.
	fmt.Fprintf(p.w, "\r"+format+"\x1b[K", args...)
}

// done erases the status line, so what follows starts on a clean line.
func (p *progress) done() {
	if p != nil && p.shown {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.shown = false
	}
}

// isTerminal reports whether f is a character device (a terminal), where a
// progress line helps; in CI logs it would only add noise.
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
