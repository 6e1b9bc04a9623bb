# The one origin: a global external Application Load Balancer (EXTERNAL_MANAGED, which
# evaluates route rules) in front of one serverless NEG per backend. The URL map is generated
# from the route table (var.routes, see gorunchat.infra and docs/adr/0001): rules are tried
# in priority order, longest prefix first, and a path no rule matches goes to the web
# function. Cloud Armor guards every backend: edge-blocked paths, a Log4Shell canary, and
# per-IP rate limits, with a stricter one on sign-in paths.

locals {
  blocked_expression = join(" || ", [for p in var.blocked_path_prefixes : "request.path.startsWith('${p}')"])
}

resource "google_compute_region_network_endpoint_group" "serverless" {
  for_each = var.backends

  project               = var.project_id
  region                = var.region
  name                  = substr("${var.name}-${each.key}", 0, 63)
  network_endpoint_type = "SERVERLESS"

  dynamic "cloud_function" {
    for_each = each.value.kind == "function" ? [each.value.service] : []
    content {
      function = cloud_function.value
    }
  }

  dynamic "cloud_run" {
    for_each = each.value.kind == "run" ? [each.value.service] : []
    content {
      service = cloud_run.value
    }
  }
}

resource "google_compute_backend_service" "serverless" {
  for_each = var.backends

  project               = var.project_id
  name                  = substr("${var.name}-${each.key}", 0, 63)
  load_balancing_scheme = "EXTERNAL_MANAGED"
  protocol              = "HTTPS"
  security_policy       = google_compute_security_policy.main.id

  backend {
    group = google_compute_region_network_endpoint_group.serverless[each.key].id
  }

  log_config {
    enable      = true
    sample_rate = var.log_sample_rate
  }
}

resource "google_compute_url_map" "main" {
  project         = var.project_id
  name            = var.name
  description     = "Generated from the GoRunChat route table; do not edit rules by hand."
  default_service = google_compute_backend_service.serverless[var.routes.default_backend].id

  host_rule {
    hosts        = var.domains
    path_matcher = "routes"
  }

  path_matcher {
    name            = "routes"
    default_service = google_compute_backend_service.serverless[var.routes.default_backend].id

    dynamic "route_rules" {
      for_each = var.routes.rules
      content {
        priority = route_rules.value.priority
        service  = google_compute_backend_service.serverless[route_rules.value.backend].id

        match_rules {
          full_path_match = route_rules.value.full_path
        }

        match_rules {
          prefix_match = route_rules.value.prefix
        }
      }
    }
  }

  lifecycle {
    precondition {
      condition     = length(setsubtract(var.routes.backends, keys(var.backends))) == 0
      error_message = "every backend named by the route table needs an entry in var.backends."
    }
  }
}

resource "google_compute_security_policy" "main" {
  project     = var.project_id
  name        = "${var.name}-edge"
  description = "Edge policy of the GoRunChat load balancer."
  type        = "CLOUD_ARMOR"

  adaptive_protection_config {
    layer_7_ddos_defense_config {
      enable = true
    }
  }

  rule {
    description = "Paths that are never served to the internet."
    action      = "deny(404)"
    priority    = 100
    match {
      expr {
        expression = local.blocked_expression
      }
    }
  }

  rule {
    description = "Log4Shell (CVE-2021-44228) probes."
    action      = "deny(403)"
    priority    = 200
    match {
      expr {
        expression = "evaluatePreconfiguredExpr('cve-canary')"
      }
    }
  }

  rule {
    description = "Per-IP limit on sign-in, registration and OAuth paths."
    action      = "throttle"
    priority    = 1000
    match {
      expr {
        expression = "request.path.startsWith('/api/auth/') || request.path.startsWith('/oauth/')"
      }
    }
    rate_limit_options {
      conform_action = "allow"
      exceed_action  = "deny(429)"
      enforce_on_key = "IP"
      rate_limit_threshold {
        count        = var.auth_rate_limit.count
        interval_sec = var.auth_rate_limit.interval_sec
      }
    }
  }

  rule {
    description = "Per-IP limit on everything."
    action      = "throttle"
    priority    = 2000
    match {
      versioned_expr = "SRC_IPS_V1"
      config {
        src_ip_ranges = ["*"]
      }
    }
    rate_limit_options {
      conform_action = "allow"
      exceed_action  = "deny(429)"
      enforce_on_key = "IP"
      rate_limit_threshold {
        count        = var.rate_limit.count
        interval_sec = var.rate_limit.interval_sec
      }
    }
  }

  rule {
    description = "Default: allow."
    action      = "allow"
    priority    = 2147483647
    match {
      versioned_expr = "SRC_IPS_V1"
      config {
        src_ip_ranges = ["*"]
      }
    }
  }
}

resource "google_compute_managed_ssl_certificate" "main" {
  project = var.project_id
  name    = "${var.name}-cert"

  managed {
    domains = var.domains
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "google_compute_ssl_policy" "main" {
  project         = var.project_id
  name            = "${var.name}-tls"
  profile         = "MODERN"
  min_tls_version = "TLS_1_2"
}

resource "google_compute_target_https_proxy" "main" {
  project          = var.project_id
  name             = "${var.name}-https"
  url_map          = google_compute_url_map.main.id
  ssl_certificates = [google_compute_managed_ssl_certificate.main.id]
  ssl_policy       = google_compute_ssl_policy.main.id
}

resource "google_compute_global_address" "main" {
  project = var.project_id
  name    = "${var.name}-ip"
}

resource "google_compute_global_forwarding_rule" "https" {
  project               = var.project_id
  name                  = "${var.name}-https"
  load_balancing_scheme = "EXTERNAL_MANAGED"
  ip_protocol           = "TCP"
  port_range            = "443"
  target                = google_compute_target_https_proxy.main.id
  ip_address            = google_compute_global_address.main.id
}

# Plain HTTP only redirects to HTTPS.
resource "google_compute_url_map" "redirect" {
  project = var.project_id
  name    = "${var.name}-redirect"

  default_url_redirect {
    https_redirect         = true
    redirect_response_code = "MOVED_PERMANENTLY_DEFAULT"
    strip_query            = false
  }
}

resource "google_compute_target_http_proxy" "redirect" {
  project = var.project_id
  name    = "${var.name}-http"
  url_map = google_compute_url_map.redirect.id
}

resource "google_compute_global_forwarding_rule" "http" {
  project               = var.project_id
  name                  = "${var.name}-http"
  load_balancing_scheme = "EXTERNAL_MANAGED"
  ip_protocol           = "TCP"
  port_range            = "80"
  target                = google_compute_target_http_proxy.redirect.id
  ip_address            = google_compute_global_address.main.id
}
