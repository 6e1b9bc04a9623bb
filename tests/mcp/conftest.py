"""MCP fixtures: the fixture server over SSE and streamable HTTP on loopback (subprocesses),
over stdio (spawned by the client), and a container whose ``gorunchat.yaml`` names all three."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from gorunchat.bootstrap import Container, set_container
from gorunchat.contracts.settings import Settings
from gorunchat.services.tools import manager_for
from tests.routes.conftest import JWT_SECRET, UserFactory, user_factory

SERVER = Path(__file__).resolve().parents[1] / "fixtures" / "mcp" / "server.py"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_port(port: int, proc: subprocess.Popen[bytes], deadline_s: float = 20.0) -> None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"fixture MCP server exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)  # polling a port with a deadline, not sleep-and-hope
    raise TimeoutError(f"fixture MCP server did not listen on {port}")


def _serve(transport: str, script: Path = SERVER) -> Iterator[str]:
    port = _free_port()
    args = [transport, str(port)] if script == SERVER else [str(port)]
    proc = subprocess.Popen([sys.executable, str(script), *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_port(port, proc)
        path = "/sse" if transport == "sse" else "/mcp"
        yield f"http://127.0.0.1:{port}{path}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def sse_url() -> Iterator[str]:
    yield from _serve("sse")


@pytest.fixture(scope="session")
def http_url() -> Iterator[str]:
    yield from _serve("http")


@pytest.fixture
def oauth_url() -> Iterator[str]:
    """A fresh OAuth-protected MCP server (its refresh counters start at zero)."""
    yield from _serve("http", SERVER.parent / "oauth_server.py")


def mcp_yaml(sse_url: str, http_url: str, allowed_addresses: list[str] | None = None
             ) -> dict[str, object]:
    return {
        "mcpServers": {
            "fx-stdio": {"command": sys.executable, "args": [str(SERVER), "stdio"],
                         "env": {"FIXTURE_USER": "{{LIBRECHAT_USER_EMAIL}}"}},
            "fx-sse": {"type": "sse", "url": sse_url},
            "fx-http": {"type": "streamable-http", "url": http_url,
                        "headers": {"X-User": "{{LIBRECHAT_USER_ID}}"},
                        "apiKey": {"source": "admin", "authorization_type": "bearer",
                                   "key": "${FX_MCP_KEY}"}},
        },
        "mcpSettings": {"allowedAddresses": allowed_addresses or []},
    }


def make_container(data_dir: Path, config: dict[str, object], **extra: str) -> Container:
    path = data_dir / "gorunchat.yaml"
    path.write_text(yaml.safe_dump(config))
    env = {"GORUNCHAT_DATA_DIR": str(data_dir), "JWT_SECRET": JWT_SECRET,
           "GORUNCHAT_TASKS_SECRET": "task-secret-for-tests", "GORUNCHAT_ENV": "test",
           "GORUNCHAT_CONFIG": str(path), **extra}
    return Container(Settings.load(env=env, cwd=data_dir))


@pytest.fixture
def container(data_dir: Path, sse_url: str, http_url: str) -> Iterator[Container]:
    c = make_container(data_dir, mcp_yaml(sse_url, http_url, ["127.0.0.1"]))
    set_container(c)
    yield c
    set_container(None)
    manager_for(c).close()
    c.close()


@pytest.fixture
def make_user(container: Container) -> UserFactory:
    return user_factory(container)


def make_agent(container: Container, user_id: str, name: str = "Helper") -> str:
    """An agent owned by ``user_id`` (actions belong to one); its ``agent_…`` id."""
    from gorunchat.contracts.agents import AgentCreate
    from gorunchat.contracts.audit import Actor
    from gorunchat.contracts.identity import Principal
    from gorunchat.services import agents
    from gorunchat.services.caller import Caller

    owner = Caller(principal=Principal(userId=user_id, tenantId="default"),
                   actor=Actor(userId=user_id))
    view = agents.create(container.store, owner, AgentCreate(name=name, provider="openAI",
                                                             model="gpt-4o"))
    return str(view.id)
