"""The email flows: address verification and password reset, through the Mailer port.

Each flow stores a one-time token's digest in ``tokens`` (15 minutes, as in LibreChat) and
mails the token in a link to the client (``DOMAIN_CLIENT/verify``, ``/reset-password``).
Answers to the request routes are the same whether or not the account exists.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from gorunchat.contracts.audit import AuditEvent
from gorunchat.contracts.auth import AuthToken, MessageResponse, ResetPasswordRequest, TokenType
from gorunchat.contracts.documents import User
from gorunchat.contracts.errors import BadRequest, Forbidden, ServiceUnavailable
from gorunchat.contracts.settings import Settings
from gorunchat.domain.authtokens import digest
from gorunchat.domain.ids import object_id
from gorunchat.domain.passwords import hash_password
from gorunchat.ports.mailer import Mail
from gorunchat.ports.store import UnitOfWork
from gorunchat.services import sessions, users
from gorunchat.services.identity import Client, IdentityDeps

log = logging.getLogger("gorunchat.auth")

TOKEN_TTL = timedelta(minutes=15)
GENERIC_RESET = ("If an account with that email exists, a password reset link has been "
                 "sent to it.")
GENERIC_VERIFICATION = "Please check your email to verify your email address."


def new_token(uow: UnitOfWork, user: User, kind: TokenType) -> str:
    """A fresh one-time token of ``kind`` for ``user``; older ones of that kind are void."""
    repo = uow.repo(AuthToken)
    repo.delete_many({"userId": user.id, "type": kind})
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    repo.insert(AuthToken.model_validate({
        "_id": object_id(), "tenantId": uow.tenant_id, "userId": user.id, "email": user.email,
        "type": kind, "token": digest(token), "expiresAt": now + TOKEN_TTL}))
    return token


def _take(uow: UnitOfWork, where: dict[str, str], presented: str) -> AuthToken | None:
    """The unexpired token matching ``presented`` (compared in constant time), consumed."""
    wanted, now, match = digest(presented), datetime.now(UTC), None
    repo = uow.repo(AuthToken)
    for stored in repo.find(where):
        if hmac.compare_digest(stored.token, wanted) and sessions.aware(stored.expiresAt) > now:
            match = stored
    if match is not None:
        repo.delete_many({"userId": match.userId, "type": match.type})
    return match


def _app(settings: Settings) -> str:
    return settings.app_title or "GoRunChat"


def verification_mail(settings: Settings, user: User, token: str) -> Mail:
    link = f"{settings.domain_client}/verify?" + urlencode({"token": token,
                                                            "email": user.email})
    return Mail(to=user.email, subject="Verify your email",
                text=f"Hi {user.name or user.email},\n\nConfirm your email address for "
                     f"{_app(settings)}:\n{link}\n\nThe link is valid for 15 minutes.\n")


def reset_mail(settings: Settings, user: User, token: str) -> Mail:
    link = f"{settings.domain_client}/reset-password?" + urlencode({"token": token,
                                                                    "userId": user.id})
    return Mail(to=user.email, subject="Password Reset Request",
                text=f"Hi {user.name or user.email},\n\nA password reset was requested for "
                     f"your {_app(settings)} account:\n{link}\n\nThe link is valid for 15 "
                     "minutes. If you did not ask for it, ignore this mail.\n")


def _send(deps: IdentityDeps, mail: Mail) -> None:
    try:
        deps.mailer.send(mail)
    except ServiceUnavailable:
        log.warning("mail not sent", extra={"fields": {"subject": mail.subject}})


def request_reset(deps: IdentityDeps, client: Client, email: str) -> MessageResponse:
    """Mail a reset link when the account exists; the same answer when it does not."""
    if not deps.settings.auth.allow_password_reset:
        raise Forbidden("Password reset is disabled on this server.",
                        code="PASSWORD_RESET_DISABLED")
    with deps.store.unit_of_work(deps.tenant_id) as uow:
        user = users.find_by_email(uow, email)
        token = new_token(uow, user, "password_reset") if user else None
        uow.record(AuditEvent(action="auth.password_reset_requested", actor=client.actor(),
                              targetType="user", targetId=user.id if user else None,
                              outcome="success" if user else "failure",
                              metadata={"knownAccount": user is not None}))
        uow.commit()
    if user is not None and token is not None:
        _send(deps, reset_mail(deps.settings, user, token))
    return MessageResponse(message=GENERIC_RESET)


def reset_password(deps: IdentityDeps, client: Client, body: ResetPasswordRequest
                   ) -> MessageResponse:
    """Set a new password with a mailed token; every session of the account ends."""
    if len(body.password) < deps.settings.auth.min_password_length:
        raise BadRequest("The password is too short.", code="PASSWORD_TOO_SHORT")
    password_hash = hash_password(body.password)
    with deps.store.unit_of_work(deps.tenant_id) as uow:
        taken = _take(uow, {"userId": body.userId, "type": "password_reset"}, body.token)
        user = uow.users.get(body.userId) if taken else None
        if user is None:
            raise BadRequest("Invalid or expired password reset token.",
                             code="INVALID_RESET_TOKEN")
        uow.users.update(user.id, {"password": password_hash})
        revoked = sessions.revoke_all(uow, user.id, "password_reset")
        uow.record(AuditEvent(action="auth.password_reset", actor=client.actor(user.id),
                              targetType="user", targetId=user.id,
                              metadata={"sessionsRevoked": revoked}))
        uow.commit()
    _send(deps, Mail(to=user.email, subject="Password Reset Successfully",
                     text=f"The password of your {_app(deps.settings)} account was changed.\n"))
    return MessageResponse(message="Password reset was successful")


def verify_email(deps: IdentityDeps, client: Client, email: str, token: str
                 ) -> MessageResponse:
    email = users.normalize_email(email)
    with deps.store.unit_of_work(deps.tenant_id) as uow:
        taken = _take(uow, {"email": email, "type": "email_verification"}, token)
        user = uow.users.get(taken.userId) if taken else None
        if user is None:
            raise BadRequest("Invalid or expired email verification token.",
                             code="INVALID_VERIFICATION_TOKEN")
        uow.users.update(user.id, {"emailVerified": True})
        uow.record(AuditEvent(action="user.email_verify", actor=client.actor(user.id),
                              targetType="user", targetId=user.id))
        uow.commit()
    return MessageResponse(message="Email verification was successful")


def resend_verification(deps: IdentityDeps, client: Client, email: str) -> MessageResponse:
    with deps.store.unit_of_work(deps.tenant_id) as uow:
        user = users.find_by_email(uow, email)
        pending = user is not None and not user.emailVerified
        token = new_token(uow, user, "email_verification") if user and pending else None
        uow.record(AuditEvent(action="user.email_verify_resend", actor=client.actor(),
                              targetType="user", targetId=user.id if user else None,
                              outcome="success" if token else "failure"))
        uow.commit()
    if user is not None and token is not None:
        _send(deps, verification_mail(deps.settings, user, token))
    return MessageResponse(message=GENERIC_VERIFICATION)
