# Written by patchbay export terraform from multicloud.star. Resource names follow the design's.
resource "aws_vpc" "payments" {
  provider   = aws.us_east_1
  cidr_block = "10.10.0.0/16"
  tags = {
    Name = "payments"
  }
}

resource "aws_vpn_gateway" "payments-vgw" {
  provider        = aws.us_east_1
  vpc_id          = aws_vpc.payments.id
  amazon_side_asn = "64513"
  tags = {
    Name = "payments-vgw"
  }
}

resource "aws_dx_gateway" "core" {
  name            = "core"
  amazon_side_asn = "64512"
}

resource "aws_dx_gateway_association" "core-payments-vgw" {
  provider              = aws.us_east_1
  dx_gateway_id         = aws_dx_gateway.core.id
  associated_gateway_id = aws_vpn_gateway.payments-vgw.id
  allowed_prefixes      = ["10.10.0.0/16"]
}

resource "aws_route_table" "payments_private" {
  provider         = aws.us_east_1
  vpc_id           = aws_vpc.payments.id
  propagating_vgws = [aws_vpn_gateway.payments-vgw.id]
  tags = {
    Name = "private"
  }
}

resource "google_compute_network" "analytics" {
  name                    = "analytics"
  project                 = "acme-analytics"
  auto_create_subnetworks = false
  routing_mode            = "GLOBAL"
  mtu                     = 8500
}

resource "google_compute_subnetwork" "analytics_1" {
  name          = "analytics-1"
  project       = "acme-analytics"
  region        = "us-east4"
  ip_cidr_range = "10.20.0.0/16"
  network       = google_compute_network.analytics.id
}

# AWS Interconnect aws-gcp-use1 (gcp, us-east-1 to us-east4, 10Gbps) is not written here: create it with the AWS
# Interconnect API or console, or CloudFormation's AWS::Interconnect::Connection (attach point dx_gateway core,
# bandwidth 10Gbps), and accept it on Google Cloud's side with a Partner Cross-Cloud Interconnect
# transport (google_network_connectivity_transport, hashicorp/google-beta, in us-east4); the channels, VLANs, BGP sessions and
# MACsec are the service's.
