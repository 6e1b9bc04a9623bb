output "tasks_invoker_email" {
  description = "Email of the tasks invoker service account."
  value       = google_service_account.tasks_invoker.email
}

output "tasks_invoker_member" {
  description = "IAM member string of the tasks invoker service account."
  value       = google_service_account.tasks_invoker.member
}

output "builder_id" {
  description = "Full resource name of the function builder service account (for build_config.service_account), available once its roles are granted."
  value       = google_service_account.builder.id
  depends_on  = [google_project_iam_member.builder]
}

output "builder_member" {
  description = "IAM member string of the function builder service account."
  value       = google_service_account.builder.member
}

output "project_roles" {
  description = "Roles granted through project_bindings, as member => sorted roles."
  value = {
    for member in distinct([for b in values(var.project_bindings) : b.member]) :
    member => sort([for b in values(var.project_bindings) : b.role if b.member == member])
  }
}
