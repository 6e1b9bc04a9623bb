"""The /ui fragments: authenticated at the route table's level, rendered from the API's own
answers (so its authorization, validation and audit apply), scoped to the caller."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from gorunchat.bootstrap import Container
from gorunchat.contracts.documents import User
from gorunchat.contracts.routes import WEB, Auth, routes_for
from tests.web.conftest import Maker, csrf

Convos = Callable[[User, str], str]


def _post(web: FlaskClient, path: str, bearer: str, data: dict[str, str]) -> object:
    token = csrf(web)
    return web.post(path, data=data, headers={"Authorization": bearer, "X-CSRF-Token": token,
                                              "Origin": "http://localhost"})


def test_every_web_route_is_served_and_fragments_need_a_signed_in_caller() -> None:
    routes = routes_for(WEB)
    assert {r.auth for r in routes if r.path.startswith("/ui/")} <= {
        Auth.USER, Auth.ADMIN, Auth.SUPER_ADMIN}
    assert {r.auth for r in routes if not r.path.startswith("/ui/")} == {Auth.PUBLIC}


@pytest.mark.parametrize("path", ["/ui/convos", "/ui/settings/sessions", "/ui/admin/users"])
def test_fragments_without_a_token_are_401(web: FlaskClient, path: str) -> None:
    assert web.get(path).status_code == 401


def test_the_sidebar_lists_only_the_callers_conversations(
        web: FlaskClient, make_user: Maker, make_conversation: Convos) -> None:
    alice, bearer = make_user()
    bob, _ = make_user()
    make_conversation(alice, "Alice's plan")
    make_conversation(bob, "Bob's secret")
    html = web.get("/ui/convos", headers={"Authorization": bearer}).text
    assert "Alice&#39;s plan" in html
    assert "Bob" not in html
    assert "Today" in html


def test_another_users_conversation_cannot_be_renamed_through_the_web(
        web: FlaskClient, make_user: Maker, make_conversation: Convos) -> None:
    _, mallory = make_user()
    bob, _ = make_user()
    conversation = make_conversation(bob, "Bob's secret")
    response = _post(web, f"/ui/convos/{conversation}/rename", mallory, {"title": "pwned"})
    assert response.status_code == 404  # type: ignore[attr-defined]
    assert "not found" in response.text.lower()  # type: ignore[attr-defined]


def test_admin_sections_need_the_admin_role(web: FlaskClient, make_user: Maker) -> None:
    _, user = make_user()
    admin, boss = make_user(role="ADMIN", email="boss@example.com")
    refused = web.get("/ui/admin/users", headers={"Authorization": user})
    assert refused.status_code == 403
    allowed = web.get("/ui/admin/users", headers={"Authorization": boss})
    assert allowed.status_code == 200
    assert "boss@example.com" in allowed.text


def test_a_role_change_through_the_web_is_audited_by_the_api(
        web: FlaskClient, make_user: Maker, container: Container) -> None:
    _, boss = make_user(role="ADMIN")
    target, _ = make_user(email="target@example.com")
    response = _post(web, f"/ui/admin/users/{target.id}/role", boss, {"role": "ADMIN"})
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert "The role is now ADMIN." in response.text  # type: ignore[attr-defined]
    audit = web.get("/ui/admin/audit", headers={"Authorization": boss}).text
    assert "admin.user_role" in audit
    with container.store.unit_of_work("default", readonly=True) as uow:
        stored = uow.users.get(target.id)
    assert stored is not None and stored.role == "ADMIN"


def test_bad_input_is_a_toast_not_a_500(web: FlaskClient, make_user: Maker,
                                        make_conversation: Convos) -> None:
    user, bearer = make_user()
    conversation = make_conversation(user, "Old")
    response = _post(web, f"/ui/convos/{conversation}/rename", bearer, {"title": "  "})
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert 'class="toast toast-error"' in response.text  # type: ignore[attr-defined]


def test_the_sidebar_pages_with_a_sentinel_until_the_end(
        web: FlaskClient, make_user: Maker, make_conversation: Convos) -> None:
    import re

    user, bearer = make_user()
    for number in range(30):
        make_conversation(user, f"Chat {number:02d}")
    first = web.get("/ui/convos", headers={"Authorization": bearer}).text
    assert first.count('class="convo"') == 25
    sentinel = re.search(r'<li class="convo-more" hx-get="([^"]+)" '
                         r'hx-trigger="intersect once"', first)
    assert sentinel is not None
    following = sentinel.group(1).replace("&amp;", "&")
    second = web.get(following, headers={"Authorization": bearer}).text
    assert second.count('class="convo"') == 5
    assert "convo-more" not in second
    assert "<h2>Today</h2>" not in second  # the group heading is not repeated on page two
    titles = re.findall(r'class="convo-title">(Chat \d\d)<', first + second)
    assert sorted(titles) == [f"Chat {n:02d}" for n in range(30)]
