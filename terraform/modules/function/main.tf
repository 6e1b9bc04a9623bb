# One Cloud Functions (gen2) HTTP function per route group, with its own service account.
# The source object is named after the bundle's digest so that a new bundle is a new object
# and Terraform redeploys exactly the functions whose bundle changed.

locals {
  account_id = coalesce(var.service_account_id, "fn-${var.name}")
}

resource "google_service_account" "runtime" {
  project      = var.project_id
  account_id   = local.account_id
  display_name = "GoRunChat function ${var.name}"
  description  = "Runtime identity of the ${var.name} function; granted only what it uses."
}

resource "google_storage_bucket_object" "source" {
  name   = "functions/${var.name}/${filesha256(var.source_archive)}.zip"
  bucket = var.source_bucket
  source = var.source_archive
}

resource "google_cloudfunctions2_function" "main" {
  project     = var.project_id
  location    = var.region
  name        = var.name
  description = "GoRunChat ${var.name} routes"
  labels      = var.labels

  build_config {
    runtime         = var.runtime
    entry_point     = var.entry_point
    service_account = var.build_service_account

    source {
      storage_source {
        bucket = var.source_bucket
        object = google_storage_bucket_object.source.name
      }
    }
  }

  service_config {
    service_account_email            = google_service_account.runtime.email
    min_instance_count               = var.min_instances
    max_instance_count               = var.max_instances
    available_memory                 = var.memory
    available_cpu                    = var.cpu
    max_instance_request_concurrency = var.concurrency
    timeout_seconds                  = var.timeout_seconds
    ingress_settings                 = var.ingress
    all_traffic_on_latest_revision   = true
    environment_variables            = var.environment
    vpc_connector                    = var.vpc_connector
    vpc_connector_egress_settings    = var.vpc_connector == null ? null : "PRIVATE_RANGES_ONLY"

    dynamic "secret_environment_variables" {
      for_each = var.secret_environment
      content {
        key        = secret_environment_variables.key
        project_id = var.project_id
        secret     = secret_environment_variables.value.secret
        version    = secret_environment_variables.value.version
      }
    }

    dynamic "secret_volumes" {
      for_each = var.secret_files
      content {
        mount_path = secret_volumes.value
        project_id = var.project_id
        secret     = secret_volumes.key

        versions {
          version = "latest"
          path    = "ca.pem"
        }
      }
    }
  }

  # The runtime identity must read its secrets before the first revision starts.
  depends_on = [google_secret_manager_secret_iam_member.runtime]
}

# Least privilege for secrets: the function reads only the secrets it is handed, each
# granted on the secret itself rather than project-wide.
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

resource "google_cloud_run_service_iam_member" "invoker" {
  for_each = var.invoker_members

  project  = var.project_id
  location = var.region
  service  = google_cloudfunctions2_function.main.service_config[0].service
  role     = "roles/run.invoker"
  member   = each.value
}

# Signed URLs on Cloud Functions are signed through IAM (no key file): the account signs
# as itself, and only functions that hand out download links get this.
resource "google_service_account_iam_member" "self_signer" {
  count = var.signs_urls ? 1 : 0

  service_account_id = google_service_account.runtime.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = google_service_account.runtime.member
}
