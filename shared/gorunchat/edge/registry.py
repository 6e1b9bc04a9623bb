"""Handler registration: a handler module declares which route id it serves and its DTOs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

HandlerFn = Callable[..., Any]


@dataclass(frozen=True)
class Handler:
    route_id: str
    fn: HandlerFn
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    status: int = 200
    max_body_bytes: int | None = None


HANDLERS: dict[str, Handler] = {}


def handles(
    route_id: str, *, body: type[BaseModel] | None = None, query: type[BaseModel] | None = None,
    status: int = 200, max_body_bytes: int | None = None,
) -> Callable[[HandlerFn], HandlerFn]:
    """Register ``fn(ctx, [body], [query])`` as the handler of ``route_id``."""

    def register(fn: HandlerFn) -> HandlerFn:
        if route_id in HANDLERS:
            raise ValueError(f"two handlers for {route_id}")
        HANDLERS[route_id] = Handler(route_id, fn, body, query, status, max_body_bytes)
        return fn

    return register
