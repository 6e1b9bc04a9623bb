"""Google Cloud adapters."""
