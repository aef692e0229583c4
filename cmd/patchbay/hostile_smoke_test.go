//go:build unix

package main

import (
	"fmt"
	"io"
)

func init() {
	addHostile(hostileCase{
		name: "starlark/fail",
		args: []string{"plan", "$DIR/fail.star"},
		files: map[string]func(io.Writer) error{"fail.star": func(w io.Writer) error {
			_, err := fmt.Fprintln(w, `fail("refused on purpose")`)
			return err
		}},
		exit: 2,
		want: `fail\.star:1:\d+: .*refused on purpose`,
	})
}
