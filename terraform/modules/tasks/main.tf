# Cloud Tasks queues that drive the tasks function (audit projection, retention, exports) and
# the Cloud Scheduler jobs that start the daily retention run and the projection sweep. Every
# dispatch carries an OIDC token of the invoker service account; the tasks function admits
# nothing else.

resource "google_cloud_tasks_queue" "main" {
  for_each = var.queues

  project  = var.project_id
  location = var.region
  name     = "${var.name_prefix}-${each.key}"

  rate_limits {
    max_dispatches_per_second = each.value.max_dispatches_per_second
    max_concurrent_dispatches = each.value.max_concurrent_dispatches
  }

  retry_config {
    max_attempts       = each.value.max_attempts
    min_backoff        = each.value.min_backoff
    max_backoff        = each.value.max_backoff
    max_doublings      = each.value.max_doublings
    max_retry_duration = each.value.max_retry_duration
  }

  stackdriver_logging_config {
    sampling_ratio = 1.0
  }
}

locals {
  enqueuer_grants = {
    for pair in setproduct(keys(var.queues), keys(var.enqueuer_members)) :
    "${pair[0]}/${pair[1]}" => { queue = pair[0], member = var.enqueuer_members[pair[1]] }
  }
}

resource "google_cloud_tasks_queue_iam_member" "enqueuer" {
  for_each = local.enqueuer_grants

  project  = var.project_id
  location = var.region
  name     = google_cloud_tasks_queue.main[each.value.queue].name
  role     = "roles/cloudtasks.enqueuer"
  member   = each.value.member
}

resource "google_cloud_scheduler_job" "retention" {
  project          = var.project_id
  region           = var.region
  name             = "${var.name_prefix}-retention"
  description      = "Starts the daily retention run (held data is never touched)."
  schedule         = var.retention_schedule
  time_zone        = "Etc/UTC"
  attempt_deadline = "1800s"

  retry_config {
    retry_count          = 3
    min_backoff_duration = "60s"
    max_backoff_duration = "3600s"
    max_doublings        = 3
  }

  http_target {
    http_method = "POST"
    uri         = "${trimsuffix(var.tasks_function_uri, "/")}/tasks/retention"
    body        = base64encode(jsonencode({ trigger = "schedule" }))
    headers = {
      "Content-Type" = "application/json"
    }

    oidc_token {
      service_account_email = var.invoker_service_account_email
      audience              = var.tasks_function_uri
    }
  }
}

# Functions enqueue a projection task per audited mutation; this sweep catches writers that
# are not functions (the streaming service), so no record waits longer than a minute or so.
resource "google_cloud_scheduler_job" "projection" {
  project          = var.project_id
  region           = var.region
  name             = "${var.name_prefix}-audit-projection"
  description      = "Sweeps every tenant's unprojected audit and discovery records."
  schedule         = var.projection_schedule
  time_zone        = "Etc/UTC"
  attempt_deadline = "300s"

  # The next run is at most a minute away: a failed sweep is not retried.
  retry_config {
    retry_count = 0
  }

  http_target {
    http_method = "POST"
    uri         = "${trimsuffix(var.tasks_function_uri, "/")}/tasks/audit-projection"
    body        = base64encode(jsonencode({}))
    headers = {
      "Content-Type" = "application/json"
    }

    oidc_token {
      service_account_email = var.invoker_service_account_email
      audience              = var.tasks_function_uri
    }
  }
}
