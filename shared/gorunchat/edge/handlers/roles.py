"""Handlers of the ``roles`` function: ``/api/roles`` and ``/api/permissions``."""

from __future__ import annotations

from pydantic import BaseModel

from gorunchat.contracts.acl import (
    AccessRoleView,
    EffectivePermissions,
    EffectivePermissionsMap,
    PrincipalOut,
    PrincipalSearchResponse,
    ResourcePermissions,
    SearchPrincipalsQuery,
    UpdateResourcePermissionsRequest,
    UpdateResourcePermissionsResponse,
    UpdateResults,
)
from gorunchat.contracts.roles import (
    AgentPermissionsUpdate,
    MarketplacePermissionsUpdate,
    McpServerPermissionsUpdate,
    MemoryPermissionsUpdate,
    PeoplePickerPermissionsUpdate,
    PermissionType,
    PromptPermissionsUpdate,
    RemoteAgentPermissionsUpdate,
    RoleView,
)
from gorunchat.edge.context import RequestContext
from gorunchat.edge.registry import HandlerFn, handles
from gorunchat.services import acl, roles
from gorunchat.services.caller import Caller


def caller(ctx: RequestContext) -> Caller:
    return Caller(principal=ctx.user, actor=ctx.actor)


@handles("roles.get")
def get_role(ctx: RequestContext) -> RoleView:
    return RoleView.of(roles.get_role(ctx.container.store, caller(ctx), ctx.params["roleName"]))


def _permission_route(route_id: str, ptype: PermissionType, body: type[BaseModel]) -> None:
    def update(ctx: RequestContext, changes: BaseModel) -> RoleView:
        updates = {ptype.value: changes.model_dump(exclude_none=True)}
        role = roles.update_permissions(ctx.container.store, caller(ctx),
                                        ctx.params["roleName"], updates,
                                        "role.permissions_update")
        return RoleView.of(role)

    update.__name__ = f"update_{route_id.split('.')[1]}"
    fn: HandlerFn = update
    handles(route_id, body=body)(fn)


for _route, _ptype, _body in (
    ("roles.prompts", PermissionType.PROMPTS, PromptPermissionsUpdate),
    ("roles.agents", PermissionType.AGENTS, AgentPermissionsUpdate),
    ("roles.memories", PermissionType.MEMORIES, MemoryPermissionsUpdate),
    ("roles.people_picker", PermissionType.PEOPLE_PICKER, PeoplePickerPermissionsUpdate),
    ("roles.mcp_servers", PermissionType.MCP_SERVERS, McpServerPermissionsUpdate),
    ("roles.marketplace", PermissionType.MARKETPLACE, MarketplacePermissionsUpdate),
    ("roles.remote_agents", PermissionType.REMOTE_AGENTS, RemoteAgentPermissionsUpdate),
):
    _permission_route(_route, _ptype, _body)


@handles("roles.acl_search_principals", query=SearchPrincipalsQuery)
def search_principals(ctx: RequestContext, query: SearchPrincipalsQuery
                      ) -> PrincipalSearchResponse:
    return acl.search_principals(ctx.container.store, caller(ctx), query.q, query.limit,
                                 query.types)


@handles("roles.acl_resource_roles")
def resource_roles(ctx: RequestContext) -> list[AccessRoleView]:
    return acl.resource_roles(ctx.container.store, caller(ctx), ctx.params["resourceType"])


@handles("roles.acl_effective_all")
def effective_all(ctx: RequestContext) -> EffectivePermissionsMap:
    return EffectivePermissionsMap(acl.effective_all(ctx.container.store, caller(ctx),
                                                     ctx.params["resourceType"]))


@handles("roles.acl_effective")
def effective(ctx: RequestContext) -> EffectivePermissions:
    bits = acl.effective_one(ctx.container.store, caller(ctx), ctx.params["resourceType"],
                             ctx.params["resourceId"])
    return EffectivePermissions(permissionBits=bits)


@handles("roles.acl_get")
def resource_permissions(ctx: RequestContext) -> ResourcePermissions:
    return acl.resource_permissions(ctx.container.store, caller(ctx),
                                    ctx.params["resourceType"], ctx.params["resourceId"])


@handles("roles.acl_put", body=UpdateResourcePermissionsRequest)
def update_permissions(ctx: RequestContext, body: UpdateResourcePermissionsRequest
                       ) -> UpdateResourcePermissionsResponse:
    granted = acl.update_permissions(ctx.container.store, caller(ctx),
                                     ctx.params["resourceType"], ctx.params["resourceId"],
                                     body)
    principals = [PrincipalOut(type=p.type, id=p.id, accessRoleId=p.accessRoleId)
                  for p in granted if p.type != "public"]
    return UpdateResourcePermissionsResponse(results=UpdateResults(
        principals=principals, public=body.public,
        publicAccessRoleId=body.publicAccessRoleId if body.public else None))
