"""Two-factor authentication through the mounted ``auth`` function: a full 2FA login."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import pyotp

from tests.identity.conftest import Identity


def _code(secret: str, steps_ahead: int = 0) -> str:
    moment = datetime.now(UTC) + timedelta(seconds=30 * steps_ahead)
    return pyotp.TOTP(secret).at(moment)


def _enable(ident: Identity, auth: dict[str, str]) -> tuple[str, list[str]]:
    setup = ident.auth.post("/api/auth/2fa/enable", headers=auth)
    assert setup.status_code == 200
    url = urlparse(setup.json["otpauthUrl"])
    assert url.scheme == "otpauth"
    secret = parse_qs(url.query)["secret"][0]
    confirm = ident.auth.post("/api/auth/2fa/confirm", json={"token": _code(secret)},
                              headers=auth)
    assert confirm.status_code == 200
    return secret, setup.json["backupCodes"]


def _temp(ident: Identity) -> Any:
    response = ident.login("ada@example.org")
    assert response.status_code == 200
    assert response.json["twoFAPending"] is True
    assert set(response.json) == {"twoFAPending", "tempToken"}
    assert "Set-Cookie" not in response.headers
    return response.json["tempToken"]


def test_full_two_factor_login(ident: Identity) -> None:
    auth = ident.signed_up("ada@example.org")
    secret, backup = _enable(ident, auth)
    assert len(backup) == 10
    temp = _temp(ident)

    wrong = ident.auth.post("/api/auth/2fa/verify-temp",
                            json={"tempToken": temp, "token": "000000"})
    signed = ident.auth.post("/api/auth/2fa/verify-temp",
                             json={"tempToken": temp, "token": _code(secret, 1)})

    assert wrong.status_code == 401
    assert wrong.json["error"]["code"] == "INVALID_2FA_CODE"
    assert signed.status_code == 200
    assert set(signed.json) == {"token", "user"}
    assert signed.json["user"]["twoFactorEnabled"] is True
    assert "totpSecret" not in signed.json["user"]
    assert signed.headers["Set-Cookie"].startswith("refreshToken=")
    me = ident.user.get("/api/user", headers={"Authorization": f"Bearer {signed.json['token']}"})
    assert me.status_code == 200
    actions = ident.actions()
    for action in ("auth.2fa_enable", "auth.2fa_confirm", "auth.2fa_challenge"):
        assert action in actions
    assert actions[-1] == "auth.login"
    assert actions.count("auth.login_failed") == 1


def test_a_used_code_cannot_be_replayed(ident: Identity) -> None:
    auth = ident.signed_up("ada@example.org")
    secret, _ = _enable(ident, auth)
    code = _code(secret, 1)
    first = ident.auth.post("/api/auth/2fa/verify-temp",
                            json={"tempToken": _temp(ident), "token": code})

    replay = ident.auth.post("/api/auth/2fa/verify-temp",
                             json={"tempToken": _temp(ident), "token": code})

    assert first.status_code == 200
    assert replay.status_code == 401


def test_backup_codes_work_once(ident: Identity) -> None:
    auth = ident.signed_up("ada@example.org")
    _, backup = _enable(ident, auth)

    first = ident.auth.post("/api/auth/2fa/verify-temp",
                            json={"tempToken": _temp(ident), "backupCode": backup[0]})
    again = ident.auth.post("/api/auth/2fa/verify-temp",
                            json={"tempToken": _temp(ident), "backupCode": backup[0]})

    assert first.status_code == 200
    assert again.status_code == 401


def test_forged_temp_token_is_refused(ident: Identity) -> None:
    response = ident.auth.post("/api/auth/2fa/verify-temp",
                               json={"tempToken": "not.a.token", "token": "123456"})
    assert response.status_code == 401
    assert response.json["error"]["code"] == "TOKEN_INVALID"


def test_verify_regenerate_and_disable(ident: Identity) -> None:
    auth = ident.signed_up("ada@example.org")
    secret, backup = _enable(ident, auth)

    verify = ident.auth.post("/api/auth/2fa/verify", json={"backupCode": backup[1]},
                             headers=auth)
    bad_verify = ident.auth.post("/api/auth/2fa/verify", json={"token": "000000"},
                                 headers=auth)
    no_code = ident.auth.post("/api/auth/2fa/backup/regenerate", json={}, headers=auth)
    regen = ident.auth.post("/api/auth/2fa/backup/regenerate",
                            json={"backupCode": backup[2]}, headers=auth)
    wrong_disable = ident.auth.post("/api/auth/2fa/disable", json={"token": "000000"},
                                    headers=auth)
    disable = ident.auth.post("/api/auth/2fa/disable",
                              json={"backupCode": regen.json["backupCodes"][0]}, headers=auth)

    assert verify.status_code == 200
    assert bad_verify.status_code == 400
    assert no_code.status_code == 400
    assert regen.status_code == 200
    assert len(regen.json["backupCodes"]) == 10
    assert regen.json["backupCodesHash"][0]["used"] is False
    assert wrong_disable.status_code == 401
    assert disable.status_code == 200
    login = ident.login("ada@example.org")
    assert set(login.json) == {"token", "user"}
    for action in ("auth.2fa_verify", "auth.2fa_backup_regenerate", "auth.2fa_disable"):
        assert action in ident.actions()


def test_enabling_twice_is_a_conflict(ident: Identity) -> None:
    auth = ident.signed_up("ada@example.org")
    _enable(ident, auth)

    response = ident.auth.post("/api/auth/2fa/enable", headers=auth)

    assert response.status_code == 409
    assert response.json["error"]["code"] == "TWO_FACTOR_ALREADY_ENABLED"
