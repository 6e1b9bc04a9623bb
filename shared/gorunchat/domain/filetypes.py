"""What an uploaded file really is: recognised from its bytes, never from its name alone.

``classify`` reads the magic bytes, refuses names that try to leave their folder, refuses
archives that would unpack to far more than they weigh (zip bombs) and files that are two
formats at once (polyglots: an image that is also a PDF, a ZIP or an HTML page). It only
inspects; decoding pixels or parsing documents is the ``DocumentReader`` port's job.
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from gorunchat.contracts.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType
from gorunchat.contracts.files import FileKind

_SIGNATURES: tuple[tuple[bytes, int, FileKind], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, FileKind.PNG),
    (b"\xff\xd8\xff", 0, FileKind.JPEG),
    (b"GIF87a", 0, FileKind.GIF),
    (b"GIF89a", 0, FileKind.GIF),
    (b"%PDF-", 0, FileKind.PDF),
)
_EXTENSIONS: dict[str, FileKind] = {
    ".png": FileKind.PNG, ".jpg": FileKind.JPEG, ".jpeg": FileKind.JPEG,
    ".gif": FileKind.GIF, ".webp": FileKind.WEBP, ".pdf": FileKind.PDF,
    ".docx": FileKind.DOCX, ".txt": FileKind.TEXT, ".text": FileKind.TEXT,
    ".log": FileKind.TEXT, ".md": FileKind.MARKDOWN, ".markdown": FileKind.MARKDOWN,
    ".csv": FileKind.CSV, ".json": FileKind.JSON,
}
_MARKUP = (b"<script", b"<html", b"<?php", b"<svg", b"<iframe")
_ZIP_END = b"PK\x05\x06"
_ZIP_TAIL = 65_557  # the end-of-central-directory record sits in the last 64 KiB + 22 bytes
_MAX_NAME_BYTES = 255


def refused(message: str, code: str) -> UnsupportedMediaType:
    return UnsupportedMediaType(message, code=code)


@dataclass(frozen=True)
class ArchiveLimits:
    max_entries: int
    max_unpacked_bytes: int
    max_ratio: float


def safe_filename(name: str) -> str:
    """``name`` normalised (NFC, trimmed); 400 for names that try path traversal or hide.

    A browser sends a bare file name, so a separator, a ``..`` segment, a drive letter or a
    control character can only be an attempt to write outside the user's folder.
    """
    cleaned = unicodedata.normalize("NFC", name).strip()
    if not cleaned or cleaned in {".", ".."}:
        raise BadRequest("The file has no name.", code="INVALID_FILENAME")
    if ("/" in cleaned or "\\" in cleaned or ".." in PurePosixPath(cleaned).parts
            or re.match(r"^[A-Za-z]:", cleaned) or cleaned.startswith(".")):
        raise BadRequest("File names may not contain folders or '..'.", code="INVALID_FILENAME")
    if any(unicodedata.category(ch) in {"Cc", "Cf", "Cs"} for ch in cleaned):
        raise BadRequest("File names may not contain control characters.",
                         code="INVALID_FILENAME")
    if len(cleaned.encode("utf-8")) > _MAX_NAME_BYTES:
        raise BadRequest("The file name is longer than 255 bytes.", code="INVALID_FILENAME")
    return cleaned


def _extension(filename: str) -> str:
    return PurePosixPath(filename).suffix.lower()


def _magic(data: bytes) -> FileKind | None:
    for signature, offset, kind in _SIGNATURES:
        if data[offset:offset + len(signature)] == signature:
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return FileKind.WEBP
    return None


def _text_kind(data: bytes, filename: str) -> FileKind:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise refused("This file type is not supported (only UTF-8 text, images, PDF and "
                      "Word documents are).", "UNSUPPORTED_FILE_TYPE") from exc
    controls = sum(1 for ch in text if ch < " " and ch not in "\t\n\r\f")
    if "\x00" in text or controls > max(8, len(text) // 100):
        raise refused("This file type is not supported (binary content).",
                      "UNSUPPORTED_FILE_TYPE")
    kind = _EXTENSIONS.get(_extension(filename), FileKind.TEXT)
    if kind.family != "text":
        kind = FileKind.TEXT
    if kind is FileKind.JSON:
        try:
            json.loads(text)
        except ValueError as exc:
            raise refused("The .json file does not hold valid JSON.", "INVALID_JSON") from exc
    return kind


def check_archive(data: bytes, limits: ArchiveLimits) -> zipfile.ZipFile:
    """Open a ZIP container after checking it cannot unpack into a bomb or escape its root."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise refused("The document's archive structure is damaged.", "CORRUPT_FILE") from exc
    if len(entries) > limits.max_entries:
        raise PayloadTooLarge("The document holds too many parts.", code="ARCHIVE_TOO_LARGE")
    unpacked = 0
    for entry in entries:
        path = PurePosixPath(entry.filename)
        if path.is_absolute() or ".." in path.parts or "\\" in entry.filename:
            raise refused("The document holds a part outside its root.", "ARCHIVE_TRAVERSAL")
        unpacked += entry.file_size
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size > 1024 * 1024 and ratio > limits.max_ratio:
            raise PayloadTooLarge("The document would unpack to far more than it weighs "
                                  "(a zip bomb).", code="ZIP_BOMB")
    if unpacked > limits.max_unpacked_bytes:
        raise PayloadTooLarge("The document would unpack to more than the allowed size "
                              "(a zip bomb).", code="ZIP_BOMB")
    return archive


def _zip_kind(data: bytes, limits: ArchiveLimits) -> FileKind:
    archive = check_archive(data, limits)
    names = set(archive.namelist())
    if "[Content_Types].xml" in names and "word/document.xml" in names:
        return FileKind.DOCX
    raise refused("Archives are not accepted; upload the files inside instead.",
                  "UNSUPPORTED_FILE_TYPE")


def _image_trailer(data: bytes, kind: FileKind) -> bytes:
    """Bytes after the image's end marker (a payload smuggled behind the picture)."""
    if kind is FileKind.PNG:
        end = data.rfind(b"IEND")
        return data[end + 8:] if end >= 0 else b""
    if kind is FileKind.JPEG:
        end = data.rfind(b"\xff\xd9")
        return data[end + 2:] if end >= 0 else b""
    return b""


def check_polyglot(data: bytes, kind: FileKind) -> None:
    """Refuse a file that is also another format readers would act on."""
    head = data[:1024]
    reason = None
    if kind is not FileKind.PDF and b"%PDF-" in head:
        reason = "a PDF document"
    elif kind is not FileKind.DOCX and _ZIP_END in data[-_ZIP_TAIL:]:
        reason = "a ZIP archive"
    elif kind.family in ("image", "pdf"):
        lowered = data.lower()
        if any(marker in lowered for marker in _MARKUP):
            reason = "a web page or script"
        elif kind.family == "image" and _image_trailer(data, kind).strip(b"\x00\r\n "):
            reason = "something hidden after the image"
    if reason:
        raise refused(f"The file is also {reason} (a polyglot file) and is refused.",
                      "POLYGLOT_FILE")


def classify(data: bytes, filename: str, limits: ArchiveLimits) -> FileKind:
    """The file's kind from its content; 415 when it is not allowed, is not what its name
    says, or is two formats at once."""
    if not data:
        raise BadRequest("The file is empty.", code="EMPTY_FILE")
    kind = _magic(data)
    if kind is None and data[:4] == b"PK\x03\x04":
        kind = _zip_kind(data, limits)
    if kind is None:
        kind = _text_kind(data, filename)
    claimed = _EXTENSIONS.get(_extension(filename))
    if claimed is not None and claimed.family != kind.family:
        raise refused(f"The file's content is {kind.family}, but its name says "
                      f"{_extension(filename)}.", "FILE_TYPE_MISMATCH")
    if claimed is not None and claimed.family == "image" and claimed is not kind:
        raise refused(f"The image is {kind.value}, but its name says {_extension(filename)}.",
                      "FILE_TYPE_MISMATCH")
    check_polyglot(data, kind)
    return kind
