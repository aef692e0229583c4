package planner

// Source is a document a rule follows.
type Source struct {
	Title string `json:"title"`
	URL   string `json:"url"`
	Cited string `json:"cited"` // YYYY-MM: when the rule was last written against it
}

// The documents the rules cite.
var (
	srcInterconnectSpec        = Source{"AWS Interconnect open specification (Connection Coordinator API)", "https://github.com/aws/Interconnect", "2026-12"}
	srcInterconnectRegions     = Source{"AWS Interconnect user guide, region availability", "https://docs.aws.amazon.com/interconnect/latest/userguide/region-availability.html", "2026-12"}
	srcInterconnectAttachPoint = Source{"AWS Interconnect API reference, AttachPoint (only a Direct Connect gateway)", "https://docs.aws.amazon.com/interconnect/latest/api/API_AttachPoint.html", "2026-12"}
	srcTGWWorks                = Source{"Transit Gateway guide, how transit gateways work (route evaluation)", "https://docs.aws.amazon.com/vpc/latest/tgw/how-transit-gateways-work.html", "2026-12"}
	srcTGWRouteTables          = Source{"Transit Gateway guide, route tables", "https://docs.aws.amazon.com/vpc/latest/tgw/tgw-route-tables.html", "2026-12"}
	srcTGWPeering              = Source{"Transit Gateway guide, peering attachments", "https://docs.aws.amazon.com/vpc/latest/tgw/tgw-peering.html", "2026-12"}
	srcTGWGateways             = Source{"Transit Gateway guide, transit gateways (Amazon side ASN, CIDR blocks)", "https://docs.aws.amazon.com/vpc/latest/tgw/tgw-transit-gateways.html", "2026-12"}
	srcTGWQuotas               = Source{"Transit Gateway guide, quotas (MTU, limits)", "https://docs.aws.amazon.com/vpc/latest/tgw/transit-gateway-quotas.html", "2026-12"}
	srcVPCCIDRs                = Source{"Amazon VPC user guide, VPC CIDR blocks", "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html", "2026-12"}
	srcVPCQuotas               = Source{"Amazon VPC user guide, quotas", "https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html", "2026-12"}
	srcDXGateways              = Source{"Direct Connect user guide, Direct Connect gateways", "https://docs.aws.amazon.com/directconnect/latest/UserGuide/direct-connect-gateways-intro.html", "2026-12"}
	srcDXAllowed               = Source{"Direct Connect user guide, allowed prefixes interactions", "https://docs.aws.amazon.com/directconnect/latest/UserGuide/allowed-to-prefixes.html", "2026-12"}
	srcDXAssociationAPI        = Source{"Direct Connect API reference, CreateDirectConnectGatewayAssociation (allowed prefixes required for a transit gateway)", "https://docs.aws.amazon.com/directconnect/latest/APIReference/API_CreateDirectConnectGatewayAssociation.html", "2026-12"}
	srcDXQuotas                = Source{"Direct Connect user guide, quotas", "https://docs.aws.amazon.com/directconnect/latest/UserGuide/limits.html", "2026-12"}
	srcDXMACsec                = Source{"Direct Connect user guide, MACsec", "https://docs.aws.amazon.com/directconnect/latest/UserGuide/MACsec.html", "2026-12"}
	srcDXJumbo                 = Source{"Direct Connect user guide, MTUs for private and transit virtual interfaces", "https://docs.aws.amazon.com/directconnect/latest/UserGuide/set-jumbo-frames-vif.html", "2026-12"}
	srcCloudWANPolicy          = Source{"Cloud WAN user guide, core network policy (asn-ranges, segments, segment actions)", "https://docs.aws.amazon.com/network-manager/latest/cloudwan/cloudwan-policy-core-network.html", "2026-12"}
	srcCloudWANDX              = Source{"Cloud WAN user guide, Direct Connect gateway attachments", "https://docs.aws.amazon.com/network-manager/latest/cloudwan/cloudwan-dxattach-about.html", "2026-12"}
	srcCloudWANInsertion       = Source{"Cloud WAN user guide, service insertion", "https://docs.aws.amazon.com/network-manager/latest/cloudwan/cloudwan-policy-service-insertion.html", "2026-12"}
	srcCloudWANPolicyJSON      = Source{"Cloud WAN user guide, core network policy version parameters (asn-ranges, network-function-groups, segment-actions)", "https://docs.aws.amazon.com/network-manager/latest/cloudwan/cloudwan-policies-json.html", "2026-12"}
	srcNetworkManagerNFG       = Source{"Network Manager API reference, NetworkFunctionGroup (name length)", "https://docs.aws.amazon.com/networkmanager/latest/APIReference/API_NetworkFunctionGroup.html", "2026-12"}
	srcCloudWANQuotas          = Source{"Cloud WAN user guide, quotas", "https://docs.aws.amazon.com/network-manager/latest/cloudwan/cloudwan-quotas.html", "2026-12"}
	srcGCPNetworks             = Source{"Compute Engine API, networks (internalIpv6Range, mtu)", "https://cloud.google.com/compute/docs/reference/rest/v1/networks", "2026-12"}
	srcGCPRouters              = Source{"Compute Engine API, routers (bgp.asn: a private ASN)", "https://cloud.google.com/compute/docs/reference/rest/v1/routers", "2026-12"}
	srcGCPSubnets              = Source{"Google Cloud VPC documentation, subnets (valid and prohibited IPv4 ranges)", "https://cloud.google.com/vpc/docs/subnets", "2026-12"}
	srcRFC6890                 = Source{"RFC 6890, special-purpose IP address registries", "https://www.rfc-editor.org/rfc/rfc6890", "2026-12"}
	srcRFC6996                 = Source{"RFC 6996, autonomous system reservation for private use", "https://www.rfc-editor.org/rfc/rfc6996", "2026-12"}
	srcRFC7300                 = Source{"RFC 7300, reservation of last autonomous system numbers", "https://www.rfc-editor.org/rfc/rfc7300", "2026-12"}
)

// ruleSources are the documents behind each rule. A rule about patchbay's
// own derived names has none.
var ruleSources = map[string][]Source{
	"address-exhausted":       {srcInterconnectSpec},
	"cidr-overlap":            {srcTGWWorks, srcCloudWANPolicy, srcDXAllowed, srcInterconnectSpec},
	"cidr-invalid":            {srcVPCCIDRs, srcRFC6890, srcTGWGateways, srcGCPNetworks, srcGCPSubnets},
	"ip-version-mismatch":     {srcInterconnectSpec},
	"asn-invalid":             {srcTGWGateways, srcCloudWANPolicyJSON, srcGCPRouters, srcRFC6996, srcRFC7300},
	"asn-conflict":            {srcDXGateways, srcTGWGateways, srcCloudWANPolicy},
	"attach-invalid":          {srcInterconnectAttachPoint, srcDXGateways, srcDXAssociationAPI, srcCloudWANDX, srcTGWGateways},
	"route-invalid":           {srcTGWRouteTables, srcTGWPeering, srcCloudWANPolicy},
	"service-insertion":       {srcCloudWANInsertion, srcCloudWANPolicyJSON},
	"name-invalid":            {srcCloudWANPolicyJSON, srcNetworkManagerNFG},
	"macsec-cipher":           {srcDXMACsec},
	"mtu-mismatch":            {srcTGWQuotas, srcDXJumbo, srcGCPNetworks},
	"provider-unavailable":    {srcInterconnectRegions},
	"region-pair-unsupported": {srcInterconnectRegions},
	"partner-unavailable":     {srcInterconnectRegions},
	"bandwidth-invalid":       {srcInterconnectSpec},
	"quota-exceeded":          {srcTGWQuotas, srcVPCQuotas, srcDXQuotas, srcCloudWANQuotas},
	"unreachable":             {srcTGWWorks, srcTGWPeering, srcCloudWANPolicy, srcDXAllowed},
	"tgw-peering-routes":      {srcTGWPeering},
	"resiliency":              {srcInterconnectSpec},
	"maintenance-deadlock":    {srcInterconnectSpec},
}

func init() {
	for _, r := range rules {
		r.Sources = ruleSources[r.ID]
	}
}
