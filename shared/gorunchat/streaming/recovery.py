"""Recovery of a generation whose owner died (its lease ran out and this instance claimed it).

The claim made this instance the owner, so the old one is fenced: nothing it might still
write is accepted. Recovery keeps the last checkpoint as the response (``unfinished``,
``error``) with its audit and discovery records, then publishes the one terminal frame the
stream's subscribers are waiting for.
"""

from __future__ import annotations

from anyio import to_thread

from gorunchat.contracts.audit import Actor
from gorunchat.contracts.chat import (
    EndReason,
    ErrorFrame,
    FinalFrame,
    FrameKind,
    JobRecord,
    JobStatus,
)
from gorunchat.contracts.errors import GoRunChatError
from gorunchat.ports.store import Store
from gorunchat.ports.streambus import StreamBus, StreamRef
from gorunchat.services import chat
from gorunchat.streaming.frames import entry


async def recover(bus: StreamBus, store: Store, owner: str, job: JobRecord) -> None:
    reason = job.cancel or EndReason.OWNER_LOST
    ref = StreamRef.of(job)
    actor = Actor(userId=job.userId)
    seq = await bus.last_seq(ref) + 1
    try:
        record = await to_thread.run_sync(chat.recover, store, job, actor, reason.value)
    except GoRunChatError as exc:
        failed = ErrorFrame(seq=seq, error=exc.message, code=exc.code)
        await bus.append(ref, owner, [entry(FrameKind.ERROR, failed, seq)],
                         terminal=JobStatus.ERROR)
        return
    state = JobStatus.ERROR if reason is EndReason.OWNER_LOST else JobStatus.ABORTED
    final = FinalFrame(seq=seq, conversation=record.conversation,
                       requestMessage=record.request_message,
                       responseMessage=record.response_message, terminalStatus=state,
                       reconcile=reason)
    await bus.append(ref, owner, [entry(FrameKind.FINAL, final, seq)], terminal=state)
