"""Added latency per frame, provider emit → SSE client receive, at N concurrent streams.

One streaming-service process serves every stream; the offline model stamps each token with
its emit time (``emitTimestamps``), and a lean client in this process notes when each frame
arrives. Two figures per frame: from the last token's emit (the pipeline: coalescer flush,
Redis append, fan-out, SSE write, socket) and from the first token's emit (adds the time a
token waits in its coalescing window). Budget (DESIGN.md §10): p99 ≤ 10 ms at 500 streams.

    python bench/stream_latency.py [--streams 100 500] [--pace 20] [--seconds 8]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import time

import httpx
import uvloop
from streaming_support import (
    SseConnection,
    Stack,
    cpu_seconds,
    final_line,
    profile_window,
    raise_fd_limit,
    rss_kib,
    stack,
    summary,
)

STAMP = re.compile(rb"@(\d{16,})")


async def measure(stack_: Stack, port: int, streams: int, pace: int, seconds: float,
                  warmup: float) -> dict[str, object]:
    url = f"http://127.0.0.1:{port}"
    headers = stack_.accounts(streams)
    tokens = int(pace * (seconds + warmup + 60))
    window: dict[str, int] = {"from": 1 << 62, "to": 1 << 62}
    pipeline: list[float] = []
    with_wait: list[float] = []
    stream_ids: list[str] = []
    gate = asyncio.Semaphore(25)

    async def consume(client: httpx.AsyncClient, h: dict[str, str]) -> None:
        async with gate:  # start and subscribe together, a few at a time
            answer = await client.post(f"{url}/api/agents/chat", headers=h, timeout=60, json={
                "text": "benchmark", "endpoint": "offline", "model": "demo",
                "maxTokens": tokens, "tokensPerSecond": pace, "emitTimestamps": True})
            stream_id = answer.json()["streamId"]
            stream_ids.append(stream_id)
            conn = await SseConnection.open(port, f"/api/agents/chat/stream/{stream_id}", h)
        try:
            async for _seq, data in conn.events():
                now = time.time_ns()
                stamps = STAMP.findall(data)
                if stamps and window["from"] <= now <= window["to"]:
                    first, last = int(stamps[0]), int(stamps[-1])
                    if first >= window["from"]:
                        pipeline.append((now - last) / 1e6)
                        with_wait.append((now - first) / 1e6)
                if b'"final"' in data:
                    return
        finally:
            conn.close()

    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=50)) as client:
        tasks = [asyncio.create_task(consume(client, h)) for h in headers]
        while len(stream_ids) < streams:
            await asyncio.sleep(0.1)
        await asyncio.sleep(warmup)
        window["from"] = time.time_ns()
        window["to"] = window["from"] + int(seconds * 1e9)
        profiler = profile_window(stack_.services[0].process.pid, seconds)
        cpu_before = cpu_seconds(stack_.services[0].process.pid)
        await asyncio.sleep(seconds)
        cpu = (cpu_seconds(stack_.services[0].process.pid) - cpu_before) / seconds
        if profiler is not None:
            profiler.wait()
        server_rss = rss_kib(stack_.services[0].process.pid)
        await asyncio.gather(*(client.post(f"{url}/api/agents/chat/abort", headers=h,
                                           json={"conversationId": "new", "streamId": sid},
                                           timeout=60)
                               for h, sid in zip(headers, stream_ids, strict=False)))
        await asyncio.wait(tasks, timeout=60)
    return {"streams": streams, "pace_tokens_per_s": pace,
            "frames_per_s": round(len(pipeline) / seconds, 1),
            "server_cpu_cores": round(cpu, 2),
            "pipeline_ms": summary(pipeline), "emit_to_client_ms": summary(with_wait),
            "server_rss_mib": round(server_rss / 1024, 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--streams", type=int, nargs="+", default=[100, 500])
    parser.add_argument("--pace", type=int, default=20, help="tokens per second per stream")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--coalesce-ms", default="25")
    args = parser.parse_args()
    raise_fd_limit()
    results = []
    with stack() as s:
        for streams in args.streams:
            service = s.service(GORUNCHAT_STREAM_COALESCE_MS=args.coalesce_ms)
            result = uvloop.run(measure(s, service.port, streams, args.pace, args.seconds,
                                         args.warmup))
            service.stop()
            s.services.remove(service)
            p, w = result["pipeline_ms"], result["emit_to_client_ms"]
            print(f"{streams:>4} streams @ {args.pace} tok/s: {result['frames_per_s']} frames/s"
                  f" | pipeline p50 {p['p50']} ms p99 {p['p99']} ms"  # type: ignore[index]
                  f" | emit→client (incl. coalescing wait) p50 {w['p50']} ms"  # type: ignore[index]
                  f" p99 {w['p99']} ms | server CPU {result['server_cpu_cores']} cores"  # type: ignore[index]
                  f" | server RSS {result['server_rss_mib']} MiB",
                  flush=True)
            results.append(result)
    final_line("stream_latency", results=results, coalesce_ms=int(args.coalesce_ms))


if __name__ == "__main__":
    main()
