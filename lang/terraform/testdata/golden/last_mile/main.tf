# Written by patchbay export terraform from last_mile.star. Resource names follow the design's.
resource "aws_vpc" "web" {
  provider   = aws.us_east_1
  cidr_block = "10.1.0.0/16"
  tags = {
    Name = "web"
  }
}

resource "aws_vpc" "api" {
  provider   = aws.us_east_1
  cidr_block = "10.2.0.0/16"
  tags = {
    Name = "api"
  }
}

resource "aws_dx_gateway" "core" {
  name            = "core"
  amazon_side_asn = "64512"
}

resource "aws_ec2_transit_gateway" "hub" {
  provider                        = aws.us_east_1
  amazon_side_asn                 = 64520
  default_route_table_association = "enable"
  default_route_table_propagation = "enable"
  tags = {
    Name = "hub"
  }
}

resource "aws_ec2_transit_gateway_vpc_attachment" "web-hub" {
  provider           = aws.us_east_1
  subnet_ids         = var.subnet_ids_web
  transit_gateway_id = aws_ec2_transit_gateway.hub.id
  vpc_id             = aws_vpc.web.id
  tags = {
    Name = "web-hub"
  }
}

resource "aws_ec2_transit_gateway_vpc_attachment" "api-hub" {
  provider           = aws.us_east_1
  subnet_ids         = var.subnet_ids_api
  transit_gateway_id = aws_ec2_transit_gateway.hub.id
  vpc_id             = aws_vpc.api.id
  tags = {
    Name = "api-hub"
  }
}

resource "aws_dx_gateway_association" "core-hub" {
  provider              = aws.us_east_1
  dx_gateway_id         = aws_dx_gateway.core.id
  associated_gateway_id = aws_ec2_transit_gateway.hub.id
  allowed_prefixes      = ["10.0.0.0/14"]
}

# Last mile hq (lumen in us-east-1, 10Gbps, site nyc-hq) is not a resource of the hashicorp/aws provider:
# order it from lumen and accept its connections' transit VIFs on dx_gateway core (aws_dx_hosted_transit_virtual_interface_accepter
# accepts a VIF by its ID once the partner has created it).

# Site nyc-hq (AS65001) is on-premises: nothing to create here.
