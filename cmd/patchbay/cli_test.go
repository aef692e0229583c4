package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"patchbay/planner"
)

// TestExitCodes pins DESIGN.md's contract: 0 success, 1 the design has
// errors, 2 the command could not run.
func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ok := write("ok.star", `vpc("a", region = "us-east-1", cidr = "10.0.0.0/16")`+"\n")
	bad := write("bad.star", `vpc("a", region = "us-east-1", cidr = "nope")`+"\n")
	// 2,500 Interconnects need 10,000 link-local /30s; 169.254.100.0 up to
	// the end of 169.254/16 holds fewer, so the planner reports an error.
	full := write("full.star", `d = dx_gateway("d")
g = gcp_vpc("g", project = "p", region = "us-east4", cidr = "10.1.0.0/16")
for i in range(2500):
    interconnect("ic%d" % i, provider = "gcp", aws_region = "us-east-1", peer_region = "us-east4",
                 bandwidth = "1Gbps", attach_to = d, peer = g)
`)
	for _, tc := range []struct {
		name string
		args []string
		want int
		out  string
	}{
		{"plan ok", []string{"plan", ok}, 0, "Findings: none"},
		{"plan json", []string{"plan", "--format", "json", ok}, 0, `"schema": "patchbay.plan/v1"`},
		{"design errors", []string{"plan", full}, 1, "no link-local subnet left to allocate ("},
		{"script error", []string{"plan", bad}, 2, `invalid CIDR "nope"`},
		{"missing file", []string{"plan", filepath.Join(dir, "none.star")}, 2, "cannot read design"},
		{"no args", []string{"plan"}, 2, "accepts 1 arg"},
		{"bad flag", []string{"plan", "--nope", ok}, 2, "unknown flag"},
		{"bad format", []string{"plan", "--format", "xml", ok}, 2, "--format"},
		{"doc", []string{"doc", "vpc"}, 0, "vpc(name, region"},
		{"help", []string{"--help"}, 0, "Available Commands"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			got := run(tc.args, &stdout, &stderr)
			if got != tc.want {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", got, tc.want, stdout.String(), stderr.String())
			}
			if all := stdout.String() + stderr.String(); !strings.Contains(all, tc.out) {
				t.Errorf("output lacks %q:\n%s", tc.out, all)
			}
		})
	}
}

// TestExplainEveryRule: every rule of the catalog explains itself, with a fix.
func TestExplainEveryRule(t *testing.T) {
	for _, r := range planner.Rules() {
		var stdout, stderr bytes.Buffer
		if code := run([]string{"explain", r.ID}, &stdout, &stderr); code != 0 {
			t.Errorf("explain %s: exit %d: %s", r.ID, code, stderr.String())
		}
		out := stdout.String()
		if !strings.HasPrefix(out, r.ID+" ("+r.Severity.String()+")") || !strings.Contains(out, r.Summary) || !strings.Contains(out, "Fix:") {
			t.Errorf("explain %s lacks its id, summary or fix:\n%s", r.ID, out)
		}
		// Every rule about AWS or Google Cloud cites its documents; only the
		// scenario check is about patchbay's own names.
		if r.ID != "scenario-target" && (len(r.Sources) == 0 || !strings.Contains(out, "Sources:\n") || !strings.Contains(out, r.Sources[0].URL)) {
			t.Errorf("explain %s cites no source:\n%s", r.ID, out)
		}
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"explain", "no-such-rule"}, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "known rules: address-exhausted, asn-conflict") {
		t.Errorf("unknown rule: exit %d, stderr %q", code, stderr.String())
	}
}

// TestFormatHelp: each command's --help names the formats that command
// accepts, and an unaccepted one is refused with the same list.
func TestFormatHelp(t *testing.T) {
	for cmd, want := range map[string]string{
		"plan":     "output format: text or json",
		"validate": "output format: text, json or sarif",
		"sweep":    "output format: text, json or markdown",
		"cost":     "output format: text, json or markdown",
		"catalog":  "output format: text",
	} {
		var stdout, stderr bytes.Buffer
		if code := run([]string{cmd, "--help"}, &stdout, &stderr); code != 0 {
			t.Fatalf("%s --help: exit %d: %s", cmd, code, stderr.String())
		}
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("%s --help lacks %q:\n%s", cmd, want, stdout.String())
		}
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"plan", "--format", "sarif", "../../examples/multicloud.star"}, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "[text json]") {
		t.Errorf("plan --format sarif: exit %d, %s", code, stderr.String())
	}
}
