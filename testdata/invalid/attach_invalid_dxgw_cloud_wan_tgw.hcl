# A Direct Connect gateway attached to a Cloud WAN core network "can't be used
# for any other gateway types": associating it with a Transit Gateway too is
# refused
# (https://docs.aws.amazon.com/network-manager/latest/cloudwan/cloudwan-dxattach-about.html).
core_network "wan" {
  asn_ranges = ["64600-64699"]

  edge {
    region = "us-east-1"
  }

  segment "prod" {}
}

transit_gateway "hub" {
  region = "us-east-1"
  asn    = 64520
}

dx_gateway "core" {
  asn = 64512
}

attachment "core-wan" {
  a                = dx_gateway.core
  b                = core_network.wan
  segment          = "prod"
  allowed_prefixes = ["10.0.0.0/16"]
}

attachment "core-hub" { # want: attach-invalid
  a                = dx_gateway.core
  b                = transit_gateway.hub
  allowed_prefixes = ["10.1.0.0/16"]
}
