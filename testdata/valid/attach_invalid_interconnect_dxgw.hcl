# The attach point the AWS Interconnect API accepts: "Currently, the only
# supported type of AttachPoint is a DirectConnect Gateway"
# (https://docs.aws.amazon.com/interconnect/latest/api/API_AttachPoint.html).
# One Interconnect reaches a Transit Gateway through a DX gateway associated
# with it; another reaches a Cloud WAN segment through a second DX gateway
# attached to the core network (a DX gateway attached to a core network serves
# no other gateway). Each association advertises the AWS side's prefix.
# checks: attach-invalid
transit_gateway "hub" {
  region = "us-east-1"
  asn    = 64520
}

vpc "app" {
  region = "us-east-1"
  cidr   = "10.1.0.0/16"
  mtu    = 8500
}

attachment "app-hub" {
  a = vpc.app
  b = transit_gateway.hub
}

dx_gateway "use1" {
  asn = 64512
}

attachment "use1-hub" {
  a                = dx_gateway.use1
  b                = transit_gateway.hub
  allowed_prefixes = ["10.1.0.0/16"]
}

gcp_vpc "lake" {
  project = "acme"
  region  = "us-east4"
  cidr    = "10.20.0.0/16"
  mtu     = 8500
}

interconnect "use1-gcp" {
  provider    = "gcp"
  aws_region  = "us-east-1"
  peer_region = "us-east4"
  bandwidth   = "10Gbps"
  attach_to   = dx_gateway.use1
  peer        = gcp_vpc.lake
}

core_network "wan" {
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

dx_gateway "euw2" {
  asn = 64513
}

attachment "euw2-wan" {
  a                = dx_gateway.euw2
  b                = core_network.wan
  segment          = "prod"
  allowed_prefixes = ["10.3.0.0/16"]
}

gcp_vpc "ldn-lake" {
  project = "acme"
  region  = "europe-west2"
  cidr    = "10.60.0.0/16"
  mtu     = 8500
}

interconnect "euw2-gcp" {
  provider    = "gcp"
  aws_region  = "eu-west-2"
  peer_region = "europe-west2"
  bandwidth   = "10Gbps"
  attach_to   = dx_gateway.euw2
  peer        = gcp_vpc.ldn-lake
}

objective "app-lake" {
  source       = vpc.app
  destination  = gcp_vpc.lake
  max_blackout = "1s"
}

objective "ldn-ldn-lake" {
  source       = vpc.ldn
  destination  = gcp_vpc.ldn-lake
  max_blackout = "1s"
}
