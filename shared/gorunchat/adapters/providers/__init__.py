"""Model provider adapters and the registry the streaming service looks endpoints up in.

The offline demo provider is always present; the providers issue adds OpenAI, Anthropic,
Google and custom endpoints here, each behind ``ports.provider.ModelProvider``.
"""

from __future__ import annotations

from gorunchat.adapters.providers.offline import ENDPOINT as OFFLINE_ENDPOINT
from gorunchat.adapters.providers.offline import MODEL as OFFLINE_MODEL
from gorunchat.adapters.providers.offline import OfflineProvider
from gorunchat.contracts.settings import Settings
from gorunchat.ports.provider import ModelProvider


class Providers:
    """Endpoint name → provider, with the endpoint a request without one falls back to."""

    def __init__(self, providers: dict[str, ModelProvider], default: tuple[str, str]) -> None:
        self._providers = dict(providers)
        self._default = default

    def register(self, endpoint: str, provider: ModelProvider) -> None:
        """Serve ``endpoint`` with ``provider`` (configured endpoints, tests)."""
        self._providers[endpoint] = provider

    def provider(self, endpoint: str) -> ModelProvider | None:
        return self._providers.get(endpoint)

    def default_endpoint(self) -> tuple[str, str]:
        return self._default

    def endpoints(self) -> tuple[str, ...]:
        return tuple(sorted(self._providers))


def build_providers(settings: Settings) -> Providers:
    """The providers this deployment serves (only the offline demo model so far)."""
    offline = OfflineProvider(default_tokens=settings.offline_tokens,
                              default_tokens_per_second=settings.offline_tokens_per_second)
    return Providers({OFFLINE_ENDPOINT: offline}, default=(OFFLINE_ENDPOINT, OFFLINE_MODEL))
