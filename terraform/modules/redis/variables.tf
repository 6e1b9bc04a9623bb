variable "project_id" {
  description = "Project that holds the Redis instance and its secrets."
  type        = string
}

variable "region" {
  description = "Region of the Memorystore instance (the same as the streaming service)."
  type        = string
}

variable "name" {
  description = "Name of the Memorystore for Redis instance."
  type        = string

  validation {
    condition     = can(regex("^[a-z][-a-z0-9]{0,38}[a-z0-9]$", var.name))
    error_message = "name must be 2-40 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "network_id" {
  description = "Id of the VPC network the instance is peered with (authorized network)."
  type        = string
}

variable "tier" {
  description = "BASIC (one node, for dev) or STANDARD_HA (replicated with automatic failover)."
  type        = string
  default     = "STANDARD_HA"

  validation {
    condition     = contains(["BASIC", "STANDARD_HA"], var.tier)
    error_message = "tier must be BASIC or STANDARD_HA."
  }
}

variable "memory_size_gb" {
  description = "Memory of the instance in GiB; the stream journals are bounded and expire."
  type        = number
  default     = 5

  validation {
    condition     = var.memory_size_gb >= 1 && var.memory_size_gb <= 300
    error_message = "memory_size_gb must be between 1 and 300."
  }
}

variable "redis_version" {
  description = "Redis major version of the instance (Streams need 5.0 or later)."
  type        = string
  default     = "REDIS_7_2"

  validation {
    condition     = can(regex("^REDIS_[0-9]+_[0-9X]+$", var.redis_version))
    error_message = "redis_version must look like REDIS_7_2."
  }
}

variable "ca_mount_path" {
  description = "Directory where deployables mount the server CA secret; REDIS_URL points to ca.pem in it."
  type        = string
  default     = "/etc/secrets/redis-ca"

  validation {
    condition     = startswith(var.ca_mount_path, "/") && !endswith(var.ca_mount_path, "/")
    error_message = "ca_mount_path must be an absolute directory path without a trailing slash."
  }
}

variable "labels" {
  description = "Labels applied to the instance and its secrets."
  type        = map(string)
  default     = {}
}
