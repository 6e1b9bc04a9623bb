variable "project_id" {
  description = "Project that holds the network."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a valid Google Cloud project id."
  }
}

variable "region" {
  description = "Region of the serverless subnet and the VPC Access connector."
  type        = string
}

variable "name" {
  description = "Name of the VPC network; subnets and the connector derive their names from it."
  type        = string

  validation {
    condition     = can(regex("^[a-z]([-a-z0-9]{0,40}[a-z0-9])?$", var.name))
    error_message = "name must be a lowercase RFC 1035 label of at most 42 characters."
  }
}

variable "serverless_subnet_cidr" {
  description = "CIDR of the subnet Cloud Run uses for Direct VPC egress (at least a /26)."
  type        = string
  default     = "10.8.0.0/24"

  validation {
    condition     = can(cidrhost(var.serverless_subnet_cidr, 0)) && tonumber(split("/", var.serverless_subnet_cidr)[1]) <= 26
    error_message = "serverless_subnet_cidr must be a valid CIDR of size /26 or larger."
  }
}

variable "connector_cidr" {
  description = "The /28 range of the Serverless VPC Access connector that Cloud Functions use."
  type        = string
  default     = "10.9.0.0/28"

  validation {
    condition     = can(cidrhost(var.connector_cidr, 0)) && endswith(var.connector_cidr, "/28")
    error_message = "connector_cidr must be a /28 CIDR range."
  }
}

variable "connector_instances" {
  description = "Minimum and maximum instances of the VPC Access connector."
  type = object({
    min = number
    max = number
  })
  default = { min = 2, max = 3 }

  validation {
    condition     = var.connector_instances.min >= 2 && var.connector_instances.max <= 10 && var.connector_instances.min < var.connector_instances.max
    error_message = "connector_instances needs 2 <= min < max <= 10."
  }
}

variable "connector_machine_type" {
  description = "Machine type of the VPC Access connector instances."
  type        = string
  default     = "e2-micro"

  validation {
    condition     = contains(["f1-micro", "e2-micro", "e2-standard-4"], var.connector_machine_type)
    error_message = "connector_machine_type must be f1-micro, e2-micro or e2-standard-4."
  }
}
