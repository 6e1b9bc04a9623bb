# Project-level IAM. Every deployable has its own service account (created by its module);
# this module grants them the few project roles they need, and owns the two identities that
# are not deployables: the Cloud Tasks/Scheduler invoker and the function builder. No service
# account is ever given a basic role (validated in variables.tf and checked by tests/infra).

locals {
  builder_roles = [
    "roles/logging.logWriter",
    "roles/artifactregistry.writer",
  ]

}

resource "google_service_account" "tasks_invoker" {
  project      = var.project_id
  account_id   = var.tasks_invoker_account_id
  display_name = "GoRunChat tasks invoker"
  description  = "Identity in the OIDC tokens Cloud Tasks and Cloud Scheduler send to the tasks function."
}

resource "google_service_account" "builder" {
  project      = var.project_id
  account_id   = var.builder_account_id
  display_name = "GoRunChat function builder"
  description  = "Cloud Build identity that turns function bundles into images."
}

resource "google_project_iam_member" "main" {
  for_each = var.project_bindings

  project = var.project_id
  role    = each.value.role
  member  = each.value.member
}

# Kept apart from "main" so that it depends on nothing but the builder: functions wait for
# these grants (through the builder_id output) before their first build.
resource "google_project_iam_member" "builder" {
  for_each = toset(local.builder_roles)

  project = var.project_id
  role    = each.value
  member  = google_service_account.builder.member
}

# Creating a task with an OIDC token of the invoker requires acting as the invoker.
resource "google_service_account_iam_member" "task_enqueuers" {
  for_each = var.task_enqueuers

  service_account_id = google_service_account.tasks_invoker.name
  role               = "roles/iam.serviceAccountUser"
  member             = each.value
}

# Object and secret access is recorded by Cloud Audit Logs rather than legacy bucket usage
# logs (see terraform/.checkov.yaml, CKV_GCP_62).
resource "google_project_iam_audit_config" "data_access" {
  for_each = toset(var.data_access_audit_services)

  project = var.project_id
  service = each.value

  audit_log_config {
    log_type = "DATA_READ"
  }

  audit_log_config {
    log_type = "DATA_WRITE"
  }
}
