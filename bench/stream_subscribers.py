"""Concurrent SSE subscribers in one streaming process, and RSS per idle subscriber.

A few long, nearly silent generations run in one streaming-service process; subscribers are
added in steps (a bare asyncio client keeps each connection open and idle) while the server's
RSS is read after each step. The marginal RSS per subscriber is the growth between the first
and the last step divided by the subscribers added. At the end every generation is aborted and
the benchmark counts the subscribers that received the terminal frame, so "held" means
"still delivered to", not just "socket open". Budget (DESIGN.md §10): ≥ 2,000 subscribers,
≤ 30 KB RSS per idle subscriber.

    python bench/stream_subscribers.py [--subscribers 4000] [--step 500] [--streams 20]
"""

from __future__ import annotations

import argparse
import asyncio
import time

import httpx
import uvloop
from streaming_support import (
    SseConnection,
    final_line,
    raise_fd_limit,
    rss_kib,
    stack,
)


class Subscriber:
    def __init__(self) -> None:
        self.got_final = False
        self.frames = 0

    async def follow(self, conn: SseConnection) -> None:
        try:
            async for _seq, data in conn.events():
                self.frames += 1
                if b'"final"' in data:
                    self.got_final = True
                    return
        except (OSError, asyncio.IncompleteReadError):
            return
        finally:
            conn.close()


async def run(args: argparse.Namespace) -> dict[str, object]:
    with stack() as s:
        service = s.service(GORUNCHAT_STREAM_HEARTBEAT_MS="15000")
        url, pid = service.url, service.process.pid
        owners = s.accounts(args.streams)
        async with httpx.AsyncClient() as client:
            streams = [(await client.post(f"{url}/api/agents/chat", headers=h, timeout=30, json={
                "text": "idle", "endpoint": "offline", "model": "demo", "maxTokens": 2,
                "tokensPerSecond": 0.01})).json()["streamId"] for h in owners]
        followers: list[Subscriber] = []
        tasks: list[asyncio.Task[None]] = []
        gate = asyncio.Semaphore(100)
        failures = 0

        async def add_one(index: int) -> None:
            nonlocal failures
            h, stream_id = owners[index % len(owners)], streams[index % len(streams)]
            async with gate:
                try:
                    conn = await SseConnection.open(service.port,
                                                    f"/api/agents/chat/stream/{stream_id}", h)
                except (OSError, RuntimeError):
                    failures += 1
                    return
            follower = Subscriber()
            followers.append(follower)
            tasks.append(asyncio.create_task(follower.follow(conn)))

        steps: list[dict[str, float]] = []
        await asyncio.sleep(1.0)
        steps.append({"subscribers": 0, "rss_kib": rss_kib(pid)})
        while len(followers) < args.subscribers:
            started = time.perf_counter()
            count = min(args.step, args.subscribers - len(followers))
            base = len(followers) + failures
            await asyncio.gather(*(add_one(base + i) for i in range(count)))
            await asyncio.sleep(1.0)  # let the server settle before reading its RSS
            steps.append({"subscribers": len(followers), "rss_kib": rss_kib(pid),
                          "step_s": round(time.perf_counter() - started, 2)})
            print(f"{len(followers):>6} subscribers  server RSS {steps[-1]['rss_kib'] / 1024:.1f}"
                  f" MiB  (+{count} in {steps[-1]['step_s']} s, {failures} refused)",
                  flush=True)
            if failures:
                break
        async with httpx.AsyncClient() as client:
            await asyncio.gather(*(client.post(f"{url}/api/agents/chat/abort", headers=h,
                                               json={"streamId": sid}, timeout=60)
                                   for h, sid in zip(owners, streams, strict=True)))
        await asyncio.wait(tasks, timeout=60)
        delivered = sum(1 for f in followers if f.got_final)
    first, last = steps[1], steps[-1]
    per_sub = (last["rss_kib"] - first["rss_kib"]) * 1024 / max(
        1, last["subscribers"] - first["subscribers"])
    print(f"held {len(followers)} subscribers on {args.streams} streams; terminal frame "
          f"delivered to {delivered}/{len(followers)}; RSS per idle subscriber "
          f"{per_sub / 1024:.1f} KiB (marginal, {first['subscribers']:.0f}→"
          f"{last['subscribers']:.0f}); refused {failures}", flush=True)
    return {"subscribers": len(followers), "delivered_terminal": delivered,
            "refused": failures, "streams": args.streams,
            "rss_per_idle_subscriber_kib": round(per_sub / 1024, 2),
            "server_rss_mib": {str(int(st["subscribers"])): round(st["rss_kib"] / 1024, 1)
                               for st in steps}}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=4000)
    parser.add_argument("--step", type=int, default=500)
    parser.add_argument("--streams", type=int, default=20)
    args = parser.parse_args()
    raise_fd_limit()
    final_line("stream_subscribers", **uvloop.run(run(args)))


if __name__ == "__main__":
    main()
