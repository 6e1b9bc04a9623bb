"""Request ids, JSON log lines and Prometheus metrics shared by every deployable."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

REQUESTS = Counter("gorunchat_requests_total", "HTTP requests by route and status",
                   ["route", "method", "status"])
LATENCY = Histogram(
    "gorunchat_request_seconds", "HTTP request latency by route", ["route", "method"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)

_TRACE = re.compile(r"^([0-9a-fA-F]{16,32})(?:/|$)")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def request_id(trace_header: str | None, request_id_header: str | None) -> str:
    """The Cloud trace id when present, else a safe client id, else a new one."""
    if trace_header:
        match = _TRACE.match(trace_header)
        if match:
            return match.group(1).lower()
    if request_id_header and _SAFE_ID.match(request_id_header):
        return request_id_header
    return uuid.uuid4().hex


def observe(route: str, method: str, status: int, seconds: float) -> None:
    REQUESTS.labels(route, method, str(status)).inc()
    LATENCY.labels(route, method).observe(seconds)


def metrics_payload() -> tuple[bytes, str]:
    return generate_latest(), CONTENT_TYPE_LATEST


class JsonFormatter(logging.Formatter):
    """One JSON object per line, in the shape Cloud Logging understands."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "severity": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(level: int = logging.INFO) -> None:
    root = logging.getLogger("gorunchat")
    if any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    root.propagate = False
