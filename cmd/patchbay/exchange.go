package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"patchbay/lang"
	"patchbay/lang/cloudwan"
	"patchbay/lang/project"
	"patchbay/lang/terraform"
	"patchbay/planner"
)

// exportCmd writes a design in the formats it ships in.
func exportCmd(ctx context.Context, g *globalFlags, stdout, stderr io.Writer) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Write a design in another format: a Terraform configuration, a Cloud WAN core network policy",
	}
	var name, out string
	policy := &cobra.Command{
		Use:   "cloudwan-policy FILE",
		Short: "Write a core network's Cloud WAN policy document (version 2021.12, JSON)",
		Long: `cloudwan-policy writes the policy document of a design's core network, as the Network
Manager console and API take it: core-network-configuration (ASN ranges, each edge with its
ASN), segments, network function groups, segment actions, and attachment policies that place
each attachment by its tag (segment=NAME, network-function-group=NAME). A create-route to an
attachment names it "attachment:NAME", where the deployed policy needs the attachment's ID.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			d, err := loadDesign(ctx, g, args[0], stdout, stderr)
			if err != nil {
				return err
			}
			var names []string
			var cn *lang.CoreNetwork
			for _, c := range d.CoreNetworks {
				names = append(names, c.Name)
				if c.Name == name || name == "" && len(d.CoreNetworks) == 1 {
					cn = c
				}
			}
			switch {
			case cn != nil:
			case len(names) == 0:
				return fmt.Errorf("%s declares no core_network", args[0])
			case name == "":
				return fmt.Errorf("%s declares %d core networks: choose one with --core-network (%s)", args[0], len(names), strings.Join(names, ", "))
			default:
				return fmt.Errorf("--core-network %q: %s has no such core network; it has %s", name, args[0], strings.Join(names, ", "))
			}
			// A document from a core network with errors is one AWS would
			// refuse (an ASN outside the private ranges, a segment name
			// with a hyphen) or one that means something else: the
			// errors, not the document.
			p, err := planner.New(d, g.quotaOptions()...)
			if err != nil {
				_ = lang.WriteDiagnostics(stderr, lang.AsDiagnostics(err, "plan"), d.Files)
				return exitError{exitFailure}
			}
			if errs := coreNetworkErrors(p.Findings, cn); len(errs) > 0 {
				_ = lang.WriteDiagnostics(stderr, errs, d.Files)
				return exitError{exitFindings}
			}
			return writeOutputBytes(ctx, stdout, "-o", out, cloudwan.Export(d, cn).JSON())
		},
	}
	policy.Flags().StringVar(&name, "core-network", "", "the core network (required when the design has several)")
	policy.Flags().StringVarP(&out, "output", "o", "-", "file to write (- for standard output)")
	var dir string
	tf := &cobra.Command{
		Use:   "terraform FILE -o DIR",
		Short: "Write a Terraform configuration for the design (hashicorp/aws and hashicorp/google)",
		Long: `terraform writes the design as a Terraform configuration in DIR: main.tf with the resources
the providers have (VPCs and their CIDR blocks, route tables and routes, VPN and Direct Connect
gateways and their associations with allowed prefixes, Transit Gateways, their route tables,
attachments, associations, propagations, static routes and peerings, Cloud WAN's global network,
core network, policy attachment (its document in cloudwan-NAME.json) and attachments, tagged for
the policy's rules, and Google VPC networks and subnetworks), providers.tf with a provider per AWS
Region, variables.tf for what only the account knows (the subnets attachments use) and
outputs.tf with the IDs. What the providers cannot create (an AWS Interconnect, a last mile) is a
comment in main.tf saying what to create by hand. Each file is replaced atomically.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if dir == "" {
				return fmt.Errorf("-o DIR: the directory to write the configuration in")
			}
			d, err := loadDesign(ctx, g, args[0], stdout, stderr)
			if err != nil {
				return err
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return fmt.Errorf("-o %s: %v", dir, err)
			}
			files := terraform.Export(d, filepath.Base(args[0]))
			for _, n := range slices.Sorted(maps.Keys(files)) {
				if err := writeOutputBytes(ctx, stdout, "-o", filepath.Join(dir, n), files[n]); err != nil {
					return err
				}
			}
			return nil
		},
	}
	tf.Flags().StringVarP(&dir, "output", "o", "", "the directory to write main.tf, providers.tf, variables.tf, outputs.tf and the policy documents in")
	cmd.AddCommand(policy, tf)
	return cmd
}

// importCmd reads what a network already runs on into a design.
func importCmd(ctx context.Context, g *globalFlags, stdout, stderr io.Writer) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import",
		Short: "Read a Terraform plan, state or configuration, or a Cloud WAN core network policy document, into a design",
	}
	var name, out string
	policy := &cobra.Command{
		Use:   "cloudwan-policy POLICY.json",
		Short: "Write the core_network(...) declaration of a Cloud WAN policy document (version 2021.12)",
		Long: `cloudwan-policy reads a core network policy document (the JSON of the Network Manager console
and API, version 2021.12), checks it against the policy reference, with errors at the
document's line and column, and writes the Starlark declaration of the core network it
describes: core_network(...) with its edges, segments, network function groups and segment
actions, and create_route(...) for its blackhole routes. Attachments are the design's to
declare (attach(VPC, CORE_NETWORK, segment = ...)); the attachment policies, and what else
patchbay does not model, are listed in a comment at the end.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			src, err := readInput("import", args[0])
			if err != nil {
				return err
			}
			if name == "" {
				name = strings.TrimSuffix(filepath.Base(args[0]), filepath.Ext(args[0]))
			}
			star, err := cloudwan.Import(args[0], src, name)
			return writeImport(ctx, stdout, stderr, out, star, err)
		},
	}
	policy.Flags().StringVar(&name, "name", "", "the core network's name in the design (default: the file's name)")
	policy.Flags().StringVarP(&out, "output", "o", "-", "file to write (- for standard output)")
	var tfOut string
	tf := &cobra.Command{
		Use:   "terraform PLAN_OR_STATE.json | DIR",
		Short: "Write the design of a Terraform plan or state (terraform show -json), or of a configuration directory, in Starlark",
		Long: `terraform reads the JSON of 'terraform show -json' (a saved plan, or the state) and writes, in
Starlark, the resources patchbay models: VPCs and their route tables, VPN and Direct Connect
gateways and their associations with allowed prefixes, Transit Gateways with their route
tables, attachments, associations, propagations and routes, Cloud WAN core networks (their
policy documents read as by 'import cloudwan-policy') and their attachments, and Google VPC
networks with their subnetworks. A Region comes from the resource's own region (AWS provider
6), else its ARN (state) or its provider's region (plan).

Given a directory, it reads the Terraform configuration there instead, its *.tf files, without
running Terraform: variables take their defaults, locals and the functions (file() inside the
directory) are evaluated, and an argument that refers to another resource is followed by the
reference. Resources with count, for_each or dynamic blocks, modules and data sources are not
read; *.tf.json and override files are refused. Errors name file:line:col.

What it skips is listed in a comment at the end. Every command then works on the file written.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if fi, err := os.Stat(args[0]); err == nil && fi.IsDir() {
				root, err := project.OpenDir(args[0])
				if err != nil {
					return fmt.Errorf("import %v", err)
				}
				defer root.Close()
				star, err := terraform.ImportConfig(ctx, root, terraform.ConfigOptions{MaxSteps: g.maxSteps, MaxMemory: g.maxMem << 20})
				return writeImport(ctx, stdout, stderr, tfOut, star, err)
			}
			src, err := readInput("import", args[0])
			if err != nil {
				return err
			}
			star, err := terraform.Import(filepath.Base(args[0]), src)
			return writeImport(ctx, stdout, stderr, tfOut, star, err)
		},
	}
	tf.Flags().StringVarP(&tfOut, "output", "o", "-", "file to write (- for standard output)")
	cmd.AddCommand(policy, tf)
	return cmd
}

// writeImport writes what an import made, or its errors: a document's
// at their line and column.
func writeImport(ctx context.Context, stdout, stderr io.Writer, out string, star []byte, err error) error {
	var se *lang.SourceError
	if errors.As(err, &se) {
		_ = lang.WriteDiagnostics(stderr, se.Diagnostics, se.Files)
		return exitError{exitFailure}
	}
	if err != nil {
		return err
	}
	return writeOutputBytes(ctx, stdout, "-o", out, star)
}

// coreNetworkErrors is the errors among findings that point into cn's
// declaration: the core network itself, its edges, segments and segment
// actions, wherever each is written.
func coreNetworkErrors(findings lang.Diagnostics, cn *lang.CoreNetwork) lang.Diagnostics {
	spans := []lang.Range{cn.Source()}
	for _, e := range cn.Edges {
		spans = append(spans, e.Range)
	}
	for _, sg := range cn.Segments {
		spans = append(spans, sg.Range)
	}
	for _, a := range cn.Actions {
		spans = append(spans, a.Range)
	}
	var out lang.Diagnostics
	for _, f := range findings {
		if f.Severity == lang.SevError && slices.ContainsFunc(spans, func(r lang.Range) bool { return within(f.Range, r) }) {
			out = append(out, f)
		}
	}
	return out
}

// within reports whether r starts inside outer, in the same file.
func within(r, outer lang.Range) bool {
	end := lang.Range{File: outer.File, Start: outer.End}
	if end.Start.Line == 0 {
		end.Start = outer.Start
	}
	return !outer.IsZero() && outer.Compare(r) <= 0 && r.Compare(end) <= 0
}
