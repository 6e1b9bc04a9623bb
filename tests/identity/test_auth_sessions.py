"""Rotating refresh sessions: refresh, reuse detection, sign-out, and the session list."""

from __future__ import annotations

from typing import Any

from gorunchat.domain.hashchain import first_break
from tests.identity.conftest import Identity
from tests.routes.conftest import mounted


def _cookie(response: Any) -> str:
    header = response.headers["Set-Cookie"]
    assert header.startswith("refreshToken=")
    return header.split(";", 1)[0].split("=", 1)[1]


def _device() -> Any:
    """A client with its own cookie jar, as a separate browser or app would be."""
    return mounted("auth")


def _refresh_with(token: str) -> Any:
    client = _device()
    client.set_cookie("refreshToken", token, path="/api/auth")
    return client.post("/api/auth/refresh")


def _login(email: str, **headers: str) -> Any:
    return _device().post("/api/auth/login", json={
        "email": email, "password": "correct horse battery"}, headers=headers)


def _bearer(response: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {response.json['token']}"}


def test_refresh_rotates_the_token_and_answers_token_and_user(ident: Identity) -> None:
    ident.register("ada@example.org")
    first = _cookie(_login("ada@example.org"))

    response = _refresh_with(first)

    assert response.status_code == 200
    assert set(response.json) == {"token", "user"}
    assert response.json["user"]["email"] == "ada@example.org"
    second = _cookie(response)
    assert second != first
    assert ident.user.get("/api/user", headers=_bearer(response)).status_code == 200


def test_reusing_a_rotated_token_revokes_the_family_and_is_audited(ident: Identity) -> None:
    ident.register("ada@example.org")
    login = _login("ada@example.org")
    stolen = _cookie(login)
    rotated = _refresh_with(stolen)
    current = _cookie(rotated)

    reuse = _refresh_with(stolen)

    assert reuse.status_code == 401
    assert reuse.json["error"]["code"] == "REFRESH_TOKEN_REUSED"
    assert "refreshToken=;" in reuse.headers["Set-Cookie"]
    after = _refresh_with(current)
    assert after.status_code == 401
    assert after.json["error"]["code"] == "SESSION_REVOKED"
    for token in (login, rotated):
        denied = ident.user.get("/api/user", headers=_bearer(token))
        assert denied.status_code == 401
        assert denied.json["error"]["code"] == "SESSION_REVOKED"
    records = ident.container.store.audit_log("default").records()
    revocations = [r for r in records if r.action == "auth.session_family_revoked"]
    assert len(revocations) == 1
    assert revocations[0].metadata["reason"] == "refresh_token_reuse"
    assert revocations[0].metadata["sessions"] == 2
    assert revocations[0].outcome == "denied"
    assert first_break([r.model_dump() for r in records]) is None


def test_refresh_without_or_with_a_forged_cookie_is_401(ident: Identity) -> None:
    missing = mounted("auth").post("/api/auth/refresh")
    forged = _refresh_with("forged-token")

    assert missing.status_code == 401
    assert missing.json["error"]["code"] == "REFRESH_TOKEN_MISSING"
    assert forged.status_code == 401
    assert forged.json["error"]["code"] == "REFRESH_TOKEN_INVALID"


def test_logout_ends_one_session_and_keeps_the_others(ident: Identity) -> None:
    ident.register("ada@example.org")
    laptop = _login("ada@example.org")
    phone = _login("ada@example.org")

    response = _device().post("/api/auth/logout", headers=_bearer(laptop))

    assert response.status_code == 200
    assert response.json == {"message": "Logout successful"}
    assert "refreshToken=;" in response.headers["Set-Cookie"]
    assert ident.user.get("/api/user", headers=_bearer(laptop)).status_code == 401
    assert ident.user.get("/api/user", headers=_bearer(phone)).status_code == 200
    assert _refresh_with(_cookie(laptop)).status_code == 401
    assert _refresh_with(_cookie(phone)).status_code == 200


def test_sessions_are_listed_and_one_can_be_revoked(ident: Identity) -> None:
    ident.register("ada@example.org")
    laptop = _login("ada@example.org", **{"X-Device-Id": "laptop-1", "User-Agent": "Laptop/1.0"})
    phone = _login("ada@example.org")

    listed = ident.auth.get("/api/auth/sessions", headers=_bearer(laptop))

    assert listed.status_code == 200
    assert len(listed.json) == 2
    mine = next(s for s in listed.json if s["current"])
    assert mine["deviceId"] == "laptop-1"
    assert mine["userAgent"] == "Laptop/1.0"
    other = next(s for s in listed.json if not s["current"])
    revoked = ident.auth.delete(f"/api/auth/sessions/{other['id']}", headers=_bearer(laptop))
    assert revoked.status_code == 200
    assert ident.user.get("/api/user", headers=_bearer(phone)).status_code == 401
    again = ident.auth.delete(f"/api/auth/sessions/{other['id']}", headers=_bearer(laptop))
    assert again.status_code == 404
    assert again.json["error"]["code"] == "SESSION_NOT_FOUND"


def test_another_users_session_cannot_be_revoked(ident: Identity) -> None:
    ident.register("ada@example.org")
    ident.register("alan@example.org")
    ada = _login("ada@example.org")
    alan = _login("alan@example.org")
    alans = ident.auth.get("/api/auth/sessions", headers=_bearer(alan)).json[0]["id"]

    response = ident.auth.delete(f"/api/auth/sessions/{alans}", headers=_bearer(ada))

    assert response.status_code == 404
    assert ident.user.get("/api/user", headers=_bearer(alan)).status_code == 200


def test_sign_out_everywhere_ends_every_session(ident: Identity) -> None:
    ident.register("ada@example.org")
    first, second = _login("ada@example.org"), _login("ada@example.org")

    response = ident.auth.post("/api/auth/logout/all", headers=_bearer(first))

    assert response.status_code == 200
    assert response.json["revoked"] == 2
    for login in (first, second):
        assert ident.user.get("/api/user", headers=_bearer(login)).status_code == 401
        assert _refresh_with(_cookie(login)).status_code == 401
    assert "auth.logout_all" in ident.actions()


def test_sign_in_fails_closed_when_the_audit_log_cannot_be_written(
        identity_factory: Any) -> None:
    import sqlite3

    ident = identity_factory()
    ident.register("ada@example.org")
    db = sqlite3.connect(ident.container.settings.sqlite_file)
    db.execute("CREATE TRIGGER audit_down BEFORE INSERT ON auditlogs "
               "BEGIN SELECT RAISE(ABORT, 'audit storage unavailable'); END")
    db.commit()
    db.close()

    response = _login("ada@example.org")

    assert response.status_code == 503
    assert response.json["error"]["code"] == "AUDIT_UNAVAILABLE"
    assert "Set-Cookie" not in response.headers
    with ident.container.store.unit_of_work("default", readonly=True) as uow:
        assert uow.sessions.count({}) == 0
