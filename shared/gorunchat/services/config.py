"""The startup configuration a client reads before sign-in (``GET /api/config``)."""

from __future__ import annotations

from typing import Any

from gorunchat.contracts.config import Banner, StartupConfig
from gorunchat.contracts.identity import Principal
from gorunchat.contracts.settings import Settings
from gorunchat.ports.store import Store


def startup_config(settings: Settings, principal: Principal | None,
                   store: Store | None = None) -> StartupConfig:
    """LibreChat's startup-config shape, built from settings and ``gorunchat.yaml``.

    For a signed-in caller (with a ``store``) the configuration is first merged with the
    overrides of their role, groups and user (``services.principal_config``, order
    base ← role ← group ← user).
    """
    app = settings.app
    if principal is not None and store is not None:
        from gorunchat.services.principal_config import effective_app_config

        with store.unit_of_work(principal.tenantId, readonly=True) as uow:
            app = effective_app_config(uow, app, principal)
    interface: dict[str, Any] = app.interface.model_dump(exclude_none=True)
    balance = app.balance.model_dump() if app.balance.enabled else None
    social = settings.allow_social_login
    auth = settings.auth
    ldap = auth.ldap
    return StartupConfig(
        appTitle=settings.app_title,
        socialLogins=list(app.registration.socialLogins) if social else [],
        githubLoginEnabled=social and auth.github.enabled,
        googleLoginEnabled=social and auth.google.enabled,
        openidLoginEnabled=social and auth.openid.enabled,
        openidLabel=auth.openid.label or "Continue with OpenID",
        # as in LibreChat, the SAML button gives way to OpenID when both are configured
        samlLoginEnabled=social and auth.saml.enabled and not auth.openid.enabled,
        samlLabel=auth.saml.label or "Continue with SAML",
        samlImageUrl=auth.saml.image_url,
        ldap={"enabled": True, "username": ldap.login_uses_username} if ldap.enabled else None,
        serverDomain=settings.domain_server,
        emailLoginEnabled=settings.allow_email_login,
        registrationEnabled=settings.allow_registration,
        socialLoginEnabled=social,
        passwordResetEnabled=auth.allow_password_reset,
        emailEnabled=auth.mail.host is not None,
        minPasswordLength=auth.min_password_length,
        interface=interface,
        sharedLinksEnabled=settings.library.shared_links,
        publicSharedLinksEnabled=settings.library.shared_links
        and settings.library.shared_links_public,
        balance=balance,
    )


def banner(settings: Settings) -> Banner | None:
    raw = settings.app.banner
    if not raw or not raw.get("message"):
        return None
    return Banner.model_validate({"bannerId": str(raw.get("bannerId", "config")), **raw})
