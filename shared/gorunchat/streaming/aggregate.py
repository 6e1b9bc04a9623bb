"""The aggregated content of a response in progress, and the ``resumeState`` built from it.

A response is a list of content parts, each produced by one run step: a ``think`` part for
reasoning, a ``text`` part for the answer, a ``tool_call`` part for each tool the model
called. A change of kind starts a new step, so a part's position is its step's ``index`` (as
LibreChat clients expect). The owner aggregates live deltas; any instance can rebuild the
same state from a snapshot plus the frames after it.
"""

from __future__ import annotations

import json
import uuid

from gorunchat.contracts.chat import (
    ContentPart,
    JobRecord,
    MessageCreation,
    ResumeState,
    RunStep,
    StepDetails,
    ToolCallInfo,
    ToolCallsDetails,
    UserMessageMeta,
)
from gorunchat.ports.streambus import JournalEntry

_PART_TYPE = {"text": "text", "reasoning": "think"}
_COMPACT_AT = 128


class Aggregator:
    __slots__ = ("run_id", "message_id", "steps", "_chunks", "_types", "_index", "size",
                 "_tools")

    def __init__(self, run_id: str, message_id: str) -> None:
        self.run_id = run_id
        self.message_id = message_id
        self.steps: list[RunStep] = []
        self._chunks: list[list[str]] = []
        self._types: list[str] = []
        self._index: dict[str, int] = {}
        self._tools: dict[int, ToolCallInfo] = {}  # step index → its tool call
        self.size = 0  # characters aggregated so far; tells a checkpoint whether to write

    def add(self, kind: str, text: str) -> tuple[RunStep | None, str]:
        """Append a delta of ``kind`` (``text``/``reasoning``); a new step when the kind changes.

        Returns the step created for it (or ``None``) and the id of the step it belongs to.
        """
        part_type = _PART_TYPE[kind]
        created = None
        if not self._types or self._types[-1] != part_type:
            created = self._new_step(f"step_{uuid.uuid4().hex[:24]}", part_type)
        chunks = self._chunks[-1]
        chunks.append(text)
        if len(chunks) >= _COMPACT_AT:
            # Join now and then: a long answer stays a few strings, not thousands of small
            # ones that every garbage collection of the old generation would walk.
            chunks[:] = ["".join(chunks)]
        self.size += len(text)
        return created, self.steps[-1].id

    def _new_step(self, step_id: str, part_type: str) -> RunStep:
        index = len(self.steps)
        step = RunStep(id=step_id, runId=self.run_id, index=index, stepDetails=StepDetails(
            message_creation=MessageCreation(message_id=self.message_id)))
        self._adopt(step, part_type)
        return step

    def start_tool(self, call: ToolCallInfo) -> RunStep:
        """A new ``tool_calls`` step for a call the model made (LibreChat's ``on_run_step``)."""
        step = RunStep(id=f"step_{uuid.uuid4().hex[:24]}", runId=self.run_id,
                       index=len(self.steps), type="tool_calls",
                       stepDetails=ToolCallsDetails(tool_calls=[call]))
        self._adopt(step, "tool_call")
        self._tools[step.index] = call
        return step

    def finish_tool(self, call_id: str, output: str, auth: str | None = None,
                    args: str | None = None) -> tuple[RunStep, ToolCallInfo] | None:
        """Record a call's output (and arguments, sign-in URL); the step and the completed
        call, or ``None`` if unknown."""
        for index, call in self._tools.items():
            if call.id == call_id:
                done = call.model_copy(update={"output": output, "progress": 1.0,
                                               "auth": auth or call.auth,
                                               "args": call.args if args is None else args})
                self._tools[index] = done
                self.size += len(output)
                return self.steps[index], done
        return None

    def _adopt(self, step: RunStep, part_type: str) -> None:
        self.steps.append(step)
        self._chunks.append([])
        self._types.append(part_type)
        self._index[step.id] = len(self.steps) - 1

    def content(self) -> list[ContentPart]:
        parts: list[ContentPart] = []
        for index, (part_type, chunks) in enumerate(zip(self._types, self._chunks,
                                                            strict=True)):
            if part_type == "tool_call":
                parts.append(ContentPart(type="tool_call", tool_call=self._tools[index]))
                continue
            joined = "".join(chunks)
            parts.append(ContentPart(type="think", think=joined) if part_type == "think"
                         else ContentPart(type="text", text=joined))
        return parts

    def text(self) -> str:
        """The answer text (reasoning excluded), as a message's ``text`` field holds it."""
        return "".join("".join(chunks) for part_type, chunks
                       in zip(self._types, self._chunks, strict=True) if part_type == "text")

    def resume_state(self, job: JobRecord) -> ResumeState:
        return ResumeState(
            runSteps=list(self.steps), aggregatedContent=self.content(),
            userMessage=UserMessageMeta(messageId=job.userMessageId,
                                        parentMessageId=job.parentMessageId,
                                        conversationId=job.conversationId),
            responseMessageId=job.responseMessageId, conversationId=job.conversationId,
            sender=job.sender, model=job.model, endpoint=job.endpoint)

    # -- rebuilding from the journal ------------------------------------------------------

    @classmethod
    def restore(cls, job: JobRecord, state: ResumeState | None) -> Aggregator:
        """An aggregator holding ``state`` (a snapshot), ready to apply later frames."""
        agg = cls(job.responseMessageId, job.responseMessageId)
        if state is not None:
            for step, part in zip(state.runSteps, state.aggregatedContent, strict=False):
                agg._adopt(step, part.type)
                if part.tool_call is not None:
                    agg._tools[step.index] = part.tool_call
                    continue
                agg._chunks[-1].append((part.think if part.type == "think" else part.text)
                                       or "")
        return agg

    def apply(self, entry: JournalEntry) -> None:
        """Fold one journal frame (run step or delta) into the state; others are ignored."""
        if entry.kind == "run_step":
            data = json.loads(entry.data)["data"]
            step = RunStep.model_validate(data)
            if step.id not in self._index and isinstance(step.stepDetails, ToolCallsDetails):
                self._adopt(step, "tool_call")
                self._tools[len(self.steps) - 1] = step.stepDetails.tool_calls[0]
            elif step.id not in self._index:
                self._adopt(step, "text")  # the kind is fixed by its first delta
        elif entry.kind == "run_step_completed":
            call = json.loads(entry.data)["data"]["result"]["tool_call"]
            self.finish_tool(call["id"], call.get("output") or "", call.get("auth"),
                             call.get("args"))
        elif entry.kind in _PART_TYPE:
            data = json.loads(entry.data)["data"]
            index = self._index.get(data["id"])
            if index is None:
                return
            part = data["delta"]["content"][0]
            self._types[index] = part["type"]
            self._chunks[index].append(part.get("think") or part.get("text") or "")
