"""The local archive: write-once files under a folder (the embedded default).

An object is created with a hard link from a finished temporary file, which fails when the
name exists, so a key is written once and never half-written; the file is then made
read-only. This is the local stand-in for a Cloud Storage bucket with a retention policy.
"""

from __future__ import annotations

import os
import tempfile
from datetime import timedelta
from pathlib import Path

from gorunchat.contracts.errors import NotFound

_READ_ONLY = 0o444


class LocalArchive:
    """``Archive`` over a folder; keys are relative paths with ``/`` separators."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        parts = key.split("/")
        if not key or key.startswith("/") or any(p in ("", ".", "..") for p in parts):
            raise ValueError(f"invalid archive key {key!r}")
        return self.root.joinpath(*parts)

    def put_once(self, key: str, data: bytes, content_type: str) -> bool:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, _READ_ONLY)
            try:
                os.link(tmp, path)
            except FileExistsError:
                return False
            return True
        finally:
            os.unlink(tmp)

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as exc:
            raise NotFound("No archived object has this key.", code="ARCHIVE_NOT_FOUND"
                           ) from exc

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def keys(self, prefix: str) -> list[str]:
        if not self.root.exists():
            return []
        found = (p.relative_to(self.root).as_posix() for p in self.root.rglob("*")
                 if p.is_file() and not p.name.startswith(".tmp-"))
        return sorted(k for k in found if k.startswith(prefix))

    def signed_url(self, key: str, *, filename: str, ttl: timedelta) -> str | None:
        return None  # served by the authenticated download route instead
