package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Through a link, even a dangling one, writeFileAtomic writes the target and
// keeps the link; it refuses to rename over anything but a regular file.
func TestWriteFileLinksAndSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	link := filepath.Join(dir, "link.star")
	if err := os.Symlink("sub/new.star", link); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := writeFileAtomic(link, []byte("x")); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v", err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "sub", "new.star")); string(b) != "x" {
		t.Errorf("target: %q, %v", b, err)
	}
	loop := filepath.Join(dir, "loop")
	if err := os.Symlink("loop", loop); err != nil {
		t.Fatal(err)
	}
	if err := writeFileAtomic(loop, nil); err == nil || !strings.Contains(err.Error(), "too many levels") {
		t.Errorf("a loop of links: %v", err)
	}
	fifo := filepath.Join(dir, "pipe")
	if err := mkfifo(fifo, 0o600); err != nil {
		t.Skip(err)
	}
	if err := writeFileAtomic(fifo, []byte("x")); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("a named pipe: %v", err)
	}
	if fi, _ := os.Lstat(fifo); fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the named pipe was replaced")
	}
}

// TestWriteFileRelativeLinkThroughLinkedDir: a relative link is read from
// where its directory really is, as the kernel does — dir/../x under a
// linked dir names the real parent, not the text's.
func TestWriteFileRelativeLinkThroughLinkedDir(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "real", "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real/sub", filepath.Join(dir, "lnk")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../target", filepath.Join(dir, "real", "sub", "out")); err != nil {
		t.Fatal(err)
	}
	if err := writeFileAtomic(filepath.Join(dir, "lnk", "out"), []byte("new")); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(filepath.Join(dir, "real", "target")); err != nil || string(got) != "new" {
		t.Errorf("real/target = %q, %v; want the new content", got, err)
	}
	if _, err := os.Lstat(filepath.Join(dir, "target")); err == nil {
		t.Error("a stray file was written beside lnk")
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.star")
	if err := os.WriteFile(p, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := writeFileAtomic(p, []byte("new")); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(p)
	fi, _ := os.Stat(p)
	if string(got) != "new" || fi.Mode().Perm() != 0o600 {
		t.Errorf("got %q mode %v", got, fi.Mode().Perm())
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("left temporary files: %v", ents)
	}
}
