"""Placeholders in MCP server configurations, as LibreChat spells them.

``{{LIBRECHAT_USER_ID}}`` and friends name the calling user; ``{{VAR}}`` names one of the
server's ``customUserVars`` the user filled in; ``${VAR}`` names an environment variable and is
only honoured in the admin's ``gorunchat.yaml`` (user-added servers may not read the
environment).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_BRACES = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
_ENV = re.compile(r"\$\{([A-Za-z0-9_]+)\}")


@dataclass(frozen=True)
class UserFacts:
    """What user placeholders may reveal about the caller."""

    id: str
    email: str | None = None
    username: str | None = None
    name: str | None = None
    role: str | None = None

    def values(self) -> dict[str, str]:
        facts = {"ID": self.id, "EMAIL": self.email, "USERNAME": self.username,
                 "NAME": self.name, "ROLE": self.role}
        return {f"LIBRECHAT_USER_{k}": v or "" for k, v in facts.items()}


def fill(text: str, user: UserFacts | None, custom: Mapping[str, str],
         env: Mapping[str, str] | None) -> str:
    """``text`` with every known placeholder replaced; unknown ones are left as written."""
    known = {**(user.values() if user else {}), **custom}
    out = _BRACES.sub(lambda m: known.get(m.group(1), m.group(0)), text)
    if env is not None:
        out = _ENV.sub(lambda m: env.get(m.group(1), ""), out)
    return out


def fill_all(value: Any, user: UserFacts | None, custom: Mapping[str, str],
             env: Mapping[str, str] | None) -> Any:
    """:func:`fill` applied to every string inside nested lists and dicts."""
    if isinstance(value, str):
        return fill(value, user, custom, env)
    if isinstance(value, list):
        return [fill_all(v, user, custom, env) for v in value]
    if isinstance(value, dict):
        return {k: fill_all(v, user, custom, env) for k, v in value.items()}
    return value


def mentions_user(value: Any) -> bool:
    """Whether any string in ``value`` has a ``{{...}}`` placeholder (so it is per user)."""
    if isinstance(value, str):
        return _BRACES.search(value) is not None
    if isinstance(value, list):
        return any(mentions_user(v) for v in value)
    if isinstance(value, dict):
        return any(mentions_user(v) for v in value.values())
    return False


def mentions_env(value: Any) -> bool:
    """Whether any string in ``value`` reads an environment variable (``${VAR}``)."""
    if isinstance(value, str):
        return _ENV.search(value) is not None
    if isinstance(value, list):
        return any(mentions_env(v) for v in value)
    if isinstance(value, dict):
        return any(mentions_env(v) for v in value.values())
    return False
