"""Social sign-in: ``/oauth/<provider>`` starts a flow, its callback finishes it.

The flow's state, nonce and PKCE verifier travel in a signed, short-lived cookie. An
identity is matched by its provider id (``openidId``, ``googleId``, ``githubId``); failing
that, it is linked to the account with the same email only when the provider says the
email is verified. New accounts need ``ALLOW_SOCIAL_REGISTRATION``, an allowed domain and
a verified email. The result is a normal sign-in (ban, verification and 2FA checks).
"""

from __future__ import annotations

import hmac
import secrets
from typing import Literal

from gorunchat.contracts.audit import AuditEvent
from gorunchat.contracts.documents import User
from gorunchat.contracts.errors import Forbidden, NotFound, Unauthorized
from gorunchat.domain.authtokens import FlowState, issue_flow_token, verify_flow_token
from gorunchat.services import auth, holds, users
from gorunchat.services.identity import Client, IdentityDeps
from gorunchat.services.oauth_clients import (
    ExternalIdentity,
    GithubClient,
    OidcClient,
    ProviderClient,
)

Provider = Literal["openid", "google", "github"]
LINK_FIELDS: dict[str, str] = {"openid": "openidId", "google": "googleId",
                               "github": "githubId"}


def provider_client(deps: IdentityDeps, provider: Provider) -> ProviderClient:
    """The configured client of ``provider``; 404 when it is not configured."""
    cfg = deps.settings.auth
    client: ProviderClient | None = None
    if provider == "github" and cfg.github.enabled:
        client = GithubClient(cfg.github)
    elif provider == "openid" and cfg.openid.enabled:
        client = OidcClient("openid", cfg.openid)
    elif provider == "google" and cfg.google.enabled:
        client = OidcClient("google", cfg.google)
    if client is None:
        raise NotFound("This sign-in provider is not configured.",
                       code="OAUTH_PROVIDER_DISABLED")
    return client


def redirect_uri(deps: IdentityDeps, provider: Provider) -> str:
    cfg = deps.settings.auth
    path = {"openid": cfg.openid.callback_path, "google": cfg.google.callback_path,
            "github": cfg.github.callback_path}[provider]
    return path if path.startswith("http") else deps.settings.domain_server.rstrip("/") + path


def start(deps: IdentityDeps, provider: Provider) -> tuple[str, str]:
    """The provider's authorization URL and the signed flow cookie value."""
    client = provider_client(deps, provider)
    flow = FlowState(provider=provider, state=secrets.token_urlsafe(24),
                     nonce=secrets.token_urlsafe(24), verifier=secrets.token_urlsafe(48))
    url = client.authorize_url(redirect_uri(deps, provider), flow)
    return url, issue_flow_token(deps.jwt_secret, flow)


def finish(deps: IdentityDeps, client: Client, provider: Provider, code: str, state: str,
           flow_cookie: str | None) -> auth.LoginResult:
    """Check the flow, fetch the identity, and sign its account in."""
    if not flow_cookie:
        raise Unauthorized("The sign-in flow has expired; start again.",
                           code="OAUTH_FLOW_INVALID")
    flow = verify_flow_token(deps.jwt_secret, flow_cookie)
    if flow.provider != provider or not hmac.compare_digest(flow.state, state):
        raise Unauthorized("The sign-in flow does not match; start again.",
                           code="OAUTH_STATE_MISMATCH")
    identity = provider_client(deps, provider).identity(redirect_uri(deps, provider), code,
                                                        flow)
    user = account_for(deps, client, identity)
    if deps.import_avatar is not None and deps.import_avatar(user, identity.avatar):
        with deps.store.unit_of_work(deps.tenant_id, readonly=True) as uow:
            user = uow.users.get(user.id) or user
    return auth.finish_sign_in(deps, client, user, method=provider)


def _refuse(deps: IdentityDeps, client: Client, identity: ExternalIdentity, reason: str,
            error: Forbidden) -> Forbidden:
    with deps.store.unit_of_work(deps.tenant_id) as uow:
        uow.record(AuditEvent(action="auth.login_failed", actor=client.actor(),
                              outcome="failure",
                              metadata={"reason": reason, "method": identity.provider}))
        uow.commit()
    return error


def account_for(deps: IdentityDeps, client: Client, identity: ExternalIdentity) -> User:
    """The account of ``identity``: by provider id, by verified email, or a new one."""
    link = LINK_FIELDS[identity.provider]
    verified = bool(identity.email and identity.email_verified)
    with deps.store.unit_of_work(deps.tenant_id) as uow:
        user = uow.users.find_one({link: identity.subject, **holds.VISIBLE})
        if user is None and verified and identity.email:
            user = users.find_by_email(uow, identity.email)
            if user is not None:
                user = uow.users.update(user.id, {link: identity.subject,
                                                  "emailVerified": True}) or user
        if user is None and verified and identity.email and _may_register(deps, identity):
            user = users.create(uow, settings=deps.settings, email=identity.email,
                                name=identity.name,
                                username=identity.username, provider=identity.provider,
                                password_hash=None, email_verified=True,
                                links={link: identity.subject})
            uow.record(AuditEvent(action="auth.register", actor=client.actor(user.id),
                                  targetType="user", targetId=user.id,
                                  metadata={"provider": identity.provider, "role": user.role}))
        uow.commit()
    if user is not None:
        return user
    if not verified:
        raise _refuse(deps, client, identity, "email_not_verified", Forbidden(
            "The provider did not confirm a verified email address, so this sign-in cannot "
            "be linked to an account.", code="OAUTH_EMAIL_NOT_VERIFIED"))
    raise _refuse(deps, client, identity, "registration_closed", Forbidden(
        "No account matches this sign-in and new accounts cannot be created this way.",
        code="REGISTRATION_DISABLED"))


def _may_register(deps: IdentityDeps, identity: ExternalIdentity) -> bool:
    settings = deps.settings
    return (settings.auth.allow_social_registration and settings.allow_registration
            and auth.domain_allowed(settings, identity.email or ""))
