"""One generation, run by the instance that owns it.

A producer task drains the provider into the coalescer; the job's main loop turns each
window's deltas into frames, appends them to the journal (fenced on ownership) and only then
hands them to local subscribers, so a client never sees a frame a reconnect could not
replay. Partial text is checkpointed to the store every few seconds; the end (finish, abort,
replacement, shutdown, provider failure) writes the response once and publishes exactly one
terminal frame.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from anyio import to_thread

from gorunchat.contracts.audit import Actor
from gorunchat.contracts.chat import (
    CreatedFrame,
    EndReason,
    ErrorFrame,
    EventFrame,
    FinalFrame,
    FrameKind,
    JobRecord,
    JobStatus,
    ResumeState,
    TitleFrame,
    Usage,
)
from gorunchat.contracts.documents import Message, utcnow
from gorunchat.contracts.errors import GoRunChatError
from gorunchat.contracts.settings import Settings
from gorunchat.ports.provider import (
    ModelProvider,
    ProviderFailure,
    ProviderRequest,
    UsageReport,
)
from gorunchat.ports.store import Store
from gorunchat.ports.streambus import JournalEntry, Snapshot, StreamBus, StreamRef
from gorunchat.services import chat, titles, usage
from gorunchat.services.chat import Outcome, StartRecord
from gorunchat.services.continuation import response_metadata
from gorunchat.services.titles import TitlePlan
from gorunchat.streaming.aggregate import Aggregator
from gorunchat.streaming.checkpoints import Checkpoints
from gorunchat.streaming.coalesce import Coalescer
from gorunchat.streaming.frames import delta_entry, entry
from gorunchat.streaming.tools import encode_step, tool_entries

log = logging.getLogger("gorunchat.streaming.job")


class Fenced(Exception):
    """This instance no longer owns the job (its lease was taken over); stop writing."""


@dataclass(frozen=True)
class JobDeps:
    bus: StreamBus
    store: Store
    owner: str
    publish: Callable[[StreamRef, Sequence[JournalEntry]], None]
    checkpoints: Checkpoints
    coalesce_s: float
    snapshot_every: int
    settings: Settings | None = None  # usage accounting (balances) when set


class GenerationJob:
    def __init__(self, deps: JobDeps, job: JobRecord, start: StartRecord,
                 request: ProviderRequest, provider: ModelProvider, actor: Actor,
                 title: TitlePlan | None = None) -> None:
        self.deps = deps
        self.title = title
        self.job = job
        self.ref = StreamRef.of(job)
        self.start = start
        self.request = request
        self.provider = provider
        self.actor = actor
        self.seq = 0
        self.agg = Aggregator(job.responseMessageId, job.responseMessageId)
        self.coalescer = Coalescer(deps.coalesce_s)
        self.reason: EndReason | None = None
        self.lost = False
        self._wake = asyncio.Event()
        self._timer: asyncio.TimerHandle | None = None
        self._produced = False
        self._failure: ProviderFailure | None = None
        self._usage: Usage | None = None
        self._report: UsageReport | None = None
        self._response_id: str | None = None
        self._snapshot_seq = 0
        self._created_at: datetime = utcnow()
        self.finishing = False  # from here on only the final write touches the response
        self.checkpointed_size = 0
        self.checkpointed_at = asyncio.get_running_loop().time()

    # -- control --------------------------------------------------------------------------

    def cancel(self, reason: EndReason) -> None:
        """Stop the generation for ``reason``; it still saves and publishes its ending."""
        if self.reason is None:
            self.reason = reason
            self._wake.set()

    def lose(self) -> None:
        """Ownership moved to another instance: stop without writing anything more."""
        self.lost = True
        self._wake.set()

    # -- the run --------------------------------------------------------------------------

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        producer = asyncio.create_task(self._produce())
        try:
            await self._emit([self._created()])
            await self._pump(loop)
            producer.cancel()
            await asyncio.gather(producer, return_exceptions=True)
            if self.lost:
                raise Fenced()
            await self._finish()
        except Fenced:
            log.warning("generation fenced", extra={"fields": self._fields()})
        finally:
            producer.cancel()
            if self._timer is not None:
                self._timer.cancel()

    async def _produce(self) -> None:
        try:
            async for event in self.provider.stream(self.request):
                if event.kind == "text" or event.kind == "reasoning":
                    self.coalescer.add(event.kind, event.text)
                    self._schedule()
                elif event.kind == "tool_step":
                    self.coalescer.add(event.kind, encode_step(event))
                    self._schedule()
                elif event.kind == "response":
                    self._response_id = event.response_id
                elif event.kind == "usage":
                    self._report = event
                    self._usage = Usage(inputTokens=event.input_tokens,
                                        outputTokens=event.output_tokens,
                                        reasoningTokens=event.reasoning_tokens)
                elif event.kind == "error":
                    self._failure = event
                    break
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - the provider boundary: any adapter fault
            log.exception("provider failed", extra={"fields": self._fields()})
            self._failure = ProviderFailure("PROVIDER_ERROR", f"The model failed: {exc}")
        finally:
            self._produced = True
            self._wake.set()

    def _schedule(self) -> None:
        loop = asyncio.get_running_loop()
        due = self.coalescer.due_at()
        if due <= loop.time():
            self._wake.set()
        elif self._timer is None:
            self._timer = loop.call_at(due, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        self._wake.set()

    async def _pump(self, loop: asyncio.AbstractEventLoop) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            if self.lost or self.reason is not None:
                return
            now = loop.time()
            if self.coalescer.pending and (self._produced or self.coalescer.due_at() <= now):
                await self._flush(now)
            elif self.coalescer.pending:
                self._schedule()
            if self._produced and not self.coalescer.pending:
                return

    async def _flush(self, now: float) -> None:
        entries: list[JournalEntry] = []
        for kind, text in self.coalescer.take(now):
            if kind == "tool_step":
                entries.extend(tool_entries(self.agg, text, self._next))
                continue
            step, step_id = self.agg.add(kind, text)
            if step is not None:
                seq = self._next()
                entries.append(entry(FrameKind.RUN_STEP, EventFrame(
                    seq=seq, event="on_run_step", data=step), seq))
            entries.append(delta_entry(kind, self._next(), step_id, text))
        await self._emit(entries)

    def _next(self) -> int:
        self.seq += 1
        return self.seq

    def _created(self) -> JournalEntry:
        seq = self._next()
        frame = CreatedFrame(seq=seq, message=self.start.user_message,
                             streamId=self.job.streamId, conversationId=self.job.conversationId)
        return entry(FrameKind.CREATED, frame, seq)

    async def _emit(self, entries: list[JournalEntry], terminal: JobStatus | None = None
                    ) -> None:
        snapshot = None
        if terminal is not None or self.seq - self._snapshot_seq >= self.deps.snapshot_every:
            # A snapshot stands for content frames only: never for the terminal frame, which
            # a client resuming from the snapshot must still receive.
            upto = self.seq - len(entries) if terminal is not None else self.seq
            snapshot = Snapshot(upto, self.resume_state().model_dump_json(
                exclude_none=True).encode())
            self._snapshot_seq = upto
        result = await self.deps.bus.append(self.ref, self.deps.owner, entries,
                                            terminal=terminal, snapshot=snapshot)
        if not result.accepted:
            self.lost = True
            raise Fenced()
        if result.cancel is not None:
            self.cancel(result.cancel)
        self.deps.publish(self.ref, entries)

    def resume_state(self) -> ResumeState:
        return self.agg.resume_state(self.job)

    @property
    def size(self) -> int:
        """How much content the response holds (tells checkpoints whether it grew)."""
        return self.agg.size

    # -- persistence ----------------------------------------------------------------------

    def response(self, *, unfinished: bool, error: bool = False) -> Message:
        """The response message as it stands now."""
        parts = [p.model_dump(exclude_none=True) for p in self.agg.content()]
        job = self.job
        return Message(
            messageId=job.responseMessageId, conversationId=job.conversationId, user=job.userId,
            parentMessageId=job.userMessageId, sender=job.sender, text=self.agg.text(),
            content=parts, isCreatedByUser=False, model=job.model, endpoint=job.endpoint,
            unfinished=unfinished, error=error,
            tokenCount=self._usage.outputTokens if self._usage else None,
            createdAt=self._created_at)

    async def _finish(self) -> None:
        if self.coalescer.pending:
            await self._flush(asyncio.get_running_loop().time())
        self.finishing = True
        await self.deps.checkpoints.settled(self.ref)
        outcome, state = _ending(self.reason, self._failure)
        response = self._with_metadata(self.response(unfinished=outcome != "complete",
                                                     error=self._failure is not None))
        if outcome == "complete" and self.title is not None:
            await self._send_title(response.text)
        try:
            record = await to_thread.run_sync(
                chat.finish, self.deps.store, self.job, self.actor, response, outcome,
                self.reason.value if self.reason else None)
        except GoRunChatError as exc:
            seq = self._next()
            frame = ErrorFrame(seq=seq, error=exc.message, code=exc.code)
            await self._emit([entry(FrameKind.ERROR, frame, seq)], terminal=JobStatus.ERROR)
            return
        await self._account(self._report, self.job.model)
        seq = self._next()
        if self._failure is not None and self.reason is None:
            failed = ErrorFrame(seq=seq, error=self._failure.message, code=self._failure.code,
                                responseMessage=record.response_message)
            await self._emit([entry(FrameKind.ERROR, failed, seq)], terminal=state)
            return
        final = FinalFrame(
            seq=seq, conversation=record.conversation, requestMessage=record.request_message,
            responseMessage=record.response_message, terminalStatus=state,
            reconcile=self.reason if self.reason not in (None, EndReason.ABORTED) else None,
            aborted=True if self.reason is EndReason.ABORTED else None, usage=self._usage)
        await self._emit([entry(FrameKind.FINAL, final, seq)], terminal=state)

    def _with_metadata(self, response: Message) -> Message:
        """Keep the provider's response id and full usage on the assistant message."""
        report = self._report
        counts = {"inputTokens": report.input_tokens, "outputTokens": report.output_tokens,
                  "reasoningTokens": report.reasoning_tokens,
                  "cacheReadTokens": report.cache_read_tokens,
                  "cacheWriteTokens": report.cache_write_tokens} if report else None
        meta = response_metadata(self._response_id, response.text, counts)
        return response.model_copy(update={"metadata": meta}) if meta else response

    async def _send_title(self, reply: str) -> None:
        """Title a new conversation after its first exchange (frame, then saved)."""
        plan = self.title
        assert plan is not None
        made = await titles.generate_title(
            plan.provider, self.job.endpoint, plan.model, self.request.messages[-1].text
            if self.request.messages else "", reply, self.job.userId, self.job.tenantId)
        await to_thread.run_sync(titles.save_title, self.deps.store, self.job.tenantId,
                                 self.job.userId, self.job.conversationId, made.title)
        if made.usage is not None:
            await self._account(made.usage, plan.model, "title")
        seq = self._next()
        await self._emit([entry(FrameKind.TITLE, TitleFrame(
            seq=seq, title=made.title, conversationId=self.job.conversationId), seq)])

    async def _account(self, report: UsageReport | None, model: str,
                       context: str = "message") -> None:
        """Usage → transactions and a balance debit (after the response is saved)."""
        settings = self.deps.settings
        if report is None or settings is None:
            return
        spend = usage.Spend(
            tenant_id=self.job.tenantId, user_id=self.job.userId,
            conversation_id=self.job.conversationId, message_id=self.job.responseMessageId,
            model=model, input_tokens=report.input_tokens,
            output_tokens=report.output_tokens, cache_read=report.cache_read_tokens,
            cache_write=report.cache_write_tokens, context=context)
        await to_thread.run_sync(usage.record_usage, self.deps.store, settings, spend)

    def _fields(self) -> dict[str, object]:
        return {"streamId": self.job.streamId, "tenantId": self.job.tenantId,
                "userId": self.job.userId, "seq": self.seq}


def _ending(reason: EndReason | None, failure: ProviderFailure | None
            ) -> tuple[Outcome, JobStatus]:
    if reason is not None:
        return "aborted", JobStatus.ABORTED
    if failure is not None:
        return "error", JobStatus.ERROR
    return "complete", JobStatus.COMPLETE
