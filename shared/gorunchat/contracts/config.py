"""DTOs of the configuration routes: startup config, endpoints, models, banner."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, RootModel


class StartupConfig(BaseModel):
    """``GET /api/config``: LibreChat's startup configuration shape."""

    model_config = ConfigDict(extra="allow")

    appTitle: str
    socialLogins: list[str] = Field(default_factory=list)
    discordLoginEnabled: bool = False
    facebookLoginEnabled: bool = False
    githubLoginEnabled: bool = False
    googleLoginEnabled: bool = False
    appleLoginEnabled: bool = False
    openidLoginEnabled: bool = False
    openidLabel: str = "Continue with OpenID"
    openidImageUrl: str | None = None
    openidAutoRedirect: bool = False
    samlLoginEnabled: bool = False
    samlLabel: str = "Continue with SAML"
    samlImageUrl: str | None = None
    ldap: dict[str, Any] | None = None
    serverDomain: str
    emailLoginEnabled: bool = True
    registrationEnabled: bool = True
    socialLoginEnabled: bool = False
    passwordResetEnabled: bool = False
    emailEnabled: bool = False
    showBirthdayIcon: bool = False
    helpAndFaqURL: str = "/"
    interface: dict[str, Any] = Field(default_factory=dict)
    sharedLinksEnabled: bool = True
    publicSharedLinksEnabled: bool = False
    instanceProjectId: str = "instance"
    balance: dict[str, Any] | None = None
    minPasswordLength: int = 8
    conversationImportMaxFileSize: int = 0


class EndpointInfo(BaseModel):
    """One entry of ``GET /api/endpoints`` (keyed by endpoint name)."""

    order: int
    type: str | None = None
    userProvide: bool = False
    userProvideURL: bool = False
    modelDisplayLabel: str | None = None
    iconURL: str | None = None


class ModelTokenConfig(BaseModel):
    """One model's context window and rates (USD per 1M tokens; 1M credits = 1 USD)."""

    context: int
    prompt: float
    completion: float
    cacheWrite: float | None = None
    cacheRead: float | None = None


class TokenConfig(RootModel[dict[str, dict[str, ModelTokenConfig]]]):
    """``GET /api/endpoints/token-config``: endpoint → model → limits and rates."""


class EndpointsConfig(RootModel[dict[str, EndpointInfo]]):
    pass


class ModelsConfig(RootModel[dict[str, list[str]]]):
    pass


class Banner(BaseModel):
    model_config = ConfigDict(extra="allow")

    bannerId: str
    message: str
    displayFrom: str | None = None
    displayTo: str | None = None
    type: str = "banner"
    isPublic: bool = True
    persistable: bool = False


class Health(BaseModel):
    status: str
    checks: dict[str, str] = Field(default_factory=dict)
