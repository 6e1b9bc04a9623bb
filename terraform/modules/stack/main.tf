# The whole GoRunChat deployment in one project (DESIGN.md section 1): a function per route
# group, the streaming service, Redis, the MongoDB-API store, queues, audit sinks, buckets
# and the load balancer whose URL map comes from the route table. envs/<name> and
# examples/minimal call this module with their own sizes.

locals {
  labels = merge({ app = "gorunchat", env = var.environment }, var.labels)
  origin = "https://${var.domains[0]}"

  apis = [
    "artifactregistry.googleapis.com",
    "bigquery.googleapis.com",
    "cloudbuild.googleapis.com",
    "cloudfunctions.googleapis.com",
    "cloudkms.googleapis.com",
    "cloudscheduler.googleapis.com",
    "cloudtasks.googleapis.com",
    "compute.googleapis.com",
    "firestore.googleapis.com",
    "iam.googleapis.com",
    "logging.googleapis.com",
    "monitoring.googleapis.com",
    "redis.googleapis.com",
    "run.googleapis.com",
    "secretmanager.googleapis.com",
    "storage.googleapis.com",
    "vpcaccess.googleapis.com",
  ]

  # The tasks function is deployed on its own: the others need its URL (task targets) and
  # it is not behind allUsers.
  lb_functions = toset([for g in var.routes.functions : g if g != "tasks"])

  app_secrets = {
    JWT_SECRET             = "jwt-secret"
    GORUNCHAT_TASKS_SECRET = "tasks-secret"
  }

  redis_files = { (module.redis.ca_secret_id) = module.redis.ca_mount_path }

  base_secrets = merge(
    { for env, id in local.app_secrets : env => { secret = google_secret_manager_secret.app[id].secret_id } },
    {
      MONGO_URI = { secret = module.datastore.uri_secret_id }
      REDIS_URL = { secret = module.redis.url_secret_id }
    },
  )

  provider_secret_env = {
    for env, id in var.provider_secrets : env => { secret = google_secret_manager_secret.provider[env].secret_id }
  }

  # Functions that hand out V4 signed URLs (file downloads, export bundles).
  signing_groups = ["admin", "files"]

  # Groups that talk to model providers directly (model lists, titles, tools).
  provider_groups = ["agents", "config", "convos", "mcp"]

  # The tasks function gets this; it cannot be handed its own URL.
  core_environment = {
    GORUNCHAT_ENV                  = "production"
    GORUNCHAT_STORE                = "mongo"
    GORUNCHAT_MONGODB_DATABASE     = module.datastore.database_name
    GORUNCHAT_TENANT_ID            = var.tenant_id
    GORUNCHAT_GCP_PROJECT          = var.project_id
    GORUNCHAT_GCP_REGION           = var.region
    GORUNCHAT_TASKS_INVOKER        = module.iam.tasks_invoker_email
    GORUNCHAT_QUEUE_PROJECTION     = module.tasks.queue_ids["projection"]
    GORUNCHAT_QUEUE_RETENTION      = module.tasks.queue_ids["retention"]
    GORUNCHAT_QUEUE_EXPORTS        = module.tasks.queue_ids["exports"]
    GORUNCHAT_FILES_BUCKET         = module.uploads.name
    GORUNCHAT_EXPORTS_BUCKET       = module.exports.name
    GORUNCHAT_AUDIT_DATASET        = module.audit_sinks.dataset_id
    GORUNCHAT_AUDIT_ARCHIVE_BUCKET = module.audit_sinks.archive_bucket
    GORUNCHAT_KMS_KEY_NAME         = google_kms_crypto_key.byok.id
    DOMAIN_CLIENT                  = local.origin
    DOMAIN_SERVER                  = local.origin
  }

  base_environment = merge(local.core_environment, {
    GORUNCHAT_TASKS_URL = module.tasks_function.uri
  })

  sizing = {
    for g in var.routes.functions : g => merge(
      var.function_defaults,
      { for k, v in lookup(var.function_overrides, g, {}) : k => v if v != null },
    )
  }

  # Every deployable, by a name known at plan time, with its service account member.
  deployables = merge(
    { for g, f in module.functions : "fn-${g}" => f.service_account_member },
    {
      "fn-tasks"  = module.tasks_function.service_account_member
      "streaming" = module.streaming_service.service_account_member
    },
  )

  runtime_roles = concat(
    ["roles/logging.logWriter", "roles/monitoring.metricWriter", "roles/cloudtrace.agent"],
    module.datastore.client_project_roles,
  )

  project_bindings = merge(
    {
      for pair in setproduct(keys(local.deployables), local.runtime_roles) :
      "${pair[0]}/${pair[1]}" => { member = local.deployables[pair[0]], role = pair[1] }
    },
    # The projector runs BigQuery load/insert jobs; the dataset grant is in audit_sinks.
    { "fn-tasks/roles/bigquery.jobUser" = { member = module.tasks_function.service_account_member, role = "roles/bigquery.jobUser" } },
  )
}

resource "google_project_service" "main" {
  for_each = toset(local.apis)

  project            = var.project_id
  service            = each.value
  disable_on_destroy = false
}

resource "google_artifact_registry_repository" "images" {
  project       = var.project_id
  location      = var.region
  repository_id = "gorunchat"
  description   = "Images of the streaming service."
  format        = "DOCKER"
  labels        = local.labels

  docker_config {
    immutable_tags = true
  }

  depends_on = [google_project_service.main]
}

resource "google_secret_manager_secret" "app" {
  for_each = toset(values(local.app_secrets))

  project   = var.project_id
  secret_id = each.value
  labels    = local.labels

  replication {
    auto {}
  }

  depends_on = [google_project_service.main]
}

resource "google_secret_manager_secret" "provider" {
  for_each = var.provider_secrets

  project   = var.project_id
  secret_id = each.value
  labels    = local.labels

  replication {
    auto {}
  }

  depends_on = [google_project_service.main]
}

module "network" {
  source = "../network"

  project_id = var.project_id
  region     = var.region
  name       = "gorunchat-${var.environment}"

  depends_on = [google_project_service.main]
}

module "redis" {
  source = "../redis"

  project_id     = var.project_id
  region         = var.region
  name           = "gorunchat-${var.environment}"
  network_id     = module.network.network_id
  tier           = var.redis.tier
  memory_size_gb = var.redis.memory_size_gb
  labels         = local.labels

  depends_on = [google_project_service.main]
}

module "datastore" {
  source = "../datastore"

  project_id        = var.project_id
  backend           = var.datastore_backend
  location          = coalesce(var.firestore_location, var.region)
  delete_protection = var.deletion_protection
  labels            = local.labels

  depends_on = [google_project_service.main]
}

module "sources" {
  source = "../uploads"

  project_id            = var.project_id
  name                  = "${var.project_id}-fn-sources"
  location              = var.region
  noncurrent_days       = 7
  object_viewer_members = { builder = module.iam.builder_member }
  labels                = local.labels

  depends_on = [google_project_service.main]
}

module "uploads" {
  source = "../uploads"

  project_id   = var.project_id
  name         = "${var.project_id}-uploads"
  location     = var.region
  cors_origins = distinct(concat([local.origin], var.cors_origins))
  object_admin_members = {
    "fn-files" = module.functions["files"].service_account_member
    "fn-tasks" = module.tasks_function.service_account_member
  }
  labels = local.labels

  depends_on = [google_project_service.main]
}

# Export bundles (JSONL + manifest) for custodians: written by the tasks function, handed
# out by the admin function as signed URLs.
module "exports" {
  source = "../uploads"

  project_id      = var.project_id
  name            = "${var.project_id}-exports"
  location        = var.region
  noncurrent_days = 30
  object_admin_members = {
    "fn-tasks" = module.tasks_function.service_account_member
    "fn-admin" = module.functions["admin"].service_account_member
  }
  labels = local.labels

  depends_on = [google_project_service.main]
}

# Envelope encryption of bring-your-own provider keys and MCP OAuth tokens (DESIGN.md
# section 7). A key file would not survive on serverless instances, so production uses KMS.
resource "google_kms_key_ring" "main" {
  project  = var.project_id
  name     = "gorunchat-${var.environment}"
  location = var.region

  depends_on = [google_project_service.main]
}

resource "google_kms_crypto_key" "byok" {
  name            = "byok"
  key_ring        = google_kms_key_ring.main.id
  purpose         = "ENCRYPT_DECRYPT"
  rotation_period = "7776000s"
  labels          = local.labels

  lifecycle {
    prevent_destroy = true
  }
}

resource "google_kms_crypto_key_iam_member" "byok" {
  for_each = local.deployables

  crypto_key_id = google_kms_crypto_key.byok.id
  role          = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
  member        = each.value
}

module "audit_sinks" {
  source = "../audit_sinks"

  project_id          = var.project_id
  location            = var.region
  dataset_id          = "gorunchat_${var.environment}_audit"
  archive_bucket_name = "${var.project_id}-audit-archive"
  retention_days      = var.audit_retention_days
  writer_members      = { "fn-tasks" = module.tasks_function.service_account_member }
  labels              = local.labels

  depends_on = [google_project_service.main]
}

module "iam" {
  source = "../iam"

  project_id       = var.project_id
  project_bindings = local.project_bindings
  task_enqueuers   = local.deployables

  depends_on = [google_project_service.main]
}

module "tasks_function" {
  source = "../function"

  project_id            = var.project_id
  region                = var.region
  name                  = "tasks"
  source_bucket         = module.sources.name
  source_archive        = "${var.bundle_dir}/tasks.zip"
  build_service_account = module.iam.builder_id
  min_instances         = local.sizing["tasks"].min_instances
  max_instances         = local.sizing["tasks"].max_instances
  memory                = local.sizing["tasks"].memory
  cpu                   = local.sizing["tasks"].cpu
  concurrency           = local.sizing["tasks"].concurrency
  timeout_seconds       = local.sizing["tasks"].timeout_seconds
  vpc_connector         = module.network.connector_id
  # Only Cloud Tasks and Cloud Scheduler, with the invoker's OIDC token, reach it.
  ingress            = "ALLOW_INTERNAL_ONLY"
  invoker_members    = { tasks = module.iam.tasks_invoker_member }
  environment        = local.core_environment
  secret_environment = local.base_secrets
  secret_files       = local.redis_files
  labels             = local.labels
}

module "functions" {
  source   = "../function"
  for_each = local.lb_functions

  project_id            = var.project_id
  region                = var.region
  name                  = each.key
  source_bucket         = module.sources.name
  source_archive        = "${var.bundle_dir}/${each.key}.zip"
  build_service_account = module.iam.builder_id
  min_instances         = local.sizing[each.key].min_instances
  max_instances         = local.sizing[each.key].max_instances
  memory                = local.sizing[each.key].memory
  cpu                   = local.sizing[each.key].cpu
  concurrency           = local.sizing[each.key].concurrency
  timeout_seconds       = local.sizing[each.key].timeout_seconds
  vpc_connector         = module.network.connector_id
  ingress               = "ALLOW_INTERNAL_AND_GCLB"
  # The load balancer is the only way in (ingress), and the application authenticates
  # every request itself (DESIGN.md section 7), so the serverless NEG calls it as allUsers.
  invoker_members = { public = "allUsers" }
  signs_urls      = contains(local.signing_groups, each.key)
  # Conditionals over objects of different shapes do not type-check; filters do.
  environment = merge(local.base_environment, {
    for k, v in { GORUNCHAT_FILES_SIGNER = "fn-${each.key}@${var.project_id}.iam.gserviceaccount.com" } :
    k => v if contains(local.signing_groups, each.key)
  })
  secret_environment = merge(local.base_secrets, {
    for k, v in local.provider_secret_env : k => v if contains(local.provider_groups, each.key)
  })
  secret_files = local.redis_files
  labels       = local.labels
}

module "streaming_service" {
  source = "../streaming_service"

  project_id          = var.project_id
  region              = var.region
  image               = var.streaming_image
  min_instances       = var.streaming.min_instances
  max_instances       = var.streaming.max_instances
  concurrency         = var.streaming.concurrency
  cpu                 = var.streaming.cpu
  memory              = var.streaming.memory
  network             = module.network.network_name
  subnetwork          = module.network.serverless_subnet_name
  invoker_members     = { public = "allUsers" }
  environment         = local.base_environment
  secret_environment  = merge(local.base_secrets, local.provider_secret_env)
  secret_files        = local.redis_files
  deletion_protection = var.deletion_protection
  labels              = local.labels

  depends_on = [google_project_service.main]
}

module "tasks" {
  source = "../tasks"

  project_id                    = var.project_id
  region                        = var.region
  name_prefix                   = "gorunchat-${var.environment}"
  tasks_function_uri            = module.tasks_function.uri
  invoker_service_account_email = module.iam.tasks_invoker_email
  enqueuer_members              = local.deployables

  depends_on = [google_project_service.main]
}

module "lb" {
  source = "../lb"

  project_id = var.project_id
  region     = var.region
  name       = "gorunchat-${var.environment}"
  domains    = var.domains
  routes     = var.routes
  backends = merge(
    { for g in var.routes.functions : g => { kind = "function", service = g } },
    { "streaming-service" = { kind = "run", service = module.streaming_service.name } },
  )

  depends_on = [google_project_service.main]
}
