"""The chat routes: bind the request, call one operation, render the DTO or the stream."""

from __future__ import annotations

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import Response

from gorunchat.adapters.providers import build_providers
from gorunchat.adapters.providers.credentials import store_lookup
from gorunchat.bootstrap import Container
from gorunchat.contracts.chat import AbortRequest, ChatStartRequest, ResumeRequest
from gorunchat.contracts.config import Health
from gorunchat.contracts.errors import BadRequest, ServiceUnavailable
from gorunchat.services.caller import Caller
from gorunchat.streaming import operations
from gorunchat.streaming.http import caller_of, json_response, read_body, request_id_of
from gorunchat.streaming.runtime import StreamingRuntime
from gorunchat.streaming.sse import SseResponse, parse_cursor


class ServiceState:
    """The container and runtime, built on first use (no I/O when the app is created)."""

    def __init__(self, container: Container | None) -> None:
        self._container = container
        self._runtime: StreamingRuntime | None = None

    @property
    def container(self) -> Container:
        if self._container is None:
            from gorunchat.bootstrap import container

            self._container = container()
        return self._container

    @property
    def runtime(self) -> StreamingRuntime:
        if self._runtime is None:
            c = self.container
            self._runtime = StreamingRuntime(c.settings, lambda: c.store,
                                             providers=build_providers(c.settings, store_lookup(
                                                 lambda: c.store, lambda: c.secretbox)),
                                             blobs=lambda: c.blobs)
        return self._runtime


class ChatRoutes:
    def __init__(self, state: ServiceState) -> None:
        self.state = state

    async def _begin(self, request: Request) -> tuple[StreamingRuntime, Caller]:
        runtime = self.state.runtime
        await runtime.ensure_started()
        return runtime, await caller_of(request, self.state.container)

    async def start(self, request: Request) -> Response:
        runtime, caller = await self._begin(request)
        body = await read_body(request, ChatStartRequest,
                               self.state.container.settings.max_body_bytes)
        endpoint = request.path_params.get("endpoint")
        answer = await operations.start(runtime, caller, body, endpoint)
        return json_response(request, answer)

    async def abort(self, request: Request) -> Response:
        runtime, caller = await self._begin(request)
        body = await read_body(request, AbortRequest, 64 * 1024)
        return json_response(request, await operations.abort(runtime, caller, body))

    async def resume(self, request: Request) -> Response:
        runtime, caller = await self._begin(request)
        body = await read_body(request, ResumeRequest, 64 * 1024)
        answer = await operations.resume(runtime, caller, body.streamId, body.conversationId)
        return json_response(request, answer)

    async def active(self, request: Request) -> Response:
        runtime, caller = await self._begin(request)
        return json_response(request, await operations.active(runtime, caller))

    async def status(self, request: Request) -> Response:
        runtime, caller = await self._begin(request)
        conversation_id = request.path_params["conversationId"]
        return json_response(request, await operations.status(runtime, caller, conversation_id))

    async def stream(self, request: Request) -> Response:
        runtime, caller = await self._begin(request)
        cursor = parse_cursor(request.headers.get("last-event-id"),
                              request.query_params.get("after"))
        if cursor is None:
            raise BadRequest("Last-Event-ID (or after) must be a frame number.",
                             code="INVALID_CURSOR")
        job = await operations.find_job(runtime, caller, request.path_params["streamId"])
        hub = runtime.hub
        assert hub is not None  # a runtime with a bus always has a hub
        return SseResponse(hub, job, cursor, {"x-request-id": request_id_of(request)})

    async def livez(self, request: Request) -> Response:
        return json_response(request, Health(status="ok"))

    async def readyz(self, request: Request) -> Response:
        """Ready while not draining and both the bus and the store answer."""
        runtime = self.state.runtime
        if runtime.draining:
            raise ServiceUnavailable("Not ready: draining for shutdown.", code="NOT_READY")
        try:
            await runtime.bus.ping()
            await to_thread.run_sync(lambda: runtime.store.ping())
        except ServiceUnavailable as exc:
            raise ServiceUnavailable(f"Not ready: {exc.message}", code="NOT_READY") from exc
        return json_response(request, Health(status="ok", checks={"bus": "ok", "store": "ok"}))
