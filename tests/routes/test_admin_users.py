"""``/api/admin/users`` and the admin gates, through the mounted ``admin`` function."""

from __future__ import annotations

import re
import sqlite3

import pytest

from gorunchat.bootstrap import Container
from gorunchat.contracts.acl import AclEntry, Group
from gorunchat.contracts.balance import Balance
from gorunchat.contracts.documents import Conversation, Message
from gorunchat.contracts.holds import LegalHold
from gorunchat.contracts.routes import WEB, Auth, route_table
from gorunchat.domain.ids import new_uuid, object_id
from gorunchat.web.security import CSRF_HEADER
from tests.routes.conftest import UserFactory, mounted, user_factory

ADMIN_ROUTES = [r for r in route_table() if r.path.startswith("/api/admin")]
SUPER_ROUTES = [r for r in route_table() if r.auth is Auth.SUPER_ADMIN]


def _path(template: str) -> str:
    return re.sub(r":[A-Za-z_]+", "x1", template)


def _actions(container: Container) -> list[str]:
    return [r.action for r in container.store.audit_log("default").records()]


@pytest.mark.parametrize("route", ADMIN_ROUTES, ids=lambda r: r.id)
def test_a_non_admin_gets_403_on_every_admin_route(
        container: Container, make_user: UserFactory, route) -> None:  # type: ignore[no-untyped-def]
    _, auth = make_user(role="USER")
    response = mounted("admin").open(_path(route.path), method=route.method, headers=auth,
                                     json={})
    assert response.status_code == 403
    assert response.json["error"]["code"] == "ROLE_REQUIRED"


@pytest.mark.parametrize("route", SUPER_ROUTES, ids=lambda r: r.id)
def test_an_admin_gets_403_on_every_super_admin_route(
        container: Container, make_user: UserFactory, route) -> None:  # type: ignore[no-untyped-def]
    _, auth = make_user(role="ADMIN")
    client = mounted(route.group)
    if route.group == WEB:
        # The web function checks CSRF before anything else: pass it, so that what answers
        # is the role gate itself.
        from tests.web.conftest import csrf

        auth = {**auth, CSRF_HEADER: csrf(client)}
    response = client.open(_path(route.path), method=route.method, headers=auth, json={})
    assert response.status_code == 403
    if route.group == WEB:
        assert "super admin" in response.get_data(as_text=True).lower()
    else:
        assert response.json["error"]["code"] == "ROLE_REQUIRED"


def test_list_paginates_newest_first_and_search_matches_prefixes(
        container: Container, make_user: UserFactory) -> None:
    _, auth = make_user(role="ADMIN", email="root@corp.example")
    for name in ("ann", "annika", "bob"):
        make_user(email=f"{name}@corp.example")

    page = mounted("admin").get("/api/admin/users?limit=2&offset=1", headers=auth)
    found = mounted("admin").get("/api/admin/users/search?q=ANN", headers=auth)

    assert page.status_code == 200
    assert (page.json["total"], page.json["limit"], page.json["offset"]) == (4, 2, 1)
    assert len(page.json["users"]) == 2
    assert sorted(u["email"] for u in found.json["users"]) == [
        "ann@corp.example", "annika@corp.example"]
    assert found.json["capped"] is False


def test_a_role_change_applies_on_the_users_next_request(
        container: Container, make_user: UserFactory) -> None:
    _, admin = make_user(role="ADMIN")
    user, user_auth = make_user(role="USER")
    assert mounted("admin").get("/api/admin/users", headers=user_auth).status_code == 403

    changed = mounted("admin").patch(f"/api/admin/users/{user.id}/role", json={"role": "ADMIN"},
                                     headers=admin)

    assert changed.status_code == 200 and changed.json["role"] == "ADMIN"
    assert mounted("admin").get("/api/admin/users", headers=user_auth).status_code == 200
    mounted("admin").patch(f"/api/admin/users/{user.id}/role", json={"role": "USER"},
                           headers=make_user(role="SUPER_ADMIN")[1])
    assert mounted("admin").get("/api/admin/users", headers=user_auth).status_code == 403
    assert "admin.user_role" in _actions(container)


def test_only_a_super_admin_grants_super_admin_or_acts_on_admins(
        container: Container, make_user: UserFactory) -> None:
    _, admin = make_user(role="ADMIN")
    other_admin, _ = make_user(role="ADMIN")
    user, _ = make_user(role="USER")

    promote = mounted("admin").patch(f"/api/admin/users/{user.id}/role",
                                     json={"role": "SUPER_ADMIN"}, headers=admin)
    delete = mounted("admin").delete(f"/api/admin/users/{other_admin.id}", headers=admin)
    by_super = mounted("admin").delete(f"/api/admin/users/{other_admin.id}",
                                       headers=make_user(role="SUPER_ADMIN")[1])

    assert (promote.status_code, promote.json["error"]["code"]) == (403, "SUPER_ADMIN_REQUIRED")
    assert (delete.status_code, delete.json["error"]["code"]) == (403, "SUPER_ADMIN_REQUIRED")
    assert by_super.status_code == 200


def _owned_data(container: Container, user_id: str) -> str:
    conversation_id = new_uuid()
    with container.store.unit_of_work("default") as uow:
        uow.conversations.insert(Conversation(conversationId=conversation_id, user=user_id))
        uow.messages.insert(Message(messageId=new_uuid(), conversationId=conversation_id,
                                    user=user_id, text="hi"))
        uow.repo(Balance).insert(Balance(id=object_id(), user=user_id, tokenCredits=5))
        uow.repo(AclEntry).insert(AclEntry(id=object_id(), principalType="user",
                                           principalId=user_id, resourceType="agent",
                                           resourceId="agent_1", permBits=15))
        uow.repo(Group).insert(Group(id="g1", name="team", memberIds=[user_id, "other"]))
        uow.commit()
    return conversation_id


def test_delete_removes_the_user_and_their_data_and_audits_it(
        container: Container, make_user: UserFactory) -> None:
    _, admin = make_user(role="ADMIN")
    user, user_auth = make_user()
    conversation_id = _owned_data(container, user.id)

    response = mounted("admin").delete(f"/api/admin/users/{user.id}", headers=admin)

    assert response.status_code == 200
    with container.store.unit_of_work("default", readonly=True) as uow:
        assert uow.users.get(user.id) is None
        assert uow.conversations.get(conversation_id) is None
        assert uow.messages.count({"user": user.id}) == 0
        assert uow.repo(Balance).count({"user": user.id}) == 0
        assert uow.repo(AclEntry).count({"principalId": user.id}) == 0
        group = uow.repo(Group).get("g1")
        assert group is not None and group.memberIds == ["other"]
    record = container.store.audit_log("default").records()[-1]
    assert (record.action, record.targetId) == ("admin.user_delete", user.id)
    assert record.metadata["deleted"]["conversations"] == 1
    assert mounted("admin").get("/api/admin/users", headers=user_auth).status_code == 401


def test_a_user_under_legal_hold_is_not_deleted(
        container: Container, make_user: UserFactory) -> None:
    _, admin = make_user(role="ADMIN")
    user, _ = make_user()
    conversation_id = _owned_data(container, user.id)
    with container.store.unit_of_work("default") as uow:
        uow.repo(LegalHold).insert(LegalHold(id="hold1", name="Matter", scope="users",
                                             custodians=[user.id]))
        uow.commit()

    response = mounted("admin").delete(f"/api/admin/users/{user.id}", headers=admin)

    assert (response.status_code, response.json["error"]["code"]) == (409, "LEGAL_HOLD_ACTIVE")
    with container.store.unit_of_work("default", readonly=True) as uow:
        assert uow.users.get(user.id) is not None
        assert uow.conversations.get(conversation_id) is not None
    assert "admin.user_delete" not in _actions(container)


def test_an_admin_cannot_delete_themselves(container: Container, make_user: UserFactory
                                           ) -> None:
    me, auth = make_user(role="SUPER_ADMIN")
    response = mounted("admin").delete(f"/api/admin/users/{me.id}", headers=auth)
    assert (response.status_code, response.json["error"]["code"]) == (
        403, "CANNOT_DELETE_SELF")


def test_ban_blocks_the_next_request_and_unban_restores_it(
        container: Container, make_user: UserFactory) -> None:
    _, admin = make_user(role="ADMIN")
    user, user_auth = make_user()

    banned = mounted("admin").post(f"/api/admin/users/{user.id}/ban",
                                   json={"reason": "spam"}, headers=admin)
    blocked = mounted("keys").get("/api/balance", headers=user_auth)
    unbanned = mounted("admin").delete(f"/api/admin/users/{user.id}/ban", headers=admin)
    after = mounted("roles").get("/api/roles/USER", headers=user_auth)

    assert banned.status_code == 200 and banned.json["banned"] is True
    assert (blocked.status_code, blocked.json["error"]["code"]) == (403, "USER_BANNED")
    assert unbanned.json["banned"] is False
    assert after.status_code == 200
    assert _actions(container)[-2:] == ["admin.user_ban", "admin.user_unban"]


def test_a_failing_audit_write_bans_nobody(sqlite_container: Container) -> None:
    container = sqlite_container
    make = user_factory(container)
    _, admin = make(role="ADMIN")
    user, _ = make()
    db = sqlite3.connect(container.settings.sqlite_file)
    db.execute("CREATE TRIGGER audit_down BEFORE INSERT ON auditlogs "
               "BEGIN SELECT RAISE(ABORT, 'audit storage unavailable'); END")
    db.commit()
    db.close()

    response = mounted("admin").post(f"/api/admin/users/{user.id}/ban", json={},
                                     headers=admin)

    assert (response.status_code, response.json["error"]["code"]) == (503, "AUDIT_UNAVAILABLE")
    with container.store.unit_of_work("default", readonly=True) as uow:
        found = uow.users.get(user.id)
    assert found is not None and found.banned is False
