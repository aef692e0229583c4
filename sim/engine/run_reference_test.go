package engine

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
)

// refTimer is a timer of refQueue.
type refTimer struct {
	at      Time
	seq     uint64
	pending bool
}

// refQueue is the plainest queue in (time, scheduling) order: a scan of
// every timer for the earliest.
type refQueue struct {
	now Time
	seq uint64
	ts  []refTimer
}

func (q *refQueue) reset(i int, at Time) {
	if at < q.now {
		at = q.now
	}
	q.seq++
	q.ts[i] = refTimer{at, q.seq, true}
}

// best is the timer that fires next, -1 when none is pending.
func (q *refQueue) best() int {
	b := -1
	for i, x := range q.ts {
		if x.pending && (b < 0 || x.at < q.ts[b].at || x.at == q.ts[b].at && x.seq < q.ts[b].seq) {
			b = i
		}
	}
	return b
}

var errPoll = errors.New("poll")

// runAgainstReference drives an engine through Run, Next, budget stops
// and polls that stop it, from a start before zero or at it, with timers
// reset (also from their callbacks, to times before now, on slot
// boundaries and beyond the wheel) and cancelled, and checks each firing,
// the clock and Next against refQueue, and after each Run that every
// entry sits in the part of the calendar its slot belongs to and that
// the count of dead entries is exact.

func runAgainstReference(t *testing.T, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 3))
	e := New(seed)
	ref := &refQueue{}
	n := []int{5, 50, 300}[r.IntN(3)]
	spreads := []Time{1, 1000, 1 << 20, 3 << 20, 1 << 30, 4 << 30, 5 << 30, 50 << 30, 1 << 40}
	start := Time(0)
	if r.IntN(2) == 0 {
		start = -Time(r.Int64N(int64(20 << 30)))
		e.StartAt(start)
		ref.now = start
	}
	ts := make([]*Timer, n)
	ref.ts = make([]refTimer, n)
	fail := ""
	randTime := func() Time {
		sp := spreads[r.IntN(len(spreads))]
		base := ref.now
		switch r.IntN(5) {
		case 0:
			return base + Time(r.Int64N(int64(sp)))
		case 1:
			return base - Time(r.Int64N(int64(sp))) // clamped
		case 2:
			// on a slot boundary
			return Time((int64(base)>>slotShift + r.Int64N(5000)) << slotShift)
		case 3:
			// about the wheel's far edge, whose bucket is the current
			// slot's
			return Time((e.cur+wheelSlots+r.Int64N(5)-2)<<slotShift) + Time(r.Int64N(3)-1)
		default:
			return base
		}
	}
	ops := func(k int) {
		for range k {
			j := r.IntN(n)
			if r.IntN(5) == 0 {
				e.Cancel(ts[j])
				ref.ts[j].pending = false
			} else {
				at := randTime()
				e.Reset(ts[j], at)
				ref.reset(j, at)
			}
		}
	}
	for i := range ts {
		ts[i] = e.NewTimer(func() {
			b := ref.best()
			if fail == "" && (b != i || ref.ts[b].at != e.Now()) {
				bt := Time(-1)
				if b >= 0 {
					bt = ref.ts[b].at
				}
				fail = fmt.Sprintf("seed %d: fired %d at %v, ref %d at %v", seed, i, e.Now(), b, bt)
			}
			if b >= 0 {
				ref.ts[b].pending = false
				ref.now = ref.ts[b].at
			}
			ops(r.IntN(4))
		})
	}
	ops(n)
	polls := 0
	if r.IntN(2) == 0 {
		e.SetPoll(func() error {
			polls++
			if polls%3 == 0 {
				return errPoll
			}
			return nil
		})
	}
	for step := 0; step < 60 && fail == ""; step++ {
		switch r.IntN(6) {
		case 0:
			at, ok := e.Next()
			b := ref.best()
			if ok != (b >= 0) || ok && at != ref.ts[b].at {
				t.Fatalf("seed %d: Next %v %v, ref %d", seed, at, ok, b)
			}
		case 1:
			ops(1 + r.IntN(20))
		case 2:
			e.SetLimit(e.Work() + uint64(r.IntN(50)))
		}
		if e.limit == 0 {
			e.SetLimit(e.Work() + 3000)
		}
		until := ref.now + Time(r.Int64N(int64(spreads[r.IntN(len(spreads))])))
		err := e.Run(until)
		if err != nil {
			// A stopped run stays stopped; clearing the error goes on
			// with the same queue, as a fresh Run after a raised
			// budget would.
			e.err = nil
			e.SetLimit(0)
			ref.now = e.now
			continue
		}
		if fail != "" {
			break
		}
		if b := ref.best(); b >= 0 && ref.ts[b].at <= until {
			t.Fatalf("seed %d: Run(%v) left ref %d at %v", seed, until, b, ref.ts[b].at)
		}
		if until > ref.now {
			ref.now = until
		}
		if e.Now() != ref.now {
			t.Fatalf("seed %d: now %v ref %v", seed, e.Now(), ref.now)
		}
		checkWheel(t, e, seed)
		for _, x := range e.far {
			if slotOf(x.at) <= e.cur {
				t.Fatalf("seed %d: far entry slot %d cur %d", seed, slotOf(x.at), e.cur)
			}
		}
		if dead := deadEntries(e); dead != e.dead {
			t.Fatalf("seed %d: dead %d counted %d", seed, e.dead, dead)
		}
	}
	if fail != "" {
		t.Fatal(fail)
	}
}

// TestEngineRunMatchesReference is runAgainstReference over 40 seeds.
func TestEngineRunMatchesReference(t *testing.T) {
	for seed := uint64(1); seed <= 40; seed++ {
		runAgainstReference(t, seed)
	}
}

// checkWheel fails t unless every bucket of e's wheel is marked in the
// bitmap exactly when it holds timers, each timer there is marked as its
// own entry and due in a slot the bucket stands for, the buckets hold as
// many timers as e counts, and every link is in one bucket or free (and
// then empty), never both.
func checkWheel(t *testing.T, e *Engine, seed uint64) {
	t.Helper()
	chained := 0
	seen := make([]bool, len(e.links))
	for b := range e.wheel {
		if set := e.occupied[b>>6]&(1<<(b&63)) != 0; set != (e.wheel[b] != 0) {
			t.Fatalf("seed %d: bucket %d holds a timer: %v, marked: %v", seed, b, e.wheel[b] != 0, set)
		}
		for i := e.wheel[b]; i != 0; i = e.links[i].next {
			if seen[i] {
				t.Fatalf("seed %d: link %d twice in the wheel's buckets", seed, i)
			}
			seen[i] = true
			tm := e.links[i].t
			s := slotOf(tm.qat)
			if tm.inq&wheelBit == 0 || s <= e.cur || s-e.cur > wheelSlots || s&(wheelSlots-1) != int64(b) {
				t.Fatalf("seed %d: wheel timer of slot %d (inq %#x) in bucket %d, cur %d", seed, s, tm.inq, b, e.cur)
			}
			if chained++; chained > e.inWheel {
				t.Fatalf("seed %d: more timers in the wheel's buckets than the %d counted (a cycle?)", seed, e.inWheel)
			}
		}
	}
	if chained != e.inWheel {
		t.Fatalf("seed %d: %d timers in buckets, %d counted", seed, chained, e.inWheel)
	}
	for _, i := range e.free {
		if i == 0 || seen[i] || e.links[i] != (link{}) {
			t.Fatalf("seed %d: free link %d is in use: %+v, chained %v", seed, i, e.links[i], seen[i])
		}
		seen[i] = true
	}
	for i := 1; i < len(seen); i++ {
		if !seen[i] {
			t.Fatalf("seed %d: link %d neither chained nor free", seed, i)
		}
	}
}
