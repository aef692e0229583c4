package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"patchbay/lang"
	"patchbay/lang/decl"
)

func docCmd(g *globalFlags, stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "doc [BUILTIN]",
		Short: "Reference of the language's builtins",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(g, "text", "json"); err != nil {
				return err
			}
			docs := decl.Builtins()
			if len(args) == 1 {
				var names []string
				found := false
				for _, d := range docs {
					names = append(names, d.Name)
					if d.Name == args[0] {
						docs, found = []decl.BuiltinDoc{d}, true
						break
					}
				}
				if !found {
					msg := fmt.Sprintf("no builtin %q", args[0])
					if n := lang.Nearest(args[0], names); n != "" {
						msg += fmt.Sprintf(" (did you mean %q?)", n)
					}
					return fmt.Errorf("%s; run 'patchbay doc' for the list", msg)
				}
			}
			if g.format == "json" {
				b, err := json.MarshalIndent(docs, "", "  ")
				if err != nil {
					return err
				}
				_, err = fmt.Fprintf(stdout, "%s\n", b)
				return err
			}
			var b strings.Builder
			for i, d := range docs {
				if i > 0 {
					b.WriteByte('\n')
				}
				fmt.Fprintf(&b, "%s -> %s\n    %s\n", d.Signature(), d.Returns, d.Summary)
				tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
				for _, p := range d.Params {
					req := ""
					if p.Required {
						req = "required"
					} else if p.Default != "" {
						req = "default " + p.Default
					}
					fmt.Fprintf(tw, "    %s\t%s\t%s\t%s\n", p.Name, p.Type, req, p.Doc)
				}
				tw.Flush()
			}
			_, err := io.WriteString(stdout, b.String())
			return err
		},
	}
}
