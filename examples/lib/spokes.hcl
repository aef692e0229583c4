# Spoke VPCs for a Transit Gateway, numbered from an address plan: one VPC
# per name, each with the next /prefix_len of base, attached to hub.

variable "hub" {
  description = "the transit_gateway the spokes attach to"
}

variable "names" {
  type = list(string)
}

variable "base" {
  type = string
}

variable "prefix_len" {
  type    = number
  default = 16
}

variable "mtu" {
  type        = number
  default     = 8500
  description = "what a Transit Gateway carries"
}

vpc "spoke" {
  count  = length(var.names)
  name   = var.names[count.index]
  region = var.hub.region
  cidr   = cidrsubnet(var.base, var.prefix_len - tonumber(split("/", var.base)[1]), count.index)
  mtu    = var.mtu
}

attachment "spoke" {
  count = length(var.names)
  name  = "${var.names[count.index]}-${var.hub.name}"
  a     = vpc.spoke[count.index]
  b     = var.hub
}

output "attachments" {
  value = attachment.spoke
}
