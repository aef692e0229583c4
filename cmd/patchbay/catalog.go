package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"patchbay/lang/project"
	"patchbay/stdlib/offer"
)

// offerBaseURL is where update fetches the offer files; a variable so the
// tests can point it at a local server and never at the internet.
var offerBaseURL = "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws"

// offerTimeout bounds each offer file's download, body included, so a
// stalled connection fails rather than hangs; it is generous because the
// files are large and links can be slow.
var offerTimeout = 10 * time.Minute

func catalogCmd(ctx context.Context, g *globalFlags, stdout, stderr io.Writer) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "catalog",
		Short: "Build price catalog files (for cost --catalog) from AWS's public price list",
	}
	imp := &cobra.Command{
		Use:   "import",
		Short: "Turn downloaded price list files into catalog lines",
	}
	imp.AddCommand(importOfferCmd(ctx, g, stdout, stderr))
	cmd.AddCommand(imp, updateCatalogCmd(ctx, g, stdout, stderr))
	return cmd
}

func importOfferCmd(ctx context.Context, g *globalFlags, stdout, stderr io.Writer) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "aws-offer FILE...",
		Short: "Read AWS Price List offer files (JSON or CSV: AmazonVPC, AWSDirectConnect, AWSCloudWAN, AWSDataTransfer)",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(g, "text"); err != nil {
				return err
			}
			if err := checkOutput("-o", out); err != nil {
				return err
			}
			var results []*offer.Result
			for _, file := range args {
				if err := ctx.Err(); err != nil {
					return err
				}
				data, err := readOfferFile(file)
				if err != nil {
					return fmt.Errorf("%s: %v", file, err)
				}
				r, err := offer.Parse(file, data)
				if err != nil {
					return err
				}
				results = append(results, r)
			}
			return writeCatalog(ctx, stdout, stderr, "catalog import", out, args, results)
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "-", "write the catalog lines here (- for standard output)")
	return cmd
}

func updateCatalogCmd(ctx context.Context, g *globalFlags, stdout, stderr io.Writer) *cobra.Command {
	var (
		out    string
		offers []string
	)
	cmd := &cobra.Command{
		Use:   "update",
		Short: "Download AWS's current offer files and write them as catalog lines",
		Long: "update downloads the current AWS Price List offer files (" + strings.Join(offer.Codes, ", ") + ") from " +
			offerBaseURL + " and writes what patchbay can use as catalog lines, as import aws-offer does. " +
			"Offline, download the files elsewhere and use import aws-offer.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(g, "text"); err != nil {
				return err
			}
			for _, code := range offers {
				if !slices.Contains(offer.Codes, code) {
					return fmt.Errorf("--offer %q: want one of %s", code, strings.Join(offer.Codes, ", "))
				}
			}
			if err := checkOutput("-o", out); err != nil {
				return err
			}
			host := offerBaseURL
			if u, err := url.Parse(offerBaseURL); err == nil && u.Host != "" {
				host = u.Host
			}
			client := &http.Client{Timeout: offerTimeout}
			var (
				names   []string
				results []*offer.Result
			)
			for _, code := range offers {
				where := offerBaseURL + "/" + code + "/current/index.json"
				data, err := fetchOffer(ctx, client, where)
				if err != nil {
					if ctx.Err() != nil {
						return ctx.Err()
					}
					var status statusError
					if errors.As(err, &status) {
						fmt.Fprintf(stderr, "catalog update: %s: %v\n", where, err)
					} else {
						fmt.Fprintf(stderr, "catalog update: cannot reach %s (%v): the machine is offline? "+
							"Download the offer files elsewhere and run `patchbay catalog import aws-offer FILE`\n", host, err)
					}
					return exitError{exitFailure}
				}
				r, err := offer.Parse(where, data)
				if err != nil {
					return err
				}
				names, results = append(names, where), append(results, r)
			}
			return writeCatalog(ctx, stdout, stderr, "catalog update", out, names, results)
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "-", "write the catalog lines here (- for standard output)")
	cmd.Flags().StringSliceVar(&offers, "offer", slices.Clone(offer.Codes), "offer codes to fetch (repeatable or comma-separated)")
	return cmd
}

type statusError struct{ status string }

func (e statusError) Error() string { return "the server answered " + e.status }

// fetchOffer downloads one offer file, refusing one larger than an offer
// file can be.
func fetchOffer(ctx context.Context, client *http.Client, where string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, where, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			return nil, ue.Err // its message repeats the URL
		}
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, statusError{resp.Status}
	}
	return offer.ReadAll(resp.Body)
}

// writeCatalog writes the rows of the offer files read from names, and
// says on standard error what each gave and what it skipped.
func writeCatalog(ctx context.Context, stdout, stderr io.Writer, cmdName, out string, names []string, results []*offer.Result) error {
	rows, err := offer.Merge(names, results)
	if err != nil {
		return err
	}
	var comment strings.Builder
	comment.WriteString("Written by patchbay " + cmdName + "; one price per line, for cost --catalog.\n")
	for i, r := range results {
		fmt.Fprintf(&comment, "%s (%s): %s\n", r.Offer.Description, names[i], rowCount(len(r.Rows)))
		msg := fmt.Sprintf("%s: %s: %s version %s of %s: %s", cmdName, names[i], r.Offer.Code, r.Offer.Version, r.Offer.Date, rowCount(len(r.Rows)))
		if s := r.Summary(); s != "" {
			msg += "; " + s
		}
		fmt.Fprintln(stderr, msg)
	}
	data, err := offer.MarshalRows(comment.String(), rows)
	if err != nil {
		return err
	}
	return writeOutputBytes(ctx, stdout, "-o", out, data)
}

func rowCount(n int) string {
	if n == 1 {
		return "1 row"
	}
	return fmt.Sprintf("%d rows", n)
}

// readOfferFile reads an offer file named on the command line: a regular
// file of at most offer.MaxSize bytes, with the checks every input of
// patchbay gets (lang/project: stat before open, open without blocking,
// check again).
func readOfferFile(name string) ([]byte, error) {
	return project.ReadFileLimit(name, offer.MaxSize, "an offer file")
}
