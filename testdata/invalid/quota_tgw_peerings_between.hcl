# One peering attachment between two Transit Gateways (not adjustable;
# https://docs.aws.amazon.com/vpc/latest/tgw/transit-gateway-quotas.html): a
# second peering between east and west, declared the other way round, goes
# over it.
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

attachment "west-east" { # want: quota-exceeded
  a = transit_gateway.west
  b = transit_gateway.east
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
    target      = attachment.west-east
  }
}
