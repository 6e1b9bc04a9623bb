"""Helpers for the streaming tests: service processes, users and tokens, an SSE reader.

Everything waits on a condition with a deadline; nothing sleeps and hopes.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import uvicorn

from gorunchat.adapters.local.redis_server import free_port
from gorunchat.adapters.sqlite.store import SqliteStore
from gorunchat.bootstrap import Container
from gorunchat.contracts.documents import Message, User
from gorunchat.contracts.settings import Settings
from gorunchat.domain.tokens import issue_access_token
from gorunchat.streaming.app import create_app
from gorunchat.streaming.runtime import StreamingRuntime

SECRET = "streaming-tests-" + "x" * 40
TENANT = "default"
T = TypeVar("T")


def wait_for(condition: Callable[[], T | None], timeout: float, what: str,
             interval: float = 0.02) -> T:
    """Poll ``condition`` until it returns a truthy value or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


@dataclass
class Account:
    user_id: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def create_account(store: SqliteStore, name: str | None = None) -> Account:
    user_id = uuid.uuid4().hex[:24]
    with store.unit_of_work(TENANT) as uow:
        uow.users.insert(User(_id=user_id, email=f"{name or user_id}@example.com",
                              name=name or user_id))
        uow.commit()
    token = issue_access_token(SECRET, user_id=user_id, tenant_id=TENANT, role="USER",
                               session_id=None, ttl_s=3600)
    return Account(user_id, token)


def stored_message(store: SqliteStore, message_id: str) -> Message | None:
    with store.unit_of_work(TENANT, readonly=True) as uow:
        return uow.messages.get(message_id)


def conversation_messages(store: SqliteStore, conversation_id: str) -> list[Message]:
    with store.unit_of_work(TENANT, readonly=True) as uow:
        return uow.messages.find({"conversationId": conversation_id})


def service_env(data_dir: Path, redis_url: str, **overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GORUNCHAT_", "REDIS_"))}
    env.update({
        "GORUNCHAT_DATA_DIR": str(data_dir), "REDIS_URL": redis_url, "JWT_SECRET": SECRET,
        "GORUNCHAT_ENV": "test", "GORUNCHAT_STREAM_HEARTBEAT_MS": "500",
        "GORUNCHAT_STREAM_CHECKPOINT_MS": "200",
    })
    env.update(overrides)
    return env


class ServiceProcess:
    """A streaming-service process (uvicorn --factory) on a free port."""

    def __init__(self, env: dict[str, str], workdir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        workdir.mkdir(parents=True, exist_ok=True)
        self.log = open(workdir / f"service-{self.port}.log", "wb")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory",
             "gorunchat.streaming.app:create_app", "--host", "127.0.0.1",
             "--port", str(self.port), "--no-access-log", "--timeout-graceful-shutdown", "10"],
            env=env, cwd=workdir, stdout=self.log, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 20.0) -> ServiceProcess:
        def ready() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"service exited early:\n{self.output()}")
            try:
                return httpx.get(self.url + "/readyz", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False
        wait_for(ready, timeout, "the streaming service to be ready", interval=0.05)
        return self

    def output(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text(errors="replace")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def terminate(self) -> None:
        self.process.send_signal(signal.SIGTERM)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


class InProcessService:
    """The app in this process (uvicorn in a thread) over a real socket: fast to drive."""

    def __init__(self, data_dir: Path, redis_url: str, **env: str) -> None:
        settings = Settings.load(env={"GORUNCHAT_DATA_DIR": str(data_dir), "REDIS_URL": redis_url,
                                      "JWT_SECRET": SECRET, "GORUNCHAT_ENV": "test", **env},
                                 cwd=data_dir)
        self.container = Container(settings)
        self.app = create_app(self.container)
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=port,
                                                    lifespan="on", log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def runtime(self) -> StreamingRuntime:
        return self.app.state.streaming.runtime  # type: ignore[no-any-return]

    def start(self) -> InProcessService:
        self.thread.start()
        wait_for(lambda: self.server.started, 20, "the in-process server")
        return self

    def call(self, coroutine: object) -> object:
        """Run ``coroutine`` on the server's event loop and wait for it."""
        loop = self.server_loop()
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result(20)  # type: ignore[arg-type]

    def server_loop(self) -> asyncio.AbstractEventLoop:
        tasks = self.runtime._loops
        assert tasks, "the runtime runs its loops"
        return tasks[0].get_loop()

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(20)
        self.container.close()


@dataclass
class Frame:
    id: int
    data: dict[str, Any]

    @property
    def text(self) -> str:
        """The text a delta frame carries ('' for any other frame)."""
        if self.data.get("event") != "on_message_delta":
            return ""
        return "".join(p.get("text", "") for p in self.data["data"]["delta"]["content"])

    @property
    def terminal(self) -> bool:
        return bool(self.data.get("final")) or "error" in self.data and "seq" in self.data \
            and "event" not in self.data and not self.data.get("created")


@dataclass
class StreamRead:
    status: int
    headers: dict[str, str]
    frames: list[Frame] = field(default_factory=list)
    comments: int = 0
    closed_by_server: bool = False


def parse_events(lines: Iterator[str]) -> Iterator[Frame | None]:
    """SSE events from ``lines``; ``None`` for each comment (heartbeat)."""
    event_id: int | None = None
    data: list[str] = []
    for line in lines:
        if line == "":
            if data:
                assert event_id is not None, "every frame carries an id"
                yield Frame(event_id, json.loads("\n".join(data)))
            event_id, data = None, []
        elif line.startswith(":"):
            yield None
        elif line.startswith("id:"):
            event_id = int(line[3:].strip())
        elif line.startswith("data:"):
            data.append(line[5:].strip())


_shared: list[httpx.Client] = []


def _client() -> httpx.Client:
    """One client for all reads: building one (its TLS context) costs more than a request.

    Leaving a stream before its end closes that connection, so every read that stops early
    is a real dropped connection.
    """
    if not _shared:
        _shared.append(httpx.Client())
    return _shared[0]


def read_stream(base: str, account: Account, stream_id: str, *, last_event_id: int | None = None,
                after: int | None = None, stop: Callable[[list[Frame]], bool] | None = None,
                timeout: float = 30.0, on_frame: Callable[[Frame], None] | None = None
                ) -> StreamRead:
    """Read a stream until the server closes it, ``stop(frames)`` says so, or the deadline."""
    headers = dict(account.headers)
    if last_event_id is not None:
        headers["Last-Event-ID"] = str(last_event_id)
    params = {"after": str(after)} if after is not None else None
    deadline = time.monotonic() + timeout
    with _client().stream("GET", f"{base}/api/agents/chat/stream/{stream_id}",
                          headers=headers, params=params,
                          timeout=httpx.Timeout(timeout, read=5.0)) as response:
        result = StreamRead(response.status_code, dict(response.headers))
        if response.status_code != 200:
            response.read()
            result.frames = []
            result.headers["body"] = response.text
            return result
        for event in parse_events(response.iter_lines()):
            if event is None:
                result.comments += 1
            else:
                result.frames.append(event)
                if on_frame is not None:
                    on_frame(event)
                if stop is not None and stop(result.frames):
                    return result
            if time.monotonic() > deadline:
                raise AssertionError(f"stream {stream_id} still open after {timeout}s")
        result.closed_by_server = True
        return result


def start_chat(base: str, account: Account, **body: Any) -> httpx.Response:
    payload: dict[str, Any] = {"text": "Tell me about streams", "endpoint": "offline",
                               "model": "demo"}
    payload.update(body)
    return _client().post(f"{base}/api/agents/chat", json=payload, headers=account.headers,
                          timeout=10)


def assert_in_order(frames: list[Frame], *, first: int = 1) -> None:
    ids = [f.id for f in frames]
    assert ids == list(range(first, first + len(ids))), f"frames out of order: {ids[:50]}"
    assert all(f.data["seq"] == f.id and f.data["v"] == 1 for f in frames)
