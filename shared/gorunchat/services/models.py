"""The model registry: which endpoints and models this deployment offers.

The offline demo endpoint is always present so that chat works with no API key. Built-in
providers appear when their key is configured; custom OpenAI-compatible endpoints come from
``gorunchat.yaml`` ``endpoints.custom``.
"""

from __future__ import annotations

from dataclasses import dataclass

from gorunchat.contracts.config import EndpointInfo
from gorunchat.contracts.settings import Settings

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
    label: str | None = None
    icon_url: str | None = None


def endpoints(settings: Settings) -> list[EndpointSpec]:
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
            custom.name, "custom", tuple(custom.models.default),
            user_provide=custom.apiKey == "user_provided",
            label=custom.modelDisplayLabel or custom.name, icon_url=custom.iconURL,
        ))
    return found


def endpoints_config(settings: Settings) -> dict[str, EndpointInfo]:
    return {
        spec.name: EndpointInfo(order=i, type=spec.type, userProvide=spec.user_provide,
                                modelDisplayLabel=spec.label, iconURL=spec.icon_url)
        for i, spec in enumerate(endpoints(settings))
    }


def models_config(settings: Settings) -> dict[str, list[str]]:
    return {spec.name: list(spec.models) for spec in endpoints(settings)}
