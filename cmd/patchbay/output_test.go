//go:build unix

package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// outputFlag is one output option of one command: args runs the command
// with the output going to "OUT" (replaced by the path under test), whose
// extension ext the command may care about.
type outputFlag struct {
	name string
	args []string
	ext  string
}

func outputFlags(t *testing.T) []outputFlag {
	ex, err := filepath.Abs("../../examples")
	if err != nil {
		t.Fatal(err)
	}
	lm := filepath.Join(ex, "last_mile.star")
	// Shards for sweep merge, made once in a directory of their own.
	dir := t.TempDir()
	var shards []string
	for _, s := range []string{"1/2", "2/2"} {
		p := filepath.Join(dir, "shard"+s[:1]+".json")
		var out, errb bytes.Buffer
		if code := run([]string{"sweep", "--shard", s, "-o", p, lm}, &out, &errb); code > 1 {
			t.Fatalf("sweep --shard %s: exit %d: %s", s, code, errb.String())
		}
		shards = append(shards, p)
	}
	merge := append([]string{"sweep", "merge", lm}, shards...)
	return []outputFlag{
		{"render -o", []string{"render", lm, "-o", "OUT"}, ".dot"},
		{"sim --metrics", []string{"sim", lm, "--metrics", "OUT"}, ".csv"},
		{"sim --plot", []string{"sim", lm, "--plot", "OUT"}, ".svg"},
		{"sim --pcap", []string{"sim", lm, "--pcap", "OUT"}, ".pcap"},
		{"sim --pcap-inside", []string{"sim", lm, "--pcap-inside", "OUT"}, ".pcap"},
		{"sim --keylog", []string{"sim", lm, "--keylog", "OUT"}, ".log"},
		{"sweep -o", []string{"sweep", lm, "-o", "OUT"}, ".txt"},
		{"sweep --shard -o", []string{"sweep", "--shard", "1/2", lm, "-o", "OUT"}, ".json"},
		{"sweep --plot", []string{"sweep", lm, "--plot", "OUT"}, ".svg"},
		{"sweep --diagram", []string{"sweep", lm, "--diagram", "OUT"}, ".dot"},
		{"sweep merge -o", append(merge[:len(merge):len(merge)], "-o", "OUT"), ".txt"},
		{"sweep merge --plot", append(merge[:len(merge):len(merge)], "--plot", "OUT"), ".svg"},
		{"sweep merge --diagram", append(merge[:len(merge):len(merge)], "--diagram", "OUT"), ".dot"},
	}
}

// runOutput runs a command with OUT replaced; a run that could not run at
// all (exit 2) fails the test unless failing is what it should do.
func runOutput(t *testing.T, f outputFlag, out string, wantFail bool) string {
	t.Helper()
	args := make([]string, len(f.args))
	for i, a := range f.args {
		args[i] = strings.ReplaceAll(a, "OUT", out)
	}
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	if failed := code == exitFailure; failed != wantFail {
		t.Fatalf("%v: exit %d; stderr:\n%s", args, code, stderr.String())
	}
	return stderr.String()
}

// TestOutputKeepsSpecialFiles: no output flag of any command replaces a
// named pipe, a device or a symbolic link it is given; each is written
// through.
func TestOutputKeepsSpecialFiles(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("named pipes and /dev/null as on Linux")
	}
	for _, f := range outputFlags(t) {
		t.Run(f.name, func(t *testing.T) {
			t.Run("fifo", func(t *testing.T) {
				p := filepath.Join(t.TempDir(), "out"+f.ext)
				if err := mkfifo(p, 0o600); err != nil {
					t.Fatal(err)
				}
				got := make(chan int, 1)
				go func() {
					r, err := os.Open(p) // blocks until the command opens it
					if err != nil {
						got <- -1
						return
					}
					n, _ := io.Copy(io.Discard, r)
					r.Close()
					got <- int(n)
				}()
				runOutput(t, f, p, false)
				if n := <-got; n <= 0 {
					t.Errorf("the reader got %d bytes", n)
				}
				wantMode(t, p, fs.ModeNamedPipe)
			})
			t.Run("device", func(t *testing.T) {
				if f.ext == ".dot" {
					// The extension picks the drawing; a link named
					// .dot leads to the device instead (below).
					t.Skip("/dev/null has no extension")
				}
				runOutput(t, f, os.DevNull, false)
				wantMode(t, os.DevNull, fs.ModeDevice|fs.ModeCharDevice)
			})
			t.Run("link to device", func(t *testing.T) {
				link := filepath.Join(t.TempDir(), "out"+f.ext)
				if err := os.Symlink(os.DevNull, link); err != nil {
					t.Fatal(err)
				}
				runOutput(t, f, link, false)
				wantMode(t, link, fs.ModeSymlink)
				wantMode(t, os.DevNull, fs.ModeDevice|fs.ModeCharDevice)
			})
			t.Run("link to file", func(t *testing.T) {
				dir := t.TempDir()
				sub := filepath.Join(dir, "real")
				if err := os.Mkdir(sub, 0o755); err != nil {
					t.Fatal(err)
				}
				target := filepath.Join(sub, "target"+f.ext)
				if err := os.WriteFile(target, []byte("old"), 0o600); err != nil {
					t.Fatal(err)
				}
				link := filepath.Join(dir, "out"+f.ext)
				if err := os.Symlink("real/target"+f.ext, link); err != nil {
					t.Fatal(err)
				}
				runOutput(t, f, link, false)
				wantMode(t, link, fs.ModeSymlink)
				if dest, _ := os.Readlink(link); dest != "real/target"+f.ext {
					t.Errorf("the link now points at %q", dest)
				}
				fi, err := os.Stat(target)
				if err != nil {
					t.Fatal(err)
				}
				if b, _ := os.ReadFile(target); string(b) == "old" || fi.Mode().Perm() != 0o600 {
					t.Errorf("target: %d bytes, mode %v; want new content, mode 0600", fi.Size(), fi.Mode().Perm())
				}
				for d, want := range map[string]int{dir: 2, sub: 1} {
					if ents, _ := os.ReadDir(d); len(ents) != want {
						t.Errorf("%s holds %d entries, want %d (temporary files left?)", d, len(ents), want)
					}
				}
			})
			t.Run("dangling link", func(t *testing.T) {
				dir := t.TempDir()
				link := filepath.Join(dir, "out"+f.ext)
				if err := os.Symlink("new"+f.ext, link); err != nil {
					t.Fatal(err)
				}
				runOutput(t, f, link, false)
				wantMode(t, link, fs.ModeSymlink)
				if fi, err := os.Stat(filepath.Join(dir, "new"+f.ext)); err != nil || fi.Size() == 0 {
					t.Errorf("the link's target was not written: %v", err)
				}
			})
			t.Run("directory", func(t *testing.T) {
				dir := filepath.Join(t.TempDir(), "dir"+f.ext)
				if err := os.Mkdir(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				msg := runOutput(t, f, dir, true)
				if !strings.Contains(msg, "is a directory") {
					t.Errorf("stderr does not say it is a directory:\n%s", msg)
				}
				wantMode(t, dir, fs.ModeDir)
			})
		})
	}
}

// TestOutputStdout: "-" is standard output for every output flag.
func TestOutputStdout(t *testing.T) {
	for _, f := range outputFlags(t) {
		t.Run(f.name, func(t *testing.T) {
			args := make([]string, len(f.args))
			for i, a := range f.args {
				args[i] = strings.ReplaceAll(a, "OUT", "-")
			}
			dir := t.TempDir()
			t.Chdir(dir)
			var stdout, stderr bytes.Buffer
			if code := run(args, &stdout, &stderr); code == exitFailure {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			if stdout.Len() == 0 {
				t.Error("nothing on standard output")
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 0 {
				t.Errorf("wrote files: %v", ents)
			}
		})
	}
}

// TestOutputFmtKeepsLinkAndMode: fmt replaces a linked input's target, not
// the link, keeps its mode, and refuses a named pipe.
func TestOutputFmtKeepsLinkAndMode(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "real.star")
	if err := os.WriteFile(target, []byte("vpc(\"a\",region=\"us-east-1\",cidr=\"10.0.0.0/16\")\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.star")
	if err := os.Symlink("real.star", link); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"fmt", link}, &stdout, &stderr); code != 0 {
		t.Fatalf("fmt: exit %d: %s", code, stderr.String())
	}
	wantMode(t, link, fs.ModeSymlink)
	fi, _ := os.Stat(target)
	if b, _ := os.ReadFile(target); !strings.Contains(string(b), `region = "us-east-1"`) || fi.Mode().Perm() != 0o640 {
		t.Errorf("target mode %v:\n%s", fi.Mode().Perm(), b)
	}
	fifo := filepath.Join(dir, "pipe.star")
	if err := mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	stderr.Reset()
	if code := run([]string{"fmt", fifo}, &stdout, &stderr); code != exitFailure || !strings.Contains(stderr.String(), "not a regular file") {
		t.Errorf("fmt on a named pipe: exit %d: %s", code, stderr.String())
	}
	wantMode(t, fifo, fs.ModeNamedPipe)
}

// wantMode fails unless path (not followed) has the type bits want.
func wantMode(t *testing.T, path string, want fs.FileMode) {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Type(); got != want {
		t.Errorf("%s is now %v, want %v", path, got, want)
	}
}

// TestOutputGraphvizCache: Graphviz's compiled code is kept in the user's
// cache directory, made private, and only by commands that draw; a
// $TMPDIR/go-graphviz that is not ours (here a file, or a directory of
// garbage) changes nothing, and an unusable cache directory only costs
// time.
func TestOutputGraphvizCache(t *testing.T) {
	bin := hostileBinary(t)
	ex, err := filepath.Abs("../../examples/last_mile.star")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	if err := os.WriteFile(filepath.Join(tmp, "go-graphviz"), []byte("not a directory"), 0o644); err != nil {
		t.Fatal(err)
	}
	tmp2 := t.TempDir()
	garbage := filepath.Join(tmp2, "go-graphviz", "wazero-v1.10.1-amd64-linux")
	if err := os.MkdirAll(garbage, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(garbage, "x"), []byte("garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	notDir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notDir, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	runBin := func(env []string, args ...string) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), env...)
		msg, err := cmd.CombinedOutput()
		if err != nil || strings.Contains(string(msg), "panic") {
			t.Fatalf("%v with %v: %v\n%.2000s", args, env, err, msg)
		}
	}
	for _, tmpdir := range []string{tmp, tmp2} {
		cache := t.TempDir()
		env := []string{"TMPDIR=" + tmpdir, "XDG_CACHE_HOME=" + cache}
		runBin(env, "explain")
		runBin(env, "plan", ex)
		if ents, _ := os.ReadDir(cache); len(ents) != 0 {
			t.Errorf("explain and plan made %v in the cache directory", ents)
		}
		runBin(env, "render", ex, "-o", filepath.Join(out, "a.svg"))
		runBin(append(env[:1:1], "XDG_CACHE_HOME="+notDir), "render", ex, "-o", filepath.Join(out, "b.png"))
		fi, err := os.Stat(filepath.Join(cache, "patchbay", "graphviz"))
		if err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("the cache directory: %v; want mode 0700", err)
		}
	}
	if ents, _ := os.ReadDir(tmp); len(ents) != 1 {
		t.Errorf("TMPDIR holds %v, want only the file that was there", ents)
	}
	for _, f := range []string{"a.svg", "b.png"} {
		if fi, err := os.Stat(filepath.Join(out, f)); err != nil || fi.Size() == 0 {
			t.Errorf("%s not drawn: %v", f, err)
		}
	}
}

// TestKeylogIsPrivate: the MACsec keys decrypt a capture, so a new --keylog
// file is readable by its owner only (as TLS key logs are by convention);
// other outputs get the usual 0644.
func TestKeylogIsPrivate(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix modes")
	}
	ex, err := filepath.Abs("../../examples")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	keys, metrics := filepath.Join(dir, "keys.log"), filepath.Join(dir, "m.csv")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"sim", filepath.Join(ex, "last_mile.star"), "--keylog", keys, "--metrics", metrics}, &stdout, &stderr); code == exitFailure {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for path, want := range map[string]fs.FileMode{keys: 0o600, metrics: 0o644} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s: mode %v, want %v", filepath.Base(path), got, want)
		}
	}
}

// TestOutputNotWrittenAfterInterrupt: output made while an interrupt
// arrived (a drawing whose layout does not look at the context) is not
// written, nor a temporary file left.
func TestOutputNotWrittenAfterInterrupt(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	out := filepath.Join(dir, "out.png")
	err := writeOutput(ctx, io.Discard, "-o", out, func(w io.Writer) error {
		cancel()
		_, err := io.WriteString(w, "drawn")
		return err
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("writeOutput = %v, want context.Canceled", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("wrote %v after the interrupt", ents)
	}
}
