"""Memories: the facts a user keeps for the model, and their opt-in.

Behaviour follows LibreChat's ``/api/memories`` routes:

* every route needs the role's ``MEMORIES.USE`` plus one more flag: ``READ`` to list,
  ``CREATE`` to create, ``UPDATE`` to change or delete, ``OPT_OUT`` to change the opt-in
  (403 otherwise);
* a key is lowercase letters and underscores (LibreChat's client rule, enforced here), at
  most 1000 characters, and one of ``memory.validKeys`` when that list is set; a value is
  not blank and at most ``memory.charLimit`` characters (400 otherwise);
* a write that would take the user's total past ``memory.tokenLimit`` is refused (400, with
  LibreChat's message); unlike LibreChat this holds for updates too;
* with ``memory.disabled`` the memory routes answer 403, except the opt-in, which is the
  user's preference and stays theirs to change.

The memory configuration is the caller's effective one (``services.principal_config``), as
LibreChat reads ``req.config``. Token counts use ``domain.pricing.estimate_tokens`` (about
four characters a token): GoRunChat ships no tokenizer, and LibreChat's ``o200k_base``
counts are of the same order for prose. Audit records name keys, never values.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from gorunchat.contracts.appconfig import AppConfig, MemoryConfig
from gorunchat.contracts.audit import AuditEvent
from gorunchat.contracts.documents import utcnow
from gorunchat.contracts.errors import BadRequest, Conflict, Forbidden, NotFound
from gorunchat.contracts.memories import (
    KEY_PATTERN,
    MAX_KEY_LENGTH,
    CreateMemoryRequest,
    MemoryCreated,
    MemoryDeleted,
    MemoryEntry,
    MemoryList,
    MemoryPreferences,
    MemoryPreferencesRequest,
    MemoryPreferencesResponse,
    MemoryUpdated,
    MemoryView,
    UpdateMemoryRequest,
)
from gorunchat.contracts.roles import PermissionType
from gorunchat.domain.pricing import estimate_tokens
from gorunchat.ports.store import Repository, Store, UnitOfWork
from gorunchat.services import users
from gorunchat.services.caller import Caller
from gorunchat.services.principal_config import effective_app_config
from gorunchat.services.roles import find_role

_KEY = re.compile(KEY_PATTERN)
#: LibreChat's ``createMemory``/``setMemory`` refuse this key.
RESERVED_KEY = "nothing"


def entry_id(caller: Caller, key: str) -> str:
    """The id of the caller's memory ``key``: derived from tenant, user and key, so two
    requests racing to create the same key collide in the store (409), never both land.
    Entries from a LibreChat database keep their ObjectIds; lookups go by user and key."""
    digest = hashlib.sha256(f"{caller.tenant_id}\0{caller.user_id}\0{key}".encode())
    return digest.hexdigest()[:24]


def memory_not_found() -> NotFound:
    return NotFound("Memory not found.", code="MEMORY_NOT_FOUND")


def _entries(uow: UnitOfWork) -> Repository[MemoryEntry]:
    return uow.repo(MemoryEntry)


def _find(uow: UnitOfWork, caller: Caller, key: str) -> MemoryEntry | None:
    return _entries(uow).find_one({"userId": caller.user_id, "key": key})


def _require(uow: UnitOfWork, caller: Caller, flag: str) -> None:
    """LibreChat's ``generateCheckAccess``: the role needs ``USE`` and ``flag``."""
    role = find_role(uow, caller.principal.role)
    flags = role.permissions.get(PermissionType.MEMORIES.value, {}) if role else {}
    if not (flags.get("USE", False) and flags.get(flag, False)):
        raise Forbidden("Your role does not allow this with memories.",
                        code="MEMORIES_FORBIDDEN")


def _config(uow: UnitOfWork, app: AppConfig, caller: Caller) -> MemoryConfig:
    config = effective_app_config(uow, app, caller.principal).memory
    if config.disabled:
        raise Forbidden("Memories are disabled on this server.", code="MEMORIES_DISABLED")
    return config


def _open(uow: UnitOfWork, app: AppConfig, caller: Caller, flag: str) -> MemoryConfig:
    _require(uow, caller, flag)
    return _config(uow, app, caller)


def _check_key(config: MemoryConfig, key: str) -> None:
    if len(key) > MAX_KEY_LENGTH:
        raise BadRequest(f"Key exceeds maximum length of {MAX_KEY_LENGTH} characters. "
                         f"Current length: {len(key)} characters.", code="MEMORY_KEY_TOO_LONG")
    if not _KEY.match(key):
        raise BadRequest("Key is required and must only contain lowercase letters and "
                         "underscores.", code="MEMORY_KEY_INVALID")
    if key == RESERVED_KEY:
        raise BadRequest(f'The key "{RESERVED_KEY}" is reserved.', code="MEMORY_KEY_INVALID")
    if config.validKeys and key not in config.validKeys:
        raise BadRequest(f'Invalid key "{key}". Must be one of: {", ".join(config.validKeys)}',
                         code="MEMORY_KEY_NOT_ALLOWED")


def _check_value(config: MemoryConfig, value: str) -> str:
    value = value.strip()
    if not value:
        raise BadRequest("Value is required and must be a non-empty string.",
                         code="MEMORY_VALUE_REQUIRED")
    if len(value) > config.charLimit:
        raise BadRequest(f"Value exceeds maximum length of {config.charLimit} characters. "
                         f"Current length: {len(value)} characters.",
                         code="MEMORY_VALUE_TOO_LONG")
    return value


def _check_tokens(config: MemoryConfig, current: int, adding: int) -> None:
    if config.tokenLimit and current + adding > config.tokenLimit:
        raise BadRequest(f"Adding this memory would exceed the token limit of "
                         f"{config.tokenLimit}. Current usage: {current} tokens.",
                         code="MEMORY_TOKEN_LIMIT",
                         details=[{"tokenLimit": config.tokenLimit, "totalTokens": current,
                                   "tokenCount": adding}])


def _all(uow: UnitOfWork, caller: Caller) -> list[MemoryEntry]:
    return _entries(uow).find({"userId": caller.user_id})


def _audit(uow: UnitOfWork, caller: Caller, action: str, entry: MemoryEntry,
           **metadata: Any) -> None:
    uow.record(AuditEvent(action=action, actor=caller.actor, targetType="memory",
                          targetId=entry.id, metadata={"key": entry.memory_key, **metadata}))


def list_memories(store: Store, app: AppConfig, caller: Caller) -> MemoryList:
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        config = _open(uow, app, caller, "READ")
        found = _all(uow, caller)
    found.sort(key=lambda m: m.updated_at, reverse=True)
    total = sum(m.tokenCount for m in found)
    limit = config.tokenLimit or None
    return MemoryList(memories=[MemoryView.of(m) for m in found], totalTokens=total,
                      tokenLimit=limit, charLimit=config.charLimit,
                      usagePercentage=min(100, round(total / limit * 100)) if limit else None)


def create(store: Store, app: AppConfig, caller: Caller, body: CreateMemoryRequest
           ) -> MemoryCreated:
    with store.unit_of_work(caller.tenant_id) as uow:
        config = _open(uow, app, caller, "CREATE")
        key = body.key.strip()
        _check_key(config, key)
        value = _check_value(config, body.value)
        tokens = estimate_tokens(value)
        existing = _all(uow, caller)
        if any(m.memory_key == key for m in existing):
            raise Conflict("Memory with this key already exists.", code="MEMORY_EXISTS")
        _check_tokens(config, sum(m.tokenCount for m in existing), tokens)
        entry = MemoryEntry.model_validate({
            "_id": entry_id(caller, key), "tenantId": caller.tenant_id, "userId": caller.user_id,
            "key": key, "value": value, "tokenCount": tokens, "updated_at": utcnow()})
        _entries(uow).insert(entry)
        _audit(uow, caller, "memory.create", entry, tokenCount=tokens)
        uow.commit()
    return MemoryCreated(memory=MemoryView.of(entry))


def update(store: Store, app: AppConfig, caller: Caller, key: str, body: UpdateMemoryRequest
           ) -> MemoryUpdated:
    """Set the value of memory ``key``; a different ``body.key`` renames it (409 if taken)."""
    with store.unit_of_work(caller.tenant_id) as uow:
        config = _open(uow, app, caller, "UPDATE")
        existing = _all(uow, caller)
        entry = next((m for m in existing if m.memory_key == key), None)
        if entry is None:
            raise memory_not_found()
        new_key = body.key.strip() if body.key else key
        value = _check_value(config, body.value)
        _check_key(config, new_key)
        if new_key != key and any(m.memory_key == new_key for m in existing):
            raise Conflict("Memory with this key already exists.", code="MEMORY_EXISTS")
        tokens = estimate_tokens(value)
        others = sum(m.tokenCount for m in existing if m.id != entry.id)
        if tokens > entry.tokenCount:  # shrinking a memory is always allowed
            _check_tokens(config, others, tokens)
        changes = {"key": new_key, "value": value, "tokenCount": tokens,
                   "updated_at": utcnow()}
        if new_key == key:
            updated = _entries(uow).update(entry.id, changes) or entry
        else:  # a new entry under the new key's id, as LibreChat creates and deletes
            updated = _entries(uow).insert(MemoryEntry.model_validate({
                **entry.to_doc(), **changes, "_id": entry_id(caller, new_key)}))
            _entries(uow).delete(entry.id)
        _audit(uow, caller, "memory.update", updated, previousKey=key if new_key != key
               else None, tokenCount=tokens)
        uow.commit()
    return MemoryUpdated(memory=MemoryView.of(updated))


def delete(store: Store, app: AppConfig, caller: Caller, key: str) -> MemoryDeleted:
    with store.unit_of_work(caller.tenant_id) as uow:
        _open(uow, app, caller, "UPDATE")
        entry = _find(uow, caller, key)
        if entry is None:
            raise memory_not_found()
        _entries(uow).delete(entry.id)
        _audit(uow, caller, "memory.delete", entry)
        uow.commit()
    return MemoryDeleted()


def set_preference(store: Store, caller: Caller, body: MemoryPreferencesRequest
                   ) -> MemoryPreferencesResponse:
    """Opt in to or out of memories (``personalization.memories`` on the user)."""
    with store.unit_of_work(caller.tenant_id) as uow:
        _require(uow, caller, "OPT_OUT")
        user = users.load(uow, caller.user_id)
        current = users.field(user, "personalization")
        merged = {**(current if isinstance(current, dict) else {}), "memories": body.memories}
        uow.users.update(user.id, {"personalization": merged})
        uow.record(AuditEvent(action="memory.preferences_update", actor=caller.actor,
                              targetType="user", targetId=user.id,
                              metadata={"memories": body.memories}))
        uow.commit()
    return MemoryPreferencesResponse(preferences=MemoryPreferences(memories=body.memories))
