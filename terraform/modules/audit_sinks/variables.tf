variable "project_id" {
  description = "Project that holds the dataset and the archive bucket."
  type        = string
}

variable "location" {
  description = "Location of the BigQuery dataset and the archive bucket (a region or US/EU)."
  type        = string
}

variable "dataset_id" {
  description = "BigQuery dataset that receives the query copy of audit and discovery records."
  type        = string
  default     = "gorunchat_audit"

  validation {
    condition     = can(regex("^[A-Za-z_][A-Za-z0-9_]{0,1023}$", var.dataset_id))
    error_message = "dataset_id may hold letters, digits and underscores only."
  }
}

variable "archive_bucket_name" {
  description = "Globally unique name of the Cloud Storage bucket that archives record batches."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$", var.archive_bucket_name))
    error_message = "archive_bucket_name must be a valid bucket name."
  }
}

variable "retention_days" {
  description = "Days every archived object is kept; the policy is LOCKED, so it can be raised later but never lowered or removed (default 3 years)."
  type        = number
  default     = 1095

  validation {
    condition     = var.retention_days >= 1 && var.retention_days <= 36500
    error_message = "retention_days must be between 1 and 36500."
  }
}

variable "archive_after_days" {
  description = "Age in days after which archived objects move to the ARCHIVE storage class."
  type        = number
  default     = 30

  validation {
    condition     = var.archive_after_days >= 1
    error_message = "archive_after_days must be at least 1."
  }
}

variable "writer_members" {
  description = "Principals that project records (the tasks function), keyed by a stable name: BigQuery data editor on the dataset, object creator on the archive bucket."
  type        = map(string)
  default     = {}
}

variable "kms_key_name" {
  description = "Cloud KMS key for customer-managed encryption of the dataset and bucket; null keeps Google-managed keys."
  type        = string
  default     = null
}

variable "labels" {
  description = "Labels applied to the dataset, tables and bucket."
  type        = map(string)
  default     = {}
}
