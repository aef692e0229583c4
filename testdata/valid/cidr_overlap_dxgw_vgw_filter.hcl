# A virtual private gateway association's allowed prefixes only filter: the
# VPC's own CIDR is what the DX gateway advertises on-premises, never the
# wide allowed prefix, so a site inside 10.0.0.0/8 but outside the VPC's
# 10.1.0.0/16 does not overlap anything
# (https://docs.aws.amazon.com/directconnect/latest/UserGuide/allowed-to-prefixes.html).
# checks: cidr-overlap
vpc "app" {
  region = "us-east-1"
  cidr   = "10.1.0.0/16"
  mtu    = 8500
}

dx_gateway "core" {}

vpn_gateway "app" {
  vpc = vpc.app
  asn = 64513
}

attachment "core-app" {
  a                = dx_gateway.core
  b                = vpn_gateway.app
  allowed_prefixes = ["10.0.0.0/8"]
}

site "dc" {
  cidr = "10.200.0.0/16"
  asn  = 65001
}

last_mile "dc" {
  partner   = "lumen"
  region    = "us-east-1"
  bandwidth = "10Gbps"
  site      = site.dc
  attach_to = dx_gateway.core
}

objective "dc->app" {
  source       = site.dc
  destination  = vpc.app
  max_blackout = "1s"
}
