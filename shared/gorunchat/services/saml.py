"""SAML 2.0 sign-in: ``/oauth/saml`` sends an AuthnRequest, its callback takes the Response.

The request goes by the HTTP-Redirect binding (raw DEFLATE, base64, URL-encoded, with a
``RelayState``); the request id and the relay state travel in a signed, short-lived cookie,
like the OAuth flows' state. The Response comes back by the HTTP-POST binding and is checked
by ``saml_xml.verify_response`` (signature, audience, destination, validity, status,
``InResponseTo``); the request it answers can be answered only once (kept in Redis, or in
this process when Redis is not configured).

The account is found by ``samlId`` (the NameID), then by email when that account is a SAML
one; an account of another provider is not taken over (as in LibreChat). New accounts need
``ALLOW_SOCIAL_REGISTRATION`` and an allowed domain. The result is a normal sign-in (ban,
verification and 2FA checks). Every refusal is audited as ``auth.login_failed``.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import urlencode

from gorunchat.contracts.audit import AuditEvent
from gorunchat.contracts.authconfig import SamlSettings
from gorunchat.contracts.documents import User
from gorunchat.contracts.errors import Forbidden, NotFound, Unauthorized
from gorunchat.domain.authtokens import (
    FLOW_TOKEN_TTL_S,
    FlowState,
    issue_flow_token,
    verify_flow_token,
)
from gorunchat.services import auth, holds, users
from gorunchat.services.identity import Client, IdentityDeps
from gorunchat.services.saml_xml import (
    CLOCK_SKEW_S,
    Profile,
    SamlRejected,
    authn_request,
    certificate,
    decode_response,
    profile,
    redirect_binding,
    verify_response,
)

PROVIDER = "saml"
LINK_FIELD = "samlId"


class ReplayGuard(Protocol):
    """Remembers which requests have been answered, so an answer counts only once."""

    def first_use(self, key: str, ttl_s: int) -> bool:
        """True the first time ``key`` is presented within ``ttl_s`` seconds."""
        ...


class RedisReplayGuard:
    """The guard shared by every instance (``SET NX EX``)."""

    def __init__(self, redis: Any) -> None:
        self.redis = redis

    def first_use(self, key: str, ttl_s: int) -> bool:
        return bool(self.redis.set(key, b"1", ex=ttl_s, nx=True))


class LocalReplayGuard:
    """The guard of a deployment without Redis: one process remembers what it has seen."""

    def __init__(self) -> None:
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()

    def first_use(self, key: str, ttl_s: int) -> bool:
        now = time.monotonic()
        with self._lock:
            for stale in [k for k, until in self._seen.items() if until <= now]:
                del self._seen[stale]
            if key in self._seen:
                return False
            self._seen[key] = now + ttl_s
            return True


LOCAL_REPLAY_GUARD = LocalReplayGuard()


# ---- configuration ------------------------------------------------------------------------

def settings_of(deps: IdentityDeps) -> SamlSettings:
    """The SAML settings; 404 when SAML is not configured."""
    cfg = deps.settings.auth.saml
    if not cfg.enabled:
        raise NotFound("This sign-in provider is not configured.",
                       code="OAUTH_PROVIDER_DISABLED")
    return cfg


def callback_url(deps: IdentityDeps) -> str:
    path = deps.settings.auth.saml.callback_path
    return path if path.startswith("http") else deps.settings.domain_server.rstrip("/") + path


# ---- the start ----------------------------------------------------------------------------

def start(deps: IdentityDeps) -> tuple[str, str]:
    """The IdP's sign-in URL (with the AuthnRequest) and the signed flow cookie value."""
    cfg = settings_of(deps)
    certificate(cfg.cert or "")  # a broken certificate fails here, not after the IdP
    request_id = "_" + secrets.token_hex(20)
    relay = secrets.token_urlsafe(24)
    xml = authn_request(cfg, callback_url(deps), request_id, datetime.now(UTC))
    entry = cfg.entry_point or ""
    url = entry + ("&" if "?" in entry else "?") + urlencode(
        {"SAMLRequest": redirect_binding(xml), "RelayState": relay})
    flow = FlowState(provider=PROVIDER, state=relay, nonce=request_id, verifier="")
    return url, issue_flow_token(deps.jwt_secret, flow)


# ---- the callback -------------------------------------------------------------------------

def audit_failure(deps: IdentityDeps, client: Client, reason: str) -> None:
    """Record a refused SAML sign-in (``auth.login_failed``) in its own unit of work."""
    with deps.store.unit_of_work(deps.tenant_id) as uow:
        uow.record(AuditEvent(action="auth.login_failed", actor=client.actor(),
                              outcome="failure",
                              metadata={"reason": reason, "method": PROVIDER}))
        uow.commit()


def finish(deps: IdentityDeps, client: Client, encoded: str, relay_state: str,
           flow_cookie: str | None, replay: ReplayGuard) -> auth.LoginResult:
    """Verify the posted Response against this browser's request and sign its account in."""
    cfg = settings_of(deps)
    try:
        if not flow_cookie:
            raise SamlRejected("no_flow", "The sign-in flow has expired; start again.")
        try:
            flow = verify_flow_token(deps.jwt_secret, flow_cookie)
        except Unauthorized as exc:
            raise SamlRejected("no_flow", "The sign-in flow has expired; start again.") from exc
        if flow.provider != PROVIDER or not hmac.compare_digest(flow.state, relay_state):
            raise SamlRejected("state_mismatch",
                               "The sign-in flow does not match; start again.")
        acs = callback_url(deps)
        identity = verify_response(cfg, acs, flow.nonce, decode_response(encoded))
        if not replay.first_use(f"saml:answered:{deps.tenant_id}:{flow.nonce}",
                                FLOW_TOKEN_TTL_S + CLOCK_SKEW_S):
            raise SamlRejected("replayed", "This SAML response has already been used.")
    except SamlRejected as exc:
        audit_failure(deps, client, exc.reason)
        raise
    who = profile(cfg, identity)
    user = account_for(deps, client, cfg, who)
    if deps.import_avatar is not None and deps.import_avatar(user, who.picture):
        with deps.store.unit_of_work(deps.tenant_id, readonly=True) as uow:
            user = uow.users.get(user.id) or user
    return auth.finish_sign_in(deps, client, user, method=PROVIDER)


def _refuse(deps: IdentityDeps, client: Client, reason: str, error: Forbidden) -> Forbidden:
    audit_failure(deps, client, reason)
    return error


def account_for(deps: IdentityDeps, client: Client, cfg: SamlSettings, who: Profile
                ) -> User:
    """The account of ``who``: by ``samlId``, by the email of a SAML account, or new."""
    email = who.email
    if not email:
        raise _refuse(deps, client, "no_email", Forbidden(
            "The identity provider sent no email address.", code="SAML_NO_EMAIL"))
    if not auth.domain_allowed(deps.settings, email):
        raise _refuse(deps, client, "domain_not_allowed", Forbidden(
            "Email domain not allowed.", code="EMAIL_DOMAIN_NOT_ALLOWED"))
    other_provider = False
    with deps.store.unit_of_work(deps.tenant_id) as uow:
        user = uow.users.find_one({LINK_FIELD: who.name_id, **holds.VISIBLE})
        if user is None:
            user = users.find_by_email(uow, email)
            if user is not None and user.provider != PROVIDER:
                other_provider, user = True, None
        if user is not None:
            changes: dict[str, Any] = {LINK_FIELD: who.name_id}
            if who.name:
                changes["name"] = who.name[:128]
            user = uow.users.update(user.id, changes) or user
        elif not other_provider and _may_register(deps, email):
            user = users.create(uow, settings=deps.settings, email=email,
                                name=who.name[:128] if who.name else None,
                                username=who.username[:128] if who.username else None,
                                provider=PROVIDER, password_hash=None, email_verified=True,
                                links={LINK_FIELD: who.name_id})
            uow.record(AuditEvent(action="auth.register", actor=client.actor(user.id),
                                  targetType="user", targetId=user.id,
                                  metadata={"provider": PROVIDER, "role": user.role}))
        uow.commit()
    if user is not None:
        return user
    if other_provider:
        raise _refuse(deps, client, "provider_mismatch", Forbidden(
            "An account with this email signs in another way.", code="AUTH_FAILED"))
    raise _refuse(deps, client, "registration_closed", Forbidden(
        "No account matches this sign-in and new accounts cannot be created this way.",
        code="REGISTRATION_DISABLED"))


def _may_register(deps: IdentityDeps, email: str) -> bool:
    settings = deps.settings
    return (settings.auth.allow_social_registration and settings.allow_registration
            and auth.domain_allowed(settings, email))
