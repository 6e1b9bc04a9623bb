output "ip_address" {
  description = "Global IP address to point the domains' A records at."
  value       = google_compute_global_address.main.address
}

output "url_map_id" {
  description = "Id of the URL map generated from the route table."
  value       = google_compute_url_map.main.id
}

output "security_policy_id" {
  description = "Id of the Cloud Armor policy attached to every backend."
  value       = google_compute_security_policy.main.id
}

output "backend_service_ids" {
  description = "Backend service ids by backend name."
  value       = { for key, backend in google_compute_backend_service.serverless : key => backend.id }
}
