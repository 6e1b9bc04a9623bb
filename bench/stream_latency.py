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
    load_average,
    profile_window,
    raise_fd_limit,
    rss_kib,
    stack,
    summary,
)

STAMP = re.compile(rb"@(\d{16,})")


class LatencyRun:
    """``streams`` generations, each started and subscribed to, frames timed on arrival."""

    def __init__(self, port: int, headers: list[dict[str, str]], pace: int, tokens: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.headers = headers
        self.body = {"text": "benchmark", "endpoint": "offline", "model": "demo",
                     "maxTokens": tokens, "tokensPerSecond": pace, "emitTimestamps": True}
        self.window = (1 << 62, 1 << 62)
        self.pipeline: list[float] = []
        self.with_wait: list[float] = []
        self.started: list[tuple[dict[str, str], str]] = []
        self._gate = asyncio.Semaphore(25)

    async def consume(self, client: httpx.AsyncClient, h: dict[str, str]) -> None:
        async with self._gate:  # start and subscribe together, a few at a time
            answer = await client.post(f"{self.url}/api/agents/chat", headers=h, timeout=60,
                                       json=self.body)
            stream_id = answer.json()["streamId"]
            self.started.append((h, stream_id))
            conn = await SseConnection.open(self.port, f"/api/agents/chat/stream/{stream_id}", h)
        try:
            async for _seq, data in conn.events():
                self.observe(time.time_ns(), data)
                if b'"final"' in data:
                    return
        finally:
            conn.close()

    def observe(self, now: int, data: bytes) -> None:
        stamps = STAMP.findall(data)
        begin, end = self.window
        if stamps and begin <= now <= end:
            first, last = int(stamps[0]), int(stamps[-1])
            if first >= begin:
                self.pipeline.append((now - last) / 1e6)
                self.with_wait.append((now - first) / 1e6)

    async def abort_all(self, client: httpx.AsyncClient) -> None:
        await asyncio.gather(*(client.post(f"{self.url}/api/agents/chat/abort", headers=h,
                                           json={"streamId": sid}, timeout=60)
                               for h, sid in self.started))


async def measure(stack_: Stack, port: int, streams: int, pace: int, seconds: float,
                  warmup: float) -> dict[str, object]:
    pid = stack_.services[0].process.pid
    run = LatencyRun(port, stack_.accounts(streams), pace, int(pace * (seconds + warmup + 60)))
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=50)) as client:
        tasks = [asyncio.create_task(run.consume(client, h)) for h in run.headers]
        while len(run.started) < streams:
            await asyncio.sleep(0.1)
        await asyncio.sleep(warmup)
        begin = time.time_ns()
        run.window = (begin, begin + int(seconds * 1e9))
        profiler = profile_window(pid, seconds)
        cpu_before = cpu_seconds(pid)
        await asyncio.sleep(seconds)
        cpu = (cpu_seconds(pid) - cpu_before) / seconds
        if profiler is not None:
            profiler.wait()
        server_rss = rss_kib(pid)
        await run.abort_all(client)
        await asyncio.wait(tasks, timeout=60)
    return {"streams": streams, "pace_tokens_per_s": pace,
            "frames_per_s": round(len(run.pipeline) / seconds, 1),
            "server_cpu_cores": round(cpu, 2),
            "cpu_us_per_frame": round(cpu * 1e6 / max(1.0, len(run.pipeline) / seconds), 1),
            "pipeline_ms": summary(run.pipeline), "emit_to_client_ms": summary(run.with_wait),
            "server_rss_mib": round(server_rss / 1024, 1), "load_avg": load_average()}


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
                  f" ({result['cpu_us_per_frame']} µs/frame) | server RSS"
                  f" {result['server_rss_mib']} MiB | load avg {result['load_avg']}",
                  flush=True)
            results.append(result)
    final_line("stream_latency", results=results, coalesce_ms=int(args.coalesce_ms))


if __name__ == "__main__":
    main()
