# A for_each over 10^7 instances: 1000 × 1000 × 10 keys.
locals {
  k = range(1000)
}
vpc "v" {
  for_each = toset(flatten([for a in local.k : [for b in local.k : [for c in range(10) : "${a}-${b}-${c}"]]]))
  region   = "us-east-1"
  cidr     = "10.0.0.0/16"
}
