# Two Transit Gateways peered across regions with no static route: peering
# attachments propagate nothing, so the objective has no path either way.
transit_gateway "east" {
  region = "us-east-1"
  asn    = 64520
}

transit_gateway "west" {
  region = "us-west-2"
  asn    = 64521
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

attachment "east-west" { # want: tgw-peering-routes
  a = transit_gateway.east
  b = transit_gateway.west
}

objective "a->b" { # want: unreachable unreachable
  source       = vpc.a
  destination  = vpc.b
  max_blackout = "1s"
}
