output "queue_names" {
  description = "Queue short names by purpose (projection, retention, exports)."
  value       = { for key, queue in google_cloud_tasks_queue.main : key => queue.name }
}

output "queue_ids" {
  description = "Queue resource ids by purpose."
  value       = { for key, queue in google_cloud_tasks_queue.main : key => queue.id }
}

output "retention_job_name" {
  description = "Name of the Cloud Scheduler job that starts retention."
  value       = google_cloud_scheduler_job.retention.name
}

output "projection_job_name" {
  description = "Name of the Cloud Scheduler job that sweeps the audit projection."
  value       = google_cloud_scheduler_job.projection.name
}
