# A VPC has at most 5 IPv6 CIDR blocks
# (https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html):
# 6 is one too many.
vpc "app" { # want: quota-exceeded
  region    = "us-east-1"
  cidr      = "10.1.0.0/16"
  ipv6_cidr = [for i in range(6) : cidrsubnet("2600:1f18::/40", 16, i)]
  mtu       = 8500
}
