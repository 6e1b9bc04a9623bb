"""Who may call the audit spine's routes: ADMIN for the admin routes, SUPER_ADMIN to release
holds and change retention, the task credential for the tasks function."""

from __future__ import annotations

import re

import pytest

from gorunchat.bootstrap import Container
from gorunchat.contracts.routes import Auth, route_table
from tests.fixtures.spine import TASK_HEADERS
from tests.routes.conftest import UserFactory, mounted

SPINE = ("admin.audit_", "admin.hold", "admin.export", "admin.retention_")
ADMIN_ROUTES = [r for r in route_table() if r.id.startswith(SPINE)]
SUPER_ONLY = [r for r in ADMIN_ROUTES if r.auth is Auth.SUPER_ADMIN]
TASK_ROUTES = [r for r in route_table() if r.group == "tasks"]


def _call(group: str, method: str, path: str, headers: dict[str, str]):  # type: ignore[no-untyped-def]
    url = re.sub(r":[A-Za-z_]+", "x", path)
    return mounted(group).open(url, method=method, headers=headers, json={})


def test_the_route_lists_are_what_this_suite_covers() -> None:
    assert len(ADMIN_ROUTES) == 15
    assert sorted(r.id for r in SUPER_ONLY) == ["admin.hold_release", "admin.retention_update"]
    assert sorted(r.id for r in TASK_ROUTES) == [
        "tasks.audit_projection", "tasks.export", "tasks.retention"]


@pytest.mark.parametrize("route", ADMIN_ROUTES, ids=lambda r: r.id)
def test_a_user_gets_403_and_no_one_signed_in_gets_401(
        container: Container, make_user: UserFactory, route) -> None:  # type: ignore[no-untyped-def]
    _, user = make_user(role="USER")

    as_user = _call("admin", route.method, route.path, user)
    anonymous = _call("admin", route.method, route.path, {})

    assert (as_user.status_code, as_user.json["error"]["code"]) == (403, "ROLE_REQUIRED")
    assert (anonymous.status_code, anonymous.json["error"]["code"]) == (401, "UNAUTHORIZED")


@pytest.mark.parametrize("route", SUPER_ONLY, ids=lambda r: r.id)
def test_an_admin_gets_403_on_super_admin_routes(
        container: Container, make_user: UserFactory, route) -> None:  # type: ignore[no-untyped-def]
    _, admin = make_user(role="ADMIN")

    response = _call("admin", route.method, route.path, admin)

    assert response.status_code == 403
    assert response.json["error"]["message"] == "This needs the super admin role."


@pytest.mark.parametrize("route", TASK_ROUTES, ids=lambda r: r.id)
def test_task_routes_need_the_task_credential(
        container: Container, make_user: UserFactory, route) -> None:  # type: ignore[no-untyped-def]
    _, super_admin = make_user(role="SUPER_ADMIN")
    attempts = [{}, {"X-GoRunChat-Task-Secret": "wrong"}, super_admin]

    answers = [_call("tasks", route.method, route.path, h) for h in attempts]

    assert [a.status_code for a in answers] == [401, 401, 401]
    assert {a.json["error"]["code"] for a in answers} == {"TASK_UNAUTHORIZED"}


def test_the_task_credential_is_accepted(container: Container) -> None:
    response = mounted("tasks").post("/tasks/retention", json={"trigger": "schedule"},
                                     headers=TASK_HEADERS)

    assert response.status_code == 200
    assert response.json["tenants"] == 0
