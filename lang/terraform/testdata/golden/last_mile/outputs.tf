output "vpc_web_id" {
  description = "the ID of VPC web"
  value       = aws_vpc.web.id
}

output "vpc_api_id" {
  description = "the ID of VPC api"
  value       = aws_vpc.api.id
}

output "dx_gateway_core_id" {
  description = "the ID of Direct Connect gateway core"
  value       = aws_dx_gateway.core.id
}

output "transit_gateway_hub_id" {
  description = "the ID of Transit Gateway hub"
  value       = aws_ec2_transit_gateway.hub.id
}
