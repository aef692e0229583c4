# Secondary IPv4 blocks AWS accepts (Amazon VPC User Guide, "IPv4 CIDR block
# association restrictions",
# https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html).
# checks: cidr-invalid
vpc "ten" {
  region = "us-east-1"
  cidr   = ["10.2.0.0/16", "10.0.0.0/16", "100.64.0.0/16"]
}
