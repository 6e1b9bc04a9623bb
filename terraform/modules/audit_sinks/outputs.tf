output "dataset_id" {
  description = "BigQuery dataset id of the query copy."
  value       = google_bigquery_dataset.main.dataset_id
}

output "audit_table" {
  description = "Fully qualified audit table (project.dataset.table)."
  value       = "${var.project_id}.${google_bigquery_dataset.main.dataset_id}.${google_bigquery_table.audit.table_id}"
}

output "discovery_table" {
  description = "Fully qualified discovery table (project.dataset.table)."
  value       = "${var.project_id}.${google_bigquery_dataset.main.dataset_id}.${google_bigquery_table.discovery.table_id}"
}

output "archive_bucket" {
  description = "Name of the archive bucket with the locked retention policy."
  value       = google_storage_bucket.archive.name
}
