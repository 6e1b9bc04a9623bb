"""The model registry: which endpoints and models this deployment offers.

The offline demo endpoint is always present so that chat works with no API key. Built-in
providers appear when their key is configured; custom OpenAI-compatible endpoints come from
``gorunchat.yaml`` ``endpoints.custom``. An endpoint with ``models.fetch: true`` lists its
models live (``GET {baseURL}/models``, through the ``lister`` the edge passes), cached for
``FETCH_TTL_S``; an endpoint that needs the user's key or URL (``user_provided``) is
flagged (``userProvide``, ``userProvideURL``) and keeps its configured list.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from gorunchat.contracts.appconfig import CustomEndpoint
from gorunchat.contracts.config import EndpointInfo, ModelTokenConfig, TokenConfig
from gorunchat.contracts.settings import Settings
from gorunchat.domain.pricing import rate_for

ModelLister = Callable[[str, str], list[str]]
"""``(baseURL, apiKey) → model ids`` (``[]`` when the endpoint does not answer)."""
FETCH_TTL_S = 120.0
USER_PROVIDED = "user_provided"
_cache: dict[tuple[str, str], tuple[float, tuple[str, ...]]] = {}
_cache_lock = threading.Lock()

OFFLINE = "offline"

DEFAULT_MODELS: dict[str, tuple[str, ...]] = {
    OFFLINE: ("demo",),
    "openAI": ("gpt-4.1", "gpt-4.1-mini", "gpt-4o", "gpt-4o-mini", "o4-mini"),
    "anthropic": ("claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-1"),
    "google": ("gemini-2.5-pro", "gemini-2.5-flash"),
}


@dataclass(frozen=True)
class EndpointSpec:
    name: str
    type: str | None
    models: tuple[str, ...]
    user_provide: bool = False
    user_provide_url: bool = False
    label: str | None = None
    icon_url: str | None = None


def _fetched(custom: CustomEndpoint, lister: ModelLister | None) -> tuple[str, ...]:
    """The endpoint's live list (cached for ``FETCH_TTL_S``), else its defaults."""
    defaults = tuple(custom.models.default)
    if not custom.models.fetch or lister is None or USER_PROVIDED in (custom.apiKey,
                                                                       custom.baseURL):
        return defaults
    key = (custom.name, custom.baseURL)
    now = time.monotonic()
    with _cache_lock:
        hit = _cache.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    listed = tuple(lister(custom.baseURL, custom.apiKey))
    models = tuple(dict.fromkeys((*defaults, *listed)))
    with _cache_lock:
        _cache[key] = (now + FETCH_TTL_S, models)
    return models


def endpoints(settings: Settings, lister: ModelLister | None = None) -> list[EndpointSpec]:
    """Every endpoint this deployment offers, in menu order."""
    found = [EndpointSpec(OFFLINE, None, DEFAULT_MODELS[OFFLINE], label="Offline demo")]
    keys = {"openAI": settings.openai_api_key, "anthropic": settings.anthropic_api_key,
            "google": settings.google_api_key}
    for name, key in keys.items():
        if key:
            found.append(EndpointSpec(name, None, DEFAULT_MODELS[name],
                                      user_provide=key == "user_provided"))
    for custom in settings.app.endpoints.custom:
        found.append(EndpointSpec(
            custom.name, "custom", _fetched(custom, lister),
            user_provide=custom.apiKey == USER_PROVIDED,
            user_provide_url=custom.baseURL == USER_PROVIDED,
            label=custom.modelDisplayLabel or custom.name, icon_url=custom.iconURL,
        ))
    return found


def endpoints_config(settings: Settings) -> dict[str, EndpointInfo]:
    return {
        spec.name: EndpointInfo(order=i, type=spec.type, userProvide=spec.user_provide,
                                userProvideURL=spec.user_provide_url,
                                modelDisplayLabel=spec.label, iconURL=spec.icon_url)
        for i, spec in enumerate(endpoints(settings))
    }


def models_config(settings: Settings, lister: ModelLister | None = None
                  ) -> dict[str, list[str]]:
    """``GET /api/models``: endpoint → models (live where ``models.fetch`` is set)."""
    return {spec.name: list(spec.models) for spec in endpoints(settings, lister)}


def token_config(settings: Settings, lister: ModelLister | None = None) -> TokenConfig:
    """``GET /api/endpoints/token-config``: each offered model's context window and rates
    (USD per 1M tokens, LibreChat's semantics: 1M credits = 1 USD)."""
    table: dict[str, dict[str, ModelTokenConfig]] = {}
    for spec in endpoints(settings, lister):
        table[spec.name] = {}
        for model in spec.models:
            rate = rate_for(model)
            table[spec.name][model] = ModelTokenConfig(
                context=rate.context, prompt=rate.prompt, completion=rate.completion,
                cacheWrite=rate.cache_write, cacheRead=rate.cache_read)
    return TokenConfig(table)
