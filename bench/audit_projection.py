"""Audit projection: projector throughput, and lag while the local stack takes mutations.

Two measurements (DESIGN.md §8, issue 8):

1. **Throughput**: a fresh SQLite store holding ``--records`` audit records (and as many
   discovery records) is drained by the projector into the local query sink and archive;
   records per second (audit + discovery) is the figure.
2. **Lag under load**: ``gorunchat dev`` runs with its dispatcher timer projecting every
   ``--interval`` seconds while this script sends ``--rate`` conversation renames per second
   (each one audit record and one discovery record) through the gateway for ``--seconds``.
   The lag route (``GET /api/admin/audit/lag``) is sampled throughout; after the load, the
   time to drain the backlog is measured.

Prints the figures and a final JSON line. Loopback only; every loop is bounded.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from gorunchat.adapters.local.archive import LocalArchive
from gorunchat.adapters.local.querysink import LocalQuerySink
from gorunchat.adapters.local.redis_server import free_port
from gorunchat.adapters.sqlite.store import SqliteStore
from gorunchat.contracts.audit import Actor, AuditEvent, DiscoveryEvent
from gorunchat.contracts.documents import Conversation, User
from gorunchat.domain.tokens import issue_access_token
from gorunchat.services import projector

SECRET = "bench-secret-" + "b" * 40
READY = re.compile(r"GoRunChat is running at (http://\S+)")
USER_ID = "65f0a1b2c3d4e5f6a7b8c9bb"


def throughput(records: int, batch: int, folder: Path) -> dict[str, float]:
    """Drain ``records`` audit + ``records`` discovery records; records per second."""
    store = SqliteStore(folder / "store.sqlite3")
    per_unit = 50
    for start in range(0, records, per_unit):
        with store.unit_of_work("bench") as uow:
            for n in range(start, min(records, start + per_unit)):
                uow.record(AuditEvent(action="conversation.update", targetId=f"c{n}",
                                      actor=Actor(userId="u1"), metadata={"n": n}))
                uow.journal(DiscoveryEvent(kind="conversation.renamed", userId="u1",
                                           conversationId=f"c{n}", content={"title": f"{n}"}))
            uow.commit()
    run = projector.Projector(store=store, sink=LocalQuerySink(folder / "sink.sqlite3"),
                              archive=LocalArchive(folder / "archive"), batch_size=batch)
    started = time.perf_counter()
    result = projector.drain(run, ["bench"])
    elapsed = time.perf_counter() - started
    moved = result.auditProjected + result.discoveryProjected
    return {"records": moved, "seconds": round(elapsed, 3),
            "records_per_s": round(moved / elapsed, 1), "batch": batch,
            "archive_objects": len(result.archived)}


def start_stack(folder: Path, interval: float) -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "GORUNCHAT_PORT": str(free_port()), "GORUNCHAT_DATA_DIR": str(folder),
           "JWT_SECRET": SECRET, "PYTHONUNBUFFERED": "1",
           "GORUNCHAT_PROJECTION_INTERVAL_S": str(interval)}
    env.pop("REDIS_URL", None)
    process = subprocess.Popen([sys.executable, "-m", "gorunchat.cli", "dev"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    found: list[str] = []
    ready = threading.Event()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            match = READY.search(line)
            if match:
                found.append(match.group(1))
                ready.set()

    threading.Thread(target=pump, daemon=True).start()
    if not ready.wait(90):
        process.kill()
        raise RuntimeError("gorunchat dev did not start")
    return process, found[0]


def seed(folder: Path, conversations: int) -> tuple[dict[str, str], list[str]]:
    store = SqliteStore(folder / "gorunchat.sqlite3")
    ids = [f"bench-{n}" for n in range(conversations)]
    with store.unit_of_work("default") as uow:
        uow.users.insert(User(_id=USER_ID, email="bench@example.com", role="ADMIN"))
        for key in ids:
            uow.conversations.insert(Conversation(conversationId=key, user=USER_ID))
        uow.commit()
    store.close()
    token = issue_access_token(SECRET, user_id=USER_ID, tenant_id="default", role="ADMIN",
                               session_id=None)
    return {"Authorization": f"Bearer {token}"}, ids


class Pacer:
    """Hands out send times ``started + n / rate`` to worker threads, ``total`` of them."""

    def __init__(self, rate: int, total: int) -> None:
        self.rate, self.total, self.next = rate, total, 0
        self.started = time.perf_counter()
        self.lock = threading.Lock()

    def take(self) -> tuple[int, float] | None:
        with self.lock:
            if self.next >= self.total:
                return None
            n, self.next = self.next, self.next + 1
        return n, self.started + n / self.rate


def load(url: str, auth: dict[str, str], ids: list[str], rate: int, seconds: float,
         workers: int = 6) -> dict[str, Any]:
    """Send ``rate`` renames per second on a fixed schedule while sampling the lag."""
    statuses: list[int] = []
    samples: list[dict[str, Any]] = []
    pacer = Pacer(rate, int(rate * seconds))
    done = threading.Event()

    def send() -> None:
        with httpx.Client(base_url=url, headers=auth, timeout=30) as client:
            while (slot := pacer.take()) is not None:
                n, when = slot
                time.sleep(max(0.0, when - time.perf_counter()))
                response = client.post("/api/convos/update", json={"arg": {
                    "conversationId": ids[n % len(ids)], "title": f"Title {n}"}})
                statuses.append(response.status_code)

    def sample() -> None:
        with httpx.Client(base_url=url, headers=auth, timeout=30) as client:
            while not done.wait(0.5):
                samples.append(client.get("/api/admin/audit/lag").json())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    senders = [threading.Thread(target=send) for _ in range(workers)]
    for thread in senders:
        thread.start()
    for thread in senders:
        thread.join(timeout=seconds + 120)
    sent_for = time.perf_counter() - pacer.started
    done.set()
    sampler.join(timeout=30)
    drain_s = None
    with httpx.Client(base_url=url, headers=auth, timeout=30) as client:
        deadline = time.perf_counter() + 120
        while time.perf_counter() < deadline:
            lag = client.get("/api/admin/audit/lag").json()
            if lag["auditPending"] == 0 and lag["discoveryPending"] == 0:
                drain_s = time.perf_counter() - pacer.started - sent_for
                break
            time.sleep(0.05)
        final = client.get("/api/admin/audit/lag").json()
    return {"statuses": statuses, "samples": samples, "sent_for": sent_for,
            "drain_s": drain_s, "final": final}


def lag_figures(rate: int, seconds: float, interval: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-spine-") as tmp:
        folder = Path(tmp)
        auth, ids = seed(folder, 500)
        process, url = start_stack(folder, interval)
        try:
            ran = load(url, auth, ids, rate, seconds)
        finally:
            process.terminate()
            process.wait(timeout=30)
    lags = [s["lagSeconds"] for s in ran["samples"]]
    pending = [s["auditPending"] + s["discoveryPending"] for s in ran["samples"]]
    ok = sum(1 for s in ran["statuses"] if s == 200)
    final = ran["final"]
    return {
        "rate_target": rate, "seconds": seconds, "projection_interval_s": interval,
        "mutations_ok": ok, "mutations_failed": len(ran["statuses"]) - ok,
        "rate_achieved": round(len(ran["statuses"]) / ran["sent_for"], 1),
        "lag_p50_s": round(statistics.median(lags), 3) if lags else None,
        "lag_p95_s": round(sorted(lags)[int(0.95 * (len(lags) - 1))], 3) if lags else None,
        "lag_max_s": round(max(lags), 3) if lags else None,
        "backlog_max_records": max(pending) if pending else None,
        "drain_after_load_s": None if ran["drain_s"] is None else round(ran["drain_s"], 3),
        "projected_records": final["auditTotal"] + final["discoveryTotal"]
        - final["auditPending"] - final["discoveryPending"],
        "in_stack_records_per_s": round(
            (final["auditTotal"] + final["discoveryTotal"]) / (ran["sent_for"] + (
                ran["drain_s"] or 0)), 1),
        "samples": len(lags),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--interval", type=float, default=1.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-projector-") as tmp:
        raw = throughput(args.records, args.batch, Path(tmp))
    print(f"projector throughput: {raw['records']} records in {raw['seconds']} s = "
          f"{raw['records_per_s']} records/s (batch {raw['batch']}, "
          f"{raw['archive_objects']} archive objects)")
    under = lag_figures(args.rate, args.seconds, args.interval)
    print(f"load: {under['mutations_ok']} renames ok, {under['mutations_failed']} failed, "
          f"{under['rate_achieved']}/s achieved (target {args.rate}/s for {args.seconds} s)")
    print(f"lag while loaded (timer every {args.interval} s, {under['samples']} samples): "
          f"p50 {under['lag_p50_s']} s, p95 {under['lag_p95_s']} s, max {under['lag_max_s']} s;"
          f" largest backlog {under['backlog_max_records']} records")
    print(f"backlog drained {under['drain_after_load_s']} s after the load stopped; "
          f"{under['projected_records']} records projected, "
          f"{under['in_stack_records_per_s']} records/s in the stack")
    print(json.dumps({"bench": "audit_projection", "throughput": raw, "under_load": under}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
