"""Driver errors translated at the adapter boundary."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pymongo.errors import ConnectionFailure, ExecutionTimeout

from gorunchat.contracts.errors import ServiceUnavailable

#: The errors that mean "the database did not answer", as opposed to a bad request.
UNREACHABLE = (ConnectionFailure, ExecutionTimeout)


def store_unavailable() -> ServiceUnavailable:
    return ServiceUnavailable("The database is unavailable.", code="STORE_UNAVAILABLE")


@contextmanager
def translated() -> Iterator[None]:
    """Turn "the database did not answer" into ``ServiceUnavailable(STORE_UNAVAILABLE)``."""
    try:
        yield
    except UNREACHABLE as exc:
        raise store_unavailable() from exc
