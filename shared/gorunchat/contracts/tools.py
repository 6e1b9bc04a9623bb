"""Tool-call frames in LibreChat's shapes, and the DTOs of the agents' tool routes.

``on_run_step`` (a ``tool_calls`` step) reuses ``contracts.chat.EventFrame``; the argument
delta and the completion have their own frames here:

* ``{"event": "on_run_step_delta", "data": {"id": stepId, "delta": {"type": "tool_calls",
  "tool_calls": [{"args": "...", "type": "tool_call_chunk"}]}}}``
* ``{"event": "on_run_step_completed", "data": {"result": {"id": stepId, "index": n,
  "type": "tool_call", "tool_call": {"id", "name", "args", "output", "progress": 1}}}}``
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from gorunchat.contracts.chat import ToolCallInfo, _Frame


class ToolCallChunk(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str | None = None
    name: str | None = None
    args: str = ""
    type: Literal["tool_call_chunk"] = "tool_call_chunk"


class RunStepDeltaBody(BaseModel):
    model_config = ConfigDict(frozen=True)

    type: Literal["tool_calls"] = "tool_calls"
    tool_calls: list[ToolCallChunk]


class RunStepDeltaData(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    delta: RunStepDeltaBody


class RunStepDeltaFrame(_Frame):
    event: Literal["on_run_step_delta"] = "on_run_step_delta"
    data: RunStepDeltaData


class ToolCallResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    index: int
    type: Literal["tool_call"] = "tool_call"
    tool_call: ToolCallInfo


class RunStepCompletedData(BaseModel):
    model_config = ConfigDict(frozen=True)

    result: ToolCallResult


class RunStepCompletedFrame(_Frame):
    event: Literal["on_run_step_completed"] = "on_run_step_completed"
    data: RunStepCompletedData


class ToolCallRequest(BaseModel):
    """``POST /api/agents/tools/:toolId/call``."""

    model_config = ConfigDict(extra="allow")

    conversationId: str = Field(default="none", max_length=128)
    messageId: str | None = Field(default=None, max_length=128)
    partIndex: int | None = None
    blockIndex: int | None = None
    arguments: dict[str, Any] = Field(default_factory=dict)


class ToolCallResponse(BaseModel):
    result: str
    toolCallId: str
    success: bool
    oauthUrl: str | None = None  # an OAuth action the caller must sign in to first


class ToolCallsQuery(BaseModel):
    conversationId: str = Field(max_length=128)


class ToolCallOut(BaseModel):
    id: str
    conversationId: str
    messageId: str | None = None
    toolId: str | None = None
    user: str
    result: Any = None


class ToolAuthResponse(BaseModel):
    authenticated: bool
    message: str | bool = True
