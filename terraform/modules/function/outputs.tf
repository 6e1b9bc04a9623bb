output "name" {
  description = "Name of the function (and of its Cloud Run service)."
  value       = google_cloudfunctions2_function.main.name
}

output "uri" {
  description = "HTTPS URI of the function, the audience of OIDC tokens sent to it."
  value       = google_cloudfunctions2_function.main.service_config[0].uri
}

output "service_account_email" {
  description = "Email of the function's own runtime service account."
  value       = google_service_account.runtime.email
}

output "service_account_member" {
  description = "IAM member string (serviceAccount:...) of the runtime service account."
  value       = google_service_account.runtime.member
}
