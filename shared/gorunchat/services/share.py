"""Shared links: a read-only snapshot of a conversation for whoever holds its link.

The owner's side (create, list, look up, refresh, delete) reads through the owner's tenant
and user: another user's conversation or link is ``NotFound`` (404), never 403, so an id
reveals nothing. The viewer's side (view, config, files, fork) opens a link by its id:

* a link id is 128 random bits; refreshing a link replaces its id, and the old one stops
  working at once;
* the link holds a snapshot of message ids, taken at creation and retaken by a refresh; the
  viewer sees those of them that still exist and are not hidden (``services.holds``);
* a link stops working with its conversation: when it is deleted (its links go with it),
  hidden under a legal hold, or expired; a hidden conversation cannot be shared;
* without ``ALLOW_SHARED_LINKS_PUBLIC`` a viewer must be signed in; without
  ``ALLOW_SHARED_LINKS`` nothing is shared or shown (the owner can still list and delete);
* what a viewer gets is built by ``services.share_view``: new ids, no owner, no storage.

Every change is audited in the unit of work that makes it. The record names the
conversation and a fingerprint of the link (``shareRef``), never the link id itself: the id
is a credential, and the audit trail is copied to BigQuery and an archive.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from gorunchat.contracts.audit import AuditEvent
from gorunchat.contracts.conversations import ConversationWithMessages
from gorunchat.contracts.documents import Conversation, Message, utcnow
from gorunchat.contracts.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    Unauthorized,
)
from gorunchat.contracts.files import FilePreview
from gorunchat.contracts.identity import Principal
from gorunchat.contracts.library import SharedLink, StoredFile
from gorunchat.contracts.roles import PermissionType
from gorunchat.contracts.settings import Settings
from gorunchat.contracts.share import (
    ForkSharedRequest,
    SharedConversation,
    SharedLinkCreated,
    SharedLinkDeleted,
    SharedLinkItem,
    SharedLinksInterface,
    SharedLinksPage,
    SharedLinksQuery,
    SharedLinkStatus,
    SharedStartupConfig,
    ShareRequest,
)
from gorunchat.domain import forking
from gorunchat.domain.message_tree import path_to_root, tree_order
from gorunchat.ports.blobstore import BlobStore
from gorunchat.ports.search import TextSearch
from gorunchat.ports.store import Store, UnitOfWork
from gorunchat.services import conversations, file_access, forks, holds, share_view
from gorunchat.services import search as search_service
from gorunchat.services.acl import role_allows
from gorunchat.services.caller import Caller

UNTITLED = "Untitled"


@dataclass(frozen=True)
class SharePolicy:
    """What this deployment allows, from ``ALLOW_SHARED_LINKS``, ``ALLOW_SHARED_LINKS_PUBLIC``
    and ``interface.sharedLinks.snapshotFiles`` of ``gorunchat.yaml``."""

    enabled: bool = True
    public: bool = False
    files: bool = True

    @classmethod
    def of(cls, settings: Settings) -> SharePolicy:
        library = settings.library
        raw = (settings.app.interface.model_extra or {}).get("sharedLinks")
        files = True
        if isinstance(raw, dict):
            try:
                files = SharedLinksInterface.model_validate(raw).snapshotFiles is not False
            except ValidationError:
                files = False  # a setting we cannot read keeps files private
        return cls(enabled=library.shared_links,
                   public=library.shared_links and library.shared_links_public, files=files)


def share_not_found() -> NotFound:
    return NotFound("Shared link not found.", code="SHARE_NOT_FOUND")


def new_share_id() -> str:
    """128 random bits, URL-safe (LibreChat's ids are 21-character nanoids)."""
    return secrets.token_urlsafe(16)


def share_ref(share_id: str) -> str:
    """A fingerprint that names a link in audit records without being usable as the link."""
    return hashlib.sha256(share_id.encode()).hexdigest()[:16]


def _audit(uow: UnitOfWork, caller: Caller, action: str, conversation_id: str,
           share_id: str, **metadata: Any) -> None:
    uow.record(AuditEvent(action=action, actor=caller.actor, targetType="conversation",
                          targetId=conversation_id,
                          metadata={"shareRef": share_ref(share_id), **metadata}))


def _expired(at: datetime | None) -> bool:
    return at is not None and at <= utcnow()


# the owner's side ------------------------------------------------------------------------

def _may_publish(uow: UnitOfWork, policy: SharePolicy, caller: Caller) -> None:
    """Creating or refreshing publishes the conversation: the deployment and the caller's
    role (``SHARED_LINKS.CREATE``) must allow it."""
    if not policy.enabled:
        raise Forbidden("Shared links are disabled on this server.",
                        code="SHARED_LINKS_DISABLED")
    if not role_allows(uow, caller.principal, PermissionType.SHARED_LINKS, "CREATE"):
        raise Forbidden("Your role cannot create shared links.", code="SHARED_LINKS_FORBIDDEN")


def _shareable(uow: UnitOfWork, caller: Caller, conversation_id: str) -> Conversation:
    """The caller's visible, unexpired conversation (404 otherwise)."""
    conversation = conversations.owned(uow, caller, conversation_id)
    if _expired(conversation.expiredAt):
        raise conversations.not_found(conversation_id)
    return conversation


def _snapshot(uow: UnitOfWork, conversation: Conversation, target: str | None
              ) -> list[Message]:
    """The messages a link shows: every visible one, or those up to ``target``'s level."""
    messages = uow.messages.find({"conversationId": conversation.conversationId,
                                  "user": conversation.user, **holds.VISIBLE},
                                 sort=[("createdAt", 1)])
    if target is not None:
        if target not in {m.messageId for m in messages}:
            raise BadRequest("The target message is not in this conversation.",
                             code="TARGET_MESSAGE_NOT_FOUND")
        messages = forking.up_to_target_level(messages, target)
    if not messages:
        raise BadRequest("This conversation has no messages to share.", code="NO_MESSAGES")
    return messages


def create(store: Store, policy: SharePolicy, caller: Caller, conversation_id: str,
           body: ShareRequest) -> SharedLinkCreated:
    """A new link to the caller's conversation; 409 ``SHARE_EXISTS`` when the caller already
    shares it (for that ``targetMessageId``, when one is given), as LibreChat."""
    with store.unit_of_work(caller.tenant_id) as uow:
        _may_publish(uow, policy, caller)
        conversation = _shareable(uow, caller, conversation_id)
        existing: dict[str, Any] = {"conversationId": conversation_id,
                                    "user": caller.user_id, "isPublic": True}
        if body.targetMessageId is not None:
            existing["targetMessageId"] = body.targetMessageId
        if uow.repo(SharedLink).find_one(existing) is not None:
            raise Conflict("This conversation is already shared.", code="SHARE_EXISTS")
        messages = _snapshot(uow, conversation, body.targetMessageId)
        link = uow.repo(SharedLink).insert(SharedLink(
            shareId=new_share_id(), conversationId=conversation_id, user=caller.user_id,
            title=conversation.title or UNTITLED, messages=[m.messageId for m in messages],
            targetMessageId=body.targetMessageId, snapshotFiles=body.snapshotFiles is not False,
            expiresAt=conversation.expiredAt, tenantId=caller.tenant_id))
        _audit(uow, caller, "share.create", conversation_id, link.shareId,
               messages=len(messages), targetMessageId=link.targetMessageId,
               snapshotFiles=link.snapshotFiles)
        uow.commit()
    return SharedLinkCreated(shareId=link.shareId, conversationId=conversation_id,
                             targetMessageId=link.targetMessageId)


def _owned_link(uow: UnitOfWork, caller: Caller, share_id: str) -> SharedLink:
    link = uow.repo(SharedLink).get(share_id)
    if link is None or link.user != caller.user_id:
        raise share_not_found()
    return link


def refresh(store: Store, policy: SharePolicy, caller: Caller, share_id: str,
            body: ShareRequest) -> SharedLinkCreated:
    """LibreChat's ``updateSharedLink``: retake the snapshot (and title) under a new link id;
    the old id stops working. ``targetMessageId`` and ``snapshotFiles`` change if given."""
    with store.unit_of_work(caller.tenant_id) as uow:
        _may_publish(uow, policy, caller)
        link = _owned_link(uow, caller, share_id)
        conversation = _shareable(uow, caller, link.conversationId)
        target = body.targetMessageId or link.targetMessageId
        messages = _snapshot(uow, conversation, target)
        files = link.snapshotFiles if body.snapshotFiles is None else body.snapshotFiles
        fresh = link.model_copy(update={
            "shareId": new_share_id(), "messages": [m.messageId for m in messages],
            "targetMessageId": target, "title": conversation.title or UNTITLED,
            "snapshotFiles": files, "expiresAt": conversation.expiredAt,
            "updatedAt": utcnow()})
        repo = uow.repo(SharedLink)
        repo.delete(share_id)
        repo.insert(fresh)
        _audit(uow, caller, "share.update", link.conversationId, fresh.shareId,
               previousShareRef=share_ref(share_id), messages=len(messages),
               targetMessageId=target, snapshotFiles=files)
        uow.commit()
    return SharedLinkCreated(shareId=fresh.shareId, conversationId=link.conversationId,
                             targetMessageId=target)


def delete(store: Store, caller: Caller, share_id: str) -> SharedLinkDeleted:
    """Remove the caller's link (always allowed, even with sharing disabled)."""
    with store.unit_of_work(caller.tenant_id) as uow:
        link = _owned_link(uow, caller, share_id)
        uow.repo(SharedLink).delete(share_id)
        _audit(uow, caller, "share.delete", link.conversationId, share_id)
        uow.commit()
    return SharedLinkDeleted(shareId=share_id)


def link_for(store: Store, caller: Caller, conversation_id: str) -> SharedLinkStatus:
    """The caller's (first) link to their conversation, ``success: false`` if none."""
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        conversations.owned(uow, caller, conversation_id)
        found = uow.repo(SharedLink).find(
            {"conversationId": conversation_id, "user": caller.user_id, "isPublic": True},
            sort=[("createdAt", 1)], limit=1)
    if not found:
        return SharedLinkStatus(success=False, conversationId=conversation_id)
    return SharedLinkStatus(success=True, shareId=found[0].shareId,
                            conversationId=conversation_id,
                            targetMessageId=found[0].targetMessageId)


def list_links(store: Store, index: TextSearch, caller: Caller, query: SharedLinksQuery
               ) -> SharedLinksPage:
    """One cursor page of the caller's links; ``search`` matches the shared conversations'
    titles and messages (LibreChat's conversation search)."""
    where: dict[str, Any] = {"user": caller.user_id}
    if query.isPublic is not None:
        where["isPublic"] = query.isPublic
    if query.search and query.search.strip():
        matches = search_service.conversation_ids(store, index, caller, query.search.strip())
        if not matches:
            return SharedLinksPage(links=[])
        where["conversationId"] = {"$in": matches}
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        page = uow.repo(SharedLink).page(where, sort_field=query.sortBy,
                                         descending=query.sortDirection == "desc",
                                         limit=query.pageSize, cursor=query.cursor)
    links = [SharedLinkItem(shareId=link.shareId, title=link.title or UNTITLED,
                            isPublic=link.isPublic, createdAt=link.createdAt,
                            conversationId=link.conversationId) for link in page.items]
    return SharedLinksPage(links=links, nextCursor=page.nextCursor,
                           hasNextPage=page.nextCursor is not None)


# the viewer's side -----------------------------------------------------------------------

@dataclass(frozen=True)
class Viewer:
    """Who opens a link: the tenant the request belongs to, and the principal if signed in."""

    tenant_id: str
    principal: Principal | None


def _open(uow: UnitOfWork, policy: SharePolicy, viewer: Viewer, share_id: str
          ) -> tuple[SharedLink, Conversation]:
    """The link and its conversation, if this viewer may open it now; 401/404 otherwise.

    The sign-in check comes before the lookup, so it says nothing about the link.
    """
    if not policy.enabled:
        raise NotFound("Shared links are disabled on this server.",
                       code="SHARED_LINKS_DISABLED")
    if viewer.principal is None and not policy.public:
        raise Unauthorized("Sign in to view this shared conversation.",
                           code="SHARE_SIGN_IN_REQUIRED")
    link = uow.repo(SharedLink).get(share_id)
    if link is None or not link.isPublic or _expired(link.expiresAt):
        raise share_not_found()
    conversation = uow.conversations.get(link.conversationId)
    owner = uow.users.get(link.user)
    if (conversation is None or conversation.user != link.user
            or holds.is_hidden(conversation) or _expired(conversation.expiredAt)
            or owner is None or holds.is_hidden(owner)):
        raise share_not_found()
    return link, conversation


def _messages(uow: UnitOfWork, link: SharedLink) -> list[Message]:
    """The snapshot's messages that still exist and are visible, parents first."""
    found: list[Message] = []
    for part in search_service.chunks(link.messages):
        found += uow.messages.find({"messageId": {"$in": part},
                                    "conversationId": link.conversationId,
                                    "user": link.user, **holds.VISIBLE})
    return tree_order(found)


def _files(uow: UnitOfWork, policy: SharePolicy, link: SharedLink,
           messages: Sequence[Message], only: str | None = None) -> dict[str, StoredFile]:
    """The files a viewer may open: the owner's visible files attached to the snapshot's
    messages, when the deployment and the link let files be shared."""
    if not (policy.files and link.snapshotFiles):
        return {}
    wanted = share_view.attached_file_ids(messages)
    if only is not None:
        wanted = [f for f in wanted if f == only]
    return file_access.files_of(uow, link.user, wanted)


def view(store: Store, policy: SharePolicy, viewer: Viewer, share_id: str
         ) -> SharedConversation:
    """``GET /api/share/:shareId``: the shared messages, anonymized."""
    with store.unit_of_work(viewer.tenant_id, readonly=True) as uow:
        link, _ = _open(uow, policy, viewer, share_id)
        messages = _messages(uow, link)
        files = _files(uow, policy, link, messages)
    return share_view.anonymize(link, messages, files)


def startup_config(store: Store, settings: Settings, viewer: Viewer, share_id: str
                   ) -> SharedStartupConfig:
    """What the shared view shows around the messages: the title, privacy and terms."""
    with store.unit_of_work(viewer.tenant_id, readonly=True) as uow:
        _open(uow, SharePolicy.of(settings), viewer, share_id)
    interface = settings.app.interface
    shown = {name: value for name, value in (
        ("privacyPolicy", interface.privacyPolicy),
        ("termsOfService", interface.termsOfService.model_dump(exclude_none=True)
         if interface.termsOfService else None)) if value}
    return SharedStartupConfig(appTitle=settings.app_title, interface=shown or None)


def shared_file(store: Store, policy: SharePolicy, viewer: Viewer, share_id: str,
                file_id: str) -> StoredFile:
    """A file attached to a shared message, for whoever may open the link; 404 for any
    other file (another message's, another user's, a hidden one)."""
    with store.unit_of_work(viewer.tenant_id, readonly=True) as uow:
        link, _ = _open(uow, policy, viewer, share_id)
        stored = _files(uow, policy, link, _messages(uow, link), only=file_id).get(file_id)
    if stored is None:
        raise file_access.file_not_found()
    return stored


def shared_file_content(store: Store, blobs: BlobStore, policy: SharePolicy, viewer: Viewer,
                        share_id: str, file_id: str) -> tuple[StoredFile, bytes]:
    stored = shared_file(store, policy, viewer, share_id, file_id)
    return stored, file_access.content(blobs, stored)


def shared_preview(store: Store, policy: SharePolicy, viewer: Viewer, share_id: str,
                   file_id: str) -> FilePreview:
    stored = shared_file(store, policy, viewer, share_id, file_id)
    return FilePreview(file_id=file_id, status="ready", text=stored.text,
                       textFormat=stored.textFormat if stored.text is not None else None)


def fork(store: Store, policy: SharePolicy, caller: Caller, share_id: str,
         body: ForkSharedRequest) -> ConversationWithMessages:
    """A new conversation of the caller's holding copies of the shared messages (or of the
    branch ending at ``targetMessageIndex``), without the owner's files or settings."""
    viewer = Viewer(caller.tenant_id, caller.principal)
    with store.unit_of_work(caller.tenant_id) as uow:
        link, conversation = _open(uow, policy, viewer, share_id)
        chosen = _messages(uow, link)
        index = body.targetMessageIndex
        if index is not None and index < len(chosen):
            chosen = path_to_root(chosen, chosen[index].messageId)
        if not chosen:
            raise share_not_found()
        title = link.title or UNTITLED
        source = Conversation(conversationId=conversation.conversationId, user=caller.user_id,
                              title=title, endpoint=conversation.endpoint,
                              endpointType=conversation.endpointType, model=conversation.model,
                              tenantId=caller.tenant_id)
        result = forks.store_copy(uow, caller, source, share_view.bare_copies(chosen), title,
                                  "conversation.forked_from_share")
        _audit(uow, caller, "share.fork", result.conversation.conversationId, share_id,
               sourceConversationId=conversation.conversationId, messages=len(chosen))
        uow.commit()
    return result
