# Service insertion through a group without an attachment: "If you attempt
# to create a service insertion policy that doesn't include an attachment,
# policy generation will fail"
# (https://docs.aws.amazon.com/network-manager/latest/cloudwan/cloudwan-policies-json.html).
core_network "wan" {
  asn_ranges              = ["64600-64699"]
  network_function_groups = ["inspection"]

  edge {
    region = "us-east-1"
  }

  segment "prod" {}
  segment "dev" {}

  send_to { # want: service-insertion
    segment = "dev"
    via     = ["inspection"]
  }
}

vpc "dev" {
  region = "us-east-1"
  cidr   = "10.2.0.0/16"
  mtu    = 8500
}

attachment "dev" {
  a       = vpc.dev
  b       = core_network.wan
  segment = "dev"
}
