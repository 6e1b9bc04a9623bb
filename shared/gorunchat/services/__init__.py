"""Application services: one module per bounded context. They take explicit dependencies."""
