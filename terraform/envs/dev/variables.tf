variable "project_id" {
  description = "Project of the dev environment."
  type        = string
}

variable "region" {
  description = "Region of the dev environment."
  type        = string
  default     = "us-central1"
}

variable "domains" {
  description = "Domains served by the dev load balancer."
  type        = list(string)
}

variable "streaming_image" {
  description = "Streaming service image pushed by Cloud Build (pinned by digest)."
  type        = string
}

variable "bundle_dir" {
  description = "Directory of the function bundles built by scripts/bundle."
  type        = string
  default     = "../../../build/bundles"
}

variable "datastore_backend" {
  description = "firestore or atlas (see modules/datastore)."
  type        = string
  default     = "firestore"
}

variable "provider_secrets" {
  description = "Model provider key secrets: environment variable => secret id."
  type        = map(string)
  default     = {}
}

variable "routes" {
  description = "URL map generated from the route table; loaded from routes.auto.tfvars.json (a link to terraform/routes.auto.tfvars.json)."
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
}
