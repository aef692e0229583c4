# Service insertion in HCL: prod and dev reach each other only through the
# inspection VPC of group "inspection", in the one Region that has it
# (https://docs.aws.amazon.com/network-manager/latest/cloudwan/cloudwan-policy-service-insertion.html).
# checks: service-insertion name-invalid
core_network "wan" {
  asn_ranges              = ["64600-64699"]
  network_function_groups = ["inspection"]

  edge {
    region = "us-east-1"
  }
  edge {
    region = "eu-west-2"
  }

  segment "prod" {}
  segment "dev" {}

  send_via {
    segment      = "prod"
    when_sent_to = ["dev"]
    via          = ["inspection"]
  }
}

vpc "prod" {
  region = "us-east-1"
  cidr   = "10.1.0.0/16"
  mtu    = 8500
}

vpc "dev" {
  region = "eu-west-2"
  cidr   = "10.2.0.0/16"
  mtu    = 8500
}

vpc "fw" {
  region = "us-east-1"
  cidr   = "10.100.0.0/24"
  mtu    = 8500
}

attachment "prod" {
  a       = vpc.prod
  b       = core_network.wan
  segment = "prod"
}

attachment "dev" {
  a       = vpc.dev
  b       = core_network.wan
  segment = "dev"
}

attachment "fw" {
  a                      = vpc.fw
  b                      = core_network.wan
  network_function_group = "inspection"
}

monitor "prod-to-dev" {
  source      = vpc.prod
  destination = vpc.dev
}
