"""Shared DTOs: every request, response, SSE frame and task payload; error codes; routes.

This package imports only the standard library and pydantic, so every deployable can
import it cheaply at cold start.
"""
