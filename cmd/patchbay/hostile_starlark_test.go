//go:build unix

package main

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Hostile inputs for the Starlark front-end and the project's file reader
// (lang/starlark, lang/project): allocations past the memory budget in one
// operation, nesting that would overflow the Go stack, bytes that would end
// a design early, and files that are not regular files or are too large.
func init() {
	star := func(name, file, want string) hostileCase {
		return hostileCase{name: "starlark/" + name, args: []string{"plan", "$DIR/" + file},
			from: []string{"starlark/" + file}, exit: 2, want: want}
	}
	budget := `memory budget of 256 MiB exceeded \(.*\) — raise it with --max-memory`
	mkfifo := func(name string) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			if err := mkfifo(filepath.Join(dir, name), 0o644); err != nil {
				t.Skipf("mkfifo: %v", err)
			}
		}
	}
	mkdir := func(name string) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			if err := os.Mkdir(filepath.Join(dir, name), 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	// repeat writes s n times, buffered.
	repeat := func(head, s string, n int, tail string) func(io.Writer) error {
		return func(w io.Writer) error {
			b := bufio.NewWriter(w)
			b.WriteString(head)
			for range n {
				b.WriteString(s)
			}
			b.WriteString(tail)
			return b.Flush()
		}
	}
	plain := func(c hostileCase) hostileCase {
		c.from = append(c.from, "starlark/plain.hcl")
		return c
	}
	addHostile(
		// 1. Memory budget inside one operation.
		star("repeat-list", "repeat_list.star", `repeat_list\.star:2:9: error: `+budget),
		star("double-string", "double_string.star", `double_string\.star:[45]:\d+: error: `+budget),
		star("double-list", "double_list.star", `double_list\.star:[45]:\d+: error: `+budget),
		star("double-format", "double_format.star", `double_format\.star:[45]:\d+: error: `+budget),
		star("list-range", "list_range.star", `list_range\.star:2:5: error: `+budget),
		star("enumerate-range", "enumerate_range.star", `enumerate_range\.star:2:5: error: `+budget),
		star("extend-range", "extend_range.star", `extend_range\.star:3:\d+: error: (.*10000000 steps|memory budget of 256 MiB exceeded)`),
		// 2. Depth: a 10 MB line of 1+1+… and 100,000 nested brackets.
		hostileCase{name: "starlark/chain-10MB", args: []string{"plan", "$DIR/chain.star"},
			files: map[string]func(io.Writer) error{"chain.star": repeat("x = 1", "+1", 5_000_000, "\n")},
			exit:  2, want: `chain\.star:1:2006: error: expression nested deeper than 1000 levels`},
		hostileCase{name: "starlark/deep-brackets", args: []string{"plan", "$DIR/deep.star"},
			files: map[string]func(io.Writer) error{"deep.star": repeat("x = ", "[", 100_000, strings.Repeat("]", 100_000)+"\n")},
			exit:  2, want: `deep\.star:1:1005: error: expression nested deeper than 1000 levels`},
		hostileCase{name: "starlark/deep-calls", args: []string{"plan", "$DIR/calls.star"},
			files: map[string]func(io.Writer) error{"calls.star": repeat("x = str", "(str", 100_000, strings.Repeat(")", 100_001)+"\n")},
			exit:  2, want: `calls\.star:1:\d+: error: expression nested deeper than 1000 levels`},
		// 3. A NUL byte would end the design; the error after it must not be skipped.
		star("nul", "nul.star", `nul\.star:2:1: error: NUL byte`),
		star("control-byte", "control.star", `control\.star:1:53: error: control character U\+001B`),
		// 4. Only regular files, at most 16 MiB.
		hostileCase{name: "starlark/load-fifo", args: []string{"plan", "$DIR/load_lib.star"},
			from: []string{"starlark/load_lib.star"}, setup: mkfifo("lib.star"),
			exit: 2, want: `load_lib\.star:1:1: error: .*lib\.star.*a named pipe \(FIFO\), not a regular file`},
		hostileCase{name: "starlark/load-dir", args: []string{"plan", "$DIR/load_lib.star"},
			from: []string{"starlark/load_lib.star"}, setup: mkdir("lib.star"),
			exit: 2, want: `load_lib\.star:1:1: error: .*lib\.star.*a directory, not a regular file`},
		hostileCase{name: "starlark/load-dev-zero-symlink", args: []string{"plan", "$DIR/load_lib.star"},
			from: []string{"starlark/load_lib.star"},
			setup: func(t *testing.T, dir string) {
				if err := os.Symlink("/dev/zero", filepath.Join(dir, "lib.star")); err != nil {
					t.Fatal(err)
				}
			},
			exit: 2, want: `load_lib\.star:1:1: error: .*lib\.star.*symbolic link leads outside the project root`},
		hostileCase{name: "starlark/design-fifo", args: []string{"plan", "$DIR/main.star"},
			setup: mkfifo("main.star"), exit: 2, want: `main\.star.*a named pipe \(FIFO\), not a regular file`},
		hostileCase{name: "starlark/design-dir", args: []string{"plan", "$DIR/main.star"},
			setup: mkdir("main.star"), exit: 2, want: `main\.star.*a directory, not a regular file`},
		hostileCase{name: "starlark/design-17MiB", args: []string{"plan", "$DIR/big.star"},
			files: map[string]func(io.Writer) error{"big.star": repeat("", "# padding padding padding padding padding padding\n", 17<<20/50, "")},
			exit:  2, want: `big\.star.*larger than 16 MiB`},
		plain(hostileCase{name: "starlark/var-file-dev-zero", args: []string{"plan", "$DIR/plain.hcl", "-var-file", "/dev/zero"},
			exit: 2, want: `-var-file /dev/zero: refused: a character device, not a regular file`}),
		plain(hostileCase{name: "starlark/var-file-fifo", args: []string{"plan", "$DIR/plain.hcl", "-var-file", "$DIR/vars.hcl"},
			setup: mkfifo("vars.hcl"), exit: 2, want: `-var-file .*vars\.hcl: refused: a named pipe \(FIFO\)`}),
		plain(hostileCase{name: "starlark/var-file-dir", args: []string{"plan", "$DIR/plain.hcl", "-var-file", "$DIR"},
			exit: 2, want: `-var-file .*: refused: a directory, not a regular file`}),
		plain(hostileCase{name: "starlark/var-file-17MiB", args: []string{"plan", "$DIR/plain.hcl", "-var-file", "$DIR/vars.hcl"},
			files: map[string]func(io.Writer) error{"vars.hcl": repeat("", "# padding padding padding padding padding padding\n", 17<<20/50, "")},
			exit:  2, want: `-var-file .*vars\.hcl: refused: the file is larger than 16 MiB`}),
	)
}
