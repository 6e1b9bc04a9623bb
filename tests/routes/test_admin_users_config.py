"""Per-principal config overrides and the merged ``GET /api/config`` (base ← role ← group
← user), plus the admin roles, groups and grants routes that feed them."""

from __future__ import annotations

from gorunchat.bootstrap import Container
from tests.routes.conftest import UserFactory, mounted


def _interface(headers: dict[str, str] | None = None) -> dict[str, object]:
    response = mounted("config").get("/api/config", headers=headers or {})
    assert response.status_code == 200
    interface: dict[str, object] = response.json["interface"]
    return interface


def test_overrides_merge_base_role_group_user_in_that_order(
        container: Container, make_user: UserFactory) -> None:
    _, admin = make_user(role="SUPER_ADMIN")
    user, user_auth = make_user()
    group = mounted("admin").post("/api/admin/groups", headers=admin,
                                  json={"name": "Sales", "memberIds": [user.id]})
    gid = group.json["group"]["id"]
    put = mounted("admin").put
    put("/api/admin/config/role/__base__", headers=admin,
        json={"overrides": {"interface": {"customWelcome": "base", "agents": False}}})
    put("/api/admin/config/role/USER", headers=admin,
        json={"overrides": {"interface": {"customWelcome": "role", "presets": False}}})
    put(f"/api/admin/config/group/{gid}", headers=admin,
        json={"overrides": {"interface": {"customWelcome": "group"}}})
    put(f"/api/admin/config/user/{user.id}", headers=admin,
        json={"overrides": {"interface": {"customWelcome": "user"}}})

    mine = _interface(user_auth)
    anonymous = _interface()

    assert (mine["customWelcome"], mine["agents"], mine["presets"]) == ("user", False, False)
    assert anonymous.get("customWelcome") is None and anonymous["agents"] is True
    mounted("admin").delete(f"/api/admin/config/user/{user.id}", headers=admin)
    assert _interface(user_auth)["customWelcome"] == "group"
    mounted("admin").delete(f"/api/admin/groups/{gid}/members/{user.id}", headers=admin)
    assert _interface(user_auth)["customWelcome"] == "role"


def test_fields_tombstones_and_toggling(container: Container, make_user: UserFactory) -> None:
    _, admin = make_user(role="ADMIN")
    user, user_auth = make_user()
    base = f"/api/admin/config/user/{user.id}"

    patched = mounted("admin").patch(f"{base}/fields", headers=admin, json={
        "entries": [{"fieldPath": "interface.customWelcome", "value": "hi"}]})
    stone = mounted("admin").post(f"{base}/fields/tombstone", headers=admin,
                                  json={"fieldPath": "interface.customWelcome"})
    off = mounted("admin").patch(f"{base}/active", headers=admin, json={"isActive": False})

    assert patched.json["config"]["overrides"] == {"interface": {"customWelcome": "hi"}}
    assert stone.json["config"]["tombstones"] == ["interface.customWelcome"]
    assert off.json["config"]["isActive"] is False
    assert _interface(user_auth).get("customWelcome") is None


def test_invalid_or_unsafe_overrides_are_refused(container: Container, make_user: UserFactory
                                                 ) -> None:
    _, admin = make_user(role="ADMIN")
    user, _ = make_user()
    base = f"/api/admin/config/user/{user.id}"

    invalid = mounted("admin").put(base, headers=admin,
                                   json={"overrides": {"balance": {"startBalance": "lots"}}})
    unsafe = mounted("admin").patch(f"{base}/fields", headers=admin, json={
        "entries": [{"fieldPath": "__proto__.polluted", "value": True}]})
    missing = mounted("admin").get(f"{base}", headers=admin)

    assert invalid.status_code == 422 and unsafe.status_code == 422
    assert (missing.status_code, missing.json["error"]["code"]) == (404, "CONFIG_NOT_FOUND")


def test_the_tenant_base_override_needs_a_super_admin(
        container: Container, make_user: UserFactory) -> None:
    _, admin = make_user(role="ADMIN")
    response = mounted("admin").put("/api/admin/config/role/__base__", headers=admin,
                                    json={"overrides": {}})
    assert (response.status_code, response.json["error"]["code"]) == (
        403, "SUPER_ADMIN_REQUIRED")


def test_roles_crud_protects_built_in_roles(container: Container, make_user: UserFactory
                                            ) -> None:
    _, admin = make_user(role="ADMIN")
    created = mounted("admin").post("/api/admin/roles", headers=admin,
                                    json={"name": "ANALYSTS", "description": "read-only"})
    duplicate = mounted("admin").post("/api/admin/roles", headers=admin,
                                      json={"name": "admin"})
    renamed = mounted("admin").patch("/api/admin/roles/ANALYSTS", headers=admin,
                                     json={"name": "AUDITORS"})
    builtin = mounted("admin").delete("/api/admin/roles/USER", headers=admin)
    listed = mounted("admin").get("/api/admin/roles", headers=admin)

    assert created.status_code == 201
    assert created.json["role"]["permissions"]["AGENTS"]["SHARE"] is False
    assert duplicate.status_code == 409
    assert renamed.json["role"]["name"] == "AUDITORS"
    assert builtin.status_code == 403
    assert [r["name"] for r in listed.json["roles"]] == [
        "ADMIN", "AUDITORS", "SUPER_ADMIN", "USER"]


def test_grants_are_super_admin_routes_and_expand_implications(
        container: Container, make_user: UserFactory) -> None:
    _, root = make_user(role="SUPER_ADMIN")
    user, _ = make_user()
    assigned = mounted("admin").post("/api/admin/grants", headers=root, json={
        "principalType": "user", "principalId": user.id, "capability": "manage:users"})
    listed = mounted("admin").get(f"/api/admin/grants/user/{user.id}", headers=root)
    removed = mounted("admin").delete(f"/api/admin/grants/user/{user.id}/manage:users",
                                      headers=root)

    assert assigned.status_code == 201
    assert [g["capability"] for g in listed.json["grants"]] == ["manage:users"]
    assert removed.status_code == 200
    actions = [r.action for r in container.store.audit_log("default").records()]
    assert actions[-2:] == ["admin.grant_assign", "admin.grant_remove"]
