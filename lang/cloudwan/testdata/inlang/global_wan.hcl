# AWS Cloud WAN with edges in two regions and two segments, and an
# Interconnect to Google Cloud reaching the production segment through a
# Direct Connect gateway: the DX gateway is the only attach point the AWS
# Interconnect API accepts
# (https://docs.aws.amazon.com/interconnect/latest/api/API_AttachPoint.html),
# and Cloud WAN attaches DX gateways to a segment natively
# (https://docs.aws.amazon.com/network-manager/latest/cloudwan/cloudwan-dxattach-about.html).

core_network "global" {
  policy = "global.policy.json"
}

vpc "prod-use1" {
  region    = "us-east-1"
  cidr      = "10.10.0.0/16"
  ipv6_cidr = "2600:1f18:aa00::/56"
  mtu       = 8500
}

vpc "prod-euw2" {
  region = "eu-west-2"
  cidr   = "10.11.0.0/16"
  mtu    = 8500
}

vpc "dev-use1" {
  region = "us-east-1"
  cidr   = "10.50.0.0/16"
  mtu    = 8500
}

attachment "prod-use1-global" {
  a       = vpc.prod-use1
  b       = core_network.global
  segment = "prod"
}

attachment "prod-euw2-global" {
  a       = vpc.prod-euw2
  b       = core_network.global
  segment = "prod"
}

attachment "dev-use1-global" {
  a       = vpc.dev-use1
  b       = core_network.global
  segment = "dev"
}


gcp_vpc "lake" {
  project   = "acme-lake"
  region    = "europe-west2"
  cidr      = "10.60.0.0/16"
  ipv6_cidr = "fd20:1:2::/48"
  mtu       = 8500
}

dx_gateway "gcp" {
  asn = 64512
}

attachment "gcp-global" {
  a       = dx_gateway.gcp
  b       = core_network.global
  segment = "prod"
}

interconnect "euw2-gcp" {
  provider    = "gcp"
  aws_region  = "eu-west-2"
  peer_region = "europe-west2"
  bandwidth   = "10Gbps"
  attach_to   = dx_gateway.gcp
  peer        = gcp_vpc.lake
}

monitor "prod-to-lake" {
  source      = vpc.prod-use1
  destination = gcp_vpc.lake
}

# Rehearses maintenance on each eu-west-2 facility's first router in turn, under load.
scenario "edge-maintenance" {
  duration = "10m"

  flow {
    source      = vpc.prod-use1
    destination = gcp_vpc.lake
    rate        = "2Gbps"
  }

  flow {
    source      = vpc.prod-euw2
    destination = gcp_vpc.lake
    rate        = "3Gbps"
  }

  flow {
    source      = gcp_vpc.lake
    destination = vpc.prod-euw2
    rate        = "1Gbps"
  }

  probe {
    source      = vpc.prod-use1
    destination = gcp_vpc.lake
    interval    = "1s"
  }

  event {
    at       = "60s"
    action   = "maintenance"
    device   = "eu-west-2/fac-a/aws-r1"
    duration = "2m"
  }

  event {
    at       = "300s"
    action   = "maintenance"
    device   = "eu-west-2/fac-b/aws-r1"
    duration = "2m"
  }
}
