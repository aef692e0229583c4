// Package engine is the simulator's clock: virtual time, one queue of
// reschedulable timers fired in (time, scheduling) order, and the run's one
// seeded random source, so a run's outcome depends only on what is
// scheduled and the seed. It knows nothing of networks or protocols.
package engine

import (
	"errors"
	"math/bits"
	"math/rand/v2"
	"runtime"
	"slices"
	"time"
)

// Time is virtual time since the start of a run, in nanoseconds.
type Time = time.Duration

// Timer is a callback scheduled on an Engine. A Timer may be rescheduled
// with Reset after it fires or while pending, so periodic work allocates
// nothing per tick. A Timer value with only fn set is an unscheduled
// timer, so one can live inside what it serves.
type Timer struct {
	run Handler
	at  Time // when it fires
	// seq is its place among timers due at the same time, with
	// pendingBit set while it is scheduled.
	seq uint64
	// The queue entry that stands for the timer, keyed (qat, inq), no
	// later than (at, seq); inq is 0 when there is none. A timer does not
	// know where an entry in a heap is: keeping positions current wrote
	// to every timer an entry moved past, a cache miss each once
	// thousands were pending. And a timer pushed later while pending (a
	// detection or hold timer, on every packet) keeps its entry, which
	// moves to the new key when it reaches the front. inq has wheelBit
	// set when the entry is the timer itself, in a wheel bucket.
	inq uint64
	qat Time
}

// The top bits of seq and inq, which a run's count of schedulings never
// reaches (2^63), hold two flags, so that a Timer is 48 bytes: inside
// what it serves, with the fields a packet reads, it leaves them room on
// its cache line.
const (
	pendingBit = 1 << 63 // in seq: the timer is scheduled
	wheelBit   = 1 << 63 // in inq: the entry is the timer, in a wheel bucket
)

func (t *Timer) pending() bool { return t.seq&pendingBit != 0 }

// fired marks t as firing now: no longer pending, its entry gone.
func (t *Timer) fired() { t.seq, t.inq = t.seq&^pendingBit, 0 }

// SetFunc sets what t runs when it fires. A timer kept inside what it
// serves (a packet in flight, reused) is made this way, without NewTimer's
// allocation; the zero Timer is unscheduled.
func (t *Timer) SetFunc(fn func()) { t.run = funcHandler(fn) }

// Handler is what a timer runs, as a method of what it serves.
type Handler interface {
	// Fire runs when the timer fires, at its time on the engine's clock.
	Fire()
}

// SetHandler sets what t runs when it fires to h.Fire. A timer kept
// inside what it serves runs a method of it this way rather than through
// a method value (SetFunc), which is one more object, apart from both, to
// read on every firing: a cache miss an event once thousands of timers
// are pending.
func (t *Timer) SetHandler(h Handler) { t.run = h }

// funcHandler runs a func as a Handler.
type funcHandler func()

func (f funcHandler) Fire() { f() }

// Pending reports whether t is scheduled.
func (t *Timer) Pending() bool { return t.pending() }

// When is the time t fires (or last fired).
func (t *Timer) When() Time { return t.at }

// Engine is the event loop: virtual time, one queue, one seeded random
// source. It runs on one goroutine, so a run's outcome depends only on the
// design, the scenario and the seed.
type Engine struct {
	now Time
	seq uint64
	// The queue is a calendar (Brown, "Calendar queues", CACM 31(10),
	// 1988) in three parts, split by the slot an entry is due in: near,
	// what is due in the current slot, cur, in order, the next last (a
	// slot holds a few, which a heap took over three times the
	// instructions to order that sorting them takes); wheel, a bucket for
	// each of the next wheelSlots slots, its entries unordered; and far, a
	// heap of what is due later. A timer rescheduled a period ahead, as
	// BFD's and MKA's are on every firing, is added to a bucket, and a
	// bucket is ordered only when its slot comes, among the few entries
	// due in it. One heap of every pending timer instead had each event
	// sift through levels that, once thousands were pending, were out of
	// the processor's caches: a cost per event that grew with the design.
	near []entry
	cur  int64
	// A bucket is a chain through links, a small array of the timers in
	// the wheel: wheel holds each bucket's first link, 0 for none, and a
	// link its timer and the next (0 ends the chain). Following a chain
	// reads links, a few of which share a cache line, and not the timers:
	// the timers' own lines, out of cache a period after they were
	// scheduled, are then read side by side as a slot comes, where a
	// chain through the timers read them one after another, each
	// waiting for the last. A link is freed as its timer leaves the wheel
	// and taken again, last freed first, by the next timer added, so the
	// links in use stay few and in cache.
	wheel   []int32
	links   []link
	free    []int32
	inWheel int
	// occupied has a bit set for each bucket that holds a timer, so that
	// moving on to the next one skips the empty ones a word at a time:
	// stepping over each head cost a sparse run about 1.6 µs a simulated
	// second.
	occupied [wheelSlots / 64]uint64
	far      []entry
	// dead counts the entries queued that fire nothing: their timer was
	// cancelled, or rescheduled earlier under a new entry. They are
	// dropped as they reach the front, or all at once when they outnumber
	// the rest.
	dead  int
	rng   *rand.Rand
	fired uint64

	// limit bounds the work of a run: events fired plus work charged
	// (0: no bound). It counts work, never wall time, so whether a run
	// stays within it is as deterministic as the run itself.
	limit, charged uint64
	// poll is called every pollEvery events; an error it returns stops
	// the run (an interrupt), and it may show progress. It must not touch
	// the simulation, so polling never changes an outcome.
	poll func() error
	err  error
	// ownThread keeps Run on the OS thread it started on (SetOwnThread).
	ownThread bool
}

// A slot is 2^slotShift ns, about a quarter of a millisecond: at a
// thousand channels a slot holds some five events, so ordering near costs
// about what it does at a hundred (with millisecond slots it was a
// sixth of each event's instructions there), and the bitmap of buckets
// in use steps over empty slots 64 at a time. The wheel reaches about 4.3 s
// ahead, past BFD's and MKA's periods, so far holds only the rare long
// timers.
const (
	slotShift  = 18
	wheelSlots = 1 << 14
)

func slotOf(at Time) int64 { return int64(at) >> slotShift }

// ErrBudget is the error Run returns when a run's work reached its limit.
var ErrBudget = errors.New("sim: the run reached its work budget")

// pollEvery is how many events pass between polls: often enough that an
// interrupt stops a run within milliseconds, rarely enough to cost nothing.
const pollEvery = 4096

// New returns an engine at time zero with a random source seeded by seed.
func New(seed uint64) *Engine {
	// Link 0 stands for none, so that a zero bucket head is empty.
	return &Engine{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), wheel: make([]int32, wheelSlots), links: make([]link, 1)}
}

// StartAt sets the clock before anything is scheduled; a run may start
// before zero to warm up.
func (e *Engine) StartAt(t Time) {
	if e.queued() > 0 || e.fired > 0 {
		panic("sim: StartAt after events were scheduled")
	}
	e.now, e.cur = t, slotOf(t)
}

// Now is the current virtual time.
func (e *Engine) Now() Time { return e.now }

// Rand is the run's random source. Every random choice must come from it.
func (e *Engine) Rand() *rand.Rand { return e.rng }

// Fired counts the events run so far.
func (e *Engine) Fired() uint64 { return e.fired }

// Work is the events fired plus the work charged with Charge.
func (e *Engine) Work() uint64 { return e.fired + e.charged }

// SetLimit bounds Work: once it reaches n, Run stops with ErrBudget
// (0: no bound).
func (e *Engine) SetLimit(n uint64) { e.limit = n }

// Charge counts n units of work done inside an event (rerouting every
// flow, say) against the limit, as if n more events had fired.
func (e *Engine) Charge(n uint64) { e.charged += n }

// SetPoll sets the function Run calls every few thousand events; an error
// from it stops Run, which returns it.
func (e *Engine) SetPoll(fn func() error) { e.poll = fn }

// SetOwnThread keeps each Run on one OS thread, locked to it while it
// runs, for a process that runs one simulation at a time. Go's scheduler
// puts a goroutine it preempts (every 10 ms of running) on the global run
// queue and wakes an idle processor, whose thread, on another core, often
// takes it: 15–29 times in a run of 1,000 channels, each time finding
// the run's state in the other core's caches, which the run reads
// millions of times a second. A locked goroutine returns to its own
// thread, which the kernel keeps on its core. Not for runs that share the
// cores (a sweep's workers): a locked goroutine hands its thread over at
// every preemption, and there that cost more than the caches saved.
func (e *Engine) SetOwnThread(on bool) { e.ownThread = on }

// NewTimer returns an unscheduled timer that runs fn.
func (e *Engine) NewTimer(fn func()) *Timer { return &Timer{run: funcHandler(fn)} }

// At schedules fn at absolute time at (not before now).
func (e *Engine) At(at Time, fn func()) *Timer {
	t := e.NewTimer(fn)
	e.Reset(t, at)
	return t
}

// After schedules fn d from now.
func (e *Engine) After(d time.Duration, fn func()) *Timer { return e.At(e.now+d, fn) }

// link is a timer in a wheel bucket and the next link of its chain.
type link struct {
	t    *Timer
	next int32
}

// entry is a queued timer with its key beside it, so that ordering the
// heap reads the array alone instead of chasing a pointer to every timer
// compared: with thousands pending, that made each event cost more as a
// design grew.
type entry struct {
	at  Time
	seq uint64
	t   *Timer
}

// Reset (re)schedules t at time at. Events at the same time run in the
// order they were scheduled.
func (e *Engine) Reset(t *Timer, at Time) {
	if at < e.now {
		at = e.now
	}
	e.seq++
	wasPending := t.pending()
	t.at, t.seq = at, e.seq|pendingBit
	if t.inq != 0 {
		if t.qat <= at {
			// The entry comes first; it moves to (at, seq) then.
			if !wasPending {
				e.dead--
			}
			return
		}
		switch {
		case t.inq&wheelBit != 0:
			// The timer is its own entry: it leaves its bucket for the
			// new one, and leaves nothing dead behind.
			e.unlink(t)
			if !wasPending {
				e.dead--
			}
		case wasPending:
			e.dead++
		}
	}
	t.inq, t.qat = e.seq, at
	e.insert(entry{at: at, seq: e.seq, t: t})
	e.compact()
}

// insert queues x in the part of the calendar its slot falls in.
func (e *Engine) insert(x entry) {
	switch s := slotOf(x.at); {
	case s <= e.cur:
		e.near = append(e.near, x)
		place(e.near, len(e.near)-1)
	case s-e.cur <= wheelSlots:
		// x is the timer's entry (x.seq == x.t.inq): the timer itself
		// goes in the bucket.
		k := s & (wheelSlots - 1)
		var i int32
		if n := len(e.free); n > 0 {
			i, e.free = e.free[n-1], e.free[:n-1]
		} else {
			i = int32(len(e.links))
			e.links = append(e.links, link{})
		}
		e.links[i] = link{t: x.t, next: e.wheel[k]}
		e.wheel[k] = i
		x.t.inq |= wheelBit
		e.occupied[k>>6] |= 1 << (k & 63)
		e.inWheel++
	default:
		e.far = append(e.far, x)
		up(e.far, len(e.far)-1)
	}
}

// unlink takes t, its own entry, out of its wheel bucket.
func (e *Engine) unlink(t *Timer) {
	k := slotOf(t.qat) & (wheelSlots - 1)
	at := &e.wheel[k]
	for e.links[*at].t != t {
		at = &e.links[*at].next
	}
	i := *at
	*at = e.links[i].next
	e.release(i)
	t.inq &^= wheelBit
	e.inWheel--
	if e.wheel[k] == 0 {
		e.occupied[k>>6] &^= 1 << (k & 63)
	}
}

// release frees link i for the next timer added to the wheel.
func (e *Engine) release(i int32) {
	e.links[i] = link{}
	e.free = append(e.free, i)
}

// queued is the number of entries in the queue, dead ones included.
func (e *Engine) queued() int { return len(e.near) + e.inWheel + len(e.far) }

// Cancel unschedules t; cancelling a timer that is not pending does nothing.
func (e *Engine) Cancel(t *Timer) {
	if t.pending() {
		t.seq &^= pendingBit
		e.dead++
		e.compact()
	}
}

// compact drops the dead entries once they are more than half the queue,
// so that they cost it a bounded share. The order the rest fire in is
// that of their keys, whatever the heaps' shapes.
func (e *Engine) compact() {
	if e.dead < 1024 || 2*e.dead < e.queued() {
		return
	}
	e.near = live(e.near) // still in order
	e.far = live(e.far)
	heapify(e.far)
	for b := 0; e.inWheel > 0 && b < len(e.wheel); b++ {
		// A timer in the wheel is its own entry: dead only if cancelled.
		for at := &e.wheel[b]; *at != 0; {
			i := *at
			t := e.links[i].t
			if t.pending() {
				at = &e.links[i].next
				continue
			}
			*at = e.links[i].next
			e.release(i)
			t.inq = 0
			e.inWheel--
		}
		if e.wheel[b] == 0 {
			e.occupied[b>>6] &^= 1 << (b & 63)
		}
	}
	e.dead = 0
}

// keep says whether x fires something; the timer of an entry dropped
// because the timer was cancelled forgets the entry.
func (x *entry) keep() bool {
	switch {
	case x.seq != x.t.inq:
		return false
	case !x.t.pending():
		x.t.inq = 0
		return false
	}
	return true
}

// live is q without its dead entries, in place.
func live(q []entry) []entry {
	out := q[:0]
	for i := range q {
		if q[i].keep() {
			out = append(out, q[i])
		}
	}
	clear(q[len(out):])
	return out
}

// front is the timer that fires next, nil when none is pending. Dead
// entries in front of it are dropped, and an entry whose timer was pushed
// later moves there.
func (e *Engine) front() *Timer {
	for {
		if len(e.near) == 0 && !e.advance() {
			return nil
		}
		q := &e.near[len(e.near)-1]
		t := q.t
		switch {
		case q.seq != t.inq:
			e.pop()
			e.dead--
		case !t.pending():
			t.inq = 0
			e.pop()
			e.dead--
		case q.seq != t.seq&^pendingBit:
			t.inq, t.qat = t.seq&^pendingBit, t.at
			e.pop()
			e.insert(entry{at: t.at, seq: t.inq, t: t})
		default:
			return t
		}
	}
}

// advance moves the calendar on to the next slot that has entries, once
// near is empty, and makes near of them; false when nothing is queued.
func (e *Engine) advance() bool {
	switch {
	case e.inWheel > 0:
		// A bucket's entries are all due in its slot: the wheel spans no
		// more slots than it has buckets, and far takes the rest. Entries
		// of far due by the slot reached join near below, which is then
		// put in order.
		e.cur += e.nextBucket()
		k := e.cur & (wheelSlots - 1)
		// Each timer read below is found from its link, not from the
		// timer before it, so the processor reads them side by side.
		for i := e.wheel[k]; i != 0; {
			t, next := e.links[i].t, e.links[i].next
			e.release(i)
			t.inq &^= wheelBit
			e.near = append(e.near, entry{at: t.qat, seq: t.inq, t: t})
			e.inWheel--
			i = next
		}
		e.wheel[k] = 0
		e.occupied[k>>6] &^= 1 << (k & 63)
	case len(e.far) > 0:
		e.cur = slotOf(e.far[0].at)
	default:
		return false
	}
	for len(e.far) > 0 && slotOf(e.far[0].at) <= e.cur {
		e.near = append(e.near, e.far[0])
		last := len(e.far) - 1
		e.far[0] = e.far[last]
		e.far[last] = entry{}
		e.far = e.far[:last]
		down(e.far, 0)
	}
	sortNear(e.near)
	return true
}

// sortNear puts q in order, the first due last: four to eight entries by
// a sorting network, others up to a dozen by insertion, more (a burst) by
// pdqsort. Two or three are fewer comparisons by insertion than by the
// network's nineteen: with the network from two on, a hundred channels,
// whose slots hold one entry or two when they hold any, ran 3% slower.
func sortNear(q []entry) {
	switch n := len(q); {
	case n < 2:
	case n >= 4 && n <= 8 && sortEight(q):
	case n <= 12:
		for i := 1; i < n; i++ {
			place(q, i)
		}
	default:
		slices.SortFunc(q, func(a, b entry) int {
			if b.before(&a) {
				return -1
			}
			return 1
		})
	}
}

// A slot's entries are due within 2^(atBits-1) ns of each other and were
// scheduled within 2^(seqBits-1) schedulings of each other, so each one's
// key packs into a word, taken from the first's, with the entry's index
// in the last three bits.
const (
	atBits  = slotShift + 1
	seqBits = 64 - atBits - 3
)

// sortEight orders q, at most eight entries (sortNear gives it four to
// eight), by a sorting network (Knuth, TAOCP vol. 3, 5.3.4: 19 comparators
// for eight) over each entry's key packed into a word, and false, leaving
// q as it was, when the keys do not pack or q holds more than eight. At a
// thousand channels a slot holds some five entries, and sorting them by
// insertion was 7–8% of a run under pprof (1–2% at a hundred), most of it
// in branches the processor could not predict: where an entry stops is as
// random as the times. The network's comparisons are minima and maxima,
// which compile to conditional moves, the same for every slot. Each entry
// is then made again from its key, which holds its time and scheduling,
// and its timer, which is all that is moved: copying the entries
// themselves, three words each, in and out was most of the sort's
// instructions.
func sortEight(q []entry) bool {
	n := len(q)
	if n > 8 {
		return false
	}
	at0, seq0 := q[0].at-1<<(atBits-1), q[0].seq-1<<(seqBits-1)
	var far uint64
	// Past n, the key is 0, which no entry's is (the first's time is
	// 1<<(atBits-1) from at0, and every other's index is not 0), so those
	// sort last.
	var k [8]uint64
	var ts [8]*Timer
	for i := range q {
		// Differences from the first's key, shifted to be positive: the
		// order of two within the window is theirs.
		at, seq := uint64(q[i].at-at0), q[i].seq-seq0
		far |= at>>atBits | seq>>seqBits
		k[i] = at<<(seqBits+3) | seq<<3 | uint64(i)
		ts[i] = q[i].t
	}
	if far != 0 {
		return false
	}
	// Largest first: q's first due is last.
	k0, k1, k2, k3, k4, k5, k6, k7 := k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7]
	k0, k2 = max(k0, k2), min(k0, k2)
	k1, k3 = max(k1, k3), min(k1, k3)
	k4, k6 = max(k4, k6), min(k4, k6)
	k5, k7 = max(k5, k7), min(k5, k7)
	k0, k4 = max(k0, k4), min(k0, k4)
	k1, k5 = max(k1, k5), min(k1, k5)
	k2, k6 = max(k2, k6), min(k2, k6)
	k3, k7 = max(k3, k7), min(k3, k7)
	k0, k1 = max(k0, k1), min(k0, k1)
	k2, k3 = max(k2, k3), min(k2, k3)
	k4, k5 = max(k4, k5), min(k4, k5)
	k6, k7 = max(k6, k7), min(k6, k7)
	k2, k4 = max(k2, k4), min(k2, k4)
	k3, k5 = max(k3, k5), min(k3, k5)
	k1, k4 = max(k1, k4), min(k1, k4)
	k3, k6 = max(k3, k6), min(k3, k6)
	k1, k2 = max(k1, k2), min(k1, k2)
	k3, k4 = max(k3, k4), min(k3, k4)
	k5, k6 = max(k5, k6), min(k5, k6)
	k = [8]uint64{k0, k1, k2, k3, k4, k5, k6, k7}
	for r := range q {
		x := k[r]
		q[r] = entry{at: at0 + Time(x>>(seqBits+3)), seq: seq0 + x>>3&(1<<seqBits-1), t: ts[x&7]}
	}
	return true
}

// place moves q[i] down into q[:i], which is in order, the first due
// last: an entry added to the current slot, or the next of a sort.
func place(q []entry, i int) {
	x := q[i]
	for i > 0 && q[i-1].before(&x) {
		q[i] = q[i-1]
		i--
	}
	q[i] = x
}

// nextBucket is how many slots after cur the first bucket holding a timer
// is (1 to wheelSlots); the wheel must hold one.
func (e *Engine) nextBucket() int64 {
	start := (e.cur + 1) & (wheelSlots - 1)
	for d := int64(0); d < wheelSlots; {
		k := (start + d) & (wheelSlots - 1)
		if w := e.occupied[k>>6] >> (k & 63); w != 0 {
			return d + int64(bits.TrailingZeros64(w)) + 1
		}
		d += 64 - k&63
	}
	panic("sim: the wheel counts entries but no bucket holds one")
}

// Next is when the next pending timer fires; false when none is pending.
// A run locked to the wall clock sleeps until then.
func (e *Engine) Next() (Time, bool) {
	if t := e.front(); t != nil {
		return t.at, true
	}
	return 0, false
}

// pop removes near's next entry.
func (e *Engine) pop() {
	last := len(e.near) - 1
	e.near[last] = entry{}
	e.near = e.near[:last]
}

// Run fires events in time order until the queue is empty or the next
// event is after until; the clock is then left at until (or at
// the last event when the queue ran dry first). It returns ErrBudget when
// the work reached the limit, or the poll's error, and leaves the clock
// where it stopped; once stopped so, Run returns that error again.
func (e *Engine) Run(until Time) error {
	if e.ownThread {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
	}
	for e.err == nil {
		t := e.front()
		if t == nil || t.at > until {
			break
		}
		if e.limit > 0 && e.fired+e.charged >= e.limit {
			e.err = ErrBudget
			break
		}
		if e.poll != nil && e.fired%pollEvery == 0 {
			if e.err = e.poll(); e.err != nil {
				break
			}
		}
		e.pop()
		t.fired()
		e.now = t.at
		e.fired++
		t.run.Fire()
	}
	if e.err != nil {
		return e.err
	}
	if e.now < until {
		e.now = until
	}
	return nil
}

// before orders entries by time, then by when they were scheduled.
func (a *entry) before(b *entry) bool {
	if a.at != b.at {
		return a.at < b.at
	}
	return a.seq < b.seq
}

// The heaps are 4-ary: shallower than binary ones, so a sift does fewer
// comparisons.
const arity = 4

func heapify(q []entry) {
	for i := (len(q) - 2) / arity; i >= 0; i-- {
		down(q, i)
	}
}

func up(q []entry, i int) {
	x := q[i]
	for i > 0 {
		p := (i - 1) / arity
		if !x.before(&q[p]) {
			break
		}
		q[i] = q[p]
		i = p
	}
	q[i] = x
}

func down(q []entry, i int) {
	n := len(q)
	if i >= n {
		return
	}
	x := q[i]
	for {
		first := arity*i + 1
		if first >= n {
			break
		}
		m := first
		for c := first + 1; c < first+arity && c < n; c++ {
			if q[c].before(&q[m]) {
				m = c
			}
		}
		if !q[m].before(&x) {
			break
		}
		q[i] = q[m]
		i = m
	}
	q[i] = x
}
