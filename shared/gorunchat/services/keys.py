"""User-provided provider keys (BYOK, ``/api/keys``), sealed at rest by the ``SecretBox``.

A key is sealed with its context (tenant, user, name), so a sealed value copied into
another user's document cannot be opened. No route returns a key: ``GET /api/keys`` tells
only when it expires. An expired key is treated as absent: it is no longer usable, its
expiry reads as ``null``, and it is deleted when next touched (LibreChat lets a TTL index
remove it). Chat code reads a key with ``user_key(...)``, which enforces the expiry.
"""

from __future__ import annotations

from datetime import datetime

from gorunchat.contracts.audit import AuditEvent
from gorunchat.contracts.documents import utcnow
from gorunchat.contracts.errors import BadRequest, NotFound
from gorunchat.contracts.keys import KeyExpiry, UserKey
from gorunchat.domain.ids import object_id
from gorunchat.ports.secretbox import SecretBox, SecretUnreadable
from gorunchat.ports.store import Store, UnitOfWork
from gorunchat.services.caller import Caller


def context_of(tenant_id: str, user_id: str, name: str) -> bytes:
    """The authenticated data a key is sealed with."""
    return f"keys\x1f{tenant_id}\x1f{user_id}\x1f{name}".encode()


def _expired(key: UserKey, now: datetime) -> bool:
    return key.expiresAt is not None and key.expiresAt <= now


def _find(uow: UnitOfWork, user_id: str, name: str) -> UserKey | None:
    return uow.repo(UserKey).find_one({"userId": user_id, "name": name})


def put_key(store: Store, box: SecretBox, caller: Caller, name: str, value: str,
            expires_at: datetime | None) -> None:
    """Store (or replace) a key, sealed; an expiry in the past is refused."""
    if expires_at is not None and expires_at <= utcnow():
        raise BadRequest("The expiry must be in the future.", code="KEY_EXPIRY_PAST")
    sealed = box.seal(value.encode(), context=context_of(caller.tenant_id, caller.user_id,
                                                         name))
    with store.unit_of_work(caller.tenant_id) as uow:
        current = _find(uow, caller.user_id, name)
        uow.repo(UserKey).save(UserKey(id=current.id if current else object_id(),
                                       userId=caller.user_id, name=name, value=sealed,
                                       expiresAt=expires_at))
        uow.record(AuditEvent(action="key.put", actor=caller.actor, targetType="key",
                              targetId=name, metadata={"expiresAt": expires_at.isoformat()
                                                               if expires_at else None}))
        uow.commit()


def key_expiry(store: Store, caller: Caller, name: str) -> KeyExpiry:
    """LibreChat's ``{expiresAt}``: a date, ``"never"``, or ``null`` with no usable key."""
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        key = _find(uow, caller.user_id, name)
    if key is None or _expired(key, utcnow()):
        return KeyExpiry(expiresAt=None)
    return KeyExpiry(expiresAt=key.expiresAt or "never")


def delete_key(store: Store, caller: Caller, name: str) -> None:
    with store.unit_of_work(caller.tenant_id) as uow:
        removed = uow.repo(UserKey).delete_many({"userId": caller.user_id, "name": name})
        uow.record(AuditEvent(action="key.delete", actor=caller.actor, targetType="key",
                              targetId=name, metadata={"removed": removed}))
        uow.commit()


def delete_all_keys(store: Store, caller: Caller) -> None:
    with store.unit_of_work(caller.tenant_id) as uow:
        removed = uow.repo(UserKey).delete_many({"userId": caller.user_id})
        uow.record(AuditEvent(action="key.delete_all", actor=caller.actor, targetType="key",
                              targetId=caller.user_id, metadata={"removed": removed}))
        uow.commit()


def user_key(store: Store, box: SecretBox, tenant_id: str, user_id: str, name: str) -> str:
    """The plaintext key for a provider call. ``NO_USER_KEY`` (404) when there is none,
    ``EXPIRED_USER_KEY`` (400) when it has expired (and it is deleted),
    ``INVALID_USER_KEY`` (400) when it cannot be opened."""
    with store.unit_of_work(tenant_id) as uow:
        key = _find(uow, user_id, name)
        if key is not None and _expired(key, utcnow()):
            uow.repo(UserKey).delete(key.id)
            uow.commit()
            raise BadRequest(f"Your {name} key expired at {key.expiresAt:%Y-%m-%d %H:%M} UTC; "
                             "provide a new one.", code="EXPIRED_USER_KEY")
    if key is None:
        raise NotFound(f"No {name} key is stored; provide one.", code="NO_USER_KEY")
    try:
        return box.open(key.value, context=context_of(tenant_id, user_id, name)).decode()
    except (SecretUnreadable, UnicodeDecodeError) as exc:
        raise BadRequest(f"Your stored {name} key cannot be read; provide it again.",
                         code="INVALID_USER_KEY") from exc
