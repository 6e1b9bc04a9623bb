"""Catch-up after missing 5,000 frames: reconnect with ``Last-Event-ID`` to caught up.

One generation writes well over 5,000 frames through the real path (offline model, no
coalescing window, so about a token per frame); then a client reconnects with a cursor 5,000
frames behind the end, again and again, and the time from sending the request to holding the
last frame is measured (the journal read in batches, the SSE encoding, the socket). A second
figure does the same while the generation is still running, counting until the client holds
the frame that was the newest when it reconnected. Budget (DESIGN.md §10): ≤ 150 ms.

    python bench/stream_catchup.py [--missed 5000] [--runs 30]
"""

from __future__ import annotations

import argparse
import asyncio
import time

import httpx
import uvloop
from streaming_support import SseConnection, final_line, raise_fd_limit, stack, summary


async def catch_up(port: int, headers: dict[str, str], stream_id: str, cursor: int,
                   until: int) -> tuple[float, int]:
    """Seconds from the request to holding frame ``until``, and the frames received."""
    started = time.perf_counter()
    conn = await SseConnection.open(port, f"/api/agents/chat/stream/{stream_id}",
                                    {**headers, "Last-Event-ID": str(cursor)})
    received = 0
    expected = cursor + 1
    try:
        async for seq, data in conn.events():
            if seq != expected and not data.startswith(b'{"seq":%d,"v":1,"sync"' % seq):
                raise AssertionError(f"frame {seq} where {expected} was due")
            received += 1
            expected = seq + 1
            if seq >= until:
                return time.perf_counter() - started, received
    finally:
        conn.close()
    raise AssertionError("the stream ended before catching up")


async def run(args: argparse.Namespace) -> dict[str, object]:
    with stack() as s:
        service = s.service(GORUNCHAT_STREAM_COALESCE_MS="0")
        (owner,) = s.accounts(1)
        async with httpx.AsyncClient() as client:
            body = (await client.post(f"{service.url}/api/agents/chat", headers=owner,
                                      timeout=30, json={
                "text": "long", "endpoint": "offline", "model": "demo",
                "maxTokens": args.tokens, "tokensPerSecond": args.pace})).json()
        stream_id = body["streamId"]
        head = [0]
        watcher = asyncio.create_task(follow(service.port, owner, stream_id, head))
        live: list[float] = []
        while not watcher.done() and len(live) < args.live_runs:
            newest = head[0]
            if newest > args.missed:
                seconds, _ = await catch_up(service.port, owner, stream_id,
                                            newest - args.missed, newest)
                live.append(seconds * 1000)
            await asyncio.sleep(0.2)
        last = await watcher
        if last <= args.missed:
            raise SystemExit(f"only {last} frames were written; raise --tokens")
        done: list[float] = []
        received = 0
        for _ in range(args.runs):
            seconds, received = await catch_up(service.port, owner, stream_id,
                                               last - args.missed, last)
            done.append(seconds * 1000)
    figures, live_figures = summary(done), summary(live)
    print(f"stream of {last} frames; reconnect {args.missed} frames behind the end: "
          f"p50 {figures['p50']} ms, p99 {figures['p99']} ms over {len(done)} runs "
          f"({received} frames each)", flush=True)
    print(f"while live ({args.missed} behind the newest frame): p50 {live_figures['p50']} ms,"
          f" p99 {live_figures['p99']} ms over {live_figures['n']} runs", flush=True)
    return {"frames_in_stream": last, "missed": args.missed, "completed_ms": figures,
            "live_ms": live_figures}


async def follow(port: int, owner: dict[str, str], stream_id: str, head: list[int]) -> int:
    """Follow the whole stream, keeping ``head[0]`` at the newest frame; the last frame."""
    conn = await SseConnection.open(port, f"/api/agents/chat/stream/{stream_id}", owner)
    try:
        async for seq, _ in conn.events():
            head[0] = seq
    finally:
        conn.close()
    return head[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--missed", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--live-runs", type=int, default=10)
    parser.add_argument("--tokens", type=int, default=16000)
    parser.add_argument("--pace", type=int, default=2000, help="tokens per second")
    args = parser.parse_args()
    raise_fd_limit()
    final_line("stream_catchup", **uvloop.run(run(args)))


if __name__ == "__main__":
    main()
