# The operational store, spoken to through the MongoDB API (pymongo) in both modes:
# - firestore: a Firestore Enterprise-edition database, spoken to through its
#   MongoDB-compatible API. Clients authenticate with their service account (MONGODB-OIDC), so the
#   connection string holds no password; it still goes through Secret Manager so that both
#   modes reach the deployables the same way.
# - atlas: the secret is created empty; the operator adds the Atlas connection string as a
#   version (docs/deploy.md), so it never passes through Terraform state.

locals {
  firestore = var.backend == "firestore"
}

resource "google_firestore_database" "main" {
  count = local.firestore ? 1 : 0

  project     = var.project_id
  name        = var.database_id
  location_id = var.location
  type        = "FIRESTORE_NATIVE"

  # Enterprise edition + FIRESTORE_NATIVE is Firestore with MongoDB compatibility: the API
  # enables the MongoDB-compatible data access mode by default for Enterprise databases.
  # Provider 6.x has no argument for the data access modes (later releases add
  # mongodb_compatible_data_access_mode); the API defaults are the ones this stack wants.
  database_edition = "ENTERPRISE"

  point_in_time_recovery_enablement = "POINT_IN_TIME_RECOVERY_ENABLED"
  delete_protection_state           = var.delete_protection ? "DELETE_PROTECTION_ENABLED" : "DELETE_PROTECTION_DISABLED"
  deletion_policy                   = "ABANDON"
}

resource "google_secret_manager_secret" "uri" {
  project   = var.project_id
  secret_id = var.secret_id
  labels    = var.labels

  replication {
    auto {}
  }
}

resource "google_secret_manager_secret_version" "uri" {
  count = local.firestore ? 1 : 0

  secret = google_secret_manager_secret.uri.id
  secret_data = format(
    "mongodb://%s.%s.firestore.goog:443/%s?loadBalanced=true&tls=true&retryWrites=false&authMechanism=MONGODB-OIDC&authMechanismProperties=ENVIRONMENT:gcp,TOKEN_RESOURCE:FIRESTORE",
    google_firestore_database.main[0].uid,
    var.location,
    var.database_id,
  )
}
