package main

// Output files are replaced atomically, so that nothing is lost: a crash
// or an interrupt leaves the old file or the new one, never half of
// either. fmt rewrites designs through it; every -o goes through writeTo.

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// maxLinks bounds the symbolic links Resolve follows, as the kernel does
// (ELOOP), so a loop of links is an error and not a hang.
const maxLinks = 40

// resolveLinks follows the symbolic links of path, one at a time, to the name a
// write should replace. Unlike filepath.EvalSymlinks it also follows a link
// to a file that does not exist yet, so writing through a dangling link
// creates its target instead of replacing the link with a regular file.
func resolveLinks(path string) (string, error) {
	for range maxLinks {
		fi, err := os.Lstat(path)
		if errors.Is(err, fs.ErrNotExist) {
			return path, nil
		}
		if err != nil {
			return "", err
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			return path, nil
		}
		target, err := os.Readlink(path)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(linkDir(path), target)
		}
		path = target
	}
	return "", fmt.Errorf("%s: too many levels of symbolic links", path)
}

// writeFileAtomic replaces path with data atomically: a temporary file in the
// same directory, synced, then renamed over the original, keeping its mode.
// A crash leaves either the old file or the new one, never half of either.
// Through a symbolic link it replaces the file the link points at and keeps
// the link. It refuses to replace anything but a regular file: a rename
// over a device or a named pipe (/dev/null, as root) would put a regular
// file in its place.
func writeFileAtomic(path string, data []byte) error {
	return writeFileAtomicMode(path, data, 0o644)
}

// writeFileAtomicMode is writeFileAtomic with the mode a new file gets (an existing
// file keeps its own): 0600 for secrets such as keys.
func writeFileAtomicMode(path string, data []byte, perm os.FileMode) error {
	path, err := resolveLinks(path)
	if err != nil {
		return err
	}
	mode := perm
	switch fi, err := os.Stat(path); {
	case err == nil && fi.IsDir():
		return fmt.Errorf("%s is a directory", path)
	case err == nil && !fi.Mode().IsRegular():
		return fmt.Errorf("%s is not a regular file (%v); not replacing it", path, fi.Mode().Type())
	case err == nil:
		mode = fi.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			os.Remove(name)
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(name, path); err != nil {
		return err
	}
	ok = true
	return nil
}

// linkDir is the directory a relative link target is read from: the
// link's directory with its own links resolved, as the kernel walks it
// (dir/../x names the parent of where dir really is, which joining the
// text would get wrong when dir is itself a link).
func linkDir(link string) string {
	dir := filepath.Dir(link)
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		return real
	}
	return dir
}
