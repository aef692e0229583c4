# A flow into a prefix the spokes' table blackholes is dropped at the hub.
transit_gateway "hub" {
  region              = "us-east-1"
  default_association = false
  default_propagation = false
}

vpc "a" {
  region = "us-east-1"
  cidr   = "10.1.0.0/16"
  mtu    = 8500
}

vpc "b" {
  region = "us-east-1"
  cidr   = "10.2.0.0/16"
  mtu    = 8500
}

attachment "a-hub" {
  a = vpc.a
  b = transit_gateway.hub
}

attachment "b-hub" {
  a = vpc.b
  b = transit_gateway.hub
}

tgw_route_table "all" {
  transit_gateway = transit_gateway.hub
  associations    = [attachment.a-hub, attachment.b-hub]
  propagations    = [attachment.a-hub, attachment.b-hub]

  route { # want: route-invalid
    destination = "10.2.0.0/24"
    blackhole   = true
  }
}

scenario "blocked" {
  duration = "1m"

  flow { # want: unreachable
    source      = vpc.a
    destination = vpc.b
    rate        = "1Gbps"
  }
}
