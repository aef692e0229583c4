# Each of these at its default: a VPC attached to 5 Transit Gateways
# (5, not adjustable) and with 5 IPv4 CIDR blocks (5); a Transit Gateway
# with 5 CIDR blocks (5, not adjustable) and 50 peering attachments (50)
# (https://docs.aws.amazon.com/vpc/latest/tgw/transit-gateway-quotas.html,
# https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html).
# checks: quota-exceeded
vpc "app" {
  region = "us-east-1"
  cidr   = [for i in range(5) : "10.${2 + i}.0.0/24"]
  mtu    = 8500
}

transit_gateway "t" {
  count  = 5
  region = "us-east-1"
  asn    = 64520 + count.index
}

attachment "app" {
  count = 5
  a     = vpc.app
  b     = transit_gateway.t[count.index]
}

transit_gateway "hub" {
  region      = "us-east-1"
  asn         = 64600
  cidr_blocks = [for i in range(5) : "192.0.${i}.0/24"]
}

transit_gateway "p" {
  count  = 50
  region = "us-west-2"
  asn    = 64700 + count.index
}

attachment "peer" {
  count = 50
  a     = transit_gateway.hub
  b     = transit_gateway.p[count.index]
}

tgw_route_table "to-hub" {
  count           = 50
  transit_gateway = transit_gateway.p[count.index]

  route {
    destination = "10.2.0.0/24"
    target      = attachment.peer[count.index]
  }
}
