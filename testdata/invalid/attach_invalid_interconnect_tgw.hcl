# An Interconnect attached directly to a Transit Gateway: "Currently, the only
# supported type of AttachPoint is a DirectConnect Gateway"
# (https://docs.aws.amazon.com/interconnect/latest/api/API_AttachPoint.html).
# Attach it to a DX gateway and associate that gateway with the TGW.
transit_gateway "hub" { # related: attach-invalid
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

gcp_vpc "lake" {
  project = "acme"
  region  = "us-east4"
  cidr    = "10.20.0.0/16"
  mtu     = 8500
}

interconnect "use1-gcp" { # want: attach-invalid
  provider    = "gcp"
  aws_region  = "us-east-1"
  peer_region = "us-east4"
  bandwidth   = "10Gbps"
  attach_to   = transit_gateway.hub
  peer        = gcp_vpc.lake
}
