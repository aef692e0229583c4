# Each Direct Connect gateway attached to one core network, the quota
# (https://docs.aws.amazon.com/network-manager/latest/cloudwan/cloudwan-quotas.html).
# checks: quota-exceeded
core_network "blue" {
  asn_ranges = ["64600-64610"]

  edge {
    region = "us-east-1"
  }

  segment "prod" {}
}

core_network "green" {
  asn_ranges = ["64700-64710"]

  edge {
    region = "us-east-1"
  }

  segment "prod" {}
}

dx_gateway "blue-dx" {
  asn = 65000
}

dx_gateway "green-dx" {
  asn = 65001
}

attachment "blue-dx-blue" {
  a                = dx_gateway.blue-dx
  b                = core_network.blue
  segment          = "prod"
  allowed_prefixes = ["10.1.0.0/16"]
}

attachment "green-dx-green" {
  a                = dx_gateway.green-dx
  b                = core_network.green
  segment          = "prod"
  allowed_prefixes = ["10.2.0.0/16"]
}
