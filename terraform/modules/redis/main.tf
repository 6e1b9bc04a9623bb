# Memorystore for Redis: the stream journal, leases, fan-out, rate limits. AUTH is on and
# traffic is TLS (server authentication), so clients need both the AUTH string and the
# instance's CA; both are handed to the deployables through Secret Manager, never as plain
# environment values.

resource "google_redis_instance" "main" {
  project                 = var.project_id
  name                    = var.name
  region                  = var.region
  tier                    = var.tier
  memory_size_gb          = var.memory_size_gb
  redis_version           = var.redis_version
  authorized_network      = var.network_id
  connect_mode            = "DIRECT_PEERING"
  auth_enabled            = true
  transit_encryption_mode = "SERVER_AUTHENTICATION"
  labels                  = var.labels

  redis_configs = {
    # Stream entries carry their own TTL handling; never evict a live journal silently.
    "maxmemory-policy" = "noeviction"
  }

  persistence_config {
    persistence_mode    = "RDB"
    rdb_snapshot_period = "ONE_HOUR"
  }

  maintenance_policy {
    weekly_maintenance_window {
      day = "SUNDAY"
      start_time {
        hours   = 3
        minutes = 0
      }
    }
  }
}

resource "google_secret_manager_secret" "url" {
  project   = var.project_id
  secret_id = "${var.name}-url"
  labels    = var.labels

  replication {
    auto {}
  }
}

resource "google_secret_manager_secret_version" "url" {
  secret = google_secret_manager_secret.url.id
  # rediss:// = TLS; redis-py reads ssl_ca_certs from the URL query and passes it on.
  secret_data = format(
    "rediss://:%s@%s:%d/0?ssl_ca_certs=%s/ca.pem",
    google_redis_instance.main.auth_string,
    google_redis_instance.main.host,
    google_redis_instance.main.port,
    var.ca_mount_path,
  )
}

resource "google_secret_manager_secret" "ca" {
  project   = var.project_id
  secret_id = "${var.name}-ca"
  labels    = var.labels

  replication {
    auto {}
  }
}

resource "google_secret_manager_secret_version" "ca" {
  secret      = google_secret_manager_secret.ca.id
  secret_data = join("\n", [for cert in google_redis_instance.main.server_ca_certs : cert.cert])
}
