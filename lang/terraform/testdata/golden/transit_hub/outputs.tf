output "vpc_web_id" {
  description = "the ID of VPC web"
  value       = aws_vpc.web.id
}

output "vpc_api_id" {
  description = "the ID of VPC api"
  value       = aws_vpc.api.id
}

output "vpc_data_id" {
  description = "the ID of VPC data"
  value       = aws_vpc.data.id
}

output "vpc_shared-services_id" {
  description = "the ID of VPC shared-services"
  value       = aws_vpc.shared-services.id
}

output "dx_gateway_gcp_id" {
  description = "the ID of Direct Connect gateway gcp"
  value       = aws_dx_gateway.gcp.id
}

output "transit_gateway_hub_id" {
  description = "the ID of Transit Gateway hub"
  value       = aws_ec2_transit_gateway.hub.id
}

output "google_network_warehouse_id" {
  description = "the ID of Google Cloud VPC network warehouse"
  value       = google_compute_network.warehouse.id
}
