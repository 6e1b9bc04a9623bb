variable "project_id" {
  description = "Project that holds the database and the connection-string secret."
  type        = string
}

variable "backend" {
  description = "firestore: Firestore (Enterprise edition) with MongoDB compatibility, created here. atlas: a MongoDB Atlas cluster whose connection string you store in the secret."
  type        = string
  default     = "firestore"

  validation {
    condition     = contains(["firestore", "atlas"], var.backend)
    error_message = "backend must be firestore or atlas."
  }
}

variable "location" {
  description = "Firestore location (a region such as us-central1, or a multi-region such as nam5)."
  type        = string
  default     = "us-central1"
}

variable "database_id" {
  description = "Firestore database id, also the MongoDB database name the application uses."
  type        = string
  default     = "gorunchat"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,61}[a-z0-9]$", var.database_id))
    error_message = "database_id must be 4-63 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "delete_protection" {
  description = "Refuse to delete the Firestore database (keep on for every environment with data)."
  type        = bool
  default     = true
}

variable "secret_id" {
  description = "Secret Manager secret id that holds MONGO_URI for the deployables."
  type        = string
  default     = "mongo-uri"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,255}$", var.secret_id))
    error_message = "secret_id may hold letters, digits, hyphens and underscores only."
  }
}

variable "labels" {
  description = "Labels applied to the secret."
  type        = map(string)
  default     = {}
}
