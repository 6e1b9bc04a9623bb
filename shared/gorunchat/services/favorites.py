"""Favorites: pinned agents and models (on the user document, LibreChat's ``favorites``)
and pinned tools, MCP servers, built-ins and skills (collection ``toolfavorites``)."""

from __future__ import annotations

from gorunchat.contracts.audit import AuditEvent
from gorunchat.contracts.errors import BadRequest
from gorunchat.contracts.user import Favorite, ToolFavorite, ToolFavoriteParams, ToolFavoriteView
from gorunchat.domain.ids import object_id
from gorunchat.ports.store import Store
from gorunchat.services import users
from gorunchat.services.caller import Caller

MAX_TOOL_FAVORITES = 100


def get(store: Store, caller: Caller) -> list[Favorite]:
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        raw = users.field(users.load(uow, caller.user_id), "favorites")
    if not isinstance(raw, list):
        return []
    found: list[Favorite] = []
    for item in raw:  # entries written by older clients that no longer validate are skipped
        if isinstance(item, dict):
            try:
                found.append(Favorite.model_validate(item))
            except ValueError:
                continue
    return found


def replace(store: Store, caller: Caller, favorites: list[Favorite]) -> list[Favorite]:
    """Replace the pinned agents and models with ``favorites`` (in order)."""
    stored = [f.model_dump(exclude_none=True) for f in favorites]
    with store.unit_of_work(caller.tenant_id) as uow:
        users.load(uow, caller.user_id)
        uow.users.update(caller.user_id, {"favorites": stored})
        uow.record(AuditEvent(action="user.favorites_update", actor=caller.actor,
                              targetType="user", targetId=caller.user_id,
                              metadata={"count": len(stored)}))
        uow.commit()
    return favorites


def tools(store: Store, caller: Caller) -> list[ToolFavoriteView]:
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        found = uow.repo(ToolFavorite).find({"user": caller.user_id},
                                            sort=[("createdAt", 1)])
    return [ToolFavoriteView.model_validate({"itemType": f.itemType, "itemId": f.itemId})
            for f in found]


def add_tool(store: Store, caller: Caller, item: ToolFavoriteParams) -> ToolFavoriteView:
    """Pin a tool; pinning it again changes nothing."""
    with store.unit_of_work(caller.tenant_id) as uow:
        repo = uow.repo(ToolFavorite)
        where = {"user": caller.user_id, "itemType": item.itemType, "itemId": item.itemId}
        if repo.find_one(where) is None:
            if repo.count({"user": caller.user_id}) >= MAX_TOOL_FAVORITES:
                raise BadRequest(f"Maximum {MAX_TOOL_FAVORITES} favorites allowed.",
                                 code="MAX_FAVORITES_EXCEEDED")
            repo.insert(ToolFavorite.model_validate({
                "_id": object_id(), "tenantId": uow.tenant_id, **where}))
            uow.record(AuditEvent(action="user.favorite_tool_add", actor=caller.actor,
                                  targetType=item.itemType, targetId=item.itemId))
            uow.commit()
    return ToolFavoriteView(itemType=item.itemType, itemId=item.itemId)


def remove_tool(store: Store, caller: Caller, item: ToolFavoriteParams) -> None:
    with store.unit_of_work(caller.tenant_id) as uow:
        removed = uow.repo(ToolFavorite).delete_many(
            {"user": caller.user_id, "itemType": item.itemType, "itemId": item.itemId})
        if removed:
            uow.record(AuditEvent(action="user.favorite_tool_remove", actor=caller.actor,
                                  targetType=item.itemType, targetId=item.itemId))
            uow.commit()
