# One over each of these defaults: a VPC with 6 IPv4 CIDR blocks (5) and a
# Transit Gateway with 6 CIDR blocks (5, not adjustable)
# (https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html,
# https://docs.aws.amazon.com/vpc/latest/tgw/transit-gateway-quotas.html).
vpc "app" { # want: quota-exceeded
  region = "us-east-1"
  cidr   = [for i in range(6) : "10.${2 + i}.0.0/24"]
  mtu    = 8500
}

transit_gateway "hub" { # want: quota-exceeded
  region      = "us-east-1"
  asn         = 64600
  cidr_blocks = [for i in range(6) : "192.0.${i}.0/24"]
}
