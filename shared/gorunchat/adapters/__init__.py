"""Implementations of the ports: storage, Redis, Google Cloud, local stand-ins, providers."""
