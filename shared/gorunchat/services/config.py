"""The startup configuration a client reads before sign-in (``GET /api/config``)."""

from __future__ import annotations

from typing import Any

from gorunchat.contracts.config import Banner, StartupConfig
from gorunchat.contracts.identity import Principal
from gorunchat.contracts.settings import Settings


def startup_config(settings: Settings, principal: Principal | None) -> StartupConfig:
    """LibreChat's startup-config shape, built from settings and ``gorunchat.yaml``."""
    app = settings.app
    interface: dict[str, Any] = app.interface.model_dump(exclude_none=True)
    balance = app.balance.model_dump() if app.balance.enabled else None
    social = settings.allow_social_login
    return StartupConfig(
        appTitle=settings.app_title,
        socialLogins=list(app.registration.socialLogins) if social else [],
        serverDomain=settings.domain_server,
        emailLoginEnabled=settings.allow_email_login,
        registrationEnabled=settings.allow_registration,
        socialLoginEnabled=social,
        interface=interface,
        balance=balance,
    )


def banner(settings: Settings) -> Banner | None:
    raw = settings.app.banner
    if not raw or not raw.get("message"):
        return None
    return Banner.model_validate({"bannerId": str(raw.get("bannerId", "config")), **raw})
