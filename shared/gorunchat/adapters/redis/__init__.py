"""Redis adapters: the stream bus (journals, jobs, leases, control) of the streaming service."""
