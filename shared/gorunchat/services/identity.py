"""What the identity services need from the composition root, and what they hand back.

``IdentityDeps`` bundles the store, settings, signing secret, credentials key and mailer so
each service function takes one argument for them. ``Client`` carries the request facts a
sign-in records (address, user agent, device). ``SignedIn`` is the result of every
successful sign-in: the access token, the user, and the refresh token for the cookie.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from gorunchat.contracts.audit import Actor
from gorunchat.contracts.documents import User
from gorunchat.contracts.settings import Settings
from gorunchat.contracts.user import UserView
from gorunchat.ports.mailer import Mailer
from gorunchat.ports.store import Store


@dataclass(frozen=True)
class IdentityDeps:
    store: Store
    settings: Settings
    jwt_secret: str
    creds_key: bytes
    mailer: Mailer
    #: Makes the picture a provider names the user's avatar (``services.social_avatar``).
    import_avatar: Callable[[User, str | None], bool] | None = None

    @property
    def tenant_id(self) -> str:
        return self.settings.tenant_id


@dataclass(frozen=True)
class Client:
    """The caller of a sign-in route, as far as the request tells."""

    ip: str | None
    user_agent: str | None
    device_id: str | None
    request_id: str

    def actor(self, user_id: str | None = None, role: str | None = None) -> Actor:
        return Actor(userId=user_id, role=role, ip=self.ip, requestId=self.request_id)


@dataclass(frozen=True)
class SignedIn:
    token: str
    user: UserView
    refresh_token: str
    refresh_expires: datetime
    session_id: str
