# Devices are named as the plan derives them: "transit_gateway.hub", the
# site's router "nyc-hq/router", an AWS router "us-east-1/lumen-loc-a/aws-r1".
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
}

scenario "device-loss" {
  duration = "5m"

  flow {
    source      = site.nyc-hq
    destination = vpc.web
    rate        = "1Gbps"
  }

  event {
    at     = "60s"
    action = "fail"
    device = "transit_gateway.hbu" # want: scenario-target
  }

  event {
    at       = "90s"
    action   = "maintenance"
    duration = "30s"
    device   = "nyc-hq/rooter" # want: scenario-target
  }

  event {
    at     = "120s"
    action = "fail"
    device = "us-east-1/lumen-loc-a/aws-r1"
  }
}
