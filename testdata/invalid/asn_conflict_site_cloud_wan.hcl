# The HCL twin: hq's ASN is the one us-west-2's edge takes from asn_ranges
# (64601), branch's the peered Transit Gateway's; each site's router would
# drop those routes as a loop.
site "hq" { # want: asn-conflict
  cidr = "192.168.0.0/16"
  asn  = 64601
}

site "branch" { # want: asn-conflict
  cidr = "192.169.0.0/16"
  asn  = 64520
}

core_network "wan" { # related: asn-conflict
  asn_ranges = ["64600-64699"]

  edge {
    region = "us-east-1"
  }
  edge {
    region = "us-west-2"
  }

  segment "prod" {}
}

transit_gateway "hub" { # related: asn-conflict
  region = "us-east-1"
  asn    = 64520
}

attachment "hub-wan" {
  a       = transit_gateway.hub
  b       = core_network.wan
  segment = "prod"
}

dx_gateway "core" {
  asn = 64512
}

attachment "core-wan" {
  a       = dx_gateway.core
  b       = core_network.wan
  segment = "prod"
}

last_mile "hq1" {
  partner   = "lumen"
  region    = "us-east-1"
  bandwidth = "10Gbps"
  site      = site.hq
  attach_to = dx_gateway.core
}

last_mile "hq2" {
  partner   = "lumen"
  region    = "us-east-1"
  bandwidth = "10Gbps"
  site      = site.hq
  attach_to = dx_gateway.core
}

last_mile "branch" {
  partner   = "lumen"
  region    = "us-east-1"
  bandwidth = "10Gbps"
  site      = site.branch
  attach_to = dx_gateway.core
}
