# Where audit and discovery records land after the projector copies them out of the
# operational store (DESIGN.md section 8): BigQuery for queries (partitioned by day,
# clustered by tenant, so a tenant's date range scans little) and a Cloud Storage archive
# with a LOCKED retention policy, so no one, the project owner included, can delete or
# shorten the evidence before its time.

resource "google_bigquery_dataset" "main" {
  project                    = var.project_id
  dataset_id                 = var.dataset_id
  friendly_name              = "GoRunChat audit and discovery"
  description                = "Query copy of the hash-chained audit log and the discovery journal."
  location                   = var.location
  delete_contents_on_destroy = false
  labels                     = var.labels

  dynamic "default_encryption_configuration" {
    for_each = var.kms_key_name == null ? [] : [var.kms_key_name]
    content {
      kms_key_name = default_encryption_configuration.value
    }
  }
}

resource "google_bigquery_table" "audit" {
  project             = var.project_id
  dataset_id          = google_bigquery_dataset.main.dataset_id
  table_id            = "audit"
  description         = "One row per audit record; insert id = record id, so replays are idempotent."
  deletion_protection = true
  labels              = var.labels
  clustering          = ["tenantId"]

  time_partitioning {
    type                     = "DAY"
    field                    = "ts"
    require_partition_filter = true
  }

  schema = jsonencode([
    { name = "id", type = "STRING", mode = "REQUIRED" },
    { name = "tenantId", type = "STRING", mode = "REQUIRED" },
    { name = "seq", type = "INT64", mode = "REQUIRED" },
    { name = "ts", type = "TIMESTAMP", mode = "REQUIRED" },
    { name = "action", type = "STRING", mode = "REQUIRED" },
    {
      name = "actor", type = "RECORD", mode = "NULLABLE", fields = [
        { name = "userId", type = "STRING", mode = "NULLABLE" },
        { name = "role", type = "STRING", mode = "NULLABLE" },
        { name = "ip", type = "STRING", mode = "NULLABLE" },
        { name = "requestId", type = "STRING", mode = "NULLABLE" },
      ]
    },
    { name = "targetType", type = "STRING", mode = "NULLABLE" },
    { name = "targetId", type = "STRING", mode = "NULLABLE" },
    { name = "outcome", type = "STRING", mode = "NULLABLE" },
    { name = "metadata", type = "JSON", mode = "NULLABLE" },
    { name = "prevHash", type = "STRING", mode = "REQUIRED" },
    { name = "hash", type = "STRING", mode = "REQUIRED" },
  ])

  dynamic "encryption_configuration" {
    for_each = var.kms_key_name == null ? [] : [var.kms_key_name]
    content {
      kms_key_name = encryption_configuration.value
    }
  }
}

resource "google_bigquery_table" "discovery" {
  project             = var.project_id
  dataset_id          = google_bigquery_dataset.main.dataset_id
  table_id            = "discovery"
  description         = "One row per discovery record (message and conversation lifecycle)."
  deletion_protection = true
  labels              = var.labels
  clustering          = ["tenantId"]

  time_partitioning {
    type                     = "DAY"
    field                    = "ts"
    require_partition_filter = true
  }

  schema = jsonencode([
    { name = "id", type = "STRING", mode = "REQUIRED" },
    { name = "tenantId", type = "STRING", mode = "REQUIRED" },
    { name = "ts", type = "TIMESTAMP", mode = "REQUIRED" },
    { name = "kind", type = "STRING", mode = "REQUIRED" },
    { name = "userId", type = "STRING", mode = "NULLABLE" },
    { name = "conversationId", type = "STRING", mode = "NULLABLE" },
    { name = "messageId", type = "STRING", mode = "NULLABLE" },
    { name = "content", type = "JSON", mode = "NULLABLE" },
  ])

  dynamic "encryption_configuration" {
    for_each = var.kms_key_name == null ? [] : [var.kms_key_name]
    content {
      kms_key_name = encryption_configuration.value
    }
  }
}

resource "google_storage_bucket" "archive" {
  project                     = var.project_id
  name                        = var.archive_bucket_name
  location                    = var.location
  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false
  labels                      = var.labels

  versioning {
    enabled = true
  }

  retention_policy {
    is_locked        = true
    retention_period = var.retention_days * 86400
  }

  lifecycle_rule {
    condition {
      age = var.archive_after_days
    }
    action {
      type          = "SetStorageClass"
      storage_class = "ARCHIVE"
    }
  }

  dynamic "encryption" {
    for_each = var.kms_key_name == null ? [] : [var.kms_key_name]
    content {
      default_kms_key_name = encryption.value
    }
  }
}

resource "google_bigquery_dataset_iam_member" "writer" {
  for_each = var.writer_members

  project    = var.project_id
  dataset_id = google_bigquery_dataset.main.dataset_id
  role       = "roles/bigquery.dataEditor"
  member     = each.value
}

# Create only: the projector can add batches but never overwrite or delete one.
resource "google_storage_bucket_iam_member" "writer" {
  for_each = var.writer_members

  bucket = google_storage_bucket.archive.name
  role   = "roles/storage.objectCreator"
  member = each.value
}
