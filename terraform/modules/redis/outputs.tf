output "host" {
  description = "Private IP address of the Redis instance."
  value       = google_redis_instance.main.host
}

output "port" {
  description = "TLS port of the Redis instance."
  value       = google_redis_instance.main.port
}

output "url_secret_id" {
  description = "Secret Manager secret id (short name) holding REDIS_URL with AUTH and TLS."
  value       = google_secret_manager_secret.url.secret_id
}

output "ca_secret_id" {
  description = "Secret Manager secret id (short name) holding the server CA certificates."
  value       = google_secret_manager_secret.ca.secret_id
}

output "ca_mount_path" {
  description = "Directory where deployables must mount the CA secret as ca.pem."
  value       = var.ca_mount_path
}
