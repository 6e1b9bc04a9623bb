"""Avatars: a user's picture and an agent's, uploaded as images and kept as files.

An avatar passes the checks of every image upload (``services.files.inspect``: recognised
from its bytes, not what its name claims, dimensions bounded, fully decoded, quota) and a
smaller size bound, ``fileConfig.avatarSizeLimit`` (MB, LibreChat's key). It is stored as a
file of the uploader with ``context: "avatar"`` and ``avatarOf`` naming what it belongs to
(``user:<id>`` or ``agent:<_id>``), so the download route serves it and a new avatar, the
agent's deletion or the account's deletion removes the old record. The blob is written
first; if the commit fails it is removed again, and a replaced avatar's blob goes after the
commit.

GoRunChat has no assistants: their avatar route answers 404 ``ASSISTANT_NOT_FOUND``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from gorunchat.contracts.agents import AgentView, AvatarUrl
from gorunchat.contracts.audit import AuditEvent
from gorunchat.contracts.errors import GoRunChatError, NotFound, PayloadTooLarge
from gorunchat.contracts.files import MB, FileConfig
from gorunchat.contracts.library import StoredFile
from gorunchat.domain.ids import new_uuid
from gorunchat.domain.permissions import PermissionBits
from gorunchat.ports.blobstore import BlobStore
from gorunchat.ports.store import UnitOfWork
from gorunchat.services import agents, file_access, files, holds
from gorunchat.services.caller import Caller
from gorunchat.services.users import load as load_user

log = logging.getLogger("gorunchat.files")
AVATAR_CONTEXT = file_access.AVATAR


@dataclass(frozen=True)
class AvatarUpload:
    filename: str
    data: bytes


def avatar_limit(config: FileConfig) -> int:
    """The largest avatar, in bytes (``fileConfig.avatarSizeLimit``, MB)."""
    return int(config.avatarSizeLimit * MB)


def assistant_not_found() -> NotFound:
    return NotFound("There are no assistants on this server; use agents.",
                    code="ASSISTANT_NOT_FOUND")


def _prepare(deps: files.FileDeps, caller: Caller, config: FileConfig, upload: AvatarUpload,
             owner: str) -> StoredFile:
    """Check the image and describe the file it becomes (nothing stored yet)."""
    limit = avatar_limit(config)
    if len(upload.data) > limit:
        raise PayloadTooLarge(f"An avatar may be at most {limit} bytes.",
                              code="FILE_TOO_LARGE")
    filename, kind, extra = files.inspect(deps, caller, config, files.Upload(
        filename=upload.filename or "avatar", data=upload.data, images_only=True))
    file_id = new_uuid()
    return StoredFile.model_validate({
        "file_id": file_id, "user": caller.user_id, "tenantId": caller.tenant_id,
        "bytes": len(upload.data), "filename": filename, "type": kind.value,
        "source": deps.blobs.source, "storageKey": f"{caller.tenant_id}/{caller.user_id}/"
        f"{file_id}", "filepath": f"/api/files/download/{caller.user_id}/{file_id}",
        "context": AVATAR_CONTEXT, agents.AVATAR_OF: owner,
        "width": extra.get("width"), "height": extra.get("height")})


def _replace(uow: UnitOfWork, owner: str, held_by: str, stored: StoredFile,
             by: str) -> list[StoredFile]:
    """Swap the owner's avatar record for ``stored``; the replaced records whose blobs may
    go (none when a hold covers ``held_by``: they are hidden and kept)."""
    repo = uow.repo(StoredFile)
    old = repo.find({agents.AVATAR_OF: owner, **holds.VISIBLE})
    if holds.covering(holds.active_holds(uow), held_by, None):
        holds.hide(repo, {agents.AVATAR_OF: owner}, by=by)
        old = []
    else:
        for previous in old:
            repo.delete(previous.file_id)
    repo.insert(stored)
    return old


def _audit(uow: UnitOfWork, caller: Caller, action: str, target_type: str, target_id: str,
           stored: StoredFile) -> None:
    uow.record(AuditEvent(action=action, actor=caller.actor, targetType=target_type,
                          targetId=target_id, metadata={
                              "fileId": stored.file_id, "bytes": stored.bytes,
                              "type": stored.type}))


def remove_blobs(blobs: BlobStore, removed: Iterable[StoredFile]) -> None:
    """Delete the blobs of avatar records already deleted and committed."""
    for stored in removed:
        if not blobs.delete(stored.storageKey or stored.file_id):
            log.warning("blob already gone", extra={"fields": {"fileId": stored.file_id}})


def set_user_avatar(deps: files.FileDeps, caller: Caller, config: FileConfig,
                    upload: AvatarUpload, manual: bool) -> AvatarUrl:
    """Store the caller's new avatar and point ``user.avatar`` at it.

    LibreChat changes ``user.avatar`` only when ``manual`` is ``"true"``; GoRunChat always
    does (a stored avatar nobody points at would only use space) and keeps ``manual`` in
    the URL's query, as LibreChat's URLs do.
    """
    owner = f"user:{caller.user_id}"
    stored = _prepare(deps, caller, config, upload, owner)
    url = f"{stored.filepath}?manual={'true' if manual else 'false'}"
    deps.blobs.put(stored.storageKey or stored.file_id, upload.data, stored.type)
    try:
        with deps.store.unit_of_work(caller.tenant_id) as uow:
            user = load_user(uow, caller.user_id)
            old = _replace(uow, owner, user.id, stored, caller.user_id)
            uow.users.update(user.id, {"avatar": url})
            _audit(uow, caller, "user.avatar_update", "user", user.id, stored)
            uow.commit()
    except GoRunChatError:
        deps.blobs.delete(stored.storageKey or stored.file_id)
        raise
    remove_blobs(deps.blobs, old)
    return AvatarUrl(url=url)


def set_agent_avatar(deps: files.FileDeps, caller: Caller, config: FileConfig,
                     agent_id: str, upload: AvatarUpload) -> AgentView:
    """Store a new avatar for an agent the caller may edit; the updated agent."""
    with deps.store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        agent = agents.load(uow, caller, agent_id, PermissionBits.EDIT)
    stored = _prepare(deps, caller, config, upload, agents.agent_avatar_key(agent))
    deps.blobs.put(stored.storageKey or stored.file_id, upload.data, stored.type)
    try:
        with deps.store.unit_of_work(caller.tenant_id) as uow:
            agents.require_feature(uow, caller, "USE")
            agent = agents.load(uow, caller, agent_id, PermissionBits.EDIT)
            old = _replace(uow, agents.agent_avatar_key(agent), agent.author, stored,
                           caller.user_id)
            updated = agents.apply_changes(uow, caller, agent, {"avatar": {
                "filepath": stored.filepath, "source": stored.source}})
            _audit(uow, caller, "agent.avatar_update", "agent", agent.id, stored)
            view = agents.full_view(uow, caller, updated)
            uow.commit()
    except GoRunChatError:
        deps.blobs.delete(stored.storageKey or stored.file_id)
        raise
    remove_blobs(deps.blobs, old)
    return view
