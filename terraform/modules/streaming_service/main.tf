# The streaming service: long-lived SSE streams for chat (DESIGN.md section 4). Its needs
# drive every setting here: CPU stays allocated between requests (the generation runs after
# the POST has answered and frames keep flowing to idle-looking streams), a request may last
# an hour, one instance holds hundreds of streams, and Redis is reached over Direct VPC
# egress. No session affinity: a reconnecting client replays from Redis on any instance.

resource "google_service_account" "runtime" {
  project      = var.project_id
  account_id   = var.service_account_id
  display_name = "GoRunChat streaming service"
  description  = "Runtime identity of the Cloud Run streaming service."
}

resource "google_cloud_run_v2_service" "main" {
  project             = var.project_id
  location            = var.region
  name                = var.name
  ingress             = "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER"
  deletion_protection = var.deletion_protection
  labels              = var.labels

  template {
    service_account                  = google_service_account.runtime.email
    timeout                          = "3600s"
    max_instance_request_concurrency = var.concurrency
    execution_environment            = "EXECUTION_ENVIRONMENT_GEN2"
    session_affinity                 = false

    scaling {
      min_instance_count = var.min_instances
      max_instance_count = var.max_instances
    }

    vpc_access {
      egress = "PRIVATE_RANGES_ONLY"

      network_interfaces {
        network    = var.network
        subnetwork = var.subnetwork
      }
    }

    containers {
      image = var.image

      ports {
        container_port = 8080
      }

      resources {
        limits = {
          cpu    = var.cpu
          memory = var.memory
        }
        cpu_idle          = false
        startup_cpu_boost = true
      }

      dynamic "env" {
        for_each = var.environment
        content {
          name  = env.key
          value = env.value
        }
      }

      dynamic "env" {
        for_each = var.secret_environment
        content {
          name = env.key
          value_source {
            secret_key_ref {
              secret  = env.value.secret
              version = env.value.version
            }
          }
        }
      }

      dynamic "volume_mounts" {
        for_each = var.secret_files
        content {
          name       = "secret-${volume_mounts.key}"
          mount_path = volume_mounts.value
        }
      }

      # Ready once Redis and the store answer; the instance gets no traffic before that.
      startup_probe {
        initial_delay_seconds = 0
        period_seconds        = 2
        timeout_seconds       = 2
        failure_threshold     = 30

        http_get {
          path = "/readyz"
        }
      }

      # Alive while the event loop answers; a wedged loop is restarted.
      liveness_probe {
        period_seconds    = 15
        timeout_seconds   = 5
        failure_threshold = 3

        http_get {
          path = "/livez"
        }
      }
    }

    dynamic "volumes" {
      for_each = var.secret_files
      content {
        name = "secret-${volumes.key}"
        secret {
          secret = volumes.key
          items {
            version = "latest"
            path    = "ca.pem"
          }
        }
      }
    }
  }

  traffic {
    type    = "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST"
    percent = 100
  }

  depends_on = [google_secret_manager_secret_iam_member.runtime]
}

resource "google_secret_manager_secret_iam_member" "runtime" {
  for_each = toset(concat(
    [for ref in values(var.secret_environment) : ref.secret],
    keys(var.secret_files),
  ))

  project   = var.project_id
  secret_id = each.value
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.runtime.member
}

resource "google_cloud_run_v2_service_iam_member" "invoker" {
  for_each = var.invoker_members

  project  = var.project_id
  location = var.region
  name     = google_cloud_run_v2_service.main.name
  role     = "roles/run.invoker"
  member   = each.value
}
