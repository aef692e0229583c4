package starlark

import (
	"fmt"
	"math"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// The memory budget is enforced twice. watchMemory samples the heap between
// steps, which catches many small allocations; but one operation can
// allocate far more by itself ([0] * (1 << 27) is 2 GiB, and list() of a
// huge range preallocates its length, a fatal out-of-memory), and
// go.starlark.net (this version) has no allocation hook — no
// Thread.SetMaxAllocs. So the operations that can allocate a lot in one go
// are checked before they run: the binary operators + * % (rewritten into
// calls of guard builtins, see guardOperators), the builtins that
// materialise an iterable (list, tuple, enumerate, sorted, reversed, zip,
// dict, set), and range, whose iterator stops a Go loop inside a builtin
// (list.extend, all, set.union …) that would otherwise never reach a step.

// Bytes per element, a lower bound of what go.starlark.net allocates: a
// Value interface in a slice; enumerate adds a 2-tuple; a dict or set adds
// a hash table entry.
const (
	sizeSlot  = 16
	sizePair  = 72
	sizeEntry = 64
)

// baseCollectAbove is the heap above which a budget collects before it
// takes its base.
const baseCollectAbove = 32 << 20

// budgetCheckFloor: smaller allocations are left to watchMemory, so the
// common case costs no heap reading.
const budgetCheckFloor = 1 << 20

type budget struct {
	max   uint64
	base  uint64
	large float64 // bytes the checked (large) operations have allocated so far
	mu    sync.Mutex
	s     []metrics.Sample
}

// largeTotal bounds the sum of all large allocations, in budgets: a loop
// that builds and drops a 400 MB string each step never holds more than
// the budget, but would run for hours within the step budget.
const largeTotal = 4

func newBudget(max uint64) *budget {
	if max == 0 {
		max = DefaultMaxMemory
	}
	b := &budget{max: max, s: []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/allocs:bytes"}}}
	// The base is what is live before the script runs: garbage counted in
	// it would be taken off what the script holds once a check collects
	// it. A heap as small as a command's at start-up holds too little to
	// matter, and is not worth the collection (a tenth of a command's
	// start-up); a process that has run much before is.
	if b.base = b.heap(); b.base > baseCollectAbove {
		runtime.GC()
		b.base = b.heap()
	}
	return b
}

func (b *budget) heap() uint64 {
	h, _ := b.read()
	return h
}

// read is the heap's objects and the bytes allocated since the process
// started.
func (b *budget) read() (heap, allocs uint64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	metrics.Read(b.s)
	return b.s[0].Value.Uint64(), b.s[1].Value.Uint64()
}

func (b *budget) used() uint64 { return b.above(b.heap()) }

// above is what heap holds beyond the base.
func (b *budget) above(heap uint64) uint64 {
	if heap > b.base {
		return heap - b.base
	}
	return 0
}

// check refuses an operation that would allocate need bytes (what says
// what) when the heap the script holds plus need passes the budget. what
// is a func because nearly every operation is small and never needs it:
// a design's loops run the guards by the hundred thousand.
func (b *budget) check(need float64, what func() string) error {
	if need < budgetCheckFloor {
		return nil
	}
	if b.large+need > largeTotal*float64(b.max) {
		return fmt.Errorf("memory budget of %d MiB exceeded (%s needs %s, and large values built so far total %s, more than %d times the budget) — raise it with --max-memory",
			b.max>>20, what(), human(need), human(b.large), largeTotal)
	}
	if err := b.checkLive(need, what()); err != nil {
		return err
	}
	b.large += need
	return nil
}

// fits reports whether the script can hold need bytes more within the
// budget, and what it holds by the count that decided. The heap count
// includes garbage not yet collected (the old values of a loop), more of
// it the less often the collector runs (GOGC): the budget is for what the
// script holds, so it collects before it says no. The script runs on
// while the collector does, and what it allocates meanwhile survives the
// collection, garbage or not: on a busy machine a loop that held little
// read as 36 MiB held against a budget of 32. So that is not counted;
// what the script really keeps of it shows at the next check. The count
// of allocations is the process's: what other goroutines allocate during
// the collection is taken off too, so while the process allocates much
// besides the script (a command's single load seldom does) a check may
// pass a script over the budget, and a later one refuses it.
func (b *budget) fits(need float64) (bool, uint64) {
	held := b.used()
	if need+float64(held) <= float64(b.max) {
		return true, held
	}
	if need > float64(b.max) {
		return false, held
	}
	_, before := b.read()
	runtime.GC()
	heap, after := b.read()
	held = b.above(heap - min(heap, after-before))
	return need+float64(held) <= float64(b.max), held
}

// checkLive refuses need bytes more when the heap the script holds would
// pass the budget.
func (b *budget) checkLive(need float64, what string) error {
	if need < budgetCheckFloor {
		return nil
	}
	ok, held := b.fits(need)
	if ok {
		return nil
	}
	return fmt.Errorf("memory budget of %d MiB exceeded (%s needs %s, with %s already in use) — raise it with --max-memory",
		b.max>>20, what, human(need), human(float64(held)))
}

func human(n float64) string {
	for _, u := range []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB"} {
		if n < 1024 || u == "PiB" {
			if u == "B" {
				return fmt.Sprintf("%.0f B", n)
			}
			return fmt.Sprintf("%.1f %s", n, u)
		}
		n /= 1024
	}
	return ""
}

// seqLen is the length of v if it is a sequence, else -1.
func seqLen(v starlark.Value) int {
	switch v := v.(type) {
	case starlark.String:
		return len(v)
	case starlark.Bytes:
		return len(v)
	case starlark.Indexable:
		return v.Len()
	case starlark.Sequence:
		return v.Len()
	}
	return -1
}

func elemSize(v starlark.Value) float64 {
	switch v.(type) {
	case starlark.String, starlark.Bytes:
		return 1
	}
	return sizeSlot
}

// Names of the guard builtins the operators are rewritten into: not
// identifiers, so no script can name, shadow or redefine them.
const (
	guardAdd  = "+"
	guardMul  = "*"
	guardMod  = "%"
	guardIAdd = "+="
	guardIMul = "*="
	guardIMod = "%="
	// guardMethod(s.join, …) checks what a string method will build.
	guardMethod = ".()"
)

// guards are the predeclared names that replace or add to the universe.
func (l *loader) guards() starlark.StringDict {
	b := l.budget
	op := func(name string, tok syntax.Token, inplace bool) *starlark.Builtin {
		return starlark.NewBuiltin(name, func(_ *starlark.Thread, _ *starlark.Builtin, args starlark.Tuple, _ []starlark.Tuple) (starlark.Value, error) {
			x, y := args[0], args[1]
			size := opSize(tok, x, y)
			if _, ok := x.(*starlark.List); ok && inplace && tok == syntax.PLUS {
				// list += iterable extends the list in place: only y's
				// elements are new (the list's own growth is amortised).
				size = 0
				if n := seqLen(y); n > 0 {
					size = float64(n) * sizeSlot
				}
			}
			if err := b.check(size, func() string { return "the result of " + x.Type() + " " + tok.String() + " " + y.Type() }); err != nil {
				return nil, err
			}
			if inplace {
				return y, nil // the interpreter applies x op= y itself, now checked
			}
			return starlark.Binary(tok, x, y)
		})
	}
	d := starlark.StringDict{
		guardAdd:  op(guardAdd, syntax.PLUS, false),
		guardMul:  op(guardMul, syntax.STAR, false),
		guardMod:  op(guardMod, syntax.PERCENT, false),
		guardIAdd: op(guardIAdd, syntax.PLUS, true),
		guardIMul: op(guardIMul, syntax.STAR, true),
		guardIMod: op(guardIMod, syntax.PERCENT, true),
	}
	d[guardMethod] = starlark.NewBuiltin(guardMethod, func(thread *starlark.Thread, _ *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		fn, args := args[0], args[1:]
		if m, ok := fn.(*starlark.Builtin); ok {
			if s, ok := m.Receiver().(starlark.String); ok {
				if err := b.check(methodSize(string(s), m.Name(), args, kwargs), func() string { return "the result of " + m.Name() + "()" }); err != nil {
					return nil, err
				}
			}
		}
		return starlark.Call(thread, fn, args, kwargs)
	})
	// Builtins that size their result from their arguments' lengths before
	// they iterate (go.starlark.net's list, tuple, enumerate, sorted,
	// reversed and dict preallocate Len(iterable); zip the shortest).
	for name, per := range map[string]float64{"list": sizeSlot, "tuple": sizeSlot, "sorted": sizeSlot, "reversed": sizeSlot,
		"enumerate": sizePair, "zip": sizePair, "dict": sizeEntry, "set": sizeEntry} {
		orig := starlark.Universe[name].(*starlark.Builtin)
		d[name] = starlark.NewBuiltin(name, func(thread *starlark.Thread, _ *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			n := -1
			for _, a := range args {
				if m := seqLen(a); m >= 0 && (n < 0 || name != "zip" || m < n) {
					n = max(n, 0)
					if name == "zip" {
						n = m
					} else {
						n += m
					}
				}
			}
			if n > 0 {
				if err := b.check(float64(n)*per, func() string { return fmt.Sprintf("%s() of %d elements", name, n) }); err != nil {
					return nil, err
				}
			}
			return starlark.Call(thread, orig, args, kwargs)
		})
	}
	rng := starlark.Universe["range"].(*starlark.Builtin)
	d["range"] = starlark.NewBuiltin("range", func(thread *starlark.Thread, _ *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		v, err := starlark.Call(thread, rng, args, kwargs)
		if err != nil {
			return nil, err
		}
		return &budgetRange{inner: v.(rangeLike), l: l}, nil
	})
	return d
}

// opSize is what x op y allocates, in bytes; 0 when it is not a sequence
// operation.
func opSize(op syntax.Token, x, y starlark.Value) float64 {
	switch op {
	case syntax.PLUS:
		nx, ny := seqLen(x), seqLen(y)
		if nx < 0 || ny < 0 {
			return 0
		}
		if _, ok := x.(*starlark.List); ok {
			// list += iterable extends; list + list copies both.
			return float64(nx+ny) * sizeSlot
		}
		return float64(nx+ny) * elemSize(x)
	case syntax.STAR:
		seq, count := x, y
		if _, ok := x.(starlark.Int); ok {
			seq, count = y, x
		}
		c, ok := count.(starlark.Int)
		n := seqLen(seq)
		if !ok || n <= 0 || c.Sign() <= 0 {
			// An empty sequence repeated, or a count of zero or less,
			// builds nothing (go.starlark.net gives the empty value, or
			// its own error for a count out of range).
			return 0
		}
		times, exact := c.Int64()
		if !exact {
			return math.Inf(1)
		}
		return float64(n) * float64(times) * elemSize(seq)
	case syntax.PERCENT:
		s, ok := x.(starlark.String)
		if !ok {
			return 0
		}
		n := float64(len(s))
		if t, ok := y.(starlark.Tuple); ok {
			for _, v := range t {
				if m := seqLen(v); m > 0 {
					n += float64(m)
				}
			}
		} else if m := seqLen(y); m > 0 {
			n += float64(m)
		}
		return n
	}
	return 0
}

// methodSize is what s.join(…), s.format(…) or s.replace(…) builds, in
// bytes, at least.
func methodSize(s, name string, args starlark.Tuple, kwargs []starlark.Tuple) float64 {
	switch name {
	case "join":
		if len(args) != 1 {
			return 0
		}
		var n float64
		count := 0
		if _, isRange := args[0].(*budgetRange); isRange {
			return 0 // not strings: join fails on the first
		}
		// Any finite iterable (list, tuple, set, dict keys): walking it
		// costs what join itself will.
		if it, ok := args[0].(starlark.Sequence); ok {
			iter := it.Iterate()
			var v starlark.Value
			for iter.Next(&v) {
				if m := seqLen(v); m > 0 {
					n += float64(m)
				}
				count++
			}
			iter.Done()
		}
		return n + float64(len(s))*float64(max(count-1, 0))
	case "format":
		// Each field can repeat the longest argument.
		// "{{" is a literal brace, not a field.
		fields := strings.Count(s, "{") - 2*strings.Count(s, "{{")
		longest := 0
		for _, a := range args {
			longest = max(longest, seqLen(a))
		}
		for _, kv := range kwargs {
			longest = max(longest, seqLen(kv[1]))
		}
		return float64(len(s)) + float64(fields)*float64(longest)
	case "replace":
		if len(args) < 2 {
			return 0
		}
		old, ok1 := args[0].(starlark.String)
		repl, ok2 := args[1].(starlark.String)
		if !ok1 || !ok2 || len(repl) <= len(old) {
			return float64(len(s))
		}
		n := strings.Count(s, string(old))
		if len(args) > 2 {
			// A count limits the replacements (a negative one does not).
			if c, ok := args[2].(starlark.Int); ok {
				if k, exact := c.Int64(); exact && k >= 0 && k < int64(n) {
					n = int(k)
				}
			}
		}
		return float64(len(s)) + float64(n)*float64(len(repl)-len(old))
	}
	return 0
}

// rangeLike is what go.starlark.net's range value (unexported) offers.
type rangeLike interface {
	starlark.Indexable
	starlark.Sliceable
	starlark.Iterable
	starlark.Container
	starlark.Comparable
}

// budgetRange is a range whose iterator stops a loop that runs inside a
// builtin, where no step is counted: list.extend(range(1 << 40)) or
// all(range(1, 1 << 40)) would otherwise run for hours and, appending,
// exhaust memory. It charges a step an element; past the step budget (or
// the memory budget, for what it would take to hold the elements) it
// cancels the thread, which stops at its next step with that reason.
type budgetRange struct {
	inner rangeLike
	l     *loader
}

var (
	_ rangeLike = (*budgetRange)(nil)
)

func (r *budgetRange) String() string        { return r.inner.String() }
func (r *budgetRange) Type() string          { return r.inner.Type() }
func (r *budgetRange) Freeze()               {}
func (r *budgetRange) Truth() starlark.Bool  { return r.inner.Truth() }
func (r *budgetRange) Hash() (uint32, error) { return r.inner.Hash() }
func (r *budgetRange) Len() int              { return r.inner.Len() }
func (r *budgetRange) Index(i int) starlark.Value {
	return r.inner.Index(i)
}
func (r *budgetRange) Has(y starlark.Value) (bool, error) { return r.inner.Has(y) }
func (r *budgetRange) Slice(start, end, step int) starlark.Value {
	return &budgetRange{inner: r.inner.Slice(start, end, step).(rangeLike), l: r.l}
}
func (r *budgetRange) CompareSameType(op syntax.Token, y starlark.Value, depth int) (bool, error) {
	return r.inner.CompareSameType(op, y.(*budgetRange).inner, depth)
}
func (r *budgetRange) Iterate() starlark.Iterator {
	return &budgetIter{inner: r.inner.Iterate(), l: r.l}
}

type budgetIter struct {
	inner starlark.Iterator
	l     *loader
	n     uint64
}

func (it *budgetIter) Next(p *starlark.Value) bool {
	it.n++
	// Each element is charged a step on the thread's own count (builtins
	// run on the thread's goroutine), as the interpreter charges its
	// instructions, so loops in Go and in Starlark share the step budget:
	// for i in range(1000): all(range(1, 9000000)) stops too.
	th := it.l.thread
	th.Steps++
	if th.Steps >= it.l.maxSteps {
		th.Cancel("too many steps")
		return false
	}
	if it.n&0xffff == 0 {
		if err := it.l.budget.checkLive(float64(it.n)*sizeSlot, fmt.Sprintf("iterating %d elements of a range", it.n)); err != nil {
			it.l.thread.Cancel(err.Error())
			return false
		}
	}
	return it.inner.Next(p)
}

func (it *budgetIter) Done() { it.inner.Done() }
