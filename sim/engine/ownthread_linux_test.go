package engine

import (
	"syscall"
	"testing"
	"time"
)

// TestOwnThread holds an engine set to keep its own thread to one thread
// through a run long enough for the scheduler to preempt it several
// times (every 10 ms), which without the lock often resumes it on another
// thread.
func TestOwnThread(t *testing.T) {
	e := New(1)
	e.SetOwnThread(true)
	tids := map[int]int{}
	var spin uint64
	tick := e.NewTimer(nil)
	tick.SetFunc(func() {
		tids[syscall.Gettid()]++
		// About a microsecond of work an event, so that the run takes
		// tens of milliseconds.
		for i := range 300 {
			spin = spin*6364136223846793005 + uint64(i)
		}
		e.Reset(tick, e.Now()+time.Microsecond)
	})
	e.Reset(tick, 0)
	start := time.Now()
	if err := e.Run(60_000 * time.Microsecond); err != nil {
		t.Fatal(err)
	}
	if len(tids) != 1 {
		t.Errorf("the run's events fired on %d threads (%v) in %v, want one", len(tids), tids, time.Since(start))
	}
	if spin == 0 {
		t.Log(spin) // keeps the work
	}
}
