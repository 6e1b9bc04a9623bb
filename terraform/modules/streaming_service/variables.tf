variable "project_id" {
  description = "Project that holds the service and its service account."
  type        = string
}

variable "region" {
  description = "Region of the Cloud Run service (the same as Memorystore)."
  type        = string
}

variable "name" {
  description = "Name of the Cloud Run service."
  type        = string
  default     = "streaming-service"

  validation {
    condition     = can(regex("^[a-z][-a-z0-9]{0,47}[a-z0-9]$", var.name))
    error_message = "name must be a lowercase RFC 1035 label of at most 49 characters."
  }
}

variable "image" {
  description = "Container image built from streaming-service/Dockerfile, preferably pinned by digest."
  type        = string

  validation {
    condition     = length(var.image) > 0
    error_message = "image must not be empty."
  }
}

variable "service_account_id" {
  description = "Account id of the service's own service account."
  type        = string
  default     = "run-streaming"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.service_account_id))
    error_message = "service_account_id must be 6-30 lowercase letters, digits or hyphens."
  }
}

variable "min_instances" {
  description = "Instances kept running so that reconnecting streams find a warm reader."
  type        = number
  default     = 1

  validation {
    condition     = var.min_instances >= 0 && var.min_instances <= 100
    error_message = "min_instances must be between 0 and 100."
  }
}

variable "max_instances" {
  description = "Upper bound on instances."
  type        = number
  default     = 20

  validation {
    condition     = var.max_instances >= 1 && var.max_instances <= 1000
    error_message = "max_instances must be between 1 and 1000."
  }
}

variable "concurrency" {
  description = "Concurrent requests (mostly idle SSE streams) per instance; DESIGN.md section 4 needs at least 250."
  type        = number
  default     = 500

  validation {
    condition     = var.concurrency >= 250 && var.concurrency <= 1000
    error_message = "concurrency must be between 250 and 1000."
  }
}

variable "cpu" {
  description = "vCPUs per instance."
  type        = string
  default     = "1"

  validation {
    condition     = contains(["1", "2", "4", "6", "8"], var.cpu)
    error_message = "cpu must be 1, 2, 4, 6 or 8 (always-allocated CPU needs at least 1)."
  }
}

variable "memory" {
  description = "Memory per instance (Cloud Run spelling: 512Mi, 1Gi, ...)."
  type        = string
  default     = "1Gi"

  validation {
    condition     = can(regex("^[0-9]+(Mi|Gi)$", var.memory))
    error_message = "memory must be a number followed by Mi or Gi."
  }
}

variable "network" {
  description = "Name of the VPC network used for Direct VPC egress to Memorystore."
  type        = string
}

variable "subnetwork" {
  description = "Name of the subnet used for Direct VPC egress."
  type        = string
}

variable "environment" {
  description = "Plain environment variables (never secrets). PORT is set by Cloud Run."
  type        = map(string)
  default     = {}

  validation {
    condition     = !contains(keys(var.environment), "PORT")
    error_message = "PORT is reserved: Cloud Run sets it."
  }
}

variable "secret_environment" {
  description = "Environment variables read from Secret Manager: ENV_NAME => { secret = short secret id, version = \"latest\" or a number }."
  type = map(object({
    secret  = string
    version = optional(string, "latest")
  }))
  default = {}
}

variable "secret_files" {
  description = "Secrets mounted as files: secret short id => directory; the file inside is ca.pem (used for the Redis CA)."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for path in values(var.secret_files) : startswith(path, "/etc/secrets/")])
    error_message = "secret_files must mount under /etc/secrets/."
  }
}

variable "invoker_members" {
  description = "Principals granted roles/run.invoker; allUsers behind the load balancer (ingress stays restricted to it and the application authenticates). Keyed by a stable name known at plan time (the values may be computed)."
  type        = map(string)
  default     = {}
}

variable "deletion_protection" {
  description = "Refuse to delete the service through Terraform."
  type        = bool
  default     = true
}

variable "labels" {
  description = "Labels applied to the service."
  type        = map(string)
  default     = {}
}
