# A flow sends packets larger than its source network's MTU: its hosts
# cannot send them, and the simulator drops them all.
transit_gateway "hub" {
  region = "us-east-1"
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

scenario "jumbo" {
  duration = "1m"

  flow { # want: mtu-mismatch:warning
    source      = vpc.a
    destination = vpc.b
    rate        = "1Gbps"
    packet_size = 9001
  }
}
