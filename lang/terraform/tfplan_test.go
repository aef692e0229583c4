package terraform_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"patchbay/lang/terraform"
)

// tfPluginDir is where the providers are found without a registry: the
// directory PATCHBAY_TF_PLUGIN_DIR names, else /opt/tf-plugins; "" when
// neither holds the AWS provider.
func tfPluginDir() string {
	for _, d := range []string{os.Getenv("PATCHBAY_TF_PLUGIN_DIR"), "/opt/tf-plugins"} {
		if d == "" {
			continue
		}
		if m, _ := filepath.Glob(filepath.Join(d, "registry.terraform.io", "hashicorp", "aws", "*")); len(m) > 0 {
			return d
		}
	}
	return ""
}

// TestTerraformPlanRoundTrip is the round trip through Terraform itself:
// each design's export is initialised with the providers of a local plugin
// directory, validated and planned by terraform, and the plan's
// `terraform show -json` imported and planned again, which must give the
// design's declarations and routes (compareRoundTrip). It runs where
// terraform and the providers are installed and skips, saying so, where
// they are not: they are not downloaded by the tests.
//
// The plan runs offline: a test-only override file gives each provider
// configuration dummy credentials and skips every call that would check
// them, which planning resources to create does not need; the export's
// variables (subnets) get dummy values. A design is left out, saying why,
// when its export needs a provider the directory does not have, or reads a
// data source, which only a real account can answer.
//
// Each design costs terraform some ten seconds of CPU, most of it starting
// the AWS provider, so by default the test takes one design of each kind
// (tfPlanDefault); PATCHBAY_TERRAFORM_ALL=1 takes every round-trip design.
func TestTerraformPlanRoundTrip(t *testing.T) {
	tf, err := exec.LookPath("terraform")
	if err != nil {
		t.Skip("terraform is not installed")
	}
	plugins := tfPluginDir()
	if plugins == "" {
		t.Skip("no plugin directory with the AWS provider (PATCHBAY_TF_PLUGIN_DIR, /opt/tf-plugins)")
	}
	all := os.Getenv("PATCHBAY_TERRAFORM_ALL") != ""
	var ran atomic.Int32
	t.Cleanup(func() {
		if ran.Load() == 0 && !t.Skipped() {
			t.Error("no design went through terraform plan")
		}
	})
	for _, file := range roundTripFiles(t) {
		if !all && !tfPlanDefault[filepath.Base(file)] {
			continue
		}
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			dir := exportTo(t, file)
			mainTF, err := os.ReadFile(filepath.Join(dir, "main.tf"))
			if err != nil {
				t.Fatal(err)
			}
			if regexp.MustCompile(`(?m)^data "`).Match(mainTF) {
				t.Skip("the export reads a data source, which needs an account")
			}
			providers, err := os.ReadFile(filepath.Join(dir, "providers.tf"))
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(providers, []byte(`"hashicorp/google"`)) {
				if m, _ := filepath.Glob(filepath.Join(plugins, "registry.terraform.io", "hashicorp", "google", "*")); len(m) == 0 {
					t.Skip("the export needs the Google provider, which " + plugins + " does not have")
				}
			}
			offline(t, dir, providers)
			run := func(args ...string) []byte {
				t.Helper()
				ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
				defer cancel()
				cmd := exec.CommandContext(ctx, tf, args...)
				cmd.Dir = dir
				// No user configuration, no registry, no telemetry, and
				// none of the developer's AWS profile or Terraform
				// settings (TF_CLI_ARGS_plan, TF_DATA_DIR, …).
				var env []string
				for _, e := range os.Environ() {
					if !strings.HasPrefix(e, "AWS_") && !strings.HasPrefix(e, "TF_") {
						env = append(env, e)
					}
				}
				cmd.Env = append(env, "TF_CLI_CONFIG_FILE="+os.DevNull, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1", "TF_INPUT=0",
					"AWS_CONFIG_FILE="+os.DevNull, "AWS_SHARED_CREDENTIALS_FILE="+os.DevNull)
				cmd.WaitDelay = 10 * time.Second
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				out, err := cmd.Output()
				if err != nil {
					t.Fatalf("terraform %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr.Bytes())
				}
				return out
			}
			run("init", "-backend=false", "-plugin-dir="+plugins, "-no-color")
			// plan validates the configuration against the provider's
			// schema first, as terraform validate does.
			run("plan", "-out=plan.bin", "-var-file=test.tfvars.json", "-no-color", "-lock=false")
			show := run("show", "-json", "plan.bin")
			star, err := terraform.Import("plan.json", show)
			if err != nil {
				t.Fatal(err)
			}
			compareRoundTrip(t, file, star)
			ran.Add(1)
		})
	}
}

// tfPlanDefault is one design of each kind: VPN and DX gateways with a
// last mile, a Transit Gateway peering with static routes, a Cloud WAN
// core network with service insertion and its policy attachment, many
// VPCs on Transit Gateways, and a Transit Gateway's route table
// attachments with a static route to one.
var tfPlanDefault = map[string]bool{"last_mile.star": true, "cidr_overlap_tgw_peering.star": true, "service_insertion_ok.star": true,
	"quota_vpc_tgw_at_limits.star": true, "tgw_cloud_wan_static_route.star": true}

var providerBlock = regexp.MustCompile(`(?s)provider "aws" \{\n(.*?)\n\}`)
var aliasAttr = regexp.MustCompile(`alias\s*=\s*"([^"]+)"`)
var variableBlock = regexp.MustCompile(`variable "([^"]+)"`)

// offline writes the test's override of every AWS provider configuration
// (dummy credentials, no call to check them) and a value for every
// variable the export declares.
func offline(t *testing.T, dir string, providers []byte) {
	t.Helper()
	var b strings.Builder
	for _, m := range providerBlock.FindAllSubmatch(providers, -1) {
		b.WriteString("provider \"aws\" {\n")
		if a := aliasAttr.FindSubmatch(m[1]); a != nil {
			b.WriteString("  alias = \"" + string(a[1]) + "\"\n")
		}
		b.WriteString("  access_key = \"test\"\n  secret_key = \"test\"\n  skip_credentials_validation = true\n" +
			"  skip_requesting_account_id = true\n  skip_metadata_api_check = true\n}\n")
	}
	if err := os.WriteFile(filepath.Join(dir, "test_override.tf"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	vars := map[string]any{}
	if vt, err := os.ReadFile(filepath.Join(dir, "variables.tf")); err == nil {
		for _, m := range variableBlock.FindAllSubmatch(vt, -1) {
			n := string(m[1])
			switch {
			case strings.HasPrefix(n, "subnet_arns_"):
				vars[n] = []string{"arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0123456789abcdef0"}
			default:
				vars[n] = []string{"subnet-0123456789abcdef0"}
			}
		}
	}
	j, err := json.Marshal(vars)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "test.tfvars.json"), j, 0o644); err != nil {
		t.Fatal(err)
	}
}
