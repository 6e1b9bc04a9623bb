"""OAuth for actions: the action's own authorization and token URLs, per-user tokens.

An action saved with ``auth.type: oauth`` names its ``authorization_url``, its token URL
(``client_url``, LibreChat's name), ``scope`` and ``token_exchange_method``
(``default_post`` or ``basic_auth_header``); its client id and sealed client secret are in
the action's metadata. Both URLs pass the actions' guard when saved and again on every
request (the guarded client re-checks each hop).

A call that finds no token for the user starts a flow (PKCE, state = flow id) and answers
with the sign-in URL instead of calling the API. The browser then calls ``bind`` (which sets
the cookie the public callback must bring back, binding the flow to that browser) and opens
the URL; the callback exchanges the code and stores the tokens sealed, per user and action.
Later calls use the token, refreshed under the shared Redis lock when it is due.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlencode

from gorunchat.contracts.actions import ActionDoc
from gorunchat.contracts.errors import BadRequest
from gorunchat.services import mcp_oauth
from gorunchat.services.mcp_oauth import ACTION_TOKEN_TYPE, OAuthDeps, OAuthFlow

KIND = ACTION_TOKEN_TYPE


class ActionSignInRequired(Exception):
    """The user has no token for the action yet; ``url`` is where they sign in."""

    def __init__(self, action_id: str, url: str) -> None:
        super().__init__(f"Sign in to use this action: {url}")
        self.action_id = action_id
        self.url = url


def callback_url(deps: OAuthDeps, action_id: str) -> str:
    return f"{deps.settings.domain_server.rstrip('/')}/api/actions/{action_id}/oauth/callback"


def _auth(doc: ActionDoc) -> dict[str, Any]:
    auth = doc.metadata.get("auth") or {}
    return auth if isinstance(auth, dict) else {}


def uses_oauth(doc: ActionDoc) -> bool:
    return _auth(doc).get("type") == "oauth"


def validate(auth: dict[str, Any], client_id: str | None) -> None:
    """What an OAuth action must name before it is saved."""
    missing = [k for k in ("authorization_url", "client_url") if not auth.get(k)]
    if not client_id:
        missing.append("oauth_client_id")
    if missing:
        raise BadRequest(f"An OAuth action needs {', '.join(missing)}.",
                         code="ACTION_OAUTH_INCOMPLETE")


async def start(deps: OAuthDeps, tenant: str, user_id: str, doc: ActionDoc,
                client_secret: str | None) -> str:
    """Start the user's flow for ``doc``; the authorization URL to open."""
    auth = _auth(doc)
    flow_id, verifier, challenge, _ = mcp_oauth.new_flow_secrets()
    redirect = callback_url(deps, doc.action_id)
    client_id = str(doc.metadata.get("oauth_client_id") or "")
    await mcp_oauth.save_flow(deps, OAuthFlow(
        flowId=flow_id, tenantId=tenant, userId=user_id, serverName=doc.action_id,
        verifier=verifier, clientId=client_id, clientSecret=client_secret,
        tokenEndpoint=str(auth["client_url"]), redirectUri=redirect, resource="",
        bindHash=None, createdAt=time.time(), kind=KIND,
        basicAuth=auth.get("token_exchange_method") == "basic_auth_header"))
    query = {"response_type": "code", "client_id": client_id, "redirect_uri": redirect,
             "state": flow_id, "code_challenge": challenge, "code_challenge_method": "S256"}
    if auth.get("scope"):
        query["scope"] = str(auth["scope"])
    base = str(auth["authorization_url"])
    return f"{base}{'&' if '?' in base else '?'}{urlencode(query)}"


async def bearer(deps: OAuthDeps, tenant: str, user_id: str, doc: ActionDoc,
                 client_secret: str | None) -> str:
    """The user's access token for the action; raises :class:`ActionSignInRequired` with a
    fresh sign-in URL when they have none."""
    token = await mcp_oauth.access_token(deps, tenant, user_id, doc.action_id, KIND)
    if token is None:
        url = await start(deps, tenant, user_id, doc, client_secret)
        raise ActionSignInRequired(doc.action_id, url)
    return token


def has_token(deps: OAuthDeps, tenant: str, user_id: str, action_id: str) -> bool:
    return mcp_oauth.load_tokens(deps, tenant, user_id, action_id, KIND) is not None
