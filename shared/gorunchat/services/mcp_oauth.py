"""OAuth for tools: start a flow, finish it at the callback, keep tokens fresh.

MCP servers start flows here (discovery, dynamic registration); actions start theirs in
``services.action_oauth`` and share everything after the start. ``kind`` tells them apart:
it names the stored token type, the sealing context, the audit actions and the guard.

* A flow (PKCE verifier, state = flow id, client registration, token endpoint) lives in Redis
  for 10 minutes, keyed by tenant and flow id; only the user who started it sees it.
* The callback is public, so it is bound to the browser that started the flow: ``initiate``
  and ``bind`` set a cookie whose SHA-256 the flow keeps; the callback must bring it back.
* Tokens are sealed with ``SecretBox`` (context: tenant, user, server) in ``tokens``.
* A token due within ``REFRESH_SKEW_S`` is refreshed under a Redis lock per user and server;
  whoever gets the lock second finds the token already rotated and uses it, so two instances
  never spend one refresh token.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any, Literal
from urllib.parse import urlencode

from anyio import to_thread
from pydantic import BaseModel

from gorunchat.adapters.mcp import oauth_http
from gorunchat.adapters.net.ssrf import AllowList, SsrfBlocked
from gorunchat.contracts.audit import Actor, AuditEvent
from gorunchat.contracts.auth import AuthToken
from gorunchat.contracts.documents import utcnow
from gorunchat.contracts.errors import BadRequest, NotFound, ServiceUnavailable
from gorunchat.contracts.settings import Settings
from gorunchat.domain.ids import object_id
from gorunchat.ports.secretbox import SecretBox
from gorunchat.ports.store import Store
from gorunchat.services import egress

FLOW_TTL_S = 600
REFRESH_SKEW_S = 60
LOCK_TTL_S = 30
TOKEN_TYPE = "mcp_oauth"
ACTION_TOKEN_TYPE = "action_oauth"
_AUDIT = {TOKEN_TYPE: ("mcp", "mcpServer"), ACTION_TOKEN_TYPE: ("action", "action")}


class OAuthFlow(BaseModel):
    flowId: str
    tenantId: str
    userId: str
    serverName: str
    verifier: str
    clientId: str
    clientSecret: str | None = None
    tokenEndpoint: str
    redirectUri: str
    resource: str
    bindHash: str | None = None
    trusted: list[str] = []
    status: Literal["pending", "complete", "failed", "cancelled"] = "pending"
    error: str | None = None
    createdAt: float
    kind: str = TOKEN_TYPE
    basicAuth: bool = False  # client credentials in an HTTP Basic header, not the form


class StoredTokens(BaseModel):
    access_token: str
    refresh_token: str | None = None
    expires_at: float
    token_endpoint: str
    client_id: str
    client_secret: str | None = None
    resource: str
    trusted: list[str] = []
    kind: str = TOKEN_TYPE
    basic_auth: bool = False


@dataclass(frozen=True)
class OAuthDeps:
    store: Store
    redis: Any  # redis.Redis (sync client; used from a worker thread)
    secretbox: SecretBox
    settings: Settings


def flow_not_found() -> NotFound:
    return NotFound("The OAuth flow does not exist or has expired.", code="MCP_OAUTH_FLOW")


def _flow_key(tenant: str, flow_id: str) -> str:
    return f"mcp:oauth:flow:{tenant}:{flow_id}"


def _pending_key(kind: str, tenant: str, user_id: str, subject: str) -> str:
    return f"oauth:pending:{kind}:{tenant}:{user_id}:{subject}"


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def callback_url(settings: Settings, server_name: str) -> str:
    return f"{settings.domain_server.rstrip('/')}/api/mcp/{server_name}/oauth/callback"


def bind_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def _save_flow(deps: OAuthDeps, flow: OAuthFlow) -> None:
    def save() -> None:
        pipe = deps.redis.pipeline()
        pipe.set(_flow_key(flow.tenantId, flow.flowId), flow.model_dump_json(), ex=FLOW_TTL_S)
        pending = _pending_key(flow.kind, flow.tenantId, flow.userId, flow.serverName)
        if flow.status == "pending":
            pipe.set(pending, flow.flowId, ex=FLOW_TTL_S)
        pipe.execute()

    await to_thread.run_sync(save)


async def pending_flow(deps: OAuthDeps, kind: str, tenant: str, user_id: str,
                       subject: str) -> OAuthFlow:
    """The caller's latest pending flow for ``subject`` (an action's bind names no flow)."""
    raw = await to_thread.run_sync(deps.redis.get,
                                   _pending_key(kind, tenant, user_id, subject))
    if raw is None:
        raise flow_not_found()
    flow = await load_flow(deps, tenant, raw.decode() if isinstance(raw, bytes) else raw)
    if flow.status != "pending" or flow.userId != user_id or flow.kind != kind:
        raise flow_not_found()
    return flow


def new_flow_secrets() -> tuple[str, str, str, str]:
    """(flow id, PKCE verifier, PKCE challenge, bind secret) for a new flow."""
    verifier, challenge = _pkce()
    return secrets.token_urlsafe(24), verifier, challenge, secrets.token_urlsafe(32)


async def save_flow(deps: OAuthDeps, flow: OAuthFlow) -> None:
    await _save_flow(deps, flow)


async def load_flow(deps: OAuthDeps, tenant: str, flow_id: str) -> OAuthFlow:
    raw = await to_thread.run_sync(deps.redis.get, _flow_key(tenant, flow_id[:128]))
    if raw is None:
        raise flow_not_found()
    return OAuthFlow.model_validate_json(raw)


async def initiate(deps: OAuthDeps, tenant: str, user_id: str, server_name: str,
                   server_url: str, oauth: dict[str, Any], trusted: list[str]
                   ) -> tuple[str, OAuthFlow, str]:
    """Start a flow: (authorization URL, flow, bind secret for the browser's cookie).

    ``trusted``: hosts exempt from the private-address rule (the admin's own server).
    """
    allow = egress.mcp_allow_list(deps.settings, trusted)
    try:
        meta, resource = await oauth_http.discover(server_url, allow)
        redirect = oauth.get("redirect_uri") or callback_url(deps.settings, server_name)
        client_id, secret = oauth.get("client_id"), oauth.get("client_secret")
        if not client_id:
            client_id, secret = await oauth_http.register(meta, redirect, allow,
                                                          oauth.get("scope"))
    except (oauth_http.OAuthHttpError, SsrfBlocked) as exc:
        raise ServiceUnavailable(f"OAuth discovery failed: {exc}",
                                 code="MCP_OAUTH_DISCOVERY_FAILED") from exc
    verifier, challenge = _pkce()
    bind_secret = secrets.token_urlsafe(32)
    flow = OAuthFlow(flowId=secrets.token_urlsafe(24), tenantId=tenant, userId=user_id,
                     serverName=server_name, verifier=verifier, clientId=client_id,
                     clientSecret=secret, tokenEndpoint=meta["token_endpoint"],
                     redirectUri=redirect, resource=resource, bindHash=bind_hash(bind_secret),
                     trusted=trusted, createdAt=time.time())
    await _save_flow(deps, flow)
    query = {"response_type": "code", "client_id": client_id, "redirect_uri": redirect,
             "state": flow.flowId, "code_challenge": challenge,
             "code_challenge_method": "S256", "resource": resource}
    if oauth.get("scope"):
        query["scope"] = oauth["scope"]
    return f"{meta['authorization_endpoint']}?{urlencode(query)}", flow, bind_secret


async def rebind(deps: OAuthDeps, tenant: str, user_id: str, flow_id: str,
                 server: str, kind: str = TOKEN_TYPE) -> str:
    """A fresh bind secret for the caller's own pending flow (``POST …/oauth/bind``)."""
    flow = await load_flow(deps, tenant, flow_id)
    if (flow.userId != user_id or flow.status != "pending" or flow.serverName != server
            or flow.kind != kind):
        raise flow_not_found()
    secret = secrets.token_urlsafe(32)
    await _save_flow(deps, flow.model_copy(update={"bindHash": bind_hash(secret)}))
    return secret


async def complete(deps: OAuthDeps, tenant: str, state: str, code: str,
                   bind_secret: str | None, kind: str = TOKEN_TYPE,
                   subject: str | None = None) -> OAuthFlow:
    """Exchange the code for tokens for the flow's user; the browser must be the binder,
    and the callback's path must name the flow's kind and subject."""
    flow = await load_flow(deps, tenant, state)
    if flow.kind != kind or (subject is not None and flow.serverName != subject):
        raise flow_not_found()
    if flow.status != "pending":
        raise BadRequest("This OAuth flow is already finished.", code="MCP_OAUTH_FLOW_DONE")
    if not bind_secret or not secrets.compare_digest(bind_hash(bind_secret),
                                                     flow.bindHash or ""):
        raise BadRequest("This OAuth callback did not come from the browser that started "
                         "the flow.", code="MCP_OAUTH_NOT_BOUND")
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": flow.redirectUri,
            "code_verifier": flow.verifier, "client_id": flow.clientId,
            "client_secret": flow.clientSecret or "", "resource": flow.resource}
    try:
        answer = await oauth_http.token(flow.tokenEndpoint, form,
                                        guard(deps.settings, flow.kind, flow.trusted),
                                        basic=flow.basicAuth)
    except (oauth_http.OAuthHttpError, SsrfBlocked) as exc:
        await _save_flow(deps, flow.model_copy(update={"status": "failed", "error": str(exc)}))
        raise ServiceUnavailable(f"The token exchange failed: {exc}",
                                 code="MCP_OAUTH_EXCHANGE_FAILED") from exc
    tokens = _tokens(answer, flow, None)
    await to_thread.run_sync(_store, deps, tenant, flow.userId, flow.serverName, tokens,
                             "oauth_callback")
    done = flow.model_copy(update={"status": "complete"})
    await _save_flow(deps, done)
    return done


def guard(settings: Settings, kind: str, trusted: list[str]) -> AllowList:
    """The guard for a flow's endpoints: the actions' allow-lists for actions."""
    if kind == ACTION_TOKEN_TYPE:
        return egress.actions_allow_list(settings)
    return egress.mcp_allow_list(settings, trusted)


def _tokens(answer: dict[str, Any], source: OAuthFlow | StoredTokens,
            old_refresh: str | None) -> StoredTokens:
    expires_in = float(answer.get("expires_in") or 3600)
    if isinstance(source, OAuthFlow):
        base = {"token_endpoint": source.tokenEndpoint, "client_id": source.clientId,
                "client_secret": source.clientSecret, "resource": source.resource,
                "trusted": source.trusted, "kind": source.kind,
                "basic_auth": source.basicAuth}
    else:
        base = source.model_dump(include={"token_endpoint", "client_id", "client_secret",
                                          "resource", "trusted", "kind", "basic_auth"})
    return StoredTokens(access_token=answer["access_token"],
                        refresh_token=answer.get("refresh_token") or old_refresh,
                        expires_at=time.time() + expires_in, **base)


def _context(tenant: str, user_id: str, server: str, kind: str) -> bytes:
    label = "mcp-oauth" if kind == TOKEN_TYPE else kind
    return f"{label}\x1f{tenant}\x1f{user_id}\x1f{server}".encode()


def _where(user_id: str, server: str, kind: str) -> dict[str, str]:
    return {"userId": user_id, "type": f"{kind}:{server}"}


def _audit(kind: str, name: str, user_id: str, subject: str) -> AuditEvent:
    prefix, target_type = _AUDIT[kind]
    return AuditEvent(action=f"{prefix}.{name}", actor=Actor(userId=user_id),
                      targetType=target_type, targetId=subject)


def _store(deps: OAuthDeps, tenant: str, user_id: str, server: str, tokens: StoredTokens,
           action: str) -> None:
    kind = tokens.kind
    sealed = deps.secretbox.seal(tokens.model_dump_json().encode(),
                                 context=_context(tenant, user_id, server, kind))
    with deps.store.unit_of_work(tenant) as uow:
        repo = uow.repo(AuthToken)
        repo.delete_many(_where(user_id, server, kind))
        repo.insert(AuthToken(id=object_id(), userId=user_id, email="",
                              type=f"{kind}:{server}", token=sealed,
                              expiresAt=utcnow() + timedelta(days=365)))
        uow.record(_audit(kind, action, user_id, server))
        uow.commit()


def load_tokens(deps: OAuthDeps, tenant: str, user_id: str, server: str,
                kind: str = TOKEN_TYPE) -> StoredTokens | None:
    with deps.store.unit_of_work(tenant, readonly=True) as uow:
        found = uow.repo(AuthToken).find_one(_where(user_id, server, kind))
    if found is None:
        return None
    raw = deps.secretbox.open(found.token, context=_context(tenant, user_id, server, kind))
    return StoredTokens.model_validate(json.loads(raw))


def forget(store: Store, tenant: str, user_id: str, server: str,
           kind: str = TOKEN_TYPE) -> int:
    """Drop the user's tokens for a server (``POST …/oauth/cancel``), audited."""
    with store.unit_of_work(tenant) as uow:
        count = uow.repo(AuthToken).delete_many(_where(user_id, server, kind))
        uow.record(_audit(kind, "oauth_cancel", user_id, server))
        uow.commit()
    return count


async def access_token(deps: OAuthDeps, tenant: str, user_id: str, server: str,
                       kind: str = TOKEN_TYPE) -> str | None:
    """A valid access token for the user on ``server`` (refreshed if due), or ``None``."""
    seen = await to_thread.run_sync(load_tokens, deps, tenant, user_id, server, kind)
    if seen is None:
        return None
    if seen.expires_at - time.time() > REFRESH_SKEW_S or not seen.refresh_token:
        return seen.access_token
    return await to_thread.run_sync(_refresh_locked, deps, tenant, user_id, server, seen)


def _refresh_locked(deps: OAuthDeps, tenant: str, user_id: str, server: str,
                    seen: StoredTokens) -> str:
    kind = seen.kind
    lock = deps.redis.lock(f"mcp:oauth:refresh:{kind}:{tenant}:{user_id}:{server}",
                           timeout=LOCK_TTL_S, blocking_timeout=LOCK_TTL_S)
    if not lock.acquire():
        raise ServiceUnavailable("Another refresh of this token is taking too long.",
                                 code="MCP_OAUTH_REFRESH_BUSY")
    try:
        now = load_tokens(deps, tenant, user_id, server, kind)
        if now is None:
            raise NotFound("The OAuth token was removed.", code="MCP_OAUTH_TOKEN_GONE")
        if now.refresh_token != seen.refresh_token:
            return now.access_token  # another instance rotated it while we waited
        return _refresh(deps, tenant, user_id, server, now)
    finally:
        lock.release()


def _refresh(deps: OAuthDeps, tenant: str, user_id: str, server: str,
             tokens: StoredTokens) -> str:
    import anyio

    form = {"grant_type": "refresh_token", "refresh_token": tokens.refresh_token or "",
            "client_id": tokens.client_id, "client_secret": tokens.client_secret or "",
            "resource": tokens.resource}
    try:
        answer = anyio.run(partial(oauth_http.token, tokens.token_endpoint, form,
                                   guard(deps.settings, tokens.kind, tokens.trusted),
                                   basic=tokens.basic_auth))
    except (oauth_http.OAuthHttpError, SsrfBlocked) as exc:
        raise ServiceUnavailable(f"The token refresh failed: {exc}",
                                 code="MCP_OAUTH_REFRESH_FAILED") from exc
    fresh = _tokens(answer, tokens, tokens.refresh_token)
    _store(deps, tenant, user_id, server, fresh, "oauth_refresh")
    return fresh.access_token
