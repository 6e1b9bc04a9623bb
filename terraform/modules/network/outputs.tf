output "network_id" {
  description = "Id of the VPC network (projects/<p>/global/networks/<name>)."
  value       = google_compute_network.main.id
}

output "network_name" {
  description = "Name of the VPC network."
  value       = google_compute_network.main.name
}

output "serverless_subnet_name" {
  description = "Name of the subnet for Cloud Run Direct VPC egress."
  value       = google_compute_subnetwork.serverless.name
}

output "connector_id" {
  description = "Id of the Serverless VPC Access connector for Cloud Functions."
  value       = google_vpc_access_connector.functions.id
}
