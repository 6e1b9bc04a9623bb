"""Tool calling in chat: run the model's tool calls and feed the results back, step by step.

``ToolLoopProvider`` wraps any provider. When a model turn ends with tool calls, it runs each
through a ``ToolRunner`` (MCP tools via ``services.tools``), appends the assistant's calls and
the results to the conversation, and asks the model again, up to ``max_steps`` rounds. It
emits ``ToolStep`` events around each call; the generation job turns them into LibreChat's
``on_run_step`` / ``on_run_step_delta`` / ``on_run_step_completed`` frames (``tool_entries``).

A requested MCP server that wants OAuth the user has not given yet is signed in first, as in
LibreChat: a step named ``oauth_mcp_<server>`` carries the sign-in URL (``auth``) and the
generation waits (up to :data:`SIGN_IN_WAIT_S`) for the flow to complete, then goes on with
that server's tools — or without them, saying so in the step's output.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol
from uuid import uuid4
from weakref import WeakKeyDictionary

from anyio import to_thread

from gorunchat.contracts.chat import (
    ChatStartRequest,
    EventFrame,
    FrameKind,
    JobRecord,
    ToolCallInfo,
)
from gorunchat.contracts.tools import (
    RunStepCompletedData,
    RunStepCompletedFrame,
    RunStepDeltaBody,
    RunStepDeltaData,
    RunStepDeltaFrame,
    ToolCallChunk,
    ToolCallResult,
)
from gorunchat.ports.provider import (
    Finish,
    ModelProvider,
    ProviderEvent,
    ProviderMessage,
    ProviderRequest,
    TextDelta,
    TextPart,
    ToolCallPart,
    ToolResultPart,
    ToolSpec,
    ToolStep,
    UsageReport,
)
from gorunchat.ports.secretbox import SecretBox
from gorunchat.ports.streambus import JournalEntry
from gorunchat.services.caller import Caller
from gorunchat.streaming.aggregate import Aggregator
from gorunchat.streaming.frames import entry

if TYPE_CHECKING:  # the MCP SDK is imported only when a chat asks for tools
    from gorunchat.services import tools
    from gorunchat.services.actions import ActionDeps

MAX_STEPS = 5
SIGN_IN_WAIT_S = float(os.environ.get("GORUNCHAT_MCP_SIGN_IN_WAIT_S", "180"))
_SEP = "\x1e"  # separates tool steps that the coalescer joined into one run


@dataclass(frozen=True)
class ToolAnswer:
    """What a tool call gave: the text the model reads, and a sign-in URL for the user when
    the tool needs OAuth first (shown on the tool call, as LibreChat does)."""

    output: str
    auth: str | None = None


class ToolRunner(Protocol):
    async def run(self, name: str, arguments: str, call_id: str) -> ToolAnswer:
        """Run tool ``name`` with JSON ``arguments``."""
        ...


@dataclass
class _Call:
    id: str = ""
    name: str = ""
    args: list[str] = field(default_factory=list)


@dataclass
class _Turn:
    text: list[str] = field(default_factory=list)
    calls: dict[int, _Call] = field(default_factory=dict)
    finish: Finish | None = None
    failed: bool = False


@dataclass(frozen=True)
class SignIn:
    """An MCP server to sign in to before the first model turn."""

    server: str
    start: Callable[[], Awaitable[tuple[str, str]]]  # → (authorization URL, flow id)
    wait: Callable[[str], Awaitable[bool]]  # flow id → completed?
    tools: Callable[[], Awaitable[list[ToolSpec]]]  # the server's tools, once signed in


class ToolLoopProvider:
    """A provider that runs tool calls between model turns (bounded by ``max_steps``)."""

    def __init__(self, inner: ModelProvider, runner: ToolRunner,
                 max_steps: int = MAX_STEPS, sign_ins: Sequence[SignIn] = ()) -> None:
        self.inner, self.runner, self.max_steps = inner, runner, max_steps
        self.sign_ins = tuple(sign_ins)

    def sender(self, model: str) -> str:
        return self.inner.sender(model)

    def stream(self, request: ProviderRequest) -> AsyncIterator[ProviderEvent]:
        return self._run(request)

    async def _sign_in(self, sign_in: SignIn, gained: list[ToolSpec]
                       ) -> AsyncIterator[ProviderEvent]:
        call_id = f"oauth_{uuid4().hex[:16]}"
        name = f"oauth_mcp_{sign_in.server}"
        try:
            url, flow_id = await sign_in.start()
        except Exception as exc:  # noqa: BLE001 - a failed start is the step's output
            yield ToolStep("start", call_id, name, "{}")
            yield ToolStep("done", call_id, name, "{}", f"Could not start the sign-in: {exc}")
            return
        yield ToolStep("start", call_id, name, "{}", auth=url)
        if await sign_in.wait(flow_id):
            gained.extend(await sign_in.tools())
            output = f"Signed in to {sign_in.server}."
        else:
            output = f"The sign-in to {sign_in.server} was not completed; its tools are off."
        yield ToolStep("done", call_id, name, "{}", output)

    async def _run(self, request: ProviderRequest) -> AsyncIterator[ProviderEvent]:
        gained: list[ToolSpec] = []
        for sign_in in self.sign_ins:
            async for event in self._sign_in(sign_in, gained):
                yield event
        if gained:
            request = request.model_copy(update={"tools": [*request.tools, *gained]})
        messages = list(request.messages)
        totals = [0, 0, 0]
        for step in range(self.max_steps + 1):
            turn = _Turn()
            async for event in self.inner.stream(request.model_copy(
                    update={"messages": messages})):
                if _absorb(turn, totals, event):
                    yield event
            if turn.failed or not turn.calls or step == self.max_steps:
                if turn.calls and not turn.failed:
                    yield TextDelta(f"\n(Stopped after {self.max_steps} tool steps.)")
                yield UsageReport(totals[0], totals[1], totals[2])
                yield Finish("stop") if turn.calls else (turn.finish or Finish())
                return
            async for event in self._run_calls(turn, messages):
                yield event

    async def _run_calls(self, turn: _Turn, messages: list[ProviderMessage]
                         ) -> AsyncIterator[ProviderEvent]:
        results: list[ToolResultPart] = []
        for call in turn.calls.values():
            args = "".join(call.args) or "{}"
            yield ToolStep("start", call.id, call.name, args)
            answer = await self.runner.run(call.name, args, call.id)
            yield ToolStep("done", call.id, call.name, args, answer.output, answer.auth)
            results.append(ToolResultPart(toolCallId=call.id, output=answer.output))
        said: list[TextPart | ToolCallPart] = [TextPart(text="".join(turn.text))] \
            if turn.text else []
        said += [ToolCallPart(id=c.id, name=c.name, arguments="".join(c.args) or "{}")
                 for c in turn.calls.values()]
        messages.append(ProviderMessage(role="assistant", parts=list(said)))
        messages.append(ProviderMessage(role="tool", parts=list(results)))


def _absorb(turn: _Turn, totals: list[int], event: ProviderEvent) -> bool:
    """Fold one event into the turn; ``True`` when it goes on to the job as it is."""
    if event.kind == "tool_call":
        call = turn.calls.setdefault(event.index, _Call())
        call.id = call.id or event.id or f"call_{event.index}"
        call.name = call.name or event.name or ""
        call.args.append(event.arguments)
        return False
    if event.kind == "usage":
        totals[0] += event.input_tokens
        totals[1] += event.output_tokens
        totals[2] += event.reasoning_tokens
        return False
    if event.kind == "finish":
        turn.finish = event
        return False
    if event.kind == "text":
        turn.text.append(event.text)
    turn.failed = turn.failed or event.kind == "error"
    return True


# -- frames -------------------------------------------------------------------------------


def encode_step(step: ToolStep) -> str:
    """A tool step as coalescer text (the coalescer joins same-kind runs)."""
    return json.dumps({"phase": step.phase, "id": step.call_id, "name": step.name,
                       "args": step.args, "output": step.output, "auth": step.auth}) + _SEP


def tool_entries(agg: Aggregator, text: str, next_seq: Callable[[], int]
                 ) -> list[JournalEntry]:
    """The journal entries (LibreChat's run-step frames) of the tool steps in ``text``."""
    out: list[JournalEntry] = []
    for raw in filter(None, text.split(_SEP)):
        step = json.loads(raw)
        if step["phase"] == "start":
            run_step = agg.start_tool(ToolCallInfo(id=step["id"], name=step["name"],
                                                   auth=step.get("auth")))
            seq = next_seq()
            out.append(entry(FrameKind.RUN_STEP, EventFrame(seq=seq, event="on_run_step",
                                                            data=run_step), seq))
            seq = next_seq()
            delta = RunStepDeltaData(id=run_step.id, delta=RunStepDeltaBody(
                tool_calls=[ToolCallChunk(args=step["args"])]))
            out.append(JournalEntry(seq, "run_step_delta", RunStepDeltaFrame(
                seq=seq, data=delta).model_dump_json(exclude_none=True).encode()))
            continue
        done = agg.finish_tool(step["id"], step["output"] or "", step.get("auth"), step["args"])
        if done is None:
            continue
        run_step, call = done
        seq = next_seq()
        result = ToolCallResult(id=run_step.id, index=run_step.index, tool_call=call)
        out.append(JournalEntry(seq, "run_step_completed", RunStepCompletedFrame(
            seq=seq, data=RunStepCompletedData(result=result)).model_dump_json(
                exclude_none=True).encode()))
    return out


# -- MCP wiring ---------------------------------------------------------------------------


class McpRunner:
    """Runs ``tool_mcp_server`` tools for one user in one conversation."""

    def __init__(self, rt: tools.Runtime, caller: Caller, job: JobRecord,
                 actions: ActionDeps) -> None:
        self.rt, self.caller, self.job, self.actions = rt, caller, job, actions

    async def run(self, name: str, arguments: str, call_id: str) -> ToolAnswer:
        from gorunchat.contracts.actions import ACTION_DELIMITER
        from gorunchat.services import actions, tools

        try:
            parsed: Any = json.loads(arguments or "{}")
        except ValueError:
            return ToolAnswer("Error: the tool arguments are not valid JSON.")
        if not isinstance(parsed, dict):
            return ToolAnswer("Error: the tool arguments must be a JSON object.")
        where = (self.job.conversationId, self.job.responseMessageId, call_id)
        if ACTION_DELIMITER in name:
            done = await actions.call(self.actions, self.caller, name, parsed, *where)
            return ToolAnswer(done.output, done.auth_url)
        outcome = await tools.call_tool(self.rt, self.caller, name, parsed, *where)
        return ToolAnswer(outcome.output)


def requested_tools(body: ChatStartRequest) -> tuple[set[str], set[str]]:
    """(server names, tool keys) the request asks for: LibreChat's ``ephemeralAgent.mcp``
    and ``tools`` fields."""
    extra = body.model_extra or {}
    agent = extra.get("ephemeralAgent") or {}
    servers = {s for s in (agent.get("mcp") or []) if isinstance(s, str)} \
        if isinstance(agent, dict) else set()
    keys = {k for k in (extra.get("tools") or []) if isinstance(k, str)}
    return servers, keys


_SECRETBOXES: WeakKeyDictionary[Any, SecretBox] = WeakKeyDictionary()


def _secretbox(rt: Any) -> SecretBox:
    """The streaming runtime's SecretBox (built once, from its settings)."""
    box = _SECRETBOXES.get(rt)
    if box is None:
        from gorunchat.bootstrap import build_secretbox

        box = _SECRETBOXES[rt] = build_secretbox(rt.settings)
    return box


_REDIS: WeakKeyDictionary[Any, Any] = WeakKeyDictionary()


def _oauth_deps(rt: Any) -> Any:
    """OAuth deps for tool calls in chat: a synchronous Redis client (the refresh lock and
    flows are used from worker threads), made once per runtime."""
    from gorunchat.services import mcp_oauth

    client = _REDIS.get(rt)
    if client is None:
        import redis

        client = _REDIS[rt] = redis.Redis.from_url(rt.settings.redis_url or "",
                                                   socket_timeout=5, socket_connect_timeout=2)
    return mcp_oauth.OAuthDeps(rt.store, client, _secretbox(rt), rt.settings)


async def with_tools(rt: Any, caller: Caller, body: ChatStartRequest, job: JobRecord,
                     request: ProviderRequest, provider: ModelProvider
                     ) -> tuple[ProviderRequest, ModelProvider]:
    """Attach the requested MCP tools and the tool loop; unchanged when none are asked for."""
    servers, keys = requested_tools(body)
    if not servers and not keys:
        return request, provider
    from gorunchat.contracts.actions import ACTION_DELIMITER
    from gorunchat.services import actions, tools

    runtime = tools.Runtime(rt.store, rt.settings, tools.manager_for(rt), os.environ,
                            lambda: _oauth_deps(rt), lambda: _secretbox(rt))
    action_deps = actions.ActionDeps(rt.store, rt.settings, _secretbox(rt),
                                     lambda: _oauth_deps(rt))
    mcp_keys = {k for k in keys if ACTION_DELIMITER not in k}
    wanted = servers | {tools.split_key(k)[1] for k in mcp_keys}

    def chosen(found: list[Any]) -> list[ToolSpec]:
        return [ToolSpec(name=t.pluginKey, description=t.description or "",
                         parameters=t.inputSchema or {"type": "object"})
                for t in found if t.serverName in servers or t.pluginKey in mcp_keys]

    specs = chosen(await tools.tools_for(runtime, caller, wanted)) if wanted else []
    specs += await to_thread.run_sync(actions.tool_specs, rt.store, caller, keys - mcp_keys)
    sign_ins = [_sign_in(runtime, caller, entry, chosen)
                for entry in await tools.awaiting_sign_in(runtime, caller, wanted)]
    if not specs and not sign_ins:
        return request, provider
    return (request.model_copy(update={"tools": specs}),
            ToolLoopProvider(provider, McpRunner(runtime, caller, job, action_deps),
                             sign_ins=sign_ins))


def _sign_in(runtime: Any, caller: Caller, entry: Any,
             chosen: Callable[[list[Any]], list[ToolSpec]]) -> SignIn:
    from gorunchat.services import tools

    async def start() -> tuple[str, str]:
        return await tools.begin_sign_in(runtime, caller, entry)

    async def wait(flow_id: str) -> bool:
        return await tools.signed_in(runtime, caller, flow_id, SIGN_IN_WAIT_S)

    async def gained() -> list[ToolSpec]:
        return chosen(await tools.tools_for(runtime, caller, {entry.name}))

    return SignIn(entry.name, start, wait, gained)
