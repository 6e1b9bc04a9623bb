"""The filesystem blob store: the local default (``<data dir>/files``).

Keys are made by services from tenant, user and file ids, never from a name a person typed;
they are still checked, so no key can reach outside the root. Writes go to a temporary file
that is renamed into place, so a reader never sees half a blob.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from gorunchat.contracts.errors import BadRequest, NotFound

_KEY = re.compile(r"^[A-Za-z0-9_\-][A-Za-z0-9_.\-]*(/[A-Za-z0-9_\-][A-Za-z0-9_.\-]*)*$")


class FilesystemBlobStore:
    source = "local"

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        if not _KEY.match(key) or ".." in key.split("/"):
            raise BadRequest("Invalid blob key.", code="INVALID_BLOB_KEY")
        return self.root / key

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as exc:
            raise NotFound("The file's content is missing.", code="BLOB_NOT_FOUND") from exc

    def delete(self, key: str) -> bool:
        path = self._path(key)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        return True

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def signed_url(self, key: str, *, filename: str, content_type: str) -> str | None:
        return None
