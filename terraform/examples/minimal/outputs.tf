output "load_balancer_ip" {
  description = "Point the domain's A record here."
  value       = module.stack.load_balancer_ip
}

output "secrets_to_fill" {
  description = "Secrets that need a version before the functions can start."
  value       = module.stack.secrets_to_fill
}
