# One over each of these defaults: a VPC attached to 6 Transit Gateways
# (5, not adjustable) and with 6 IPv4 CIDR blocks (5); a Transit Gateway
# with 6 CIDR blocks (5, not adjustable) and 51 peering attachments (50)
# (https://docs.aws.amazon.com/vpc/latest/tgw/transit-gateway-quotas.html,
# https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html).
vpc "app" { # want: quota-exceeded quota-exceeded
  region = "us-east-1"
  cidr   = [for i in range(6) : "10.${2 + i}.0.0/24"]
  mtu    = 8500
}

transit_gateway "t" {
  count  = 6
  region = "us-east-1"
  asn    = 64520 + count.index
}

attachment "app" {
  count = 6
  a     = vpc.app
  b     = transit_gateway.t[count.index]
}

transit_gateway "hub" { # want: quota-exceeded quota-exceeded
  region      = "us-east-1"
  asn         = 64600
  cidr_blocks = [for i in range(6) : "192.0.${i}.0/24"]
}

transit_gateway "p" {
  count  = 51
  region = "us-west-2"
  asn    = 64700 + count.index
}

attachment "peer" {
  count = 51
  a     = transit_gateway.hub
  b     = transit_gateway.p[count.index]
}

tgw_route_table "to-hub" {
  count           = 51
  transit_gateway = transit_gateway.p[count.index]

  route {
    destination = "10.2.0.0/24"
    target      = attachment.peer[count.index]
  }
}
