# On-premises HQ into AWS over AWS Interconnect – last mile.
#
# Lumen provisions four connections over two locations from the HQ's router,
# with BGP, MACsec and jumbo frames, into a Direct Connect gateway that is
# associated with a Transit Gateway serving two VPCs.

site "nyc-hq" {
  cidr = ["192.168.0.0/16", "172.20.0.0/16"]
  asn  = 65001
  mtu  = 8500
}

transit_gateway "hub" {
  region = "us-east-1"
  asn    = 64520
}

dx_gateway "core" {
  asn = 64512
}

vpc "web" {
  region = "us-east-1"
  cidr   = "10.1.0.0/16"
  mtu    = 8500
}

vpc "api" {
  region = "us-east-1"
  cidr   = "10.2.0.0/16"
  mtu    = 8500
}

attachment "web-hub" {
  a = vpc.web
  b = transit_gateway.hub
}

attachment "api-hub" {
  a = vpc.api
  b = transit_gateway.hub
}

# The allowed prefixes are what the DX gateway advertises to the HQ.
attachment "core-hub" {
  a                = dx_gateway.core
  b                = transit_gateway.hub
  allowed_prefixes = ["10.0.0.0/14"]
}

last_mile "hq" {
  partner   = "lumen"
  region    = "us-east-1"
  bandwidth = "10Gbps"
  site      = site.nyc-hq
  attach_to = dx_gateway.core

  # The MACsec defaults, spelt out: the connection goes down rather than
  # carry traffic in the clear, and GCM-AES-XPN-256 is the suite AWS
  # supports at every port speed.
  macsec_mode   = "must_encrypt"
  macsec_cipher = "GCM-AES-XPN-256"
}

monitor "hq-to-web" {
  source      = site.nyc-hq
  destination = vpc.web
}

# Rehearses losing one Lumen location, then the HQ's router, while traffic runs both ways.
scenario "location-loss" {
  duration = "5m"

  flow {
    source      = site.nyc-hq
    destination = vpc.web
    rate        = "4Gbps"
  }

  flow {
    source      = vpc.web
    destination = site.nyc-hq
    rate        = "2Gbps"
  }

  probe {
    source      = site.nyc-hq
    destination = vpc.web
    interval    = "1s"
  }

  event {
    at       = "60s"
    action   = "fail"
    facility = "us-east-1/lumen-loc-a"
  }

  event {
    at       = "120s"
    action   = "restore"
    facility = "us-east-1/lumen-loc-a"
  }

  event {
    at     = "180s"
    action = "fail"
    device = "nyc-hq/router"
  }

  event {
    at     = "240s"
    action = "restore"
    device = "nyc-hq/router"
  }
}

# The HQ's traffic to its web VPC rides through any single failure within a second and keeps 4 Gbps.
objective "nyc-hq->web" {
  source        = site.nyc-hq
  destination   = vpc.web
  max_blackout  = "1s"
  min_bandwidth = "4Gbps"
}
