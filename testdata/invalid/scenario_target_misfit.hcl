# Names that exist, acted on in a way that does not apply: a link inside a
# managed service has no bandwidth to set, and a last-mile connection without
# MACsec has no keys to rotate.
dx_gateway "core" {
  asn = 64512
}

transit_gateway "hub" {
  region = "us-east-1"
  asn    = 64520
}

vpc "web" {
  region = "us-east-1"
  cidr   = "10.1.0.0/16"
  mtu    = 8500
}

attachment "web-hub" {
  a = vpc.web
  b = transit_gateway.hub
}

attachment "core-hub" {
  a                = dx_gateway.core
  b                = transit_gateway.hub
  allowed_prefixes = ["10.1.0.0/16"]
}

site "nyc-hq" {
  cidr = "192.168.0.0/16"
  asn  = 65001
  mtu  = 8500
}

last_mile "hq" {
  partner   = "lumen"
  region    = "us-east-1"
  bandwidth = "10Gbps"
  site      = site.nyc-hq
  attach_to = dx_gateway.core
  macsec    = false
}

scenario "misfits" {
  duration = "5m"

  flow {
    source      = site.nyc-hq
    destination = vpc.web
    rate        = "1Gbps"
  }

  event {
    at        = "10s"
    action    = "set_bandwidth"
    bandwidth = "1Gbps"
    link      = "attachment.web-hub" # want: scenario-target
  }

  event {
    at      = "20s"
    action  = "rotate_key"
    channel = "hq/conn1" # want: scenario-target
  }

  event {
    at     = "30s"
    action = "fail"
    link   = "attachment.web-hub"
  }

  event {
    at        = "40s"
    action    = "set_bandwidth"
    bandwidth = "5Gbps"
    last_mile = "hq"
  }
}
