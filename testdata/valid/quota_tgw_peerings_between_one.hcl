# One peering attachment between two Transit Gateways, the quota
# (https://docs.aws.amazon.com/vpc/latest/tgw/transit-gateway-quotas.html),
# with a static route over it on each side.
# checks: quota-exceeded
transit_gateway "east" {
  region = "us-east-1"
  asn    = 64520
}

transit_gateway "west" {
  region = "us-west-2"
  asn    = 64521
}

attachment "east-west" {
  a = transit_gateway.east
  b = transit_gateway.west
}

tgw_route_table "to-west" {
  transit_gateway = transit_gateway.east

  route {
    destination = "10.2.0.0/16"
    target      = attachment.east-west
  }
}

tgw_route_table "to-east" {
  transit_gateway = transit_gateway.west

  route {
    destination = "10.1.0.0/16"
    target      = attachment.east-west
  }
}
