# Peered Transit Gateways with a static route each way carry the objective
# both ways, and the monitor.
# checks: unreachable tgw-peering-routes
transit_gateway "east" {
  region              = "us-east-1"
  asn                 = 64520
  default_association = false
  default_propagation = false
}

transit_gateway "west" {
  region              = "us-west-2"
  asn                 = 64521
  default_association = false
  default_propagation = false
}

vpc "a" {
  region = "us-east-1"
  cidr   = "10.1.0.0/16"
  mtu    = 8500
}

vpc "b" {
  region = "us-west-2"
  cidr   = "10.2.0.0/16"
  mtu    = 8500
}

attachment "a-east" {
  a = vpc.a
  b = transit_gateway.east
}

attachment "b-west" {
  a = vpc.b
  b = transit_gateway.west
}

attachment "east-west" {
  a = transit_gateway.east
  b = transit_gateway.west
}

tgw_route_table "east" {
  transit_gateway = transit_gateway.east
  associations    = [attachment.a-east, attachment.east-west]
  propagations    = [attachment.a-east]

  route {
    destination = "10.2.0.0/16"
    target      = attachment.east-west
  }
}

tgw_route_table "west" {
  transit_gateway = transit_gateway.west
  associations    = [attachment.b-west, attachment.east-west]
  propagations    = [attachment.b-west]

  route {
    destination = "10.1.0.0/16"
    target      = attachment.east-west
  }
}

objective "a->b" {
  source       = vpc.a
  destination  = vpc.b
  max_blackout = "1s"
}

monitor "a-b" {
  source      = vpc.a
  destination = vpc.b
}
