// Package project is the sandbox both front-ends read files through: the
// project root, paths relative to the file that names them, and refusals
// for anything that would leave the root.
package project

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"patchbay/lang"
)

// MaxFileSize caps every read (designs, load() targets, modules, var-files):
// far above any real design, and it stops /dev/zero-like sources.
const MaxFileSize = 16 << 20

// inputKinds names, in messages, what MaxFileSize bounds.
const inputKinds = "a design, module, var-file, usage file or price catalog"

// Root is an opened project root.
type Root struct {
	FS      fs.FS
	Display string // how the root is written in positions ("examples")
	close   func() error
	os      *os.Root // set for a root on disk: opened without blocking
}

// Open opens the root of the design at file (its directory unless root is
// given) and returns the file's path inside it, slash-separated. Symbolic
// links that lead out of the root are refused by the operating system.
func Open(file, root string) (*Root, string, error) {
	if root == "" {
		root = filepath.Dir(file)
	}
	rel, err := filepath.Rel(root, file)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return nil, "", lang.Diagnostics{{Rule: "load", Summary: fmt.Sprintf("%s is not inside the project root %s", file, root)}}
	}
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, "", lang.Diagnostics{{Rule: "load", Summary: fmt.Sprintf("cannot open project root: %v", err)}}
	}
	return &Root{FS: r.FS(), Display: root, close: r.Close, os: r}, filepath.ToSlash(rel), nil
}

// OpenDir opens dir itself as a root, for a reader of every file in it (a
// Terraform configuration); as for Open, links out of it are refused.
func OpenDir(dir string) (*Root, error) {
	r, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", dir, readError(err))
	}
	return &Root{FS: r.FS(), Display: dir, close: r.Close, os: r}, nil
}

// FromFS wraps a file system (tests, fuzzing) as a root.
func FromFS(fsys fs.FS, display string) *Root { return &Root{FS: fsys, Display: display} }

// Close releases the root.
func (r *Root) Close() error {
	if r.close == nil {
		return nil
	}
	return r.close()
}

// DisplayName is how a file of the project appears in positions.
func (r *Root) DisplayName(name string) string {
	if r.Display == "" || r.Display == "." {
		return name
	}
	return path.Join(filepath.ToSlash(r.Display), name)
}

// Read reads a regular file of the project, at most 16 MiB.
func (r *Root) Read(name string) ([]byte, error) {
	if r.os == nil {
		return ReadFrom(r.FS, name)
	}
	// Stat first so a FIFO or device is never opened at all (opening a FIFO
	// blocks until a writer comes; some devices act on open).
	fi, err := r.os.Stat(name)
	if err != nil {
		return nil, readError(err)
	}
	if err := regular(fi); err != nil {
		return nil, err
	}
	f, err := r.os.OpenFile(name, os.O_RDONLY|oNonblock, 0)
	if err != nil {
		return nil, readError(err)
	}
	defer f.Close()
	return readRegular(f, MaxFileSize, inputKinds)
}

// ReadFrom reads a regular file name from fsys (embedded modules, tests)
// with the project's limits and messages.
func ReadFrom(fsys fs.FS, name string) ([]byte, error) {
	fi, err := fs.Stat(fsys, name)
	if err != nil {
		return nil, readError(err)
	}
	if err := regular(fi); err != nil {
		return nil, err
	}
	f, err := fsys.Open(name)
	if err != nil {
		return nil, readError(err)
	}
	defer f.Close()
	return readRegular(f, MaxFileSize, inputKinds)
}

// ReadFile reads a file named on the command line (an HCL -var-file),
// outside the project root, with the same limits as the project's files.
func ReadFile(name string) ([]byte, error) {
	return ReadFileLimit(name, MaxFileSize, inputKinds)
}

// ReadFileLimit is ReadFile for a file of another kind (what names it in
// the message), which may be up to limit bytes: AWS's price list files
// run to hundreds of megabytes.
func ReadFileLimit(name string, limit int64, what string) ([]byte, error) {
	fi, err := os.Stat(name)
	if err != nil {
		return nil, readError(err)
	}
	if err := regular(fi); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(name, os.O_RDONLY|oNonblock, 0)
	if err != nil {
		return nil, readError(err)
	}
	defer f.Close()
	return readRegular(f, limit, what)
}

// readRegular reads an opened file after checking, on the opened file
// itself, that it is still a regular file: a FIFO swapped in between the
// stat and the open was opened without blocking and is refused here.
func readRegular(f fs.File, limit int64, what string) ([]byte, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, readError(err)
	}
	if err := regular(fi); err != nil {
		return nil, err
	}
	if fi.Size() > limit {
		return nil, tooLarge(limit, what)
	}
	// The size can change while reading; the limit holds regardless.
	src, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, readError(err)
	}
	if int64(len(src)) > limit {
		return nil, tooLarge(limit, what)
	}
	return src, nil
}

func tooLarge(limit int64, what string) error {
	return fmt.Errorf("refused: the file is larger than %d MiB, the limit for %s", limit>>20, what)
}

// regular refuses anything but a regular file: a directory, a FIFO, a
// device or a socket would block, fail oddly or read without end.
func regular(fi fs.FileInfo) error {
	m := fi.Mode()
	if m.IsRegular() {
		return nil
	}
	kind := "not a regular file"
	switch {
	case m.IsDir():
		kind = "a directory"
	case m&fs.ModeNamedPipe != 0:
		kind = "a named pipe (FIFO)"
	case m&fs.ModeCharDevice != 0:
		kind = "a character device"
	case m&fs.ModeDevice != 0:
		kind = "a device"
	case m&fs.ModeSocket != 0:
		kind = "a socket"
	}
	return fmt.Errorf("refused: %s, not a regular file; only regular files are read", kind)
}

func readError(err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return errors.New("no such file")
	case strings.Contains(err.Error(), "escapes"):
		return errors.New("refused: a symbolic link leads outside the project root")
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Resolve resolves ref, written in the file from, to a path inside the
// project root; ext is the one extension allowed and verb what the
// language does with it ("load", "module source").
func Resolve(from, ref, ext, verb string) (string, error) {
	switch {
	case ref == "":
		return "", fmt.Errorf("empty %s path", verb)
	case strings.HasPrefix(ref, "/") || filepath.IsAbs(ref) || (len(ref) > 1 && ref[1] == ':'):
		return "", fmt.Errorf("refused: absolute path %q; %s paths are relative to the file that names them, inside the project root", ref, verb)
	case strings.Contains(ref, "\\"):
		return "", fmt.Errorf("refused: %q: use / to separate directories", ref)
	case strings.Contains(ref, "://") || strings.Contains(ref, "::"):
		return "", fmt.Errorf("refused: %q: only files inside the project root can be read", ref)
	case path.Ext(ref) != ext:
		return "", fmt.Errorf("refused: %q: only %s files can be read here", ref, ext)
	}
	name := path.Join(path.Dir(from), ref)
	if name == ".." || strings.HasPrefix(name, "../") {
		return "", fmt.Errorf("refused: %q leads outside the project root (use --root to widen it)", ref)
	}
	return name, nil
}
