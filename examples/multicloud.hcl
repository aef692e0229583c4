# AWS ↔ Google Cloud over AWS Interconnect – multicloud.
#
# A payments VPC in us-east-1 reaches an analytics VPC in Google Cloud's
# us-east4 through a Direct Connect gateway and the VPC's virtual private
# gateway. The Interconnect is one resilient unit: four channels over two
# facilities, each with its own BGP session.

vpc "payments" {
  region = "us-east-1"
  cidr   = "10.10.0.0/16"
  mtu    = 8500
}

gcp_vpc "analytics" {
  project = "acme-analytics"
  region  = "us-east4"
  cidr    = "10.20.0.0/16"
  mtu     = 8500
}

dx_gateway "core" {
  asn = 64512
}

vpn_gateway "payments-vgw" {
  vpc = vpc.payments
  asn = 64513
}

attachment "core-payments-vgw" {
  a                = dx_gateway.core
  b                = vpn_gateway.payments-vgw
  allowed_prefixes = [vpc.payments.cidr]
}

interconnect "aws-gcp-use1" {
  provider    = "gcp"
  aws_region  = "us-east-1"
  peer_region = "us-east4"
  bandwidth   = "10Gbps"
  attach_to   = dx_gateway.core
  peer        = gcp_vpc.analytics
}

# The table takes the gateway's routes by propagation: Direct Connect
# carries jumbo frames only on propagated routes, and a static route to the
# gateway would send at 1500.
route_table "private" {
  vpc          = vpc.payments
  propagations = [vpn_gateway.payments-vgw]
}

monitor "payments-to-analytics" {
  source      = vpc.payments
  destination = gcp_vpc.analytics
}

# Rehearses losing facility fac-a: half the Interconnect's channels go down for two minutes.
scenario "facility-loss" {
  duration = "5m"

  flow {
    source      = vpc.payments
    destination = gcp_vpc.analytics
    rate        = "2Gbps"
  }

  flow {
    source      = gcp_vpc.analytics
    destination = vpc.payments
    rate        = "1Gbps"
  }

  probe {
    source      = vpc.payments
    destination = gcp_vpc.analytics
    interval    = "1s"
  }

  event {
    at       = "60s"
    action   = "fail"
    facility = "us-east-1/fac-a"
  }

  event {
    at       = "180s"
    action   = "restore"
    facility = "us-east-1/fac-a"
  }
}
