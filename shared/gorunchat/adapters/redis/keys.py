"""Redis key names of the stream bus.

Every key of one user's generations shares a hash tag (``{tenant:user}``), so the Lua scripts
that touch a job, its journal, the user's active set and the conversation pointer together
stay valid on Redis Cluster. The lease index is the one global key; it is only an index (the
job hash holds the authoritative lease), so it is written next to, not inside, the scripts.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote, unquote

from gorunchat.ports.streambus import StreamRef

PREFIX = "gorunchat:chat"
LEASES = f"{PREFIX}:leases"


def _q(value: str) -> str:
    return quote(value, safe="")


class UserKeys:
    """The keys of one user's generations in one tenant."""

    __slots__ = ("base",)

    def __init__(self, tenant_id: str, user_id: str) -> None:
        self.base = f"{PREFIX}:{{{_q(tenant_id)}:{_q(user_id)}}}"

    @classmethod
    def of(cls, ref: StreamRef) -> UserKeys:
        return cls(ref.tenant_id, ref.user_id)

    @property
    def job_prefix(self) -> str:
        return f"{self.base}:job:"

    def job(self, stream_id: str) -> str:
        return f"{self.base}:job:{stream_id}"

    def log(self, stream_id: str) -> str:
        return f"{self.base}:log:{stream_id}"

    def snap(self, stream_id: str) -> str:
        return f"{self.base}:snap:{stream_id}"

    @property
    def active(self) -> str:
        return f"{self.base}:active"

    def conversation(self, conversation_id: str) -> str:
        return f"{self.base}:conv:{_q(conversation_id)}"

    def request(self, client_request_id: str) -> str:
        return f"{self.base}:req:{_q(client_request_id)}"


@lru_cache(maxsize=8192)
def stream_keys(ref: StreamRef) -> tuple[str, str, str, str]:
    """(job, log, snap, active) of one stream; cached, as every append needs them."""
    keys = UserKeys.of(ref)
    sid = ref.stream_id
    return keys.job(sid), keys.log(sid), keys.snap(sid), keys.active


def control_channel(owner: str) -> str:
    return f"{PREFIX}:control:{owner}"


def lease_member(ref: StreamRef) -> str:
    return "\t".join((_q(ref.tenant_id), _q(ref.user_id), _q(ref.stream_id)))


def parse_lease_member(member: str) -> StreamRef | None:
    parts = member.split("\t")
    if len(parts) != 3:
        return None
    return StreamRef(unquote(parts[0]), unquote(parts[1]), unquote(parts[2]))
