"""``/api/roles``: reading roles and editing their feature permissions."""

from __future__ import annotations

from gorunchat.bootstrap import Container
from tests.routes.conftest import UserFactory, mounted


def test_users_read_their_own_role_but_not_admin(container: Container, make_user: UserFactory
                                                 ) -> None:
    _, auth = make_user()
    own = mounted("roles").get("/api/roles/user", headers=auth)
    admin = mounted("roles").get("/api/roles/ADMIN", headers=auth)
    missing = mounted("roles").get("/api/roles/NOPE", headers=auth)

    assert own.status_code == 200 and own.json["name"] == "USER"
    assert own.json["permissions"]["PROMPTS"] == {"USE": True, "CREATE": True, "SHARE": False,
                                                  "SHARE_PUBLIC": False}
    assert admin.status_code == 403
    assert missing.status_code == 404


def test_an_admin_edits_permissions_and_users_see_them_next_request(
        container: Container, make_user: UserFactory) -> None:
    _, admin = make_user(role="ADMIN")
    _, user = make_user()

    changed = mounted("roles").put("/api/roles/USER/agents", headers=admin,
                                   json={"SHARE": True})
    seen = mounted("roles").get("/api/roles/USER", headers=user)
    invalid = mounted("roles").put("/api/roles/USER/agents", headers=admin,
                                   json={"FLY": True})
    by_user = mounted("roles").put("/api/roles/USER/agents", headers=user, json={"USE": False})

    assert changed.status_code == 200
    assert seen.json["permissions"]["AGENTS"] == {"USE": True, "CREATE": True, "SHARE": True,
                                                  "SHARE_PUBLIC": False}
    assert invalid.status_code == 422
    assert by_user.status_code == 403
    record = container.store.audit_log("default").records()[-1]
    assert (record.action, record.targetId) == ("role.permissions_update", "USER")


def test_only_a_super_admin_edits_the_super_admin_role(
        container: Container, make_user: UserFactory) -> None:
    _, admin = make_user(role="ADMIN")
    response = mounted("roles").put("/api/roles/SUPER_ADMIN/prompts", headers=admin,
                                    json={"USE": False})
    assert (response.status_code, response.json["error"]["code"]) == (
        403, "SUPER_ADMIN_REQUIRED")
