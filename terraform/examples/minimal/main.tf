# The smallest deployment: everything scales to zero except what must not, Redis on one
# node, and nothing protected from deletion. Beware: the audit archive's retention policy is
# locked even here, so its bucket cannot be deleted before retention_days (1) have passed.
# tests/infra parses this directory as the fixture of the stack module.

module "stack" {
  source = "../../modules/stack"

  project_id      = var.project_id
  region          = var.region
  environment     = "example"
  domains         = [var.domain]
  routes          = var.routes
  bundle_dir      = "${path.module}/../../../build/bundles"
  streaming_image = var.streaming_image
  redis           = { tier = "BASIC", memory_size_gb = 1 }

  streaming = {
    min_instances = 0
    max_instances = 2
    concurrency   = 250
    cpu           = "1"
    memory        = "512Mi"
  }

  audit_retention_days = 1
  deletion_protection  = false
}
