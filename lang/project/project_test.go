//go:build unix

package project

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestOnlyRegularFiles: a directory, a FIFO or a device is refused without
// blocking, and a file past 16 MiB is refused, both in the project root and
// on the command line (-var-file).
func TestOnlyRegularFiles(t *testing.T) {
	dir := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(dir, "ok.star"), []byte("x = 1\n"), 0o644))
	must(os.Mkdir(filepath.Join(dir, "dir.star"), 0o755))
	must(syscall.Mkfifo(filepath.Join(dir, "fifo.star"), 0o644))
	must(os.WriteFile(filepath.Join(dir, "big.star"), make([]byte, MaxFileSize+1), 0o644))
	root, rel, err := Open(filepath.Join(dir, "ok.star"), "")
	must(err)
	defer root.Close()
	if src, err := root.Read(rel); err != nil || string(src) != "x = 1\n" {
		t.Fatalf("Read(%s) = %q, %v", rel, src, err)
	}
	for name, want := range map[string]string{
		"dir.star":  "a directory, not a regular file",
		"fifo.star": "a named pipe (FIFO), not a regular file",
		"big.star":  "larger than 16 MiB",
		"none.star": "no such file",
	} {
		if _, err := root.Read(name); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Read(%s) = %v, want %q", name, err, want)
		}
		if _, err := ReadFile(filepath.Join(dir, name)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ReadFile(%s) = %v, want %q", name, err, want)
		}
	}
	if _, err := ReadFile("/dev/zero"); err == nil || !strings.Contains(err.Error(), "a character device") {
		t.Errorf("ReadFile(/dev/zero) = %v", err)
	}
}
