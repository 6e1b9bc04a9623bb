"""``gorunchat dev`` as a person runs it: one process tree, every route served, clean stop."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from gorunchat.adapters.local.redis_server import free_port
from gorunchat.contracts.documents import User
from gorunchat.contracts.routes import route_table
from gorunchat.contracts.settings import Settings
from gorunchat.domain.tokens import issue_access_token

SECRET = "stack-secret-" + "z" * 40
READY = re.compile(r"GoRunChat is running at (http://\S+)")


@dataclass
class Stack:
    process: subprocess.Popen[str]
    url: str
    data_dir: Path
    lines: list[str]


def _wait_for(predicate, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def start_stack(data_dir: Path) -> Stack:
    env = {**os.environ, "GORUNCHAT_PORT": str(free_port()), "GORUNCHAT_DATA_DIR": str(data_dir),
           "JWT_SECRET": SECRET, "PYTHONUNBUFFERED": "1"}
    env.pop("REDIS_URL", None)
    process = subprocess.Popen([sys.executable, "-m", "gorunchat.cli", "dev"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    found: list[str] = []

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            match = READY.search(line)
            if match:
                found.append(match.group(1))

    threading.Thread(target=pump, daemon=True).start()
    _wait_for(lambda: found or process.poll() is not None, 60, "the ready line")
    if not found:
        raise AssertionError("gorunchat dev exited:\n" + "".join(lines))
    return Stack(process, found[0], data_dir, lines)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = start_stack(tmp_path_factory.mktemp("stack"))
    yield running
    if running.process.poll() is None:
        running.process.kill()
        running.process.wait()


def test_dev_serves_startup_config_on_the_printed_url(stack: Stack) -> None:
    response = httpx.get(f"{stack.url}/api/config", timeout=10)
    assert response.status_code == 200
    assert response.json()["appTitle"] == "GoRunChat"


def test_every_listed_route_is_served_by_the_gateway(stack: Stack) -> None:
    unserved = []
    with httpx.Client(base_url=stack.url, timeout=15) as client:
        for route in route_table():
            path = re.sub(r":([A-Za-z_][A-Za-z0-9_]*)", "x1", route.path)
            response = client.request(route.method, path)
            if response.status_code == 404 and "ROUTE_NOT_FOUND" in response.text:
                unserved.append(f"{route.method} {route.path}")
    assert unserved == []


def test_unknown_paths_are_a_404_envelope(stack: Stack) -> None:
    response = httpx.get(f"{stack.url}/api/definitely-not-a-route", timeout=10)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "ROUTE_NOT_FOUND"


def test_signed_in_request_reaches_its_function_through_the_gateway(stack: Stack) -> None:
    settings = Settings.load(env={"GORUNCHAT_DATA_DIR": str(stack.data_dir)})
    from gorunchat.adapters.sqlite.store import SqliteStore

    store = SqliteStore(settings.sqlite_file)
    with store.unit_of_work("default") as uow:
        uow.users.insert(User(_id="65f0a1b2c3d4e5f6a7b8c9d0", email="stack@example.com"))
        uow.commit()
    store.close()
    token = issue_access_token(SECRET, user_id="65f0a1b2c3d4e5f6a7b8c9d0", tenant_id="default",
                               role="USER", session_id=None)
    response = httpx.post(f"{stack.url}/api/convos/update",
                          json={"arg": {"conversationId": "nope", "title": "t"}},
                          headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "CONVERSATION_NOT_FOUND"


def test_sigterm_stops_everything(tmp_path: Path) -> None:
    running = start_stack(tmp_path / "data")
    redis_port = _redis_port(running)
    running.process.send_signal(signal.SIGTERM)
    running.process.wait(timeout=20)
    assert running.process.returncode == 0
    _wait_for(lambda: not _listening(redis_port), 10, "redis to stop")


def _redis_port(stack: Stack) -> int:
    out = subprocess.run(["ps", "-ww", "-o", "args=", "--ppid", str(stack.process.pid)],
                         capture_output=True, text=True, check=True).stdout
    # redis-server retitles itself "redis-server 127.0.0.1:<port>"
    match = re.search(r"redis-server \S*:(\d+)", out)
    assert match, f"no redis-server child: {out!r}"
    return int(match.group(1))


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0
