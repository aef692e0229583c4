# A VPC with 5 IPv6 CIDR blocks, the quota exactly
# (https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html).
# checks: quota-exceeded
vpc "app" {
  region    = "us-east-1"
  cidr      = "10.1.0.0/16"
  ipv6_cidr = [for i in range(5) : cidrsubnet("2600:1f18::/40", 16, i)]
  mtu       = 8500
}
