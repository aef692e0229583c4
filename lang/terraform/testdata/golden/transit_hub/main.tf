# Written by patchbay export terraform from transit_hub.star. Resource names follow the design's.
resource "aws_vpc" "web" {
  provider   = aws.us_east_1
  cidr_block = "10.0.0.0/16"
  tags = {
    Name = "web"
  }
}

resource "aws_vpc" "api" {
  provider   = aws.us_east_1
  cidr_block = "10.1.0.0/16"
  tags = {
    Name = "api"
  }
}

resource "aws_vpc" "data" {
  provider   = aws.us_east_1
  cidr_block = "10.2.0.0/16"
  tags = {
    Name = "data"
  }
}

resource "aws_vpc" "shared-services" {
  provider   = aws.us_east_1
  cidr_block = "10.100.0.0/16"
  tags = {
    Name = "shared-services"
  }
}

resource "aws_dx_gateway" "gcp" {
  name            = "gcp"
  amazon_side_asn = "64512"
}

resource "aws_ec2_transit_gateway" "hub" {
  provider                        = aws.us_east_1
  amazon_side_asn                 = 64520
  default_route_table_association = "disable"
  default_route_table_propagation = "disable"
  tags = {
    Name = "hub"
  }
}

resource "aws_ec2_transit_gateway_route_table" "hub_spokes" {
  provider           = aws.us_east_1
  transit_gateway_id = aws_ec2_transit_gateway.hub.id
  tags = {
    Name = "spokes"
  }
}

resource "aws_ec2_transit_gateway_route_table" "hub_shared" {
  provider           = aws.us_east_1
  transit_gateway_id = aws_ec2_transit_gateway.hub.id
  tags = {
    Name = "shared"
  }
}

resource "aws_ec2_transit_gateway_vpc_attachment" "web-hub" {
  provider                                        = aws.us_east_1
  subnet_ids                                      = var.subnet_ids_web
  transit_gateway_id                              = aws_ec2_transit_gateway.hub.id
  vpc_id                                          = aws_vpc.web.id
  transit_gateway_default_route_table_association = false
  transit_gateway_default_route_table_propagation = false
  tags = {
    Name = "web-hub"
  }
}

resource "aws_ec2_transit_gateway_vpc_attachment" "api-hub" {
  provider                                        = aws.us_east_1
  subnet_ids                                      = var.subnet_ids_api
  transit_gateway_id                              = aws_ec2_transit_gateway.hub.id
  vpc_id                                          = aws_vpc.api.id
  transit_gateway_default_route_table_association = false
  transit_gateway_default_route_table_propagation = false
  tags = {
    Name = "api-hub"
  }
}

resource "aws_ec2_transit_gateway_vpc_attachment" "data-hub" {
  provider                                        = aws.us_east_1
  subnet_ids                                      = var.subnet_ids_data
  transit_gateway_id                              = aws_ec2_transit_gateway.hub.id
  vpc_id                                          = aws_vpc.data.id
  transit_gateway_default_route_table_association = false
  transit_gateway_default_route_table_propagation = false
  tags = {
    Name = "data-hub"
  }
}

resource "aws_ec2_transit_gateway_vpc_attachment" "shared-services-hub" {
  provider                                        = aws.us_east_1
  subnet_ids                                      = var.subnet_ids_shared-services
  transit_gateway_id                              = aws_ec2_transit_gateway.hub.id
  vpc_id                                          = aws_vpc.shared-services.id
  transit_gateway_default_route_table_association = false
  transit_gateway_default_route_table_propagation = false
  tags = {
    Name = "shared-services-hub"
  }
}

resource "aws_dx_gateway_association" "gcp-hub" {
  provider              = aws.us_east_1
  dx_gateway_id         = aws_dx_gateway.gcp.id
  associated_gateway_id = aws_ec2_transit_gateway.hub.id
  allowed_prefixes      = ["10.0.0.0/14", "10.100.0.0/16"]
}

resource "aws_ec2_transit_gateway_route_table_association" "hub_spokes_web-hub" {
  provider                       = aws.us_east_1
  transit_gateway_attachment_id  = aws_ec2_transit_gateway_vpc_attachment.web-hub.id
  transit_gateway_route_table_id = aws_ec2_transit_gateway_route_table.hub_spokes.id
}

resource "aws_ec2_transit_gateway_route_table_association" "hub_spokes_api-hub" {
  provider                       = aws.us_east_1
  transit_gateway_attachment_id  = aws_ec2_transit_gateway_vpc_attachment.api-hub.id
  transit_gateway_route_table_id = aws_ec2_transit_gateway_route_table.hub_spokes.id
}

resource "aws_ec2_transit_gateway_route_table_association" "hub_spokes_data-hub" {
  provider                       = aws.us_east_1
  transit_gateway_attachment_id  = aws_ec2_transit_gateway_vpc_attachment.data-hub.id
  transit_gateway_route_table_id = aws_ec2_transit_gateway_route_table.hub_spokes.id
}

resource "aws_ec2_transit_gateway_route_table_propagation" "hub_spokes_shared-services-hub" {
  provider                       = aws.us_east_1
  transit_gateway_attachment_id  = aws_ec2_transit_gateway_vpc_attachment.shared-services-hub.id
  transit_gateway_route_table_id = aws_ec2_transit_gateway_route_table.hub_spokes.id
}

data "aws_ec2_transit_gateway_dx_gateway_attachment" "gcp-hub" {
  provider           = aws.us_east_1
  transit_gateway_id = aws_ec2_transit_gateway.hub.id
  dx_gateway_id      = aws_dx_gateway_association.gcp-hub.dx_gateway_id
}

resource "aws_ec2_transit_gateway_route_table_propagation" "hub_spokes_gcp-hub" {
  provider                       = aws.us_east_1
  transit_gateway_attachment_id  = data.aws_ec2_transit_gateway_dx_gateway_attachment.gcp-hub.id
  transit_gateway_route_table_id = aws_ec2_transit_gateway_route_table.hub_spokes.id
}

resource "aws_ec2_transit_gateway_route" "hub_spokes_1" {
  provider                       = aws.us_east_1
  destination_cidr_block         = "10.0.0.0/8"
  transit_gateway_route_table_id = aws_ec2_transit_gateway_route_table.hub_spokes.id
  blackhole                      = true
}

resource "aws_ec2_transit_gateway_route_table_association" "hub_shared_shared-services-hub" {
  provider                       = aws.us_east_1
  transit_gateway_attachment_id  = aws_ec2_transit_gateway_vpc_attachment.shared-services-hub.id
  transit_gateway_route_table_id = aws_ec2_transit_gateway_route_table.hub_shared.id
}

resource "aws_ec2_transit_gateway_route_table_association" "hub_shared_gcp-hub" {
  provider                       = aws.us_east_1
  transit_gateway_attachment_id  = data.aws_ec2_transit_gateway_dx_gateway_attachment.gcp-hub.id
  transit_gateway_route_table_id = aws_ec2_transit_gateway_route_table.hub_shared.id
}

resource "aws_ec2_transit_gateway_route_table_propagation" "hub_shared_web-hub" {
  provider                       = aws.us_east_1
  transit_gateway_attachment_id  = aws_ec2_transit_gateway_vpc_attachment.web-hub.id
  transit_gateway_route_table_id = aws_ec2_transit_gateway_route_table.hub_shared.id
}

resource "aws_ec2_transit_gateway_route_table_propagation" "hub_shared_api-hub" {
  provider                       = aws.us_east_1
  transit_gateway_attachment_id  = aws_ec2_transit_gateway_vpc_attachment.api-hub.id
  transit_gateway_route_table_id = aws_ec2_transit_gateway_route_table.hub_shared.id
}

resource "aws_ec2_transit_gateway_route_table_propagation" "hub_shared_data-hub" {
  provider                       = aws.us_east_1
  transit_gateway_attachment_id  = aws_ec2_transit_gateway_vpc_attachment.data-hub.id
  transit_gateway_route_table_id = aws_ec2_transit_gateway_route_table.hub_shared.id
}

resource "aws_ec2_transit_gateway_route_table_propagation" "hub_shared_shared-services-hub" {
  provider                       = aws.us_east_1
  transit_gateway_attachment_id  = aws_ec2_transit_gateway_vpc_attachment.shared-services-hub.id
  transit_gateway_route_table_id = aws_ec2_transit_gateway_route_table.hub_shared.id
}

resource "aws_ec2_transit_gateway_route_table_propagation" "hub_shared_gcp-hub" {
  provider                       = aws.us_east_1
  transit_gateway_attachment_id  = data.aws_ec2_transit_gateway_dx_gateway_attachment.gcp-hub.id
  transit_gateway_route_table_id = aws_ec2_transit_gateway_route_table.hub_shared.id
}

resource "google_compute_network" "warehouse" {
  name                    = "warehouse"
  project                 = "acme-data"
  auto_create_subnetworks = false
  routing_mode            = "GLOBAL"
  mtu                     = 8500
}

resource "google_compute_subnetwork" "warehouse_1" {
  name          = "warehouse-1"
  project       = "acme-data"
  region        = "us-east4"
  ip_cidr_range = "10.200.0.0/16"
  network       = google_compute_network.warehouse.id
}

# AWS Interconnect use1-gcp (gcp, us-east-1 to us-east4, 5Gbps) is not written here: create it with the AWS
# Interconnect API or console, or CloudFormation's AWS::Interconnect::Connection (attach point dx_gateway gcp,
# bandwidth 5Gbps), and accept it on Google Cloud's side with a Partner Cross-Cloud Interconnect
# transport (google_network_connectivity_transport, hashicorp/google-beta, in us-east4); the channels, VLANs, BGP sessions and
# MACsec are the service's.
