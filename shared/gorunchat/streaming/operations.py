"""What each chat route does, between the HTTP binding and the bus, store and jobs.

Starting reserves the job in Redis first (idempotency, the per-user limit and replacement
are decided there, atomically), then persists the user's message, then launches the job; a
start whose message cannot be saved releases its reservation and answers the store's error.
"""

from __future__ import annotations

import asyncio
import re
from contextlib import suppress
from typing import Literal

from anyio import to_thread

from gorunchat.contracts.chat import (
    NO_PARENT,
    AbortRequest,
    AbortResponse,
    ActiveGeneration,
    ActiveResponse,
    ChatStartRequest,
    ChatStartResponse,
    EndReason,
    JobRecord,
    JobStatus,
    ResumeState,
    StatusResponse,
)
from gorunchat.contracts.documents import Message
from gorunchat.contracts.errors import BadRequest, NotFound, RateLimited, ServiceUnavailable
from gorunchat.domain.ids import new_uuid
from gorunchat.ports.provider import ImagePart, ModelProvider, ProviderMessage, ProviderRequest
from gorunchat.ports.streambus import StreamRef
from gorunchat.services import chat, file_access, usage
from gorunchat.services.caller import Caller
from gorunchat.services.continuation import previous_response
from gorunchat.streaming.aggregate import Aggregator
from gorunchat.streaming.job import GenerationJob
from gorunchat.streaming.runtime import StreamingRuntime
from gorunchat.streaming.tools import with_tools

_STREAM_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
ABORT_WAIT_S = 5.0


def stream_not_found() -> NotFound:
    return NotFound("The generation does not exist or has expired.", code="STREAM_NOT_FOUND")


def _resolve(rt: StreamingRuntime, body: ChatStartRequest, path_endpoint: str | None
             ) -> tuple[str, str, ModelProvider]:
    default_endpoint, default_model = rt.providers.default_endpoint()
    endpoint = body.endpoint or path_endpoint or default_endpoint
    provider = rt.providers.provider(endpoint)
    if provider is None and body.endpoint is None and path_endpoint is not None:
        endpoint = default_endpoint  # LibreChat posts to /chat/agents and the like
        provider = rt.providers.provider(endpoint)
    if provider is None:
        raise BadRequest(f"The endpoint {endpoint!r} is not configured.",
                         code="ENDPOINT_NOT_CONFIGURED")
    model = body.model or (default_model if endpoint == default_endpoint else None)
    if model is None:
        raise BadRequest("Choose a model for this endpoint.", code="MODEL_REQUIRED")
    return endpoint, model, provider


def _answer(job: JobRecord, status: Literal["started", "resumed"]) -> ChatStartResponse:
    return ChatStartResponse(streamId=job.streamId, conversationId=job.conversationId,
                             generationCreatedAt=job.createdAt, status=status,
                             messageId=job.userMessageId,
                             responseMessageId=job.responseMessageId)


async def start(rt: StreamingRuntime, caller: Caller, body: ChatStartRequest,
                path_endpoint: str | None = None) -> ChatStartResponse:
    """Start a generation (or attach to the one this ``clientRequestId`` started)."""
    if rt.draining:
        raise ServiceUnavailable("This instance is shutting down; retry the request.",
                                 code="STREAM_DRAINING")
    bus = rt.bus
    endpoint, model, provider = _resolve(rt, body, path_endpoint)
    await to_thread.run_sync(usage.check_balance, rt.store, rt.settings, caller.tenant_id,
                             caller.user_id, model, (body.promptPrefix or "") + body.text)
    plan = await to_thread.run_sync(chat.prepare, rt.store, caller, body.conversationId)
    draft = JobRecord(
        streamId=new_uuid(), tenantId=caller.tenant_id, userId=caller.user_id,
        conversationId=plan.conversation_id, owner=rt.owner,
        clientRequestId=body.clientRequestId, userMessageId=body.messageId or new_uuid(),
        responseMessageId=body.responseMessageId or new_uuid(),
        parentMessageId=body.parentMessageId or NO_PARENT, endpoint=endpoint, model=model,
        sender=provider.sender(model))
    limit = rt.settings.stream_max_active_per_user
    reservation = await bus.reserve(draft, limit=limit)
    if reservation.status == "limited":
        raise RateLimited(f"Only {limit} responses can be generated at once; wait for one "
                          "to finish.", code="CONCURRENT_GENERATIONS", retry_after=5)
    job = reservation.job
    if job is None:
        raise ServiceUnavailable("The generation could not be reserved.",
                                 code="STREAM_BUS_UNAVAILABLE")
    if reservation.status == "resumed":
        return _answer(job, "resumed")
    message = Message(
        messageId=job.userMessageId, conversationId=job.conversationId, user=caller.user_id,
        parentMessageId=job.parentMessageId, sender="User", text=body.text,
        isCreatedByUser=True, endpoint=endpoint, model=model,
        files=[{"file_id": f.file_id} for f in body.files] or None)
    try:
        record = await to_thread.run_sync(chat.record_start, rt.store, caller, message)
    except BaseException:
        with suppress(ServiceUnavailable):
            await bus.release(StreamRef.of(job))
        raise
    continues = await to_thread.run_sync(previous_response, rt.store, caller.tenant_id,
                                         caller.user_id, job.parentMessageId, endpoint)
    history = await _with_images(rt, caller, body, record.history)
    request = ProviderRequest(endpoint=endpoint, model=model, system=body.promptPrefix,
                              messages=history, parameters=body.parameters(),
                              user=caller.user_id, tenant=caller.tenant_id,
                              previousResponseId=continues)
    title = rt.providers.title_plan(endpoint, model) if plan.is_new else None
    request, provider = await with_tools(rt, caller, body, job, request, provider)
    rt.launch(GenerationJob(rt.job_deps(), job, record, request, provider, caller.actor,
                            title=title))
    return _answer(job, "started")


async def _with_images(rt: StreamingRuntime, caller: Caller, body: ChatStartRequest,
                       history: list[ProviderMessage]) -> list[ProviderMessage]:
    """The history with the caller's attached image files added to the new user turn.

    Only the caller's own, visible image files are attached (``file_access.prompt_images``);
    other ids are skipped, as LibreChat does.
    """
    blobs = rt.blobs
    if not body.files or not history or blobs is None:
        return history
    ids = [f.file_id for f in body.files]
    images = await to_thread.run_sync(file_access.prompt_images, rt.store, blobs, caller, ids)
    if not images:
        return history
    last = history[-1]
    parts = [*last.parts, *(ImagePart(url=image.data_url) for image in images)]
    return [*history[:-1], last.model_copy(update={"parts": parts})]


async def find_job(rt: StreamingRuntime, caller: Caller, stream_id: str | None,
                   conversation_id: str | None = None) -> JobRecord:
    """The caller's generation by stream id, else the latest on ``conversation_id``.

    LibreChat clients address a stream by its conversation id, so an id that is not a
    stream of the caller is also tried as a conversation id. Anything else is 404.
    """
    bus = rt.bus
    if stream_id is not None and _STREAM_ID.match(stream_id):
        job = await bus.job(StreamRef(caller.tenant_id, caller.user_id, stream_id))
        if job is not None:
            return job
        conversation_id = conversation_id or stream_id
    if conversation_id is not None:
        current = await bus.current_stream(caller.tenant_id, caller.user_id, conversation_id)
        if current is not None:
            job = await bus.job(StreamRef(caller.tenant_id, caller.user_id, current))
            if job is not None:
                return job
    raise stream_not_found()


async def abort(rt: StreamingRuntime, caller: Caller, body: AbortRequest) -> AbortResponse:
    """Ask the owning instance (wherever it is) to stop; wait briefly for the terminal frame."""
    stream_id, conversation_id = body.target()
    if stream_id is None and conversation_id is None:
        raise BadRequest("Name the generation to stop (streamId or conversationId).",
                         code="INVALID_ABORT_TARGET")
    job = await find_job(rt, caller, stream_id, conversation_id)
    ref = StreamRef.of(job)
    local = rt.jobs.get(ref)
    if local is not None:
        local.cancel(EndReason.ABORTED)
    current = await rt.bus.request_cancel(ref, EndReason.ABORTED)
    state = current.state if current is not None else job.state
    if state is JobStatus.RUNNING:
        state = await _await_end(rt, ref, job.lastSeq)
    return AbortResponse(success=True, aborted=job.streamId, status=state)


async def _await_end(rt: StreamingRuntime, ref: StreamRef, after: int) -> JobStatus:
    from gorunchat.streaming.recovery import recover

    bus = rt.bus
    loop = asyncio.get_running_loop()
    deadline = loop.time() + ABORT_WAIT_S
    while (left := deadline - loop.time()) > 0:
        entries = await bus.tail(ref, after, max(1, int(min(left, 0.5) * 1000)))
        if entries:
            after = entries[-1].seq
            if not any(e.terminal for e in entries):
                continue
        job = await bus.job(ref)
        if job is None or job.state is not JobStatus.RUNNING:
            return job.state if job is not None else JobStatus.ABORTED
        claimed = await bus.claim(ref, rt.owner)  # its owner is gone: end it here
        if claimed is not None:
            await recover(bus, rt.store, rt.owner, claimed)
    return JobStatus.RUNNING


async def resume_state(rt: StreamingRuntime, job: JobRecord) -> ResumeState:
    """The aggregated state of a generation: its snapshot plus the frames after it."""
    snapshot, entries = await rt.bus.read_snapshot(StreamRef.of(job), 4096)
    state = ResumeState.model_validate_json(snapshot.data) if snapshot else None
    agg = Aggregator.restore(job, state)
    for e in entries:
        agg.apply(e)
    return agg.resume_state(job)


async def status(rt: StreamingRuntime, caller: Caller, conversation_id: str) -> StatusResponse:
    try:
        job = await find_job(rt, caller, None, conversation_id)
    except NotFound:
        return StatusResponse(active=False)
    state = await resume_state(rt, job)
    return StatusResponse(active=job.state is JobStatus.RUNNING, streamId=job.streamId,
                          status=job.state, aggregatedContent=state.aggregatedContent,
                          createdAt=job.createdAt, resumeState=state)


async def active(rt: StreamingRuntime, caller: Caller) -> ActiveResponse:
    jobs = await rt.bus.active(caller.tenant_id, caller.user_id)
    return ActiveResponse(
        activeJobIds=[j.streamId for j in jobs],
        generations=[ActiveGeneration(streamId=j.streamId, conversationId=j.conversationId,
                                      createdAt=j.createdAt, status=j.state) for j in jobs])


async def resume(rt: StreamingRuntime, caller: Caller, stream_id: str | None,
                 conversation_id: str | None) -> ChatStartResponse:
    if stream_id is None and conversation_id is None:
        raise BadRequest("Name the generation to resume.", code="INVALID_RESUME_TARGET")
    return _answer(await find_job(rt, caller, stream_id, conversation_id), "resumed")
