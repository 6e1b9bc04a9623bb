"""Two-factor authentication: TOTP set-up, confirmation, backup codes, and the 2FA sign-in.

Set-up stores a sealed secret and hashed backup codes with ``twoFactorEnabled`` false;
``confirm`` with a first valid code turns it on. From then on a password sign-in answers
with a temporary token, and ``verify_temp`` exchanges it, with a TOTP or an unused backup
code, for a session. Every change is audited; a used TOTP step is never accepted twice.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from gorunchat.contracts.audit import AuditEvent
from gorunchat.contracts.auth import (
    BackupCode,
    BackupCodesResponse,
    MessageResponse,
    TwoFactorCode,
    TwoFactorSetup,
    TwoFactorTempRequest,
)
from gorunchat.contracts.documents import User
from gorunchat.contracts.errors import BadRequest, Conflict, Forbidden, Unauthorized
from gorunchat.domain import totp
from gorunchat.domain.authtokens import verify_temp_token
from gorunchat.ports.store import UnitOfWork
from gorunchat.services import holds, sessions, users
from gorunchat.services.caller import Caller
from gorunchat.services.identity import Client, IdentityDeps, SignedIn

INVALID_CODE = "Invalid token or backup code."


def _secret(deps: IdentityDeps, user: User) -> str | None:
    sealed = users.field(user, "totpSecret")
    return totp.unseal(deps.creds_key, sealed) if isinstance(sealed, str) else None


def _codes(user: User) -> list[BackupCode]:
    raw = users.field(user, "backupCodes")
    return [BackupCode.model_validate(c) for c in raw] if isinstance(raw, list) else []


def _check(deps: IdentityDeps, user: User, code: TwoFactorCode | TwoFactorTempRequest
           ) -> dict[str, Any] | None:
    """The user fields to save when ``code`` is a valid TOTP or backup code, else None."""
    secret, now = _secret(deps, user), datetime.now(UTC)
    if code.token and secret:
        last = users.field(user, "totpLastStep")
        step = totp.totp_step(secret, code.token, now=now,
                              last_step=last if isinstance(last, int) else None)
        return {"totpLastStep": step} if step is not None else None
    if code.backupCode:
        updated = totp.use_backup_code(_codes(user), code.backupCode, now)
        if updated is not None:
            return {"backupCodes": [c.model_dump() for c in updated]}
    return None


def _audit(uow: UnitOfWork, caller: Caller, action: str,
           outcome: Literal["success", "failure"] = "success") -> None:
    uow.record(AuditEvent(action=action, actor=caller.actor, targetType="user",
                          targetId=caller.user_id, outcome=outcome))


def _require_secret(deps: IdentityDeps, user: User) -> str:
    secret = _secret(deps, user)
    if secret is None:
        raise BadRequest("Two-factor authentication has not been set up.",
                         code="TWO_FACTOR_NOT_INITIATED")
    return secret


def enable(deps: IdentityDeps, caller: Caller) -> TwoFactorSetup:
    """Start set-up: a new secret and backup codes, active only after ``confirm``."""
    secret, (plain, codes) = totp.new_secret(), totp.new_backup_codes()
    with deps.store.unit_of_work(caller.tenant_id) as uow:
        user = users.load(uow, caller.user_id)
        if user.twoFactorEnabled:
            raise Conflict("Two-factor authentication is already enabled; disable it first.",
                           code="TWO_FACTOR_ALREADY_ENABLED")
        uow.users.update(user.id, {"totpSecret": totp.seal(deps.creds_key, secret),
                                   "backupCodes": [c.model_dump() for c in codes],
                                   "twoFactorEnabled": False, "totpLastStep": None})
        _audit(uow, caller, "auth.2fa_enable")
        uow.commit()
    issuer = "".join((deps.settings.app_title or "GoRunChat").split())
    return TwoFactorSetup(otpauthUrl=totp.provisioning_uri(secret, user.email, issuer),
                          backupCodes=plain)


def _verified(deps: IdentityDeps, uow: UnitOfWork, caller: Caller, user: User,
              code: TwoFactorCode, action: str) -> None:
    """Save the used code, or audit the failure and refuse with 400."""
    changes = _check(deps, user, code)
    if changes is None:
        _audit(uow, caller, action, "failure")
        uow.commit()
        raise BadRequest(INVALID_CODE, code="INVALID_2FA_CODE")
    uow.users.update(user.id, changes)


def verify(deps: IdentityDeps, caller: Caller, code: TwoFactorCode) -> MessageResponse:
    with deps.store.unit_of_work(caller.tenant_id) as uow:
        user = users.load(uow, caller.user_id)
        _require_secret(deps, user)
        _verified(deps, uow, caller, user, code, "auth.2fa_verify")
        _audit(uow, caller, "auth.2fa_verify")
        uow.commit()
    return MessageResponse(message="Two-factor code verified.")


def confirm(deps: IdentityDeps, caller: Caller, token: str) -> MessageResponse:
    with deps.store.unit_of_work(caller.tenant_id) as uow:
        user = users.load(uow, caller.user_id)
        _require_secret(deps, user)
        _verified(deps, uow, caller, user, TwoFactorCode(token=token), "auth.2fa_confirm")
        uow.users.update(user.id, {"twoFactorEnabled": True})
        _audit(uow, caller, "auth.2fa_confirm")
        uow.commit()
    return MessageResponse(message="Two-factor authentication is enabled.")


def _proven(deps: IdentityDeps, uow: UnitOfWork, caller: Caller, user: User,
            code: TwoFactorCode, action: str) -> None:
    """While 2FA is on, changing it needs a current code: 400 without one, 401 if wrong."""
    if not user.twoFactorEnabled:
        return
    if not (code.token or code.backupCode):
        raise BadRequest("A token or a backup code is required.", code="TWO_FACTOR_REQUIRED")
    changes = _check(deps, user, code)
    if changes is None:
        _audit(uow, caller, action, "failure")
        uow.commit()
        raise Unauthorized(INVALID_CODE, code="INVALID_2FA_CODE")
    uow.users.update(user.id, changes)


def disable(deps: IdentityDeps, caller: Caller, code: TwoFactorCode) -> MessageResponse:
    with deps.store.unit_of_work(caller.tenant_id) as uow:
        user = users.load(uow, caller.user_id)
        _require_secret(deps, user)
        _proven(deps, uow, caller, user, code, "auth.2fa_disable")
        uow.users.update(user.id, {"totpSecret": None, "backupCodes": [],
                                   "twoFactorEnabled": False, "totpLastStep": None})
        _audit(uow, caller, "auth.2fa_disable")
        uow.commit()
    return MessageResponse(message="Two-factor authentication is disabled.")


def regenerate_backup_codes(deps: IdentityDeps, caller: Caller, code: TwoFactorCode
                            ) -> BackupCodesResponse:
    plain, codes = totp.new_backup_codes()
    with deps.store.unit_of_work(caller.tenant_id) as uow:
        user = users.load(uow, caller.user_id)
        _require_secret(deps, user)
        _proven(deps, uow, caller, user, code, "auth.2fa_backup_regenerate")
        uow.users.update(user.id, {"backupCodes": [c.model_dump() for c in codes]})
        _audit(uow, caller, "auth.2fa_backup_regenerate")
        uow.commit()
    return BackupCodesResponse(backupCodes=plain, backupCodesHash=codes)


def verify_temp(deps: IdentityDeps, client: Client, body: TwoFactorTempRequest) -> SignedIn:
    """Finish a 2FA sign-in: the temporary token plus a TOTP or backup code → a session."""
    claims = verify_temp_token(deps.jwt_secret, body.tempToken)
    if claims.tid != deps.tenant_id:
        raise Unauthorized("The token is invalid or has expired.", code="TOKEN_INVALID")
    with deps.store.unit_of_work(deps.tenant_id) as uow:
        user = uow.users.get(claims.sub)
        if user is None or holds.is_hidden(user) or not user.twoFactorEnabled:
            raise BadRequest("Two-factor authentication is not enabled for this user.",
                             code="TWO_FACTOR_NOT_ENABLED")
        changes = _check(deps, user, body)
        actor = client.actor(user.id, user.role)
        if changes is None:
            uow.record(AuditEvent(action="auth.login_failed", actor=actor, targetType="user",
                                  targetId=user.id, outcome="failure",
                                  metadata={"reason": "bad_second_factor"}))
            uow.commit()
            raise Unauthorized("Invalid 2FA code or backup code.", code="INVALID_2FA_CODE")
        if user.banned:
            raise Forbidden("This account is banned.", code="USER_BANNED")
        uow.users.update(user.id, changes)
        signed = sessions.sign_in(uow, deps, user, client)
        uow.record(AuditEvent(action="auth.login", actor=actor, targetType="user",
                              targetId=user.id,
                              metadata={"method": "2fa", "secondFactor":
                                        "backup_code" if body.backupCode and not body.token
                                        else "totp", "session": signed.session_id}))
        uow.commit()
    return signed
