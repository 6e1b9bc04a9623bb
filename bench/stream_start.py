"""Time from ``POST /api/agents/chat`` to the ``created`` frame on the stream, locally.

Each run is what a browser does: start a generation (a keep-alive connection, the user's
message persisted with its audit and discovery records in SQLite, the job reserved in Redis)
and then open the stream and wait for frame 1 (``created``). Budget (DESIGN.md §10):
p50 ≤ 15 ms.

    python bench/stream_start.py [--runs 300]
"""

from __future__ import annotations

import argparse
import time

import httpx
import uvloop
from streaming_support import SseConnection, final_line, raise_fd_limit, stack, summary


async def run(args: argparse.Namespace) -> dict[str, object]:
    with stack() as s:
        service = s.service()
        users = s.accounts(args.runs + args.warmup)
        post_ms: list[float] = []
        created_ms: list[float] = []
        async with httpx.AsyncClient() as client:
            for index, headers in enumerate(users):
                started = time.perf_counter()
                answer = await client.post(f"{service.url}/api/agents/chat", headers=headers,
                                           json={"text": "Hello", "endpoint": "offline",
                                                 "model": "demo", "maxTokens": 4,
                                                 "tokensPerSecond": 0})
                posted = time.perf_counter()
                stream_id = answer.json()["streamId"]
                conn = await SseConnection.open(service.port,
                                                f"/api/agents/chat/stream/{stream_id}", headers)
                try:
                    async for seq, data in conn.events():
                        assert seq == 1 and b'"created":true' in data
                        break
                finally:
                    conn.close()
                done = time.perf_counter()
                if index >= args.warmup:
                    post_ms.append((posted - started) * 1000)
                    created_ms.append((done - started) * 1000)
    total, post = summary(created_ms), summary(post_ms)
    print(f"POST → created frame: p50 {total['p50']} ms, p99 {total['p99']} ms "
          f"(the POST alone: p50 {post['p50']} ms, p99 {post['p99']} ms) over "
          f"{total['n']} runs", flush=True)
    return {"post_to_created_ms": total, "post_ms": post}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20)
    args = parser.parse_args()
    raise_fd_limit()
    final_line("stream_start", **uvloop.run(run(args)))


if __name__ == "__main__":
    main()
