variable "project_id" {
  description = "Project that holds the queues and the scheduler job."
  type        = string
}

variable "region" {
  description = "Region of the queues and the scheduler job."
  type        = string
}

variable "name_prefix" {
  description = "Prefix of the queue names (queue names are final for 7 days after deletion)."
  type        = string
  default     = "gorunchat"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,40}$", var.name_prefix))
    error_message = "name_prefix must be lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "queues" {
  description = "Queues by purpose (projection, retention, exports) with dispatch and retry settings; failed tasks retry with exponential backoff."
  type = map(object({
    max_dispatches_per_second = number
    max_concurrent_dispatches = number
    max_attempts              = number
    min_backoff               = string
    max_backoff               = string
    max_doublings             = number
    max_retry_duration        = string
  }))
  default = {
    projection = {
      max_dispatches_per_second = 50
      max_concurrent_dispatches = 20
      max_attempts              = 100
      min_backoff               = "1s"
      max_backoff               = "300s"
      max_doublings             = 8
      max_retry_duration        = "86400s"
    }
    retention = {
      max_dispatches_per_second = 1
      max_concurrent_dispatches = 1
      max_attempts              = 10
      min_backoff               = "30s"
      max_backoff               = "3600s"
      max_doublings             = 5
      max_retry_duration        = "0s"
    }
    exports = {
      max_dispatches_per_second = 2
      max_concurrent_dispatches = 4
      max_attempts              = 5
      min_backoff               = "10s"
      max_backoff               = "600s"
      max_doublings             = 4
      max_retry_duration        = "0s"
    }
  }

  validation {
    condition     = length(setsubtract(["projection", "retention", "exports"], keys(var.queues))) == 0
    error_message = "queues must define projection, retention and exports."
  }

  validation {
    condition     = alltrue([for q in values(var.queues) : q.max_attempts >= 1 || q.max_attempts == -1])
    error_message = "max_attempts must be at least 1 (or -1 for unlimited)."
  }
}

variable "tasks_function_uri" {
  description = "HTTPS URI of the tasks function: the scheduler's target and the OIDC audience."
  type        = string

  validation {
    condition     = startswith(var.tasks_function_uri, "https://")
    error_message = "tasks_function_uri must be an https:// URI."
  }
}

variable "invoker_service_account_email" {
  description = "Service account whose OIDC token Cloud Tasks and Cloud Scheduler send to the tasks function."
  type        = string
}

variable "enqueuer_members" {
  description = "Principals allowed to create tasks on the queues (the functions that enqueue work), keyed by a stable name known at plan time."
  type        = map(string)
  default     = {}
}

variable "retention_schedule" {
  description = "Cron schedule (UTC) of the retention run."
  type        = string
  default     = "17 3 * * *"

  validation {
    condition     = length(split(" ", var.retention_schedule)) == 5
    error_message = "retention_schedule must be a five-field cron expression."
  }
}

variable "projection_schedule" {
  description = "Cron schedule (UTC) of the audit projection sweep (every minute by default)."
  type        = string
  default     = "* * * * *"

  validation {
    condition     = length(split(" ", var.projection_schedule)) == 5
    error_message = "projection_schedule must be a five-field cron expression."
  }
}
