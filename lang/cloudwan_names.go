package lang

import (
	"fmt"
	"regexp"
	"unicode/utf8"
)

// The Cloud WAN policy reference's rules for names
// (https://docs.aws.amazon.com/network-manager/latest/cloudwan/cloudwan-policies-json.html,
// read 2026-12). A segment's name: "Valid characters are a–z, A–Z, and
// 0–9"; the AWS provider's aws_networkmanager_core_network_policy_document
// also wants a letter first and at most 64, ^[A-Za-z][0-9A-Za-z]{0,63}$
// (https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/networkmanager/core_network_policy_document_data_source.go,
// read 2026-12). A network function group's name is only "Required. This
// identifies the network function group container": the reference names
// one "inspection-vpc" in its own send-via and send-to examples, the
// provider checks nothing of it, and the API gives it 0 to 256 characters
// of any kind (https://docs.aws.amazon.com/networkmanager/latest/APIReference/API_NetworkFunctionGroup.html,
// read 2026-12).
var segmentName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]{0,63}$`)

// MaxCloudWANGroupName is the longest network function group name, in
// characters.
const MaxCloudWANGroupName = 256

// CheckCloudWANSegmentName says why AWS refuses name as a Cloud WAN segment's, or
// nil.
func CheckCloudWANSegmentName(name string) error {
	if !segmentName.MatchString(name) {
		return fmt.Errorf("segment name %q: want a letter, then letters and digits, at most 64", name)
	}
	return nil
}

// CheckCloudWANGroupName says why AWS refuses name as a network function
// group's, or nil.
func CheckCloudWANGroupName(name string) error {
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		return fmt.Errorf("network function group name: empty, but it is required")
	case n > MaxCloudWANGroupName:
		return fmt.Errorf("network function group name %q…: %d characters, more than the %d AWS allows", string([]rune(name)[:32]), n, MaxCloudWANGroupName)
	}
	return nil
}
