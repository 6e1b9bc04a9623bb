"""Registration, password sign-in and the email flows, through the mounted functions."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import parse_qs, urlparse

import pytest

from gorunchat.contracts.documents import User
from tests.identity.conftest import PASSWORD, Identity


def _link(ident: Identity, subject: str) -> dict[str, str]:
    mail = next(m for m in reversed(ident.mails()) if m["Subject"] == subject)
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    url = re.search(r"https?://\S+", body.get_content())
    assert url is not None
    return {k: v[0] for k, v in parse_qs(urlparse(url.group(0)).query).items()}


def _user(ident: Identity, email: str) -> User:
    with ident.container.store.unit_of_work("default", readonly=True) as uow:
        found = uow.users.find_one({"email": email})
    assert found is not None
    return found


def test_first_user_becomes_admin_and_the_next_a_user(ident: Identity) -> None:
    first = ident.register("Ada@Example.org")
    second = ident.register("alan@example.org")

    assert first.status_code == 200
    assert first.json == {"message": "Please check your email to verify your email address."}
    assert second.status_code == 200
    assert _user(ident, "ada@example.org").role == "ADMIN"
    assert _user(ident, "alan@example.org").role == "USER"
    stored = _user(ident, "ada@example.org").password
    assert stored is not None and stored.startswith("$argon2id$")
    assert ident.actions().count("auth.register") == 2


def test_login_answers_token_and_user_and_sets_the_refresh_cookie(ident: Identity) -> None:
    ident.register("ada@example.org")

    response = ident.login("ada@example.org")

    assert response.status_code == 200
    assert set(response.json) == {"token", "user"}
    assert response.json["user"]["email"] == "ada@example.org"
    assert response.json["user"]["id"] == response.json["user"]["_id"]
    assert "password" not in response.json["user"]
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("refreshToken=")
    for part in ("HttpOnly", "Secure", "SameSite=Strict", "Path=/api/auth"):
        assert part in cookie
    assert ident.actions()[-1] == "auth.login"


def test_wrong_password_and_unknown_email_fail_alike_and_are_audited(ident: Identity) -> None:
    ident.register("ada@example.org")

    wrong = ident.login("ada@example.org", "not the password")
    unknown = ident.login("nobody@example.org", "not the password")

    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json["error"]["code"] == unknown.json["error"]["code"] == "INVALID_CREDENTIALS"
    assert wrong.json["error"]["message"] == unknown.json["error"]["message"]
    records = ident.container.store.audit_log("default").records()
    failed = [r for r in records if r.action == "auth.login_failed"]
    assert [r.metadata["knownAccount"] for r in failed] == [True, False]
    assert [r.outcome for r in failed] == ["failure", "failure"]


def test_registering_a_known_email_answers_like_a_new_one(ident: Identity) -> None:
    ident.register("ada@example.org")

    again = ident.register("ada@example.org", password="another password")

    assert again.status_code == 200
    assert again.json["message"] == "Please check your email to verify your email address."
    assert ident.login("ada@example.org", "another password").status_code == 401


def test_registration_can_be_closed_or_limited_to_domains(
        identity_factory: Callable[..., Identity], data_dir: object) -> None:
    closed = identity_factory(ALLOW_REGISTRATION="false")
    response = closed.register("ada@example.org")
    assert response.status_code == 403
    assert response.json["error"]["code"] == "REGISTRATION_DISABLED"


def test_registration_domain_allow_list(identity_factory: Callable[..., Identity],
                                        data_dir: object) -> None:
    from pathlib import Path

    config = Path(str(data_dir)) / "allow.yaml"
    config.write_text("registration:\n  allowedDomains: [example.org]\n", encoding="utf-8")
    ident = identity_factory(GORUNCHAT_CONFIG=str(config))

    refused = ident.register("eve@elsewhere.net")
    allowed = ident.register("ada@example.org")

    assert refused.status_code == 403
    assert refused.json["error"]["code"] == "EMAIL_DOMAIN_NOT_ALLOWED"
    assert allowed.status_code == 200


def test_email_verification_through_the_outbox(ident: Identity) -> None:
    ident.register("ada@example.org")
    query = _link(ident, "Verify your email")
    assert _user(ident, "ada@example.org").emailVerified is False

    wrong = ident.user.post("/api/user/verify", json={"email": "ada@example.org",
                                                      "token": "not-the-token"})
    right = ident.user.post("/api/user/verify", json={"email": query["email"],
                                                      "token": query["token"]})
    reused = ident.user.post("/api/user/verify", json={"email": query["email"],
                                                       "token": query["token"]})

    assert wrong.status_code == 400
    assert wrong.json["error"]["code"] == "INVALID_VERIFICATION_TOKEN"
    assert right.status_code == 200
    assert right.json == {"message": "Email verification was successful"}
    assert reused.status_code == 400
    assert _user(ident, "ada@example.org").emailVerified is True


def test_resend_verification_never_reveals_accounts(ident: Identity) -> None:
    ident.register("ada@example.org")
    before = len(ident.mails())

    known = ident.user.post("/api/user/verify/resend", json={"email": "ada@example.org"})
    unknown = ident.user.post("/api/user/verify/resend", json={"email": "no@example.org"})

    assert known.status_code == unknown.status_code == 200
    assert known.json == unknown.json
    assert len(ident.mails()) == before + 1


def test_unverified_login_is_refused_when_configured(
        identity_factory: Callable[..., Identity]) -> None:
    ident = identity_factory(ALLOW_UNVERIFIED_EMAIL_LOGIN="false")
    ident.register("ada@example.org")

    response = ident.login("ada@example.org")

    assert response.status_code == 403
    assert response.json["error"]["code"] == "EMAIL_NOT_VERIFIED"


def test_password_reset_end_to_end_signs_out_every_session(ident: Identity) -> None:
    auth = ident.signed_up("ada@example.org")

    known = ident.auth.post("/api/auth/requestPasswordReset",
                            json={"email": "ada@example.org"})
    unknown = ident.auth.post("/api/auth/requestPasswordReset",
                              json={"email": "nobody@example.org"})
    query = _link(ident, "Password Reset Request")
    bad = ident.auth.post("/api/auth/resetPassword", json={
        "userId": query["userId"], "token": "forged", "password": "a new password 1"})
    reset = ident.auth.post("/api/auth/resetPassword", json={
        "userId": query["userId"], "token": query["token"], "password": "a new password 1",
        "confirm_password": "a new password 1"})

    assert known.status_code == unknown.status_code == 200
    assert known.json == unknown.json
    assert bad.status_code == 400
    assert bad.json["error"]["code"] == "INVALID_RESET_TOKEN"
    assert reset.status_code == 200
    assert reset.json == {"message": "Password reset was successful"}
    assert ident.login("ada@example.org").status_code == 401
    assert ident.login("ada@example.org", "a new password 1").status_code == 200
    old_session = ident.user.get("/api/user", headers=auth)
    assert old_session.status_code == 401
    assert old_session.json["error"]["code"] == "SESSION_REVOKED"
    assert "auth.password_reset" in ident.actions()


def test_legacy_bcrypt_password_signs_in_and_is_rehashed(ident: Identity) -> None:
    import bcrypt

    ident.register("ada@example.org")
    legacy = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()
    user_id = _user(ident, "ada@example.org").id
    with ident.container.store.unit_of_work("default") as uow:
        uow.users.update(user_id, {"password": legacy})
        uow.commit()

    response = ident.login("ada@example.org")

    assert response.status_code == 200
    stored = _user(ident, "ada@example.org").password
    assert stored is not None and stored.startswith("$argon2id$")


@pytest.mark.parametrize(("body", "content_type", "status", "code"), [
    (b'{"email": "a@example.org", ', "application/json", 400, "MALFORMED_JSON"),
    (b"email=a@example.org&password=x", "application/x-www-form-urlencoded", 415,
     "UNSUPPORTED_MEDIA_TYPE"),
    (b'{"email": "not-an-email", "password": "whatever"}', "application/json", 422,
     "VALIDATION_FAILED"),
    (b'{"email": "a@example.org", "password": "' + b"p" * 200 + b'"}', "application/json",
     422, "VALIDATION_FAILED"),
    (b'{"email": "a@example.org", "password": "' + b"p" * 2_000_000 + b'"}',
     "application/json", 413, "PAYLOAD_TOO_LARGE"),
])
def test_bad_login_input_is_a_client_error(ident: Identity, body: bytes, content_type: str,
                                           status: int, code: str) -> None:
    response = ident.auth.post("/api/auth/login", data=body,
                               headers={"Content-Type": content_type})
    assert response.status_code == status
    assert response.json["error"]["code"] == code


@pytest.mark.parametrize("body", [
    {"name": "Ada", "email": "ada@example.org", "password": "short", "confirm_password":
     "short"},
    {"name": "Ada", "email": "ada@example.org", "password": "long enough 1",
     "confirm_password": "different 1"},
    {"name": "Ada", "email": "not an email", "password": "long enough 1",
     "confirm_password": "long enough 1"},
    {"name": "A" * 81, "email": "ada@example.org", "password": "long enough 1",
     "confirm_password": "long enough 1"},
])
def test_bad_registration_input_is_422(ident: Identity, body: dict[str, str]) -> None:
    response = ident.auth.post("/api/auth/register", json=body)
    assert response.status_code == 422
    assert response.json["error"]["code"] == "VALIDATION_FAILED"
