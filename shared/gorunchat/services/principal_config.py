"""Per-principal configuration overrides (``/api/admin/config``) and the merged
configuration a signed-in user sees.

**Merge order.** The configuration a user gets is built in layers, each later layer
winning over the earlier ones:

    base (gorunchat.yaml)  ←  tenant base override (role ``__base__``)
                          ←  the user's role  ←  the user's groups  ←  the user

Groups apply in ascending ``priority``, then by id, so a higher-priority group wins over a
lower one. Within a layer, mappings merge key by key (recursively); any other value (a
list, a string, a number) replaces the lower layer's value whole. A layer's
``tombstones`` (dotted paths) first remove what the lower layers set, then its
``overrides`` apply. Inactive overrides (``isActive: false``) are skipped. The merged
result is validated as a ``gorunchat.yaml`` (``AppConfig``); a write that would make it
invalid is refused (422), so ``GET /api/config`` never breaks.

Changing the tenant base override, the ``SUPER_ADMIN`` role's override or a super admin's
override needs a super admin.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import Any

from pydantic import ValidationError

from gorunchat.contracts.acl import Group
from gorunchat.contracts.admin_config import BASE_PRINCIPAL_ID, ConfigOverride
from gorunchat.contracts.appconfig import AppConfig
from gorunchat.contracts.errors import BadRequest, Forbidden, NotFound, ValidationFailed
from gorunchat.contracts.identity import Principal, Role
from gorunchat.domain.ids import object_id
from gorunchat.ports.store import Store, UnitOfWork
from gorunchat.services.caller import Caller
from gorunchat.services.groups import group_ids_for
from gorunchat.services.roles import audit, find_role

_LAYER = {"role": 0, "group": 1, "user": 2}
_MODEL = {"role": "Role", "group": "Group", "user": "User"}


def deep_merge(lower: dict[str, Any], upper: dict[str, Any]) -> dict[str, Any]:
    """``upper`` over ``lower``: mappings merge recursively, anything else replaces."""
    merged = dict(lower)
    for key, value in upper.items():
        below = merged.get(key)
        if isinstance(value, dict) and isinstance(below, dict):
            merged[key] = deep_merge(below, value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def unset_path(data: dict[str, Any], path: str) -> bool:
    """Remove the value at a dotted path; whether anything was removed."""
    *parents, leaf = path.split(".")
    node: Any = data
    for part in parents:
        node = node.get(part) if isinstance(node, dict) else None
    return isinstance(node, dict) and node.pop(leaf, _MISSING) is not _MISSING


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    node = data
    for part in parents:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[leaf] = copy.deepcopy(value)


_MISSING = object()


def layered(base: dict[str, Any], layers: Iterable[ConfigOverride]) -> dict[str, Any]:
    """Apply ``layers`` (already in merge order) over ``base``."""
    result = copy.deepcopy(base)
    for layer in layers:
        for path in layer.tombstones:
            unset_path(result, path)
        result = deep_merge(result, layer.overrides)
    return result


def layers_for(uow: UnitOfWork, principal: Principal) -> list[ConfigOverride]:
    """The active overrides that apply to ``principal``, in merge order."""
    repo = uow.repo(ConfigOverride)
    wanted = [("role", BASE_PRINCIPAL_ID), ("role", principal.role),
              *(("group", g) for g in sorted(group_ids_for(uow, principal.userId))),
              ("user", principal.userId)]
    found = [doc for ptype, pid in wanted for doc in repo.find(
        {"principalType": ptype, "principalId": pid, "isActive": True})]
    return sorted(found, key=lambda d: (d.principalId != BASE_PRINCIPAL_ID,
                                        _LAYER[d.principalType], d.priority, d.principalId))


def effective_app_config(uow: UnitOfWork, app: AppConfig, principal: Principal) -> AppConfig:
    """``app`` with every override that applies to ``principal`` merged in."""
    layers = layers_for(uow, principal)
    if not layers:
        return app
    merged = layered(app.model_dump(mode="json", exclude_none=True), layers)
    try:
        return AppConfig.model_validate(merged)
    except ValidationError:
        return app  # an override written before validation existed must not break sign-in


def _validated(app: AppConfig, doc: ConfigOverride) -> ConfigOverride:
    try:
        AppConfig.model_validate(layered(app.model_dump(mode="json", exclude_none=True),
                                         [doc]))
    except ValidationError as exc:
        raise ValidationFailed("These overrides do not make a valid configuration.",
                               details=[{"field": ".".join(str(p) for p in e["loc"]),
                                         "message": e["msg"]}
                                        for e in exc.errors(include_url=False)]) from exc
    return doc


def _guard(uow: UnitOfWork, caller: Caller, ptype: str, pid: str, write: bool) -> None:
    if ptype not in _LAYER:
        raise BadRequest(f"Invalid principalType: {ptype}.", code="INVALID_PRINCIPAL_TYPE")
    if pid == BASE_PRINCIPAL_ID and ptype == "role":
        exists = True
    elif ptype == "user":
        exists = uow.users.get(pid) is not None
    elif ptype == "group":
        exists = uow.repo(Group).get(pid) is not None
    else:
        exists = find_role(uow, pid) is not None
    if not exists:
        raise NotFound("Principal not found.", code="PRINCIPAL_NOT_FOUND")
    supers = pid in (BASE_PRINCIPAL_ID, Role.SUPER_ADMIN.value) or (
        ptype == "user" and getattr(uow.users.get(pid), "role", None) == Role.SUPER_ADMIN)
    if write and supers and not caller.principal.has_role(Role.SUPER_ADMIN):
        raise Forbidden("Only a super admin can change this configuration.",
                        code="SUPER_ADMIN_REQUIRED")


def _find(uow: UnitOfWork, ptype: str, pid: str) -> ConfigOverride | None:
    return uow.repo(ConfigOverride).find_one({"principalType": ptype, "principalId": pid})


def list_configs(store: Store, caller: Caller) -> list[ConfigOverride]:
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        return uow.repo(ConfigOverride).find({}, sort=[("priority", 1)])


def get_config(store: Store, caller: Caller, ptype: str, pid: str) -> ConfigOverride:
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        _guard(uow, caller, ptype, pid, write=False)
        doc = _find(uow, ptype, pid)
    if doc is None:
        raise NotFound("Config not found.", code="CONFIG_NOT_FOUND")
    return doc


Mutation = Callable[[ConfigOverride], ConfigOverride]


def mutate(store: Store, caller: Caller, app: AppConfig, ptype: str, pid: str,
           change: Mutation, action: str, *, create: bool, **metadata: Any
           ) -> ConfigOverride:
    """Apply ``change`` to the principal's override (created if ``create``), validate the
    result against the base configuration, save and audit it."""
    with store.unit_of_work(caller.tenant_id) as uow:
        _guard(uow, caller, ptype, pid, write=True)
        current = _find(uow, ptype, pid)
        if current is None and not create:
            raise NotFound("Config not found.", code="CONFIG_NOT_FOUND")
        doc = current or ConfigOverride(id=object_id(), principalType=ptype,
                                        principalId=pid, principalModel=_MODEL[ptype])
        changed = _validated(app, change(doc.model_copy(deep=True)))
        saved = uow.repo(ConfigOverride).save(changed.model_copy(
            update={"configVersion": doc.configVersion + 1}))
        audit(uow, caller, action, f"config:{ptype}", pid, **metadata)
        uow.commit()
    return saved


def delete_config(store: Store, caller: Caller, ptype: str, pid: str) -> None:
    with store.unit_of_work(caller.tenant_id) as uow:
        _guard(uow, caller, ptype, pid, write=True)
        if not uow.repo(ConfigOverride).delete_many({"principalType": ptype,
                                                     "principalId": pid}):
            raise NotFound("Config not found.", code="CONFIG_NOT_FOUND")
        audit(uow, caller, "admin.config_delete", f"config:{ptype}", pid)
        uow.commit()


def replace_overrides(overrides: dict[str, Any], priority: int | None) -> Mutation:
    def change(doc: ConfigOverride) -> ConfigOverride:
        doc.overrides, doc.tombstones, doc.isActive = overrides, [], True
        doc.priority = doc.priority if priority is None else priority
        return doc
    return change


def patch_fields(entries: list[tuple[str, Any]], priority: int | None) -> Mutation:
    def change(doc: ConfigOverride) -> ConfigOverride:
        for path, value in entries:
            set_path(doc.overrides, path, value)
            # clears the path's own tombstone and nested ancestors, not a whole section's
            doc.tombstones = [t for t in doc.tombstones if t != path
                              and not ("." in t and path.startswith(t + "."))]
        doc.priority = doc.priority if priority is None else priority
        return doc
    return change


def unset_field(path: str) -> Mutation:
    def change(doc: ConfigOverride) -> ConfigOverride:
        unset_path(doc.overrides, path)
        doc.tombstones = [t for t in doc.tombstones
                          if t != path and not t.startswith(path + ".")]
        return doc
    return change


def tombstone_field(path: str, priority: int | None) -> Mutation:
    def change(doc: ConfigOverride) -> ConfigOverride:
        unset_path(doc.overrides, path)
        if path not in doc.tombstones:
            doc.tombstones = [*doc.tombstones, path]
        doc.priority = doc.priority if priority is None else priority
        return doc
    return change


def set_active(active: bool) -> Mutation:
    def change(doc: ConfigOverride) -> ConfigOverride:
        doc.isActive = active
        return doc
    return change
