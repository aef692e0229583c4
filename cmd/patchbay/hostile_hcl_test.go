//go:build unix

package main

import (
	"bufio"
	"io"
	"strings"
)

// HCL front-end cases: the step and memory budgets on expressions, and the
// nesting limit checked before parsing, in designs and -var-files.
func init() {
	budget := `(step budget of 10000000|memory budget of 256 MiB) exceeded.*raise it with --max-(steps|memory)`
	static := func(name, file, want string) hostileCase {
		return hostileCase{
			name: "hcl/" + name,
			args: []string{"plan", "$DIR/" + file},
			from: []string{"hcl/" + file},
			exit: 2,
			want: want,
		}
	}
	// deep writes an attribute nesting n objects or lists, 60 bytes a line
	// so the generated file is no single huge line.
	deep := func(prefix string, n int, open, close string) func(io.Writer) error {
		return func(w io.Writer) error {
			bw := bufio.NewWriter(w)
			bw.WriteString(prefix)
			for i := range n {
				bw.WriteString(open)
				if i%60 == 59 {
					bw.WriteString("\n")
				}
			}
			bw.WriteString("1")
			bw.WriteString(strings.Repeat(close, n))
			bw.WriteString("\n")
			if prefix != "x = " {
				bw.WriteString("}\n")
			}
			return bw.Flush()
		}
	}
	nesting := `nesting deeper than 256 levels`
	addHostile(
		static("for_each-1e7", "foreach_1e7.hcl", `foreach_1e7\.hcl:6:\d+: .*`+budget),
		static("join-100MB", "join_100mb.hcl", `join_100mb\.hcl:\d+:\d+: .*`+budget),
		static("join-600MB", "join_600mb.hcl", `join_600mb\.hcl:7:\d+: .*memory budget of 256 MiB exceeded: join\(\) would build`),
		static("doubling-locals", "doubling_locals.hcl", `doubling_locals\.hcl:\d+:\d+: .*`+budget),
		static("nested-for-1e9", "nested_for_1e9.hcl", `nested_for_1e9\.hcl:4:\d+: .*step budget of 10000000 exceeded`),
		static("range-1e9", "range_1e9.hcl", `range_1e9\.hcl:2:\d+: .*step budget of 10000000 exceeded: range\(\) would take`),
		static("setproduct-1e9", "setproduct.hcl", `setproduct\.hcl:3:\d+: .*step budget of 10000000 exceeded: setproduct\(\) would take`),
		static("format-1GB", "format_width.hcl", `format_width\.hcl:3:\d+: .*memory budget of 256 MiB exceeded: format\(\) would build`),
		hostileCase{
			name:  "hcl/deep-100k-objects",
			args:  []string{"plan", "$DIR/deep.hcl"},
			files: map[string]func(io.Writer) error{"deep.hcl": deep("locals {\n  x = ", 100_000, "{a = ", "}")},
			exit:  2,
			want:  `deep\.hcl:\d+:\d+: .*` + nesting,
		},
		hostileCase{
			name:  "hcl/deep-40k-lists",
			args:  []string{"plan", "$DIR/deep.hcl"},
			files: map[string]func(io.Writer) error{"deep.hcl": deep("locals {\n  x = ", 40_000, "[", "]")},
			exit:  2,
			want:  `deep\.hcl:\d+:\d+: .*` + nesting,
		},
		hostileCase{
			name: "hcl/operator-chain-1M",
			args: []string{"plan", "$DIR/ops.hcl"},
			files: map[string]func(io.Writer) error{"ops.hcl": func(w io.Writer) error {
				_, err := io.WriteString(w, "locals {\n  x = "+strings.Repeat("!", 1_000_000)+"true\n}\n")
				return err
			}},
			exit: 2,
			want: `ops\.hcl:2:\d+: .*` + nesting,
		},
		static("huge-number", "huge_number.hcl", `huge_number\.hcl:3:\d+: .*number out of range`),
		hostileCase{
			name:  "hcl/deep-100k-var-file",
			args:  []string{"plan", "$DIR/vars.hcl", "-var-file", "$DIR/deep.tfvars"},
			from:  []string{"hcl/vars.hcl"},
			files: map[string]func(io.Writer) error{"deep.tfvars": deep("x = ", 100_000, "{a = ", "}")},
			exit:  2,
			want:  `deep\.tfvars:\d+:\d+: .*` + nesting,
		},
	)
}
