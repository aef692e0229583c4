package engine

import (
	"errors"
	"testing"
	"time"
)

// The limit stops a run at the same event every time, and the poll's
// error stops it too; neither moves the clock on to until.
func TestEngineLimitAndPoll(t *testing.T) {
	ticking := func() *Engine {
		e := New(1)
		tick := e.NewTimer(nil)
		tick.SetFunc(func() { e.Reset(tick, e.Now()+time.Millisecond) })
		e.Reset(tick, 0)
		return e
	}
	e := ticking()
	e.SetLimit(10_000)
	if err := e.Run(time.Hour); !errors.Is(err, ErrBudget) || e.Fired() != 10_000 || e.Now() != 9999*time.Millisecond {
		t.Fatalf("err %v after %d events at %v", err, e.Fired(), e.Now())
	}
	if err := e.Run(time.Hour); !errors.Is(err, ErrBudget) || e.Fired() != 10_000 {
		t.Fatalf("a stopped engine ran on: %v, %d events", err, e.Fired())
	}
	e = ticking()
	e.Charge(9_000)
	e.SetLimit(10_000)
	if err := e.Run(time.Hour); !errors.Is(err, ErrBudget) || e.Fired() != 1_000 {
		t.Fatalf("charged work not counted: %v after %d events", err, e.Fired())
	}
	e = ticking()
	stop := errors.New("stop")
	polls := 0
	e.SetPoll(func() error {
		if polls++; polls == 3 {
			return stop
		}
		return nil
	})
	if err := e.Run(time.Hour); err != stop || e.Fired() != 2*pollEvery {
		t.Fatalf("err %v after %d events", err, e.Fired())
	}
}
