"""Actions: OpenAPI 3 specs imported for an agent become tools.

The spec's server must pass ``actions.allowedDomains`` (when set) and the SSRF guard, when
saved and again on every call (the guarded client pins and re-checks redirects); so must an
OAuth action's authorization and token URLs. API keys and OAuth client secrets are sealed
with ``SecretBox`` before they are stored and never returned. Every save, delete and call is
audited. OAuth actions get a per-user token through ``services.action_oauth``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from gorunchat.adapters.net.clients import guarded_client
from gorunchat.adapters.net.ssrf import AllowList, check_url_name
from gorunchat.contracts.actions import (
    ACTION_DELIMITER,
    ActionDoc,
    ActionOut,
    ActionSaveRequest,
)
from gorunchat.contracts.agents import Agent
from gorunchat.contracts.audit import AuditEvent
from gorunchat.contracts.errors import BadRequest, GoRunChatError, NotFound
from gorunchat.contracts.library import ToolCall
from gorunchat.contracts.settings import Settings
from gorunchat.domain import openapi_actions as oa
from gorunchat.domain.ids import object_id
from gorunchat.domain.permissions import PermissionBits
from gorunchat.ports.provider import ToolSpec
from gorunchat.ports.secretbox import SecretBox
from gorunchat.ports.store import Store, UnitOfWork
from gorunchat.services import action_oauth, agents, egress
from gorunchat.services.caller import Caller
from gorunchat.services.mcp_oauth import OAuthDeps

_SECRETS = ("api_key", "oauth_client_secret")


@dataclass(frozen=True)
class ActionDeps:
    store: Store
    settings: Settings
    secretbox: SecretBox
    oauth: Callable[[], OAuthDeps] | None = None  # lazily: Redis for flows and the lock


@dataclass(frozen=True)
class ActionOutcome:
    """A finished action call; ``auth_url`` is set when the user must sign in first."""

    output: str
    ok: bool
    tool_call_id: str
    auth_url: str | None = None


def allow_list(settings: Settings) -> AllowList:
    return egress.actions_allow_list(settings)


def _slug(domain: str) -> str:
    return domain.replace(".", "_").replace("-", "_")


def tool_name(op: oa.Operation, domain: str) -> str:
    return f"{op.name}{ACTION_DELIMITER}{_slug(domain)}"


def _context(tenant: str, action_id: str, field: str) -> bytes:
    return f"action\x1f{tenant}\x1f{action_id}\x1f{field}".encode()


def _out(doc: ActionDoc) -> ActionOut:
    spec = oa.tools_of(doc.metadata["raw_spec"])
    public = {k: v for k, v in doc.metadata.items() if k not in _SECRETS}
    return ActionOut(action_id=doc.action_id, agent_id=doc.agent_id, domain=spec.domain,
                     tools=[tool_name(op, spec.domain) for op in spec.operations],
                     metadata=public)


def save(deps: ActionDeps, caller: Caller, agent_id: str, body: ActionSaveRequest
         ) -> ActionOut:
    """Create or replace an action of ``agent_id`` from its OpenAPI spec; the caller needs
    EDIT on the agent (404 for an agent they cannot see, 403 for one they only view)."""
    try:
        spec = oa.tools_of(body.metadata.raw_spec)
    except oa.SpecError as exc:
        raise BadRequest(f"The OpenAPI spec is not usable: {exc}",
                         code="ACTION_SPEC_INVALID") from exc
    check_url_name(spec.server, allow_list(deps.settings))
    if body.metadata.auth.type == "oauth":
        auth = body.metadata.auth
        action_oauth.validate(auth.model_dump(), body.metadata.oauth_client_id)
        for url in (auth.authorization_url, auth.client_url):
            check_url_name(url or "", allow_list(deps.settings))
    action_id = body.action_id or object_id()
    meta = body.metadata.model_dump(exclude_none=True)
    meta["domain"] = spec.domain
    for name in _SECRETS:
        if meta.get(name):
            meta[name] = deps.secretbox.seal(str(meta[name]).encode(),
                                             context=_context(caller.tenant_id, action_id, name))
    with deps.store.unit_of_work(caller.tenant_id) as uow:
        agent = agents.load(uow, caller, agent_id, PermissionBits.EDIT)
        repo = uow.repo(ActionDoc)
        old = repo.get(action_id)
        if old is not None and (old.user != caller.user_id or old.agent_id != agent_id):
            raise NotFound("Action not found.", code="ACTION_NOT_FOUND")
        if old is not None:
            repo.delete(action_id)
        doc = repo.insert(ActionDoc(action_id=action_id, agent_id=agent_id,
                                    user=caller.user_id, metadata=meta))
        _link(uow, agent, action_id, f"{spec.domain}{ACTION_DELIMITER}{action_id}")
        uow.record(AuditEvent(action="action.save", actor=caller.actor, targetType="action",
                              targetId=action_id, metadata={"agentId": agent_id,
                                                            "domain": spec.domain}))
        uow.commit()
    return _out(doc)


def list_actions(store: Store, caller: Caller) -> list[ActionOut]:
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        docs = uow.repo(ActionDoc).find({"user": caller.user_id})
    return [_out(d) for d in docs]


def _link(uow: UnitOfWork, agent: Agent, action_id: str, entry: str | None) -> None:
    """Keep the agent's ``actions`` list (LibreChat's ``<domain>_action_<id>``) in step."""
    kept = [a for a in agent.actions if not a.endswith(f"{ACTION_DELIMITER}{action_id}")]
    uow.repo(Agent).update(agent.oid, {"actions": kept + ([entry] if entry else [])})


def delete(store: Store, caller: Caller, agent_id: str, action_id: str) -> str:
    with store.unit_of_work(caller.tenant_id) as uow:
        agent = agents.load(uow, caller, agent_id, PermissionBits.EDIT)
        doc = uow.repo(ActionDoc).get(action_id)
        if doc is None or doc.user != caller.user_id or doc.agent_id != agent_id:
            raise NotFound("Action not found.", code="ACTION_NOT_FOUND")
        uow.repo(ActionDoc).delete(action_id)
        _link(uow, agent, action_id, None)
        uow.record(AuditEvent(action="action.delete", actor=caller.actor, targetType="action",
                              targetId=action_id, metadata={"agentId": agent_id}))
        uow.commit()
    return action_id


def tool_specs(store: Store, caller: Caller, keys: set[str]) -> list[ToolSpec]:
    """Model-facing specs of the caller's action tools named in ``keys``."""
    if not keys:
        return []
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        docs = uow.repo(ActionDoc).find({"user": caller.user_id})
    out = []
    for doc in docs:
        spec = oa.tools_of(doc.metadata["raw_spec"])
        out += [ToolSpec(name=tool_name(op, spec.domain), description=op.description,
                         parameters=op.parameters)
                for op in spec.operations if tool_name(op, spec.domain) in keys]
    return out


def _find_tool(deps: ActionDeps, caller: Caller, key: str
               ) -> tuple[ActionDoc, oa.ActionSpec, oa.Operation]:
    with deps.store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        docs = uow.repo(ActionDoc).find({"user": caller.user_id})
    for doc in docs:
        spec = oa.tools_of(doc.metadata["raw_spec"])
        for op in spec.operations:
            if tool_name(op, spec.domain) == key:
                return doc, spec, op
    raise NotFound(f"Unknown tool {key!r}.", code="TOOL_NOT_FOUND")


def _secret(deps: ActionDeps, caller: Caller, doc: ActionDoc, field: str) -> str | None:
    """A sealed field of the action, opened."""
    sealed = doc.metadata.get(field)
    if not sealed:
        return None
    return deps.secretbox.open(sealed, context=_context(caller.tenant_id, doc.action_id,
                                                        field)).decode()


async def _auth_headers(deps: ActionDeps, caller: Caller, doc: ActionDoc) -> dict[str, str]:
    auth = doc.metadata.get("auth") or {}
    if action_oauth.uses_oauth(doc):
        if deps.oauth is None:
            raise BadRequest("OAuth actions need Redis here.", code="ACTION_OAUTH_UNAVAILABLE")
        token = await action_oauth.bearer(deps.oauth(), caller.tenant_id, caller.user_id, doc,
                                          _secret(deps, caller, doc, "oauth_client_secret"))
        return {"Authorization": f"Bearer {token}"}
    key = _secret(deps, caller, doc, "api_key")
    if auth.get("type") != "service_http" or not key:
        return {}
    kind = auth.get("authorization_type") or "bearer"
    if kind == "custom":
        return {auth.get("custom_auth_header") or "X-API-Key": key}
    return {"Authorization": f"{'Basic' if kind == 'basic' else 'Bearer'} {key}"}


async def call(deps: ActionDeps, caller: Caller, key: str, args: dict[str, Any],
               conversation_id: str, message_id: str | None = None,
               tool_call_id: str | None = None) -> ActionOutcome:
    """Call an action's operation. Stored and audited, including a call that could not go
    out because the user must sign in first (its outcome carries the sign-in URL)."""
    doc, spec, op = _find_tool(deps, caller, key)
    method, url, headers, query, body = oa.build_request(spec.server, op, args)
    started, ok, auth_url = time.monotonic(), False, None
    try:
        headers.update(await _auth_headers(deps, caller, doc))
        async with guarded_client(allow_list(deps.settings), timeout=30) as client:
            response = await client.request(method, url, headers=headers, params=query,
                                            json=body)
        output, ok = response.text[:20_000], response.status_code < 400
    except action_oauth.ActionSignInRequired as exc:
        output, auth_url = f"Error: {exc}", exc.url
    except (httpx.HTTPError, GoRunChatError) as exc:
        output = f"Error: {exc}"
    call_id = tool_call_id or object_id()
    _record(deps, caller, doc, key, args, output, ok, call_id,
            (conversation_id, message_id), int((time.monotonic() - started) * 1000))
    return ActionOutcome(output, ok, call_id, auth_url)


def needs_sign_in(deps: ActionDeps, caller: Caller, key: str) -> bool:
    """Whether the caller must sign in before ``key`` (an OAuth action) can be called."""
    doc, _, _ = _find_tool(deps, caller, key)
    if not action_oauth.uses_oauth(doc):
        return False
    return deps.oauth is None or not action_oauth.has_token(
        deps.oauth(), caller.tenant_id, caller.user_id, doc.action_id)


def owned_action(store: Store, caller: Caller, action_id: str) -> ActionDoc:
    """The caller's own OAuth action (404 for anyone else's, or one without OAuth)."""
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        doc = uow.repo(ActionDoc).get(action_id)
    if doc is None or doc.user != caller.user_id or not action_oauth.uses_oauth(doc):
        raise NotFound("Action not found.", code="ACTION_NOT_FOUND")
    return doc


def _record(deps: ActionDeps, caller: Caller, doc: ActionDoc, key: str, args: dict[str, Any],
            output: str, ok: bool, call_id: str, where: tuple[str, str | None],
            duration_ms: int) -> None:
    import hashlib

    digest = hashlib.sha256(json.dumps(args, sort_keys=True, separators=(",", ":"),
                                       default=str).encode()).hexdigest()
    with deps.store.unit_of_work(caller.tenant_id) as uow:
        uow.repo(ToolCall).insert(ToolCall(id=call_id, conversationId=where[0],
                                           messageId=where[1], toolId=key, user=caller.user_id,
                                           result={"output": output, "ok": ok}))
        uow.record(AuditEvent(action="tool.call", actor=caller.actor, targetType="tool",
                              targetId=key, outcome="success" if ok else "failure",
                              metadata={"server": f"action:{doc.metadata.get('domain')}",
                                        "tool": key, "argumentsSha256": digest,
                                        "durationMs": duration_ms, "toolCallId": call_id}))
        uow.commit()
