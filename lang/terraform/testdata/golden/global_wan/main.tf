# Written by patchbay export terraform from global_wan.star. Resource names follow the design's.
resource "aws_vpc" "prod-use1" {
  provider                         = aws.us_east_1
  cidr_block                       = "10.10.0.0/16"
  assign_generated_ipv6_cidr_block = true
  tags = {
    Name                 = "prod-use1"
    "patchbay:ipv6_cidr" = "2600:1f18:aa00::/56"
  }
}

resource "aws_vpc" "prod-euw2" {
  provider   = aws.eu_west_2
  cidr_block = "10.11.0.0/16"
  tags = {
    Name = "prod-euw2"
  }
}

resource "aws_vpc" "dev-use1" {
  provider   = aws.us_east_1
  cidr_block = "10.50.0.0/16"
  tags = {
    Name = "dev-use1"
  }
}

resource "aws_dx_gateway" "gcp" {
  name            = "gcp"
  amazon_side_asn = "64512"
}

resource "aws_networkmanager_global_network" "global" {
  description = "the global network of core network global"
}

resource "aws_networkmanager_core_network" "global" {
  global_network_id = aws_networkmanager_global_network.global.id
  tags = {
    Name = "global"
  }
}

resource "aws_networkmanager_core_network_policy_attachment" "global" {
  core_network_id = aws_networkmanager_core_network.global.id
  policy_document = file(format("%s/cloudwan-global.json", path.module))
}

resource "aws_networkmanager_vpc_attachment" "prod-use1-global" {
  core_network_id = aws_networkmanager_core_network_policy_attachment.global.core_network_id
  subnet_arns     = var.subnet_arns_prod-use1
  vpc_arn         = aws_vpc.prod-use1.arn
  tags = {
    Name    = "prod-use1-global"
    segment = "prod"
  }
}

resource "aws_networkmanager_attachment_accepter" "prod-use1-global" {
  attachment_id   = aws_networkmanager_vpc_attachment.prod-use1-global.id
  attachment_type = aws_networkmanager_vpc_attachment.prod-use1-global.attachment_type
}

resource "aws_networkmanager_vpc_attachment" "prod-euw2-global" {
  core_network_id = aws_networkmanager_core_network_policy_attachment.global.core_network_id
  subnet_arns     = var.subnet_arns_prod-euw2
  vpc_arn         = aws_vpc.prod-euw2.arn
  tags = {
    Name    = "prod-euw2-global"
    segment = "prod"
  }
}

resource "aws_networkmanager_attachment_accepter" "prod-euw2-global" {
  attachment_id   = aws_networkmanager_vpc_attachment.prod-euw2-global.id
  attachment_type = aws_networkmanager_vpc_attachment.prod-euw2-global.attachment_type
}

resource "aws_networkmanager_vpc_attachment" "dev-use1-global" {
  core_network_id = aws_networkmanager_core_network_policy_attachment.global.core_network_id
  subnet_arns     = var.subnet_arns_dev-use1
  vpc_arn         = aws_vpc.dev-use1.arn
  tags = {
    Name    = "dev-use1-global"
    segment = "dev"
  }
}

resource "aws_networkmanager_dx_gateway_attachment" "gcp-global" {
  core_network_id            = aws_networkmanager_core_network_policy_attachment.global.core_network_id
  direct_connect_gateway_arn = format("arn:aws:directconnect::%s:dx-gateway/%s", aws_dx_gateway.gcp.owner_account_id, aws_dx_gateway.gcp.id)
  edge_locations             = ["us-east-1", "eu-west-2"]
  tags = {
    Name    = "gcp-global"
    segment = "prod"
  }
}

resource "aws_networkmanager_attachment_accepter" "gcp-global" {
  attachment_id   = aws_networkmanager_dx_gateway_attachment.gcp-global.id
  attachment_type = aws_networkmanager_dx_gateway_attachment.gcp-global.attachment_type
}

resource "google_compute_network" "lake" {
  name                     = "lake"
  project                  = "acme-lake"
  auto_create_subnetworks  = false
  routing_mode             = "GLOBAL"
  mtu                      = 8500
  enable_ula_internal_ipv6 = true
  internal_ipv6_range      = "fd20:1:2::/48"
}

resource "google_compute_subnetwork" "lake_1" {
  name             = "lake-1"
  project          = "acme-lake"
  region           = "europe-west2"
  ip_cidr_range    = "10.60.0.0/16"
  network          = google_compute_network.lake.id
  stack_type       = "IPV4_IPV6"
  ipv6_access_type = "INTERNAL"
}

# AWS Interconnect euw2-gcp (gcp, eu-west-2 to europe-west2, 10Gbps) is not written here: create it with the AWS
# Interconnect API or console, or CloudFormation's AWS::Interconnect::Connection (attach point dx_gateway gcp,
# bandwidth 10Gbps), and accept it on Google Cloud's side with a Partner Cross-Cloud Interconnect
# transport (google_network_connectivity_transport, hashicorp/google-beta, in europe-west2); the channels, VLANs, BGP sessions and
# MACsec are the service's.
