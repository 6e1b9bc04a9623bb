"""Model provider adapters and the registry the streaming service looks endpoints up in.

The offline demo provider is always present (the zero-config default). OpenAI, Anthropic
and Google appear when their key is set (``OPENAI_API_KEY`` … or ``user_provided`` for
BYOK); their base URLs follow LibreChat's ``*_REVERSE_PROXY`` variables. OpenAI is served
through the Responses API unless ``OPENAI_API_TRANSPORT=chat``. Custom OpenAI-compatible
endpoints come from ``gorunchat.yaml`` ``endpoints.custom``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from gorunchat.adapters.providers.credentials import CredentialSource, KeyLookup
from gorunchat.adapters.providers.offline import ENDPOINT as OFFLINE_ENDPOINT
from gorunchat.adapters.providers.offline import MODEL as OFFLINE_MODEL
from gorunchat.adapters.providers.offline import OfflineProvider
from gorunchat.contracts.settings import Settings
from gorunchat.ports.provider import ModelProvider
from gorunchat.services.titles import TitlePlan


class Providers:
    """Endpoint name → provider, with the endpoint a request without one falls back to."""

    def __init__(self, providers: dict[str, ModelProvider], default: tuple[str, str],
                 titles: dict[str, str | None] | None = None) -> None:
        self._providers = dict(providers)
        self._default = default
        self._titles = dict(titles or {})

    def register(self, endpoint: str, provider: ModelProvider,
                 title_model: str | None = "") -> None:
        """Serve ``endpoint`` with ``provider`` (configured endpoints, tests); titles use
        ``title_model`` ('' = the conversation's model, ``None`` = no titles)."""
        self._providers[endpoint] = provider
        self._titles[endpoint] = title_model

    def provider(self, endpoint: str) -> ModelProvider | None:
        return self._providers.get(endpoint)

    def default_endpoint(self) -> tuple[str, str]:
        return self._default

    def endpoints(self) -> tuple[str, ...]:
        return tuple(sorted(self._providers))

    def title_plan(self, endpoint: str, model: str) -> TitlePlan | None:
        """How to title a new conversation on ``endpoint``, or ``None`` for no title."""
        if endpoint == OFFLINE_ENDPOINT:
            return TitlePlan(None, OFFLINE_MODEL)
        provider = self._providers.get(endpoint)
        title_model = self._titles.get(endpoint, "")
        if provider is None or title_model is None:
            return None
        return TitlePlan(provider, title_model or model)


def build_providers(settings: Settings, lookup: KeyLookup | None = None,
                    env: Mapping[str, str] | None = None) -> Providers:
    """The providers this deployment serves. ``lookup`` reads users' stored keys;
    ``env`` (default: the process environment, read once here at composition) fills
    ``${NAME}`` references and the reverse-proxy URLs."""
    # Each SDK is imported only when its endpoint is configured: together they cost seconds
    # of import time and tens of MB per process, and the zero-config stack needs none.
    env = os.environ if env is None else env
    offline = OfflineProvider(default_tokens=settings.offline_tokens,
                              default_tokens_per_second=settings.offline_tokens_per_second)
    found = Providers({OFFLINE_ENDPOINT: offline}, default=(OFFLINE_ENDPOINT, OFFLINE_MODEL))
    if settings.openai_api_key:
        from gorunchat.adapters.providers.openai_chat import OpenAIChatProvider, OpenAIConfig
        from gorunchat.adapters.providers.openai_responses import OpenAIResponsesProvider

        source = CredentialSource("openAI", settings.openai_api_key,
                                  env.get("OPENAI_REVERSE_PROXY") or None, lookup)
        config = OpenAIConfig(credentials=source, label="OpenAI")
        chat = env.get("OPENAI_API_TRANSPORT", "responses") == "chat"
        found.register("openAI", OpenAIChatProvider(config) if chat
                       else OpenAIResponsesProvider(config), env.get("OPENAI_TITLE_MODEL", ""))
    if settings.anthropic_api_key:
        from gorunchat.adapters.providers.anthropic import AnthropicConfig, AnthropicProvider

        source = CredentialSource("anthropic", settings.anthropic_api_key, None, lookup)
        found.register("anthropic", AnthropicProvider(AnthropicConfig(
            source, base_url=env.get("ANTHROPIC_REVERSE_PROXY") or None)),
            env.get("ANTHROPIC_TITLE_MODEL", ""))
    if settings.google_api_key:
        from gorunchat.adapters.providers.google import GoogleConfig, GoogleProvider

        source = CredentialSource("google", settings.google_api_key, None, lookup)
        found.register("google", GoogleProvider(GoogleConfig(
            source, base_url=env.get("GOOGLE_REVERSE_PROXY") or None)),
            env.get("GOOGLE_TITLE_MODEL", ""))
    if settings.app.endpoints.custom:
        from gorunchat.adapters.providers.custom import custom_provider
    for endpoint in settings.app.endpoints.custom:
        found.register(endpoint.name, custom_provider(endpoint, env, lookup),
                       (endpoint.titleModel or "") if endpoint.titleConvo else None)
    return found
