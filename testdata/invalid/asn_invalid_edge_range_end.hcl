# The HCL twin: asn_ranges ends are included, 64700 is past "64600-64699"
# (https://docs.aws.amazon.com/network-manager/latest/cloudwan/cloudwan-policies-json.html).
core_network "wan" {
  asn_ranges = ["64600-64699"]

  edge {
    region = "us-east-1"
    asn    = 64699
  }
  edge { # want: asn-invalid
    region = "eu-west-2"
    asn    = 64700
  }

  segment "prod" {}
}
