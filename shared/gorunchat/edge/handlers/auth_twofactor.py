"""Handlers of ``/api/auth/2fa/*``: set-up, confirmation, backup codes, and 2FA sign-in."""

from __future__ import annotations

from gorunchat.contracts.auth import (
    AuthResponse,
    BackupCodesResponse,
    MessageResponse,
    TwoFactorCode,
    TwoFactorConfirm,
    TwoFactorSetup,
    TwoFactorTempRequest,
)
from gorunchat.edge import identity
from gorunchat.edge.context import RequestContext
from gorunchat.edge.ratelimit import guard
from gorunchat.edge.registry import handles
from gorunchat.services import twofactor


@handles("auth.twofa_enable")
def enable(ctx: RequestContext) -> TwoFactorSetup:
    return twofactor.enable(identity.deps(ctx), identity.caller(ctx))


@handles("auth.twofa_verify", body=TwoFactorCode)
def verify(ctx: RequestContext, body: TwoFactorCode) -> MessageResponse:
    return twofactor.verify(identity.deps(ctx), identity.caller(ctx), body)


@handles("auth.twofa_confirm", body=TwoFactorConfirm)
def confirm(ctx: RequestContext, body: TwoFactorConfirm) -> MessageResponse:
    return twofactor.confirm(identity.deps(ctx), identity.caller(ctx), body.token)


@handles("auth.twofa_disable", body=TwoFactorCode)
def disable(ctx: RequestContext, body: TwoFactorCode) -> MessageResponse:
    return twofactor.disable(identity.deps(ctx), identity.caller(ctx), body)


@handles("auth.twofa_backup_regenerate", body=TwoFactorCode)
def regenerate(ctx: RequestContext, body: TwoFactorCode) -> BackupCodesResponse:
    return twofactor.regenerate_backup_codes(identity.deps(ctx), identity.caller(ctx), body)


@handles("auth.twofa_verify_temp", body=TwoFactorTempRequest)
def verify_temp(ctx: RequestContext, body: TwoFactorTempRequest) -> AuthResponse:
    guard(ctx, "login")
    signed = twofactor.verify_temp(identity.deps(ctx), identity.client(ctx), body)
    identity.set_refresh_cookie(signed)
    return AuthResponse(token=signed.token, user=signed.user)
