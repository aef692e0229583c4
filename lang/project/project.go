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

// maxFileSize guards against reading something that is not a design.
const maxFileSize = 16 << 20

// Root is an opened project root.
type Root struct {
	FS      fs.FS
	Display string // how the root is written in positions ("examples")
	close   func() error
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
	return &Root{FS: r.FS(), Display: root, close: r.Close}, filepath.ToSlash(rel), nil
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

// Read reads a file of the project, at most 16 MiB.
func (r *Root) Read(name string) ([]byte, error) {
	return ReadFrom(r.FS, name)
}

// ReadFrom reads name from fsys with the project's limits and messages.
func ReadFrom(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, readError(err)
	}
	defer f.Close()
	src, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, readError(err)
	}
	if len(src) > maxFileSize {
		return nil, fmt.Errorf("file is larger than %d MiB", maxFileSize>>20)
	}
	return src, nil
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
