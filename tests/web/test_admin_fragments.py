"""Admin sections through the web function: each change goes through the admin API, so its
role gates hold (ADMIN for most, SUPER_ADMIN for releasing holds and retention)."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from gorunchat.bootstrap import Container
from tests.web.conftest import Maker, csrf


def _post(web: FlaskClient, path: str, bearer: str, data: object) -> object:
    token = csrf(web)
    return web.post(path, data=data, headers={"Authorization": bearer, "X-CSRF-Token": token,
                                              "Origin": "http://localhost"})


def test_ban_and_unban_from_the_users_section(web: FlaskClient, make_user: Maker,
                                              container: Container) -> None:
    _, boss = make_user(role="ADMIN")
    target, _ = make_user(email="noisy@example.com")
    banned = _post(web, f"/ui/admin/users/{target.id}/ban", boss, {"reason": "spam"})
    assert "The user is banned." in banned.text  # type: ignore[attr-defined]
    with container.store.unit_of_work("default", readonly=True) as uow:
        assert uow.users.get(target.id).banned is True  # type: ignore[union-attr]
    lifted = _post(web, f"/ui/admin/users/{target.id}/unban", boss, {})
    assert "The ban was lifted." in lifted.text  # type: ignore[attr-defined]


def test_role_permissions_are_saved_from_the_checkboxes(web: FlaskClient,
                                                        make_user: Maker) -> None:
    _, boss = make_user(role="ADMIN")
    section = web.get("/ui/admin/roles", headers={"Authorization": boss}).text
    assert 'value="MARKETPLACE.USE"' in section
    form = {"listed": ["MARKETPLACE.USE", "BOOKMARKS.USE"], "granted": ["MARKETPLACE.USE"]}
    saved = _post(web, "/ui/admin/roles/USER/permissions", boss, form)
    assert "The permissions of USER were saved." in saved.text  # type: ignore[attr-defined]
    page = web.get("/ui/admin/roles?open=USER", headers={"Authorization": boss}).text
    user_role = next(part for part in page.split("<details")
                     if '<span class="row-title">USER</span>' in part)
    assert part_is_open(user_role)
    assert 'value="MARKETPLACE.USE" checked' in user_role
    assert 'value="BOOKMARKS.USE" checked' not in user_role


def part_is_open(part: str) -> bool:
    return part.split(">", 1)[0].rstrip().endswith("open")


def test_retention_and_hold_release_need_a_super_admin(web: FlaskClient,
                                                       make_user: Maker) -> None:
    _, admin = make_user(role="ADMIN")
    _, root = make_user(role="SUPER_ADMIN")
    custodian, _ = make_user(email="custodian@example.com")
    refused = _post(web, "/ui/admin/retention", admin, {"chatDays": "400"})
    assert refused.status_code == 403  # type: ignore[attr-defined]
    saved = _post(web, "/ui/admin/retention", root, {"chatDays": "400"})
    assert "The retention policy was saved." in saved.text  # type: ignore[attr-defined]
    placed = _post(web, "/ui/admin/holds", admin, {"name": "Matter 7", "scope": "users",
                                                   "custodians": "custodian@example.com"})
    assert "The hold Matter 7 is in place." in placed.text  # type: ignore[attr-defined]
    assert custodian.id in placed.text  # type: ignore[attr-defined]
    assert "/release" not in placed.text  # type: ignore[attr-defined]  # not offered to ADMIN
    as_root = web.get("/ui/admin/holds", headers={"Authorization": root}).text
    hold_id = re.search(r'/ui/admin/holds/([^/]+)/release', as_root)
    assert hold_id is not None
    path = f"/ui/admin/holds/{hold_id.group(1)}/release"
    assert _post(web, path, admin, {"reason": "done"}).status_code == 403  # type: ignore[attr-defined]
    released = _post(web, path, root, {"reason": "Matter closed"})
    assert "The hold was released." in released.text  # type: ignore[attr-defined]


def test_an_export_is_queued_for_a_custodian(web: FlaskClient, make_user: Maker) -> None:
    _, admin = make_user(role="ADMIN")
    make_user(email="exported@example.com")
    queued = _post(web, "/ui/admin/exports", admin, {
        "custodians": "exported@example.com", "since": "2026-01-01", "until": "2026-12-31",
        "include_audit": "1", "include_messages": "1"})
    assert queued.status_code == 200  # type: ignore[attr-defined]
    assert "The export was queued." in queued.text  # type: ignore[attr-defined]
    assert "audit, messages" in queued.text  # type: ignore[attr-defined]


def test_groups_are_created_and_members_added_and_removed(web: FlaskClient,
                                                          make_user: Maker) -> None:
    _, admin = make_user(role="ADMIN")
    member, _ = make_user(email="member@example.com")
    created = _post(web, "/ui/admin/groups", admin, {"name": "Research"})
    assert "The group Research was created." in created.text  # type: ignore[attr-defined]
    group = re.search(r'/ui/admin/groups/([^/]+)/members"', created.text)  # type: ignore[attr-defined]
    assert group is not None
    added = _post(web, f"/ui/admin/groups/{group.group(1)}/members", admin,
                  {"member": "member@example.com"})
    assert "The member was added." in added.text  # type: ignore[attr-defined]
    assert "1 member ·" in added.text  # type: ignore[attr-defined]
    removed = _post(web, f"/ui/admin/groups/{group.group(1)}/members/{member.id}/remove",
                    admin, {})
    assert "No members yet." in removed.text  # type: ignore[attr-defined]
