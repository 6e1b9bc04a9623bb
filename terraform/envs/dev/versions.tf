terraform {
  required_version = ">= 1.5"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 6.50"
    }
  }

  # Partial configuration: the bucket comes from `terraform init -backend-config=bucket=...`
  # (docs/deploy.md, cloudbuild.yaml).
  backend "gcs" {
    prefix = "gorunchat/dev"
  }
}

provider "google" {
  project = var.project_id
  region  = var.region
}
