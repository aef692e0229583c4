# A Transit Gateway hub with spoke VPCs and an Interconnect to Google Cloud
# attached directly to the TGW (an Interconnect may attach to a TGW in its
# own region).

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

interconnect "use1-gcp" {
  provider    = "gcp"
  aws_region  = "us-east-1"
  peer_region = "us-east4"
  bandwidth   = "5Gbps"
  attach_to   = transit_gateway.hub
  peer        = gcp_vpc.warehouse
}

# Spokes reach shared services and Google Cloud, but not each other.
tgw_route_table "spokes" {
  transit_gateway = transit_gateway.hub
  associations    = module.spokes.attachments
  propagations    = [attachment.shared-services-hub, interconnect.use1-gcp]

  route {
    destination = "10.0.0.0/8"
    blackhole   = true
  }
}

tgw_route_table "shared" {
  transit_gateway = transit_gateway.hub
  associations    = [attachment.shared-services-hub, interconnect.use1-gcp]
  propagations    = concat(module.spokes.attachments, [attachment.shared-services-hub, interconnect.use1-gcp])
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
