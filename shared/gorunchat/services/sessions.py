"""Refresh sessions: rotation with reuse detection, sign-out, and the session list.

A sign-in opens a *family*: its first ``sessions`` document holds the digest of an opaque
refresh token. Every refresh replaces the presented token with a new one in a new document
of the same family and marks the old one ``replacedBy``. Presenting a replaced token again
means it was copied, so the whole family is revoked and the revocation is audited. Sign-out
revokes one family; "sign out everywhere" revokes them all. A family is what the user sees
as one session, so its id is the ``familyId``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from gorunchat.contracts.audit import AuditEvent
from gorunchat.contracts.auth import SessionInfo
from gorunchat.contracts.documents import Session, User
from gorunchat.contracts.errors import NotFound, Unauthorized
from gorunchat.domain.authtokens import digest, new_refresh_token
from gorunchat.domain.ids import object_id
from gorunchat.domain.tokens import issue_access_token
from gorunchat.ports.store import Store, UnitOfWork
from gorunchat.services import holds, users
from gorunchat.services.caller import Caller
from gorunchat.services.identity import Client, IdentityDeps, SignedIn

_ACTIVE = {"revokedAt": None, "replacedBy": None}


def aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _open(uow: UnitOfWork, deps: IdentityDeps, user: User, client: Client,
          family_id: str | None, now: datetime) -> tuple[Session, str]:
    token = new_refresh_token()
    session_id = object_id()
    session = Session.model_validate({
        "_id": session_id, "tenantId": uow.tenant_id, "user": user.id,
        "refreshTokenHash": digest(token),
        "expiration": now + timedelta(seconds=deps.settings.refresh_token_ttl_s),
        "deviceId": client.device_id, "familyId": family_id or session_id,
        "userAgent": (client.user_agent or "")[:256] or None, "ip": client.ip,
        "lastUsedAt": now, "replacedBy": None, "createdAt": now, "updatedAt": now})
    return uow.sessions.insert(session), token


def sign_in(uow: UnitOfWork, deps: IdentityDeps, user: User, client: Client,
            family_id: str | None = None) -> SignedIn:
    """Open a session for ``user`` (in ``family_id`` when rotating) and issue its tokens."""
    now = datetime.now(UTC)
    session, refresh = _open(uow, deps, user, client, family_id, now)
    token = issue_access_token(deps.jwt_secret, user_id=user.id, tenant_id=uow.tenant_id,
                               role=user.role, session_id=session.id, email=user.email,
                               ttl_s=deps.settings.access_token_ttl_s)
    return SignedIn(token=token, user=users.view(user), refresh_token=refresh,
                    refresh_expires=session.expiration, session_id=session.id)


def revoke_family(uow: UnitOfWork, user_id: str, family_id: str, reason: str) -> int:
    return uow.sessions.update_many(
        {"user": user_id, "familyId": family_id, "revokedAt": None},
        {"revokedAt": datetime.now(UTC), "revokeReason": reason})


def revoke_all(uow: UnitOfWork, user_id: str, reason: str) -> int:
    """Revoke every session of the user; the number of families that were active."""
    families = {s.familyId for s in uow.sessions.find({"user": user_id, **_ACTIVE})}
    uow.sessions.update_many({"user": user_id, "revokedAt": None},
                             {"revokedAt": datetime.now(UTC), "revokeReason": reason})
    return len(families)


def _reused(uow: UnitOfWork, session: Session, client: Client) -> Unauthorized:
    """A replaced token came back: revoke its family, audit it, and refuse."""
    family = session.familyId or session.id
    revoked = revoke_family(uow, session.user, family, "refresh_token_reuse")
    if revoked:
        uow.record(AuditEvent(
            action="auth.session_family_revoked", actor=client.actor(session.user),
            targetType="session", targetId=family, outcome="denied",
            metadata={"reason": "refresh_token_reuse", "sessions": revoked,
                      "presentedSession": session.id}))
    uow.commit()
    return Unauthorized("This refresh token was already used; every session it belonged to "
                        "has been signed out.", code="REFRESH_TOKEN_REUSED")


def _usable(uow: UnitOfWork, token: str, client: Client) -> Session:
    session = uow.sessions.find_one({"refreshTokenHash": digest(token)})
    if session is None:
        raise Unauthorized("The refresh token is not valid.", code="REFRESH_TOKEN_INVALID")
    if session.model_extra and session.model_extra.get("replacedBy"):
        raise _reused(uow, session, client)
    if session.revokedAt is not None:
        raise Unauthorized("This session has ended; sign in again.", code="SESSION_REVOKED")
    if aware(session.expiration) <= datetime.now(UTC):
        raise Unauthorized("This session has expired; sign in again.",
                           code="REFRESH_TOKEN_EXPIRED")
    return session


def refresh(deps: IdentityDeps, client: Client, token: str) -> SignedIn:
    """Rotate ``token``: a new access token and refresh token in the same family."""
    with deps.store.unit_of_work(deps.tenant_id) as uow:
        session = _usable(uow, token, client)
        user = uow.users.get(session.user)
        if user is None or user.banned or holds.is_hidden(user):
            revoke_family(uow, session.user, session.familyId or session.id, "user_unavailable")
            uow.commit()
            raise Unauthorized("This account cannot sign in.", code="USER_UNAVAILABLE")
        signed = sign_in(uow, deps, user, client, family_id=session.familyId or session.id)
        uow.sessions.update(session.id, {"replacedBy": signed.session_id,
                                         "rotatedAt": datetime.now(UTC)})
        uow.record(AuditEvent(action="auth.refresh", actor=client.actor(user.id, user.role),
                              targetType="session", targetId=session.familyId))
        uow.commit()
    return signed


def family_of(uow: UnitOfWork, session_id: str | None) -> str | None:
    if not session_id:
        return None
    session = uow.sessions.get(session_id)
    return (session.familyId or session.id) if session else None


def logout(store: Store, caller: Caller, refresh_token: str | None) -> None:
    """End the caller's session: the family of its access token and of its cookie."""
    user_id = caller.user_id
    with store.unit_of_work(caller.tenant_id) as uow:
        families = {family_of(uow, caller.principal.sessionId)}
        if refresh_token:
            found = uow.sessions.find_one({"refreshTokenHash": digest(refresh_token),
                                           "user": user_id})
            families.add((found.familyId or found.id) if found else None)
        ended = sorted(f for f in families if f)
        for family in ended:
            revoke_family(uow, user_id, family, "logout")
        uow.record(AuditEvent(action="auth.logout", actor=caller.actor, targetType="session",
                              targetId=ended[0] if ended else None,
                              metadata={"families": ended}))
        uow.commit()


def logout_all(store: Store, caller: Caller) -> int:
    with store.unit_of_work(caller.tenant_id) as uow:
        revoked = revoke_all(uow, caller.user_id, "logout_all")
        uow.record(AuditEvent(action="auth.logout_all", actor=caller.actor, targetType="user",
                              targetId=caller.user_id, metadata={"families": revoked}))
        uow.commit()
    return revoked


def list_sessions(store: Store, caller: Caller) -> list[SessionInfo]:
    """The user's active sign-ins, newest first; ``current`` marks the caller's."""
    now, user_id = datetime.now(UTC), caller.user_id
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        current = family_of(uow, caller.principal.sessionId)
        heads = uow.sessions.find({"user": user_id, **_ACTIVE, "expiration": {"$gt": now}},
                                  sort=[("createdAt", -1)])
        starts = {s.id: s.createdAt for s in uow.sessions.find(
            {"user": user_id, "familyId": {"$in": [h.familyId for h in heads]}})}
    extra = [(h, h.model_extra or {}) for h in heads]
    return [SessionInfo(id=h.familyId or h.id, deviceId=h.deviceId, userAgent=x.get("userAgent"),
                        ip=x.get("ip"), createdAt=starts.get(h.familyId or h.id, h.createdAt),
                        lastUsedAt=x.get("lastUsedAt"), expiration=h.expiration,
                        current=(h.familyId or h.id) == current) for h, x in extra]


def revoke_one(store: Store, caller: Caller, family_id: str) -> None:
    """Sign out one of the user's sessions; another user's is ``NotFound``."""
    with store.unit_of_work(caller.tenant_id) as uow:
        if not revoke_family(uow, caller.user_id, family_id, "revoked_by_user"):
            raise NotFound("No active session with this id.", code="SESSION_NOT_FOUND")
        uow.record(AuditEvent(action="auth.session_revoke", actor=caller.actor,
                              targetType="session", targetId=family_id))
        uow.commit()
