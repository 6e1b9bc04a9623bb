variable "project_id" {
  description = "Project that holds the load balancer."
  type        = string
}

variable "region" {
  description = "Region of the serverless backends (functions and the streaming service)."
  type        = string
}

variable "name" {
  description = "Name prefix of every load balancer resource."
  type        = string
  default     = "gorunchat"

  validation {
    condition     = can(regex("^[a-z][-a-z0-9]{0,30}$", var.name))
    error_message = "name must be at most 31 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "domains" {
  description = "Domains served (one origin for browser and apps); each gets the Google-managed certificate."
  type        = list(string)

  validation {
    condition     = length(var.domains) >= 1 && length(var.domains) <= 100 && alltrue([for d in var.domains : can(regex("^[a-z0-9.-]+\\.[a-z]{2,}$", d))])
    error_message = "domains must hold 1 to 100 lowercase DNS names."
  }
}

variable "routes" {
  description = "The URL map generated from the route table (routes.auto.tfvars.json, written by gorunchat.infra.write_tfvars): route rules in priority order, each sending a path and everything under it to one backend."
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
    condition     = alltrue([for rule in var.routes.rules : contains(var.routes.backends, rule.backend)]) && contains(var.routes.backends, var.routes.default_backend)
    error_message = "every rule backend and the default backend must be listed in routes.backends."
  }

  validation {
    condition     = length(distinct([for rule in var.routes.rules : rule.priority])) == length(var.routes.rules)
    error_message = "route rule priorities must be unique."
  }

  validation {
    condition     = alltrue([for rule in var.routes.rules : startswith(rule.full_path, "/") && rule.prefix == "${rule.full_path}/"])
    error_message = "each rule needs an absolute full_path and prefix = full_path + \"/\"."
  }
}

variable "backends" {
  description = "Serverless backend of every name in routes.backends: kind function (Cloud Functions gen2) or run (Cloud Run service), and the function or service name."
  type = map(object({
    kind    = string
    service = string
  }))

  validation {
    condition     = alltrue([for b in values(var.backends) : contains(["function", "run"], b.kind)])
    error_message = "backend kind must be function or run."
  }
}

variable "blocked_path_prefixes" {
  description = "Path prefixes refused at the edge with 404: Cloud Tasks targets are invoked directly with OIDC, and metrics are not for the public."
  type        = list(string)
  default     = ["/tasks/", "/metrics"]

  validation {
    condition     = length(var.blocked_path_prefixes) <= 5 && alltrue([for p in var.blocked_path_prefixes : can(regex("^/[A-Za-z0-9/_.-]*$", p))])
    error_message = "at most 5 blocked prefixes, each a plain absolute path."
  }
}

variable "rate_limit" {
  description = "Requests per client IP per interval across every path, beyond which the edge answers 429."
  type = object({
    count        = number
    interval_sec = number
  })
  default = { count = 600, interval_sec = 60 }

  validation {
    condition     = var.rate_limit.count >= 1 && contains([10, 30, 60, 120, 180, 240, 300, 600, 900, 1200, 1800, 2700, 3600], var.rate_limit.interval_sec)
    error_message = "rate_limit needs count >= 1 and an interval Cloud Armor supports (10 to 3600 s)."
  }
}

variable "auth_rate_limit" {
  description = "Requests per client IP per interval on sign-in, registration and OAuth paths (credential stuffing guard)."
  type = object({
    count        = number
    interval_sec = number
  })
  default = { count = 30, interval_sec = 60 }

  validation {
    condition     = var.auth_rate_limit.count >= 1 && contains([10, 30, 60, 120, 180, 240, 300, 600, 900, 1200, 1800, 2700, 3600], var.auth_rate_limit.interval_sec)
    error_message = "auth_rate_limit needs count >= 1 and an interval Cloud Armor supports (10 to 3600 s)."
  }
}

variable "log_sample_rate" {
  description = "Fraction of requests logged by the backend services."
  type        = number
  default     = 1.0

  validation {
    condition     = var.log_sample_rate >= 0 && var.log_sample_rate <= 1
    error_message = "log_sample_rate must be between 0 and 1."
  }
}
