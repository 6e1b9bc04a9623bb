"""Users' own plugin credentials: MCP ``customUserVars`` and user-entered MCP API keys.

``POST /api/user/plugins`` (LibreChat's body: ``pluginKey``, ``action``, ``auth``) installs or
uninstalls a plugin key on the user and saves or removes credentials. Only fields the server
declares are accepted (its ``customUserVars``, plus :data:`USER_API_KEY_FIELD` when its
``apiKey.source`` is ``user``), so nobody stores arbitrary secrets under a server's name.
Values are sealed with ``SecretBox`` (context: tenant, user, plugin key, field) and never
returned: ``GET /api/mcp/:serverName/auth-values`` only says which fields are set.
An empty value removes that field, as clearing a box in the settings dialog means.
Saves and removals are audited with the field names, never the values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from gorunchat.contracts.audit import AuditEvent
from gorunchat.contracts.errors import BadRequest
from gorunchat.contracts.mcp import MCP_DELIMITER, McpServerConfig
from gorunchat.contracts.plugins import (
    MAX_PLUGINS,
    MCP_PLUGIN_PREFIX,
    USER_API_KEY_FIELD,
    PluginAuth,
    PluginsUpdate,
    PluginsUpdateResponse,
)
from gorunchat.contracts.settings import Settings
from gorunchat.domain.ids import object_id
from gorunchat.ports.secretbox import SecretBox
from gorunchat.ports.store import Store, UnitOfWork
from gorunchat.services import mcp
from gorunchat.services.caller import Caller


@dataclass(frozen=True)
class PluginDeps:
    store: Store
    settings: Settings
    secretbox: SecretBox


def plugin_key_for(server: str) -> str:
    return f"{MCP_PLUGIN_PREFIX}{server}"


def server_of(plugin_key: str) -> str | None:
    """The MCP server a plugin key names (``mcp_<server>`` or a ``tool_mcp_server`` key)."""
    if plugin_key.startswith(MCP_PLUGIN_PREFIX):
        return plugin_key[len(MCP_PLUGIN_PREFIX):] or None
    _, sep, server = plugin_key.rpartition(MCP_DELIMITER)
    return server if sep and server else None


def declared_fields(config: McpServerConfig) -> list[str]:
    """The credential fields a server asks each user for."""
    fields = list(config.customUserVars)
    if config.apiKey is not None and config.apiKey.source == "user":
        fields.append(USER_API_KEY_FIELD)
    return fields


def _context(tenant: str, user_id: str, plugin_key: str, field: str) -> bytes:
    return f"pluginauth\x1f{tenant}\x1f{user_id}\x1f{plugin_key}\x1f{field}".encode()


def _where(user_id: str, plugin_key: str) -> dict[str, str]:
    return {"userId": user_id, "pluginKey": plugin_key}


def values(store: Store, box: SecretBox, tenant: str, user_id: str, server: str
           ) -> dict[str, str]:
    """The user's opened credentials for a server (field → value)."""
    key = plugin_key_for(server)
    with store.unit_of_work(tenant, readonly=True) as uow:
        found = uow.repo(PluginAuth).find(_where(user_id, key))
    return {d.authField: box.open(d.value, context=_context(tenant, user_id, key,
                                                            d.authField)).decode()
            for d in found}


def flags(store: Store, caller: Caller, settings: Settings, server: str) -> dict[str, bool]:
    """Which of the server's declared fields the caller has set (values never leave)."""
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        entry = mcp.find(uow, caller, settings, server)
        stored = {d.authField for d in uow.repo(PluginAuth).find(
            _where(caller.user_id, plugin_key_for(server)))}
    return {name: name in stored for name in declared_fields(entry.config)}


def _server_fields(uow: UnitOfWork, caller: Caller, settings: Settings,
                   plugin_key: str) -> tuple[str, list[str]]:
    server = server_of(plugin_key)
    if server is None:
        raise BadRequest(f"{plugin_key!r} takes no credentials here.",
                         code="PLUGIN_AUTH_NOT_SUPPORTED")
    entry = mcp.find(uow, caller, settings, server)
    return server, declared_fields(entry.config)


def _save(uow: UnitOfWork, deps: PluginDeps, caller: Caller, plugin_key: str,
          auth: Mapping[str, str]) -> tuple[list[str], list[str]]:
    repo = uow.repo(PluginAuth)
    saved, removed = [], []
    for field, value in auth.items():
        where = {**_where(caller.user_id, plugin_key), "authField": field}
        gone = repo.delete_many(where)
        if not value.strip():
            if gone:
                removed.append(field)
            continue
        sealed = deps.secretbox.seal(value.encode(), context=_context(
            caller.tenant_id, caller.user_id, plugin_key, field))
        repo.insert(PluginAuth(id=object_id(), userId=caller.user_id, pluginKey=plugin_key,
                               authField=field, value=sealed))
        saved.append(field)
    return saved, removed


def _remove(uow: UnitOfWork, caller: Caller, plugin_key: str,
            fields: list[str]) -> list[str]:
    repo = uow.repo(PluginAuth)
    where = _where(caller.user_id, plugin_key)
    stored = sorted({d.authField for d in repo.find(where)})
    doomed = [f for f in stored if not fields or f in fields]
    for field in doomed:
        repo.delete_many({**where, "authField": field})
    return doomed


def _plugins(current: list[str], key: str, action: str) -> list[str]:
    if action == "uninstall":
        return [p for p in current if p != key]
    if key in current:
        return current
    if len(current) >= MAX_PLUGINS:
        raise BadRequest(f"At most {MAX_PLUGINS} plugins can be installed; uninstall one "
                         "first.", code="PLUGINS_LIMIT")
    return [*current, key]


def update(deps: PluginDeps, caller: Caller, body: PluginsUpdate) -> PluginsUpdateResponse:
    """Install or uninstall ``body.pluginKey`` for the caller, saving or removing credentials.

    Uninstalling an MCP server with an empty ``auth`` removes all of the caller's credentials
    for it (LibreChat's "revoke"); the caller's OAuth tokens go with ``…/oauth/cancel``.
    """
    key = body.pluginKey
    saved: list[str] = []
    removed: list[str] = []
    with deps.store.unit_of_work(caller.tenant_id) as uow:
        user = uow.users.get(caller.user_id)
        plugins = list(user.plugins) if user else []
        if body.auth is not None and (body.auth or body.action == "uninstall"):
            server, declared = _server_fields(uow, caller, deps.settings, key)
            unknown = sorted(set(body.auth) - set(declared))
            if unknown:
                raise BadRequest(f"{server} does not ask for {', '.join(unknown)}.",
                                 code="PLUGIN_AUTH_FIELD_UNKNOWN")
            key = plugin_key_for(server)
            if body.action == "install":
                saved, removed = _save(uow, deps, caller, key, body.auth)
            else:
                removed = _remove(uow, caller, key, list(body.auth))
        if not body.isEntityTool:
            plugins = _plugins(plugins, body.pluginKey, body.action)
            uow.users.update(caller.user_id, {"plugins": plugins})
        uow.record(AuditEvent(action="user.plugins_update", actor=caller.actor,
                              targetType="plugin", targetId=body.pluginKey,
                              metadata={"action": body.action, "saved": saved,
                                        "removed": removed}))
        uow.commit()
    return PluginsUpdateResponse(pluginKey=body.pluginKey, action=body.action,
                                 plugins=plugins, saved=saved, removed=removed)
