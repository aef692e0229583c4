package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Every file a command writes goes through writeOutput, so that every
// output flag means the same thing:
//
//   - "-" is standard output;
//   - /dev/stdout, /dev/stderr, /dev/fd/N and /proc/self/fd/N are the
//     process's own descriptors, written as they are (reopening them
//     would start at offset 0 of a file the shell redirected to);
//   - an existing file that is not a regular one (a device such as
//     /dev/null, a named pipe a reader waits on, a socket), or a symbolic
//     link to one, is written straight into: a rename would replace it
//     with a regular file, which as root breaks /dev/null for everyone;
//   - a symbolic link to a regular file, or to none yet, has its target
//     replaced atomically in the target's own directory; the link stays;
//   - otherwise the file is replaced atomically (temporary file and
//     rename), so a failed or interrupted run never leaves half a file;
//   - a directory is an error that says so.
//
// The output is rendered into memory first, so nothing is touched when
// rendering fails.

// writeOutput renders with write and stores the result at path; flag names
// the option in messages (-o, --metrics).
func writeOutput(ctx context.Context, stdout io.Writer, flag, path string, write func(io.Writer) error) error {
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		return err
	}
	// Work that does not look at ctx (Graphviz's layout, a PNG's pixels)
	// may have run through an interrupt: what it made is not written.
	if err := ctx.Err(); err != nil {
		return err
	}
	return writeOutputBytes(ctx, stdout, flag, path, buf.Bytes())
}

// writeOutputBytes stores data at path, as writeOutput does.
func writeOutputBytes(ctx context.Context, stdout io.Writer, flag, path string, data []byte) error {
	return writeOutputMode(ctx, stdout, flag, path, data, 0o644)
}

// writeOutputMode is writeOutputBytes with the mode a new file gets.
func writeOutputMode(ctx context.Context, stdout io.Writer, flag, path string, data []byte, perm os.FileMode) error {
	if path == "-" {
		_, err := stdout.Write(data)
		return err
	}
	if err := writeTo(ctx, stdout, path, data, perm); err != nil {
		return fmt.Errorf("%s %s: %w", flag, path, unwrapPath(err))
	}
	return nil
}

// checkOutput fails early, before any work, for an output path that can
// never be written: a directory, or a file in a directory that does not
// exist.
func checkOutput(flag, path string) error {
	if path == "" || path == "-" {
		return nil
	}
	if _, ok := ownDescriptor(path); ok {
		return nil
	}
	target, err := resolveLinks(path)
	if err != nil {
		return fmt.Errorf("%s %s: %w", flag, path, unwrapPath(err))
	}
	if fi, err := os.Stat(target); err == nil && fi.IsDir() {
		return fmt.Errorf("%s %s: is a directory; name a file to write", flag, path)
	}
	if fi, err := os.Stat(filepath.Dir(target)); err != nil || !fi.IsDir() {
		return fmt.Errorf("%s %s: directory %s does not exist", flag, path, filepath.Dir(target))
	}
	return nil
}

func writeTo(ctx context.Context, stdout io.Writer, path string, data []byte, perm os.FileMode) error {
	// Follow links one at a time: a link may lead to one of the process's
	// own descriptors (out.csv → /dev/stdout → /proc/self/fd/1 → pipe:[…]).
	p := path
	for range 40 {
		if fd, ok := ownDescriptor(p); ok {
			return writeDescriptor(stdout, fd, data)
		}
		fi, err := os.Lstat(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return writeFileAtomicMode(p, data, perm)
		case err != nil:
			return err
		case fi.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			if !filepath.IsAbs(target) {
				target = filepath.Join(linkDir(p), target)
			}
			p = target
			continue
		case fi.IsDir():
			return errors.New("is a directory; name a file to write")
		case fi.Mode().IsRegular():
			return writeFileAtomicMode(p, data, perm)
		}
		if fi.Mode()&fs.ModeNamedPipe != 0 {
			return writeFIFO(ctx, p, data)
		}
		// A device or socket: open what is there, without O_CREATE (which
		// could make a file if it vanished meanwhile) or O_TRUNC
		// (meaningless for these).
		return writeOpened(p, os.O_WRONLY, data)
	}
	return errors.New("too many levels of symbolic links")
}

// ownDescriptor recognises the names of the process's own open files.
func ownDescriptor(path string) (int, bool) {
	switch path = filepath.Clean(path); path {
	case "/dev/stdout":
		return 1, true
	case "/dev/stderr":
		return 2, true
	}
	for _, dir := range []string{"/dev/fd/", "/proc/self/fd/"} {
		if n, ok := strings.CutPrefix(path, dir); ok {
			if fd, err := strconv.Atoi(n); err == nil && fd >= 0 {
				return fd, true
			}
		}
	}
	return 0, false
}

// writeDescriptor writes to an open descriptor of the process: standard
// output through stdout (so it interleaves with the command's other
// output), standard error as it is, and others reopened through
// /proc/self/fd (an *os.File made from a bare descriptor would close it
// when collected).
func writeDescriptor(stdout io.Writer, fd int, data []byte) error {
	var w io.Writer
	switch fd {
	case 1:
		w = stdout
	case 2:
		w = os.Stderr
	default:
		return writeOpened("/proc/self/fd/"+strconv.Itoa(fd), os.O_WRONLY|os.O_APPEND, data)
	}
	_, err := w.Write(data)
	return err
}

// writeOpened opens an existing target with flag, writes data and closes
// it, reporting the first error.
func writeOpened(path string, flag int, data []byte) error {
	f, err := os.OpenFile(path, flag, 0)
	if err != nil {
		return err
	}
	_, werr := f.Write(data)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	return werr
}

// unwrapPath drops the path an *fs.PathError repeats, since messages
// already start with the flag and the path the user gave.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}
