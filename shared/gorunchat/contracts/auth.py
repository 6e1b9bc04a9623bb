"""DTOs of the ``auth`` routes, and the stored one-time token document.

Answers keep LibreChat's shapes: ``{token, user}`` after sign-in and refresh,
``{twoFAPending: true, tempToken}`` when a second factor is due, ``{message}`` elsewhere,
``{otpauthUrl, backupCodes}`` when 2FA is set up.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)

from gorunchat.contracts.documents import Document
from gorunchat.contracts.user import UserView

_PASSWORD = Field(min_length=8, max_length=128)
_CODE = Field(default=None, min_length=1, max_length=32)


class LoginRequest(BaseModel):
    """``email`` holds a username instead when LDAP signs in by username."""

    email: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=128)


class RegisterRequest(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    username: str | None = Field(default=None, max_length=80, pattern=r"^[\w.@-]*$")
    email: EmailStr = Field(max_length=254)
    password: str = _PASSWORD
    confirm_password: str = Field(min_length=1, max_length=128)

    @model_validator(mode="after")
    def _passwords_match(self) -> RegisterRequest:
        if self.password != self.confirm_password:
            raise ValueError("the passwords do not match")
        return self


class AuthResponse(BaseModel):
    """``{token, user}``: the access token and the signed-in user."""

    token: str
    user: UserView


class LoginResponse(BaseModel):
    """``{token, user}``, or ``{twoFAPending: true, tempToken}`` when 2FA is due."""

    token: str | None = None
    user: UserView | None = None
    twoFAPending: bool | None = None
    tempToken: str | None = None

    @model_serializer(mode="wrap")
    def _without_nulls(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        return {k: v for k, v in data.items() if v is not None}


class MessageResponse(BaseModel):
    message: str


class PasswordResetRequest(BaseModel):
    email: EmailStr = Field(max_length=254)


class ResetPasswordRequest(BaseModel):
    userId: str = Field(min_length=1, max_length=64)
    token: str = Field(min_length=1, max_length=256)
    password: str = _PASSWORD
    confirm_password: str | None = Field(default=None, max_length=128)

    @model_validator(mode="after")
    def _passwords_match(self) -> ResetPasswordRequest:
        if self.confirm_password is not None and self.password != self.confirm_password:
            raise ValueError("the passwords do not match")
        return self


class TwoFactorSetup(BaseModel):
    otpauthUrl: str
    backupCodes: list[str]


class TwoFactorCode(BaseModel):
    """A TOTP ``token`` or a ``backupCode``."""

    token: str | None = _CODE
    backupCode: str | None = _CODE


class TwoFactorConfirm(BaseModel):
    token: str = Field(min_length=1, max_length=32)


class TwoFactorTempRequest(BaseModel):
    tempToken: str = Field(min_length=1, max_length=4096)
    token: str | None = _CODE
    backupCode: str | None = _CODE


class BackupCode(BaseModel):
    """One stored backup code (LibreChat's ``backupCodes`` element): digest and use."""

    model_config = ConfigDict(frozen=True)

    codeHash: str
    used: bool = False
    usedAt: datetime | None = None


class BackupCodesResponse(BaseModel):
    backupCodes: list[str]
    backupCodesHash: list[BackupCode]


class SessionInfo(BaseModel):
    """One active sign-in (a refresh-token family) of the user, for ``GET /sessions``."""

    id: str
    deviceId: str | None = None
    userAgent: str | None = None
    ip: str | None = None
    createdAt: datetime
    lastUsedAt: datetime | None = None
    expiration: datetime
    current: bool = False


class LogoutAllResponse(BaseModel):
    message: str
    revoked: int


class OAuthCallbackQuery(BaseModel):
    """The provider's redirect back: ``code`` and ``state``, or ``error``."""

    model_config = ConfigDict(extra="ignore")

    code: str | None = None
    state: str | None = None
    error: str | None = None


class OAuthErrorQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    error: str | None = None
    message: str | None = None


TokenType = Literal["email_verification", "password_reset"]


class AuthToken(Document):
    """A one-time email-verification or password-reset token (collection ``tokens``).

    Only the digest of the token is stored; the token itself travels in the mailed link.
    """

    collection: ClassVar[str] = "tokens"

    id: str = Field(alias="_id")
    userId: str
    email: str
    type: str
    token: str
    expiresAt: datetime
