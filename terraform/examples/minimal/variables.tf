variable "project_id" {
  description = "A scratch project to try the stack in."
  type        = string
}

variable "region" {
  description = "Region of the example."
  type        = string
  default     = "us-central1"
}

variable "domain" {
  description = "One domain for the managed certificate."
  type        = string
}

variable "streaming_image" {
  description = "Streaming service image."
  type        = string
}

variable "routes" {
  description = "URL map generated from the route table (routes.auto.tfvars.json)."
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
