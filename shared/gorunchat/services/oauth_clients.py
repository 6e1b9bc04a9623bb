"""The identity-provider clients behind ``/oauth/*``: OpenID Connect (OpenID, Google) and
GitHub, on authlib's OAuth 2 client with PKCE (S256), state and nonce.

OpenID Connect providers are found by discovery; their ID token is verified against the
provider's JWKS (signature, issuer, audience, expiry, nonce, ``at_hash``). GitHub is plain
OAuth 2: the profile and the verified primary email come from its REST API.
"""

from __future__ import annotations

import threading
import time
import warnings
from dataclasses import dataclass
from typing import Any, Protocol

import httpx
from authlib.deprecate import AuthlibDeprecationWarning
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from pydantic import BaseModel, ConfigDict, ValidationError

from gorunchat.contracts.authconfig import GithubSettings, OidcProviderSettings
from gorunchat.contracts.errors import ServiceUnavailable, Unauthorized
from gorunchat.domain.authtokens import FlowState

with warnings.catch_warnings():
    # authlib prefers the httpx2 package and warns when it runs on httpx, which we use.
    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    from authlib.integrations.httpx_client import OAuth2Client, OAuthError

TIMEOUT_S = 10.0
_DISCOVERY_TTL_S = 3600.0


@dataclass(frozen=True)
class ExternalIdentity:
    provider: str
    subject: str
    email: str | None
    email_verified: bool
    name: str | None
    username: str | None
    avatar: str | None


class ProviderClient(Protocol):
    name: str

    def authorize_url(self, redirect_uri: str, flow: FlowState) -> str: ...

    def identity(self, redirect_uri: str, code: str, flow: FlowState) -> ExternalIdentity: ...


class OidcMetadata(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str | None = None


_cache: dict[str, tuple[float, OidcMetadata, dict[str, Any]]] = {}
_cache_lock = threading.Lock()


def _failed(message: str) -> Unauthorized:
    return Unauthorized(message, code="OAUTH_FAILED")


def _get_json(url: str, **kwargs: Any) -> Any:
    try:
        response = httpx.get(url, timeout=TIMEOUT_S, **kwargs)
        response.raise_for_status()
        return response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise ServiceUnavailable("The sign-in provider is unavailable.",
                                 code="OAUTH_PROVIDER_UNAVAILABLE") from exc


def discover(issuer: str) -> tuple[OidcMetadata, dict[str, Any]]:
    """The provider's metadata and JWKS, cached for an hour per issuer."""
    with _cache_lock:
        cached = _cache.get(issuer)
    if cached and time.monotonic() - cached[0] < _DISCOVERY_TTL_S:
        return cached[1], cached[2]
    raw = _get_json(issuer.rstrip("/") + "/.well-known/openid-configuration")
    try:
        meta = OidcMetadata.model_validate(raw)
    except ValidationError as exc:
        raise ServiceUnavailable("The sign-in provider's metadata is not valid.",
                                 code="OAUTH_PROVIDER_UNAVAILABLE") from exc
    if meta.issuer.rstrip("/") != issuer.rstrip("/"):
        raise ServiceUnavailable("The sign-in provider names another issuer.",
                                 code="OAUTH_PROVIDER_UNAVAILABLE")
    jwks = _get_json(meta.jwks_uri)
    with _cache_lock:
        _cache[issuer] = (time.monotonic(), meta, jwks)
    return meta, jwks


class OidcClient:
    """Authorization code flow with PKCE against one OpenID Connect provider."""

    def __init__(self, name: str, settings: OidcProviderSettings) -> None:
        self.name = name
        self.settings = settings

    def _session(self, redirect_uri: str) -> OAuth2Client:
        return OAuth2Client(self.settings.client_id, self.settings.client_secret,
                            scope=self.settings.scope, redirect_uri=redirect_uri,
                            code_challenge_method="S256", timeout=TIMEOUT_S)

    def authorize_url(self, redirect_uri: str, flow: FlowState) -> str:
        meta, _ = discover(self.settings.issuer or "")
        with self._session(redirect_uri) as client:
            url, _state = client.create_authorization_url(
                meta.authorization_endpoint, state=flow.state, nonce=flow.nonce,
                code_verifier=flow.verifier)
        return str(url)

    def identity(self, redirect_uri: str, code: str, flow: FlowState) -> ExternalIdentity:
        meta, jwks = discover(self.settings.issuer or "")
        with self._session(redirect_uri) as client:
            try:
                token = client.fetch_token(meta.token_endpoint, code=code,
                                           code_verifier=flow.verifier)
            except (OAuthError, httpx.HTTPError) as exc:
                raise _failed("The provider did not accept the sign-in.") from exc
            claims = self._claims(meta, jwks, token, flow)
            if not claims.get("email") and meta.userinfo_endpoint:
                claims = {**_get_json(meta.userinfo_endpoint, headers={
                    "Authorization": f"Bearer {token['access_token']}"}), **claims}
        return ExternalIdentity(
            provider=self.name, subject=str(claims["sub"]), email=claims.get("email"),
            email_verified=claims.get("email_verified") is True, name=claims.get("name"),
            username=claims.get("preferred_username"), avatar=claims.get("picture"))

    def _claims(self, meta: OidcMetadata, jwks: dict[str, Any], token: dict[str, Any],
                flow: FlowState) -> dict[str, Any]:
        id_token = token.get("id_token")
        if not isinstance(id_token, str):
            raise _failed("The provider sent no ID token.")
        try:
            decoded = jwt.decode(id_token, KeySet.import_key_set(jwks))  # type: ignore[arg-type]
            claims = CodeIDToken(
                decoded.claims, decoded.header,
                options={"iss": {"essential": True, "value": meta.issuer},
                         "sub": {"essential": True}},
                params={"nonce": flow.nonce, "client_id": self.settings.client_id,
                        "access_token": token.get("access_token")})
            claims.validate(leeway=60)
        except (JoseError, ValueError) as exc:
            raise _failed("The provider's ID token is not valid.") from exc
        return dict(claims)


class GithubClient:
    """GitHub (or GitHub Enterprise) OAuth: profile and verified primary email."""

    name = "github"

    def __init__(self, settings: GithubSettings) -> None:
        self.settings = settings

    def _session(self, redirect_uri: str) -> OAuth2Client:
        return OAuth2Client(self.settings.client_id, self.settings.client_secret,
                            scope="read:user user:email", redirect_uri=redirect_uri,
                            code_challenge_method="S256", timeout=TIMEOUT_S)

    def authorize_url(self, redirect_uri: str, flow: FlowState) -> str:
        with self._session(redirect_uri) as client:
            url, _state = client.create_authorization_url(
                f"{self.settings.base_url}/login/oauth/authorize", state=flow.state,
                code_verifier=flow.verifier)
        return str(url)

    def identity(self, redirect_uri: str, code: str, flow: FlowState) -> ExternalIdentity:
        with self._session(redirect_uri) as client:
            try:
                client.fetch_token(f"{self.settings.base_url}/login/oauth/access_token",
                                   code=code, code_verifier=flow.verifier,
                                   headers={"Accept": "application/json"})
                profile = client.get(f"{self.settings.api_url}/user").raise_for_status().json()
                emails = client.get(f"{self.settings.api_url}/user/emails"
                                    ).raise_for_status().json()
            except (OAuthError, httpx.HTTPError, ValueError) as exc:
                raise _failed("GitHub did not accept the sign-in.") from exc
        try:
            primary = next((e for e in emails if isinstance(e, dict) and e.get("primary")), {})
            return ExternalIdentity(
                provider="github", subject=str(profile["id"]), email=primary.get("email"),
                email_verified=primary.get("verified") is True, name=profile.get("name"),
                username=profile.get("login"), avatar=profile.get("avatar_url"))
        except (KeyError, TypeError, AttributeError) as exc:
            raise _failed("GitHub answered with an unexpected profile.") from exc
