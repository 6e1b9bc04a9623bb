variable "project_id" {
  description = "Project whose IAM policy receives the bindings."
  type        = string
}

variable "project_bindings" {
  description = "Project-level role bindings, keyed by a stable name known at plan time: { member, role }. Basic roles (owner, editor, viewer) are refused: grant the predefined role that fits."
  type = map(object({
    member = string
    role   = string
  }))
  default = {}

  validation {
    condition     = alltrue([for b in values(var.project_bindings) : !contains(["roles/owner", "roles/editor", "roles/viewer"], b.role)])
    error_message = "basic roles (roles/owner, roles/editor, roles/viewer) are not allowed; use predefined roles."
  }

  validation {
    condition     = alltrue([for b in values(var.project_bindings) : startswith(b.role, "roles/") || startswith(b.role, "projects/")])
    error_message = "role must be a predefined (roles/...) or custom (projects/.../roles/...) role."
  }
}

variable "tasks_invoker_account_id" {
  description = "Account id of the service account whose OIDC token Cloud Tasks and Cloud Scheduler present to the tasks function."
  type        = string
  default     = "tasks-invoker"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.tasks_invoker_account_id))
    error_message = "tasks_invoker_account_id must be 6-30 lowercase letters, digits or hyphens."
  }
}

variable "builder_account_id" {
  description = "Account id of the service account Cloud Build uses to build the functions from their bundles."
  type        = string
  default     = "fn-builder"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.builder_account_id))
    error_message = "builder_account_id must be 6-30 lowercase letters, digits or hyphens."
  }
}

variable "task_enqueuers" {
  description = "Principals that create tasks carrying the invoker's OIDC token (they need actAs on it), keyed by a stable name."
  type        = map(string)
  default     = {}
}

variable "data_access_audit_services" {
  description = "Services whose Data Access audit logs (reads and writes) are enabled: who read which object or secret, when."
  type        = list(string)
  default     = ["storage.googleapis.com", "secretmanager.googleapis.com"]

  validation {
    condition     = alltrue([for s in var.data_access_audit_services : endswith(s, ".googleapis.com")])
    error_message = "data_access_audit_services must be service names such as storage.googleapis.com."
  }
}
