"""MCP servers: the admin's (``mcpServers`` in ``gorunchat.yaml``) and the users' own.

User-added servers are http(s) only, may not read the environment (``${VAR}``), must pass the
SSRF guard, and are shared through the ACL (resource type ``mcpServer``). Every mutation is
audited in the same unit of work, so it fails closed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from gorunchat.adapters.net.ssrf import AllowList, check_url_name
from gorunchat.contracts.audit import AuditEvent
from gorunchat.contracts.errors import BadRequest, Conflict, NotFound
from gorunchat.contracts.mcp import (
    McpServerConfig,
    McpServerCreate,
    McpServerDoc,
    McpServerOut,
    McpServerUpdate,
)
from gorunchat.contracts.settings import Settings
from gorunchat.domain.ids import object_id
from gorunchat.domain.permissions import PermissionBits, ResourceType
from gorunchat.domain.placeholders import mentions_env, mentions_user
from gorunchat.ports.store import Store, UnitOfWork
from gorunchat.services import acl, egress
from gorunchat.services.caller import Caller

RTYPE = ResourceType.MCPSERVER


def user_allow_list(settings: Settings) -> AllowList:
    """The guard's allow-list for URLs users chose."""
    return egress.mcp_allow_list(settings)


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def config_allow_list(settings: Settings, url: str) -> AllowList:
    """The admin's own server host is trusted; anything else it leads to is guarded."""
    return egress.mcp_allow_list(settings, [host_of(url)])


@dataclass(frozen=True)
class ServerEntry:
    """A server the caller may use, wherever it was declared."""

    name: str
    config: McpServerConfig
    source: Literal["config", "user"]
    doc: McpServerDoc | None = None

    @property
    def per_user(self) -> bool:
        """Whether each user gets their own connection (their identity or secrets go in it)."""
        c = self.config
        return (self.source == "user" or c.requiresOAuth or bool(c.customUserVars)
                or (c.apiKey is not None and c.apiKey.source == "user")
                or mentions_user(c.model_dump()))

    def out(self) -> McpServerOut:
        return McpServerOut(serverName=self.name, source=self.source,
                            config=_public_config(self.config),
                            author=self.doc.author if self.doc else None,
                            dbId=self.doc.id if self.doc else None)


def _public_config(config: McpServerConfig) -> dict[str, Any]:
    """The configuration without secrets (env values, header values, keys, client secret)."""
    data = config.model_dump(exclude_none=True)
    data.pop("env", None)
    data["headers"] = dict.fromkeys(config.headers, "***")
    if isinstance(data.get("oauth"), dict):
        data["oauth"].pop("client_secret", None)
    if isinstance(data.get("apiKey"), dict):
        data["apiKey"].pop("key", None)
    return data


def yaml_servers(settings: Settings) -> dict[str, McpServerConfig]:
    return {name: McpServerConfig.model_validate(raw)
            for name, raw in settings.app.mcpServers.items()}


def _user_docs(uow: UnitOfWork, caller: Caller) -> list[McpServerDoc]:
    ids = acl.accessible(uow, caller.principal, RTYPE)
    if not ids:
        return []
    return [d for d in uow.repo(McpServerDoc).find({}) if d.id in ids]


def visible(uow: UnitOfWork, caller: Caller, settings: Settings) -> dict[str, ServerEntry]:
    """Every server the caller may see, by name (``gorunchat.yaml`` wins a name clash)."""
    out = {d.serverName: ServerEntry(d.serverName, McpServerConfig.model_validate(d.config),
                                     "user", d) for d in _user_docs(uow, caller)}
    out.update({n: ServerEntry(n, c, "config") for n, c in yaml_servers(settings).items()})
    return out


def server_not_found() -> NotFound:
    return NotFound("MCP server not found.", code="MCP_SERVER_NOT_FOUND")


def find(uow: UnitOfWork, caller: Caller, settings: Settings, name: str) -> ServerEntry:
    entry = visible(uow, caller, settings).get(name)
    if entry is None:
        raise server_not_found()
    return entry


def _validate_user_config(config: McpServerConfig, settings: Settings) -> None:
    if config.transport == "stdio" or config.command:
        raise BadRequest("User-added MCP servers must use sse or streamable-http.",
                         code="MCP_TRANSPORT_NOT_ALLOWED")
    if mentions_env(config.model_dump()):
        raise BadRequest("User-added MCP servers may not reference environment variables.",
                         code="MCP_ENV_NOT_ALLOWED")
    check_url_name(config.url or "", user_allow_list(settings))


def _slug(title: str | None) -> str:
    slug = re.sub(r"[^A-Za-z0-9_-]+", "_", (title or "").strip()).strip("_")[:64]
    if not slug:
        raise BadRequest("Give the server a serverName or a config.title.",
                         code="MCP_SERVER_NAME_REQUIRED")
    return slug


def _audit(uow: UnitOfWork, caller: Caller, action: str, doc: McpServerDoc,
           **metadata: object) -> None:
    uow.record(AuditEvent(action=action, actor=caller.actor, targetType="mcpServer",
                          targetId=doc.id, metadata={"serverName": doc.serverName,
                                                     "url": doc.config.get("url"),
                                                     **metadata}))


def list_servers(store: Store, caller: Caller, settings: Settings) -> list[McpServerOut]:
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        return [e.out() for e in visible(uow, caller, settings).values()]


def get_server(store: Store, caller: Caller, settings: Settings, name: str) -> McpServerOut:
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        return find(uow, caller, settings, name).out()


def create_server(store: Store, caller: Caller, settings: Settings,
                  body: McpServerCreate) -> McpServerOut:
    """Add a user's server; the caller becomes its owner."""
    _validate_user_config(body.config, settings)
    name = body.serverName or _slug(body.config.title)
    with store.unit_of_work(caller.tenant_id) as uow:
        taken = name in yaml_servers(settings) or uow.repo(McpServerDoc).find_one(
            {"serverName": name}) is not None
        if taken:
            raise Conflict(f"An MCP server named {name!r} exists.", code="MCP_SERVER_EXISTS")
        doc = uow.repo(McpServerDoc).insert(McpServerDoc(
            id=object_id(), serverName=name, author=caller.user_id,
            config=body.config.model_dump(exclude_none=True)))
        acl.grant_owner(uow, RTYPE, doc.id, caller.user_id)
        _audit(uow, caller, "mcp.server_create", doc)
        uow.commit()
    return ServerEntry(name, body.config, "user", doc).out()


def _owned_doc(uow: UnitOfWork, caller: Caller, settings: Settings, name: str,
               needed: PermissionBits) -> McpServerDoc:
    entry = find(uow, caller, settings, name)
    if entry.doc is None:
        raise BadRequest("Servers from gorunchat.yaml are changed by editing the file.",
                         code="MCP_SERVER_READ_ONLY")
    acl.require(uow, caller.principal, RTYPE, entry.doc.id, needed)
    return entry.doc


def update_server(store: Store, caller: Caller, settings: Settings, name: str,
                  body: McpServerUpdate) -> McpServerOut:
    _validate_user_config(body.config, settings)
    with store.unit_of_work(caller.tenant_id) as uow:
        doc = _owned_doc(uow, caller, settings, name, PermissionBits.EDIT)
        config = body.config.model_dump(exclude_none=True)
        uow.repo(McpServerDoc).update(doc.id, {"config": config})
        _audit(uow, caller, "mcp.server_update", doc)
        uow.commit()
    return ServerEntry(name, body.config, "user", doc).out()


def delete_server(store: Store, caller: Caller, settings: Settings, name: str) -> str:
    with store.unit_of_work(caller.tenant_id) as uow:
        doc = _owned_doc(uow, caller, settings, name, PermissionBits.DELETE)
        uow.repo(McpServerDoc).delete(doc.id)
        acl.delete_resource_entries(uow, RTYPE, doc.id)
        _audit(uow, caller, "mcp.server_delete", doc)
        uow.commit()
    return name

