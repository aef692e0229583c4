output "vpc_prod-use1_id" {
  description = "the ID of VPC prod-use1"
  value       = aws_vpc.prod-use1.id
}

output "vpc_prod-euw2_id" {
  description = "the ID of VPC prod-euw2"
  value       = aws_vpc.prod-euw2.id
}

output "vpc_dev-use1_id" {
  description = "the ID of VPC dev-use1"
  value       = aws_vpc.dev-use1.id
}

output "dx_gateway_gcp_id" {
  description = "the ID of Direct Connect gateway gcp"
  value       = aws_dx_gateway.gcp.id
}

output "core_network_global_id" {
  description = "the ID of core network global"
  value       = aws_networkmanager_core_network.global.id
}

output "google_network_lake_id" {
  description = "the ID of Google Cloud VPC network lake"
  value       = google_compute_network.lake.id
}
