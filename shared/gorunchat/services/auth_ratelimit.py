"""Rate limits, violation scores and bans for the sign-in routes, as in LibreChat.

Each limited route counts requests per client address in a fixed window (login: 7 per
5 minutes; register: 5 per hour; password reset and email verification: 2 per 2 minutes,
all from settings). A request over the limit is answered 429 with ``Retry-After`` and adds
the route's violation score to the caller (the user when known, else the address). When
the score crosses a multiple of ``BAN_INTERVAL``, the user and the address are banned for
``BAN_DURATION`` and the user's sessions are revoked; a banned caller gets 403.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from gorunchat.contracts.audit import Actor, AuditEvent
from gorunchat.contracts.authconfig import LimitRule, RateLimits
from gorunchat.contracts.errors import Forbidden, RateLimited
from gorunchat.ports.ratelimit import RateCounter
from gorunchat.ports.store import Store
from gorunchat.services import sessions

Policy = Literal["login", "register", "reset_password", "verify_email"]
VIOLATION_TTL_MS = 24 * 3600 * 1000
BANNED_MESSAGE = ("Your account has been temporarily banned due to violations of our "
                  "service. Try again in {minutes} minutes.")
_WHAT = {"login": "login attempts", "register": "registration attempts",
         "reset_password": "password reset requests",
         "verify_email": "email verification requests"}


@dataclass(frozen=True)
class Subject:
    """Who is asking: the tenant, the client address and, when known, the user."""

    tenant_id: str
    ip: str | None
    user_id: str | None
    actor: Actor


def _rule(limits: RateLimits, policy: Policy) -> LimitRule:
    rule: LimitRule = getattr(limits, "registration" if policy == "register" else policy)
    return rule


def _banned(ms: int) -> Forbidden:
    return Forbidden(BANNED_MESSAGE.format(minutes=math.ceil(ms / 60000)), code="BANNED")


class AuthRateLimiter:
    """The sign-in policy over a ``RateCounter`` (Redis in every deployment)."""

    def __init__(self, counter: RateCounter, limits: RateLimits, store: Store) -> None:
        self.counter = counter
        self.limits = limits
        self.store = store

    def _ban_keys(self, s: Subject) -> list[str]:
        keys = [f"gorunchat:{s.tenant_id}:ban:ip:{s.ip or 'unknown'}"]
        if s.user_id:
            keys.append(f"gorunchat:{s.tenant_id}:ban:user:{s.user_id}")
        return keys

    def check_ban(self, s: Subject) -> None:
        """403 ``BANNED`` while the user or the address is banned."""
        left = self.counter.banned_ms(self._ban_keys(s))
        if left > 0:
            raise _banned(left)

    def guard(self, policy: Policy, s: Subject) -> None:
        """Check bans, then count this request; 403 or 429 when it may not proceed."""
        self.check_ban(s)
        rule = _rule(self.limits, policy)
        hit = self.counter.hit(f"gorunchat:{s.tenant_id}:rl:{policy}:{s.ip or 'unknown'}",
                               rule.window_min * 60_000)
        if hit.count <= rule.max:
            return
        self._violation(policy, rule, s)
        raise RateLimited(
            f"Too many {_WHAT[policy]}, please try again after {rule.window_min} minutes.",
            retry_after=max(1, math.ceil(hit.reset_ms / 1000)))

    def _violation(self, policy: Policy, rule: LimitRule, s: Subject) -> None:
        who = f"user:{s.user_id}" if s.user_id else f"ip:{s.ip or 'unknown'}"
        before, after = self.counter.add_score(
            f"gorunchat:{s.tenant_id}:violations:{policy}:{who}", rule.score, VIOLATION_TTL_MS)
        interval, duration = self.limits.ban_interval, self.limits.ban_duration_ms
        if not self.limits.ban_violations or before // interval >= after // interval:
            return
        if duration > 0:
            self.counter.ban(self._ban_keys(s), duration)
        self._record_ban(policy, s, after, duration)
        if duration > 0:
            raise _banned(duration)

    def _record_ban(self, policy: Policy, s: Subject, score: int, duration_ms: int) -> None:
        """Sign the banned user out everywhere and audit the ban."""
        with self.store.unit_of_work(s.tenant_id) as uow:
            revoked = sessions.revoke_all(uow, s.user_id, "banned") if s.user_id else 0
            uow.record(AuditEvent(
                action="auth.violation_ban", actor=s.actor, outcome="denied",
                targetType="user" if s.user_id else "ip", targetId=s.user_id or s.ip,
                metadata={"policy": policy, "violationScore": score,
                          "durationMs": duration_ms, "ip": s.ip, "sessionsRevoked": revoked}))
            uow.commit()
