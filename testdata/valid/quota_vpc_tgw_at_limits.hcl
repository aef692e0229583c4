# Each of these at its default: a VPC with 5 IPv4 CIDR blocks (5) and a
# Transit Gateway with 5 CIDR blocks (5, not adjustable)
# (https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html,
# https://docs.aws.amazon.com/vpc/latest/tgw/transit-gateway-quotas.html).
# checks: quota-exceeded
vpc "app" {
  region = "us-east-1"
  cidr   = [for i in range(5) : "10.${2 + i}.0.0/24"]
  mtu    = 8500
}

transit_gateway "hub" {
  region      = "us-east-1"
  asn         = 64600
  cidr_blocks = [for i in range(5) : "192.0.${i}.0/24"]
}
