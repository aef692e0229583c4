//go:build unix

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// hostileCase is one untrusted input run through the CLI in a process of
// its own, so its exit code, its messages and its peak memory are what a
// user would see. Cases live beside the code they exercise
// (hostile_*_test.go) and register with addHostile; their inputs are
// files under testdata/hostile, or generated at test time when large.
type hostileCase struct {
	name string
	// args for patchbay; "$DIR" is the case's own directory, where files
	// and the copies of from are placed.
	args []string
	// from lists files under testdata/hostile copied into $DIR (by base
	// name); files generates others there (name → writer).
	from  []string
	files map[string]func(w io.Writer) error
	// setup runs after the files are in place (a FIFO, a symlink).
	setup func(t *testing.T, dir string)
	// exit is the wanted exit code; want a regexp stderr must match.
	exit int
	want string
	// writes lists the files in $DIR the command may create or change
	// (outputs the user asked for); anything else changed is a failure.
	writes []string
}

var (
	hostileMu    sync.Mutex
	hostileCases []hostileCase
)

// addHostile registers cases (from init functions of the test files).
func addHostile(cs ...hostileCase) {
	hostileMu.Lock()
	defer hostileMu.Unlock()
	hostileCases = append(hostileCases, cs...)
}

// The promise for any input: exit 2 with a message naming the problem,
// under 1 GiB of memory, no Go panic or fatal error, a bounded stderr, and
// nothing written the user did not ask for. Wall times are reported, not
// asserted (a busy CI machine is no clock); the budgets that bound them
// are steps and bytes, which the cases' messages name.
const (
	hostileMaxRSS    = 1 << 30
	hostileMaxStderr = 64 << 10
	// hostileKill is a backstop far above the 2 s goal, so a case that
	// hangs fails instead of stalling the suite.
	hostileKill = 60 * time.Second
)

var (
	hostileBinOnce sync.Once
	hostileBin     string
	hostileLaunch  string
	hostileBinErr  error
)

// hostileBinary builds patchbay without the race detector, whose shadow
// memory would swamp the peak-memory measurement.
func hostileBinary(t *testing.T) string {
	hostileBinOnce.Do(func() {
		dir, err := os.MkdirTemp("", "patchbay-hostile")
		if err != nil {
			hostileBinErr = err
			return
		}
		hostileBin = filepath.Join(dir, "patchbay")
		hostileLaunch = filepath.Join(dir, "rsslaunch")
		for _, b := range [][2]string{{hostileBin, "."}, {hostileLaunch, "./testdata/rsslaunch"}} {
			out, err := exec.Command("go", "build", "-o", b[0], b[1]).CombinedOutput()
			if err != nil {
				hostileBinErr = fmt.Errorf("go build %s: %v\n%s", b[1], err, out)
				return
			}
		}
	})
	if hostileBinErr != nil {
		t.Fatal(hostileBinErr)
	}
	return hostileBin
}

// snapshot is every entry under dir with its mode, size and time, to see
// what a command changed.
func snapshot(t *testing.T, dir string) map[string]string {
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			// A directory's time moves with every file made in it; the
			// files themselves are compared.
			out[rel] = fi.Mode().String()
			return nil
		}
		out[rel] = fmt.Sprintf("%v %d %d", fi.Mode(), fi.Size(), fi.ModTime().UnixNano())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestHostileInputs(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("peak memory is read from Linux's rusage")
	}
	bin := hostileBinary(t)
	hostileMu.Lock()
	cases := slices.Clone(hostileCases)
	hostileMu.Unlock()
	slices.SortFunc(cases, func(a, b hostileCase) int { return strings.Compare(a.name, b.name) })
	var report strings.Builder
	fmt.Fprintf(&report, "%-48s %6s %10s %9s\n", "case", "exit", "wall", "peak RSS")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range c.from {
				data, err := os.ReadFile(filepath.Join("../../testdata/hostile", f))
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			for name, gen := range c.files {
				f, err := os.Create(filepath.Join(dir, name))
				if err != nil {
					t.Fatal(err)
				}
				if err := gen(f); err != nil {
					t.Fatal(err)
				}
				if err := f.Close(); err != nil {
					t.Fatal(err)
				}
			}
			if c.setup != nil {
				c.setup(t, dir)
			}
			before := snapshot(t, dir)
			args := make([]string, len(c.args))
			for i, a := range c.args {
				args[i] = strings.ReplaceAll(a, "$DIR", dir)
			}
			ctx, cancel := context.WithTimeout(context.Background(), hostileKill)
			defer cancel()
			rssFile := filepath.Join(t.TempDir(), "rss")
			cmd := exec.CommandContext(ctx, hostileLaunch, append([]string{bin}, args...)...)
			cmd.Env = append(os.Environ(), "RSSLAUNCH_OUT="+rssFile)
			cmd.Dir = dir
			// A hung case is killed with its launcher: the whole group.
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
			cmd.WaitDelay = 5 * time.Second
			var stderr bytes.Buffer
			cmd.Stdout = io.Discard
			cmd.Stderr = &stderr
			start := time.Now()
			err := cmd.Run()
			wall := time.Since(start)
			code := 0
			var ee *exec.ExitError
			switch {
			case errors.As(err, &ee):
				code = ee.ExitCode()
			case err != nil:
				t.Fatal(err)
			}
			if code == 125 {
				t.Fatalf("rsslaunch failed: %s", stderr.String())
			}
			kib, err := os.ReadFile(rssFile)
			if err != nil {
				t.Fatal(err)
			}
			rss, err := strconv.ParseInt(strings.TrimSpace(string(kib)), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			rss <<= 10 // KiB on Linux
			fmt.Fprintf(&report, "%-48s %6d %10s %6d MiB\n", c.name, code, wall.Round(time.Millisecond), rss>>20)
			msg := stderr.String()
			if ctx.Err() != nil {
				t.Fatalf("still running after %v; stderr:\n%.2000s", hostileKill, msg)
			}
			if code != c.exit {
				t.Errorf("exit %d, want %d; stderr:\n%.2000s", code, c.exit, msg)
			}
			if !regexp.MustCompile(c.want).MatchString(msg) {
				t.Errorf("stderr does not match %q:\n%.2000s", c.want, msg)
			}
			for _, bad := range []string{"panic:", "fatal error:", "goroutine "} {
				if strings.Contains(msg, bad) {
					t.Errorf("stderr has %q:\n%.4000s", bad, msg)
				}
			}
			if len(msg) > hostileMaxStderr {
				t.Errorf("stderr is %d bytes, want at most %d", len(msg), hostileMaxStderr)
			}
			if rss > hostileMaxRSS {
				t.Errorf("peak memory %d MiB, want under %d MiB", rss>>20, hostileMaxRSS>>20)
			}
			after := snapshot(t, dir)
			for name, was := range before {
				if now, ok := after[name]; (!ok || now != was) && !slices.Contains(c.writes, name) {
					t.Errorf("%s changed (%s → %s) though the command was not asked to write it", name, was, now)
				}
			}
			for name := range after {
				if _, ok := before[name]; !ok && !slices.Contains(c.writes, name) {
					t.Errorf("%s was created though the command was not asked to write it", name)
				}
			}
		})
	}
	t.Logf("hostile inputs on %d cores:\n%s", runtime.NumCPU(), report.String())
}
