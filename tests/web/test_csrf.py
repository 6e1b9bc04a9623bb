"""CSRF and origin checks on the web function's unsafe requests, before any auth."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient

from gorunchat.contracts.documents import User
from tests.web.conftest import Maker, csrf

ORIGIN = "http://localhost"


def _rename(web: FlaskClient, conversation: str, **headers: str) -> object:
    return web.post(f"/ui/convos/{conversation}/rename", data={"title": "Renamed"},
                    headers={"HX-Request": "true", **headers})


def test_a_post_without_the_csrf_token_is_refused(web: FlaskClient, make_user: Maker,
                                                  make_conversation: Callable[[User, str], str]
                                                  ) -> None:
    user, bearer = make_user()
    conversation = make_conversation(user, "Old")
    csrf(web)
    response = _rename(web, conversation, Authorization=bearer, Origin=ORIGIN)
    assert response.status_code == 403  # type: ignore[attr-defined]
    assert "CSRF token" in response.text  # type: ignore[attr-defined]
    assert response.headers["HX-Retarget"] == "#toasts"  # type: ignore[attr-defined]


def test_a_token_that_does_not_match_the_cookie_is_refused(
        web: FlaskClient, make_user: Maker) -> None:
    _, bearer = make_user()
    csrf(web)
    response = _rename(web, "x", Authorization=bearer, Origin=ORIGIN,
                       **{"X-CSRF-Token": "f" * 43})
    assert response.status_code == 403  # type: ignore[attr-defined]


def test_a_cross_site_request_is_refused_even_with_the_token(web: FlaskClient,
                                                             make_user: Maker) -> None:
    _, bearer = make_user()
    token = csrf(web)
    for headers in ({"Origin": "https://evil.example"},
                    {"Origin": ORIGIN, "Sec-Fetch-Site": "cross-site"},
                    {"Origin": "null"}):
        response = _rename(web, "x", Authorization=bearer, **{"X-CSRF-Token": token},
                           **headers)
        assert response.status_code == 403  # type: ignore[attr-defined]
        assert "Cross-site" in response.text  # type: ignore[attr-defined]


def test_the_token_alone_is_no_credential(web: FlaskClient) -> None:
    token = csrf(web)
    response = _rename(web, "x", Origin=ORIGIN, **{"X-CSRF-Token": token})
    assert response.status_code == 401  # type: ignore[attr-defined]


def test_a_same_origin_request_with_token_and_bearer_renames(
        web: FlaskClient, make_user: Maker, make_conversation: Callable[[User, str], str]
) -> None:
    user, bearer = make_user()
    conversation = make_conversation(user, "Old")
    token = csrf(web)
    response = _rename(web, conversation, Authorization=bearer, Origin=ORIGIN,
                       **{"X-CSRF-Token": token, "Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert 'class="convo-title">Renamed<' in response.text  # type: ignore[attr-defined]
    assert "grc:convo-renamed" in response.headers["HX-Trigger"]  # type: ignore[attr-defined]


def test_the_csrf_cookie_is_httponly_and_strict(web: FlaskClient) -> None:
    header = web.get("/login").headers["Set-Cookie"]
    assert header.startswith("grc_csrf=")
    assert "HttpOnly" in header
    assert "SameSite=Strict" in header
    assert "Path=/" in header
