# A Direct Connect gateway's association with a Transit Gateway needs its
# allowed prefixes: the list "is required when you create an association to a
# transit gateway"
# (https://docs.aws.amazon.com/directconnect/latest/APIReference/API_CreateDirectConnectGatewayAssociation.html).
transit_gateway "hub" { # related: attach-invalid
  region = "us-east-1"
  asn    = 64520
}

dx_gateway "core" {
  asn = 64512
}

attachment "core-hub" { # want: attach-invalid
  a = dx_gateway.core
  b = transit_gateway.hub
}
