# A Transit Gateway hub with spoke VPCs and an Interconnect to Google Cloud.
# The Interconnect attaches to a Direct Connect gateway, the only attach point
# the AWS Interconnect API accepts
# (https://docs.aws.amazon.com/interconnect/latest/api/API_AttachPoint.html),
# and the DX gateway's association with the TGW advertises the spokes' and
# shared services' summaries to Google Cloud.

transit_gateway "hub" {
  region              = "us-east-1"
  asn                 = 64520
  default_association = false
  default_propagation = false
}

module "spokes" {
  source = "./lib/spokes.hcl"
  hub    = transit_gateway.hub
  names  = ["web", "api", "data"]
  base   = "10.0.0.0/8"
  mtu    = 8500
}

vpc "shared-services" {
  region = "us-east-1"
  cidr   = "10.100.0.0/16"
  mtu    = 8500
}

attachment "shared-services-hub" {
  a = vpc.shared-services
  b = transit_gateway.hub
}

gcp_vpc "warehouse" {
  project = "acme-data"
  region  = "us-east4"
  cidr    = "10.200.0.0/16"
  mtu     = 8500
}

dx_gateway "gcp" {
  asn = 64512
}

attachment "gcp-hub" {
  a                = dx_gateway.gcp
  b                = transit_gateway.hub
  allowed_prefixes = ["10.0.0.0/14", vpc.shared-services.cidr]
}

interconnect "use1-gcp" {
  provider    = "gcp"
  aws_region  = "us-east-1"
  peer_region = "us-east4"
  bandwidth   = "5Gbps"
  attach_to   = dx_gateway.gcp
  peer        = gcp_vpc.warehouse
}

# Spokes reach shared services and Google Cloud, but not each other.
tgw_route_table "spokes" {
  transit_gateway = transit_gateway.hub
  associations    = module.spokes.attachments
  propagations    = [attachment.shared-services-hub, attachment.gcp-hub]

  route {
    destination = "10.0.0.0/8"
    blackhole   = true
  }
}

tgw_route_table "shared" {
  transit_gateway = transit_gateway.hub
  associations    = [attachment.shared-services-hub, attachment.gcp-hub]
  propagations    = concat(module.spokes.attachments, [attachment.shared-services-hub, attachment.gcp-hub])
}

# Rehearses a channel outage and a bandwidth upgrade with jumbo frames end to end.
scenario "channel-and-jumbo" {
  duration = "4m"

  flow {
    source      = module.spokes.attachments[0].a
    destination = gcp_vpc.warehouse
    rate        = "3Gbps"
    packet_size = 8500
  }

  flow {
    source      = module.spokes.attachments[1].a
    destination = gcp_vpc.warehouse
    rate        = "1Gbps"
    packet_size = 8500
  }

  flow {
    source      = gcp_vpc.warehouse
    destination = vpc.shared-services
    rate        = "1Gbps"
  }

  probe {
    source      = module.spokes.attachments[0].a
    destination = gcp_vpc.warehouse
    interval    = "1s"
  }

  event {
    at      = "30s"
    action  = "fail"
    channel = "use1-gcp/ch1"
  }

  event {
    at      = "90s"
    action  = "restore"
    channel = "use1-gcp/ch1"
  }

  event {
    at           = "120s"
    action       = "set_bandwidth"
    bandwidth    = "10Gbps"
    interconnect = interconnect.use1-gcp
  }
}
