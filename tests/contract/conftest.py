"""One contract suite, parametrized over every store: SQLite, mongomock, real MongoDB."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.contract.backends import (
    MONGODB_URI_ENV,
    Backend,
    MongoBackend,
    mongomock_backend,
    real_mongo_backend,
    sqlite_backend,
)


def _make(name: str, tmp_path: Path) -> Backend:
    if name == "sqlite":
        return sqlite_backend(tmp_path)
    if name == "mongomock":
        return mongomock_backend()
    made = real_mongo_backend()
    if made is None:
        pytest.skip(f"no real MongoDB: set {MONGODB_URI_ENV} to run the suite against one")
    return made


@pytest.fixture(params=("sqlite", "mongomock", "mongo-real"))
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """Every store the port has; the suite must pass on each."""
    made = _make(request.param, tmp_path)
    try:
        yield made
    finally:
        made.close()


@pytest.fixture(params=("mongomock", "mongo-real"))
def mongo(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MongoBackend]:
    """The MongoDB stores only, for what is particular to the MongoDB boundary."""
    made = _make(request.param, tmp_path)
    assert isinstance(made, MongoBackend)
    try:
        yield made
    finally:
        made.close()
