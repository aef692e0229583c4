# An Interconnect has four channels, ch1 to ch4; a link is a member of one
# (ic/ch1/m1). Naming one that does not exist is an error where it is named.
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

scenario "channels" {
  duration = "5m"

  flow {
    source      = vpc.pay
    destination = gcp_vpc.lake
    rate        = "2Gbps"
  }

  event {
    at      = "10s"
    action  = "fail"
    channel = "ic/ch5" # want: scenario-target
  }

  event {
    at     = "20s"
    action = "fail"
    link   = "ic/ch1/m3" # want: scenario-target
  }

  event {
    at      = "30s"
    action  = "advertise"
    prepend = 3
    channel = "ic/chan2" # want: scenario-target
  }

  event {
    at      = "40s"
    action  = "rotate_key"
    channel = "ic/ch4"
  }

  event {
    at           = "50s"
    action       = "set_bandwidth"
    bandwidth    = "20Gbps"
    interconnect = "ic2" # want: scenario-target
  }
}
