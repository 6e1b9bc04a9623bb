"""Chat streaming DTOs: start/abort/status bodies, SSE frame payloads, generation job state.

Frame payloads keep LibreChat's shapes (``created``, ``on_run_step``, ``on_message_delta``,
``on_reasoning_delta``, ``final``, ``sync``, ``error``) and add ``seq`` (strictly increasing per
stream, from 1) and ``v`` (the schema version, ``FRAME_VERSION``). Each frame travels as
``id: <seq>`` / ``event: message`` / ``data: <json>``.

Generation parameters for every provider (and the offline demo model's length and pace) come
from ``modelParameters`` or from the same names at the top level of the start body, as
LibreChat clients send them; see ``GenerationParameters``.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator

FRAME_VERSION = 1
NO_PARENT = "00000000-0000-0000-0000-000000000000"
_REQUEST_ID = r"^[A-Za-z0-9:_.-]{1,128}$"
_ID = r"^[A-Za-z0-9:_.-]{1,128}$"


class JobStatus(StrEnum):
    RUNNING = "running"
    COMPLETE = "complete"
    ABORTED = "aborted"
    ERROR = "error"


class EndReason(StrEnum):
    """Why a generation stopped before its provider finished (the ``reconcile`` value)."""

    ABORTED = "aborted"
    REPLACED = "generation_replaced"
    SHUTDOWN = "server_shutdown"
    OWNER_LOST = "owner_lost"


class FrameKind(StrEnum):
    CREATED = "created"
    RUN_STEP = "run_step"
    TEXT = "text"
    REASONING = "reasoning"
    FINAL = "final"
    ERROR = "error"
    TITLE = "title"

    @property
    def terminal(self) -> bool:
        return self in (FrameKind.FINAL, FrameKind.ERROR)


# --------------------------------------------------------------------------- parameters


class GenerationParameters(BaseModel):
    """Normalized model parameters. LibreChat spellings are accepted as aliases.

    Offline demo model (endpoint ``offline``, model ``demo``): ``maxTokens`` is the number of
    tokens it writes, ``tokensPerSecond`` its pace (0 = as fast as possible), ``reasoning``
    adds reasoning deltas first, ``seed`` varies the deterministic text and
    ``emitTimestamps`` makes each token carry its emit time (benchmarks measure latency so).
    """

    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore")

    temperature: float | None = Field(default=None, ge=0, le=2)
    topP: float | None = Field(default=None, ge=0, le=1,
                               validation_alias=AliasChoices("topP", "top_p"))
    maxTokens: int | None = Field(
        default=None, ge=0, le=1_000_000,
        validation_alias=AliasChoices("maxTokens", "max_tokens", "maxOutputTokens",
                                      "max_output_tokens"))
    stop: list[str] | None = None
    seed: int | None = None
    reasoningEffort: str | None = Field(
        default=None, validation_alias=AliasChoices("reasoningEffort", "reasoning_effort"))
    reasoning: bool | None = None
    tokensPerSecond: float | None = Field(
        default=None, ge=0, le=1_000_000,
        validation_alias=AliasChoices("tokensPerSecond", "tokens_per_second"))
    emitTimestamps: bool = False


_PARAMETER_NAMES = frozenset(
    {"temperature", "topP", "top_p", "maxTokens", "max_tokens", "maxOutputTokens",
     "max_output_tokens", "stop", "seed", "reasoningEffort", "reasoning_effort", "reasoning",
     "tokensPerSecond", "tokens_per_second", "emitTimestamps"})


# --------------------------------------------------------------------------- HTTP bodies


class ChatFileRef(BaseModel):
    """A file attached to the submitted message (LibreChat sends ``files: [{file_id, ...}]``)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    file_id: str = Field(min_length=1, max_length=128)


class ChatStartRequest(BaseModel):
    """The body of ``POST /api/agents/chat[/:endpoint]`` (LibreChat's submission fields)."""

    model_config = ConfigDict(frozen=True, extra="allow")

    text: str = Field(max_length=200_000)
    conversationId: str | None = Field(default=None, max_length=128)
    parentMessageId: str | None = Field(default=None, max_length=128)
    messageId: str | None = Field(default=None, pattern=_ID)
    responseMessageId: str | None = Field(default=None, pattern=_ID)
    clientRequestId: str | None = Field(default=None, pattern=_REQUEST_ID)
    endpoint: str | None = Field(default=None, max_length=64)
    endpointType: str | None = Field(default=None, max_length=64)
    model: str | None = Field(default=None, max_length=128)
    promptPrefix: str | None = Field(default=None, max_length=100_000)
    modelParameters: dict[str, Any] = Field(
        default_factory=dict, validation_alias=AliasChoices("modelParameters",
                                                            "model_parameters"))
    files: list[ChatFileRef] = Field(default_factory=list, max_length=20)

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text must not be empty")
        return value

    @field_validator("conversationId", "parentMessageId")
    @classmethod
    def _placeholder(cls, value: str | None) -> str | None:
        # LibreChat clients send "new" (and a null parent) for a conversation not yet created.
        return None if value in ("new", "", None) else value

    def parameters(self) -> GenerationParameters:
        """``modelParameters`` overlaid with the same names sent at the top level."""
        top = {k: v for k, v in (self.model_extra or {}).items() if k in _PARAMETER_NAMES}
        return GenerationParameters.model_validate({**self.modelParameters, **top})


class ChatStartResponse(BaseModel):
    model_config = ConfigDict(frozen=True)

    streamId: str
    conversationId: str
    generationCreatedAt: int
    status: Literal["started", "resumed"]
    messageId: str
    responseMessageId: str


class AbortRequest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    streamId: str | None = Field(default=None, max_length=512)
    conversationId: str | None = Field(default=None, max_length=512)
    abortKey: str | None = Field(default=None, max_length=512)

    def target(self) -> tuple[str | None, str | None]:
        """(streamId, conversationId) to look up; LibreChat's ``abortKey`` is ``<convo>:...``."""
        stream = self.streamId if self.streamId not in (None, "", "new") else None
        convo = self.conversationId if self.conversationId not in (None, "", "new") else None
        if convo is None and self.abortKey:
            head = self.abortKey.split(":", 1)[0]
            convo = head if head not in ("", "new") else None
        return stream, convo


class AbortResponse(BaseModel):
    model_config = ConfigDict(frozen=True)

    success: bool
    aborted: str
    status: JobStatus


class ResumeRequest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    streamId: str | None = Field(default=None, max_length=128)
    conversationId: str | None = Field(default=None, max_length=128)


class ActiveGeneration(BaseModel):
    model_config = ConfigDict(frozen=True)

    streamId: str
    conversationId: str
    createdAt: int
    status: JobStatus


class ActiveResponse(BaseModel):
    """LibreChat's ``{activeJobIds}`` plus a detail row per generation."""

    model_config = ConfigDict(frozen=True)

    activeJobIds: list[str]
    generations: list[ActiveGeneration]


# --------------------------------------------------------------------------- content


class ToolCallInfo(BaseModel):
    """A tool call as LibreChat shows it: name, arguments (JSON text), output, progress."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    args: str = ""
    output: str | None = None
    progress: float | None = None
    type: Literal["tool_call"] = "tool_call"
    auth: str | None = None  # LibreChat's sign-in URL for an OAuth tool


class ContentPart(BaseModel):
    """One part of a response: ``{"type": "text", "text"}`` or ``{"type": "think", "think"}``."""

    model_config = ConfigDict(frozen=True)

    type: Literal["text", "think", "tool_call"]
    text: str | None = None
    think: str | None = None
    tool_call: ToolCallInfo | None = None


class MessageCreation(BaseModel):
    model_config = ConfigDict(frozen=True)

    message_id: str


class StepDetails(BaseModel):
    model_config = ConfigDict(frozen=True)

    type: Literal["message_creation"] = "message_creation"
    message_creation: MessageCreation


class ToolCallsDetails(BaseModel):
    model_config = ConfigDict(frozen=True)

    type: Literal["tool_calls"] = "tool_calls"
    tool_calls: list[ToolCallInfo]


class RunStep(BaseModel):
    """A run step; its ``index`` is the position of its part in the aggregated content."""

    model_config = ConfigDict(frozen=True)

    id: str
    runId: str
    index: int
    type: Literal["message_creation", "tool_calls"] = "message_creation"
    stepDetails: StepDetails | ToolCallsDetails
    usage: dict[str, int] | None = None


class UserMessageMeta(BaseModel):
    model_config = ConfigDict(frozen=True)

    messageId: str
    parentMessageId: str | None = None
    conversationId: str | None = None
    text: str | None = None


class ResumeState(BaseModel):
    """What a client needs to rebuild a response in progress (LibreChat's ``resumeState``)."""

    model_config = ConfigDict(frozen=True)

    runSteps: list[RunStep]
    aggregatedContent: list[ContentPart]
    userMessage: UserMessageMeta
    responseMessageId: str
    conversationId: str
    sender: str | None = None
    model: str | None = None
    endpoint: str | None = None


class MessageView(BaseModel):
    """A message as LibreChat clients render it."""

    model_config = ConfigDict(frozen=True)

    messageId: str
    conversationId: str
    parentMessageId: str | None = None
    sender: str | None = None
    text: str = ""
    content: list[ContentPart] | None = None
    isCreatedByUser: bool = False
    model: str | None = None
    endpoint: str | None = None
    error: bool = False
    unfinished: bool = False
    tokenCount: int | None = None
    createdAt: datetime | None = None
    updatedAt: datetime | None = None


class ConversationView(BaseModel):
    model_config = ConfigDict(frozen=True)

    conversationId: str
    title: str | None = None
    endpoint: str | None = None
    model: str | None = None
    createdAt: datetime | None = None
    updatedAt: datetime | None = None


class StatusResponse(BaseModel):
    """``GET /api/agents/chat/status/:conversationId`` (LibreChat's shape)."""

    model_config = ConfigDict(frozen=True)

    active: bool
    streamId: str | None = None
    status: JobStatus | None = None
    aggregatedContent: list[ContentPart] = Field(default_factory=list)
    createdAt: int | None = None
    resumeState: ResumeState | None = None


# --------------------------------------------------------------------------- frames


class _Frame(BaseModel):
    model_config = ConfigDict(frozen=True)

    seq: int
    v: int = FRAME_VERSION


class CreatedFrame(_Frame):
    created: Literal[True] = True
    message: MessageView
    streamId: str
    conversationId: str


class DeltaContent(BaseModel):
    model_config = ConfigDict(frozen=True)

    content: list[ContentPart]


class DeltaData(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    delta: DeltaContent


class EventFrame(_Frame):
    """``{"event": "on_run_step" | "on_message_delta" | "on_reasoning_delta", "data": …}``."""

    event: Literal["on_run_step", "on_message_delta", "on_reasoning_delta"]
    data: RunStep | DeltaData


class Usage(BaseModel):
    model_config = ConfigDict(frozen=True)

    inputTokens: int = 0
    outputTokens: int = 0
    reasoningTokens: int = 0


class FinalFrame(_Frame):
    final: Literal[True] = True
    conversation: ConversationView
    requestMessage: MessageView
    responseMessage: MessageView
    terminalStatus: JobStatus
    reconcile: EndReason | None = None
    aborted: bool | None = None
    usage: Usage | None = None


class TitleFrame(_Frame):
    """The generated title of a new conversation, sent before the final frame."""

    title: str
    conversationId: str


class ErrorFrame(_Frame):
    error: str
    code: str
    responseMessage: MessageView | None = None


class SyncFrame(_Frame):
    """Sent instead of frames a client can no longer be given one by one."""

    sync: Literal[True] = True
    resumeState: ResumeState
    pendingEvents: list[Any] = Field(default_factory=list)


# --------------------------------------------------------------------------- job state


class JobRecord(BaseModel):
    """The job hash of one generation: who owns it, its state, lease and identities."""

    model_config = ConfigDict(frozen=True)

    streamId: str
    tenantId: str
    userId: str
    conversationId: str
    owner: str
    state: JobStatus = JobStatus.RUNNING
    createdAt: int = 0
    leaseExpiresAt: int = 0
    lastSeq: int = 0
    clientRequestId: str | None = None
    userMessageId: str
    responseMessageId: str
    parentMessageId: str | None = None
    endpoint: str
    model: str
    sender: str | None = None
    cancel: EndReason | None = None
