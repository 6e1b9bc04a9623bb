"""Handlers of ``/api/admin/users``, ``/api/admin/roles`` and ``/api/admin/groups``.

The edge lets only ADMIN and SUPER_ADMIN in; the services enforce what needs a super admin
(anything touching the ``SUPER_ADMIN`` role or a super admin). Grants and config overrides
are in ``admin_grants``, registered with these.
"""

from __future__ import annotations

from gorunchat.contracts.admin_users import (
    AddMemberRequest,
    AdminPageQuery,
    AdminRoleList,
    AdminUserList,
    AdminUserListItem,
    AdminUserSearch,
    AdminUserSearchQuery,
    BanRequest,
    ChangeRoleRequest,
    CreateGroupRequest,
    CreateRoleRequest,
    GroupEnvelope,
    GroupList,
    GroupListQuery,
    GroupView,
    MemberList,
    Outcome,
    RoleEnvelope,
    RolePermissionsRequest,
    UpdateGroupRequest,
    UpdateRoleRequest,
)
from gorunchat.contracts.roles import RoleView
from gorunchat.edge.context import RequestContext
from gorunchat.edge.handlers import admin_grants  # noqa: F401  (registers its handlers)
from gorunchat.edge.registry import handles
from gorunchat.services import admin_users, groups, roles
from gorunchat.services.caller import Caller


def caller(ctx: RequestContext) -> Caller:
    return Caller(principal=ctx.user, actor=ctx.actor)


@handles("admin.users_list", query=AdminPageQuery)
def list_users(ctx: RequestContext, query: AdminPageQuery) -> AdminUserList:
    users, total = admin_users.list_users(ctx.container.store, caller(ctx), query.limit,
                                          query.offset)
    return AdminUserList(users=[AdminUserListItem.of(u) for u in users], total=total,
                         limit=query.limit, offset=query.offset)


@handles("admin.users_search", query=AdminUserSearchQuery)
def search_users(ctx: RequestContext, query: AdminUserSearchQuery) -> AdminUserSearch:
    found = admin_users.search_users(ctx.container.store, caller(ctx), query.q, query.limit)
    return AdminUserSearch(users=found, total=len(found), capped=len(found) >= query.limit)


@handles("admin.user_delete")
def delete_user(ctx: RequestContext) -> Outcome:
    admin_users.delete_user(ctx.container.store, caller(ctx), ctx.params["id"],
                            ctx.container.blobs)
    return Outcome(message="User deleted successfully")


@handles("admin.user_role", body=ChangeRoleRequest)
def change_role(ctx: RequestContext, body: ChangeRoleRequest) -> AdminUserListItem:
    user = admin_users.change_role(ctx.container.store, caller(ctx), ctx.params["id"],
                                   body.role)
    return AdminUserListItem.of(user)


@handles("admin.user_ban", body=BanRequest)
def ban(ctx: RequestContext, body: BanRequest) -> AdminUserListItem:
    return AdminUserListItem.of(admin_users.set_banned(
        ctx.container.store, caller(ctx), ctx.params["id"], True, body.reason))


@handles("admin.user_unban")
def unban(ctx: RequestContext) -> AdminUserListItem:
    return AdminUserListItem.of(admin_users.set_banned(
        ctx.container.store, caller(ctx), ctx.params["id"], False))


@handles("admin.roles_list", query=AdminPageQuery)
def list_roles(ctx: RequestContext, query: AdminPageQuery) -> AdminRoleList:
    items, total = roles.list_roles(ctx.container.store, caller(ctx), query.limit,
                                    query.offset)
    return AdminRoleList(roles=items, total=total, limit=query.limit, offset=query.offset)


@handles("admin.role_create", body=CreateRoleRequest, status=201)
def create_role(ctx: RequestContext, body: CreateRoleRequest) -> RoleEnvelope:
    role = roles.create_role(ctx.container.store, caller(ctx), body.name, body.description,
                             body.permissions)
    return RoleEnvelope(role=RoleView.of(role))


@handles("admin.role_get")
def get_role(ctx: RequestContext) -> RoleEnvelope:
    role = roles.admin_get_role(ctx.container.store, caller(ctx), ctx.params["name"])
    return RoleEnvelope(role=RoleView.of(role))


@handles("admin.role_update", body=UpdateRoleRequest)
def update_role(ctx: RequestContext, body: UpdateRoleRequest) -> RoleEnvelope:
    role = roles.update_role(ctx.container.store, caller(ctx), ctx.params["name"], body.name,
                             body.description)
    return RoleEnvelope(role=RoleView.of(role))


@handles("admin.role_delete")
def delete_role(ctx: RequestContext) -> Outcome:
    roles.delete_role(ctx.container.store, caller(ctx), ctx.params["name"])
    return Outcome()


@handles("admin.role_permissions", body=RolePermissionsRequest)
def role_permissions(ctx: RequestContext, body: RolePermissionsRequest) -> RoleEnvelope:
    role = roles.update_permissions(ctx.container.store, caller(ctx), ctx.params["name"],
                                    body.permissions, "admin.role_permissions")
    return RoleEnvelope(role=RoleView.of(role))


@handles("admin.role_members", query=AdminPageQuery)
def role_members(ctx: RequestContext, query: AdminPageQuery) -> MemberList:
    return roles.members(ctx.container.store, caller(ctx), ctx.params["name"], query.limit,
                         query.offset)


@handles("admin.role_member_add", body=AddMemberRequest)
def add_role_member(ctx: RequestContext, body: AddMemberRequest) -> Outcome:
    roles.change_member(ctx.container.store, caller(ctx), ctx.params["name"], body.userId,
                        add=True)
    return Outcome()


@handles("admin.role_member_remove")
def remove_role_member(ctx: RequestContext) -> Outcome:
    roles.change_member(ctx.container.store, caller(ctx), ctx.params["name"],
                        ctx.params["userId"], add=False)
    return Outcome()


@handles("admin.groups_list", query=GroupListQuery)
def list_groups(ctx: RequestContext, query: GroupListQuery) -> GroupList:
    found, total = groups.list_groups(ctx.container.store, caller(ctx), query.search,
                                      query.source, query.limit, query.offset)
    return GroupList(groups=[GroupView.of(g) for g in found], total=total, limit=query.limit,
                     offset=query.offset)


@handles("admin.group_create", body=CreateGroupRequest, status=201)
def create_group(ctx: RequestContext, body: CreateGroupRequest) -> GroupEnvelope:
    fields = body.model_dump(exclude={"memberIds"})
    group = groups.create_group(ctx.container.store, caller(ctx), fields, body.memberIds)
    return GroupEnvelope(group=GroupView.of(group))


@handles("admin.group_get")
def get_group(ctx: RequestContext) -> GroupEnvelope:
    return GroupEnvelope(group=GroupView.of(
        groups.get_group(ctx.container.store, caller(ctx), ctx.params["id"])))


@handles("admin.group_update", body=UpdateGroupRequest)
def update_group(ctx: RequestContext, body: UpdateGroupRequest) -> GroupEnvelope:
    group = groups.update_group(ctx.container.store, caller(ctx), ctx.params["id"],
                                body.model_dump(exclude_none=True))
    return GroupEnvelope(group=GroupView.of(group))


@handles("admin.group_delete")
def delete_group(ctx: RequestContext) -> Outcome:
    groups.delete_group(ctx.container.store, caller(ctx), ctx.params["id"])
    return Outcome(id=ctx.params["id"])


@handles("admin.group_members", query=AdminPageQuery)
def group_members(ctx: RequestContext, query: AdminPageQuery) -> MemberList:
    return groups.members(ctx.container.store, caller(ctx), ctx.params["id"], query.limit,
                          query.offset)


@handles("admin.group_member_add", body=AddMemberRequest)
def add_group_member(ctx: RequestContext, body: AddMemberRequest) -> GroupEnvelope:
    group = groups.add_member(ctx.container.store, caller(ctx), ctx.params["id"], body.userId)
    return GroupEnvelope(group=GroupView.of(group))


@handles("admin.group_member_remove")
def remove_group_member(ctx: RequestContext) -> Outcome:
    groups.remove_member(ctx.container.store, caller(ctx), ctx.params["id"],
                         ctx.params["userId"])
    return Outcome()
