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


class Crowd:
    """Subscribers spread over a few idle streams of one service."""

    def __init__(self, port: int, owners: list[dict[str, str]], streams: list[str]) -> None:
        self.port = port
        self.owners = owners
        self.streams = streams
        self.followers: list[Subscriber] = []
        self.tasks: list[asyncio.Task[None]] = []
        self.refused = 0
        self._gate = asyncio.Semaphore(100)

    async def add(self, index: int) -> None:
        h = self.owners[index % len(self.owners)]
        stream_id = self.streams[index % len(self.streams)]
        async with self._gate:
            try:
                conn = await SseConnection.open(self.port, f"/api/agents/chat/stream/{stream_id}",
                                                h)
            except (OSError, RuntimeError):
                self.refused += 1
                return
        follower = Subscriber()
        self.followers.append(follower)
        self.tasks.append(asyncio.create_task(follower.follow(conn)))

    async def grow(self, count: int) -> None:
        base = len(self.followers) + self.refused
        await asyncio.gather(*(self.add(base + i) for i in range(count)))


async def start_idle_streams(url: str, owners: list[dict[str, str]]) -> list[str]:
    async with httpx.AsyncClient() as client:
        return [(await client.post(f"{url}/api/agents/chat", headers=h, timeout=30, json={
            "text": "idle", "endpoint": "offline", "model": "demo", "maxTokens": 2,
            "tokensPerSecond": 0.01})).json()["streamId"] for h in owners]


async def ramp(crowd: Crowd, pid: int, target: int, step: int) -> list[dict[str, float]]:
    """Add subscribers ``step`` at a time, reading the server's RSS after each step."""
    await asyncio.sleep(1.0)
    steps: list[dict[str, float]] = [{"subscribers": 0, "rss_kib": rss_kib(pid)}]
    while len(crowd.followers) < target and not crowd.refused:
        started = time.perf_counter()
        count = min(step, target - len(crowd.followers))
        await crowd.grow(count)
        await asyncio.sleep(1.0)  # let the server settle before reading its RSS
        steps.append({"subscribers": len(crowd.followers), "rss_kib": rss_kib(pid),
                      "step_s": round(time.perf_counter() - started, 2)})
        print(f"{len(crowd.followers):>6} subscribers  server RSS "
              f"{steps[-1]['rss_kib'] / 1024:.1f} MiB  (+{count} in {steps[-1]['step_s']} s, "
              f"{crowd.refused} refused)", flush=True)
    return steps


async def run(args: argparse.Namespace) -> dict[str, object]:
    with stack() as s:
        service = s.service(GORUNCHAT_STREAM_HEARTBEAT_MS="15000")
        owners = s.accounts(args.streams)
        crowd = Crowd(service.port, owners, await start_idle_streams(service.url, owners))
        steps = await ramp(crowd, service.process.pid, args.subscribers, args.step)
        async with httpx.AsyncClient() as client:
            await asyncio.gather(*(client.post(f"{service.url}/api/agents/chat/abort",
                                               headers=h, json={"streamId": sid}, timeout=60)
                                   for h, sid in zip(owners, crowd.streams, strict=True)))
        await asyncio.wait(crowd.tasks, timeout=60)
    delivered = sum(1 for f in crowd.followers if f.got_final)
    held = len(crowd.followers)
    first, last = steps[1], steps[-1]
    per_sub = (last["rss_kib"] - first["rss_kib"]) * 1024 / max(
        1, last["subscribers"] - first["subscribers"])
    print(f"held {held} subscribers on {args.streams} streams; terminal frame delivered to "
          f"{delivered}/{held}; RSS per idle subscriber {per_sub / 1024:.1f} KiB (marginal, "
          f"{first['subscribers']:.0f}→{last['subscribers']:.0f}); refused {crowd.refused}",
          flush=True)
    return {"subscribers": held, "delivered_terminal": delivered, "refused": crowd.refused,
            "streams": args.streams, "rss_per_idle_subscriber_kib": round(per_sub / 1024, 2),
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
