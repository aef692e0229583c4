# Secondary IPv4 blocks AWS refuses, from the Amazon VPC User Guide's "IPv4
# CIDR block association restrictions"
# (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html).
vpc "low" { # want: cidr-invalid
  region = "us-east-1"
  cidr   = ["10.1.0.0/16", "10.0.0.0/16"]
}

vpc "home" { # want: cidr-invalid
  region = "us-east-1"
  cidr   = ["192.168.0.0/16", "198.19.0.0/16"]
}
