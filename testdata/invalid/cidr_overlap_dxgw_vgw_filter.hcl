# Through a virtual private gateway association the VPC's CIDR is
# advertised on-premises when an allowed prefix covers it; here it does, and
# the site holds part of the VPC's block
# (https://docs.aws.amazon.com/directconnect/latest/UserGuide/allowed-to-prefixes.html).
vpc "app" { # related: cidr-overlap
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

site "dc" { # want: cidr-overlap
  cidr = "10.1.128.0/17"
  asn  = 65001
}

last_mile "dc" {
  partner   = "lumen"
  region    = "us-east-1"
  bandwidth = "10Gbps"
  site      = site.dc
  attach_to = dx_gateway.core
}
