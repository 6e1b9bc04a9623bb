"""The document reader port: what a service needs to know about an uploaded file's content.

Decoding images and parsing PDF or Word files is the job of libraries (Pillow, pypdf,
python-docx); services see only this port, so the rules about what to accept stay in the
domain and the services, and the parsers can be swapped or sandboxed.
"""

from __future__ import annotations

from typing import Protocol

from gorunchat.contracts.files import FileKind


class UnreadableDocument(Exception):
    """The bytes claim a format but cannot be decoded as it (corrupt, truncated, hostile)."""


class DocumentReader(Protocol):
    def image_size(self, data: bytes) -> tuple[int, int]:
        """Width and height read from the image header, without decoding the pixels."""

    def verify_image(self, data: bytes) -> None:
        """Decode the image fully; ``UnreadableDocument`` when it does not decode."""

    def extract_text(self, kind: FileKind, data: bytes, *, max_chars: int) -> str:
        """The text of a PDF or Word document, at most ``max_chars`` characters."""
