"""Where a call's API key and base URL come from: configuration, or the user (BYOK).

``apiKey: user_provided`` reads the user's stored key for the endpoint (``/api/keys``,
sealed at rest; ``services.keys.user_key`` enforces its expiry). ``baseURL: user_provided``
reads it from the same stored value, LibreChat's JSON form ``{"apiKey": …, "baseURL": …}``;
a URL a user supplied must pass the SSRF guard before any connection is made to it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from anyio import to_thread

from gorunchat.adapters.net.ssrf import check_url
from gorunchat.contracts.errors import BadRequest
from gorunchat.ports.provider import ProviderRequest
from gorunchat.ports.secretbox import SecretBox
from gorunchat.ports.store import Store

USER_PROVIDED = "user_provided"
KeyLookup = Callable[[str, str, str], str]
"""``(tenant, user, endpoint) → stored key``; raises ``GoRunChatError`` when there is none."""


def store_lookup(store: Callable[[], Store], box: Callable[[], SecretBox]) -> KeyLookup:
    """A ``KeyLookup`` over the users' stored keys (``services.keys.user_key``)."""
    from gorunchat.services.keys import user_key

    return lambda tenant, user, name: user_key(store(), box(), tenant, user, name)


@dataclass(frozen=True)
class Credentials:
    api_key: str
    base_url: str | None
    guarded: bool = False  # a user's URL: connect only through the SSRF-pinned client


@dataclass(frozen=True)
class CredentialSource:
    """An endpoint's configured key and base URL, either of which may be user-provided."""

    endpoint: str
    api_key: str
    base_url: str | None = None
    lookup: KeyLookup | None = None

    @property
    def user_key(self) -> bool:
        return self.api_key == USER_PROVIDED

    @property
    def user_url(self) -> bool:
        return self.base_url == USER_PROVIDED

    async def resolve(self, request: ProviderRequest) -> Credentials:
        """The key and URL for ``request``; ``GoRunChatError`` when they are missing or
        the user's URL is refused."""
        if not (self.user_key or self.user_url):
            return Credentials(self.api_key, self.base_url)
        if self.lookup is None or request.user is None:
            raise BadRequest(f"The {self.endpoint} endpoint needs your own key.",
                             code="NO_USER_KEY")
        lookup, tenant, user = self.lookup, request.tenant or "default", request.user
        stored = await to_thread.run_sync(lambda: lookup(tenant, user, self.endpoint))
        key, url = _unpack(stored)
        api_key = key if self.user_key else self.api_key
        base_url = url if self.user_url else self.base_url
        if self.user_url:
            if not base_url:
                raise BadRequest(f"Your {self.endpoint} key has no base URL.",
                                 code="NO_USER_BASE_URL")
            await to_thread.run_sync(check_user_url, base_url)
        return Credentials(api_key, base_url, guarded=self.user_url)


def _unpack(stored: str) -> tuple[str, str | None]:
    """A stored key is either the key itself or ``{"apiKey": …, "baseURL": …}``."""
    if stored.lstrip().startswith("{"):
        try:
            value = json.loads(stored)
        except json.JSONDecodeError:
            return stored, None
        if isinstance(value, dict):
            url = value.get("baseURL")
            return str(value.get("apiKey") or ""), str(url) if url else None
    return stored, None


def check_user_url(url: str) -> None:
    """Refuse a user-supplied URL that reaches a private, loopback, link-local, metadata or
    unspecified address (the shared SSRF guard; ``URL_NOT_ALLOWED``)."""
    check_url(url)
