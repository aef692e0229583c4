# A Google Cloud VPC network's internal IPv6 range is one /48 ULA inside
# fd20::/20 (https://cloud.google.com/compute/docs/reference/rest/v1/networks,
# Network internalIpv6Range).
gcp_vpc "small" { # want: cidr-invalid
  project   = "acme"
  region    = "us-east4"
  cidr      = "10.21.0.0/16"
  ipv6_cidr = "fd20:1:2::/56"
}
