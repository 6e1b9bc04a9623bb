module "stack" {
  source = "../../modules/stack"

  project_id        = var.project_id
  region            = var.region
  environment       = "dev"
  domains           = var.domains
  routes            = var.routes
  bundle_dir        = var.bundle_dir
  streaming_image   = var.streaming_image
  datastore_backend = var.datastore_backend
  provider_secrets  = var.provider_secrets
  redis             = { tier = "BASIC", memory_size_gb = 1 }

  function_defaults = {
    min_instances   = 0
    max_instances   = 5
    memory          = "512Mi"
    cpu             = "1"
    concurrency     = 16
    timeout_seconds = 60
  }

  function_overrides = {
    auth   = { min_instances = 0 }
    config = { min_instances = 0 }
    web    = { min_instances = 0 }
    tasks  = { timeout_seconds = 1800, concurrency = 4, memory = "1Gi" }
  }

  streaming = {
    min_instances = 0
    max_instances = 3
    concurrency   = 500
    cpu           = "1"
    memory        = "1Gi"
  }

  deletion_protection = false
}
