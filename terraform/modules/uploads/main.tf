# A private bucket: user uploads (files, avatars), and the same shape holds the function
# source bundles. Access is by IAM on the bucket only (uniform access, no ACLs), the public
# can never be granted access, and old object versions expire.

resource "google_storage_bucket" "main" {
  project                     = var.project_id
  name                        = var.name
  location                    = var.location
  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false
  labels                      = var.labels

  versioning {
    enabled = true
  }

  lifecycle_rule {
    condition {
      days_since_noncurrent_time = var.noncurrent_days
    }
    action {
      type = "Delete"
    }
  }

  lifecycle_rule {
    condition {
      age = 1
    }
    action {
      type = "AbortIncompleteMultipartUpload"
    }
  }

  dynamic "cors" {
    for_each = length(var.cors_origins) == 0 ? [] : [var.cors_origins]
    content {
      origin          = cors.value
      method          = ["GET", "HEAD", "PUT"]
      response_header = ["Content-Type", "Content-Disposition", "x-goog-content-sha256"]
      max_age_seconds = 3600
    }
  }

  dynamic "encryption" {
    for_each = var.kms_key_name == null ? [] : [var.kms_key_name]
    content {
      default_kms_key_name = encryption.value
    }
  }
}

resource "google_storage_bucket_iam_member" "object_admin" {
  for_each = var.object_admin_members

  bucket = google_storage_bucket.main.name
  role   = "roles/storage.objectAdmin"
  member = each.value
}

resource "google_storage_bucket_iam_member" "object_viewer" {
  for_each = var.object_viewer_members

  bucket = google_storage_bucket.main.name
  role   = "roles/storage.objectViewer"
  member = each.value
}
