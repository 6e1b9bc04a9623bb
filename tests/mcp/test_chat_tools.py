"""A chat whose model calls an MCP tool, end to end through the streaming service.

The offline ``demo-tools`` model asks for the tool named in the prompt; the tool runs on a
real MCP server (stdio, SSE or streamable HTTP); the frames arrive in LibreChat's run-step
shapes, the model answers with the result, and ``toolcalls`` and the audit log hold the call.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from gorunchat.contracts.actions import ActionSaveRequest
from gorunchat.contracts.audit import Actor
from gorunchat.contracts.identity import Principal
from gorunchat.contracts.library import ToolCall
from gorunchat.services import actions
from gorunchat.services.caller import Caller
from gorunchat.services.tools import manager_for
from tests.mcp.conftest import make_agent, mcp_yaml
from tests.mcp.test_actions import _spec, api  # noqa: F401 - the loopback API fixture
from tests.streaming.support import (
    TENANT,
    Frame,
    InProcessService,
    create_account,
    read_stream,
    start_chat,
)


@pytest.fixture
def service(data_dir: Path, redis_url: str, sse_url: str, http_url: str
            ) -> Iterator[InProcessService]:
    config = data_dir / "gorunchat.yaml"
    config.write_text(yaml.safe_dump({**mcp_yaml(sse_url, http_url), "actions": {
        "allowedDomains": ["127.0.0.1"], "allowedAddresses": ["127.0.0.1"]}}))
    svc = InProcessService(data_dir, redis_url, GORUNCHAT_CONFIG=str(config)).start()
    yield svc
    manager_for(svc.runtime).close()
    svc.stop()


def _events(frames: list[Frame], name: str) -> list[dict[str, object]]:
    return [f.data["data"] for f in frames if f.data.get("event") == name]  # type: ignore[misc]


@pytest.mark.parametrize("server", ["fx-stdio", "fx-sse", "fx-http"])
def test_model_calls_an_mcp_tool_and_uses_the_result(service: InProcessService,
                                                     server: str) -> None:
    account = create_account(service.container.store)  # type: ignore[arg-type]
    key = f"add_mcp_{server}"
    started = start_chat(service.url, account, model="demo-tools",
                         text=f'please use {key} with {{"a": 2, "b": 3}}',
                         ephemeralAgent={"mcp": [server]})
    assert started.status_code == 200, started.text
    body = started.json()
    read = read_stream(service.url, account, body["streamId"])
    frames = read.frames

    step = _events(frames, "on_run_step")[0]
    assert step["type"] == "tool_calls"
    assert step["stepDetails"] == {"type": "tool_calls", "tool_calls": [
        {"id": step["stepDetails"]["tool_calls"][0]["id"],  # type: ignore[index]
         "name": key, "args": "", "type": "tool_call"}]}
    delta = _events(frames, "on_run_step_delta")[0]
    assert delta == {"id": step["id"], "delta": {"type": "tool_calls", "tool_calls": [
        {"args": '{"a": 2, "b": 3}', "type": "tool_call_chunk"}]}}
    done = _events(frames, "on_run_step_completed")[0]["result"]
    assert done["id"] == step["id"] and done["index"] == 0  # type: ignore[index]
    assert done["tool_call"]["output"] == "5"  # type: ignore[index]
    assert done["tool_call"]["progress"] == 1  # type: ignore[index]
    assert "".join(f.text for f in frames) == "Tool result: 5"

    final = frames[-1].data
    assert final["final"] is True
    content = final["responseMessage"]["content"]
    assert [p["type"] for p in content] == ["tool_call", "text"]
    assert content[0]["tool_call"]["output"] == "5"
    assert content[0]["tool_call"]["args"] == '{"a": 2, "b": 3}'  # kept in the saved reply

    call_id = step["stepDetails"]["tool_calls"][0]["id"]  # type: ignore[index]
    store = service.container.store
    with store.unit_of_work(TENANT, readonly=True) as uow:
        stored = uow.repo(ToolCall).get(call_id)
    assert stored is not None
    assert (stored.conversationId, stored.toolId, stored.user) == (
        body["conversationId"], key, account.user_id)
    assert stored.result == {"output": "5", "ok": True}
    audit = [r for r in store.audit_log(TENANT).records() if r.action == "tool.call"]
    assert len(audit) == 1
    meta = audit[0].metadata
    expected_hash = hashlib.sha256(json.dumps({"a": 2, "b": 3}, sort_keys=True,
                                              separators=(",", ":")).encode()).hexdigest()
    assert (meta["server"], meta["tool"], meta["argumentsSha256"]) == (
        server, "add", expected_hash)
    assert audit[0].outcome == "success" and isinstance(meta["durationMs"], int)


def test_chat_without_tools_is_unchanged(service: InProcessService) -> None:
    account = create_account(service.container.store)  # type: ignore[arg-type]
    started = start_chat(service.url, account, model="demo-tools", text="hello")
    frames = read_stream(service.url, account, started.json()["streamId"]).frames
    assert _events(frames, "on_run_step_completed") == []
    assert frames[-1].data["final"] is True


def test_model_calls_an_action_tool(service: InProcessService, api: int) -> None:  # noqa: F811
    account = create_account(service.container.store)  # type: ignore[arg-type]
    who = Caller(principal=Principal(userId=account.user_id, tenantId=TENANT),
                 actor=Actor(userId=account.user_id))
    deps = actions.ActionDeps(service.container.store, service.container.settings,
                              service.container.secretbox)
    agent_id = make_agent(service.container, account.user_id)
    saved = actions.save(deps, who, agent_id, ActionSaveRequest.model_validate(
        {"metadata": {"raw_spec": _spec(api)}}))
    key = saved.tools[0]
    started = start_chat(service.url, account, model="demo-tools", tools=[key],
                         text=f'use {key} {{"mode": "m", "a": 20, "b": 22}}')
    frames = read_stream(service.url, account, started.json()["streamId"]).frames
    done = _events(frames, "on_run_step_completed")[0]["result"]
    assert json.loads(done["tool_call"]["output"]) == {"sum": 42}  # type: ignore[index]
    assert "".join(f.text for f in frames) == 'Tool result: {"sum": 42}'
    audit = [r for r in service.container.store.audit_log(TENANT).records()
             if r.action == "tool.call"]
    assert [r.metadata["tool"] for r in audit] == [key]


def test_an_oauth_action_shows_its_sign_in_url_on_the_tool_call(
        service: InProcessService) -> None:
    from tests.fixtures.actions.oauth_provider import Provider
    from tests.mcp.test_action_oauth import _metadata

    provider = Provider()
    try:
        account = create_account(service.container.store)  # type: ignore[arg-type]
        who = Caller(principal=Principal(userId=account.user_id, tenantId=TENANT),
                     actor=Actor(userId=account.user_id))
        deps = actions.ActionDeps(service.container.store, service.container.settings,
                                  service.container.secretbox)
        agent_id = make_agent(service.container, account.user_id)
        key = actions.save(deps, who, agent_id, ActionSaveRequest.model_validate(
            {"metadata": _metadata(provider)})).tools[0]
        started = start_chat(service.url, account, model="demo-tools", tools=[key],
                             text=f'use {key} {{"note": "hi"}}')
        frames = read_stream(service.url, account, started.json()["streamId"]).frames
        call = _events(frames, "on_run_step_completed")[0]["result"]["tool_call"]  # type: ignore[index]
        assert call["auth"].startswith(f"{provider.base}/authorize?")  # type: ignore[index]
        assert "Sign in to use this action" in call["output"]  # type: ignore[index]
        assert provider.state.stats["api_calls"] == 0
        final = frames[-1].data["responseMessage"]["content"][0]["tool_call"]
        assert final["auth"] == call["auth"]  # type: ignore[index]
        audit = [r for r in service.container.store.audit_log(TENANT).records()
                 if r.action == "tool.call"]
        assert [r.outcome for r in audit] == ["failure"]
    finally:
        provider.close()
