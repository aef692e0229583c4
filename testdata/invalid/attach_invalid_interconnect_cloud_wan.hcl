# An Interconnect attached directly to a Cloud WAN core network: "Currently,
# the only supported type of AttachPoint is a DirectConnect Gateway"
# (https://docs.aws.amazon.com/interconnect/latest/api/API_AttachPoint.html).
# Attach it to a DX gateway and attach that gateway to the core network.
core_network "wan" { # related: attach-invalid
  asn_ranges = ["64600-64610"]

  edge {
    region = "eu-west-2"
  }

  segment "prod" {}
}

vpc "ldn" {
  region = "eu-west-2"
  cidr   = "10.3.0.0/16"
  mtu    = 8500
}

attachment "ldn-wan" {
  a       = vpc.ldn
  b       = core_network.wan
  segment = "prod"
}

gcp_vpc "lake" {
  project = "acme"
  region  = "europe-west2"
  cidr    = "10.60.0.0/16"
  mtu     = 8500
}

interconnect "euw2-gcp" { # want: attach-invalid
  provider    = "gcp"
  aws_region  = "eu-west-2"
  peer_region = "europe-west2"
  bandwidth   = "10Gbps"
  attach_to   = core_network.wan
  segment     = "prod"
  peer        = gcp_vpc.lake
}
