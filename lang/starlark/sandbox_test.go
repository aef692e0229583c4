package starlark

import (
	"context"
	"errors"
	"io"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"testing/fstest"

	"patchbay/lang"
)

// TestSandboxLimits: operations that would allocate past the memory budget
// in one go are refused before they run, and sources go.starlark.net would
// mishandle are refused before parsing, each at its position.
func TestSandboxLimits(t *testing.T) {
	deep := strings.Repeat("1+", 5000) + "1\n"
	brackets := strings.Repeat("[", 2000) + strings.Repeat("]", 2000) + "\n"
	for _, c := range []struct{ name, src, want string }{
		{"repeat", "x = [0] * (1 << 27)\n", `main.star:1:9: memory budget of 256 MiB exceeded \(the result of list \* int needs 2\.0 GiB`},
		{"string doubling", "def f():\n    s = \"ab\"\n    for i in range(40):\n        s = s + s\nf()\n", `main.star:[34]:\d+: memory budget of 256 MiB exceeded`},
		{"list doubling", "def f():\n    l = [1]\n    for i in range(40):\n        l += l\nf()\n", `main.star:[34]:\d+: memory budget of 256 MiB exceeded`},
		{"format doubling", "def f():\n    s = \"ab\"\n    for i in range(40):\n        s = \"%s%s\" % (s, s)\nf()\n", `main.star:[34]:\d+: memory budget of 256 MiB exceeded`},
		{"list range", "x = list(range(1 << 40))\n", `main.star:1:5: memory budget of 256 MiB exceeded \(list\(\) of 1099511627776 elements`},
		{"enumerate range", "x = enumerate(range(1 << 40))\n", `main.star:1:5: memory budget of 256 MiB exceeded \(enumerate\(\)`},
		{"extend range", "x = []\nx.extend(range(1 << 40))\n", `main.star:2:\d+: script stopped after 100000 steps`},
		{"all range", "x = all(range(1, 1 << 40))\n", `main.star:1:\d+: script stopped after 100000 steps`},
		{"many all range", "def f():\n    for i in range(1000):\n        all(range(1, 9000000))\nf()\n", `main.star:3:\d+: script stopped after 100000 steps`},
		{"repeat count", "x = \"a\" * (1 << 40)\n", `main.star:1:9: memory budget`},
		{"repeat through an index", "a = [[0]]\na[0] *= 1 << 27\n", `main.star:2:6: memory budget of 256 MiB exceeded \(the result of list \* int needs 2\.0 GiB`},
		{"repeat through an attribute chain", "def f():\n    d = {\"k\": [\"s\"]}\n    d[\"k\"][0] *= 1 << 30\nf()\n", `main.star:3:\d+: memory budget of 256 MiB exceeded \(the result of string \* int needs 1\.0 GiB`},
		{"join", "x = \",\".join([\"x\" * (1 << 20)] * 1000)\n", `main.star:1:5: memory budget of 256 MiB exceeded \(the result of join\(\) needs 1000\.0 MiB`},
		{"format", "s = \"x\" * (1 << 20)\nx = \"{}\" * 1000\ny = x.format(s)\n", `main.star:3:5: memory budget of 256 MiB exceeded \(the result of format\(\)`},
		{"replace", "s = \"x\" * (1 << 20)\ny = s.replace(\"x\", \"y\" * 1000)\n", `main.star:2:5: memory budget of 256 MiB exceeded \(the result of replace\(\)`},
		{"join error", "x = \",\".join([1])\n", `main.star:1:5: join: in list, want string, got int`},
		{"nul", "x = 1\ny = 2\x00\nvpc(1)\n", `main.star:2:6: NUL byte`},
		{"nul in string", "x = \"a\x00b\"\n", `main.star:1:7: NUL byte`},
		{"control", "x = 1\x01\n", `main.star:1:6: control character U\+0001`},
		{"chain", deep, `main.star:1:2002: expression nested deeper than 1000 levels`},
		{"brackets", brackets, `main.star:1:1001: expression nested deeper than 1000 levels`},
	} {
		t.Run(c.name, func(t *testing.T) {
			fsys := fstest.MapFS{"main.star": {Data: []byte(c.src)}}
			_, err := LoadFS(context.Background(), fsys, "", "main.star", Options{MaxSteps: 100_000, Print: io.Discard})
			var se *lang.SourceError
			if !errors.As(err, &se) {
				t.Fatalf("error %T %v, want diagnostics", err, err)
			}
			got := se.Diagnostics[0].Range.String() + ": " + se.Diagnostics[0].Summary
			if !regexp.MustCompile(c.want).MatchString(got) {
				t.Errorf("got %s\nwant %s", got, c.want)
			}
		})
	}
}

// TestSandboxKeepsSemantics: the guards change no result.
func TestSandboxKeepsSemantics(t *testing.T) {
	src := `
def g():
    a = [1, 2]
    b = a
    a += [3]
    if b != [1, 2, 3]: fail("list += no longer extends in place")
    n = 5
    n *= 2
    n %= 3
    if n != 1: fail("augmented")
g()
s = "x" * 3 + "%d" % 4
if s != "xxx4": fail(s)
r = range(10)
if list(r[2:5]) != [2, 3, 4] or 3 not in r or len(r) != 10 or r != range(10) or type(r) != "range": fail("range")
if [x * 2 for x in range(3)] != [0, 2, 4]: fail("comprehension")
if dict(zip(["a"], [1])) != {"a": 1} or sorted([3, 1]) != [1, 3] or tuple(reversed([1, 2])) != (2, 1): fail("builtins")
if ",".join(["a", "b"]) != "a,b" or "{}-{x}".format(1, x = 2) != "1-2" or "aa".replace("a", "bc", 1) != "bca": fail("string methods")
def f(x, y = 1 + 1): return x + y
if f(1) != 3: fail("def")
def grow():
    x = []
    for i in range(300000):
        x += [i]
    return x
if len(grow()) != 300000: fail("list += in a loop is charged only what it adds")
big = "a" * (64 << 20)
if len(big.replace("a", "aaaa", 1)) != (64 << 20) + 3: fail("replace with a count is sized by its count")
if "{{}}{}".format(1) != "{}1": fail("escaped braces")
if [] * (1 << 70) != [] or "" * (1 << 70) != "" or "ab" * -5 != "": fail("empty repeats")
def once():
    calls = []
    def k():
        calls.append(1)
        return 0
    a = [[5]]
    a[k()] += [6]
    if calls != [1] or a != [[5, 6]]: fail("a[k()] += evaluates k once")
once()
`
	fsys := fstest.MapFS{"main.star": {Data: []byte(src)}}
	if _, err := LoadFS(context.Background(), fsys, "", "main.star", Options{Print: io.Discard}); err != nil {
		t.Fatal(err)
	}
}

// TestMemoryBudgetIgnoresGarbage: the budget is for what a script holds.
// With the collector off, a loop that makes and drops far more than the
// budget leaves that much garbage on the heap, and the watcher collects
// before it refuses; a script that holds more than the budget is still
// refused. On one processor the collection shares it with the script,
// which allocates all through the collection, as on a busy machine: what
// it allocated then survived the collection and was counted as held, and
// the first script was refused every time.
func TestMemoryBudgetIgnoresGarbage(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	opts := Options{MaxMemory: 32 << 20, MaxSteps: 100_000_000, Print: io.Discard}
	garbage := "def f():\n    for i in range(300000):\n        x = [i] * 100\nf()\n"
	fsys := fstest.MapFS{"main.star": {Data: []byte(garbage)}}
	if _, err := LoadFS(context.Background(), fsys, "", "main.star", opts); err != nil {
		t.Errorf("a script holding little was refused: %v", err)
	}
	held := "def f():\n    l = []\n    for i in range(300000):\n        l.append([i] * 100)\n    return l\nx = f()\n"
	fsys = fstest.MapFS{"main.star": {Data: []byte(held)}}
	_, err := LoadFS(context.Background(), fsys, "", "main.star", opts)
	if err == nil || !strings.Contains(err.Error(), "memory budget of 32 MiB exceeded") {
		t.Errorf("a script holding 480 MB: %v, want the budget exceeded", err)
	}
}
