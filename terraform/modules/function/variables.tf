variable "project_id" {
  description = "Project that holds the function and its service account."
  type        = string
}

variable "region" {
  description = "Region of the function."
  type        = string
}

variable "name" {
  description = "Route group the function serves (functions/<name>/main.py); also the function name."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,40}$", var.name))
    error_message = "name must be 2-41 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "service_account_id" {
  description = "Account id of the function's own service account; null gives fn-<name>."
  type        = string
  default     = null

  validation {
    condition     = var.service_account_id == null || can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.service_account_id))
    error_message = "service_account_id must be 6-30 lowercase letters, digits or hyphens."
  }
}

variable "source_bucket" {
  description = "Bucket that holds the function's source bundle."
  type        = string
}

variable "source_archive" {
  description = "Local path of the bundle zip built by scripts/bundle (build/bundles/<name>.zip)."
  type        = string

  validation {
    condition     = endswith(var.source_archive, ".zip")
    error_message = "source_archive must be a .zip file."
  }
}

variable "entry_point" {
  description = "Python callable in main.py that functions-framework serves."
  type        = string
  default     = "handle"
}

variable "runtime" {
  description = "Cloud Functions runtime."
  type        = string
  default     = "python311"

  validation {
    condition     = can(regex("^python3[0-9]+$", var.runtime))
    error_message = "runtime must be a python3xx runtime."
  }
}

variable "build_service_account" {
  description = "Full resource name of the service account Cloud Build uses to build the function (projects/<p>/serviceAccounts/<email>)."
  type        = string
}

variable "min_instances" {
  description = "Instances kept warm (0 lets the function scale to zero)."
  type        = number
  default     = 0

  validation {
    condition     = var.min_instances >= 0 && var.min_instances <= 100
    error_message = "min_instances must be between 0 and 100."
  }
}

variable "max_instances" {
  description = "Upper bound on instances, which also bounds load on the store."
  type        = number
  default     = 20

  validation {
    condition     = var.max_instances >= 1 && var.max_instances <= 1000
    error_message = "max_instances must be between 1 and 1000."
  }
}

variable "memory" {
  description = "Memory per instance, as Cloud Functions spells it (256Mi, 512Mi, 1Gi, ...)."
  type        = string
  default     = "512Mi"

  validation {
    condition     = can(regex("^[0-9]+(Mi|Gi)$", var.memory))
    error_message = "memory must be a number followed by Mi or Gi."
  }
}

variable "cpu" {
  description = "vCPUs per instance; at least 1 is needed for concurrency above 1."
  type        = string
  default     = "1"

  validation {
    condition     = can(tonumber(var.cpu)) && tonumber(var.cpu) > 0 && tonumber(var.cpu) <= 8
    error_message = "cpu must be a number in (0, 8]."
  }
}

variable "concurrency" {
  description = "Concurrent requests per instance."
  type        = number
  default     = 16

  validation {
    condition     = var.concurrency >= 1 && var.concurrency <= 1000
    error_message = "concurrency must be between 1 and 1000."
  }
}

variable "timeout_seconds" {
  description = "Request timeout in seconds (the tasks function needs long ones for exports)."
  type        = number
  default     = 60

  validation {
    condition     = var.timeout_seconds >= 1 && var.timeout_seconds <= 3600
    error_message = "timeout_seconds must be between 1 and 3600."
  }
}

variable "environment" {
  description = "Plain environment variables (never secrets)."
  type        = map(string)
  default     = {}
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

variable "vpc_connector" {
  description = "Id of the Serverless VPC Access connector used to reach Memorystore; null for none."
  type        = string
  default     = null
}

variable "ingress" {
  description = "ALLOW_INTERNAL_AND_GCLB behind the load balancer; ALLOW_INTERNAL_ONLY for Cloud Tasks targets."
  type        = string
  default     = "ALLOW_INTERNAL_AND_GCLB"

  validation {
    condition     = contains(["ALLOW_INTERNAL_AND_GCLB", "ALLOW_INTERNAL_ONLY"], var.ingress)
    error_message = "ingress must be ALLOW_INTERNAL_AND_GCLB or ALLOW_INTERNAL_ONLY."
  }
}

variable "invoker_members" {
  description = "Principals granted roles/run.invoker: allUsers for functions behind the load balancer (the application authenticates), a tasks service account for Cloud Tasks targets. Keyed by a stable name known at plan time (the values may be computed)."
  type        = map(string)
  default     = {}
}

variable "labels" {
  description = "Labels applied to the function and its source object."
  type        = map(string)
  default     = {}
}

variable "signs_urls" {
  description = "Let the runtime service account sign blobs as itself (IAM signBlob), for V4 signed URLs of uploads and exports."
  type        = bool
  default     = false
}
