//go:build unix

package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Hostile inputs for error output and output paths: messages stay small
// whatever the input's lines and names, and an output path that is a named
// pipe, a link or a directory is written through or refused, never
// replaced.

func init() {
	lastMile, err := filepath.Abs("../../examples/last_mile.star")
	if err != nil {
		panic(err)
	}
	// repeat writes s n times without holding the result in memory.
	repeat := func(w io.Writer, s string, n int) error {
		chunk := strings.Repeat(s, 4096)
		for ; n >= 4096; n -= 4096 {
			if _, err := io.WriteString(w, chunk); err != nil {
				return err
			}
		}
		_, err := io.WriteString(w, strings.Repeat(s, n))
		return err
	}
	// fifo makes a named pipe in the case's directory with a reader, which
	// the command's write ends; cleanup unblocks a reader never written to.
	fifo := func(name string) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			p := filepath.Join(dir, name)
			if err := mkfifo(p, 0o600); err != nil {
				t.Fatal(err)
			}
			done := make(chan int64, 1)
			go func() {
				r, err := os.Open(p)
				if err != nil {
					done <- -1
					return
				}
				n, _ := io.Copy(io.Discard, r)
				r.Close()
				done <- n
			}()
			t.Cleanup(func() {
				if w, err := os.OpenFile(p, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
					w.Close()
				}
				if n := <-done; n <= 0 {
					t.Errorf("the reader of %s got %d bytes", name, n)
				}
			})
		}
	}
	symlink := func(target, name string) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
				t.Fatal(err)
			}
		}
	}
	addHostile(
		hostileCase{
			name: "output/error on a 10 MB line",
			args: []string{"plan", "$DIR/long.star"},
			files: map[string]func(io.Writer) error{"long.star": func(w io.Writer) error {
				if _, err := io.WriteString(w, `x = "`); err != nil {
					return err
				}
				if err := repeat(w, "a", 10<<20); err != nil {
					return err
				}
				_, err := io.WriteString(w, `" + nowhere + "`+strings.Repeat("b", 1<<20)+"\"\n")
				return err
			}},
			exit: 2,
			want: `long\.star:1:\d+: .*nowhere[^\n]*\n  1 \| …a+" \+ nowhere \+ "b+…\n    \| +\^`,
		},
		hostileCase{
			name: "output/1 MB unknown identifier",
			args: []string{"plan", "$DIR/ident.star"},
			files: map[string]func(io.Writer) error{"ident.star": func(w io.Writer) error {
				if _, err := io.WriteString(w, "x = 1 + "); err != nil {
					return err
				}
				if err := repeat(w, "y", 1<<20); err != nil {
					return err
				}
				_, err := io.WriteString(w, "\n")
				return err
			}},
			exit: 2,
			want: `ident\.star:1:9: .*yyy`,
		},
		hostileCase{
			name: "output/1 MB unknown keyword",
			args: []string{"plan", "$DIR/kw.star"},
			files: map[string]func(io.Writer) error{"kw.star": func(w io.Writer) error {
				if _, err := io.WriteString(w, `vpc("a", region = "us-east-1", cidr = "10.0.0.0/16", regio`); err != nil {
					return err
				}
				if err := repeat(w, "n", 1<<20); err != nil {
					return err
				}
				_, err := io.WriteString(w, " = 1)\n")
				return err
			}},
			exit: 2,
			want: `kw\.star:1:\d+: .*regionnn`,
		},
		hostileCase{
			name:   "output/metrics to a named pipe",
			args:   []string{"sim", lastMile, "--metrics", "$DIR/metrics.csv"},
			setup:  fifo("metrics.csv"),
			exit:   0,
			want:   `^$`,
			writes: []string{"metrics.csv"}, // a write moves a pipe's time
		},
		hostileCase{
			name:  "output/render through a link to a file",
			args:  []string{"render", lastMile, "-o", "$DIR/link.dot"},
			from:  nil,
			setup: symlink("real.dot", "link.dot"),
			files: map[string]func(io.Writer) error{"real.dot": func(w io.Writer) error {
				_, err := fmt.Fprintln(w, "old")
				return err
			}},
			exit:   0,
			want:   `^$`,
			writes: []string{"real.dot"},
		},
		hostileCase{
			name: "output/capture through a link to a device",
			args: []string{"sim", lastMile, "--pcap", "$DIR/wire.pcap", "--keylog", "$DIR/keys.log"},
			setup: func(t *testing.T, dir string) {
				symlink(os.DevNull, "wire.pcap")(t, dir)
				symlink("/dev/stdout", "keys.log")(t, dir)
			},
			exit: 0,
			want: `^$`,
		},
		hostileCase{
			name:  "output/-o a directory",
			args:  []string{"render", lastMile, "-o", "$DIR/out"},
			setup: func(t *testing.T, dir string) { os.Mkdir(filepath.Join(dir, "out"), 0o755) },
			exit:  2,
			want:  `-o .*/out: is a directory`,
		},
		hostileCase{
			name:  "output/sweep -o a directory",
			args:  []string{"sweep", lastMile, "-o", "$DIR/out"},
			setup: func(t *testing.T, dir string) { os.Mkdir(filepath.Join(dir, "out"), 0o755) },
			exit:  2,
			want:  `-o .*/out: is a directory`,
		},
	)
}
