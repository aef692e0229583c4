# A scenario fails a facility the Interconnect does not use: its channels run
# in us-east-1/fac-a and fac-b. Found by validate, not only when simulated.
dx_gateway "core" {
  asn = 64512
}

gcp_vpc "lake" {
  project = "acme"
  region  = "us-east4"
  cidr    = "10.20.0.0/16"
  mtu     = 8500
}

vpc "pay" {
  region = "us-east-1"
  cidr   = "10.10.0.0/16"
  mtu    = 8500
}

vpn_gateway "pay-vgw" {
  vpc = vpc.pay
  asn = 64513
}

attachment "core-pay-vgw" {
  a                = dx_gateway.core
  b                = vpn_gateway.pay-vgw
  allowed_prefixes = [vpc.pay.cidr]
}

interconnect "ic" {
  provider    = "gcp"
  aws_region  = "us-east-1"
  peer_region = "us-east4"
  bandwidth   = "10Gbps"
  attach_to   = dx_gateway.core
  peer        = gcp_vpc.lake
}

scenario "facility-loss" {
  duration = "5m"

  flow {
    source      = vpc.pay
    destination = gcp_vpc.lake
    rate        = "2Gbps"
  }

  event {
    at       = "60s"
    action   = "fail"
    facility = "us-east-1/fac-c" # want: scenario-target
  }

  event {
    at       = "180s"
    action   = "restore"
    facility = "us-east-1/fac-c" # want: scenario-target
  }
}
