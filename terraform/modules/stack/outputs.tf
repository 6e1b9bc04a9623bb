output "load_balancer_ip" {
  description = "Global IP address to point the domains A records at."
  value       = module.lb.ip_address
}

output "origin" {
  description = "The one HTTPS origin of the deployment."
  value       = local.origin
}

output "function_service_accounts" {
  description = "Runtime service account of every function, by group."
  value = merge(
    { for g, f in module.functions : g => f.service_account_email },
    { tasks = module.tasks_function.service_account_email },
  )
}

output "streaming_service_account" {
  description = "Runtime service account of the streaming service."
  value       = module.streaming_service.service_account_email
}

output "image_repository" {
  description = "Artifact Registry path to push the streaming image to."
  value       = "${var.region}-docker.pkg.dev/${var.project_id}/${google_artifact_registry_repository.images.repository_id}"
}

output "secrets_to_fill" {
  description = "Secrets created empty that need a version before the first full apply."
  value = concat(
    [for s in google_secret_manager_secret.app : s.secret_id],
    [for s in google_secret_manager_secret.provider : s.secret_id],
    var.datastore_backend == "atlas" ? [module.datastore.uri_secret_id] : [],
  )
}

output "audit" {
  description = "Where audit and discovery records are projected."
  value = {
    audit_table     = module.audit_sinks.audit_table
    discovery_table = module.audit_sinks.discovery_table
    archive_bucket  = module.audit_sinks.archive_bucket
  }
}
