"""Local accounts: registration and password sign-in (LDAP when it is configured).

Answers never tell whether an account exists: registering a known email answers like a
new one, and a wrong password and an unknown email fail alike, after the same hashing
work. A sign-in that needs a second factor ends with a temporary token instead of a session.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

from gorunchat.contracts.audit import AuditEvent
from gorunchat.contracts.auth import LoginRequest, MessageResponse, RegisterRequest
from gorunchat.contracts.documents import User
from gorunchat.contracts.errors import Forbidden, ServiceUnavailable, Unauthorized, ValidationFailed
from gorunchat.contracts.settings import Settings
from gorunchat.domain.authtokens import issue_temp_token
from gorunchat.domain.passwords import hash_password, needs_rehash, verify_password
from gorunchat.ports.store import UnitOfWork
from gorunchat.services import auth_email, ldap_auth, sessions, users
from gorunchat.services.identity import Client, IdentityDeps, SignedIn

log = logging.getLogger("gorunchat.auth")

GENERIC_REGISTRATION = "Please check your email to verify your email address."
BAD_CREDENTIALS = "Email or password is incorrect."


@dataclass(frozen=True)
class TwoFactorChallenge:
    temp_token: str


LoginResult = SignedIn | TwoFactorChallenge


def valid_email(email: str) -> str:
    """``email`` normalized, or 422 when it is not an email address."""
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationFailed(details=[{"field": "email", "message": str(exc),
                                         "type": "value_error"}]) from exc
    return users.normalize_email(email)


def domain_allowed(settings: Settings, email: str) -> bool:
    """The registration allow-list (``registration.allowedDomains``); empty allows all."""
    allowed = [d.strip().lower() for d in settings.app.registration.allowedDomains]
    if not allowed:
        return True
    return email.rpartition("@")[2].lower() in allowed


def register(deps: IdentityDeps, client: Client, body: RegisterRequest) -> MessageResponse:
    """Create a local account and mail its verification link."""
    settings = deps.settings
    if not settings.allow_registration:
        raise Forbidden("Registration is not allowed on this server.",
                        code="REGISTRATION_DISABLED")
    if len(body.password) < settings.auth.min_password_length:
        raise ValidationFailed(details=[{
            "field": "password", "type": "string_too_short",
            "message": f"at least {settings.auth.min_password_length} characters"}])
    email = users.normalize_email(str(body.email))
    if not domain_allowed(settings, email):
        raise Forbidden("The email address provided cannot be used. Please use a different "
                        "email address.", code="EMAIL_DOMAIN_NOT_ALLOWED")
    password_hash = hash_password(body.password)  # also for known emails: same timing
    with deps.store.unit_of_work(deps.tenant_id) as uow:
        if users.find_by_email(uow, email) is not None:
            return MessageResponse(message=GENERIC_REGISTRATION)
        user = users.create(uow, settings=settings, email=email, name=body.name,
                            username=body.username,
                            provider="local", password_hash=password_hash,
                            email_verified=False)
        token = auth_email.new_token(uow, user, "email_verification")
        uow.record(AuditEvent(action="auth.register", actor=client.actor(user.id, user.role),
                              targetType="user", targetId=user.id,
                              metadata={"provider": "local", "role": user.role}))
        uow.commit()
    try:
        deps.mailer.send(auth_email.verification_mail(settings, user, token))
    except ServiceUnavailable:
        log.warning("verification mail not sent", extra={"fields": {"userId": user.id}})
    return MessageResponse(message=GENERIC_REGISTRATION)


def login(deps: IdentityDeps, client: Client, body: LoginRequest) -> LoginResult:
    """Sign in with a password: against LDAP when it is configured, else locally."""
    if deps.settings.auth.ldap.enabled:
        account = ldap_auth.authenticate(deps, client, body.email, body.password)
        return finish_sign_in(deps, client, account, method="ldap")
    if not deps.settings.allow_email_login:
        raise Forbidden("Email sign-in is disabled on this server.",
                        code="EMAIL_LOGIN_DISABLED")
    email = valid_email(body.email)
    with deps.store.unit_of_work(deps.tenant_id) as uow:
        user = users.find_by_email(uow, email)
        if user is None or not verify_password(user.password, body.password):
            _failed(uow, client, user, "bad_credentials")
            raise Unauthorized(BAD_CREDENTIALS, code="INVALID_CREDENTIALS")
        if user.password and needs_rehash(user.password):
            uow.users.update(user.id, {"password": hash_password(body.password)})
            uow.commit()
    return finish_sign_in(deps, client, user, method="local")


def _failed(uow: UnitOfWork, client: Client, user: User | None, reason: str) -> None:
    uow.record(AuditEvent(action="auth.login_failed", actor=client.actor(),
                          targetType="user", targetId=user.id if user else None,
                          outcome="failure",
                          metadata={"reason": reason, "knownAccount": user is not None}))
    uow.commit()


def finish_sign_in(deps: IdentityDeps, client: Client, user: User, method: str
                   ) -> LoginResult:
    """The checks after the credentials: ban, email verification, then 2FA or session."""
    with deps.store.unit_of_work(deps.tenant_id) as uow:
        if user.banned:
            _failed(uow, client, user, "banned")
            raise Forbidden("This account is banned.", code="USER_BANNED")
        if not user.emailVerified and not deps.settings.auth.allow_unverified_email_login:
            _failed(uow, client, user, "email_not_verified")
            raise Forbidden("Email not verified.", code="EMAIL_NOT_VERIFIED")
        if user.twoFactorEnabled:
            uow.record(AuditEvent(action="auth.2fa_challenge",
                                  actor=client.actor(user.id, user.role), targetType="user",
                                  targetId=user.id, metadata={"method": method}))
            uow.commit()
            return TwoFactorChallenge(issue_temp_token(deps.jwt_secret, user_id=user.id,
                                                       tenant_id=uow.tenant_id))
        signed = sessions.sign_in(uow, deps, user, client)
        uow.record(AuditEvent(action="auth.login", actor=client.actor(user.id, user.role),
                              targetType="user", targetId=user.id,
                              metadata={"method": method, "session": signed.session_id}))
        uow.commit()
    return signed
