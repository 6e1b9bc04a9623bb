"""Fixtures: a real Redis, a shared SQLite data folder and real streaming-service processes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from gorunchat.adapters.local.redis_server import RedisServer
from gorunchat.adapters.sqlite.store import SqliteStore
from tests.streaming.support import Account, ServiceProcess, create_account, service_env

Launch = Callable[..., ServiceProcess]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def store(data_dir: Path) -> Iterator[SqliteStore]:
    """The same SQLite file the service processes use (``GORUNCHAT_DATA_DIR``)."""
    opened = SqliteStore(data_dir / "gorunchat.sqlite3")
    yield opened
    opened.close()


@pytest.fixture
def account(store: SqliteStore) -> Callable[[], Account]:
    return lambda: create_account(store)


@pytest.fixture
def launch(tmp_path: Path, data_dir: Path, redis_url: str,
           store: SqliteStore) -> Iterator[Launch]:
    """Start streaming-service processes sharing this test's Redis and data folder."""
    started: list[ServiceProcess] = []

    def start(redis: str | None = None, wait: bool = True, **env: str) -> ServiceProcess:
        service = ServiceProcess(service_env(data_dir, redis or redis_url, **env),
                                 tmp_path / "work")
        started.append(service)
        return service.wait_ready() if wait else service

    yield start
    for service in started:
        service.stop()


@pytest.fixture(scope="module")
def shared_service(tmp_path_factory: pytest.TempPathFactory,
                   redis_server: RedisServer) -> Iterator[tuple[ServiceProcess, SqliteStore]]:
    """One service for the tests that need nothing special (each uses its own users)."""
    root = tmp_path_factory.mktemp("shared")
    data = root / "data"
    data.mkdir()
    opened = SqliteStore(data / "gorunchat.sqlite3")
    service = ServiceProcess(service_env(data, redis_server.url), root / "work").wait_ready()
    yield service, opened
    service.stop()
    opened.close()
