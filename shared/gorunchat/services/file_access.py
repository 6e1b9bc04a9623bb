"""Reading and removing stored files: list, download, signed URL, preview, usage, delete.

Only the owner reaches a file by its id; any other caller (another user, another tenant)
gets 404, so ids reveal nothing. A share link grants read access to the owner's files
attached to its messages (``files_of``; the link's own rules are in ``services.share``).
Deleting removes the document first (with its audit record) and then the blob. A file a
legal hold covers (its user's, or its conversation's) is hidden instead and its blob kept
(``services.holds``); a hidden file is gone for every read here and does not count against
the quota.
"""

from __future__ import annotations

import base64
import logging
from collections import Counter
from collections.abc import Sequence

from gorunchat.contracts.audit import AuditEvent, DiscoveryEvent
from gorunchat.contracts.errors import NotFound
from gorunchat.contracts.files import (
    MB,
    DeleteFilesRequest,
    DownloadUrl,
    EndpointFileConfig,
    EndpointFileConfigOut,
    FileConfig,
    FileConfigOut,
    FileObject,
    FilePreview,
    FileUsage,
    PromptImage,
)
from gorunchat.contracts.library import StoredFile
from gorunchat.ports.blobstore import BlobStore
from gorunchat.ports.store import Store, UnitOfWork
from gorunchat.services import holds
from gorunchat.services.caller import Caller
from gorunchat.services.search import chunks

log = logging.getLogger("gorunchat.files")
AVATAR = "avatar"  # the context of avatar files, which the file list leaves out
_METADATA = ("conversationId", "file_id", "temp_file_id", "bytes", "filename", "filepath",
             "object", "type", "usage", "source", "width", "height", "createdAt", "updatedAt")


def file_not_found() -> NotFound:
    return NotFound("File not found.", code="FILE_NOT_FOUND")


def _owned(uow: UnitOfWork, caller: Caller, file_id: str) -> StoredFile:
    found = uow.repo(StoredFile).get(file_id)
    if found is None or found.user != caller.user_id or holds.is_hidden(found):
        raise file_not_found()
    return found


def owned_file(store: Store, caller: Caller, file_id: str, user_param: str | None = None
               ) -> StoredFile:
    """The caller's file; the ``:userId`` of a download path must be the caller too.

    An avatar (``context: "avatar"``, ``services.avatars``) is the exception: anyone signed
    in to its tenant may download it by its owner's path, as LibreChat serves avatars to
    everyone who sees the user or the agent.
    """
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        if user_param is not None and user_param != caller.user_id:
            found = uow.repo(StoredFile).get(file_id)
            if (found is None or found.context != AVATAR or found.user != user_param
                    or holds.is_hidden(found)):
                raise file_not_found()
            return found
        return _owned(uow, caller, file_id)


def view(stored: StoredFile) -> FileObject:
    return FileObject.model_validate(stored.model_dump())


def list_files(store: Store, caller: Caller) -> list[FileObject]:
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        found = uow.repo(StoredFile).find({"user": caller.user_id, "context": {"$ne": AVATAR},
                                           **holds.VISIBLE}, sort=[("createdAt", -1)])
    return [view(f) for f in found]


def config_out(config: FileConfig) -> FileConfigOut:
    """``GET /api/files/config``: the configuration with LibreChat's sizes in bytes."""
    endpoints = dict(config.endpoints)
    endpoints.setdefault("default", EndpointFileConfig())
    return FileConfigOut(
        endpoints={name: EndpointFileConfigOut(
            disabled=e.disabled, fileLimit=e.fileLimit, fileSizeLimit=int(e.fileSizeLimit * MB),
            totalSizeLimit=int(e.totalSizeLimit * MB), supportedMimeTypes=e.supportedMimeTypes)
            for name, e in endpoints.items()},
        serverFileSizeLimit=int(config.serverFileSizeLimit * MB),
        avatarSizeLimit=int(config.avatarSizeLimit * MB),
        sizeLimits={k: int(v * MB) for k, v in config.sizeLimits.items()},
        userStorageLimit=int(config.userStorageLimit * MB), imageLimits=config.imageLimits)


def download(store: Store, blobs: BlobStore, caller: Caller, user_param: str, file_id: str
             ) -> tuple[StoredFile, bytes]:
    stored = owned_file(store, caller, file_id, user_param)
    return stored, content(blobs, stored)


def metadata(stored: StoredFile) -> dict[str, object]:
    data = stored.model_dump(mode="json")
    return {k: data[k] for k in _METADATA if data.get(k) is not None}


def download_url(store: Store, blobs: BlobStore, caller: Caller, user_param: str,
                 file_id: str) -> DownloadUrl:
    """A signed URL from the blob store, or the authenticated download route when the store
    cannot sign (the local filesystem)."""
    stored = owned_file(store, caller, file_id, user_param)
    url = blobs.signed_url(stored.storageKey or stored.file_id, filename=stored.filename,
                           content_type=stored.type)
    return DownloadUrl(url=url or f"/api/files/download/{caller.user_id}/{file_id}",
                       filename=stored.filename, type=stored.type, metadata=metadata(stored))


def preview(store: Store, caller: Caller, file_id: str) -> FilePreview:
    stored = owned_file(store, caller, file_id)
    return FilePreview(file_id=file_id, status="ready", text=stored.text,
                       textFormat=stored.textFormat if stored.text is not None else None)


def usage(store: Store, caller: Caller, config: FileConfig, file_ids: list[str]
          ) -> FileUsage:
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        where: dict[str, object] = {"user": caller.user_id, **holds.VISIBLE}
        if file_ids:
            where["file_id"] = {"$in": file_ids[:400]}
        found = uow.repo(StoredFile).find(where)
    total = sum(f.bytes for f in found)
    quota = int(config.userStorageLimit * MB)
    by_type: Counter[str] = Counter()
    for f in found:
        by_type[f.type] += f.bytes
    return FileUsage(bytes=total, fileCount=len(found), quotaBytes=quota,
                     remainingBytes=max(0, quota - total), byType=dict(by_type))


def delete(store: Store, blobs: BlobStore, caller: Caller, body: DeleteFilesRequest) -> int:
    """Delete the listed files (all must be the caller's, else 404 and nothing changes).

    A file under a legal hold is hidden and its blob kept; the answer is the same.
    """
    ids = list(dict.fromkeys(ref.file_id for ref in body.files))
    destroyed: list[StoredFile] = []
    with store.unit_of_work(caller.tenant_id) as uow:
        files = [_owned(uow, caller, file_id) for file_id in ids]
        current = holds.active_holds(uow)
        for stored in files:
            found = holds.covering(current, caller.user_id, stored.conversationId)
            if found:
                holds.hide(uow.repo(StoredFile), {"file_id": stored.file_id},
                           by=caller.user_id)
            else:
                uow.repo(StoredFile).delete(stored.file_id)
                destroyed.append(stored)
            outcome = holds.disposition(found)
            uow.record(AuditEvent(action="file.delete", actor=caller.actor, targetType="file",
                                  targetId=stored.file_id, metadata={
                                      "filename": stored.filename, "bytes": stored.bytes,
                                      **outcome}))
            uow.journal(DiscoveryEvent(kind="file.deleted", userId=caller.user_id,
                                       conversationId=stored.conversationId, content={
                                           "fileId": stored.file_id,
                                           "filename": stored.filename, "text": stored.text,
                                           **outcome}))
        uow.commit()
    for stored in destroyed:
        if not blobs.delete(stored.storageKey or stored.file_id):
            log.warning("blob already gone", extra={"fields": {"fileId": stored.file_id}})
    return len(files)


def agent_files(store: Store, caller: Caller, agent_id: str) -> list[FileObject]:
    """``GET /api/files/agent/:agent_id``: the files the agent's ``tool_resources`` name
    (its author's, still visible), for anyone who may view the agent."""
    from gorunchat.domain.permissions import PermissionBits
    from gorunchat.services import agents

    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        agent = agents.load(uow, caller, agent_id, PermissionBits.VIEW)
        ids = [str(i) for resource in agent.tool_resources.values()
               if isinstance(resource, dict) for i in resource.get("file_ids") or []]
        found = files_of(uow, agent.author, ids)
    return [view(found[i]) for i in dict.fromkeys(ids) if i in found]


def files_of(uow: UnitOfWork, owner_id: str, file_ids: Sequence[str]
             ) -> dict[str, StoredFile]:
    """Of ``file_ids``, those that are ``owner_id``'s and not hidden, by id.

    A share link (``services.share``) grants exactly these for the files its messages
    attach: an id attached to a shared message but belonging to someone else stays closed.
    """
    found: dict[str, StoredFile] = {}
    for part in chunks(list(file_ids)):
        for stored in uow.repo(StoredFile).find({"file_id": {"$in": part}, "user": owner_id,
                                                 **holds.VISIBLE}):
            found[stored.file_id] = stored
    return found


def content(blobs: BlobStore, stored: StoredFile) -> bytes:
    """The stored bytes of a file whose access the caller has already checked."""
    return blobs.get(stored.storageKey or stored.file_id)


def prompt_images(store: Store, blobs: BlobStore, caller: Caller, file_ids: list[str]
                  ) -> list[PromptImage]:
    """The caller's image files among ``file_ids`` as data URLs for models that accept vision.

    Other kinds and other users' ids are skipped (the chat flow attaches what it may).
    """
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        found = uow.repo(StoredFile).find({"file_id": {"$in": file_ids[:100]},
                                           "user": caller.user_id, **holds.VISIBLE})
    images = []
    for stored in sorted(found, key=lambda f: file_ids.index(f.file_id)):
        if not stored.type.startswith("image/"):
            continue
        data = base64.b64encode(blobs.get(stored.storageKey or stored.file_id)).decode()
        images.append(PromptImage(file_id=stored.file_id, type=stored.type, width=stored.width,
                                  height=stored.height,
                                  data_url=f"data:{stored.type};base64,{data}"))
    return images
