# A Direct Connect gateway has at most one core network attachment (not
# adjustable; https://docs.aws.amazon.com/network-manager/latest/cloudwan/cloudwan-quotas.html):
# attaching it to a second core network goes over.
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

dx_gateway "core" { # want: quota-exceeded
  asn = 65000
}

attachment "core-blue" {
  a                = dx_gateway.core
  b                = core_network.blue
  segment          = "prod"
  allowed_prefixes = ["10.1.0.0/16"]
}

attachment "core-green" {
  a                = dx_gateway.core
  b                = core_network.green
  segment          = "prod"
  allowed_prefixes = ["10.2.0.0/16"]
}
