"""The picture an identity provider names at sign-in becomes the user's avatar.

LibreChat fetches the provider's picture on each social sign-in unless the user chose their
own (their avatar URL says ``manual=true``). The URL comes from the provider's claims, which
users can often set themselves, so the fetch goes through the SSRF guard with no
allow-list, bounded by the avatar size limit and accepted only as an image; the bytes then
pass every check of an avatar upload (``services.avatars``). A picture that cannot be had is
logged and skipped: it never fails the sign-in.
"""

from __future__ import annotations

import logging

import anyio

from gorunchat.adapters.net.fetch import fetch_file
from gorunchat.adapters.net.ssrf import AllowList
from gorunchat.contracts.audit import Actor
from gorunchat.contracts.documents import User
from gorunchat.contracts.errors import GoRunChatError
from gorunchat.contracts.identity import Principal
from gorunchat.contracts.settings import Settings
from gorunchat.services import avatars, files
from gorunchat.services.caller import Caller

log = logging.getLogger("gorunchat.auth")
FETCH_TIMEOUT_S = 5.0
#: Pictures come from the public internet: nothing private is allowed.
ALLOW = AllowList()


def wanted(user: User, url: str | None) -> bool:
    """Whether to fetch ``url``: an http(s) picture, and no avatar the user chose."""
    if not url or not url.lower().startswith(("https://", "http://")):
        return False
    return "manual=true" not in (user.avatar or "")


def import_avatar(deps: files.FileDeps, settings: Settings, user: User,
                  url: str | None) -> bool:
    """Fetch the provider's picture and make it ``user``'s avatar; whether it did."""
    if not wanted(user, url):
        return False
    assert url is not None
    config = files.file_config(settings.app.fileConfig)
    caller = Caller(principal=Principal(userId=user.id, tenantId=user.tenantId,
                                        role=user.role, email=user.email),
                    actor=Actor(userId=user.id))
    try:
        got = anyio.run(lambda: fetch_file(url, ALLOW, accept=("image/",),
                                           max_bytes=avatars.avatar_limit(config),
                                           timeout_s=FETCH_TIMEOUT_S))
        avatars.set_user_avatar(deps, caller, config,
                                avatars.AvatarUpload(filename="avatar", data=got.data),
                                manual=False)
    except GoRunChatError as exc:
        log.warning("provider avatar skipped", extra={"fields": {
            "userId": user.id, "code": exc.code, "reason": exc.message}})
        return False
    return True
