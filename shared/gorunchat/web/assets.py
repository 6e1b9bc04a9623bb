"""The web root (templates and static files) and the built bundle's manifest.

``web/static/dist/manifest.json`` is written by ``web/build.mjs``: it maps each entry
(``shell.js``, ``chat.js``, ``app.css``, ``icons.svg``) to its content-hashed file name, so
pages always reference the current bundle and hashed files can be cached forever.
"""

from __future__ import annotations

import gzip
import json
import mimetypes
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "public, max-age=0, must-revalidate"
_COMPRESSIBLE = frozenset({".js", ".mjs", ".css", ".svg", ".json", ".map"})
_TYPES = {".js": "text/javascript", ".mjs": "text/javascript",
          ".css": "text/css", ".svg": "image/svg+xml",
          ".json": "application/json", ".map": "application/json",
          ".ico": "image/x-icon", ".png": "image/png", ".woff2": "font/woff2"}


def repo_web_root() -> Path:
    """``web/`` of the checkout this package was installed from (editable install)."""
    return Path(__file__).resolve().parents[3] / "web"


@dataclass
class Assets:
    """Static files under ``root/static`` and the hashed names of the built entries."""

    root: Path
    manifest: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, root: Path) -> Assets:
        path = root / "static" / "dist" / "manifest.json"
        manifest: dict[str, str] = {}
        if path.is_file():
            manifest = json.loads(path.read_text(encoding="utf-8"))
        return cls(root=root, manifest=manifest)

    @property
    def static_dir(self) -> Path:
        return self.root / "static"

    def url(self, entry: str) -> str:
        """The URL of a built entry (``chat.js``) or of a plain static file."""
        name = self.manifest.get(entry)
        return f"/static/dist/{name}" if name else f"/static/{entry}"

    def find(self, relative: str) -> Path | None:
        """The file for ``/static/<relative>``, or ``None``; never outside ``static/``."""
        base = self.static_dir.resolve()
        candidate = (base / relative).resolve()
        if base not in candidate.parents or not candidate.is_file():
            return None
        return candidate

    @staticmethod
    def content_type(path: Path) -> str:
        known = _TYPES.get(path.suffix)
        if known:
            return known
        guessed, _ = mimetypes.guess_type(path.name)
        return guessed or "application/octet-stream"

    def cache_control(self, relative: str) -> str:
        """Hashed bundle files never change; anything else is revalidated."""
        hashed = relative.startswith("dist/") and relative.removeprefix("dist/") in set(
            self.manifest.values())
        return IMMUTABLE if hashed else REVALIDATE

    @staticmethod
    def compressible(path: Path) -> bool:
        return path.suffix in _COMPRESSIBLE

    @staticmethod
    def etag(path: Path) -> str:
        stat = path.stat()
        return f"{stat.st_mtime_ns:x}-{stat.st_size:x}"

    @staticmethod
    def gzipped(path: Path) -> bytes:
        """The file gzip-compressed, compressed once per version of the file."""
        stat = path.stat()
        return _gzip(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=64)
def _gzip(path: str, mtime_ns: int, size: int) -> bytes:
    with open(path, "rb") as handle:
        return gzip.compress(handle.read(), compresslevel=9, mtime=0)
