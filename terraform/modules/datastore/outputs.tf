output "uri_secret_id" {
  description = "Secret Manager secret id (short name) holding MONGO_URI."
  value       = google_secret_manager_secret.uri.secret_id
}

output "database_name" {
  description = "MongoDB database name the deployables use (GORUNCHAT_MONGODB_DATABASE)."
  value       = var.database_id
}

output "client_project_roles" {
  description = "Project roles a deployable's service account needs to use this store."
  value       = local.firestore ? ["roles/datastore.user"] : []
}

output "firestore_database_id" {
  description = "Id of the Firestore database, or null in atlas mode."
  value       = local.firestore ? google_firestore_database.main[0].id : null
}
