// Package starlark is patchbay's Starlark front-end: it runs a design script
// in a sandbox and turns what the script declares into a lang.Design.
package starlark

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
	"go.starlark.net/syntax"

	"patchbay/lang"
	"patchbay/lang/decl"
	"patchbay/lang/project"
	"patchbay/stdlib"
)

// Builtins documents the builtins scripts can call.
func Builtins() []decl.BuiltinDoc { return decl.Builtins() }

// DefaultMaxSteps bounds a script's computation. A step is one bytecode
// instruction: a bare loop runs about 250 million a second here, a loop that
// calls a builtin each step about 11 million, so an endless loop of either
// kind stops within a second. A generated design of 10,000 VPCs on 100
// TGWs needs under a million (see BenchmarkPlanGenerated).
const DefaultMaxSteps = 10_000_000

// Options configure a load.
type Options struct {
	// Root is the project root: load() reads only below it. Empty means the
	// directory of the main file.
	Root string
	// MaxSteps bounds execution; 0 means DefaultMaxSteps.
	MaxSteps uint64
	// Print receives print() output; nil means os.Stderr.
	Print io.Writer
	// MaxMemory bounds the heap a script may grow, in bytes; 0 means
	// DefaultMaxMemory.
	MaxMemory uint64
	// MaxResources bounds the resources a design declares; 0 means
	// decl.MaxResources.
	MaxResources int
}

// DefaultMaxMemory stops scripts that build huge values (Starlark has no
// memory limit of its own). A design at the resource cap fits: 99,000
// VPCs grow the heap by between 128 and 192 MiB. It is no higher because
// reaching it takes time of its own: on a 2-core virtual machine where
// touching fresh memory costs about 6 ms a MiB, a script doubling a string
// is stopped in about 2 s at this budget and took twice that at 512 MiB.
const DefaultMaxMemory = 256 << 20

// watchMemory cancels the thread when the heap grows past the budget above
// where it started, checking every few milliseconds; the returned func
// stops it. It catches growth in many small steps; an operation that would
// allocate a lot at once is refused before it runs (budget.check).
func watchMemory(thread *starlark.Thread, b *budget) func() {
	done := make(chan struct{})
	go func() {
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				if ok, held := b.fits(0); !ok {
					thread.Cancel(fmt.Sprintf("memory budget of %d MiB exceeded (the script's values grew the heap by %s) — raise it with --max-memory", b.max>>20, human(float64(held))))
					return
				}
			}
		}
	}()
	return func() { close(done) }
}

// fileOptions is the dialect: top-level for/if for generated designs and
// sets, but no while loops and no recursion, so every script terminates
// (the step budget is the second line of defence).
var fileOptions = &syntax.FileOptions{Set: true, TopLevelControl: true}

const stdlibPrefix = "@stdlib//"

// LoadFile runs the design script at file. On failure the error is a
// lang.Diagnostics naming file:line:col of every problem found.
func LoadFile(ctx context.Context, file string, opts Options) (*lang.Design, error) {
	root, rel, err := project.Open(file, opts.Root)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	return newLoader(ctx, root, opts).run(rel)
}

// LoadFS runs the script at name (slash-separated, relative to fsys) with
// fsys as the project root; display is the directory prefix used in
// positions. It is the hermetic form tests and fuzzing use.
func LoadFS(ctx context.Context, fsys fs.FS, display, name string, opts Options) (*lang.Design, error) {
	return newLoader(ctx, project.FromFS(fsys, display), opts).run(name)
}

type module struct {
	globals starlark.StringDict
	err     error
	done    bool
}

type loader struct {
	ctx      context.Context
	root     *project.Root
	opts     Options
	thread   *starlark.Thread
	builder  *decl.Builder
	pre      starlark.StringDict
	modules  map[string]*module
	stack    []string // modules being loaded, for cycle reports
	calls    map[callKey]*callSite
	maxSteps uint64
	budget   *budget
}

type callKey struct {
	file      string
	line, col int32
}

// callSite is a call expression and, once asked for, its range: a loop
// declares from the same call thousands of times.
type callSite struct {
	expr *syntax.CallExpr
	rng  lang.Range
	done bool
}

func newLoader(ctx context.Context, root *project.Root, opts Options) *loader {
	l := &loader{ctx: ctx, root: root, opts: opts,
		modules: map[string]*module{}, calls: map[callKey]*callSite{}}
	l.maxSteps = opts.MaxSteps
	if l.maxSteps == 0 {
		l.maxSteps = DefaultMaxSteps
	}
	l.builder = decl.NewBuilder()
	l.builder.SetMaxResources(opts.MaxResources)
	// A file a declaration names (a policy document) is read as load()
	// reads modules: relative to the file running, inside the root.
	l.builder.SetReader(func(_ lang.Range, path string) (string, []byte, error) {
		from := l.stack[len(l.stack)-1]
		if strings.HasPrefix(from, stdlibPrefix) {
			return "", nil, fmt.Errorf("refused: a stdlib module reads no files")
		}
		name, err := project.Resolve(from, path, ".json", "policy")
		if err != nil {
			return "", nil, err
		}
		data, err := l.root.Read(name)
		return l.root.DisplayName(name), data, err
	})
	l.budget = newBudget(opts.MaxMemory)
	l.pre = l.predeclared()
	print := opts.Print
	if print == nil {
		print = os.Stderr
	}
	l.thread = &starlark.Thread{
		Name:  "patchbay",
		Print: func(_ *starlark.Thread, msg string) { fmt.Fprintln(print, msg) },
		Load:  l.load,
	}
	l.thread.SetMaxExecutionSteps(l.maxSteps)
	return l
}

func (l *loader) run(name string) (*lang.Design, error) {
	stop := context.AfterFunc(l.ctx, func() { l.thread.Cancel("cancelled") })
	defer stop()
	defer watchMemory(l.thread, l.budget)()
	if err := l.ctx.Err(); err != nil {
		return nil, lang.Diagnostics{{Rule: "cancelled", Summary: "script cancelled: " + err.Error()}}
	}
	_, err := l.exec(name)
	if _, readable := l.builder.Design().Files[l.displayName(name)]; err != nil && !readable {
		d := lang.Diagnostic{Rule: "load", Summary: "cannot read design: " + err.Error(), Range: lang.Range{File: l.displayName(name)}}
		return nil, &lang.SourceError{Diagnostics: lang.Diagnostics{d}}
	}
	if err != nil {
		return nil, &lang.SourceError{Diagnostics: l.diagnose(err), Files: l.builder.Design().Files}
	}
	return l.builder.Design(), nil
}

// displayName is how a module's file appears in positions and diagnostics.
func (l *loader) displayName(name string) string {
	if strings.HasPrefix(name, stdlibPrefix) {
		return name
	}
	return l.root.DisplayName(name)
}

func (l *loader) read(name string) ([]byte, error) {
	if rest, ok := strings.CutPrefix(name, stdlibPrefix); ok {
		return project.ReadFrom(stdlib.StarModules, "star/"+rest)
	}
	return l.root.Read(name)
}

// exec runs one module (root-relative or @stdlib//) and returns its globals.
func (l *loader) exec(name string) (starlark.StringDict, error) {
	if m, ok := l.modules[name]; ok {
		if !m.done {
			chain := append(slices.Clone(l.stack[slices.Index(l.stack, name):]), name)
			for i := range chain {
				chain[i] = l.displayName(chain[i])
			}
			return nil, fmt.Errorf("load cycle: %s", strings.Join(chain, " → "))
		}
		return m.globals, m.err
	}
	m := &module{}
	l.modules[name] = m
	l.stack = append(l.stack, name)
	defer func() { l.stack = l.stack[:len(l.stack)-1]; m.done = true }()

	src, err := l.read(name)
	if err != nil {
		m.err = err
		return nil, err
	}
	display := l.displayName(name)
	l.builder.Design().Files[display] = src
	if err := prescan(display, src); err != nil {
		m.err = err
		return nil, err
	}
	f, err := fileOptions.Parse(display, src, 0)
	if err != nil {
		m.err = err
		return nil, err
	}
	guardOperators(f)
	l.indexCalls(display, f)
	prog, err := starlark.FileProgram(f, l.pre.Has)
	if err != nil {
		m.err = err
		return nil, err
	}
	g, err := prog.Init(l.thread, l.pre)
	g.Freeze()
	m.globals, m.err = g, err
	return g, err
}

// load resolves a load() module string relative to the loading file and
// refuses anything outside the project root or the embedded stdlib.
func (l *loader) load(thread *starlark.Thread, mod string) (starlark.StringDict, error) {
	from := l.stack[len(l.stack)-1]
	name, err := resolveModule(from, mod)
	if err == nil {
		var g starlark.StringDict
		g, err = l.exec(name)
		var inner *starlark.EvalError
		var le *loadError
		if err == nil || errors.As(err, &inner) || errors.As(err, &le) {
			return g, err // already placed where it happened
		}
	}
	// The top frame is the loading module, stopped at its load statement.
	return nil, &loadError{module: mod, err: err, stack: l.frames(thread.CallStack())}
}

// loadError is a load statement that failed by itself (a missing file, a
// refused path, a cycle, a syntax error in the loaded file), with the stack
// at that statement.
type loadError struct {
	module string
	err    error
	stack  []lang.Frame
}

func (e *loadError) Error() string { return fmt.Sprintf("cannot load %q: %v", e.module, e.err) }
func (e *loadError) Unwrap() error { return e.err }

func resolveModule(from, mod string) (string, error) {
	if rest, ok := strings.CutPrefix(mod, stdlibPrefix); ok {
		if !fs.ValidPath(rest) || path.Ext(rest) != ".star" {
			return "", fmt.Errorf("no stdlib module %q", mod)
		}
		if _, err := fs.Stat(stdlib.StarModules, "star/"+rest); err != nil {
			return "", fmt.Errorf("no stdlib module %q (have: %s)", mod, strings.Join(stdlibModules(), ", "))
		}
		return mod, nil
	}
	if strings.HasPrefix(from, stdlibPrefix) {
		return "", fmt.Errorf("refused: a stdlib module loads only other stdlib modules")
	}
	return project.Resolve(from, mod, ".star", "load")
}

func stdlibModules() []string {
	ents, _ := fs.ReadDir(stdlib.StarModules, "star")
	var out []string
	for _, e := range ents {
		out = append(out, stdlibPrefix+e.Name())
	}
	return out
}

// indexCalls remembers every call expression by the position of its '(',
// which is what the interpreter reports for a call frame, so a declaration's
// range can span the whole call and an argument error can point at the
// argument.
func (l *loader) indexCalls(file string, f *syntax.File) {
	syntax.Walk(f, func(n syntax.Node) bool {
		if c, ok := n.(*syntax.CallExpr); ok {
			l.calls[callKey{file, c.Lparen.Line, c.Lparen.Col}] = &callSite{expr: c}
		}
		return true
	})
}

func (l *loader) callAt(pos syntax.Position) *syntax.CallExpr {
	if s := l.calls[callKey{pos.Filename(), pos.Line, pos.Col}]; s != nil {
		return s.expr
	}
	return nil
}

func toRange(start, end syntax.Position) lang.Range {
	r := lang.Range{File: start.Filename(), Start: lang.Pos{Line: start.Line, Col: start.Col}}
	if end.IsValid() {
		r.End = lang.Pos{Line: end.Line, Col: end.Col}
	}
	return r
}

// predeclared makes every builtin callable from Starlark, declaring at the
// call site.
func (l *loader) predeclared() starlark.StringDict {
	d := l.guards()
	d["struct"] = starlark.NewBuiltin("struct", starlarkstruct.Make)
	for _, name := range decl.Names() {
		d[name] = starlark.NewBuiltin(name, func(thread *starlark.Thread, _ *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			if name == "fail" && starlarkFail(args, kwargs) {
				return starlark.Call(thread, starlark.Universe["fail"], args, kwargs)
			}
			return l.builder.Call(name, args, kwargs, l.callRange(thread))
		})
	}
	return d
}

// starlarkFail tells Starlark's fail("message") from the scenario event
// fail(facility = …), which share a name: scripts and modules already stop
// with a message, and the event names its target by keyword.
func starlarkFail(args starlark.Tuple, kwargs []starlark.Tuple) bool {
	if len(args) > 0 {
		return true
	}
	for _, kv := range kwargs {
		if kv[0].(starlark.String) == "sep" {
			return true
		}
	}
	return false
}

// callRange is the range of the call that invoked the running builtin.
func (l *loader) callRange(thread *starlark.Thread) lang.Range {
	pos := thread.CallFrame(1).Pos
	if s := l.calls[callKey{pos.Filename(), pos.Line, pos.Col}]; s != nil {
		if !s.done {
			start, _ := s.expr.Fn.Span()
			_, end := s.expr.Span()
			s.rng, s.done = toRange(start, end), true
		}
		return s.rng
	}
	return toRange(pos, syntax.Position{})
}
