"""MCP OAuth against a real OAuth-protected MCP server and authorization server on loopback:
discovery, dynamic registration, PKCE, the callback bound to the starting browser, sealed
tokens, and one refresh when many instances race for it."""

from __future__ import annotations

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
from gorunchat.services import mcp_oauth
from gorunchat.services.tools import manager_for
from tests.mcp.conftest import make_container
from tests.routes.conftest import mounted, user_factory


@pytest.fixture
def oauth_container(data_dir: Path, redis_url: str, oauth_url: str) -> Iterator[Container]:
    config = {"mcpServers": {"fx-oauth": {"type": "streamable-http", "url": oauth_url,
                                          "requiresOAuth": True}}}
    c = make_container(data_dir, config, REDIS_URL=redis_url)
    set_container(c)
    yield c
    set_container(None)
    manager_for(c).close()
    c.close()


def _sign_in(client: object, auth: dict[str, str]) -> str:
    """Reinitialize → authorization URL; the authorization server approves at once."""
    started = client.post("/api/mcp/fx-oauth/reinitialize", headers=auth)  # type: ignore[attr-defined]
    assert started.status_code == 200, started.get_json()
    body = started.get_json()
    assert body["oauthRequired"] is True
    answer = httpx.get(body["oauthUrl"], follow_redirects=False)
    assert answer.status_code == 302
    back = urlsplit(answer.headers["location"])
    assert back.path == "/api/mcp/fx-oauth/oauth/callback"
    return f"{back.path}?{back.query}"


def test_oauth_flow_completes_and_the_tool_works(oauth_container: Container,
                                                 oauth_url: str) -> None:
    user, auth = user_factory(oauth_container)()
    client = mounted("mcp")
    status = client.get("/api/mcp/connection/status/fx-oauth", headers=auth).get_json()
    assert (status["connectionState"], status["requiresOAuth"]) == ("disconnected", True)

    callback = client.get(_sign_in(client, auth))
    assert callback.status_code == 302
    assert "/oauth/success?serverName=fx-oauth" in callback.headers["Location"]

    again = client.post("/api/mcp/fx-oauth/reinitialize", headers=auth).get_json()
    assert again["oauthRequired"] is False and again["success"] is True
    result = mounted("agents").post("/api/agents/tools/secret_echo_mcp_fx-oauth/call",
                                    headers=auth, json={"conversationId": "c",
                                                        "arguments": {"text": "hi"}})
    assert result.get_json()["result"] == "secret: hi"

    with oauth_container.store.unit_of_work("default", readonly=True) as uow:
        stored = uow.repo(AuthToken).find({"userId": user.id})
    assert [t.type for t in stored] == ["mcp_oauth:fx-oauth"]
    deps = mcp_oauth.OAuthDeps(oauth_container.store, oauth_container.redis,
                               oauth_container.secretbox, oauth_container.settings)
    tokens = mcp_oauth.load_tokens(deps, "default", user.id, "fx-oauth")
    assert tokens is not None and tokens.access_token not in stored[0].token  # sealed
    stats = httpx.get(oauth_url.rsplit("/", 1)[0] + "/stats").json()
    assert stats["codes"] == 1


def test_callback_from_another_browser_is_refused(oauth_container: Container) -> None:
    user, auth = user_factory(oauth_container)()
    _, other = user_factory(oauth_container)()
    starter = mounted("mcp")
    callback_path = _sign_in(starter, auth)
    flow_id = parse_qs(urlsplit(callback_path).query)["state"][0]
    assert starter.get(f"/api/mcp/oauth/status/{flow_id}", headers=other).status_code == 404
    assert starter.post("/api/mcp/fx-oauth/oauth/bind", headers=other,
                        json={"flowId": flow_id}).status_code == 404
    mine = starter.get(f"/api/mcp/oauth/status/{flow_id}", headers=auth).get_json()
    assert mine["status"] == "pending"
    stranger = mounted("mcp")  # no bind cookie
    refused = stranger.get(callback_path)
    assert refused.status_code == 302
    assert "error=MCP_OAUTH_NOT_BOUND" in refused.headers["Location"]
    with oauth_container.store.unit_of_work("default", readonly=True) as uow:
        assert uow.repo(AuthToken).find({"userId": user.id}) == []
    assert starter.get(callback_path).status_code == 302  # the starter still can finish


def test_concurrent_refresh_spends_the_refresh_token_once(oauth_container: Container,
                                                          oauth_url: str,
                                                          redis_url: str) -> None:
    user, auth = user_factory(oauth_container)()
    client = mounted("mcp")
    client.get(_sign_in(client, auth))
    deps = mcp_oauth.OAuthDeps(oauth_container.store, oauth_container.redis,
                               oauth_container.secretbox, oauth_container.settings)
    first = mcp_oauth.load_tokens(deps, "default", user.id, "fx-oauth")
    assert first is not None  # lives 30 s, inside the 60 s refresh margin: due now

    workers = 8
    gate = threading.Barrier(workers)
    seen: list[str | None] = []

    def instance() -> None:
        own = mcp_oauth.OAuthDeps(oauth_container.store, redis.Redis.from_url(redis_url),
                                  oauth_container.secretbox, oauth_container.settings)
        gate.wait(timeout=10)
        seen.append(anyio.run(mcp_oauth.access_token, own, "default", user.id, "fx-oauth"))

    threads = [threading.Thread(target=instance) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    stats = httpx.get(oauth_url.rsplit("/", 1)[0] + "/stats").json()
    assert (stats["refreshes"], stats["refused_refreshes"]) == (1, 0)
    assert len(seen) == workers and len(set(seen)) == 1 and seen[0] != first.access_token


def test_a_chat_signs_in_to_an_oauth_server_then_uses_its_tool(
        data_dir: Path, redis_url: str, oauth_url: str) -> None:
    """LibreChat's in-chat sign-in: an ``oauth_mcp_<server>`` step carries the URL, the
    generation waits for the flow, then the model gets the server's tools."""
    import yaml

    from tests.streaming.support import InProcessService, create_account, read_stream, start_chat

    config = data_dir / "gorunchat.yaml"
    config.write_text(yaml.safe_dump({"mcpServers": {"fx-oauth": {
        "type": "streamable-http", "url": oauth_url, "requiresOAuth": True}}}))
    service = InProcessService(data_dir, redis_url, GORUNCHAT_CONFIG=str(config)).start()
    set_container(service.container)
    try:
        account = create_account(service.container.store)  # type: ignore[arg-type]
        browser = mounted("mcp")
        signed: list[str] = []

        def play_the_user(frame: Any) -> None:
            data = frame.data.get("data") or {}
            calls = (data.get("stepDetails") or {}).get("tool_calls") or []
            if frame.data.get("event") != "on_run_step" or not calls or not calls[0].get("auth"):
                return
            url = calls[0]["auth"]
            assert calls[0]["name"] == "oauth_mcp_fx-oauth"
            flow_id = parse_qs(urlsplit(url).query)["state"][0]
            bound = browser.post("/api/mcp/fx-oauth/oauth/bind", headers=account.headers,
                                 json={"flowId": flow_id})
            assert bound.status_code == 200, bound.get_json()
            answer = httpx.get(url, follow_redirects=False)
            back = urlsplit(answer.headers["location"])
            done = browser.get(f"{back.path}?{back.query}")
            assert "/oauth/success" in done.headers["Location"]
            signed.append(flow_id)

        started = start_chat(service.url, account, model="demo-tools",
                             text='please use secret_echo_mcp_fx-oauth with {"text": "hi"}',
                             ephemeralAgent={"mcp": ["fx-oauth"]})
        assert started.status_code == 200, started.text
        frames = read_stream(service.url, account, started.json()["streamId"],
                             on_frame=play_the_user, timeout=60).frames
        assert len(signed) == 1
        completed = [f.data["data"]["result"]["tool_call"] for f in frames
                     if f.data.get("event") == "on_run_step_completed"]
        assert [c["name"] for c in completed] == ["oauth_mcp_fx-oauth",
                                                  "secret_echo_mcp_fx-oauth"]
        assert completed[0]["output"] == "Signed in to fx-oauth."
        assert completed[1]["output"] == "secret: hi"
        assert "".join(f.text for f in frames) == "Tool result: secret: hi"
    finally:
        set_container(None)
        manager_for(service.runtime).close()
        service.stop()


def test_a_chat_goes_on_without_the_server_when_nobody_signs_in(
        data_dir: Path, redis_url: str, oauth_url: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import yaml

    from gorunchat.streaming import tools as streaming_tools
    from tests.streaming.support import InProcessService, create_account, read_stream, start_chat

    monkeypatch.setattr(streaming_tools, "SIGN_IN_WAIT_S", 1.5)
    config = data_dir / "gorunchat.yaml"
    config.write_text(yaml.safe_dump({"mcpServers": {"fx-oauth": {
        "type": "streamable-http", "url": oauth_url, "requiresOAuth": True}}}))
    service = InProcessService(data_dir, redis_url, GORUNCHAT_CONFIG=str(config)).start()
    try:
        account = create_account(service.container.store)  # type: ignore[arg-type]
        started = start_chat(service.url, account, model="demo-tools",
                             text='please use secret_echo_mcp_fx-oauth with {"text": "hi"}',
                             ephemeralAgent={"mcp": ["fx-oauth"]})
        frames = read_stream(service.url, account, started.json()["streamId"],
                             timeout=30).frames
        completed = [f.data["data"]["result"]["tool_call"] for f in frames
                     if f.data.get("event") == "on_run_step_completed"]
        assert [c["name"] for c in completed] == ["oauth_mcp_fx-oauth"]
        assert "not completed" in completed[0]["output"]
        assert completed[0]["auth"].startswith(oauth_url.rsplit("/", 1)[0])
        assert frames[-1].data["final"] is True
    finally:
        manager_for(service.runtime).close()
        service.stop()
