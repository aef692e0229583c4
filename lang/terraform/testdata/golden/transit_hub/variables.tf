variable "subnet_ids_web" {
  type        = list(string)
  description = "the subnets of VPC web (one per Availability Zone) that its attachments use"
}

variable "subnet_ids_api" {
  type        = list(string)
  description = "the subnets of VPC api (one per Availability Zone) that its attachments use"
}

variable "subnet_ids_data" {
  type        = list(string)
  description = "the subnets of VPC data (one per Availability Zone) that its attachments use"
}

variable "subnet_ids_shared-services" {
  type        = list(string)
  description = "the subnets of VPC shared-services (one per Availability Zone) that its attachments use"
}
