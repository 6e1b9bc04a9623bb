"""Where a call's API key and base URL come from: configuration, or the user (BYOK).

``apiKey: user_provided`` reads the user's stored key for the endpoint (``/api/keys``,
sealed at rest; ``services.keys.user_key`` enforces its expiry). ``baseURL: user_provided``
reads it from the same stored value, LibreChat's JSON form ``{"apiKey": …, "baseURL": …}``;
a URL a user supplied must pass the SSRF guard before any connection is made to it.
"""

from __future__ import annotations

import importlib
import ipaddress
import json
import socket
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from anyio import to_thread

from gorunchat.contracts.errors import BadRequest, Forbidden
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
        return Credentials(api_key, base_url)


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
    unspecified address. Uses the shared SSRF guard (``gorunchat.adapters.net.ssrf``) when
    it is installed; this local check stands in until then."""
    try:
        guard = importlib.import_module("gorunchat.adapters.net.ssrf")
    except ModuleNotFoundError:
        guard = None
    check = getattr(guard, "check_url", None) if guard is not None else None
    if callable(check):
        check(url, None)
        return
    _local_check(url)


def _local_check(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadRequest("The base URL must be an http(s) URL.", code="INVALID_BASE_URL")
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise BadRequest("The base URL's host cannot be resolved.",
                         code="INVALID_BASE_URL") from exc
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if not address.is_global or address.is_multicast:
            raise Forbidden("The base URL points at a private or reserved address.",
                            code="SSRF_BLOCKED")
