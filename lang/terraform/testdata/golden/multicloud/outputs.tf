output "vpc_payments_id" {
  description = "the ID of VPC payments"
  value       = aws_vpc.payments.id
}

output "dx_gateway_core_id" {
  description = "the ID of Direct Connect gateway core"
  value       = aws_dx_gateway.core.id
}

output "google_network_analytics_id" {
  description = "the ID of Google Cloud VPC network analytics"
  value       = google_compute_network.analytics.id
}
