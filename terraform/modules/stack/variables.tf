variable "project_id" {
  description = "Project that holds the whole deployment (one project per environment)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a valid Google Cloud project id."
  }
}

variable "region" {
  description = "Region of the functions, the streaming service, Redis, the queues and the buckets."
  type        = string
  default     = "us-central1"
}

variable "environment" {
  description = "Environment name, used in labels and resource names (dev, staging, prod)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,9}$", var.environment))
    error_message = "environment must be 2-10 lowercase letters or digits, starting with a letter."
  }
}

variable "domains" {
  description = "Domains served by the load balancer; the first is DOMAIN_CLIENT and DOMAIN_SERVER."
  type        = list(string)

  validation {
    condition     = length(var.domains) >= 1
    error_message = "at least one domain is needed for the managed certificate."
  }
}

variable "routes" {
  description = "The URL map generated from the route table (routes.auto.tfvars.json); see modules/lb."
  type = object({
    default_backend = string
    functions       = list(string)
    backends        = list(string)
    rules = list(object({
      priority  = number
      backend   = string
      full_path = string
      prefix    = string
    }))
  })

  validation {
    condition     = contains(var.routes.functions, "tasks") && contains(var.routes.functions, var.routes.default_backend)
    error_message = "routes.functions must include the tasks function and the default backend."
  }
}

variable "bundle_dir" {
  description = "Directory holding the function bundles built by scripts/bundle (<group>.zip)."
  type        = string
}

variable "streaming_image" {
  description = "Image of the streaming service (Artifact Registry), preferably pinned by digest."
  type        = string
}

variable "datastore_backend" {
  description = "firestore (Firestore with MongoDB compatibility, created here) or atlas (connection string added to the mongo-uri secret by hand)."
  type        = string
  default     = "firestore"

  validation {
    condition     = contains(["firestore", "atlas"], var.datastore_backend)
    error_message = "datastore_backend must be firestore or atlas."
  }
}

variable "firestore_location" {
  description = "Firestore location; null uses the region."
  type        = string
  default     = null
}

variable "redis" {
  description = "Memorystore sizing: tier BASIC or STANDARD_HA, memory in GiB."
  type = object({
    tier           = string
    memory_size_gb = number
  })
  default = { tier = "STANDARD_HA", memory_size_gb = 5 }

  validation {
    condition     = contains(["BASIC", "STANDARD_HA"], var.redis.tier)
    error_message = "redis.tier must be BASIC or STANDARD_HA."
  }
}

variable "function_defaults" {
  description = "Sizing of every function unless overridden."
  type = object({
    min_instances   = number
    max_instances   = number
    memory          = string
    cpu             = string
    concurrency     = number
    timeout_seconds = number
  })
  default = {
    min_instances   = 0
    max_instances   = 20
    memory          = "512Mi"
    cpu             = "1"
    concurrency     = 16
    timeout_seconds = 60
  }
}

variable "function_overrides" {
  description = "Per-group sizing overrides, for example { auth = { min_instances = 1 } }."
  type = map(object({
    min_instances   = optional(number)
    max_instances   = optional(number)
    memory          = optional(string)
    cpu             = optional(string)
    concurrency     = optional(number)
    timeout_seconds = optional(number)
  }))
  default = {}
}

variable "streaming" {
  description = "Streaming service sizing; concurrency must stay at 250 or more (DESIGN.md section 4)."
  type = object({
    min_instances = number
    max_instances = number
    concurrency   = number
    cpu           = string
    memory        = string
  })
  default = {
    min_instances = 1
    max_instances = 20
    concurrency   = 500
    cpu           = "1"
    memory        = "1Gi"
  }

  validation {
    condition     = var.streaming.concurrency >= 250
    error_message = "streaming.concurrency must be at least 250."
  }
}

variable "audit_retention_days" {
  description = "Locked retention of the audit archive in days (3 years by default; can be raised, never lowered)."
  type        = number
  default     = 1095
}

variable "provider_secrets" {
  description = "Model provider keys: environment variable => Secret Manager secret id, for example { OPENAI_API_KEY = \"openai-api-key\" }. Secrets are created empty; add versions by hand."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for name in keys(var.provider_secrets) : can(regex("^[A-Z][A-Z0-9_]*$", name))])
    error_message = "provider_secrets keys must be environment variable names."
  }
}

variable "cors_origins" {
  description = "Extra https origins allowed to reach the uploads bucket directly; the first domain is always allowed."
  type        = list(string)
  default     = []
}

variable "tenant_id" {
  description = "Tenant id of this deployment (GORUNCHAT_TENANT_ID)."
  type        = string
  default     = "default"
}

variable "deletion_protection" {
  description = "Protect stateful resources (Firestore, the streaming service) from deletion."
  type        = bool
  default     = true
}

variable "labels" {
  description = "Extra labels applied to every labelled resource."
  type        = map(string)
  default     = {}
}
