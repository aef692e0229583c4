package engine

import (
	"cmp"
	mathbits "math/bits"
	"slices"
	"testing"
	"time"
)

func TestEngineOrdersByTimeThenScheduling(t *testing.T) {
	e := New(1)
	var got []string
	e.At(2*time.Second, func() { got = append(got, "b1") })
	e.At(1*time.Second, func() { got = append(got, "a") })
	e.At(2*time.Second, func() { got = append(got, "b2") })
	e.At(3*time.Second, func() {
		got = append(got, "c")
		e.After(0, func() { got = append(got, "c-now") })
	})
	e.Run(10 * time.Second)
	want := []string{"a", "b1", "b2", "c", "c-now"}
	if !slices.Equal(got, want) {
		t.Fatalf("order %v, want %v", got, want)
	}
	if e.Now() != 10*time.Second || e.Fired() != 5 {
		t.Fatalf("now %v fired %d", e.Now(), e.Fired())
	}
}

func TestEngineCancelAndReset(t *testing.T) {
	e := New(1)
	var got []Time
	rec := func() { got = append(got, e.Now()) }
	a := e.At(1*time.Second, rec)
	b := e.At(2*time.Second, rec)
	c := e.At(3*time.Second, rec)
	e.Cancel(b)
	e.Cancel(b) // twice is harmless
	e.Reset(c, 500*time.Millisecond)
	e.Reset(a, 4*time.Second)
	if b.Pending() || !a.Pending() {
		t.Fatal("pending state wrong")
	}
	e.Run(time.Minute)
	want := []Time{500 * time.Millisecond, 4 * time.Second}
	if !slices.Equal(got, want) {
		t.Fatalf("fired at %v, want %v", got, want)
	}
}

func TestEngineRunStopsAtUntil(t *testing.T) {
	e := New(1)
	n := 0
	var tick *Timer
	tick = e.NewTimer(func() { n++; e.Reset(tick, e.Now()+time.Second) })
	e.Reset(tick, 0)
	e.Run(10 * time.Second)
	if n != 11 || e.Now() != 10*time.Second {
		t.Fatalf("ticks %d at %v, want 11 at 10s", n, e.Now())
	}
	e.Run(15 * time.Second)
	if n != 16 {
		t.Fatalf("resumed run ticked %d, want 16", n)
	}
}

// TestEngineHeapProperty schedules, cancels and resets many timers at
// random and checks they fire in order.
func TestEngineHeapProperty(t *testing.T) {
	e := New(7)
	r := New(99).Rand()
	var last Time
	bad := false
	timers := make([]*Timer, 500)
	for i := range timers {
		timers[i] = e.NewTimer(func() {
			if e.Now() < last {
				bad = true
			}
			last = e.Now()
		})
		e.Reset(timers[i], Time(r.IntN(1e6)))
	}
	for range 2000 {
		x := timers[r.IntN(len(timers))]
		if r.IntN(3) == 0 {
			e.Cancel(x)
		} else {
			e.Reset(x, Time(r.IntN(1e6)))
		}
	}
	e.Run(time.Second)
	if bad {
		t.Fatal("events fired out of order")
	}
}

func TestEngineSeededRandomIsReproducible(t *testing.T) {
	a, b := New(42).Rand(), New(42).Rand()
	for range 100 {
		if a.Uint64() != b.Uint64() {
			t.Fatal("same seed, different numbers")
		}
	}
	if New(1).Rand().Uint64() == New(2).Rand().Uint64() {
		t.Fatal("different seeds, same first number")
	}
}

// BenchmarkEngineTimers is a timer-heavy workload: 10,000 periodic timers
// with jittered periods, each rescheduling itself, as BFD and BGP keepalive
// timers do. One op is a million events, so even -benchtime=1x measures a
// steady state; it reports events per second.
func BenchmarkEngineTimers(b *testing.B) {
	const timers, perOp = 10_000, 1_000_000
	e := New(1)
	rng := e.Rand()
	ts := make([]*Timer, timers)
	for i := range ts {
		var t *Timer
		t = e.NewTimer(func() {
			e.Reset(t, e.Now()+300*time.Millisecond-Time(rng.Int64N(int64(75*time.Millisecond))))
		})
		ts[i] = t
		e.Reset(t, Time(rng.Int64N(int64(300*time.Millisecond))))
	}
	b.ResetTimer()
	start := e.Fired()
	horizon := e.Now()
	for e.Fired()-start < uint64(b.N)*perOp {
		horizon += 10 * time.Millisecond
		e.Run(horizon)
	}
	b.ReportMetric(float64(e.Fired()-start)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkEngineSparse is one timer firing once a period: the calendar
// must pass the empty slots between two events without reading each.
func BenchmarkEngineSparse(b *testing.B) {
	for _, period := range []time.Duration{10 * time.Millisecond, time.Second, 4 * time.Second} {
		b.Run(period.String(), func(b *testing.B) {
			e := New(1)
			var t *Timer
			t = e.NewTimer(func() { e.Reset(t, e.Now()+period) })
			e.Reset(t, 0)
			start := e.Fired()
			for e.Fired()-start < uint64(b.N) {
				e.Run(e.Now() + period)
			}
		})
	}
}

// TestEngineMatchesReference schedules, reschedules and cancels timers at
// random, also from inside callbacks, and checks the engine fires them in
// the order a plain scan for the earliest (time, scheduling) would, with
// its count of dead queue entries exact; the larger case reaches the
// compaction of the queue. The seeds spread the timers over a few
// microseconds (all in the calendar's current slot), over tens of slots,
// and over more than the wheel reaches, so that entries move between
// all three parts of the queue.
func TestEngineMatchesReference(t *testing.T) {
	type ref struct {
		at      Time
		seq     uint64
		pending bool
	}
	for seed := uint64(1); seed <= 41; seed++ {
		n := 200
		spread := [...]int{5000, 50_000_000, 20_000_000_000}[seed%3]
		if seed == 41 {
			n = 4000
		}
		e := New(seed)
		r := New(seed + 1000).Rand()
		refs := make([]ref, n)
		var seq uint64
		timerOf := make([]*Timer, n)
		reset := func(i int, at Time) {
			e.Reset(timerOf[i], at)
			seq++
			refs[i] = ref{max(at, e.Now()), seq, true}
		}
		for i := range timerOf {
			timerOf[i] = e.NewTimer(func() {
				for range r.IntN(6) {
					j := r.IntN(n)
					if r.IntN(3) == 0 {
						e.Cancel(timerOf[j])
						refs[j].pending = false
					} else {
						reset(j, e.Now()+Time(r.IntN(spread)))
					}
				}
			})
		}
		for i := range timerOf {
			reset(i, Time(r.IntN(spread)))
		}
		if seed == 41 {
			// Cancelled timers and timers moved earlier leave dead
			// entries, many more than the rest: the queue must drop
			// them rather than grow.
			for range 4 {
				for j := range n {
					if r.IntN(2) == 0 {
						e.Cancel(timerOf[j])
						refs[j].pending = false
					} else {
						reset(j, Time(r.IntN(spread)))
					}
					if e.dead >= 1024 && 2*e.dead >= e.queued() {
						t.Fatalf("%d dead entries of %d: the queue was not compacted", e.dead, e.queued())
					}
					if j%500 == 0 {
						checkWheel(t, e, seed)
					}
				}
			}
			if e.queued() > 3*n {
				t.Fatalf("%d entries for %d timers", e.queued(), n)
			}
		}
		for {
			best := -1
			for i, x := range refs {
				if x.pending && (best < 0 || x.at < refs[best].at || x.at == refs[best].at && x.seq < refs[best].seq) {
					best = i
				}
			}
			if best < 0 || refs[best].at > Time(20*spread) {
				break
			}
			refs[best].pending = false
			tm := e.front()
			if tm != timerOf[best] || tm.at != refs[best].at {
				t.Fatalf("seed %d: the engine fires a timer other than %d at %v", seed, best, refs[best].at)
			}
			e.pop()
			tm.fired()
			e.now = tm.at
			tm.run.Fire()
			if dead := deadEntries(e); dead != e.dead {
				t.Fatalf("seed %d: %d dead entries counted, %d in the queue", seed, e.dead, dead)
			}
		}
	}
}

// deadEntries counts the entries of e's queue that fire nothing, as
// e.dead should.
func deadEntries(e *Engine) int {
	dead := 0
	count := func(q []entry) {
		for _, x := range q {
			if x.seq != x.t.inq || !x.t.pending() {
				dead++
			}
		}
	}
	count(e.near)
	count(e.far)
	for _, x := range e.wheelEntries() {
		// A timer in the wheel is its own entry (checkWheel checks its
		// mark): dead only if cancelled.
		if !x.t.pending() {
			dead++
		}
	}
	return dead
}

// wheelEntries is every entry in e's wheel: the timers in its buckets,
// found through the bitmap of buckets in use (reading every head, for
// every event checked, made the test slow), so a bucket in use but not
// marked is missed, which runAgainstReference catches.
func (e *Engine) wheelEntries() []entry {
	var q []entry
	for w, bits := range e.occupied {
		for ; bits != 0; bits &= bits - 1 {
			b := w*64 + mathbits.TrailingZeros64(bits)
			for i := e.wheel[b]; i != 0; i = e.links[i].next {
				t := e.links[i].t
				q = append(q, entry{at: t.qat, seq: t.inq &^ wheelBit, t: t})
			}
		}
	}
	return q
}

// Compaction while the current slot holds thousands of entries keeps the
// slot in order: 3,000 timers due within one slot, every other one
// cancelled from the first callback (enough dead entries to compact the
// queue), fire in (time, scheduling) order, the survivors only.
func TestEngineCompactsAFullSlotInOrder(t *testing.T) {
	e := New(3)
	r := New(5).Rand()
	const n = 3000
	timers := make([]*Timer, n)
	type key struct {
		at  Time
		seq int
	}
	keys := make([]key, n)
	var fired []int
	compacted := false
	for i := range timers {
		timers[i] = e.NewTimer(func() {
			fired = append(fired, i)
			if len(fired) == 1 {
				for j := 1; j < n; j += 2 {
					e.Cancel(timers[j])
				}
				// The cancellations outnumbered the rest: the queue was
				// compacted, the slot's dead entries dropped.
				compacted = e.dead < n/4 && len(e.near) <= n/2
			}
		})
		keys[i] = key{Time(1<<slotShift) + Time(r.IntN(1<<slotShift)), i}
		e.Reset(timers[i], keys[i].at)
	}
	if err := e.Run(time.Second); err != nil {
		t.Fatal(err)
	}
	if !compacted {
		t.Fatal("the cancellations did not compact the queue: the test tests nothing")
	}
	if e.dead != 0 || len(e.near) != 0 {
		t.Fatalf("after the run: %d dead entries counted, %d left in the slot", e.dead, len(e.near))
	}
	want := []int{}
	first := fired[0]
	for i := 0; i < n; i += 2 {
		want = append(want, i)
	}
	if first%2 == 1 {
		want = append(want, first)
	}
	slices.SortFunc(want, func(a, b int) int {
		if keys[a].at != keys[b].at {
			return cmp.Compare(keys[a].at, keys[b].at)
		}
		return cmp.Compare(a, b)
	})
	if !slices.Equal(fired, want) {
		t.Fatalf("fired %d timers, want %d, or out of order", len(fired), len(want))
	}
}

// TestSortNearMatchesSort checks sortNear against a plain sort on slots of
// every size it treats apart: the network's (every order of eight, ties
// in time among them, keys at the edges of what packs and past them),
// insertion's and pdqsort's; that the network runs whenever the keys
// pack, so that no slot it should order falls back unseen; and that
// nothing past the slot is read or written.
func TestSortNearMatchesSort(t *testing.T) {
	timers := make([]Timer, 20)
	// packs says whether q's keys fit the network's words: times within
	// 2^(atBits-1) ns below the first's and less above, schedulings within
	// 2^(seqBits-1) likewise.
	packs := func(q []entry) bool {
		for i := range q {
			dt, ds := int64(q[i].at-q[0].at), int64(q[i].seq-q[0].seq)
			if dt < -1<<(atBits-1) || dt >= 1<<(atBits-1) || ds < -1<<(seqBits-1) || ds >= 1<<(seqBits-1) {
				return false
			}
		}
		return true
	}
	check := func(q []entry) {
		t.Helper()
		want := slices.Clone(q)
		slices.SortFunc(want, func(a, b entry) int {
			if b.before(&a) {
				return -1
			}
			return 1
		})
		// As near, with room past its end holding what an earlier slot
		// left there, which sorting must not touch.
		room := make([]entry, 16)
		for i := range room {
			room[i] = entry{at: Time(i), seq: uint64(i), t: &timers[i]}
		}
		got := append(room[:0], q...)
		sortNear(got)
		if !slices.Equal(got, want) {
			t.Fatalf("sortNear(%v) = %v, want %v", q, got, want)
		}
		for i := len(q); i < len(room); i++ {
			if (room[i] != entry{at: Time(i), seq: uint64(i), t: &timers[i]}) {
				t.Fatalf("sortNear(%v) wrote %v past the end", q, room[i])
			}
		}
		// With no room past its end.
		short := make([]entry, len(q))
		copy(short, q)
		sortNear(short)
		if !slices.Equal(short, want) {
			t.Fatalf("sortNear(%v) with no room = %v, want %v", q, short, want)
		}
		if n := len(q); n >= 1 && n <= 9 {
			// With no room past its end, so that reading there fails.
			net := make([]entry, n)
			copy(net, q)
			if ok, accept := sortEight(net), packs(q) && n <= 8; ok != accept {
				t.Fatalf("sortEight(%v) = %v, want %v", q, ok, accept)
			} else if ok && !slices.Equal(net, want) {
				t.Fatalf("sortEight(%v) ordered %v, want %v", q, net, want)
			} else if !ok && !slices.Equal(net, q) {
				t.Fatalf("sortEight(%v) refused but changed it to %v", q, net)
			}
		}
	}
	base := []entry{}
	for i := range 8 {
		// Entries 2 and 5 are due at the same time: their schedulings
		// order them.
		at := Time(1<<slotShift*7 + 1000*i)
		if i == 5 {
			at = base[2].at
		}
		base = append(base, entry{at: at, seq: uint64(100 + 7*i), t: &timers[i]})
	}
	var permute func(q []entry, k int)
	permute = func(q []entry, k int) {
		if k == len(q) {
			for n := range len(q) + 1 {
				check(q[:n])
			}
			return
		}
		for i := k; i < len(q); i++ {
			q[k], q[i] = q[i], q[k]
			permute(q, k+1)
			q[k], q[i] = q[i], q[k]
		}
	}
	permute(slices.Clone(base), 0)

	// At the edges of what packs, each way, in time and in scheduling.
	for _, d := range []int64{-1<<(atBits-1) - 1, -1 << (atBits - 1), 1<<(atBits-1) - 1, 1 << (atBits - 1)} {
		for n := 4; n <= 8; n++ {
			q := slices.Clone(base[:n])
			q[n-1].at = q[0].at + Time(d)
			check(q)
		}
	}
	for _, d := range []int64{-1<<(seqBits-1) - 1, -1 << (seqBits - 1), 1<<(seqBits-1) - 1, 1 << (seqBits - 1)} {
		for n := 4; n <= 8; n++ {
			q := slices.Clone(base[:n])
			for i := range q {
				q[i].seq += 1 << seqBits // so that none goes below 0
			}
			q[n-1].seq = q[0].seq + uint64(d)
			check(q)
		}
	}

	r := New(7).Rand()
	for range 2000 {
		q := make([]entry, r.IntN(len(timers)+1))
		for i := range q {
			q[i] = entry{at: Time(r.IntN(1 << atBits)), seq: r.Uint64N(1 << 20), t: &timers[i]}
			if r.IntN(4) == 0 && i > 0 {
				q[i].at = q[r.IntN(i)].at
			}
		}
		check(q)
		if len(q) > 1 {
			// Too far apart in time, or in scheduling, to pack.
			q[0].at = q[1].at + 1<<atBits
			check(q)
			q[0].at = q[1].at
			q[0].seq = q[1].seq + 1<<seqBits
			check(q)
		}
	}
}

// BenchmarkSortNear orders slots as a thousand channels fill them: some
// five entries each, due anywhere in the slot.
func BenchmarkSortNear(b *testing.B) {
	r := New(3).Rand()
	timers := make([]Timer, 16)
	slots := make([][]entry, 1<<16)
	var seq uint64
	for i := range slots {
		// Poisson-distributed sizes with mean five, by counting
		// exponential gaps within one unit.
		n := 0
		for t := r.ExpFloat64() / 5; t < 1 && n < len(timers); t += r.ExpFloat64() / 5 {
			n++
		}
		for j := range n {
			seq += 1 + r.Uint64N(50)
			slots[i] = append(slots[i], entry{at: Time(i)<<slotShift + Time(r.IntN(1<<slotShift)), seq: seq, t: &timers[j]})
		}
	}
	q := make([]entry, 0, 64)
	for i := 0; b.Loop(); i++ {
		q = append(q[:0], slots[i%len(slots)]...)
		sortNear(q)
	}
}
