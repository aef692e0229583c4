variable "subnet_ids_web" {
  type        = list(string)
  description = "the subnets of VPC web (one per Availability Zone) that its attachments use"
}

variable "subnet_ids_api" {
  type        = list(string)
  description = "the subnets of VPC api (one per Availability Zone) that its attachments use"
}
