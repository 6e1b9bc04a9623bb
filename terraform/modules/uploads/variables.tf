variable "project_id" {
  description = "Project that holds the bucket."
  type        = string
}

variable "name" {
  description = "Globally unique bucket name."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$", var.name))
    error_message = "name must be a valid bucket name."
  }
}

variable "location" {
  description = "Bucket location (a region, preferably the one the functions run in)."
  type        = string
}

variable "cors_origins" {
  description = "Origins allowed to PUT/GET objects directly with signed URLs; empty disables CORS."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for origin in var.cors_origins : startswith(origin, "https://")])
    error_message = "cors_origins must be https:// origins."
  }
}

variable "noncurrent_days" {
  description = "Days a replaced or deleted object version is kept before it is removed."
  type        = number
  default     = 30

  validation {
    condition     = var.noncurrent_days >= 1
    error_message = "noncurrent_days must be at least 1."
  }
}

variable "object_admin_members" {
  description = "Principals that read, write and delete objects (the files function), keyed by a stable name."
  type        = map(string)
  default     = {}
}

variable "object_viewer_members" {
  description = "Principals that only read objects (for a sources bucket: the build service account), keyed by a stable name."
  type        = map(string)
  default     = {}
}

variable "kms_key_name" {
  description = "Cloud KMS key for customer-managed encryption; null keeps Google-managed keys."
  type        = string
  default     = null
}

variable "labels" {
  description = "Labels applied to the bucket."
  type        = map(string)
  default     = {}
}
