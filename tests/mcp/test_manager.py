"""The connection manager: shared connections are reused, per-user ones live in a bounded
pool with idle eviction, and a changed spec replaces a connection (real SSE server)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from gorunchat.adapters.mcp.connection import ConnectSpec
from gorunchat.adapters.mcp.manager import McpManager
from gorunchat.adapters.net.ssrf import AllowList


@pytest.fixture
def manager() -> Iterator[McpManager]:
    m = McpManager(max_user_connections=2, idle_s=3600)
    yield m
    m.close()


def _spec(url: str, **headers: str) -> ConnectSpec:
    return ConnectSpec(transport="sse", url=url, headers=headers,
                       allow=AllowList.build(addresses=["127.0.0.1"]))


def test_shared_connection_is_reused_and_a_new_spec_replaces_it(
        manager: McpManager, sse_url: str) -> None:
    first = manager.loop.run(manager.connection(("fx", None), _spec(sse_url)))
    again = manager.loop.run(manager.connection(("fx", None), _spec(sse_url)))
    assert again is first and first.state == "connected"
    changed = manager.loop.run(manager.connection(("fx", None), _spec(sse_url, X_A="1")))
    assert changed is not first
    assert (first.state, changed.state) == ("disconnected", "connected")


def test_user_pool_is_bounded_least_recently_used_first(manager: McpManager,
                                                        sse_url: str) -> None:
    conns = {u: manager.loop.run(manager.connection(("fx", u), _spec(sse_url)))
             for u in ("u1", "u2")}
    manager.loop.run(manager.connection(("fx", "u1"), _spec(sse_url)))  # u1 used last
    manager.loop.run(manager.connection(("fx", "u3"), _spec(sse_url)))
    assert manager.state(("fx", "u2")) == ("disconnected", None)
    assert conns["u2"].state == "disconnected"
    assert manager.state(("fx", "u1"))[0] == "connected"


def test_idle_user_connections_are_closed(manager: McpManager, sse_url: str) -> None:
    old = manager.loop.run(manager.connection(("fx", "u1"), _spec(sse_url)))
    manager.idle_s = 0.0
    manager.loop.run(manager.connection(("fx", "u2"), _spec(sse_url)))
    assert old.state == "disconnected"
    assert manager.state(("fx", "u1"))[0] == "disconnected"


def test_refused_address_fails_the_connection_with_the_guard_error(manager: McpManager,
                                                                    sse_url: str) -> None:
    from gorunchat.adapters.mcp.connection import McpConnectionError

    spec = ConnectSpec(transport="sse", url=sse_url, allow=AllowList())
    with pytest.raises(McpConnectionError, match="loopback"):
        manager.loop.run(manager.connection(("fx", "u9"), spec))
    assert manager.state(("fx", "u9"))[0] == "error"


def test_closing_the_container_closes_its_connections(sse_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from gorunchat.bootstrap import Container
    from gorunchat.contracts.settings import Settings
    from gorunchat.services import tools

    container = Container(Settings.load(env={"GORUNCHAT_DATA_DIR": str(tmp_path)}))
    manager = tools.manager_for(container)
    conn = manager.loop.run(manager.connection(("fx", None), _spec(sse_url)))
    assert conn.state == "connected"

    container.close()

    assert conn.state == "disconnected"
    assert tools.manager_for(container) is not manager  # a later use starts afresh
    tools.close_manager(container)
