# The VPC that carries private traffic from the serverless parts to Memorystore:
# Cloud Run (streaming service) uses Direct VPC egress into the serverless subnet; Cloud
# Functions gen2 use a Serverless VPC Access connector, since Direct VPC egress for functions
# needs a newer provider major than this stack pins.

resource "google_compute_network" "main" {
  project                 = var.project_id
  name                    = var.name
  auto_create_subnetworks = false
  routing_mode            = "REGIONAL"
}

resource "google_compute_subnetwork" "serverless" {
  project                  = var.project_id
  name                     = "${var.name}-serverless"
  region                   = var.region
  network                  = google_compute_network.main.id
  ip_cidr_range            = var.serverless_subnet_cidr
  private_ip_google_access = true

  log_config {
    aggregation_interval = "INTERVAL_5_MIN"
    flow_sampling        = 0.5
    metadata             = "INCLUDE_ALL_METADATA"
  }
}

resource "google_vpc_access_connector" "functions" {
  project       = var.project_id
  name          = substr("${var.name}-fn", 0, 25)
  region        = var.region
  network       = google_compute_network.main.name
  ip_cidr_range = var.connector_cidr
  machine_type  = var.connector_machine_type
  min_instances = var.connector_instances.min
  max_instances = var.connector_instances.max
}

# Nothing in this network accepts connections from outside it: serverless egress and the
# Redis peering need no ingress rule. The explicit, logged deny replaces the implied one.
resource "google_compute_firewall" "deny_ingress" {
  project     = var.project_id
  name        = "${var.name}-deny-ingress"
  network     = google_compute_network.main.id
  description = "Deny every ingress that no higher-priority rule allows."
  direction   = "INGRESS"
  priority    = 65534

  source_ranges = ["0.0.0.0/0"]

  deny {
    protocol = "all"
  }

  log_config {
    metadata = "INCLUDE_ALL_METADATA"
  }
}
