"""The HTTP side of MCP OAuth, through the SSRF-guarded client: discovery (protected resource
metadata, RFC 9728; authorization server metadata, RFC 8414), dynamic client registration
(RFC 7591) and the token endpoint (code and refresh grants)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from gorunchat.adapters.net.clients import guarded_client
from gorunchat.adapters.net.ssrf import AllowList


class OAuthHttpError(RuntimeError):
    """The authorization server answered something unusable."""


async def _json(client: httpx.AsyncClient, method: str, url: str,
                **kwargs: Any) -> dict[str, Any]:
    try:
        response = await client.request(method, url, **kwargs)
    except httpx.HTTPError as exc:
        raise OAuthHttpError(f"{url}: {exc}") from exc
    if response.status_code >= 400:
        raise OAuthHttpError(f"{url} answered {response.status_code}: {response.text[:200]}")
    try:
        body = response.json()
    except ValueError as exc:
        raise OAuthHttpError(f"{url} did not answer JSON") from exc
    if not isinstance(body, dict):
        raise OAuthHttpError(f"{url} did not answer a JSON object")
    return body


def _well_known(base: str, name: str) -> str:
    parts = urlsplit(base)
    path = parts.path.rstrip("/")
    return f"{parts.scheme}://{parts.netloc}/.well-known/{name}{path}"


async def discover(server_url: str, allow: AllowList) -> tuple[dict[str, Any], str]:
    """(authorization server metadata, resource) for an MCP server URL."""
    async with guarded_client(allow, timeout=10) as client:
        try:
            prm = await _json(client, "GET", _well_known(server_url, "oauth-protected-resource"))
        except OAuthHttpError:
            parts = urlsplit(server_url)
            prm = await _json(client, "GET", f"{parts.scheme}://{parts.netloc}/.well-known/"
                                              "oauth-protected-resource")
        servers = prm.get("authorization_servers") or []
        if not servers:
            raise OAuthHttpError("the MCP server names no authorization server")
        issuer = str(servers[0])
        try:
            meta = await _json(client, "GET",
                               _well_known(issuer, "oauth-authorization-server"))
        except OAuthHttpError:
            meta = await _json(client, "GET", _well_known(issuer, "openid-configuration"))
    for key in ("authorization_endpoint", "token_endpoint"):
        if not isinstance(meta.get(key), str):
            raise OAuthHttpError(f"the authorization server metadata has no {key}")
    return meta, str(prm.get("resource") or server_url)


async def register(meta: dict[str, Any], redirect_uri: str, allow: AllowList,
                   scope: str | None) -> tuple[str, str | None]:
    """(client_id, client_secret) from dynamic client registration."""
    endpoint = meta.get("registration_endpoint")
    if not isinstance(endpoint, str):
        raise OAuthHttpError("the authorization server offers no dynamic registration; "
                             "configure oauth.client_id")
    body: dict[str, Any] = {"client_name": "GoRunChat", "redirect_uris": [redirect_uri],
                            "grant_types": ["authorization_code", "refresh_token"],
                            "response_types": ["code"],
                            "token_endpoint_auth_method": "client_secret_post"}
    if scope:
        body["scope"] = scope
    async with guarded_client(allow, timeout=10) as client:
        answer = await _json(client, "POST", endpoint, json=body)
    client_id = answer.get("client_id")
    if not isinstance(client_id, str):
        raise OAuthHttpError("the registration answer has no client_id")
    secret = answer.get("client_secret")
    return client_id, secret if isinstance(secret, str) else None


async def token(endpoint: str, form: dict[str, str], allow: AllowList,
                basic: bool = False) -> dict[str, Any]:
    """POST a grant to the token endpoint; the token response.

    ``basic``: send the client id and secret as HTTP Basic credentials (RFC 6749 §2.3.1)
    instead of in the form."""
    data = {k: v for k, v in form.items() if v}
    auth = None
    if basic:
        auth = httpx.BasicAuth(quote(data.pop("client_id", ""), safe=""),
                               quote(data.pop("client_secret", ""), safe=""))
    async with guarded_client(allow, timeout=15) as client:
        answer = await _json(client, "POST", endpoint, data=data, auth=auth,
                             headers={"Accept": "application/json"})
    if not isinstance(answer.get("access_token"), str):
        raise OAuthHttpError("the token answer has no access_token")
    return answer
