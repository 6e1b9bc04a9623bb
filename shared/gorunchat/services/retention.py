"""Retention: remove what is past its retention period and not held, leaving tombstones.

Audit and discovery records default to three years; chat content is kept unless a chat
retention period is set (in config, or per tenant by a super admin). A run, per tenant:

* **audit**: cuts the projected, expired prefix of the chain; the cut record becomes the
  chain's anchor, so ``verify`` still walks what remains (the removed records stay in the
  archive). A tombstone names the range and the hash it ended on.
* **discovery**: removes projected, expired records that no hold covers.
* **chat**: removes conversations idle past the chat period, with everything that belongs
  to them (the one cascade, ``services.deletion.remove``), and anything users deleted under
  a hold that has since been released (``hiddenAt`` set): conversations, messages, files
  (with their blobs, when given the blob store), agents (``services.agents.dispose``),
  prompts and accounts (erased with ``services.user_data.erase``, the implementation an admin's
  deletion uses).

Held data is never touched: a tenant-wide hold stops everything; user and conversation holds
are excluded record by record. Each removal writes its tombstone audit record first, in its
own unit of work, so a removal is never unrecorded (a crash between leaves a tombstone whose
removal the next run completes).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from gorunchat.contracts.admin_audit import RetentionPolicy, RetentionSettings, RetentionView
from gorunchat.contracts.agents import Agent
from gorunchat.contracts.audit import Actor, AuditEvent, DiscoveryEvent
from gorunchat.contracts.documents import Conversation, utcnow
from gorunchat.contracts.holds import LegalHold
from gorunchat.contracts.library import StoredFile
from gorunchat.contracts.prompts import Prompt, PromptGroup
from gorunchat.contracts.tasks import RetentionResult
from gorunchat.domain import holds as hold_rules
from gorunchat.domain import retention as rules
from gorunchat.domain.permissions import ResourceType
from gorunchat.ports.blobstore import BlobStore
from gorunchat.ports.store import Store, UnitOfWork
from gorunchat.services import acl, agents, deletion, user_data
from gorunchat.services.caller import Caller
from gorunchat.services.holds import HIDDEN_AT, active_holds

log = logging.getLogger("gorunchat.retention")

SYSTEM = Actor(userId=None, role="system", requestId=None)
BATCH = 200
MAX_BATCHES = 50


@dataclass
class _Tally:
    audit: int = 0
    discovery: int = 0
    conversations: int = 0
    messages: int = 0
    held: int = 0
    tombstones: int = 0


@dataclass(frozen=True)
class _Holds:
    tenant_wide: bool
    users: frozenset[str]
    conversations: frozenset[str]
    targets: frozenset[str] = field(default=frozenset())

    @classmethod
    def of(cls, holds: Sequence[LegalHold]) -> _Holds:
        users = hold_rules.held_users(holds)
        conversations = hold_rules.held_conversations(holds)
        return cls(hold_rules.tenant_wide(holds), users, conversations, users | conversations)


def policy(store: Store, tenant_id: str, defaults: RetentionSettings) -> RetentionSettings:
    with store.unit_of_work(tenant_id, readonly=True) as uow:
        own = uow.repo(RetentionPolicy).get(tenant_id)
    override = (RetentionSettings(auditDays=own.auditDays, discoveryDays=own.discoveryDays,
                                  chatDays=own.chatDays) if own else None)
    return rules.effective(defaults, override)


def _holds(store: Store, tenant_id: str) -> _Holds:
    with store.unit_of_work(tenant_id, readonly=True) as uow:
        return _Holds.of(active_holds(uow))


def _tombstone(store: Store, tenant_id: str, action: str, target_type: str,
               target_id: str | None, metadata: dict[str, Any]) -> None:
    with store.unit_of_work(tenant_id) as uow:
        uow.record(AuditEvent(action=action, actor=SYSTEM, targetType=target_type,
                              targetId=target_id, metadata=metadata))
        uow.commit()


def _prune_audit(store: Store, tenant_id: str, before: datetime, tally: _Tally) -> None:
    log = store.audit_log(tenant_id)
    for _ in range(MAX_BATCHES):
        held = _holds(store, tenant_id)
        if held.tenant_wide:
            tally.held += 1
            return
        anchor = log.anchor()
        pending = log.unprojected(1)
        records = log.records(after_seq=anchor.seq if anchor else 0, limit=BATCH)
        prefix = rules.prunable_prefix(
            records, before=before, first_unprojected_seq=pending[0].seq if pending else None,
            held_users=held.users, held_targets=held.targets)
        if not prefix:
            tally.held += int(bool(records) and records[0].ts < before
                              and not (pending and pending[0].seq == records[0].seq))
            return
        last = prefix[-1]
        _tombstone(store, tenant_id, "retention.audit_pruned", "auditlog", None,
                   {"fromSeq": prefix[0].seq, "throughSeq": last.seq, "count": len(prefix),
                    "throughHash": last.hash, "before": before.isoformat()})
        tally.tombstones += 1
        tally.audit += log.prune_through(last.seq)
        if len(prefix) < BATCH:
            return


def _prune_discovery(store: Store, tenant_id: str, before: datetime, tally: _Tally) -> None:
    log = store.audit_log(tenant_id)
    for _ in range(MAX_BATCHES):
        held = _holds(store, tenant_id)
        if held.tenant_wide:
            tally.held += 1
            return
        expired = log.expired_discovery(before, BATCH, exclude_users=sorted(held.users),
                                        exclude_conversations=sorted(held.conversations))
        if not expired:
            return
        ids = [d.id for d in expired]
        _tombstone(store, tenant_id, "retention.discovery_pruned", "discovery", None,
                   {"count": len(ids), "ids": ids, "before": before.isoformat()})
        tally.tombstones += 1
        tally.discovery += log.delete_discovery(ids)
        if len(expired) < BATCH:
            return


def _purge_conversation(uow: UnitOfWork, convo: Conversation, reason: str) -> int:
    messages = deletion.remove(uow, [convo])
    uow.record(AuditEvent(action="retention.conversation_purged", actor=SYSTEM,
                          targetType="conversation", targetId=convo.conversationId,
                          metadata={"userId": convo.user, "messages": messages,
                                    "reason": reason}))
    uow.journal(DiscoveryEvent(kind="conversation.purged", userId=convo.user,
                               conversationId=convo.conversationId,
                               content={"reason": reason, "messages": messages}))
    return messages


def _purge_chats(store: Store, tenant_id: str, where: dict[str, Any], reason: str,
                 tally: _Tally) -> None:
    for _ in range(MAX_BATCHES):
        with store.unit_of_work(tenant_id) as uow:
            held = _Holds.of(active_holds(uow))  # read in the unit that deletes
            if held.tenant_wide:
                tally.held += 1
                return
            found = uow.conversations.find(
                {**where, "user": {"$nin": sorted(held.users)},
                 "conversationId": {"$nin": sorted(held.conversations)}}, limit=BATCH)
            for convo in found:
                tally.messages += _purge_conversation(uow, convo, reason)
            uow.commit()
        tally.conversations += len(found)
        tally.tombstones += len(found)
        if len(found) < BATCH:
            return


def _purge_hidden_messages(store: Store, tenant_id: str, tally: _Tally) -> None:
    with store.unit_of_work(tenant_id) as uow:
        held = _Holds.of(active_holds(uow))
        if held.tenant_wide:
            return
        found = uow.messages.find(
            {HIDDEN_AT: {"$ne": None}, "user": {"$nin": sorted(held.users)},
             "conversationId": {"$nin": sorted(held.conversations)}}, limit=BATCH)
        for message in found:
            uow.messages.delete(message.messageId)
            uow.record(AuditEvent(action="retention.message_purged", actor=SYSTEM,
                                  targetType="message", targetId=message.messageId,
                                  metadata={"conversationId": message.conversationId,
                                            "reason": "deleted_under_released_hold"}))
        uow.commit()
    tally.messages += len(found)
    tally.tombstones += len(found)


#: What users deleted under a hold (``hiddenAt`` set): removable once no hold covers it.
_HIDDEN: dict[str, Any] = {HIDDEN_AT: {"$ne": None}}


def _removable(held: _Holds) -> dict[str, Any]:
    """A filter for a user's documents no user or conversation hold preserves."""
    return {"user": {"$nin": sorted(held.users)},
            "conversationId": {"$nin": sorted(held.conversations)}}


def _purge_hidden_files(store: Store, tenant_id: str, blobs: BlobStore | None,
                        tally: _Tally) -> None:
    """Files users deleted under a since-released hold: the documents, then the blobs."""
    for _ in range(MAX_BATCHES):
        with store.unit_of_work(tenant_id) as uow:
            held = _Holds.of(active_holds(uow))
            if held.tenant_wide:
                return
            found = uow.repo(StoredFile).find({**_HIDDEN, **_removable(held)}, limit=BATCH)
            for stored in found:
                uow.repo(StoredFile).delete(stored.file_id)
                uow.record(AuditEvent(action="retention.file_purged", actor=SYSTEM,
                                      targetType="file", targetId=stored.file_id,
                                      metadata={"userId": stored.user, "bytes": stored.bytes,
                                                "reason": "deleted_under_released_hold"}))
            uow.commit()
        tally.tombstones += len(found)
        for stored in found:
            if blobs is not None and not blobs.delete(stored.storageKey or stored.file_id):
                log.warning("blob already gone", extra={"fields": {"fileId": stored.file_id}})
        if len(found) < BATCH:
            return


def _purge_hidden_agents(store: Store, tenant_id: str, blobs: BlobStore | None,
                         tally: _Tally) -> None:
    """Agents deleted under a since-released hold on their author: removed as a delete
    removes them (ACL entries, actions, avatar records), then the avatar blobs."""
    with store.unit_of_work(tenant_id) as uow:
        held = _Holds.of(active_holds(uow))
        if held.tenant_wide:
            return
        found = uow.repo(Agent).find({**_HIDDEN, "author": {"$nin": sorted(held.users)}},
                                     limit=BATCH)
        avatars = []
        for agent in found:
            removed, outcome = agents.dispose(uow, agent, None)
            avatars += removed
            uow.record(AuditEvent(action="retention.agent_purged", actor=SYSTEM,
                                  targetType="agent", targetId=agent.id, metadata={
                                      "author": agent.author, **outcome,
                                      "reason": "deleted_under_released_hold"}))
        uow.commit()
    user_data.delete_blobs(blobs, [a.storageKey or a.file_id for a in avatars])
    tally.tombstones += len(found)


def _purge_hidden_prompts(store: Store, tenant_id: str, tally: _Tally) -> None:
    """Prompt groups and versions deleted under a since-released hold on their author (a
    group's ACL entries go with it)."""
    with store.unit_of_work(tenant_id) as uow:
        held = _Holds.of(active_holds(uow))
        if held.tenant_wide:
            return
        free = {**_HIDDEN, "author": {"$nin": sorted(held.users)}}
        groups = uow.repo(PromptGroup).find(free, limit=BATCH)
        versions = uow.repo(Prompt).find(free, limit=BATCH)
        for group in groups:
            uow.repo(PromptGroup).delete(group.id)
            acl.delete_resource_entries(uow, ResourceType.PROMPTGROUP, group.id)
            uow.record(AuditEvent(action="retention.promptgroup_purged", actor=SYSTEM,
                                  targetType="promptGroup", targetId=group.id, metadata={
                                      "author": group.author,
                                      "reason": "deleted_under_released_hold"}))
        for version in versions:
            uow.repo(Prompt).delete(version.id)
            uow.record(AuditEvent(action="retention.prompt_purged", actor=SYSTEM,
                                  targetType="prompt", targetId=version.id, metadata={
                                      "author": version.author, "groupId": version.groupId,
                                      "reason": "deleted_under_released_hold"}))
        uow.commit()
    tally.tombstones += len(groups) + len(versions)


def _purge_hidden_users(store: Store, tenant_id: str, tally: _Tally,
                        blobs: BlobStore | None) -> None:
    """Accounts their users deleted under a since-released hold: erased like an admin's
    deletion, except what conversation holds still preserve. An account whose hidden files
    are still waiting for ``_purge_hidden_files`` waits too, so no blob is orphaned."""
    with store.unit_of_work(tenant_id) as uow:
        held = _Holds.of(active_holds(uow))
        if held.tenant_wide:
            return
        found = uow.users.find({**_HIDDEN, "_id": {"$nin": sorted(held.users)}}, limit=BATCH)
        ready = [u for u in found if not uow.repo(StoredFile).count(
            {**_HIDDEN, **_removable(held), "user": u.id})]
        doomed: list[str] = []
        for user in ready:
            doomed += user_data.file_keys(uow, user.id, keep_conversations=held.conversations)
            counts = user_data.erase(uow, user.id, keep_conversations=held.conversations)
            uow.record(AuditEvent(action="retention.user_purged", actor=SYSTEM,
                                  targetType="user", targetId=user.id,
                                  metadata={"deleted": counts,
                                            "reason": "deleted_under_released_hold"}))
            uow.journal(DiscoveryEvent(kind="user.purged", userId=user.id,
                                       content={"reason": "deleted_under_released_hold",
                                                "deleted": counts}))
        uow.commit()
    user_data.delete_blobs(blobs, doomed)
    tally.tombstones += len(ready)


def run_tenant(store: Store, tenant_id: str, defaults: RetentionSettings,
               now: datetime, tally: _Tally, blobs: BlobStore | None = None) -> None:
    settings = policy(store, tenant_id, defaults)
    audit_before = rules.cutoff(now, settings.auditDays)
    discovery_before = rules.cutoff(now, settings.discoveryDays)
    chat_before = rules.cutoff(now, settings.chatDays)
    if audit_before is not None:
        _prune_audit(store, tenant_id, audit_before, tally)
    if discovery_before is not None:
        _prune_discovery(store, tenant_id, discovery_before, tally)
    _purge_chats(store, tenant_id, _HIDDEN, "deleted_under_released_hold", tally)
    _purge_hidden_messages(store, tenant_id, tally)
    _purge_hidden_files(store, tenant_id, blobs, tally)
    _purge_hidden_agents(store, tenant_id, blobs, tally)
    _purge_hidden_prompts(store, tenant_id, tally)
    _purge_hidden_users(store, tenant_id, tally, blobs)
    if chat_before is not None:
        _purge_chats(store, tenant_id, {"updatedAt": {"$lt": chat_before}},
                     "chat_retention", tally)


def run(store: Store, defaults: RetentionSettings, tenant_ids: Sequence[str] | None = None,
        now: datetime | None = None, blobs: BlobStore | None = None) -> RetentionResult:
    """One retention pass over ``tenant_ids`` (every tenant with records when ``None``).

    With ``blobs``, the blobs of files it removes go too (the tasks function passes it).
    """
    now = now or utcnow()
    tenants = list(tenant_ids) if tenant_ids is not None else store.audit_tenants()
    tally = _Tally()
    for tenant in tenants:
        run_tenant(store, tenant, defaults, now, tally, blobs)
    return RetentionResult(tenants=len(tenants), auditRemoved=tally.audit,
                           discoveryRemoved=tally.discovery,
                           conversationsRemoved=tally.conversations,
                           messagesRemoved=tally.messages, skippedHeld=tally.held,
                           tombstones=tally.tombstones, ranAt=now)


def view(store: Store, tenant_id: str, defaults: RetentionSettings) -> RetentionView:
    """The policy in force for the tenant, and whether it is its own or the default."""
    with store.unit_of_work(tenant_id, readonly=True) as uow:
        own = uow.repo(RetentionPolicy).get(tenant_id)
    if own is None:
        return RetentionView(auditDays=defaults.auditDays, discoveryDays=defaults.discoveryDays,
                             chatDays=defaults.chatDays, source="config")
    return RetentionView(auditDays=own.auditDays, discoveryDays=own.discoveryDays,
                         chatDays=own.chatDays, source="tenant", updatedAt=own.updatedAt,
                         updatedBy=own.updatedBy)


def update(store: Store, caller: Caller, body: RetentionSettings) -> RetentionView:
    """Set the tenant's own policy (super admin); the change and its old value are audited."""
    tenant = caller.tenant_id
    with store.unit_of_work(tenant) as uow:
        repo = uow.repo(RetentionPolicy)
        before = repo.get(tenant)
        saved = repo.save(RetentionPolicy(id=tenant, tenantId=tenant, auditDays=body.auditDays,
                                          discoveryDays=body.discoveryDays,
                                          chatDays=body.chatDays, updatedBy=caller.user_id))
        previous = (before.model_dump(include={"auditDays", "discoveryDays", "chatDays"})
                    if before else None)
        uow.record(AuditEvent(action="admin.retention_update", actor=caller.actor,
                              targetType="retentionpolicy", targetId=tenant,
                              metadata={"policy": body.model_dump(), "previous": previous}))
        uow.commit()
    return RetentionView(auditDays=saved.auditDays, discoveryDays=saved.discoveryDays,
                         chatDays=saved.chatDays, source="tenant", updatedAt=saved.updatedAt,
                         updatedBy=saved.updatedBy)
