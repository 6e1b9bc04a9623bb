output "name" {
  description = "Name of the Cloud Run service."
  value       = google_cloud_run_v2_service.main.name
}

output "uri" {
  description = "HTTPS URI of the service (reachable only through the load balancer)."
  value       = google_cloud_run_v2_service.main.uri
}

output "service_account_email" {
  description = "Email of the service's own runtime service account."
  value       = google_service_account.runtime.email
}

output "service_account_member" {
  description = "IAM member string (serviceAccount:...) of the runtime service account."
  value       = google_service_account.runtime.member
}
