"""Uploading files: every check a file passes before it is stored, then storing it.

In order: a safe name; the size limit for its kind (``fileConfig``); its kind recognised from
its bytes (allow-list, no mismatch with its name, no zip bomb, no polyglot); the endpoint's
allowed MIME types; image dimensions and a full decode; the user's storage quota; text
extraction for prompts. The blob is written first and the document with its audit record
after; if that commit fails the blob is removed again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pydantic import ValidationError

from gorunchat.contracts.audit import AuditEvent, DiscoveryEvent
from gorunchat.contracts.errors import (
    BadRequest,
    GoRunChatError,
    PayloadTooLarge,
    ServiceUnavailable,
    UnsupportedMediaType,
)
from gorunchat.contracts.files import MB, FileConfig, FileKind, UploadedFile
from gorunchat.contracts.library import StoredFile
from gorunchat.domain.filetypes import ArchiveLimits, classify, safe_filename
from gorunchat.domain.ids import new_uuid
from gorunchat.ports.blobstore import BlobStore
from gorunchat.ports.documents import DocumentReader, UnreadableDocument
from gorunchat.ports.store import Store
from gorunchat.services.caller import Caller
from gorunchat.services.holds import VISIBLE


@dataclass(frozen=True)
class Upload:
    """One multipart upload as the edge read it (the bytes are already size-bounded)."""

    filename: str
    data: bytes
    temp_file_id: str | None = None
    endpoint: str | None = None
    conversation_id: str | None = None
    images_only: bool = False


@dataclass(frozen=True)
class FileDeps:
    store: Store
    blobs: BlobStore
    reader: DocumentReader


@lru_cache(maxsize=8)
def _parse_config(raw: str) -> FileConfig:
    return FileConfig.model_validate_json(raw)


def file_config(raw: dict[str, Any] | None) -> FileConfig:
    """``fileConfig`` from ``gorunchat.yaml``; 503 ``FILE_CONFIG_INVALID`` if malformed."""
    import json

    try:
        return _parse_config(json.dumps(raw or {}, sort_keys=True, default=str))
    except ValidationError as exc:
        raise ServiceUnavailable("The fileConfig section of the configuration is invalid.",
                                 code="FILE_CONFIG_INVALID") from exc


def upload_limit(config: FileConfig, endpoint: str | None) -> int:
    """The largest upload any kind may have for this endpoint (checked before sniffing)."""
    largest_kind = max(config.sizeLimits.values(), default=config.serverFileSizeLimit)
    chosen = config.endpoints.get(endpoint or "") or config.endpoints.get("default")
    smallest = min(config.serverFileSizeLimit, largest_kind)
    if chosen is not None:
        smallest = min(smallest, chosen.fileSizeLimit)
    return int(smallest * MB)


def _check_size(config: FileConfig, kind: FileKind, size: int, endpoint: str | None) -> None:
    limit = min(upload_limit(config, endpoint),
                int(config.sizeLimits.get(kind.family, config.serverFileSizeLimit) * MB))
    if size > limit:
        raise PayloadTooLarge(f"{kind.family.capitalize()} files may be at most "
                              f"{limit // MB} MB.", code="FILE_TOO_LARGE")


def _check_endpoint(config: FileConfig, kind: FileKind, endpoint: str | None) -> None:
    chosen = config.endpoints.get(endpoint or "") or config.endpoints.get("default")
    if chosen is None:
        return
    if chosen.disabled:
        raise BadRequest("File uploads are disabled for this endpoint.",
                         code="UPLOADS_DISABLED")
    if not any(re.fullmatch(pattern, kind.value) for pattern in chosen.supportedMimeTypes):
        raise UnsupportedMediaType(f"{kind.value} files are not accepted by this endpoint.",
                                   code="UNSUPPORTED_FILE_TYPE")


def _check_image(reader: DocumentReader, config: FileConfig, data: bytes
                 ) -> tuple[int, int]:
    limits = config.imageLimits
    try:
        width, height = reader.image_size(data)
        if width > limits.maxWidth or height > limits.maxHeight \
                or width * height > limits.maxPixels:
            raise PayloadTooLarge(f"The image is {width}x{height} pixels; at most "
                                  f"{limits.maxWidth}x{limits.maxHeight} is accepted.",
                                  code="IMAGE_TOO_LARGE")
        reader.verify_image(data)
    except UnreadableDocument as exc:
        raise UnsupportedMediaType("The image cannot be decoded.", code="CORRUPT_FILE") from exc
    return width, height


def _text(reader: DocumentReader, config: FileConfig, kind: FileKind, data: bytes
          ) -> str | None:
    if kind.family == "image":
        return None
    if kind.family == "text":
        return data.decode("utf-8-sig")[:config.maxTextChars]
    try:
        return reader.extract_text(kind, data, max_chars=config.maxTextChars)
    except UnreadableDocument as exc:
        raise UnsupportedMediaType(f"The {kind.family.upper()} document cannot be read.",
                                   code="CORRUPT_FILE") from exc


def _check_quota(deps: FileDeps, caller: Caller, config: FileConfig, size: int) -> None:
    with deps.store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        used = sum(f.bytes for f in uow.repo(StoredFile).find({"user": caller.user_id,
                                                                **VISIBLE}))
    quota = int(config.userStorageLimit * MB)
    if used + size > quota:
        raise PayloadTooLarge(f"This upload would exceed your storage quota of "
                              f"{quota // MB} MB ({used // MB} MB used).",
                              code="STORAGE_QUOTA_EXCEEDED")


def inspect(deps: FileDeps, caller: Caller, config: FileConfig, upload: Upload
            ) -> tuple[str, FileKind, dict[str, Any]]:
    """Run every check; the clean name, the kind and the fields it adds to the document."""
    filename = safe_filename(upload.filename)
    if len(upload.data) > upload_limit(config, upload.endpoint):
        raise PayloadTooLarge(f"Files may be at most {upload_limit(config, upload.endpoint)}"
                              " bytes.", code="FILE_TOO_LARGE")
    kind = classify(upload.data, filename, ArchiveLimits(
        max_entries=config.maxArchiveEntries,
        max_unpacked_bytes=int(config.maxUnpackedMB * MB),
        max_ratio=config.maxCompressionRatio))
    if upload.images_only and kind.family != "image":
        raise UnsupportedMediaType("Only images can be uploaded here.",
                                   code="UNSUPPORTED_FILE_TYPE")
    _check_size(config, kind, len(upload.data), upload.endpoint)
    _check_endpoint(config, kind, upload.endpoint)
    extra: dict[str, Any] = {}
    if kind.family == "image":
        extra["width"], extra["height"] = _check_image(deps.reader, config, upload.data)
    text = _text(deps.reader, config, kind, upload.data)
    if text is not None:
        extra.update(text=text, textFormat="text")
    _check_quota(deps, caller, config, len(upload.data))
    return filename, kind, extra


def upload(deps: FileDeps, caller: Caller, config: FileConfig, item: Upload) -> UploadedFile:
    """Check, store and record one upload; the stored file as LibreChat answers it."""
    filename, kind, extra = inspect(deps, caller, config, item)
    file_id = new_uuid()
    key = f"{caller.tenant_id}/{caller.user_id}/{file_id}"
    stored = StoredFile(
        file_id=file_id, user=caller.user_id, tenantId=caller.tenant_id,
        temp_file_id=item.temp_file_id, conversationId=item.conversation_id,
        bytes=len(item.data), filename=filename, type=kind.value, source=deps.blobs.source,
        storageKey=key, filepath=f"/api/files/download/{caller.user_id}/{file_id}", **extra)
    deps.blobs.put(key, item.data, kind.value)
    try:
        with deps.store.unit_of_work(caller.tenant_id) as uow:
            uow.repo(StoredFile).insert(stored)
            uow.record(AuditEvent(action="file.upload", actor=caller.actor, targetType="file",
                                  targetId=file_id, metadata={
                                      "filename": filename, "bytes": stored.bytes,
                                      "type": kind.value}))
            uow.journal(DiscoveryEvent(kind="file.uploaded", userId=caller.user_id,
                                       conversationId=item.conversation_id, content={
                                           "fileId": file_id, "filename": filename,
                                           "type": kind.value, "bytes": stored.bytes,
                                           "text": stored.text}))
            uow.commit()
    except GoRunChatError:
        deps.blobs.delete(key)
        raise
    return UploadedFile.model_validate(stored.model_dump())
