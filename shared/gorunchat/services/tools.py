"""Running MCP tools: connections per server (shared or per user), tool lists, tool calls.

Every tool call is stored in ``toolcalls`` and audited (server, tool, SHA-256 of the
arguments, outcome, duration) in one unit of work, so an audit outage fails the record closed.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from weakref import WeakKeyDictionary

import anyio
from anyio import to_thread

from gorunchat.adapters.mcp.connection import ConnectSpec, McpConnection, McpConnectionError
from gorunchat.adapters.mcp.manager import Key, McpManager
from gorunchat.adapters.net.ssrf import AllowList, SsrfBlocked
from gorunchat.contracts.audit import AuditEvent
from gorunchat.contracts.errors import BadRequest, NotFound, ServiceUnavailable
from gorunchat.contracts.library import ToolCall
from gorunchat.contracts.mcp import (
    MCP_DELIMITER,
    McpConnectionState,
    McpReinitializeResponse,
    McpServerConfig,
    McpToolOut,
)
from gorunchat.contracts.plugins import USER_API_KEY_FIELD
from gorunchat.contracts.settings import Settings
from gorunchat.domain.ids import object_id
from gorunchat.domain.placeholders import UserFacts, fill, fill_all
from gorunchat.ports.secretbox import SecretBox
from gorunchat.ports.store import Store
from gorunchat.services import mcp, mcp_oauth, plugin_auth
from gorunchat.services.caller import Caller

_MANAGERS: WeakKeyDictionary[Any, McpManager] = WeakKeyDictionary()


def manager_for(owner: Any) -> McpManager:
    """The MCP manager of a container (made on first use; no I/O before that)."""
    found = _MANAGERS.get(owner)
    if found is None:
        found = _MANAGERS[owner] = McpManager()
    return found


def drop_connection(owner: Any, server: str, user_id: str | None = None) -> None:
    """Close ``owner``'s connections to ``server`` (only ``user_id``'s if given), if any."""
    found = _MANAGERS.get(owner)
    if found is not None:
        found.loop.run(found.drop(server, user_id))


def close_manager(owner: Any) -> None:
    """Close ``owner``'s MCP connections and their loop thread, if any were opened.

    Connections are a cache: closing them at shutdown loses nothing, and it ends the
    stdio server processes and HTTP sessions cleanly instead of leaving them to the OS.
    """
    found = _MANAGERS.pop(owner, None)
    if found is not None:
        found.close()


@dataclass(frozen=True)
class Runtime:
    """What running tools needs: storage, settings, connections and the admin's env."""

    store: Store
    settings: Settings
    manager: McpManager
    environ: Mapping[str, str] = field(default_factory=dict)
    oauth: Callable[[], mcp_oauth.OAuthDeps] | None = None  # lazily: Redis, SecretBox
    secretbox: Callable[[], SecretBox] | None = None  # opens users' stored credentials


class OAuthRequired(McpConnectionError):
    """The server wants OAuth and the user has no token for it yet."""


class CredentialsRequired(McpConnectionError):
    """The server wants values only the user can give (``customUserVars``, their API key)."""


@dataclass(frozen=True)
class ToolOutcome:
    """A finished tool call as the model and the client see it."""

    tool_call_id: str
    plugin_key: str
    output: str
    ok: bool
    duration_ms: int


def plugin_key(tool: str, server: str) -> str:
    return f"{tool}{MCP_DELIMITER}{server}"


def split_key(key: str) -> tuple[str, str]:
    tool, sep, server = key.rpartition(MCP_DELIMITER)
    if not sep or not tool or not server:
        raise NotFound(f"Unknown tool {key!r}.", code="TOOL_NOT_FOUND")
    return tool, server


def _facts(rt: Runtime, caller: Caller) -> UserFacts:
    with rt.store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        user = uow.users.get(caller.user_id)
    return UserFacts(id=caller.user_id, email=user.email if user else caller.principal.email,
                     username=getattr(user, "username", None), name=getattr(user, "name", None),
                     role=caller.principal.role)


def _allow(rt: Runtime, entry: mcp.ServerEntry) -> AllowList:
    """The guard's allow-list. Only the admin's own host is trusted, as the admin wrote it:
    a host built from a user's placeholder values is guarded like any user URL."""
    if entry.source == "user" or not entry.config.url:
        return mcp.user_allow_list(rt.settings)
    admin_url = fill(entry.config.url, None, {}, rt.environ)
    return mcp.config_allow_list(rt.settings, admin_url)


def connect_spec(rt: Runtime, entry: mcp.ServerEntry, facts: UserFacts | None,
                 custom: Mapping[str, str] | None = None) -> ConnectSpec:
    """Resolve placeholders (``${VAR}`` only for the admin's servers) into a spec."""
    c = entry.config
    env = rt.environ if entry.source == "config" else None
    user = facts if entry.per_user else None
    vals = dict(custom or {})
    url = fill(c.url, user, vals, env) if c.url else None
    return ConnectSpec(
        transport=c.transport, command=c.command, args=tuple(fill_all(c.args, user, vals, env)),
        env=fill_all(c.env, user, vals, env), url=url,
        headers={**fill_all(c.headers, user, vals, env), **_api_key_header(c, env, vals)},
        timeout_s=c.timeout / 1000,
        init_timeout_s=c.initTimeout / 1000,
        allow=_allow(rt, entry) if url else AllowList())


def _api_key_header(c: McpServerConfig, env: Mapping[str, str] | None,
                    custom: Mapping[str, str]) -> dict[str, str]:
    """The ``apiKey`` as a header: the admin's (``${VAR}`` allowed in the admin's file) or
    the one the user saved (``POST /api/user/plugins``, field ``MCP_API_KEY``)."""
    if c.apiKey is None:
        return {}
    if c.apiKey.source == "user":
        key = custom.get(USER_API_KEY_FIELD, "").strip()
    else:
        key = fill(c.apiKey.key or "", None, {}, env).strip()
    if not key:
        return {}  # an unset ${VAR}: send nothing rather than an empty credential
    if c.apiKey.authorization_type == "custom":
        return {c.apiKey.custom_header or "X-API-Key": key}
    scheme = "Basic" if c.apiKey.authorization_type == "basic" else "Bearer"
    return {"Authorization": f"{scheme} {key}"}


def _key(entry: mcp.ServerEntry, caller: Caller) -> Key:
    return (entry.name, caller.user_id if entry.per_user else None)


def _credentials(rt: Runtime, caller: Caller, entry: mcp.ServerEntry) -> dict[str, str]:
    """The caller's saved values for every field the server asks for; raises if any is
    missing, so a connection never goes out with a literal ``{{VAR}}`` or no key."""
    fields = plugin_auth.declared_fields(entry.config)
    if not fields:
        return {}
    saved = {} if rt.secretbox is None else plugin_auth.values(
        rt.store, rt.secretbox(), caller.tenant_id, caller.user_id, entry.name)
    missing = [f for f in fields if f not in saved]
    if missing:
        raise CredentialsRequired(f"{entry.name} needs your {', '.join(missing)}: set "
                                  "them in the server's settings first.")
    return saved


async def open_connection(rt: Runtime, caller: Caller, entry: mcp.ServerEntry,
                          fresh: bool = False) -> McpConnection:
    """The caller's live connection to a server (on the MCP loop)."""
    facts = await to_thread.run_sync(_facts, rt, caller) if entry.per_user else None
    custom = await to_thread.run_sync(_credentials, rt, caller, entry)
    spec = connect_spec(rt, entry, facts, custom)
    if entry.config.requiresOAuth:
        token = None if rt.oauth is None else await mcp_oauth.access_token(
            rt.oauth(), caller.tenant_id, caller.user_id, entry.name)
        if token is None:
            raise OAuthRequired(f"{entry.name} needs you to sign in (OAuth).")
        spec = replace(spec, headers={**spec.headers, "Authorization": f"Bearer {token}"})
    coro = rt.manager.connection(_key(entry, caller), spec, fresh)
    return await rt.manager.loop.run_async(coro)


def _visible(rt: Runtime, caller: Caller) -> dict[str, mcp.ServerEntry]:
    with rt.store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        return mcp.visible(uow, caller, rt.settings)


def _entry(rt: Runtime, caller: Caller, name: str) -> mcp.ServerEntry:
    with rt.store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        return mcp.find(uow, caller, rt.settings, name)


async def tools_of(rt: Runtime, caller: Caller, entry: mcp.ServerEntry) -> list[McpToolOut]:
    conn = await open_connection(rt, caller, entry)
    tools = await rt.manager.loop.run_async(conn.list_tools())
    return [McpToolOut(name=t.name, pluginKey=plugin_key(t.name, entry.name),
                       serverName=entry.name, description=t.description,
                       inputSchema=dict(t.input_schema or {})) for t in tools]


async def tools_for(rt: Runtime, caller: Caller, names: set[str] | None = None
                    ) -> list[McpToolOut]:
    """Tools of the servers named (default: all) the caller can reach; unreachable ones are
    skipped (their status route says why)."""
    out: list[McpToolOut] = []
    entries = await to_thread.run_sync(_visible, rt, caller)
    for entry in entries.values():
        if names is not None and entry.name not in names:
            continue
        try:
            out.extend(await tools_of(rt, caller, entry))
        except (McpConnectionError, SsrfBlocked):
            continue
    return out


def list_tools(rt: Runtime, caller: Caller) -> list[McpToolOut]:
    return rt.manager.loop.run(tools_for(rt, caller))


def status(rt: Runtime, caller: Caller, name: str | None = None
           ) -> dict[str, McpConnectionState]:
    """The real state of the caller's connections (``disconnected`` if never opened)."""
    entries = _visible(rt, caller)
    if name is not None:
        if name not in entries:
            raise mcp.server_not_found()
        entries = {name: entries[name]}
    out = {}
    for n, entry in entries.items():
        state, error = rt.manager.state(_key(entry, caller))
        out[n] = McpConnectionState(serverName=n, connectionState=state, error=error,
                                    requiresOAuth=entry.config.requiresOAuth)
    return out


def _has_token(rt: Runtime, caller: Caller, name: str) -> bool:
    return rt.oauth is not None and mcp_oauth.load_tokens(
        rt.oauth(), caller.tenant_id, caller.user_id, name) is not None


async def awaiting_sign_in(rt: Runtime, caller: Caller, names: set[str]
                           ) -> list[mcp.ServerEntry]:
    """The servers among ``names`` that want OAuth and have no token of the caller's yet."""
    if rt.oauth is None:
        return []
    entries = await to_thread.run_sync(_visible, rt, caller)
    out = []
    for name in sorted(names & set(entries)):
        entry = entries[name]
        if entry.config.requiresOAuth and entry.config.url and not await to_thread.run_sync(
                _has_token, rt, caller, name):
            out.append(entry)
    return out


async def begin_sign_in(rt: Runtime, caller: Caller, entry: mcp.ServerEntry
                        ) -> tuple[str, str]:
    """Start the caller's OAuth flow for ``entry`` from a chat: (authorization URL, flow id).
    The browser binds itself with ``POST …/oauth/bind`` (the flow id is the URL's state)."""
    assert rt.oauth is not None and entry.config.url
    oauth = entry.config.oauth.model_dump(exclude_none=True) if entry.config.oauth else {}
    trusted = [mcp.host_of(entry.config.url)] if entry.source == "config" else []
    url, flow, _ = await mcp_oauth.initiate(rt.oauth(), caller.tenant_id, caller.user_id,
                                            entry.name, entry.config.url, oauth, trusted)
    return url, flow.flowId


async def signed_in(rt: Runtime, caller: Caller, flow_id: str, timeout_s: float,
                    poll_s: float = 1.0) -> bool:
    """Wait until the caller completes the flow (``True``), it fails, or time runs out."""
    assert rt.oauth is not None
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            flow = await mcp_oauth.load_flow(rt.oauth(), caller.tenant_id, flow_id)
        except NotFound:
            return False  # expired
        if flow.status != "pending":
            return flow.status == "complete"
        if time.monotonic() >= deadline:
            return False
        await anyio.sleep(poll_s)


def start_oauth(rt: Runtime, caller: Caller, name: str
                ) -> tuple[str, mcp_oauth.OAuthFlow, str]:
    """Start the caller's OAuth flow for a server: (authorization URL, flow, bind secret)."""
    entry = _entry(rt, caller, name)
    if not entry.config.requiresOAuth or rt.oauth is None or not entry.config.url:
        raise BadRequest(f"{name} does not use OAuth.", code="MCP_OAUTH_NOT_USED")
    oauth = entry.config.oauth.model_dump(exclude_none=True) if entry.config.oauth else {}
    trusted = [mcp.host_of(entry.config.url)] if entry.source == "config" else []
    return rt.manager.loop.run(mcp_oauth.initiate(
        rt.oauth(), caller.tenant_id, caller.user_id, name, entry.config.url, oauth, trusted))


def reinitialize(rt: Runtime, caller: Caller, name: str
                 ) -> tuple[McpReinitializeResponse, str | None]:
    """Reconnect the caller's connection to a server from scratch; when it needs OAuth,
    start a flow instead (the second value is the bind secret for the browser's cookie)."""
    entry = _entry(rt, caller, name)
    try:
        rt.manager.loop.run(open_connection(rt, caller, entry, fresh=True))
    except OAuthRequired:
        url, _, secret = start_oauth(rt, caller, name)
        return McpReinitializeResponse(success=True, serverName=name, oauthRequired=True,
                                       oauthUrl=url, message="OAuth sign-in required"), secret
    except CredentialsRequired as exc:
        raise BadRequest(str(exc), code="MCP_CREDENTIALS_REQUIRED") from exc
    except (McpConnectionError, SsrfBlocked) as exc:
        raise ServiceUnavailable(f"Could not reconnect to {name}: {exc}",
                                 code="MCP_CONNECTION_FAILED") from exc
    with rt.store.unit_of_work(caller.tenant_id) as uow:
        uow.record(AuditEvent(action="mcp.reinitialize", actor=caller.actor,
                              targetType="mcpServer", targetId=name))
        uow.commit()
    return McpReinitializeResponse(success=True, serverName=name,
                                   message=f"MCP server '{name}' reinitialized"), None


def args_hash(arguments: Mapping[str, Any]) -> str:
    raw = json.dumps(arguments, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


def _record(rt: Runtime, caller: Caller, outcome: ToolOutcome, server: str, tool: str,
            arguments: Mapping[str, Any], where: tuple[str, str | None]) -> None:
    with rt.store.unit_of_work(caller.tenant_id) as uow:
        uow.repo(ToolCall).insert(ToolCall(
            id=outcome.tool_call_id, conversationId=where[0], messageId=where[1],
            toolId=outcome.plugin_key, user=caller.user_id,
            result={"output": outcome.output, "ok": outcome.ok}))
        uow.record(AuditEvent(
            action="tool.call", actor=caller.actor, targetType="tool",
            targetId=outcome.plugin_key, outcome="success" if outcome.ok else "failure",
            metadata={"server": server, "tool": tool, "argumentsSha256": args_hash(arguments),
                      "durationMs": outcome.duration_ms, "toolCallId": outcome.tool_call_id}))
        uow.commit()


async def call_tool(rt: Runtime, caller: Caller, key: str, arguments: Mapping[str, Any],
                    conversation_id: str, message_id: str | None = None,
                    tool_call_id: str | None = None) -> ToolOutcome:
    """Run one MCP tool for the caller, store it in ``toolcalls`` and audit it."""
    tool, server = split_key(key)
    if not isinstance(arguments, Mapping):
        raise BadRequest("Tool arguments must be a JSON object.", code="TOOL_ARGS_INVALID")
    entry = await to_thread.run_sync(_entry, rt, caller, server)
    started = time.monotonic()
    try:
        conn = await open_connection(rt, caller, entry)
        output, failed = await rt.manager.loop.run_async(conn.call_tool(tool, dict(arguments)))
    except (McpConnectionError, SsrfBlocked) as exc:
        output, failed = f"Error: {exc}", True
    outcome = ToolOutcome(tool_call_id=tool_call_id or object_id(), plugin_key=key,
                          output=output, ok=not failed,
                          duration_ms=int((time.monotonic() - started) * 1000))
    await to_thread.run_sync(_record, rt, caller, outcome, server, tool, arguments,
                             (conversation_id, message_id))
    return outcome


def call_tool_sync(rt: Runtime, caller: Caller, key: str, arguments: Mapping[str, Any],
                   conversation_id: str, message_id: str | None) -> ToolOutcome:
    """:func:`call_tool` for synchronous callers (the edge)."""
    return rt.manager.loop.run(call_tool(rt, caller, key, arguments, conversation_id,
                                         message_id))


def tool_calls(store: Store, caller: Caller, conversation_id: str) -> list[ToolCall]:
    """The caller's stored tool calls in one conversation."""
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        return uow.repo(ToolCall).find({"user": caller.user_id,
                                        "conversationId": conversation_id})


def tool_needs_auth(rt: Runtime, caller: Caller, key: str) -> bool:
    """Whether the tool's server still wants something from the caller: an OAuth sign-in
    (no stored token) or values they have not saved (``customUserVars``, their key)."""
    _, server = split_key(key)
    entry = _entry(rt, caller, server)
    if entry.config.requiresOAuth and not _has_token(rt, caller, server):
        return True
    try:
        _credentials(rt, caller, entry)
    except CredentialsRequired:
        return True
    return False
