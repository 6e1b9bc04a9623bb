"""OAuth actions against a real OAuth provider and API on loopback: a call without a token
answers with the sign-in URL, ``bind`` ties the flow to the browser, the public callback
stores the tokens sealed, later calls carry the token, and a due token is refreshed once
however many instances race for it."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import anyio
import httpx
import pytest
import redis

from gorunchat.bootstrap import Container, set_container
from gorunchat.contracts.auth import AuthToken
from gorunchat.services import action_oauth, mcp_oauth
from gorunchat.services.tools import manager_for
from tests.fixtures.actions.oauth_provider import CLIENT_ID, CLIENT_SECRET, Provider
from tests.mcp.conftest import make_container
from tests.routes.conftest import mounted, user_factory

TOOL = "whoAmI_action_127_0_0_1"


@pytest.fixture
def provider() -> Iterator[Provider]:
    p = Provider()
    yield p
    p.close()


@pytest.fixture
def box(data_dir: Path, redis_url: str) -> Iterator[Container]:
    c = make_container(data_dir, {"actions": {"allowedDomains": ["127.0.0.1"],
                                              "allowedAddresses": ["127.0.0.1"]}},
                       REDIS_URL=redis_url)
    set_container(c)
    yield c
    set_container(None)
    manager_for(c).close()
    c.close()


def _metadata(p: Provider, **auth: Any) -> dict[str, Any]:
    spec = {"openapi": "3.0.0", "info": {"title": "me", "version": "1"},
            "servers": [{"url": p.base}],
            "paths": {"/me": {"post": {"operationId": "whoAmI", "summary": "Who am I",
                                       "requestBody": {"content": {"application/json": {
                                           "schema": {"type": "object", "properties": {
                                               "note": {"type": "string"}}}}}}}}}}
    return {"raw_spec": json.dumps(spec), "oauth_client_id": CLIENT_ID,
            "oauth_client_secret": CLIENT_SECRET,
            "auth": {"type": "oauth", "authorization_url": f"{p.base}/authorize",
                     "client_url": f"{p.base}/token", "scope": "read",
                     "token_exchange_method": "default_post", **auth}}


def _agent(client: Any, auth: dict[str, str]) -> str:
    made = client.post("/api/agents", headers=auth,
                       json={"name": "Helper", "provider": "openAI", "model": "gpt-4o"})
    assert made.status_code in (200, 201), made.get_json()
    return str(made.get_json()["id"])


def _save(client: Any, auth: dict[str, str], metadata: dict[str, Any]) -> str:
    saved = client.post(f"/api/agents/actions/{_agent(client, auth)}", headers=auth,
                        json={"metadata": metadata})
    assert saved.status_code == 200, saved.get_json()
    assert "oauth_client_secret" not in saved.get_json()["metadata"]
    return str(saved.get_json()["action_id"])


def _call(client: Any, auth: dict[str, str]) -> dict[str, Any]:
    called = client.post(f"/api/agents/tools/{TOOL}/call", headers=auth,
                         json={"conversationId": "c1", "arguments": {"note": "hi"}})
    assert called.status_code == 200, called.get_json()
    body: dict[str, Any] = called.get_json()
    return body


def _sign_in(client: Any, auth: dict[str, str], action_id: str) -> str:
    """Call without a token → sign-in URL; bind; the provider approves → callback path."""
    first = _call(client, auth)
    assert first["success"] is False and first["oauthUrl"]
    bound = client.post(f"/api/actions/{action_id}/oauth/bind", headers=auth)
    assert bound.status_code == 200, bound.get_json()
    answer = httpx.get(first["oauthUrl"], follow_redirects=False)
    assert answer.status_code == 302
    back = urlsplit(answer.headers["location"])
    assert back.path == f"/api/actions/{action_id}/oauth/callback"
    assert parse_qs(back.query)["state"] == [bound.get_json()["flowId"]]
    return f"{back.path}?{back.query}"


def test_sign_in_then_the_action_carries_the_token(box: Container,
                                                    provider: Provider) -> None:
    user, auth = user_factory(box)()
    client = mounted("agents")
    action_id = _save(client, auth, _metadata(provider))
    assert client.get(f"/api/agents/tools/{TOOL}/auth",
                      headers=auth).get_json()["authenticated"] is False
    assert provider.state.stats["api_calls"] == 0

    done = client.get(_sign_in(client, auth, action_id))
    assert done.status_code == 302, done.get_json()
    assert f"/oauth/success?action_id={action_id}" in done.headers["Location"]
    after = _call(client, auth)
    assert after["success"] is True, after
    assert json.loads(after["result"])["me"] == "action-user"
    assert after["oauthUrl"] is None
    assert client.get(f"/api/agents/tools/{TOOL}/auth",
                      headers=auth).get_json()["authenticated"] is True

    with box.store.unit_of_work("default", readonly=True) as uow:
        stored = uow.repo(AuthToken).find({"userId": user.id})
    assert [t.type for t in stored] == [f"action_oauth:{action_id}"]
    deps = mcp_oauth.OAuthDeps(box.store, box.redis, box.secretbox, box.settings)
    tokens = mcp_oauth.load_tokens(deps, "default", user.id, action_id, action_oauth.KIND)
    assert tokens is not None and tokens.access_token not in stored[0].token
    audit = [r.action for r in box.store.audit_log("default").records()]
    assert "action.oauth_callback" in audit
    assert audit.count("tool.call") == 2
    page = mounted("auth").get(f"/oauth/success?action_id={action_id}")
    assert page.status_code == 200 and b"return to your chat" in page.data


def test_basic_auth_token_exchange(box: Container) -> None:
    p = Provider(basic=True)
    try:
        _, auth = user_factory(box)()
        client = mounted("agents")
        action_id = _save(client, auth, _metadata(
            p, token_exchange_method="basic_auth_header"))
        assert client.get(_sign_in(client, auth, action_id)).status_code == 302
        assert _call(client, auth)["success"] is True
        assert p.state.stats["codes"] == 1
    finally:
        p.close()


def test_the_callback_needs_the_binding_browser_and_its_own_action(
        box: Container, provider: Provider) -> None:
    user, auth = user_factory(box)()
    _, other = user_factory(box)()
    client = mounted("agents")
    action_id = _save(client, auth, _metadata(provider))
    assert client.post(f"/api/actions/{action_id}/oauth/bind",
                       headers=other).status_code == 404
    path = _sign_in(client, auth, action_id)

    stranger = mounted("agents")  # no bind cookie
    refused = stranger.get(path)
    assert refused.status_code == 302
    assert "error=MCP_OAUTH_NOT_BOUND" in refused.headers["Location"]
    elsewhere = client.get(path.replace(action_id, "another-action"))
    assert "error=MCP_OAUTH_FLOW" in elsewhere.headers["Location"]
    with box.store.unit_of_work("default", readonly=True) as uow:
        assert uow.repo(AuthToken).find({"userId": user.id}) == []
    denied = client.get(f"/api/actions/{action_id}/oauth/callback?error=access_denied")
    assert "/oauth/error?error=access_denied" in denied.headers["Location"]
    assert client.get(path).status_code == 302  # the starter still can finish
    assert _call(client, auth)["success"] is True


def test_bind_without_a_pending_flow_is_404(box: Container, provider: Provider) -> None:
    _, auth = user_factory(box)()
    client = mounted("agents")
    action_id = _save(client, auth, _metadata(provider))
    missing = client.post(f"/api/actions/{action_id}/oauth/bind", headers=auth)
    assert missing.status_code == 404
    assert missing.get_json()["error"]["code"] == "MCP_OAUTH_FLOW"


@pytest.mark.parametrize(("auth", "code"), [
    ({"authorization_url": None}, "ACTION_OAUTH_INCOMPLETE"),
    ({"client_url": ""}, "ACTION_OAUTH_INCOMPLETE"),
    ({"authorization_url": "http://169.254.169.254/authorize"}, "URL_NOT_ALLOWED"),
    ({"client_url": "http://10.1.2.3/token"}, "URL_NOT_ALLOWED"),
    ({"client_url": "file:///etc/passwd"}, "URL_NOT_ALLOWED"),
])
def test_oauth_actions_need_both_urls_and_both_pass_the_guard(
        box: Container, provider: Provider, auth: dict[str, Any], code: str) -> None:
    _, headers = user_factory(box)()
    client = mounted("agents")
    refused = client.post(f"/api/agents/actions/{_agent(client, headers)}", headers=headers,
                          json={"metadata": _metadata(provider, **auth)})
    assert refused.status_code == 400, refused.get_json()
    assert refused.get_json()["error"]["code"] == code
    assert mounted("agents").get("/api/agents/actions", headers=headers).get_json() == []


def test_concurrent_refresh_spends_the_refresh_token_once(
        box: Container, provider: Provider, redis_url: str) -> None:
    provider.state.access_ttl = 5  # inside the refresh margin: due at once
    user, auth = user_factory(box)()
    client = mounted("agents")
    action_id = _save(client, auth, _metadata(provider))
    client.get(_sign_in(client, auth, action_id))
    deps = mcp_oauth.OAuthDeps(box.store, box.redis, box.secretbox, box.settings)
    first = mcp_oauth.load_tokens(deps, "default", user.id, action_id, action_oauth.KIND)
    assert first is not None

    workers = 8
    gate = threading.Barrier(workers)
    seen: list[str | None] = []

    def instance() -> None:
        own = mcp_oauth.OAuthDeps(box.store, redis.Redis.from_url(redis_url), box.secretbox,
                                  box.settings)
        gate.wait(timeout=10)
        seen.append(anyio.run(mcp_oauth.access_token, own, "default", user.id, action_id,
                              action_oauth.KIND))

    threads = [threading.Thread(target=instance) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    stats = provider.state.stats
    assert (stats["refreshes"], stats["refused_refreshes"]) == (1, 0)
    assert len(seen) == workers and len(set(seen)) == 1 and seen[0] != first.access_token
    assert _call(client, auth)["success"] is True
