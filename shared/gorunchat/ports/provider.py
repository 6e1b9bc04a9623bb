"""The model provider port: a normalized request in, an async stream of normalized events out.

Every provider adapter (offline demo, OpenAI, Anthropic, Google, custom OpenAI-compatible
endpoints) turns a ``ProviderRequest`` into ``ProviderEvent`` values: text and reasoning
deltas, tool-call deltas, usage, then one ``Finish`` (or one ``ProviderFailure``). The
streaming service never sees an SDK type; it coalesces these events into SSE frames.

Cancellation: the consumer stops a generation by closing the iterator (``aclose``) or by
cancelling the task that iterates it; adapters must release their connections when that
happens.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from gorunchat.contracts.chat import GenerationParameters


class TextPart(BaseModel):
    model_config = ConfigDict(frozen=True)

    type: Literal["text"] = "text"
    text: str


class ImagePart(BaseModel):
    model_config = ConfigDict(frozen=True)

    type: Literal["image_url"] = "image_url"
    url: str
    detail: Literal["auto", "low", "high"] = "auto"


class ToolCallPart(BaseModel):
    """A tool call the assistant made in an earlier turn."""

    model_config = ConfigDict(frozen=True)

    type: Literal["tool_call"] = "tool_call"
    id: str
    name: str
    arguments: str = ""


class ToolResultPart(BaseModel):
    model_config = ConfigDict(frozen=True)

    type: Literal["tool_result"] = "tool_result"
    toolCallId: str
    output: str


Part = Annotated[TextPart | ImagePart | ToolCallPart | ToolResultPart,
                 Field(discriminator="type")]


class ProviderMessage(BaseModel):
    model_config = ConfigDict(frozen=True)

    role: Literal["user", "assistant", "tool"]
    parts: list[Part]

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.parts if isinstance(p, TextPart))


class ToolSpec(BaseModel):
    """A function the model may call: its name, description and JSON Schema parameters."""

    model_config = ConfigDict(frozen=True)

    name: str
    description: str = ""
    parameters: dict[str, Any] = Field(default_factory=lambda: {"type": "object"})


class ProviderRequest(BaseModel):
    model_config = ConfigDict(frozen=True)

    endpoint: str
    model: str
    system: str | None = None
    messages: list[ProviderMessage]
    tools: list[ToolSpec] = Field(default_factory=list)
    parameters: GenerationParameters = Field(default_factory=GenerationParameters)
    user: str | None = None
    tenant: str | None = None
    # The stored response this turn continues (OpenAI Responses API); ``messages`` then
    # holds only the new turn. Adapters without server-side state ignore it.
    previousResponseId: str | None = None


# Events are frozen slotted dataclasses: a fast stream yields one per token.


@dataclass(frozen=True, slots=True)
class TextDelta:
    text: str
    kind: ClassVar[Literal["text"]] = "text"


@dataclass(frozen=True, slots=True)
class ReasoningDelta:
    text: str
    kind: ClassVar[Literal["reasoning"]] = "reasoning"


@dataclass(frozen=True, slots=True)
class ToolCallDelta:
    """A fragment of a tool call; fragments with the same ``index`` concatenate."""

    index: int
    id: str | None = None
    name: str | None = None
    arguments: str = ""
    kind: ClassVar[Literal["tool_call"]] = "tool_call"


@dataclass(frozen=True, slots=True)
class UsageReport:
    input_tokens: int
    output_tokens: int
    reasoning_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    kind: ClassVar[Literal["usage"]] = "usage"


@dataclass(frozen=True, slots=True)
class ResponseInfo:
    """The provider's id for this response (stored server side, retrievable later)."""

    response_id: str
    kind: ClassVar[Literal["response"]] = "response"


FinishReason = Literal["stop", "length", "tool_calls", "content_filter"]


@dataclass(frozen=True, slots=True)
class Finish:
    reason: FinishReason = "stop"
    kind: ClassVar[Literal["finish"]] = "finish"


@dataclass(frozen=True, slots=True)
class ProviderFailure:
    """The provider failed; ``retryable`` tells whether the same request may succeed later."""

    code: str
    message: str
    retryable: bool = False
    kind: ClassVar[Literal["error"]] = "error"


@dataclass(frozen=True, slots=True)
class ToolStep:
    """A tool call the tool loop started (``phase="start"``) or finished (``"done"``).

    Emitted by ``streaming.tools.ToolLoopProvider``, never by an SDK adapter: it becomes
    LibreChat's ``on_run_step`` / ``on_run_step_completed`` frames.
    """

    phase: Literal["start", "done"]
    call_id: str
    name: str
    args: str = ""
    output: str | None = None
    auth: str | None = None  # where the user signs in before the tool can run
    kind: ClassVar[Literal["tool_step"]] = "tool_step"


ProviderEvent = (TextDelta | ReasoningDelta | ToolCallDelta | UsageReport | ResponseInfo |
                 Finish | ProviderFailure | ToolStep)


class ModelProvider(Protocol):
    """One endpoint's models behind the normalized event stream."""

    def stream(self, request: ProviderRequest) -> AsyncIterator[ProviderEvent]:
        """Generate a response to ``request`` as an async stream of normalized events."""
        ...

    def sender(self, model: str) -> str:
        """The label shown as the response's sender (LibreChat's ``sender``)."""
        ...


class ProviderRegistry(Protocol):
    def provider(self, endpoint: str) -> ModelProvider | None:
        """The provider serving ``endpoint``, or ``None`` when it is not configured."""
        ...

    def default_endpoint(self) -> tuple[str, str]:
        """``(endpoint, model)`` used when a start request names neither."""
        ...
