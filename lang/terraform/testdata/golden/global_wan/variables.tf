variable "subnet_arns_prod-use1" {
  type        = list(string)
  description = "the ARNs of the subnets of VPC prod-use1 (one per Availability Zone) that its core network attachment uses"
}

variable "subnet_arns_prod-euw2" {
  type        = list(string)
  description = "the ARNs of the subnets of VPC prod-euw2 (one per Availability Zone) that its core network attachment uses"
}

variable "subnet_arns_dev-use1" {
  type        = list(string)
  description = "the ARNs of the subnets of VPC dev-use1 (one per Availability Zone) that its core network attachment uses"
}
