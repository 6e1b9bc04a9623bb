"""The blob store port: file contents kept outside the document store.

A blob is addressed by a key the service chooses (tenant, user and file id in it, never a
name a person typed). The local filesystem is the default; Cloud Storage in Google Cloud.
"""

from __future__ import annotations

from typing import Protocol


class BlobStore(Protocol):
    """Put, read and delete blobs by key; optionally hand out a time-limited URL."""

    source: str  # the ``source`` recorded on a file document: ``local`` or ``gcs``

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store ``data`` under ``key``, replacing what was there."""

    def get(self, key: str) -> bytes:
        """The blob's bytes; ``NotFound`` when there is none."""

    def delete(self, key: str) -> bool:
        """Remove the blob; ``False`` when there was none (deleting twice is fine)."""

    def exists(self, key: str) -> bool: ...

    def signed_url(self, key: str, *, filename: str, content_type: str) -> str | None:
        """A URL that downloads the blob without credentials for a short time, or ``None``
        when this store cannot issue one (the caller then serves the bytes itself)."""
