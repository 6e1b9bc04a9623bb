"""Sign-in rate limits in a real Redis: 429 with Retry-After, then a ban (403)."""

from __future__ import annotations

from collections.abc import Callable

from tests.identity.conftest import Identity


def test_login_limit_then_ban_after_repeated_violations(
        identity_factory: Callable[..., Identity]) -> None:
    ident = identity_factory(LOGIN_MAX="3", LOGIN_WINDOW="5", BAN_INTERVAL="4",
                             BAN_DURATION=str(15 * 60 * 1000))
    auth = ident.signed_up("ada@example.org")  # one login counted
    allowed = [ident.login("ada@example.org", "wrong password").status_code
               for _ in range(2)]

    limited = [ident.login("ada@example.org", "wrong password") for _ in range(3)]
    banning = ident.login("ada@example.org", "wrong password")
    banned = ident.login("ada@example.org")

    assert allowed == [401, 401]
    assert [r.status_code for r in limited] == [429, 429, 429]
    assert limited[0].json["error"]["code"] == "RATE_LIMITED"
    assert limited[0].json["error"]["message"] == (
        "Too many login attempts, please try again after 5 minutes.")
    assert 0 < int(limited[0].headers["Retry-After"]) <= 300
    assert banning.status_code == 403
    assert banning.json["error"]["code"] == "BANNED"
    assert banned.status_code == 403
    assert "temporarily banned" in banned.json["error"]["message"]
    # The ban signs the user out everywhere and is audited.
    assert ident.user.get("/api/user", headers=auth).status_code == 401
    bans = [r for r in ident.container.store.audit_log("default").records()
            if r.action == "auth.violation_ban"]
    assert len(bans) == 1
    assert bans[0].metadata["policy"] == "login"
    assert bans[0].metadata["violationScore"] == 4


def test_the_ban_covers_other_routes_from_the_same_address(
        identity_factory: Callable[..., Identity]) -> None:
    ident = identity_factory(LOGIN_MAX="1", BAN_INTERVAL="1")
    ident.register("ada@example.org")
    ident.login("ada@example.org")

    ban = ident.login("ada@example.org")
    register = ident.register("someone@example.org")
    reset = ident.auth.post("/api/auth/resetPassword", json={
        "userId": "x", "token": "y", "password": "long enough 1"})

    assert ban.status_code == 403
    assert register.status_code == 403
    assert reset.status_code == 403
    assert register.json["error"]["code"] == "BANNED"


def test_register_and_reset_have_their_own_limits(
        identity_factory: Callable[..., Identity]) -> None:
    ident = identity_factory(REGISTER_MAX="2", RESET_PASSWORD_MAX="1", BAN_VIOLATIONS="false")

    registers = [ident.register(f"u{i}@example.org").status_code for i in range(3)]
    resets = [ident.auth.post("/api/auth/requestPasswordReset",
                              json={"email": "u0@example.org"}).status_code for _ in range(3)]

    assert registers == [200, 200, 429]
    assert resets == [200, 429, 429]
