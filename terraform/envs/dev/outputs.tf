output "load_balancer_ip" {
  description = "Point the domains' A records here."
  value       = module.stack.load_balancer_ip
}

output "origin" {
  description = "The HTTPS origin of this environment."
  value       = module.stack.origin
}

output "image_repository" {
  description = "Where Cloud Build pushes the streaming image."
  value       = module.stack.image_repository
}

output "secrets_to_fill" {
  description = "Secrets that need a version added by hand before the first full apply."
  value       = module.stack.secrets_to_fill
}

output "function_service_accounts" {
  description = "Runtime service account of every function."
  value       = module.stack.function_service_accounts
}
