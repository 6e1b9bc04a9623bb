"""The archive port: write-once objects for audit batches and export bundles.

Cloud Storage in Google Cloud (the audit bucket carries a locked retention policy, so an
object cannot be deleted or replaced before its time); local files made read-only otherwise.
An object is written once: ``put_once`` on an existing key never replaces it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Protocol


class Archive(Protocol):
    def put_once(self, key: str, data: bytes, content_type: str) -> bool:
        """Store ``data`` under ``key`` unless the key exists; ``True`` when written."""

    def get(self, key: str) -> bytes:
        """The object's bytes; ``NotFound`` when there is none."""

    def exists(self, key: str) -> bool: ...

    def keys(self, prefix: str) -> list[str]:
        """Every key under ``prefix``, sorted."""

    def signed_url(self, key: str, *, filename: str, ttl: timedelta) -> str | None:
        """A time-limited download URL, or ``None`` when this archive cannot issue one."""
