"""``/api/permissions``: sharing a resource with users, groups, roles and everyone."""

from __future__ import annotations

from gorunchat.bootstrap import Container
from gorunchat.contracts.acl import Group
from gorunchat.contracts.roles import RoleDoc, default_permissions
from gorunchat.domain.permissions import ResourceType
from gorunchat.services import acl
from tests.routes.conftest import UserFactory, mounted

AGENT = "agent_abc"


def _own_agent(container: Container, owner_id: str) -> None:
    with container.store.unit_of_work("default") as uow:
        acl.grant_owner(uow, ResourceType.AGENT, AGENT, owner_id)
        uow.commit()


def _let_users_share(container: Container) -> None:
    perms = default_permissions("USER")
    perms["AGENTS"].update(SHARE=True, SHARE_PUBLIC=True)
    with container.store.unit_of_work("default") as uow:
        uow.repo(RoleDoc).save(RoleDoc(name="USER", permissions=perms))
        uow.commit()


def _effective(headers: dict[str, str]) -> int:
    response = mounted("roles").get(f"/api/permissions/agent/{AGENT}/effective",
                                    headers=headers)
    return response.json["permissionBits"] if response.status_code == 200 else (
        -response.status_code)


def test_sharing_with_a_user_gives_exactly_the_access_roles_bits(
        container: Container, make_user: UserFactory) -> None:
    owner, owner_auth = make_user()
    friend, friend_auth = make_user(email="friend@corp.example")
    _own_agent(container, owner.id)
    _let_users_share(container)
    assert _effective(friend_auth) == -404

    put = mounted("roles").put(f"/api/permissions/agent/{AGENT}", headers=owner_auth, json={
        "updated": [{"type": "user", "id": friend.id, "accessRoleId": "agent_editor"}],
        "public": False})
    listed = mounted("roles").get(f"/api/permissions/agent/{AGENT}", headers=owner_auth)

    assert put.status_code == 200
    assert put.json["results"]["principals"] == [
        {"type": "user", "id": friend.id, "name": None, "email": None, "avatar": None,
         "description": None, "source": None, "idOnTheSource": None,
         "accessRoleId": "agent_editor"}]
    assert _effective(friend_auth) == 3
    assert sorted((p["type"], p["accessRoleId"]) for p in listed.json["principals"]) == [
        ("user", "agent_editor"), ("user", "agent_owner")]
    assert listed.json["public"] is False
    record = container.store.audit_log("default").records()[-1]
    assert (record.action, record.targetId) == ("acl.update", AGENT)


def test_public_and_revocation(container: Container, make_user: UserFactory) -> None:
    owner, owner_auth = make_user()
    _, anyone = make_user()
    _own_agent(container, owner.id)
    _let_users_share(container)

    mounted("roles").put(f"/api/permissions/agent/{AGENT}", headers=owner_auth,
                         json={"public": True, "publicAccessRoleId": "agent_viewer"})
    shared = _effective(anyone)
    mounted("roles").put(f"/api/permissions/agent/{AGENT}", headers=owner_auth,
                         json={"public": False})

    assert shared == 1
    assert _effective(anyone) == -404


def test_a_role_without_share_cannot_share(container: Container, make_user: UserFactory
                                           ) -> None:
    owner, owner_auth = make_user()
    friend, _ = make_user()
    _own_agent(container, owner.id)

    response = mounted("roles").put(f"/api/permissions/agent/{AGENT}", headers=owner_auth,
                                    json={"updated": [{"type": "user", "id": friend.id,
                                                       "accessRoleId": "agent_viewer"}]})

    assert (response.status_code, response.json["error"]["code"]) == (403, "SHARE_FORBIDDEN")


def test_group_and_role_grants_follow_membership_on_the_next_request(
        container: Container, make_user: UserFactory) -> None:
    owner, owner_auth = make_user()
    member, member_auth = make_user()
    _, admin = make_user(role="ADMIN")
    _own_agent(container, owner.id)
    _let_users_share(container)
    with container.store.unit_of_work("default") as uow:
        uow.repo(Group).insert(Group(id="g-sales", name="Sales"))
        uow.repo(RoleDoc).insert(RoleDoc(name="ANALYSTS", permissions={}))
        uow.commit()
    mounted("roles").put(f"/api/permissions/agent/{AGENT}", headers=owner_auth, json={
        "updated": [{"type": "group", "id": "g-sales", "accessRoleId": "agent_viewer"},
                    {"type": "role", "id": "ANALYSTS", "accessRoleId": "agent_editor"}]})
    before = _effective(member_auth)

    mounted("admin").post("/api/admin/groups/g-sales/members", json={"userId": member.id},
                          headers=admin)
    in_group = _effective(member_auth)
    mounted("admin").post("/api/admin/roles/ANALYSTS/members", json={"userId": member.id},
                          headers=admin)
    in_both = _effective(member_auth)
    mounted("admin").delete(f"/api/admin/groups/g-sales/members/{member.id}", headers=admin)
    mounted("admin").delete(f"/api/admin/roles/ANALYSTS/members/{member.id}", headers=admin)

    assert (before, in_group, in_both, _effective(member_auth)) == (-404, 1, 3, -404)


def test_unknown_resource_types_and_access_roles_are_400(
        container: Container, make_user: UserFactory) -> None:
    owner, auth = make_user()
    _own_agent(container, owner.id)
    _let_users_share(container)

    bad_type = mounted("roles").get("/api/permissions/spaceship/roles", headers=auth)
    bad_role = mounted("roles").put(f"/api/permissions/agent/{AGENT}", headers=auth,
                                    json={"public": True, "publicAccessRoleId": "god_mode"})
    roles = mounted("roles").get("/api/permissions/agent/roles", headers=auth)

    assert (bad_type.status_code, bad_type.json["error"]["code"]) == (
        400, "UNSUPPORTED_RESOURCE_TYPE")
    assert (bad_role.status_code, bad_role.json["error"]["code"]) == (400, "INVALID_ACCESS_ROLE")
    assert [(r["accessRoleId"], r["permBits"]) for r in roles.json] == [
        ("agent_viewer", 1), ("agent_editor", 3), ("agent_owner", 15)]


def test_effective_all_lists_what_the_caller_can_view(
        container: Container, make_user: UserFactory) -> None:
    owner, owner_auth = make_user()
    _, other = make_user()
    _own_agent(container, owner.id)

    mine = mounted("roles").get("/api/permissions/agent/effective/all", headers=owner_auth)
    theirs = mounted("roles").get("/api/permissions/agent/effective/all", headers=other)

    assert mine.json == {AGENT: 15}
    assert theirs.json == {}


def test_people_search_needs_the_people_picker_permission(
        container: Container, make_user: UserFactory) -> None:
    _, user = make_user()
    _, admin = make_user(role="ADMIN", email="zed@corp.example")

    denied = mounted("roles").get("/api/permissions/search-principals?q=ze", headers=user)
    found = mounted("roles").get("/api/permissions/search-principals?q=ze&types=user",
                                 headers=admin)

    assert (denied.status_code, denied.json["error"]["code"]) == (
        403, "PEOPLE_PICKER_FORBIDDEN")
    assert [r["email"] for r in found.json["results"]] == ["zed@corp.example"]
    assert found.json["count"] == 1
