# Every kind of event target, named as the plan derives it: member and
# service-internal links, channels and connections, facilities and partner
# locations, devices, a Cloud WAN core network, an Interconnect and a last
# mile; key events on a connection that runs MACsec.
# checks: scenario-target
dx_gateway "core" {
  asn = 64512
}

gcp_vpc "lake" {
  project = "acme"
  region  = "us-east4"
  cidr    = "10.20.0.0/16"
  mtu     = 8500
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

interconnect "ic" {
  provider    = "gcp"
  aws_region  = "us-east-1"
  peer_region = "us-east4"
  bandwidth   = "10Gbps"
  attach_to   = dx_gateway.core
  peer        = gcp_vpc.lake
}

last_mile "hq" {
  partner   = "lumen"
  region    = "us-east-1"
  bandwidth = "10Gbps"
  site      = site.nyc-hq
  attach_to = dx_gateway.core
}

scenario "drill" {
  duration = "10m"

  flow {
    source      = site.nyc-hq
    destination = vpc.web
    rate        = "1Gbps"
  }

  flow {
    source      = gcp_vpc.lake
    destination = vpc.web
    rate        = "1Gbps"
  }

  probe {
    source      = vpc.web
    destination = gcp_vpc.lake
  }

  event {
    at     = "10s"
    action = "fail"
    link   = "ic/ch1/m1"
  }

  event {
    at     = "20s"
    action = "fail"
    link   = "attachment.web-hub"
  }

  event {
    at     = "30s"
    action = "restore"
    link   = "attachment.web-hub"
  }

  event {
    at      = "40s"
    action  = "fail"
    channel = "ic/ch2"
  }

  event {
    at      = "50s"
    action  = "fail"
    channel = "hq/conn1"
  }

  event {
    at       = "60s"
    action   = "fail"
    facility = "us-east4/fac-b"
  }

  event {
    at       = "70s"
    action   = "fail"
    facility = "us-east-1/lumen-loc-b"
  }

  event {
    at     = "80s"
    action = "fail"
    device = "transit_gateway.hub"
  }

  event {
    at       = "90s"
    action   = "maintenance"
    device   = "nyc-hq/router"
    duration = "10s"
  }

  event {
    at           = "100s"
    action       = "set_bandwidth"
    interconnect = interconnect.ic
    bandwidth    = "20Gbps"
  }

  event {
    at        = "110s"
    action    = "set_bandwidth"
    last_mile = last_mile.hq
    bandwidth = "20Gbps"
  }

  event {
    at        = "120s"
    action    = "set_bandwidth"
    link      = "ic/ch3/m2"
    bandwidth = "5Gbps"
  }

  event {
    at        = "130s"
    action    = "set_bandwidth"
    channel   = "hq/conn2"
    bandwidth = "5Gbps"
  }

  event {
    at      = "140s"
    action  = "advertise"
    channel = "hq/conn2"
    prepend = 2
  }

  event {
    at      = "150s"
    action  = "rotate_key"
    channel = "hq/conn2"
  }

  event {
    at      = "160s"
    action  = "mismatch_key"
    channel = "ic/ch4"
    key     = "ckn"
  }
}
