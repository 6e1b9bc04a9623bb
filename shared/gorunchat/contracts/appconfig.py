"""The shape of ``gorunchat.yaml``: LibreChat's ``librechat.yaml`` where the two overlap.

Unknown keys are kept (``extra="allow"``) so an existing ``librechat.yaml`` loads unchanged;
the keys GoRunChat acts on are typed and validated here.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class TermsOfService(_Open):
    externalUrl: str | None = None
    openNewTab: bool = True
    modalAcceptance: bool = False
    modalTitle: str | None = None
    modalContent: str | list[str] | None = None


class InterfaceConfig(_Open):
    customWelcome: str | None = None
    privacyPolicy: dict[str, Any] | None = None
    termsOfService: TermsOfService | None = None
    endpointsMenu: bool = True
    modelSelect: bool = True
    parameters: bool = True
    sidePanel: bool = True
    presets: bool = True
    prompts: bool = True
    bookmarks: bool = True
    multiConvo: bool = True
    agents: bool = True
    temporaryChat: bool = True
    runCode: bool = True
    webSearch: bool = True
    fileSearch: bool = True
    fileCitations: bool = True


class RegistrationConfig(_Open):
    socialLogins: list[str] = Field(default_factory=lambda: ["github", "google", "openid"])
    allowedDomains: list[str] = Field(default_factory=list)


class BalanceConfig(_Open):
    enabled: bool = False
    startBalance: int = 20000
    autoRefillEnabled: bool = False
    refillIntervalValue: int = 30
    refillIntervalUnit: Literal["seconds", "minutes", "hours", "days", "weeks", "months"] = (
        "days"
    )
    refillAmount: int = 10000


class MemoryConfig(_Open):
    """LibreChat's ``memory`` section. GoRunChat honours ``disabled``, ``validKeys``,
    ``tokenLimit`` and ``charLimit`` on ``/api/memories``; the memory agent's keys
    (``agent``, ``messageWindowSize``...) are kept, not used."""

    disabled: bool = False
    validKeys: list[str] | None = None
    tokenLimit: int | None = Field(default=None, ge=0)
    charLimit: int = Field(default=10_000, ge=1)
    personalize: bool = True


class CustomEndpointModels(_Open):
    default: list[str] = Field(default_factory=list)
    fetch: bool = False


class CustomEndpoint(_Open):
    name: str = Field(min_length=1, max_length=64)
    apiKey: str
    baseURL: str
    models: CustomEndpointModels = Field(default_factory=CustomEndpointModels)
    titleConvo: bool = False
    titleModel: str | None = None
    modelDisplayLabel: str | None = None
    iconURL: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    addParams: dict[str, Any] = Field(default_factory=dict)
    dropParams: list[str] = Field(default_factory=list)


class EndpointsConfig(_Open):
    custom: list[CustomEndpoint] = Field(default_factory=list)


class ActionsConfig(_Open):
    allowedDomains: list[str] = Field(default_factory=list)


class AppConfig(_Open):
    """The parsed YAML configuration file (all keys optional)."""

    version: str = "1.2.1"
    cache: bool = True
    appTitle: str | None = None
    banner: dict[str, Any] | None = None
    interface: InterfaceConfig = Field(default_factory=InterfaceConfig)
    registration: RegistrationConfig = Field(default_factory=RegistrationConfig)
    balance: BalanceConfig = Field(default_factory=BalanceConfig)
    memory: MemoryConfig = Field(default_factory=MemoryConfig)
    endpoints: EndpointsConfig = Field(default_factory=EndpointsConfig)
    mcpServers: dict[str, dict[str, Any]] = Field(default_factory=dict)
    actions: ActionsConfig = Field(default_factory=ActionsConfig)
    fileConfig: dict[str, Any] | None = None
