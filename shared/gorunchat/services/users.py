"""Users: the account record, its public view, preferences, terms, and deletion.

Account fields LibreChat keeps on the user document beyond the typed ones (``totpSecret``,
``backupCodes``, ``personalization``, ``favorites``, ``openidId``...) are read through
``field`` and written with ``Repository.update``, so unknown fields survive every write.
An account its user deleted under a legal hold is hidden (``services.holds``): every
sign-in path treats it as gone, and its email is free to register again.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from gorunchat.contracts.agents import Agent
from gorunchat.contracts.audit import Actor, AuditEvent
from gorunchat.contracts.auth import AuthToken, MessageResponse
from gorunchat.contracts.documents import User
from gorunchat.contracts.errors import Forbidden, Unauthorized
from gorunchat.contracts.identity import Role
from gorunchat.contracts.library import SharedLink, StoredFile
from gorunchat.contracts.settings import Settings
from gorunchat.contracts.user import (
    Personalization,
    PreferencesResponse,
    PreferencesUpdate,
    TermsStatus,
    UserView,
)
from gorunchat.domain.ids import object_id
from gorunchat.ports.blobstore import BlobStore
from gorunchat.ports.store import Store, UnitOfWork
from gorunchat.services import deletion, holds, user_data
from gorunchat.services.caller import Caller

SECRET_FIELDS = frozenset({"password", "totpSecret", "backupCodes", "totpLastStep"})


def normalize_email(email: str) -> str:
    return email.strip().lower()


def field(user: User, name: str) -> Any:
    """A field LibreChat stores on the user document that ``User`` does not type."""
    return (user.model_extra or {}).get(name)


def view(user: User) -> UserView:
    """The user as the client sees it: no password, TOTP secret or backup codes."""
    prefs = field(user, "personalization")
    return UserView(
        mongo_id=user.id, id=user.id, name=user.name, username=user.username, email=user.email,
        emailVerified=user.emailVerified, avatar=user.avatar, provider=user.provider,
        role=user.role, plugins=user.plugins, twoFactorEnabled=user.twoFactorEnabled,
        termsAccepted=user.termsAccepted,
        personalization=Personalization.model_validate(prefs if isinstance(prefs, dict)
                                                       else {}),
        createdAt=user.createdAt, updatedAt=user.updatedAt)


def find_by_email(uow: UnitOfWork, email: str) -> User | None:
    """The account with ``email`` (never one hidden under a hold: it was deleted)."""
    return uow.users.find_one({"email": normalize_email(email), **holds.VISIBLE})


def create(uow: UnitOfWork, *, settings: Settings, email: str, name: str | None,
           username: str | None, provider: str, password_hash: str | None,
           email_verified: bool, links: dict[str, str] | None = None) -> User:
    """Insert a new user with their start balance; the tenant's first user becomes ``ADMIN``,
    as in LibreChat."""
    from gorunchat.services.balance import ensure_start_balance

    first = uow.users.count({}) == 0
    user = User.model_validate({
        "_id": object_id(), "tenantId": uow.tenant_id, "email": normalize_email(email),
        "name": name, "username": username, "provider": provider, "password": password_hash,
        "emailVerified": email_verified, "role": Role.ADMIN if first else Role.USER,
        **(links or {})})
    created = uow.users.insert(user)
    ensure_start_balance(uow, created.id, settings)
    return created


def load(uow: UnitOfWork, user_id: str) -> User:
    """The signed-in user; gone since the token was issued means signed out."""
    user = uow.users.get(user_id)
    if user is None or holds.is_hidden(user):
        raise Unauthorized("This account no longer exists.", code="USER_NOT_FOUND")
    return user


def me(store: Store, caller: Caller) -> UserView:
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        return view(load(uow, caller.user_id))


def update_preferences(store: Store, caller: Caller, body: PreferencesUpdate
                       ) -> PreferencesResponse:
    """Merge the given preferences into ``personalization``."""
    changes = body.model_dump(exclude_none=True)
    with store.unit_of_work(caller.tenant_id) as uow:
        user = load(uow, caller.user_id)
        current = field(user, "personalization")
        merged = {**(current if isinstance(current, dict) else {}), **changes}
        uow.users.update(user.id, {"personalization": merged})
        uow.record(AuditEvent(action="user.preferences_update", actor=caller.actor,
                              targetType="user", targetId=user.id,
                              metadata={"fields": sorted(changes)}))
        uow.commit()
    return PreferencesResponse(updated=True,
                               preferences=Personalization.model_validate(merged))


def terms_status(store: Store, caller: Caller) -> TermsStatus:
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        return TermsStatus(termsAccepted=load(uow, caller.user_id).termsAccepted)


def accept_terms(store: Store, caller: Caller) -> MessageResponse:
    now = datetime.now(UTC)
    with store.unit_of_work(caller.tenant_id) as uow:
        user = load(uow, caller.user_id)
        uow.users.update(user.id, {"termsAccepted": True, "termsAcceptedAt": now})
        uow.record(AuditEvent(action="user.terms_accept", actor=caller.actor,
                              targetType="user", targetId=user.id))
        uow.commit()
    return MessageResponse(message="Terms accepted successfully")


def delete_account(store: Store, caller: Caller, allowed: bool,
                   blobs: BlobStore | None = None) -> MessageResponse:
    """Delete the caller's account and everything it owns, as LibreChat does.

    Sign-in records (sessions, one-time tokens) always go, so nobody signs in to it again.
    The conversations go through the conversation deletion cascade (``services.deletion``,
    which journals their words), and the rest is erased by the implementation an admin's
    deletion uses (``services.user_data.erase``): files, tags, presets, keys, balance...

    Legal holds (``services.holds``) make a user's own deletion hide instead of destroy,
    and the answer is the same either way ("User deleted"), as LibreChat users expect; the
    audit record says what was kept and under which holds. Refusing with 409, as an admin's
    deletion does, would tell a custodian about the hold and fail a routine request.

    * A hold on the user (or the tenant): the account, its conversations, messages and files
      are hidden; share links go (they publish held data); the rest stays untouched.
      Retention erases the account once the hold is released.
    * A hold on some of the user's conversations only: those are hidden with their
      messages, tool calls and files; everything else, and the account, is erased.
    """
    if not allowed:
        raise Forbidden("Account deletion is disabled on this server.",
                        code="ACCOUNT_DELETION_DISABLED")
    with store.unit_of_work(caller.tenant_id) as uow:
        user = load(uow, caller.user_id)
        held = holds.holds_on_user(uow, user.id)
        doomed: list[str] = []
        kept = sorted({c for h in holds.held_conversations_of(uow, user.id)
                       for c in h.conversationIds})
        sessions = uow.sessions.delete_many({"user": user.id})
        tokens = uow.repo(AuthToken).delete_many({"userId": user.id})
        done = deletion.dispose(uow, caller, uow.conversations.find(
            {"user": user.id, **holds.VISIBLE}), reason="user.delete")
        if held:
            uow.repo(SharedLink).delete_many({"user": user.id})
            holds.hide(uow.repo(StoredFile), {"user": user.id}, by=user.id)
            holds.hide(uow.repo(Agent), {"author": user.id}, by=user.id)
            holds.hide(uow.users, {"_id": user.id}, by=user.id)
            outcome = holds.disposition(held)
        else:
            if kept:
                holds.hide(uow.repo(StoredFile),
                           {"user": user.id, "conversationId": {"$in": kept}}, by=user.id)
            doomed = user_data.file_keys(uow, user.id, keep_conversations=kept)
            outcome = {"deleted": user_data.erase(uow, user.id, keep_conversations=kept),
                       **done.outcome()}
        uow.record(AuditEvent(action="user.delete", actor=caller.actor, targetType="user",
                              targetId=user.id,
                              metadata={"provider": user.provider, "sessions": sessions,
                                        "tokens": tokens,
                                        "conversations": len(done.conversations),
                                        "messages": done.messages, **outcome}))
        uow.commit()
    user_data.delete_blobs(blobs, doomed)
    return MessageResponse(message="User deleted")


def id_for_email(store: Store, tenant_id: str, email: str) -> str | None:
    """The id of the account with ``email`` (for per-user bans on public routes)."""
    with store.unit_of_work(tenant_id, readonly=True) as uow:
        user = find_by_email(uow, email)
    return user.id if user else None


def ensure_super_admin(store: Store, settings: Settings, tenant_id: str, email: str,
                       password_hash: str | None, actor: Actor) -> tuple[User, bool]:
    """Make ``email`` a ``SUPER_ADMIN``: promote the account, or create a verified one.

    Returns the account and whether it was created. Used by the operator CLI, so the first
    super admin exists before anyone signs in.
    """
    with store.unit_of_work(tenant_id) as uow:
        user = find_by_email(uow, email)
        created = user is None
        if user is None:
            user = create(uow, settings=settings, email=email, name=None, username=None,
                          provider="local", password_hash=password_hash, email_verified=True)
        changes: dict[str, Any] = {"role": Role.SUPER_ADMIN}
        if password_hash and not created:
            changes["password"] = password_hash
        user = uow.users.update(user.id, changes) or user
        uow.record(AuditEvent(action="admin.super_admin_granted", actor=actor,
                              targetType="user", targetId=user.id,
                              metadata={"created": created}))
        uow.commit()
    return user, created
